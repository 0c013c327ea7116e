#!/usr/bin/env bash
# Regenerate testdata/sample.pcap and testdata/sample.pcapng from real traffic
# between real programs in two private network namespaces.
#
#   pk-client (veth pk-cli, 10.99.0.1/24, fd00:99::1/64)
#        <-- veth pair -->
#   pk-server (veth pk-srv, 10.99.0.2/24, fd00:99::2/64)
#
# Both captures are taken at the same time on pk-srv inside pk-server:
#   tcpdump -i pk-srv -s 0 -w sample.pcap        (libpcap format)
#   dumpcap -i pk-srv -s 0 -w sample.pcapng      (pcapng, dumpcap's default)
# so they hold the same traffic (dumpcap and tcpdump each open their own
# socket; the packet lists normally match one for one).
#
# Traffic: ARP + IPv6 ND/DAD/MLD (natural), ICMP and ICMPv6 echo, ICMP and
# ICMPv6 port unreachable (UDP to a closed port), HTTP over IPv4 and IPv6
# (python3 -m http.server + curl), a refused TCP connection (RST), DNS over
# UDP (v4 and v6) and TCP (gen/dns_responder.py + dig), NTP (gen/ntp_responder.py).
#
# Needs root, iproute2, ethtool (optional), tcpdump, dumpcap (wireshark-common), curl, dig
# (bind9-dnsutils), ping (iputils-ping), python3. Traffic never leaves the
# two namespaces. Idempotent: stale namespaces from a previous run are
# removed first, and everything is torn down on exit.
#
# usage: testdata/gen/capture-netns.sh [OUTDIR]   (default: testdata/)
set -euo pipefail

GEN=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$(dirname "$GEN")}
OUT=$(cd "$OUT" && pwd)
CLI=pk-client SRV=pk-server
CLI_IF=pk-cli SRV_IF=pk-srv
V4C=10.99.0.1 V4S=10.99.0.2
V6C=fd00:99::1 V6S=fd00:99::2
# Fixed, locally administered MACs so regenerated files differ less.
MACC=02:00:00:99:00:01 MACS=02:00:00:99:00:02

for t in ip tcpdump dumpcap curl dig ping python3; do
	command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "must run as root (network namespaces)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/pk-capture.XXXXXX)
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]:-}"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]:-}"; do
		[ -n "$p" ] && wait "$p" 2>/dev/null || true
	done
	ip netns del "$CLI" 2>/dev/null || true
	ip netns del "$SRV" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

inc() { ip netns exec "$CLI" "$@"; }
ins() { ip netns exec "$SRV" "$@"; }
step() { echo "== $*"; }

# Wait (up to ~10 s) until FILE contains PATTERN.
wait_for() {
	local file=$1 pat=$2 i
	for i in $(seq 100); do
		grep -q "$pat" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "timed out waiting for '$pat' in $file:" >&2
	cat "$file" >&2 || true
	exit 1
}

# --- namespaces and link ---------------------------------------------------
ip netns del "$CLI" 2>/dev/null || true
ip netns del "$SRV" 2>/dev/null || true
ip netns add "$CLI"
ip netns add "$SRV"
ip link add "$CLI_IF" netns "$CLI" address "$MACC" type veth peer name "$SRV_IF" netns "$SRV" address "$MACS"
for ns in "$CLI" "$SRV"; do
	ip netns exec "$ns" ip link set lo up
	# No router solicitations; keep the link-local ND but nothing else chatty.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0
done
inc sysctl -qw net.ipv6.conf.$CLI_IF.router_solicitations=0
ins sysctl -qw net.ipv6.conf.$SRV_IF.router_solicitations=0
# Segmentation/receive offloads off, so the capture holds wire-sized frames
# (<= 1514 bytes) instead of veth's 64 KiB GSO super-packets.
if command -v ethtool >/dev/null; then
	inc ethtool -K "$CLI_IF" tso off gso off gro off >/dev/null 2>&1 || true
	ins ethtool -K "$SRV_IF" tso off gso off gro off >/dev/null 2>&1 || true
else
	echo "warning: ethtool missing; large TCP segments may appear as GSO frames > MTU" >&2
fi
inc ip link set "$CLI_IF" up
ins ip link set "$SRV_IF" up

# --- captures (started before any address exists, so DAD/ND/ARP are seen) ---
rm -f "$OUT/sample.pcap" "$OUT/sample.pcapng"
# Started with "ip netns exec" directly (no function/subshell) so that $! is
# the pid of tcpdump/dumpcap itself ("ip netns exec" execs its command).
ip netns exec "$SRV" tcpdump -i "$SRV_IF" -s 0 -n -U -Z root -w "$WORK/sample.pcap" 2>"$WORK/tcpdump.err" &
TCPDUMP=$!
PIDS+=("$TCPDUMP")
ip netns exec "$SRV" dumpcap -i "$SRV_IF" -s 0 -w "$WORK/sample.pcapng" 2>"$WORK/dumpcap.err" &
DUMPCAP=$!
PIDS+=("$DUMPCAP")
wait_for "$WORK/tcpdump.err" "listening on"
wait_for "$WORK/dumpcap.err" "Capturing on"
sleep 0.5

step "addresses (IPv6 DAD is captured)"
inc ip addr add "$V4C/24" dev "$CLI_IF"
ins ip addr add "$V4S/24" dev "$SRV_IF"
inc ip -6 addr add "$V6C/64" dev "$CLI_IF"
ins ip -6 addr add "$V6S/64" dev "$SRV_IF"
for i in $(seq 50); do # wait for DAD to finish
	if [ -z "$(inc ip -6 addr show tentative)" ] && [ -z "$(ins ip -6 addr show tentative)" ]; then break; fi
	sleep 0.1
done

# --- servers in pk-server ----------------------------------------------------
mkdir -p "$WORK/www"
cat >"$WORK/www/hello.txt" <<'EOF'
Hello from pktkit's sample capture.
This file was served by python3 -m http.server inside a network namespace.
EOF
cat >"$WORK/www/data.json" <<'EOF'
{"tool": "pktkit", "sample": true, "layers": ["eth", "ip", "ipv6", "tcp", "udp", "http", "dns"]}
EOF
# ~4 KB, so the response spans several MSS-sized TCP segments.
for i in $(seq 64); do printf 'line %02d: the quick brown fox jumps over the lazy dog\n' "$i"; done >"$WORK/www/fox.txt"
cat >"$WORK/www/index.html" <<'EOF'
<!doctype html>
<html><head><title>pktkit sample</title></head>
<body><p>pktkit sample capture: <a href="hello.txt">hello.txt</a>, <a href="data.json">data.json</a></p></body></html>
EOF
ip netns exec "$SRV" python3 -u -m http.server 80 --bind :: --directory "$WORK/www" >"$WORK/http.log" 2>&1 &
PIDS+=($!)
ip netns exec "$SRV" python3 -u "$GEN/dns_responder.py" --bind :: --port 53 >"$WORK/dns.log" 2>&1 &
PIDS+=($!)
ip netns exec "$SRV" python3 -u "$GEN/ntp_responder.py" serve --bind :: --port 123 >"$WORK/ntp.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/http.log" "Serving HTTP"
wait_for "$WORK/dns.log" "ready"
wait_for "$WORK/ntp.log" "ready"

# --- traffic from pk-client ------------------------------------------------
step "ICMP echo (ARP first)"
inc ping -n -c 3 -i 0.2 "$V4S"
step "ICMPv6 echo (neighbour solicitation first)"
inc ping -6 -n -c 3 -i 0.2 "$V6S"

step "UDP to a closed port -> ICMP / ICMPv6 port unreachable"
inc bash -c "echo 'anyone there?' >/dev/udp/$V4S/9999" || true
sleep 0.2
inc bash -c "echo 'anyone there?' >/dev/udp/$V6S/9999" || true
sleep 0.2

step "HTTP over IPv4 and IPv6"
inc curl -sS -o /dev/null -w '%{http_code} %{url_effective}\n' "http://$V4S/hello.txt"
inc curl -sS -o /dev/null -w '%{http_code} %{url_effective}\n' "http://$V4S/data.json"
inc curl -sS -o /dev/null -w '%{http_code} %{url_effective}\n' "http://[$V6S]/"
inc curl -sS -o /dev/null -w '%{http_code} %{url_effective}\n' "http://[$V6S]/missing.txt"
inc curl -sS -o /dev/null -w '%{http_code} %{url_effective}\n' "http://[$V6S]/fox.txt"

step "TCP connection refused (RST)"
inc curl -sS -o /dev/null --max-time 2 "http://$V4S:8081/" 2>&1 || true

step "DNS over UDP (IPv4 and IPv6) and TCP"
DIG=(dig +tries=1 +time=2 +nocookie)
inc "${DIG[@]}" @"$V4S" example.test A +short
inc "${DIG[@]}" @"$V4S" www.example.test AAAA +short
inc "${DIG[@]}" @"$V4S" example.test MX +short
inc "${DIG[@]}" @"$V4S" txt.example.test TXT +short
inc "${DIG[@]}" @"$V4S" nosuchhost.example.test A | grep -o 'status: [A-Z]*'
inc "${DIG[@]}" @"$V6S" -6 www.example.test A +short
inc "${DIG[@]}" @"$V4S" +tcp example.test MX +short

step "NTP"
inc python3 "$GEN/ntp_responder.py" query "$V4S"

sleep 0.5
# --- stop captures ----------------------------------------------------------
# SIGTERM, not SIGINT: a non-interactive shell starts background jobs with
# SIGINT ignored. Both tools flush and close their file on SIGTERM.
kill -TERM "$TCPDUMP" "$DUMPCAP"
wait "$TCPDUMP" || true
wait "$DUMPCAP" || true
cat "$WORK/tcpdump.err" "$WORK/dumpcap.err" | grep -Ei 'packets|captured' || true
cp "$WORK/sample.pcap" "$OUT/sample.pcap"
cp "$WORK/sample.pcapng" "$OUT/sample.pcapng"
chmod 0644 "$OUT/sample.pcap" "$OUT/sample.pcapng"
if command -v capinfos >/dev/null; then
	capinfos -c -s -E -F "$OUT/sample.pcap" "$OUT/sample.pcapng"
fi
echo "wrote $OUT/sample.pcap and $OUT/sample.pcapng"
