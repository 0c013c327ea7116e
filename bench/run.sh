#!/usr/bin/env bash
# pktkit field-extraction benchmark against gopacket and tshark.
#
# Times, on one large Ethernet capture built from the shared corpus, the job
#   pktkit fields BIG -e frame.number -e ip.src -e ip.dst \
#       -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport
# done by pktkit, by gopacket (bench/gopacket-fields, modes newpacket and
# dlp) and by tshark (on a prefix, scaled), all writing to /dev/null, and
# prints a table of seconds, packets/s, peak RSS and the ratio of each
# peer's time to pktkit's. See bench/README.md.
#
# usage: bench/run.sh [--rebuild]
#   --rebuild          remake bench/out/big.pcap even if it is up to date
# environment:
#   PKTKIT_CORPUS      corpus folder (default: ../shared/corpus from the repo root)
#   BENCH_PACKETS      minimum packets in the big file (default 2000000)
#   TSHARK_PACKETS     packets in tshark's prefix (default 200000)
#   BENCH_RUNS         timed rounds (default 5): each round runs every tool once
#   TSHARK_RUNS        rounds that include tshark (default 3; it takes ~12 s a run)
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
CORPUS=${PKTKIT_CORPUS:-$ROOT/../shared/corpus}
TARGET=${BENCH_PACKETS:-2000000}
TSHARK_PACKETS=${TSHARK_PACKETS:-200000}
RUNS=${BENCH_RUNS:-5}
TSHARK_RUNS=${TSHARK_RUNS:-3}
OUT=$BENCH/out
BIN=$BENCH/bin
REBUILD=0
[ "${1:-}" = --rebuild ] && REBUILD=1
mkdir -p "$OUT" "$BIN"

FIELDS=(frame.number ip.src ip.dst tcp.srcport tcp.dstport udp.srcport udp.dstport)
EARGS=""
for f in "${FIELDS[@]}"; do EARGS+=" -e $f"; done

need() { command -v "$1" >/dev/null || { echo "missing: $1 ($2)" >&2; exit 1; }; }
need go "Go toolchain"
need mergecap "apt-get install -y wireshark-common"
need editcap "apt-get install -y wireshark-common"
need capinfos "apt-get install -y wireshark-common"
need tshark "apt-get install -y tshark"
[ -x /usr/bin/time ] || { echo "missing: /usr/bin/time (apt-get install -y time)" >&2; exit 1; }

# --- 1. build ---------------------------------------------------------------
echo "== build"
PKTKIT=""
if (cd "$ROOT" && go build -o "$BIN/pktkit" ./cmd/pktkit) 2>"$OUT/pktkit-build.log"; then
	PKTKIT=$BIN/pktkit
	echo "pktkit: built $(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo '')"
else
	rm -f "$BIN/pktkit"
	echo "pktkit: not built (see $OUT/pktkit-build.log)"
fi
(cd "$BENCH" && go build -o "$BIN/gopacket-fields" ./gopacket-fields)
GPV=$(cd "$BENCH" && go list -m -f '{{.Path}} {{.Version}}' github.com/gopacket/gopacket)
echo "gopacket-fields: built with $GPV"

# --- 2. the big capture ---------------------------------------------------
BIG=$OUT/big.pcap
MERGED=$OUT/merged.pcap
[ -f "$CORPUS/INDEX.tsv" ] || { echo "no corpus index at $CORPUS/INDEX.tsv (set PKTKIT_CORPUS)" >&2; exit 1; }
CORPUS=$(cd "$CORPUS" && pwd)
STAMP="$(sha256sum <"$CORPUS/INDEX.tsv" | cut -c1-16) target=$TARGET gopacket=$GPV"
if [ $REBUILD = 0 ] && [ -f "$BIG" ] && [ -f "$MERGED" ] && [ "$(cat "$OUT/big.stamp" 2>/dev/null)" = "$STAMP" ]; then
	echo "== big capture: up to date ($BIG)"
else
	echo "== big capture: merging Ethernet pcap-le captures from $CORPUS"
	rm -f "$BIG" "$MERGED" "$OUT/big.stamp"
	# Rows with format pcap-le and link types exactly "1" (Ethernet).
	awk -F'\t' 'NR > 1 && $4 == "pcap-le" && $5 == "1" { print $1 }' "$CORPUS/INDEX.tsv" >"$OUT/candidates.txt"
	# Keep the files every tool reads to the end: some corpus captures are
	# malformed on purpose (bad version, caplen > origlen) and mergecap or
	# gopacket's pcapgo stops on them.
	: >"$OUT/inputs.txt"
	: >"$OUT/excluded.txt"
	while IFS= read -r f; do
		if capinfos -c "$CORPUS/$f" >/dev/null 2>&1 &&
			"$BIN/gopacket-fields" -mode dlp "$CORPUS/$f" >/dev/null 2>&1; then
			echo "$CORPUS/$f" >>"$OUT/inputs.txt"
		else
			echo "$f" >>"$OUT/excluded.txt"
		fi
	done <"$OUT/candidates.txt"
	echo "candidates $(wc -l <"$OUT/candidates.txt"), kept $(wc -l <"$OUT/inputs.txt"), excluded $(wc -l <"$OUT/excluded.txt") (listed in out/excluded.txt)"
	mapfile -t INPUTS <"$OUT/inputs.txt"
	mergecap -a -F pcap -w "$MERGED" "${INPUTS[@]}"
	MN=$(capinfos -c -M "$MERGED" | awk -F': *' '/Number of packets/ { print $2 }')
	COPIES=$(((TARGET + MN - 1) / MN))
	echo "merged: $MN packets; concatenating $COPIES copies"
	COPYARGS=()
	for _ in $(seq "$COPIES"); do COPYARGS+=("$MERGED"); done
	mergecap -a -F pcap -w "$BIG" "${COPYARGS[@]}"
	echo "$STAMP" >"$OUT/big.stamp"
fi
N=$(capinfos -c -M "$BIG" | awk -F': *' '/Number of packets/ { print $2 }')
SIZE=$(stat -c %s "$BIG")
echo "big capture: $BIG: $N packets, $SIZE bytes ($(awk -v s="$SIZE" 'BEGIN { printf "%.0f", s / 1048576 }') MiB)"

PREFIX=$OUT/prefix.pcap
if [ ! -f "$PREFIX" ] || [ "$PREFIX" -ot "$BIG" ] || [ "$(cat "$OUT/prefix.n" 2>/dev/null)" != "$TSHARK_PACKETS" ]; then
	editcap -F pcap -r "$BIG" "$PREFIX" "1-$TSHARK_PACKETS"
	echo "$TSHARK_PACKETS" >"$OUT/prefix.n"
fi
PN=$(capinfos -c -M "$PREFIX" | awk -F': *' '/Number of packets/ { print $2 }')

# --- 3. timings -----------------------------------------------------------
# name|packets in its input|command (writes to stdout, redirected to /dev/null)
TOOLS=()
[ -n "$PKTKIT" ] && TOOLS+=("pktkit fields|$N|$PKTKIT fields $BIG$EARGS")
TOOLS+=("gopacket newpacket|$N|$BIN/gopacket-fields -mode newpacket $BIG")
TOOLS+=("gopacket dlp|$N|$BIN/gopacket-fields -mode dlp $BIG")
TOOLS+=("tshark (prefix)|$PN|tshark -n -r $PREFIX -T fields$EARGS")

echo "== timing: $RUNS interleaved round(s) (tshark in the first $TSHARK_RUNS); peak RSS from /usr/bin/time"
# All tools read from memory: the capture is read into the page cache and
# locked there while the benchmark runs (bench/pin.py: this machine's
# DAMON reclaims pages read once per run, in the middle of a series).
python3 "$BENCH/pin.py" "$BIG" "$PREFIX" >"$OUT/pin.txt" &
PIN=$!
trap 'kill $PIN 2>/dev/null' EXIT
for _ in $(seq 600); do grep -q pinned "$OUT/pin.txt" 2>/dev/null && break; kill -0 $PIN 2>/dev/null || break; sleep 0.1; done
grep -q pinned "$OUT/pin.txt" || echo "WARNING: could not lock the capture in memory; timings may include disk reads"
RESULTS=$OUT/results.tsv
: >"$RESULTS"
SLUGS=()
for t in "${TOOLS[@]}"; do
	IFS='|' read -r name pk cmd <<<"$t"
	slug=$(echo "$name" | tr -c 'a-z0-9\n' '-')
	SLUGS+=("$slug")
	# One untimed run for peak RSS, which also counts output rows to make
	# sure the tool read every packet.
	/usr/bin/time -f '%e %M %U %S' -o "$OUT/time-$slug.txt" bash -c "$cmd | wc -l >$OUT/rows-$slug.txt" 2>"$OUT/err-$slug.txt" || true
	rows=$(tr -d ' ' <"$OUT/rows-$slug.txt")
	[ "$rows" = "$pk" ] || echo "WARNING: $name printed $rows rows for $pk packets (stderr: $(head -c 300 "$OUT/err-$slug.txt"))"
	: >"$OUT/runs-$slug.txt"
done
# The timed runs go round the tools, one run each per round, so that the
# machine's changes of speed while the benchmark runs (a shared virtual
# machine's neighbours) fall on every tool alike: each tool's figure is the
# median of its runs, and the ratios are also taken round by round.
for r in $(seq "$RUNS"); do
	for i in "${!TOOLS[@]}"; do
		IFS='|' read -r name pk cmd <<<"${TOOLS[$i]}"
		slug=${SLUGS[$i]}
		[ "$name" = "tshark (prefix)" ] && [ "$r" -gt "$TSHARK_RUNS" ] && continue
		/usr/bin/time -f '%e %U %S' -o "$OUT/time1.txt" bash -c "exec $cmd >/dev/null" 2>/dev/null || true
		read -r e u s <"$OUT/time1.txt"
		echo "$r $e $(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')" >>"$OUT/runs-$slug.txt"
	done
	echo "  round $r of $RUNS done"
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
PK=${SLUGS[0]}
for i in "${!TOOLS[@]}"; do
	IFS='|' read -r name pk cmd <<<"${TOOLS[$i]}"
	slug=${SLUGS[$i]}
	read -r _ rss _ _ <"$OUT/time-$slug.txt"
	secs=$(awk '{ print $2 }' "$OUT/runs-$slug.txt" | median)
	cpu=$(awk '{ print $3 }' "$OUT/runs-$slug.txt" | median)
	# per round: this tool's time over pktkit's in the same round
	rr=$(awk 'NR == FNR { t[$1] = $2; next } ($1 in t) && t[$1] > 0 { print $2 / t[$1] }' "$OUT/runs-$PK.txt" "$OUT/runs-$slug.txt" | median)
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$pk" "$secs" "$rss" "$cpu" "$rr" >>"$RESULTS"
	printf '  %-20s %8.3f s wall %8.3f s cpu  (%s packets; medians of %s runs)\n' "$name" "$secs" "$cpu" "$pk" "$(wc -l <"$OUT/runs-$slug.txt")"
done

# --- 4. table -------------------------------------------------------------
echo
echo "== results: $N packets, $(awk -v s="$SIZE" 'BEGIN { printf "%.0f", s / 1048576 }') MiB ($BIG)"
awk -F'\t' -v N="$N" '
	{ name[NR] = $1; pk[NR] = $2; secs[NR] = $3; rss[NR] = $4; cpu[NR] = $5; rr[NR] = $6
	  if ($1 == "pktkit fields") { base = $3 * N / $2; cbase = $5 * N / $2 } }
	END {
		printf "%-22s %9s %12s %13s %12s %11s %9s %10s\n", "tool", "seconds", "packets/s", "peak RSS MiB", "time/pktkit", "per round", "CPU s", "cpu/pktkit"
		for (i = 1; i <= NR; i++) {
			full = secs[i] * N / pk[i]  # tshark: scaled from its prefix
			fcpu = cpu[i] * N / pk[i]
			pps = secs[i] > 0 ? pk[i] / secs[i] : 0
			ratio = base > 0 ? sprintf("%.2fx", full / base) : "n/a"
			rround = sprintf("%.2fx", rr[i] * N / pk[i])
			cratio = cbase > 0 ? sprintf("%.2fx", fcpu / cbase) : "n/a"
			label = name[i]; if (pk[i] != N) label = label "*"
			printf "%-22s %9.2f %12.0f %13.1f %12s %11s %9.2f %10s\n", label, full, pps, rss[i] / 1024, ratio, rround, fcpu, cratio
		}
	}' "$RESULTS"
echo "seconds: wall time, CPU s: user+system, both medians of the tool's runs; time/pktkit: ratio of the"
echo "medians; per round: median of the rounds' ratios (each tool against pktkit in the same round)."
if awk -F'\t' -v N="$N" '$2 != N { found = 1 } END { exit !found }' "$RESULTS"; then
	echo "* tshark ran on the first $PN packets ($PREFIX, made with editcap -r); its seconds are"
	echo "  scaled to $N packets by its packets/s, and its peak RSS is the prefix's (tshark keeps"
	echo "  per-packet state, so on the whole file it would be larger)."
fi
[ -n "$PKTKIT" ] || echo "pktkit: not built, so no ratios"
