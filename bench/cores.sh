#!/usr/bin/env bash
# How much a second core gives pktkit's parallel walks, against what the
# machine itself gives: for each job, interleaved runs of
#   one core:   taskset -c 0 pktkit JOB -j 1
#   two cores:  pktkit JOB -j 2
#   ceiling:    two copies of the one-core run at once, one per core
# and prints per job the median wall times, the speed-up (one core / two
# cores) and the machine's ceiling (2 x one core / both copies): what two
# cores give two independent copies of the same work. Each is given twice:
# from the medians, and as the median of the rounds' own ratios (a round's
# runs follow each other within seconds, so the ratio of a round holds
# when the machine's speed drifts between rounds). A parallel walk
# cannot beat the ceiling; on a virtual machine whose cores slow each other
# down it is below 2.
#
# Output goes to /dev/null, except for convert-to-file, which writes its
# pcapng to /dev/shm like a user would to a file: there the kernel's copy
# of the output into the file, in the one goroutine that writes in packet
# order, is a serial part that a second core does not shorten.
#
# usage: bench/cores.sh [RUNS]     (default 5; needs bench/out/big.pcap, see run.sh)
#        CORES_JOBS="export fields" bench/cores.sh ...   (only those jobs)
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
RUNS=${1:-5}
BIG=$BENCH/out/big.pcap
[ -f "$BIG" ] || { echo "missing $BIG: run bench/run.sh first" >&2; exit 1; }
command -v taskset >/dev/null || { echo "missing: taskset (util-linux)" >&2; exit 1; }
BIN=$(mktemp -d)
# The capture stays locked in memory while the runs go on (see pin.py).
python3 "$BENCH/pin.py" "$BIG" >"$BIN/pin.txt" &
PIN=$!
trap 'kill $PIN 2>/dev/null; rm -rf "$BIN"' EXIT
for _ in $(seq 600); do grep -q pinned "$BIN/pin.txt" 2>/dev/null && break; kill -0 $PIN 2>/dev/null || break; sleep 0.1; done
grep -q pinned "$BIN/pin.txt" || echo "WARNING: could not lock $BIG in memory; timings may include disk reads" >&2
(cd "$ROOT" && go build -o "$BIN/pktkit" ./cmd/pktkit)
P=$BIN/pktkit
OUT=/dev/shm
[ -d "$OUT" ] || OUT=$BIN
F="-e frame.number -e ip.src -e ip.dst -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport"
# (%s: a name per copy, so that two copies do not write one file)
declare -A JOBS=(
	[fields]="fields $BIG $F"
	[export]="export $BIG $F -o $OUT/pktkit-cores-%s.parquet"
	[convert-Y-tcp]="convert $BIG -Y tcp -w -"
	[convert-to-file]="convert $BIG -Y tcp -w $OUT/pktkit-cores-%s.pcapng"
)

secs() { # secs CMD... -> wall seconds
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }

printf "%-16s %8s %8s %9s %9s %9s %9s\n" job "1 core" "2 cores" speed-up "(rounds)" ceiling "(rounds)"
for job in ${CORES_JOBS:-fields export convert-Y-tcp convert-to-file}; do
	one=() two=() pair=() r=() c=()
	for ((i = 0; i < RUNS; i++)); do
		# shellcheck disable=SC2059
		a=$(printf "${JOBS[$job]}" a) b=$(printf "${JOBS[$job]}" b)
		o=$(secs taskset -c 0 "$P" $a -j 1)
		t=$(secs "$P" $a -j 2)
		t0=$(date +%s.%N)
		taskset -c 0 "$P" $a -j 1 >/dev/null &
		copy=$!
		taskset -c 1 "$P" $b -j 1 >/dev/null
		wait $copy
		t1=$(date +%s.%N)
		p=$(echo "$t1 - $t0" | bc -l)
		one+=("$o") two+=("$t") pair+=("$p")
		r+=("$(echo "$o / $t" | bc -l)") c+=("$(echo "2 * $o / $p" | bc -l)")
	done
	o=$(printf "%s\n" "${one[@]}" | median)
	t=$(printf "%s\n" "${two[@]}" | median)
	p=$(printf "%s\n" "${pair[@]}" | median)
	printf "%-16s %8s %8s %8.2fx %8.2fx %8.2fx %8.2fx\n" "$job" "$o" "$t" "$(echo "$o / $t" | bc -l)" \
		"$(printf "%s\n" "${r[@]}" | median)" "$(echo "2 * $o / $p" | bc -l)" "$(printf "%s\n" "${c[@]}" | median)"
done
rm -f "$OUT"/pktkit-cores-*.parquet "$OUT"/pktkit-cores-*.pcapng
