package dfilter

import (
	"testing"
)

// fuzzSeeds are filters of every form, valid and not.
var fuzzSeeds = []string{
	"tcp", "tcp.dstport == 443 and ip.ttl > 32", "tcp.port in {80, 443, 8000..8080}", "tcp.port in {80 443}",
	"ip.addr == 10.0.0.0/8", "ipv6.addr == fe80::/10", "eth.src[0:3] == 00:0c:29", "frame[12:2] == 08:00",
	"eth.src[-1] == 98", "eth.src[0:1,5] == ce:98", "frame[1-2] == aa:bb", `tcp contains "HTTP"`,
	`frame matches "^GET\\s"`, `dns.qry.name == "example.com"`, "tcp.flags & 0x02", "tcp.flags & 0x12 == 0x12",
	"!(udp || tcp) && eth.type != 0x0800", "ip.ttl === 64", "ip.ttl ~= 64", "ip.src == ip.dst",
	"frame.time_relative > 1.5", "frame.len == 'a'", `frame contains "\x00\377\n"`, "ip.ttl == 0x40",
	"ip.ttl == 017", "udp.length == 0b101", "eth.dst == ffff.ffff.ffff", "eth.addr == ff-ff-ff-ff-ff-ff",
	"tcp.dstport not in {80, 443}", "(tcp", "tcp)", "== 80", `"abc`, "'", "[", "frame[", "ip.ttl == -1",
	"tcp.options.mss_val >= 1400", `frame.protocols contains "dns"`, "ip.src in {10.0.0.0/8, 1.2.3.4}",
}

// FuzzCompile checks that no filter text makes Compile or Match panic or
// hang, and that every accepted filter runs on a real packet.
func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	p := synPacket()
	f.Fuzz(func(t *testing.T, expr string) {
		flt, err := Compile(expr)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%q: empty error", expr)
			}
			return
		}
		flt.Match(p)
		flt.Clone().Match(p)
	})
}
