package script

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"go.starlark.net/starlark"

	"pktkit/craft"
	"pktkit/packet"
)

func tcpFrame(t testing.TB) []byte {
	t.Helper()
	p := craft.Ether(craft.KV{Name: "src", Value: "02:00:00:00:00:01"}, craft.KV{Name: "dst", Value: "02:00:00:00:00:02"}).
		Div(craft.IP(craft.KV{Name: "src", Value: "192.0.2.1"}, craft.KV{Name: "dst", Value: "192.0.2.2"}, craft.KV{Name: "ttl", Value: 64})).
		Div(craft.TCP(craft.KV{Name: "sport", Value: 1234}, craft.KV{Name: "dport", Value: 443}, craft.KV{Name: "flags", Value: "PA"})).
		Div(craft.Payload([]byte("data")))
	b, err := p.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSprintf checks Scapy's sprintf directives on a dissected frame;
// the expected text follows Scapy's documentation of sprintf.
func TestSprintf(t *testing.T) {
	p := Frame(tcpFrame(t), 1, 0, 0)
	for format, want := range map[string]string{
		"%IP.src%:%TCP.sport% > %IP.dst%:%TCP.dport%": "192.0.2.1:1234 > 192.0.2.2:443",
		"%TCP.flags%":      "PA",
		"%5s,TCP.dport%|":  "  443|",
		"%-5s,TCP.dport%|": "443  |",
		"%04x,TCP.sport%":  "04d2",
		"100%% %IP.ttl%":   "100% 64",
		"%UDP.dport%":      "??",
		"%ttl%":            "64",
		"%IP:1.dst%":       "192.0.2.2",
	} {
		got, err := p.Sprintf(format)
		if err != nil || got != want {
			t.Errorf("Sprintf(%q) = %q, %v; want %q", format, got, err, want)
		}
	}
	for _, bad := range []string{"%IP.src", "%IP.nosuch%", "%zz,IP.ttl%", "%IP:0.src%"} {
		if _, err := p.Sprintf(bad); err == nil {
			t.Errorf("Sprintf(%q): no error", bad)
		}
	}
}

// TestDissectedChange: changing a field of a dissected frame recomputes
// the checksums that were right and keeps one that was wrong.
func TestDissectedChange(t *testing.T) {
	b := tcpFrame(t)
	p := Frame(b, 1, 0, 0)
	raw, _ := p.Bytes()
	if !bytes.Equal(raw, b) {
		t.Fatal("unchanged frame does not give its bytes back")
	}
	ipv := p.view(1)
	if err := ipv.SetField("ttl", mkInt(1)); err != nil {
		t.Fatal(err)
	}
	got, err := p.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte(nil), b...)
	want[14+8] = 1 // ttl
	// RFC 1071: the IP header checksum over the changed header.
	want[14+10], want[14+11] = 0, 0
	binary.BigEndian.PutUint16(want[14+10:], ipChecksum(want[14:34]))
	if !bytes.Equal(got, want) {
		t.Errorf("after ttl=1\n got %x\nwant %x", got, want)
	}

	// A wrong TCP checksum stays wrong.
	bad := append([]byte(nil), b...)
	bad[14+20+16] ^= 0xff
	q := Frame(bad, 1, 0, 0)
	if err := q.SetField("window", mkInt(100)); err != nil {
		t.Fatal(err)
	}
	got, _ = q.Bytes()
	if binary.BigEndian.Uint16(got[14+20+16:]) != binary.BigEndian.Uint16(bad[14+20+16:]) {
		t.Errorf("a wrong checksum was recomputed")
	}
}

func ipChecksum(h []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(h); i += 2 {
		s += uint32(h[i])<<8 | uint32(h[i+1])
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// FuzzSprintf formats a dissected frame with arbitrary formats: errors
// are fine, panics are not.
func FuzzSprintf(f *testing.F) {
	for _, s := range []string{"%IP.src%", "%5s,TCP.dport%", "%04x,TCP.sport%", "%%", "%IP:2.ttl%", "%r,TCP.flags%", "%-9.3f,IP.ttl%", "%", "%,%", "%.%", "%:.x%"} {
		f.Add(s)
	}
	frame := tcpFrame(f)
	f.Fuzz(func(t *testing.T, format string) {
		p := Frame(frame, 1, 0, 0)
		s, err := p.Sprintf(format)
		// A directive of at least 3 bytes adds at most its width.
		if err == nil && len(s) > (64+MaxSprintfWidth)*len(format)+64 {
			t.Fatalf("output of %d bytes for a format of %d", len(s), len(format))
		}
	})
}

func TestTruncatedHeaderIsRaw(t *testing.T) {
	b := tcpFrame(t)[:14+20+1] // one byte of TCP
	p := Frame(b, 1, 0, 0)
	if ok, _ := p.Has(&Class{C: craft.LookupClass("TCP")}); ok {
		t.Error("TCP in p for one byte of TCP header (Scapy makes it Raw)")
	}
	if got := strings.Join(p.Classes(), "/"); got != "Ether/IP/Raw" {
		t.Errorf("layers %s", got)
	}
	_ = packet.Raw
}

func mkInt(i int) starlark.Int { return starlark.MakeInt(i) }
