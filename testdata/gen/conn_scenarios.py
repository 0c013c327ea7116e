#!/usr/bin/env python3
"""TCP servers and clients that behave in known ways, written only to
generate testdata/conns.pcap (see conns.sh). Standard library only.

usage: conn_scenarios.py serve --bind ADDR
       conn_scenarios.py client halfclose|abort HOST PORT --local-port N

serve listens on one port per scenario and, for each connection it
accepts, prints one tab-separated line of what it did:

    port  peer  bytes_in  bytes_out  md5_in  md5_out  body_md5  delay_ms  stall_ms  end

bytes_in/bytes_out are the application bytes it received and sent (md5 of
each), body_md5 the md5 of the HTTP body alone ("-" if none), delay_ms the
time from the end of the request to the first response byte, stall_ms the
pause in the middle of the response (both measured on the server's
monotonic clock, "-" if the scenario has none), end how the server ended
the connection (fin, rst, or peer-rst when the client reset it).

Scenarios (port: behaviour):
  8001 http      HTTP/1.0 GET: 24 KiB body, then FIN
  8002 reset     reads the request, sends the header and 1000 body bytes,
                 then closes with SO_LINGER 0 (RST)
  8003 slow      reads the request, waits 300 ms, sends the header and half
                 of a 16 KiB body, waits 500 ms, sends the rest, FIN
  8006 loss      HTTP/1.0 GET: 160 KiB body (the client drops ~5% of it)
  8007 abort     sends a 100-byte banner, reads until the client resets
  8008 halfclose reads until the client's FIN, then sends 6000 bytes in
                 two writes 100 ms apart, FIN
  8009 ratelimit HTTP/1.0 GET: 48 KiB body (tbf shapes the server's link)
"""
import argparse
import hashlib
import random
import socket
import struct
import sys
import threading
import time

BODY_SIZES = {8001: 24 * 1024, 8003: 16 * 1024, 8006: 160 * 1024, 8009: 48 * 1024, 8002: 4096}
SLOW_DELAY, SLOW_STALL = 0.300, 0.500
lock = threading.Lock()


def body(port):
    """The deterministic body served on port (pseudo-random bytes, seeded
    by the port, so it compresses badly and has every byte value)."""
    return random.Random(port).randbytes(BODY_SIZES[port])


def header(n=None):
    """An HTTP/1.0 response header. Without a length, the body ends when the
    server closes, so the client cannot close first."""
    h = "HTTP/1.0 200 OK\r\nServer: pktkit-conns\r\nContent-Type: application/octet-stream\r\n"
    if n is not None:
        h += "Content-Length: %d\r\n" % n
    return (h + "\r\n").encode()


def md5(b):
    return hashlib.md5(b).hexdigest()


def log(port, peer, got, sent, bmd5="-", delay="-", stall="-", end="fin"):
    with lock:
        print("\t".join(str(x) for x in (port, "%s:%d" % peer[:2], len(got), len(sent), md5(got),
                                          md5(sent), bmd5, delay, stall, end)), flush=True)


def read_request(c):
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = c.recv(4096)
        if not d:
            break
        buf += d
    return buf


def read_to_eof(c):
    buf = b""
    try:
        while True:
            d = c.recv(65536)
            if not d:
                return buf, "fin"
            buf += d
    except ConnectionResetError:
        return buf, "peer-rst"


def fin_close(c):
    """Sends FIN, then waits for the peer's FIN (so nothing it sends late
    draws a RST), then closes."""
    c.shutdown(socket.SHUT_WR)
    c.settimeout(5)
    try:
        while c.recv(65536):
            pass
    except (OSError, socket.timeout):
        pass
    c.close()


def ms(t):
    return "%.1f" % (t * 1000)


def handle(port, c, peer):
    if port in (8001, 8006, 8009):
        req = read_request(c)
        out = header() + body(port)
        c.sendall(out)
        fin_close(c)
        log(port, peer, req, out, md5(body(port)))
    elif port == 8002:
        req = read_request(c)
        out = header(BODY_SIZES[port]) + body(port)[:1000]
        c.sendall(out)
        time.sleep(0.1)  # let it leave: SO_LINGER 0 discards unsent data
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
        log(port, peer, req, out, end="rst")
    elif port == 8003:
        req = read_request(c)
        t0 = time.monotonic()
        time.sleep(SLOW_DELAY)
        b = body(port)
        first = header() + b[:len(b) // 2]
        t1 = time.monotonic()
        c.sendall(first)
        t2 = time.monotonic()
        time.sleep(SLOW_STALL)
        t3 = time.monotonic()
        c.sendall(b[len(b) // 2:])
        fin_close(c)
        log(port, peer, req, first + b[len(b) // 2:], md5(b), ms(t1 - t0), ms(t3 - t2))
    elif port == 8007:
        out = bytes(range(32, 127)) + b"\r\n\r\n\n"  # 100 bytes
        c.sendall(out)
        got, end = read_to_eof(c)
        c.close()
        log(port, peer, got, out, end=end)
    elif port == 8008:
        got, _ = read_to_eof(c)
        out = bytes((i * 7) & 0xFF for i in range(6000))
        c.sendall(out[:3000])
        time.sleep(0.1)
        c.sendall(out[3000:])
        c.close()
        log(port, peer, got, out)


def listen(bind, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((bind, port))
    s.listen(8)
    while True:
        c, peer = s.accept()
        threading.Thread(target=handle, args=(port, c, peer), daemon=True).start()


def serve(bind):
    for port in (8001, 8002, 8003, 8006, 8007, 8008, 8009):
        threading.Thread(target=listen, args=(bind, port), daemon=True).start()
    time.sleep(0.2)
    print("ready", file=sys.stderr, flush=True)
    threading.Event().wait()


def client(mode, host, port, local_port):
    """halfclose: sends a request, shuts down its side, reads to EOF.
    abort: sends 6 bytes, reads the 100-byte banner, resets (SO_LINGER 0).
    Prints what it sent and received: bytes_out bytes_in md5_in."""
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind(("", local_port))
    c.connect((host, port))
    if mode == "halfclose":
        req = b"please send everything, I am done talking\n"
        c.sendall(req)
        c.shutdown(socket.SHUT_WR)
        got, _ = read_to_eof(c)
        c.close()
    else:
        req = b"hello\n"
        c.sendall(req)
        got = b""
        while len(got) < 100:
            d = c.recv(100 - len(got))
            if not d:
                break
            got += d
        time.sleep(0.05)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
    print(len(req), len(got), md5(got))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--bind", default="0.0.0.0")
    c = sub.add_parser("client")
    c.add_argument("mode", choices=["halfclose", "abort"])
    c.add_argument("host")
    c.add_argument("port", type=int)
    c.add_argument("--local-port", type=int, required=True)
    a = ap.parse_args()
    if a.cmd == "serve":
        serve(a.bind)
    else:
        client(a.mode, a.host, a.port, a.local_port)


if __name__ == "__main__":
    main()
