#!/usr/bin/env bash
# Regenerate testdata/conns.pcap and testdata/conns.truth.tsv: TCP
# connections between real programs in two private network namespaces, each
# scenario on its own server port and its own fixed client port, and the
# ground truth of what each one did, written by this script from the
# servers' and clients' own logs and the firewall's counters (never from
# pktkit).
#
#   pkc-client (veth pkc-cli, 10.99.1.1/24)  <-- veth -->  pkc-server (veth pkc-srv, 10.99.1.2/24)
#
# The capture is tcpdump on pkc-srv inside pkc-server (the server's side of
# the wire): what the server sends is seen before the client's firewall can
# drop it, so packets dropped "on the wire" appear in the capture followed by
# their retransmissions.
#
# Scenarios (client port -> server port):
#   http      40001 -> 8001  curl downloads 24 KiB; FIN both ways        SF
#   reset     40002 -> 8002  server sends 1000 body bytes, then RST      RSTR
#   slow      40003 -> 8003  server answers after 300 ms, stalls 500 ms  SF
#   closed    40004 -> 8004  nothing listens: SYN, RST-ACK                REJ
#   syndrop   40005 -> 8005  server firewall drops SYNs (curl gives up)  S0
#   loss      40006 -> 8006  160 KiB download, the client's firewall
#                            drops ~5% of the data segments (iptables
#                            statistic match, random, p=0.05)            SF
#   abort     40007 -> 8007  client reads a banner, resets (SO_LINGER 0) RSTO
#   halfclose 40008 -> 8008  client shuts down writing first, the server
#                            then sends 6000 bytes                       SF
#   ratelimit 40009 -> 8009  48 KiB download through tbf (2 Mbit/s)     SF
#
# Needs root, iproute2 (ip, tc), iptables, tcpdump, curl, python3, ethtool
# (optional). The kernel needs veth, xt_statistic (with Debian's iptables,
# which is iptables-nft, also nft_compat) and sch_tbf; no netem: delays are
# made by the servers themselves. Idempotent; everything is torn down on
# exit, even on failure or interruption. Takes 8 to 25 seconds.
#
# usage: testdata/gen/conns.sh [OUTDIR]   (default: testdata/)
set -euo pipefail

GEN=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$(dirname "$GEN")}
OUT=$(cd "$OUT" && pwd)
CLI=pkc-client SRV=pkc-server
CLI_IF=pkc-cli SRV_IF=pkc-srv
C=10.99.1.1 S=10.99.1.2
MACC=02:00:00:99:01:01 MACS=02:00:00:99:01:02
LOSS_P=0.05
TBF_RATE=2000000 TBF_BURST=16384 # bits/s, bytes
TAB=$'\t'

for t in ip tc iptables tcpdump curl python3 md5sum; do
	command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "must run as root (network namespaces)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/pk-conns.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]:-}"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]:-}"; do
		[ -n "$p" ] && wait "$p" 2>/dev/null || true
	done
	# Anything else still running inside our two namespaces (a client
	# interrupted mid-scenario): a namespace lives on while a process is in it.
	for p in $(ip netns pids "$CLI" 2>/dev/null) $(ip netns pids "$SRV" 2>/dev/null); do
		kill "$p" 2>/dev/null || true
	done
	ip netns del "$CLI" 2>/dev/null || true
	ip netns del "$SRV" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

inc() { ip netns exec "$CLI" "$@"; }
ins() { ip netns exec "$SRV" "$@"; }
step() { echo "== $(date +%T.%N | cut -c1-12) $*"; }
die() { echo "conns.sh: $*" >&2; exit 1; }

# Wait (up to ~10 s) until FILE has a line matching the extended regexp.
wait_for() {
	local file=$1 pat=$2 i
	for i in $(seq 100); do
		grep -Eq "$pat" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "timed out waiting for '$pat' in $file:" >&2
	cat "$file" >&2 || true
	exit 1
}

# Packets dropped so far by the rule commented NAME in namespace NS.
drops() {
	ip netns exec "$1" iptables -L INPUT -v -x -n | awk -v c="/* $2 */" 'index($0, c) { print $1 }'
}

# --- namespaces and link ---------------------------------------------------
ip netns del "$CLI" 2>/dev/null || true
ip netns del "$SRV" 2>/dev/null || true
ip netns add "$CLI"
ip netns add "$SRV"
ip link add "$CLI_IF" netns "$CLI" address "$MACC" type veth peer name "$SRV_IF" netns "$SRV" address "$MACS"
for ns in "$CLI" "$SRV"; do
	ip netns exec "$ns" ip link set lo up
	# IPv4 only: no IPv6 link-local, DAD, MLD or router solicitation noise.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
# Wire-sized frames (no GSO/TSO super-packets), as in capture-netns.sh.
if command -v ethtool >/dev/null; then
	inc ethtool -K "$CLI_IF" tso off gso off gro off >/dev/null 2>&1 || true
	ins ethtool -K "$SRV_IF" tso off gso off gro off >/dev/null 2>&1 || true
else
	echo "warning: ethtool missing; large TCP segments may appear as GSO frames > MTU" >&2
fi
inc ip addr add "$C/24" dev "$CLI_IF"
ins ip addr add "$S/24" dev "$SRV_IF"
inc ip link set "$CLI_IF" up
ins ip link set "$SRV_IF" up
# Resolve ARP once, before the capture starts (ARP is not the subject).
inc ping -c 1 -W 2 "$S" >/dev/null

# --- servers and capture ---------------------------------------------------
# Background jobs are started with "ip netns exec" itself, not through the
# ins function (a subshell), so that $! is the program's pid ("ip netns
# exec" execs it) and cleanup can stop it.
ip netns exec "$SRV" python3 -u "$GEN/conn_scenarios.py" serve --bind "$S" >"$WORK/server.log" 2>"$WORK/server.err" &
PIDS+=($!)
wait_for "$WORK/server.err" "ready"
# --immediate-mode: without it libpcap hands packets over a ring block at a
# time (up to 1 s late), and the last block is lost when tcpdump is stopped.
ip netns exec "$SRV" tcpdump -i "$SRV_IF" -s 0 -n -U --immediate-mode -Z root -w "$WORK/conns.pcap" tcp 2>"$WORK/tcpdump.err" &
TCPDUMP=$!
PIDS+=("$TCPDUMP")
wait_for "$WORK/tcpdump.err" "listening on"
sleep 0.3

TRUTH=$WORK/truth.tsv
{
	echo "# Ground truth for conns.pcap, written by testdata/gen/conns.sh from what its servers and"
	echo "# clients did (their logs, curl, iptables counters); see testdata/README."
	echo "# conn_state: Zeek's meaning. history_has: Zeek history letters that must appear;"
	echo "# history_not: letters that must not; first_fin: the side that sent the first FIN. Bytes are application payload each way."
	echo "# resp_delay_ms: server's wait between request and first response byte; stall_ms: its pause"
	echo "# mid-response (server's monotonic clock); 'pktkit tcp --slow' must report them as the time"
	echo "# to first response byte and the longest stall."
	printf 'scenario\torig\tresp\tconn_state\treset_by\tfirst_fin\thistory_has\thistory_not\thandshake\torig_bytes\tresp_bytes\torig_md5\tresp_md5\tbody_md5\tdropped\tresp_delay_ms\tstall_ms\tmin_duration_ms\n'
} >"$TRUTH"

# row SCENARIO CPORT SPORT STATE RESET_BY FIRST_FIN HAS NOT HANDSHAKE DROPPED MIN_DUR_MS
# Takes bytes, md5s and delays from the server's log line for the client port.
row() {
	local name=$1 cport=$2 sport=$3 state=$4 rby=$5 ffin=$6 has=$7 not=$8 hs=$9 dropped=${10} mindur=${11}
	local line ob=0 rb=0 omd5=- rmd5=- bmd5=- delay=- stall=-
	line=$(awk -F'\t' -v p="$S" -v peer="$C:$cport" '$2 == peer' "$WORK/server.log" | tail -1)
	if [ -n "$line" ]; then
		IFS=$'\t' read -r _ _ ob rb omd5 rmd5 bmd5 delay stall _ <<<"$line"
	fi
	printf '%s\t%s:%s\t%s:%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$name" "$C" "$cport" "$S" "$sport" "$state" "$rby" "$ffin" "$has" "$not" "$hs" \
		"$ob" "$rb" "$omd5" "$rmd5" "$bmd5" "$dropped" "$delay" "$stall" "$mindur" >>"$TRUTH"
}

# served PORT CPORT: wait for the server's log line of that connection.
served() { wait_for "$WORK/server.log" "^$1$TAB$C:$2$TAB"; }

# curl_get CPORT SPORT [curl options]: GET /file into $WORK/body.CPORT.
curl_get() {
	local cport=$1 sport=$2
	shift 2
	inc curl -sS --local-port "$cport" -o "$WORK/body.$cport" -w "%{http_code} port $sport\n" "$@" "http://$S:$sport/file"
}

# The body curl received must be the one the server says it served.
check_body() {
	local cport=$1 want
	want=$(awk -F'\t' -v peer="$C:$cport" '$2 == peer { print $7 }' "$WORK/server.log" | tail -1)
	[ "$(md5sum <"$WORK/body.$cport" | cut -d' ' -f1)" = "$want" ] || die "client $cport: body differs from what the server sent"
}

step "http: normal download"
curl_get 40001 8001
served 8001 40001
check_body 40001
row http 40001 8001 SF - resp ShADdFf rRt 1 0 -

step "reset: server aborts after 1000 body bytes (SO_LINGER 0)"
curl_get 40002 8002 || true # curl: connection reset (56)
served 8002 40002
row reset 40002 8002 RSTR resp - ShADdr R 1 0 -

step "slow: 300 ms to answer, 500 ms stall"
curl_get 40003 8003
served 8003 40003
check_body 40003
row slow 40003 8003 SF - resp ShADdFf rR 1 0 800

step "closed: nothing listens on 8004"
curl_get 40004 8004 --max-time 2 || true # curl: connection refused (7)
sleep 0.2
row closed 40004 8004 REJ resp - Sr hDd 0 0 -

step "syndrop: the server's firewall drops SYNs to 8005"
ins iptables -A INPUT -p tcp --dport 8005 -m comment --comment syndrop -j DROP
curl_get 40005 8005 --connect-timeout 3.5 || true # curl: timeout (28)
n=$(drops "$SRV" syndrop)
[ "$n" -ge 2 ] || die "syndrop: only $n SYNs dropped"
row syndrop 40005 8005 S0 - - S hHdDrRfF 0 "$n" -

step "loss: the client's firewall drops ~5% of the data segments from 8006"
# Only segments without SYN, FIN or RST, so the handshake and the close stay
# clean and the state is SF; dropped in the client, after the capture point.
# A run where the random match never fires (p ~ 0.3%) tries again on the
# next client port; the truth holds the connection that lost packets.
inc iptables -A INPUT -p tcp --sport 8006 --tcp-flags SYN,FIN,RST NONE \
	-m statistic --mode random --probability "$LOSS_P" -m comment --comment loss -j DROP
for cport in 40006 40016 40026; do
	before=$(drops "$CLI" loss)
	curl_get "$cport" 8006 --max-time 30
	served 8006 "$cport"
	check_body "$cport"
	n=$(($(drops "$CLI" loss) - before))
	[ "$n" -gt 0 ] && break
done
[ "$n" -gt 0 ] || die "loss: no segment dropped in three tries"
inc iptables -D INPUT -p tcp --sport 8006 --tcp-flags SYN,FIN,RST NONE \
	-m statistic --mode random --probability "$LOSS_P" -m comment --comment loss -j DROP
row loss "$cport" 8006 SF - resp ShADdFft rR 1 "$n" -

step "abort: the client resets after the banner"
inc python3 "$GEN/conn_scenarios.py" client abort "$S" 8007 --local-port 40007
served 8007 40007
grep -Eq "^8007$TAB$C:40007$TAB.*${TAB}peer-rst\$" "$WORK/server.log" || die "abort: the server did not see a reset"
row abort 40007 8007 RSTO orig - ShADdR r 1 0 -

step "halfclose: the client shuts down writing, the server keeps sending"
inc python3 "$GEN/conn_scenarios.py" client halfclose "$S" 8008 --local-port 40008
served 8008 40008
row halfclose 40008 8008 SF - orig ShADFdf rR 1 0 -

step "ratelimit: tbf on the server's link"
# A download cannot end sooner than its bytes beyond the bucket take at the rate.
ins tc qdisc add dev "$SRV_IF" root tbf rate "${TBF_RATE}bit" burst "$TBF_BURST" limit 262144
curl_get 40009 8009
served 8009 40009
check_body 40009
ins tc qdisc del dev "$SRV_IF" root
rb=$(awk -F'\t' -v peer="$C:40009" '$2 == peer { print $4 }' "$WORK/server.log")
row ratelimit 40009 8009 SF - resp ShADdFf rR 1 0 $(((rb - TBF_BURST) * 8 * 1000 / TBF_RATE))

sleep 1
# SIGTERM: tcpdump flushes and closes its file (background jobs ignore SIGINT).
kill -TERM "$TCPDUMP"
wait "$TCPDUMP" || true
cat "$WORK/tcpdump.err"
cp "$WORK/conns.pcap" "$OUT/conns.pcap"
cp "$TRUTH" "$OUT/conns.truth.tsv"
chmod 0644 "$OUT/conns.pcap" "$OUT/conns.truth.tsv"
echo "server log:"
cat "$WORK/server.log"
echo "wrote $OUT/conns.pcap ($(stat -c %s "$OUT/conns.pcap") bytes) and $OUT/conns.truth.tsv"
