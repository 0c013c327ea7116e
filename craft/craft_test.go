package craft

import (
	"bytes"
	"net"
	"net/netip"
	"strings"
	"testing"

	_ "pktkit/layers"
	"pktkit/packet"
)

func mustBytes(t *testing.T, p *Packet) []byte {
	t.Helper()
	b, err := p.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSetOrderAndExpand(t *testing.T) {
	// Scapy 2.5 lists IP(dst="10.0.0.0/31", ttl=[1, 2])/TCP(sport=(1, 2),
	// dport=[80, 443]) with dst slowest, then ttl, dport, and sport fastest.
	p := Div(MustNew("IP", KV{"dst", "10.0.0.0/31"}, KV{"ttl", []any{1, 2}}),
		MustNew("TCP", KV{"dport", []any{80, 443}}, KV{"sport", Range{1, 2}}))
	if p.Count() != 16 {
		t.Fatalf("count %d, want 16", p.Count())
	}
	all, err := p.All()
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		dst        byte
		ttl        byte
		sport, dpt uint16
	}
	var got []key
	for _, b := range all {
		got = append(got, key{b[19], b[8], uint16(b[20])<<8 | uint16(b[21]), uint16(b[22])<<8 | uint16(b[23])})
	}
	want := []key{
		{0, 1, 1, 80}, {0, 1, 2, 80}, {0, 1, 1, 443}, {0, 1, 2, 443},
		{0, 2, 1, 80}, {0, 2, 2, 80}, {0, 2, 1, 443}, {0, 2, 2, 443},
		{1, 1, 1, 80}, {1, 1, 2, 80}, {1, 1, 1, 443}, {1, 1, 2, 443},
		{1, 2, 1, 80}, {1, 2, 2, 80}, {1, 2, 1, 443}, {1, 2, 2, 443},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("packet %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	// Expand gives the same packets one by one; the builder's template
	// path and the full encoding agree.
	for i, q := range p.Expand() {
		if b := mustBytes(t, q); !bytes.Equal(b, all[i]) {
			t.Errorf("Expand()[%d] = %x, All()[%d] = %x", i, b, i, all[i])
		}
	}
}

func TestUserValuesKept(t *testing.T) {
	p := Div(MustNew("IP", KV{"src", "192.0.2.1"}, KV{"dst", "192.0.2.2"}, KV{"len", 7}, KV{"chksum", 0xbeef}, KV{"proto", 99}),
		MustNew("UDP", KV{"len", 3}, KV{"chksum", 1}))
	b := mustBytes(t, p)
	if got := int(b[2])<<8 | int(b[3]); got != 7 {
		t.Errorf("IP len %d, want the 7 given", got)
	}
	if b[10] != 0xbe || b[11] != 0xef || b[9] != 99 {
		t.Errorf("IP chksum/proto recomputed: %x", b[:20])
	}
	if b[25] != 3 || b[27] != 1 {
		t.Errorf("UDP len/chksum recomputed: %x", b[20:])
	}
}

func TestFuzzReproducible(t *testing.T) {
	p := Div(MustNew("IP", KV{"dst", "192.0.2.9"}), MustNew("TCP", KV{"dport", 443}))
	a, b, c := mustBytes(t, Fuzz(p, 7)), mustBytes(t, Fuzz(p, 7)), mustBytes(t, Fuzz(p, 8))
	if !bytes.Equal(a, b) {
		t.Error("same seed, different packets")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds, same packet")
	}
	if !bytes.Equal(a[16:20], []byte{192, 0, 2, 9}) || a[22] != 1 || a[23] != 0xbb {
		t.Errorf("fuzz changed set fields: %x", a)
	}
	ihl := int(a[0]&15) * 4
	if ihl != 20 || packet.Checksum(a[:20]) != 0 {
		t.Errorf("fuzzed IP header's auto fields not computed: %x", a[:20])
	}
}

func TestHexImportExport(t *testing.T) {
	b := mustBytes(t, Div(MustNew("IP", KV{"dst", "192.0.2.2"}), Payload([]byte("hello, world; a longer payload"))))
	for name, text := range map[string]string{
		"hexdump": Hexdump(b),
		"hex":     Hex(b),
		"spaced":  strings.ToUpper(strings.Join(strings.SplitAfter(Hex(b), ""), " ")),
		"0x":      "0x" + Hex(b),
	} {
		got, err := ParseHexdump(text)
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: %v\n got %x\nwant %x", name, err, got, b)
		}
	}
	got, err := ParseBase64(Base64(b))
	if err != nil || !bytes.Equal(got, b) {
		t.Errorf("base64: %v", err)
	}
	q, err := Import("IP", b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mustBytes(t, q), b) {
		t.Error("Import does not rebuild the bytes")
	}
	if _, err := ParseHex("zz"); err == nil {
		t.Error("ParseHex accepts zz")
	}
}

// fakeHost is a routing table in a test: everything goes out 02:00:00:00:00:01
// from 192.0.2.2 via the gateway 192.0.2.1, whose MAC is known.
type fakeHost struct{}

func (fakeHost) Route(dst netip.Addr) (netip.Addr, net.HardwareAddr, netip.Addr, bool) {
	return netip.MustParseAddr("192.0.2.2"), net.HardwareAddr{2, 0, 0, 0, 0, 1}, netip.MustParseAddr("192.0.2.1"), true
}

func (fakeHost) Neighbour(ip netip.Addr) (net.HardwareAddr, bool) {
	if ip == netip.MustParseAddr("192.0.2.1") {
		return net.HardwareAddr{2, 0, 0, 0, 0, 0xfe}, true
	}
	return nil, false
}

func (fakeHost) DefaultMAC() net.HardwareAddr { return net.HardwareAddr{2, 0, 0, 0, 0, 1} }

func TestFillSources(t *testing.T) {
	p := Div(Div(MustNew("Ether"), MustNew("IP", KV{"dst", "198.51.100.7"})), MustNew("UDP"))
	m := Div(MustNew("Ether"), MustNew("IP", KV{"dst", "224.0.0.251"}, KV{"src", "10.1.1.1"}))
	FillSourcesFrom(fakeHost{}, []*Packet{p, m})
	b := mustBytes(t, p)
	if !bytes.Equal(b[0:6], []byte{2, 0, 0, 0, 0, 0xfe}) || !bytes.Equal(b[6:12], []byte{2, 0, 0, 0, 0, 1}) {
		t.Errorf("Ether addresses %x", b[:12])
	}
	if !bytes.Equal(b[26:30], []byte{192, 0, 2, 2}) {
		t.Errorf("IP src %x", b[26:30])
	}
	if p.Layers[1].IsSet("src") {
		t.Error("filled source marked as set")
	}
	b = mustBytes(t, m)
	// RFC 1112: 01:00:5e and the low 23 bits of the group.
	if !bytes.Equal(b[0:6], []byte{1, 0, 0x5e, 0, 0, 0xfb}) || !bytes.Equal(b[26:30], []byte{10, 1, 1, 1}) {
		t.Errorf("multicast: %x", b[:30])
	}
}

func TestProcTables(t *testing.T) {
	// /proc/net/route prints addresses as host-order hex (little-endian).
	route := "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" +
		"eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
	if gw, ok := RouteGateway(route, netip.MustParseAddr("8.8.8.8")); !ok || gw != netip.MustParseAddr("192.0.2.1") {
		t.Errorf("default route gateway %v %v", gw, ok)
	}
	if gw, ok := RouteGateway(route, netip.MustParseAddr("192.0.2.77")); !ok || !gw.IsUnspecified() {
		t.Errorf("on-link route gateway %v %v", gw, ok)
	}
	arp := "IP address       HW type     Flags       HW address            Mask     Device\n" +
		"192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0\n" +
		"192.0.2.9        0x1         0x0         00:00:00:00:00:00     *        eth0\n"
	if mac, ok := ARPLookup(arp, netip.MustParseAddr("192.0.2.1")); !ok || mac.String() != "02:fc:00:00:00:05" {
		t.Errorf("arp %v %v", mac, ok)
	}
	if _, ok := ARPLookup(arp, netip.MustParseAddr("192.0.2.9")); ok {
		t.Error("incomplete ARP entry used")
	}
}

func FuzzParseHexdump(f *testing.F) {
	f.Add(Hexdump([]byte("0123456789abcdefghij")))
	f.Add("45 00 00 1c")
	f.Add("0x4500")
	f.Add("0000  45 00\n0010  zz")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseHexdump(s)
		if err != nil {
			return
		}
		// What parses and is dumped again parses back to the same bytes.
		again, err := ParseHexdump(Hexdump(b))
		if len(b) > 0 && (err != nil || !bytes.Equal(again, b)) {
			t.Fatalf("%q: %x, again %x (%v)", s, b, again, err)
		}
	})
}

// loopHost routes 127/8 through a loopback without a MAC address and the
// rest as fakeHost does.
type loopHost struct{ fakeHost }

func (h loopHost) Route(dst netip.Addr) (netip.Addr, net.HardwareAddr, netip.Addr, bool) {
	if dst.IsLoopback() {
		return netip.MustParseAddr("127.0.0.1"), nil, dst, true
	}
	return h.fakeHost.Route(dst)
}

func TestFillSourcesPerDestination(t *testing.T) {
	// Scapy fills each packet of a set from the route to its own
	// destination.
	p := Div(Div(MustNew("Ether"), MustNew("IP", KV{"dst", []any{"127.0.0.1", "198.51.100.7"}})), MustNew("ICMP", KV{"seq", []any{1, 2}}))
	FillSourcesFrom(loopHost{}, []*Packet{p})
	all, err := p.All()
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range all {
		loop := i < 2
		wantSrc, wantSmac, wantDmac := []byte{127, 0, 0, 1}, []byte{0, 0, 0, 0, 0, 0}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
		if !loop {
			wantSrc, wantSmac, wantDmac = []byte{192, 0, 2, 2}, []byte{2, 0, 0, 0, 0, 1}, []byte{2, 0, 0, 0, 0, 0xfe}
		}
		if !bytes.Equal(b[26:30], wantSrc) || !bytes.Equal(b[6:12], wantSmac) || !bytes.Equal(b[0:6], wantDmac) {
			t.Errorf("packet %d: %x", i, b[:34])
		}
		if packet.Checksum(b[14:34]) != 0 {
			t.Errorf("packet %d: IP checksum not recomputed", i)
		}
	}
}

func TestConstructors(t *testing.T) {
	// Scapy 2.5: bytes(IP(src="192.0.2.1", dst="192.0.2.2")/UDP(sport=1234)/b"hi")
	p := IP(KV{"src", "192.0.2.1"}, KV{"dst", "192.0.2.2"}).Div(UDP(KV{"sport", 1234})).Div(Payload([]byte("hi")))
	if got := Hex(mustBytes(t, p)); got != "4500001e000100004011f6cac0000201c000020204d20035000a0e666869" {
		t.Errorf("got %s", got)
	}
	bad := IP(KV{"ttl", 256}).Div(TCP())
	if _, err := bad.Bytes(); err == nil || !strings.Contains(err.Error(), "IP.ttl") {
		t.Errorf("error not kept: %v", err)
	}
}

func TestHostnames(t *testing.T) {
	for s, want := range map[string]bool{"localhost": true, "www.example.com": true, "a-b.c_d": true,
		"10.0.0.1": false, "::1": false, "-bad.example": false, "a..b": false, "1.2.3": false, "": false,
		"x/y": false, strings.Repeat("a", 64) + ".com": false} {
		if got := isHostname(s); got != want {
			t.Errorf("isHostname(%q) = %v, want %v", s, got, want)
		}
	}
	// The system resolver reads the hosts file first; localhost is
	// 127.0.0.1 there (and by RFC 6761).
	b := mustBytes(t, Div(MustNew("IP", KV{"src", "192.0.2.1"}, KV{"dst", "localhost"}), MustNew("ICMP")))
	if got := netip.AddrFrom4([4]byte(b[16:20])); got != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("IP(dst=localhost) dst = %v", got)
	}
	// A name that cannot resolve (RFC 6761 .invalid) names the field.
	_, err := New("IP", KV{"dst", "no-such-host.invalid"})
	if err == nil || !strings.Contains(err.Error(), "IP.dst") || !strings.Contains(err.Error(), "no-such-host.invalid") {
		t.Errorf("unresolvable name: err = %v", err)
	}
}

func TestIPOptionTypeFields(t *testing.T) {
	// RFC 791: the type byte is copied flag (1 bit), class (2), number (5).
	for _, c := range []struct {
		kvs  []KV
		want byte
	}{
		{nil, 7},
		{[]KV{{"copy_flag", 1}}, 0x87},
		{[]KV{{"optclass", "debug"}}, 0x47},
		{[]KV{{"copy_flag", 1}, {"optclass", 2}, {"option", "strict_source_route"}}, 0xc9},
	} {
		b := mustBytes(t, MustNew("IPOption_RR", c.kvs...))
		if b[0] != c.want {
			t.Errorf("IPOption_RR%v type %#x, want %#x", c.kvs, b[0], c.want)
		}
	}
	if b := mustBytes(t, MustNew("IPOption_LSRR")); b[0] != 131 {
		t.Errorf("IPOption_LSRR type %d, want 131", b[0])
	}
	if _, err := New("IPOption_RR", KV{"optclass", 4}); err == nil {
		t.Error("optclass 4 (two bits) accepted")
	}
}

func TestNTPRefID(t *testing.T) {
	// Scapy's ref_id is the 4-byte reference identifier of strata 0 and 1,
	// at offset 12 like the IPv4 id of higher strata.
	b := mustBytes(t, MustNew("NTP", KV{"stratum", 1}, KV{"ref_id", "GPS"}))
	if !bytes.Equal(b[12:16], []byte("GPS\x00")) {
		t.Errorf("ref_id bytes %q", b[12:16])
	}
	if _, err := New("NTP", KV{"ref_id", "TOOLONG"}); err == nil || !strings.Contains(err.Error(), "ref_id") {
		t.Errorf("5+ byte ref_id: err = %v", err)
	}
}
