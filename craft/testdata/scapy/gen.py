#!/usr/bin/python3
"""Write Scapy's bytes for each expression of exprs.txt (the parity oracle).

Usage: /usr/bin/python3 gen.py exprs.txt > expected.tsv

Each non-blank, non-comment line of the list is a Scapy expression; the
output has one line per expression: the expression, a tab, and the hex of
every packet it gives (a packet set gives several), comma-separated, in
Scapy's order. Run with Debian's python3-scapy (2.5).
"""
import logging
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import *  # noqa: E402,F401,F403
from scapy.config import conf  # noqa: E402

load_contrib("mpls")  # noqa: F405
conf.verb = 0


def main():
    env = dict(globals())
    with open(sys.argv[1]) as f:
        for line in f:
            expr = line.strip()
            if not expr or expr.startswith("#"):
                continue
            v = eval(expr, env)
            pkts = v if isinstance(v, list) else list(v)
            print(expr + "\t" + ",".join(bytes(p).hex() for p in pkts))


if __name__ == "__main__":
    main()
