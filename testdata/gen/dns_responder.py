#!/usr/bin/env python3
"""Tiny authoritative DNS responder for the fake zone ``example.test``.

Written only to generate the sample captures in testdata/ (see
capture-netns.sh). Standard library only. Answers A, AAAA, TXT and MX queries
over UDP and TCP (RFC 1035 two-byte length framing), NXDOMAIN for unknown
names inside the zone, NOERROR/NODATA for known names without that type, and
REFUSED for names outside the zone. Echoes a minimal EDNS0 OPT record when the
query carried one.

usage: dns_responder.py [--bind ADDR] [--port N]
"""
import argparse
import socket
import struct
import threading

ZONE_ORIGIN = "example.test"
A, AAAA, TXT, MX, OPT = 1, 28, 16, 15, 41
TTL = 300

# name -> {type: [rdata-producing values]}
ZONE = {
    "example.test": {A: ["10.99.0.2"], AAAA: ["fd00:99::2"],
                     MX: [(10, "mail.example.test"), (20, "mx2.example.test")],
                     TXT: [["v=spf1 -all"]]},
    "www.example.test": {A: ["10.99.0.2"], AAAA: ["fd00:99::2"]},
    "mail.example.test": {A: ["10.99.0.25"], AAAA: ["fd00:99::25"]},
    "mx2.example.test": {A: ["10.99.0.26"]},
    "txt.example.test": {TXT: [["hello from pktkit", "second string"]]},
}


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\x00"


def decode_name(msg, off):
    """Decode a (possibly compressed) name; return (name, offset after it)."""
    labels, end, jumps = [], None, 0
    while True:
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            jumps += 1
            if jumps > 20:
                raise ValueError("compression loop")
            continue
        off += 1
        if n == 0:
            break
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n
    return ".".join(labels), (end if end is not None else off)


def rdata(rtype, value):
    if rtype == A:
        return socket.inet_pton(socket.AF_INET, value)
    if rtype == AAAA:
        return socket.inet_pton(socket.AF_INET6, value)
    if rtype == MX:
        return struct.pack("!H", value[0]) + encode_name(value[1])
    if rtype == TXT:
        return b"".join(bytes([len(s)]) + s.encode() for s in value)
    raise ValueError(rtype)


def answer(query):
    """Build the response message for one query message (bytes)."""
    qid, flags, qd, _an, _ns, ar = struct.unpack("!6H", query[:12])
    qname, off = decode_name(query, 12)
    qtype, qclass = struct.unpack("!HH", query[off:off + 4])
    question = query[12:off + 4]
    has_opt = False
    if ar:  # look for an OPT pseudo-RR (EDNS0) right after the question
        try:
            name, p = decode_name(query, off + 4)
            has_opt = name == "" and struct.unpack("!H", query[p:p + 2])[0] == OPT
        except (IndexError, ValueError):
            pass
    key = qname.lower().rstrip(".")
    answers, rcode = [], 0
    if key != ZONE_ORIGIN and not key.endswith("." + ZONE_ORIGIN):
        rcode = 5  # REFUSED
    elif key not in ZONE:
        rcode = 3  # NXDOMAIN
    elif qclass == 1:
        for value in ZONE[key].get(qtype, []):
            rd = rdata(qtype, value)
            # 0xC00C: pointer to the question name at offset 12
            answers.append(struct.pack("!HHHIH", 0xC00C, qtype, 1, TTL, len(rd)) + rd)
    rflags = 0x8000 | (flags & 0x7800) | 0x0400 | (flags & 0x0100) | rcode  # QR, opcode, AA, RD
    additional = [b"\x00" + struct.pack("!HHIH", OPT, 1232, 0, 0)] if has_opt else []
    hdr = struct.pack("!6H", qid, rflags, qd, len(answers), 0, len(additional))
    return hdr + question + b"".join(answers) + b"".join(additional)


def serve_udp(sock):
    while True:
        data, peer = sock.recvfrom(4096)
        try:
            sock.sendto(answer(data), peer)
        except Exception as e:  # malformed query: ignore it
            print("udp: bad query from", peer, e, flush=True)


def serve_tcp_conn(conn):
    with conn:
        while True:
            hdr = conn.recv(2)
            if len(hdr) < 2:
                return
            (n,) = struct.unpack("!H", hdr)
            data = b""
            while len(data) < n:
                chunk = conn.recv(n - len(data))
                if not chunk:
                    return
                data += chunk
            resp = answer(data)
            conn.sendall(struct.pack("!H", len(resp)) + resp)


def serve_tcp(sock):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=serve_tcp_conn, args=(conn,), daemon=True).start()


def dual_stack(kind, addr, port):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind((addr, port))
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bind", default="::")
    ap.add_argument("--port", type=int, default=53)
    args = ap.parse_args()
    udp = dual_stack(socket.SOCK_DGRAM, args.bind, args.port)
    tcp = dual_stack(socket.SOCK_STREAM, args.bind, args.port)
    tcp.listen(8)
    threading.Thread(target=serve_tcp, args=(tcp,), daemon=True).start()
    print("dns responder ready on [%s]:%d udp+tcp" % (args.bind, args.port), flush=True)
    serve_udp(udp)


if __name__ == "__main__":
    main()
