package dfilter

import (
	"errors"
	"strings"
	"testing"

	_ "pktkit/layers"
	"pktkit/packet"
)

// syn is an Ethernet/IPv4/TCP SYN: 00:1c:54:38:1a:4b <- ce:62:91:ee:0b:98,
// 192.168.8.97:11371 -> 192.168.57.14:8080, TTL 64, DF, window 65535, with
// MSS 1460, window scale and SACK-permitted options (66 bytes).
var syn = []byte{0, 0x1c, 0x54, 0x38, 0x1a, 0x4b, 0xce, 0x62, 0x91, 0xee, 0x0b, 0x98, 8, 0,
	0x45, 0, 0, 0x34, 0x78, 0xeb, 0x40, 0, 0x40, 6, 0xff, 0x18, 192, 168, 8, 97, 192, 168, 57, 14,
	0x2c, 0x6b, 0x1f, 0x90, 7, 0xc0, 0xb6, 0x70, 0, 0, 0, 0, 0x80, 2, 0xff, 0xff, 0xa2, 0x2b, 0, 0,
	2, 4, 5, 0xb4, 1, 3, 3, 1, 1, 1, 4, 2}

func synPacket() *packet.Packet {
	p := packet.New(syn, 1)
	p.Number = 7
	p.Timestamp = 1_700_000_002_500_000_000
	p.FirstTime = 1_700_000_000_000_000_000
	p.PrevTime = 1_700_000_002_000_000_000
	return p
}

// The expectations come from the bytes above and the filter language's
// definition, not from pktkit's output.
func TestMatchSemantics(t *testing.T) {
	cases := []struct {
		filter string
		want   bool
	}{
		{"tcp", true},
		{"udp", false},
		{"eth && ip && tcp", true},
		{"frame", true},
		{"tcp.dstport == 8080", true},
		{"tcp.dport == 8080", true}, // Scapy alias
		{"tcp.dstport eq 80", false},
		{"tcp.dstport != 8080", false},
		{"tcp.dstport ne 80", true},
		{"udp.dstport != 80", false}, // absent field: false
		{"!(udp.dstport == 80)", true},
		{"ip.ttl > 32", true},
		{"ip.ttl >= 64 and ip.ttl <= 64", true},
		{"ip.ttl lt 64 or ip.ttl gt 64", false},
		{"ip.ttl == 0x40", true},
		{"ip.ttl == 0100", true}, // octal
		{"ip.ttl == 0b1000000", true},
		{"ip.ttl == '@'", true}, // 0x40
		{"ip.ttl != -1", true},
		{"ip.ttl == -1", false},
		{"tcp.dstport == 443 and ip.ttl > 32", false},
		{"tcp.flags.syn == 1 && tcp.flags.ack == 0", true},
		{"tcp.flags.syn == True", true},
		{"tcp.flags.ack == False", true},
		{"tcp.flags & 0x02", true},
		{"tcp.flags & 0x10", false},
		{"tcp.flags & 0x12 == 0x02", true},
		{"ip.flags.df == 1", true},
		{"ip.hdr_len == 20", true},
		{"eth.type == 0x0800", true},
		{"ip.src == 192.168.8.97", true},
		{"ip.addr == 192.168.57.14", true},
		{"ip.addr == 192.168.0.0/16", true},
		{"ip.dst == 192.168.8.0/24", false},
		{"ip.src == ip.dst", false},
		{"ip.src < ip.dst", true},
		{"ip.src != ip.dst", true},
		{"udp.srcport != udp.dstport", false}, // absent fields: false
		{"tcp.srcport === tcp.srcport", true},
		{"ip.src in {10.0.0.0/8, 192.168.8.97}", true},
		{"eth.src == ce:62:91:ee:0b:98", true},
		{"eth.src == ce-62-91-ee-0b-98", true},
		{"eth.src == ce62.91ee.0b98", true},
		{"eth.addr == 00:1c:54:38:1a:4b", true},
		{"eth.src[0:3] == ce:62:91", true},
		{"eth.src[1-2] == 62:91", true},
		{"eth.src[0] == ce", true},
		{"eth.src[-1] == 98", true},
		{"eth.src[4:] == 0b:98", true},
		{"eth.src[:2] == ce62", true},
		{"eth.src[0:1,5] == ce:98", true},
		{"frame[12:2] == 08:00", true},
		{"frame[100:2] == 08:00", false},
		{"ip[9] == 06", true},
		{"tcp.port in {80, 443, 8000..8090}", true},
		{"tcp.port in {80, 443}", false},
		{"tcp.port not in {80, 443}", true},
		{"tcp.srcport in {11371}", true},
		{"tcp contains 02:04:05:b4", true},
		{"frame contains 0x98", true},
		{`frame contains "\xb4\x01"`, true},
		{`tcp matches "\x05\xb4"`, true},
		{`frame.protocols contains "tcp"`, true},
		{`frame.protocols == "eth:ethertype:ip:tcp"`, true},
		{`frame.protocols matches "^ETH:"`, true}, // case-insensitive
		{"frame.number == 7", true},
		{"frame.len == 66", true},
		{"frame.time_relative == 2.5", true},
		{"frame.time_delta > 0.4 and frame.time_delta < 0.6", true},
		{"frame.time_epoch > 1700000002.4", true},
		{"tcp.options.mss_val == 1460", true},
		{"tcp.window_size_value === 65535", true},
		{"tcp.window_size_value ~= 65535", false},
		{"not tcp or ip", true},
		{"(not tcp) or udp", false},
		{"!tcp || !ip && udp", false},
		{"tcp and not udp and ip.ttl > 1", true},
	}
	p := synPacket()
	for _, c := range cases {
		f, err := Compile(c.filter)
		if err != nil {
			t.Errorf("%q: %v", c.filter, err)
			continue
		}
		if got := f.Match(p); got != c.want {
			t.Errorf("%q: got %v, want %v", c.filter, got, c.want)
		}
		if got := f.Clone().Match(p); got != c.want {
			t.Errorf("%q (clone): got %v, want %v", c.filter, got, c.want)
		}
	}
}

// The caret positions are those tshark 4.0 prints for the same filters.
// Offsets from the end count from the end of the captured bytes, even in a
// frame cut short by the capture (tshark 4.0 does so: frame[-4:] of a
// 54-byte capture of a longer frame is its last 4 captured bytes).
func TestSliceOfTruncatedFrame(t *testing.T) {
	p := synPacket()
	p.OrigLen = len(syn) + 10
	for _, c := range []struct {
		filter string
		want   bool
	}{
		{"frame[-1] == 02", true},
		{"frame[-11] == 02", false},
		{"frame[64:] == 04:02", true},
		{"frame[65:2] == 02", false},
		{"frame[64:2] == 04:02", true},
		{"tcp[-1] == 02", true}, // the IP length says the segment is whole
	} {
		if got := MustCompile(c.filter).Match(p); got != c.want {
			t.Errorf("%q: got %v, want %v", c.filter, got, c.want)
		}
	}
}

func TestErrorCaret(t *testing.T) {
	cases := []struct {
		filter   string
		pos, end int
		msg      string
	}{
		{"tcp.port in {80 443}", 16, 19, `"443" was unexpected`},
		{"ip AND tcp", 3, 6, `"AND" was unexpected`},
		{"ip.ttl == 300", 10, 13, "too big for this field, maximum 255"},
		{"ip.src == 300.1.1.1", 10, 19, "not a valid hostname or IPv4 address"},
		{"tcp.flgs.syn == 1", 0, 12, "unknown field"},
		{"tcp.port ==", 11, 12, "unexpected end"},
		{`frame matches "("`, 14, 17, "regular expression"},
		{"(tcp", 0, 1, "missing )"},
	}
	for _, c := range cases {
		_, err := Compile(c.filter)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v is not a *SyntaxError", c.filter, err)
			continue
		}
		if se.Pos != c.pos || se.End != c.end || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("%q: got [%d,%d) %q, want [%d,%d) containing %q", c.filter, se.Pos, se.End, se.Msg, c.pos, c.end, c.msg)
		}
		lines := strings.Split(se.Error(), "\n")
		if len(lines) != 3 || strings.TrimSpace(lines[1]) != c.filter {
			t.Errorf("%q: message %q does not show the filter", c.filter, se.Error())
			continue
		}
		caret := strings.Index(lines[2], "^") - strings.Index(lines[1], c.filter[:1])
		if caret != c.pos {
			t.Errorf("%q: caret at %d, want %d:\n%s", c.filter, caret, c.pos, se.Error())
		}
	}
}

func TestUnknownFieldSuggests(t *testing.T) {
	_, err := Compile("tcp.flgs.syn == 1")
	var ue *packet.UnknownFieldError
	if !errors.As(err, &ue) {
		t.Fatalf("error %v does not wrap *packet.UnknownFieldError", err)
	}
	found := false
	for _, s := range ue.Suggest {
		found = found || s == "tcp.flags.syn"
	}
	if !found || !strings.Contains(err.Error(), "tcp.flags.syn") {
		t.Errorf("no tcp.flags.syn among suggestions: %v", err)
	}
}

func TestMatchAllocs(t *testing.T) {
	p := synPacket()
	for _, expr := range []string{"tcp.dstport == 443 and ip.ttl > 32", "tcp.port in {80, 8080}", `frame contains "x"`,
		"ip.addr == 192.168.0.0/16", "tcp.options.mss_val == 1460", `frame.protocols contains "tcp"`, "eth.src[0:1,5] == ce:98"} {
		f := MustCompile(expr)
		f.Match(p)
		if n := testing.AllocsPerRun(100, func() { f.Match(p) }); n != 0 {
			t.Errorf("%q: %v allocations per match", expr, n)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	p := synPacket()
	p.Layers()
	f := MustCompile("tcp.dstport == 443 and ip.ttl > 32")
	b.ReportAllocs()
	for b.Loop() {
		f.Match(p)
	}
}

func BenchmarkMatchTrue(b *testing.B) {
	p := synPacket()
	p.Layers()
	f := MustCompile("tcp.dstport == 8080 and ip.ttl > 32")
	b.ReportAllocs()
	for b.Loop() {
		f.Match(p)
	}
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(`tcp.dstport == 443 and ip.ttl > 32 or (udp.port in {53, 67..68} && dns.qry.name contains "example")`); err != nil {
			b.Fatal(err)
		}
	}
}
