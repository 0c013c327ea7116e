#!/usr/bin/env python3
"""Minimal NTPv4 server and client (RFC 5905 packet format, no real clock
discipline), written only to generate the sample captures in testdata/.
Standard library only.

usage: ntp_responder.py serve [--bind ADDR] [--port N]
       ntp_responder.py query HOST [--port N]
"""
import argparse
import socket
import struct
import time

NTP_EPOCH_OFFSET = 2208988800  # seconds from 1900-01-01 to 1970-01-01


def ntp_ts(t):
    sec = int(t) + NTP_EPOCH_OFFSET
    frac = int((t - int(t)) * (1 << 32)) & 0xFFFFFFFF
    return struct.pack("!II", sec & 0xFFFFFFFF, frac)


def from_ts(b):
    sec, frac = struct.unpack("!II", b)
    return sec - NTP_EPOCH_OFFSET + frac / (1 << 32)


def serve(bind, port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind((bind, port))
    print("ntp responder ready on [%s]:%d" % (bind, port), flush=True)
    while True:
        data, peer = s.recvfrom(1024)
        recv = time.time()
        if len(data) < 48 or data[0] & 0x07 != 3:  # only answer client mode
            continue
        vn = (data[0] >> 3) & 0x07
        li_vn_mode = (0 << 6) | (vn << 3) | 4  # LI=0, same version, mode 4 (server)
        hdr = struct.pack("!BBbb", li_vn_mode, 1, data[2], -20)  # stratum 1, poll, precision
        hdr += struct.pack("!II", 0, 0x10)  # root delay, root dispersion
        hdr += b"LOCL"  # reference id (stratum 1: ASCII)
        pkt = hdr + ntp_ts(recv - 16) + data[40:48] + ntp_ts(recv) + ntp_ts(time.time())
        s.sendto(pkt, peer)


def query(host, port):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(2)
    t1 = time.time()
    req = struct.pack("!BBbb", (0 << 6) | (4 << 3) | 3, 0, 6, -20) + b"\x00" * 36 + ntp_ts(t1)
    s.sendto(req, (host, port))
    data, _ = s.recvfrom(1024)
    t4 = time.time()
    t2, t3 = from_ts(data[32:40]), from_ts(data[40:48])
    offset = ((t2 - t1) + (t3 - t4)) / 2
    delay = (t4 - t1) - (t3 - t2)
    print("ntp %s: stratum %d offset %+.6fs delay %.6fs" % (host, data[1], offset, delay))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("serve")
    sp.add_argument("--bind", default="::")
    sp.add_argument("--port", type=int, default=123)
    qp = sub.add_parser("query")
    qp.add_argument("host")
    qp.add_argument("--port", type=int, default=123)
    args = ap.parse_args()
    if args.cmd == "serve":
        serve(args.bind, args.port)
    else:
        query(args.host, args.port)


if __name__ == "__main__":
    main()
