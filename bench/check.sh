#!/usr/bin/env bash
# Sanity check for the benchmark's peers: do they do the job right?
#
# For each capture given (default: testdata/sample.pcap, plus
# bench/out/merged.pcap when run.sh has made it), take the first N packets
# (CHECK_PACKETS, default 1000) with editcap and compare, cell by cell,
#   tshark -T fields (the oracle options of shared/corpus/README.md)
# with gopacket-fields -mode newpacket, gopacket-fields -mode dlp and, when
# it is built, pktkit fields. Differences are reported per column with
# examples; they are expected where gopacket decodes less than tshark (ICMP
# errors' quoted headers, first IP fragments, IPv6 extension headers in dlp
# mode, malformed packets): see bench/README.md.
#
# usage: bench/check.sh [CAPTURE ...]
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
N=${CHECK_PACKETS:-1000}
BIN=$BENCH/bin
OUT=$BENCH/out/check
mkdir -p "$BIN" "$OUT"

FIELDS=(frame.number ip.src ip.dst tcp.srcport tcp.dstport udp.srcport udp.dstport)
EARGS=()
for f in "${FIELDS[@]}"; do EARGS+=(-e "$f"); done
NAMES=$(IFS=,; echo "${FIELDS[*]}")

(cd "$BENCH" && go build -o "$BIN/gopacket-fields" ./gopacket-fields && go build -o "$BIN/tsvdiff" ./tsvdiff)
PKTKIT=""
if (cd "$ROOT" && go build -o "$BIN/pktkit" ./cmd/pktkit) 2>/dev/null; then
	PKTKIT=$BIN/pktkit
else
	rm -f "$BIN/pktkit"
	echo "pktkit: not built (skipping its comparison)"
fi

if [ $# -eq 0 ]; then
	set -- "$ROOT/testdata/sample.pcap"
	[ -f "$BENCH/out/merged.pcap" ] && set -- "$@" "$BENCH/out/merged.pcap"
fi

for cap in "$@"; do
	name=$(basename "$cap")
	prefix=$OUT/$name.first$N
	editcap -r "$cap" "$prefix" "1-$N"
	TZ=UTC tshark -n -r "$prefix" -o tcp.desegment_tcp_streams:FALSE -o ip.defragment:FALSE \
		-o ipv6.defragment:FALSE -T fields -E occurrence=a -E aggregator=, "${EARGS[@]}" \
		>"$OUT/$name.tshark.tsv" 2>/dev/null
	echo "== $cap: first $(wc -l <"$OUT/$name.tshark.tsv") packets, tshark vs each tool"
	peers=(newpacket dlp)
	[ -n "$PKTKIT" ] && peers+=(pktkit)
	for p in "${peers[@]}"; do
		if [ "$p" = pktkit ]; then
			"$PKTKIT" fields "$prefix" "${EARGS[@]}" >"$OUT/$name.$p.tsv" || true
		else
			"$BIN/gopacket-fields" -mode "$p" "$prefix" >"$OUT/$name.$p.tsv" || true
		fi
		echo "-- $p"
		"$BIN/tsvdiff" -names "$NAMES" -la tshark -lb "$p" "$OUT/$name.tshark.tsv" "$OUT/$name.$p.tsv" || true
	done
done
echo "outputs kept in $OUT"
exit 0
