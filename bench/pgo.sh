#!/usr/bin/env bash
# Regenerates cmd/pktkit/default.pgo, the CPU profile the Go compiler uses
# for profile-guided optimisation of the pktkit command (inlining and
# devirtualisation of the hot path). Run it after bench/run.sh has made
# bench/out/big.pcap, and after large changes to the engine.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
OUT=$BENCH/out
BIG=$OUT/big.pcap
[ -f "$BIG" ] || { echo "missing $BIG: run bench/run.sh first" >&2; exit 1; }
[ -f "$OUT/prefix.pcap" ] || editcap -r "$BIG" "$OUT/prefix.pcap" 1-200000
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Build without the current profile so the new one describes plain code.
(cd "$ROOT" && go build -pgo=off -o "$TMP/pktkit" ./cmd/pktkit)
F=(-e frame.number -e ip.src -e ip.dst -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport)
PKTKIT_CPUPROFILE=$TMP/1.prof "$TMP/pktkit" fields "$BIG" -j 1 "${F[@]}" >/dev/null
PKTKIT_CPUPROFILE=$TMP/2.prof "$TMP/pktkit" fields "$BIG" "${F[@]}" >/dev/null
PKTKIT_CPUPROFILE=$TMP/3.prof "$TMP/pktkit" read "$OUT/prefix.pcap" >/dev/null
PKTKIT_CPUPROFILE=$TMP/4.prof "$TMP/pktkit" fields "$OUT/prefix.pcap" -e frame.time_epoch -e eth.src \
	-e ip.ttl -e ipv6.src -e tcp.flags -e tcp.len -e dns.qry.name -e dns.a >/dev/null
PKTKIT_CPUPROFILE=$TMP/5.prof "$TMP/pktkit" fields "$OUT/prefix.pcap" -Y 'tcp.port in {80, 443} or dns' \
	-e frame.number -e ip.src -e tcp.dstport >/dev/null
go tool pprof -proto "$TMP"/*.prof >"$ROOT/cmd/pktkit/default.pgo"
echo "wrote $ROOT/cmd/pktkit/default.pgo"
