#!/usr/bin/env bash
# pktkit run vs Scapy 2.5 on the same streaming loop:
#
#   for p in PcapReader(f):
#       if TCP in p:
#           n += p[TCP].dport
#
# pktkit runs it over the whole capture (by default bench/out/big.pcap, the
# 2 M-packet file bench/run.sh builds from the corpus); Scapy (python3-scapy
# from Debian, /usr/bin/python3) is much slower, so it runs over the first
# SCAPY_PACKETS packets only and its time per packet is extrapolated. pktkit
# also runs over that prefix, so that the two sums can be compared. Prints
# each one's packets, sum, seconds and microseconds per packet, and the
# ratio of Scapy's time per packet to pktkit's.
#
# usage: bench/shell.sh [CAPTURE]
# environment:
#   SCAPY_PACKETS  packets in Scapy's prefix (default 50000)
#   BENCH_RUNS     timed runs of pktkit over the whole file, best kept (default 3)
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
CAP=${1:-$BENCH/out/big.pcap}
PREFIX=${SCAPY_PACKETS:-50000}
RUNS=${BENCH_RUNS:-3}
test -f "$CAP" || { echo "no capture $CAP (bench/run.sh builds bench/out/big.pcap)" >&2; exit 1; }
/usr/bin/python3 -c 'import scapy' 2>/dev/null || { echo "Scapy not found for /usr/bin/python3 (apt-get install python3-scapy)" >&2; exit 1; }

mkdir -p "$BENCH/bin"
(cd "$ROOT" && go build -o "$BENCH/bin/pktkit-shell" ./cmd/pktkit)
PK=$BENCH/bin/pktkit-shell
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cat > "$TMP/loop.star" <<'STAR'
limit = int(argv[2]) if len(argv) > 2 else -1
c = 0
n = 0
for p in PcapReader(argv[1]):
    if c == limit:
        break
    c += 1
    if TCP in p:
        n += p[TCP].dport
print(c, n)
STAR

cat > "$TMP/loop.py" <<'PY'
import sys, time
t0 = time.perf_counter()
from scapy.all import PcapReader, TCP
t1 = time.perf_counter()
limit = int(sys.argv[2])
c = 0
n = 0
for p in PcapReader(sys.argv[1]):
    if c == limit:
        break
    c += 1
    if TCP in p:
        n += p[TCP].dport
t2 = time.perf_counter()
print(c, n, "%.3f" % (t2 - t1), "%.3f" % (t1 - t0))
PY

now() { date +%s.%N; }

best=""
for _ in $(seq "$RUNS"); do
  t0=$(now); read -r pk_c pk_n < <("$PK" run "$TMP/loop.star" "$CAP"); t1=$(now)
  s=$(echo "$t1 - $t0" | bc -l)
  if [ -z "$best" ] || [ "$(echo "$s < $best" | bc -l)" = 1 ]; then best=$s; fi
done
read -r pkp_c pkp_n < <("$PK" run "$TMP/loop.star" "$CAP" "$PREFIX")
read -r sc_c sc_n sc_s sc_import < <(/usr/bin/python3 "$TMP/loop.py" "$CAP" "$PREFIX")

pk_us=$(echo "$best / $pk_c * 1000000" | bc -l)
sc_us=$(echo "$sc_s / $sc_c * 1000000" | bc -l)
printf 'capture: %s\n' "$CAP"
printf '%-28s %10s %16s %9s %9s\n' tool packets sum seconds us/packet
printf '%-28s %10d %16d %9.2f %9.3f\n' "pktkit run (whole file)" "$pk_c" "$pk_n" "$best" "$pk_us"
printf '%-28s %10d %16d %9s %9s\n' "pktkit run (prefix)" "$pkp_c" "$pkp_n" - -
printf '%-28s %10d %16d %9.2f %9.3f\n' "Scapy $(/usr/bin/python3 -c 'import scapy; print(scapy.VERSION)') (prefix)" "$sc_c" "$sc_n" "$sc_s" "$sc_us"
printf 'Scapy import time %ss (not counted)\n' "$sc_import"
printf 'ratio (Scapy us/packet over pktkit us/packet, Scapy extrapolated from its prefix): %.0fx\n' "$(echo "$sc_us / $pk_us" | bc -l)"
if [ "$pkp_n" != "$sc_n" ]; then
  echo "note: the sums over the prefix differ: pktkit dissects some encapsulations deeper than Scapy (e.g. ERSPAN, MPLS without a binding, TCP quoted in ICMP errors), finding TCP where Scapy stops at Raw"
fi
