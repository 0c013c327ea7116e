package layers_test

import (
	"bytes"
	"encoding/hex"
	"net"
	"net/netip"
	"strings"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var ipv6WSFields = []string{"ipv6.version", "ipv6.tclass", "ipv6.tclass.dscp", "ipv6.tclass.ecn", "ipv6.flow",
	"ipv6.plen", "ipv6.nxt", "ipv6.hlim", "ipv6.src", "ipv6.dst"}

// ipv6Captures hold plain IPv6 over Ethernet, jumbograms, 6in4 and 6in6.
var ipv6Captures = []string{
	"arkime/tests/pcap/v6.pcap",
	"arkime/tests/pcap/wireshark-dhcpv6.pcap",
	"arkime/tests/pcap/ipv6-in-ipv4.pcap",
	"tcpdump/tests/bigtcp-ipv6-hbh.pcap",
	"ndpi/tests/cfgs/default/pcap/6in6tunnel.pcap",
	"zeek/testing/btest/Traces/tunnels/6in4.pcap",
	"tcpdump/tests/ipv6-bad-version.pcap",
}

func TestIPv6FieldsMatchTshark(t *testing.T) {
	for _, c := range ipv6Captures {
		t.Run(c, func(t *testing.T) {
			if n := compareFields(t, c, ipv6WSFields...); n > 0 {
				t.Errorf("%d cells differ", n)
			}
		})
	}
}

func TestIPv6Rebuild(t *testing.T) {
	for _, c := range ipv6Captures {
		t.Run(c, func(t *testing.T) { checkRebuild(t, readPcap(t, corpusPath(t, c))) })
	}
}

// A hand-made IPv6/UDP packet (raw IPv6 link type).
func TestIPv6HandMade(t *testing.T) {
	b := mustHex(t, `
		6a b1 23 45 00 0c 11 40  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
		20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
		04 d2 00 09 00 0c 00 00  68 69 21 0a`)
	p := packet.New(b, 229)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Summary(), "IPv6 / UDP 2001:db8::1:1234 > 2001:db8::2:9 / Raw"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	show := p.ShowString()
	for _, line := range []string{"###[ IPv6 ]###", "  version   = 6", "  tc        = 171", "  fl        = 74565",
		"  plen      = 12", "  nh        = UDP (17)", "  hlim      = 64", "  src       = 2001:db8::1", "  dst       = 2001:db8::2"} {
		if !strings.Contains(show, line+"\n") {
			t.Errorf("show lacks %q:\n%s", line, show)
		}
	}
	for ws, want := range map[string]string{"ipv6.tclass": "0x000000ab", "ipv6.flow": "0x012345", "ipv6.tclass.dscp": "42",
		"ipv6.tclass.ecn": "3", "ipv6.nxt": "17"} {
		r, err := packet.LookupField(ws)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(p.AppendField(nil, r, ',')); got != want {
			t.Errorf("%s = %q, want %q", ws, got, want)
		}
	}
	// Without a next header binding the summary is Scapy's "src > dst (nh)".
	b2 := append([]byte(nil), b[:40]...)
	b2[4], b2[5], b2[6] = 0, 0, 200
	if got, want := packet.New(b2, 229).Summary(), "2001:db8::1 > 2001:db8::2 (200)"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

func set(t testing.TB, s *packet.Spec, name string, v packet.Value) {
	t.Helper()
	if err := s.Set(name, v); err != nil {
		t.Fatal(err)
	}
}

func addr(t testing.TB, s string) []byte {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a.AsSlice()
}

// Build Ether/IPv6/TCP and Ether/IPv6/UDP with defaults: plen, nh and the
// upper checksum (RFC 8200 pseudo-header) come out right.
func TestIPv6Build(t *testing.T) {
	for _, upper := range []*packet.Protocol{layers.TCP, layers.UDP} {
		ip := packet.NewSpec(layers.IPv6)
		set(t, ip, "src", packet.Value{B: addr(t, "fe80::1")})
		set(t, ip, "dst", packet.Value{B: addr(t, "2001:db8::99")})
		raw := packet.NewSpec(packet.Raw)
		set(t, raw, "load", packet.Value{B: []byte("hello")})
		up := packet.NewSpec(upper)
		// Not UDP's default port 53: "hello" would then be read as DNS.
		set(t, up, "sport", packet.Value{U: 9999})
		set(t, up, "dport", packet.Value{U: 9999})
		st := packet.Stack{packet.NewSpec(layers.Ether), ip, up, raw}
		b, err := st.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		p := packet.New(b, 1)
		if err := p.Err(); err != nil {
			t.Fatal(err)
		}
		l := p.Layer(layers.IPv6)
		if l == nil || p.Layer(upper) == nil {
			t.Fatalf("%s: layers %v", upper.Name, p.Summary())
		}
		if v, _ := l.Value("plen"); int(v.U) != len(b)-14-40 {
			t.Errorf("plen %d, want %d", v.U, len(b)-54)
		}
		if v, _ := p.Layers()[0].Value("type"); v.U != 0x86dd {
			t.Errorf("ether type %#x", v.U)
		}
		wantNH := uint64(6)
		if upper == layers.UDP {
			wantNH = 17
		}
		if v, _ := l.Value("nh"); v.U != wantNH {
			t.Errorf("nh %d, want %d", v.U, wantNH)
		}
		// The checksum verifies over the pseudo-header.
		u := p.Layer(upper)
		s, ok := u.LayerPseudoSum(uint8(wantNH), len(u.Data))
		if !ok {
			t.Fatal("no pseudo-header")
		}
		if c := packet.Fold(packet.Sum(s, u.Data)); c != 0 {
			t.Errorf("%s checksum does not verify (%#x)", upper.Name, c)
		}
	}
}

// Build 6in4: IP/IPv6/UDP sets proto 41 and both lengths.
func TestIPv6In4Build(t *testing.T) {
	st := packet.Stack{packet.NewSpec(layers.IP), packet.NewSpec(layers.IPv6), packet.NewSpec(layers.UDP)}
	b, err := st.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if b[9] != 41 || b[20+6] != 17 || int(b[2])<<8|int(b[3]) != len(b) || int(b[24])<<8|int(b[25]) != 8 {
		t.Errorf("bad 6in4 packet %x", b)
	}
	p := packet.New(b, 228)
	if got, want := p.Summary(), "IP / IPv6 / UDP ::1:53 > ::1:53"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

// A Routing header changes the destination of the pseudo-header to the
// final one (RFC 8200 8.1).
func TestIPv6PseudoFinalDestination(t *testing.T) {
	ip := packet.NewSpec(layers.IPv6)
	set(t, ip, "dst", packet.Value{B: addr(t, "2001:db8::1")})
	rh := packet.NewSpec(layers.IPv6ExtHdrRouting)
	ae := layers.IPv6ExtHdrRouting.Field("addresses").Elems[0]
	a1, a2 := packet.NewSpec(ae), packet.NewSpec(ae)
	set(t, a1, "addr", packet.Value{B: addr(t, "2001:db8::2")})
	set(t, a2, "addr", packet.Value{B: addr(t, "2001:db8::3")})
	set(t, rh, "addresses", packet.Value{List: []*packet.Spec{a1, a2}})
	st := packet.Stack{ip, rh, packet.NewSpec(layers.UDP)}
	b, err := st.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	p := packet.New(b, 229)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	r := p.Layer(layers.IPv6ExtHdrRouting)
	if r == nil {
		t.Fatalf("no routing header: %s", p.Summary())
	}
	if v, _ := r.Value("segleft"); v.U != 2 {
		t.Errorf("segleft %d, want 2", v.U)
	}
	if v, _ := r.Value("len"); v.U != 4 {
		t.Errorf("len %d, want 4", v.U)
	}
	u := p.Layer(layers.UDP)
	// Checksum computed with the final destination (2001:db8::3).
	src := b[8:24]
	s := packet.Sum(packet.Sum(0, src), addr(t, "2001:db8::3"))
	s += uint32(len(u.Data)) + 17
	if c := packet.Fold(packet.Sum(s, u.Data)); c != 0 {
		t.Errorf("UDP checksum not over the final destination")
	}
	s2, _ := u.LayerPseudoSum(17, len(u.Data))
	if c := packet.Fold(packet.Sum(s2, u.Data)); c != 0 {
		t.Errorf("LayerPseudo does not use the final destination")
	}
	if !bytes.Equal(b[24:40], addr(t, "2001:db8::1")) {
		t.Errorf("header dst changed")
	}
}

// FuzzIPv6 feeds arbitrary bytes as a raw IPv6 packet (link type 229) and
// as an Ethernet frame.
func FuzzIPv6(f *testing.F) {
	for _, s := range []string{
		"6000000000083a40fe800000000000000000000000000001ff0200000000000000000000000000018000f1a600010001",
		"60000000001811400000000000000000000000000000000100000000000000000000000000000001000000000000",
		"6000000000180040fe800000000000000000000000000001ff02000000000000000000000000001611000502000001002c000000000000a8f1c1d4",
		"600000000010330000000000000000000000000000000001000000000000000000000000000000013a000000000000005a3a0000",
	} {
		b, _ := hex.DecodeString(s)
		f.Add(b, true)
		f.Add(b, false)
	}
	f.Fuzz(func(t *testing.T, b []byte, raw bool) {
		link := uint32(229)
		if !raw {
			b = append(mustHex(t, "00000000000100000000000286dd"), b...)
			link = 1
		}
		exercise(t, b, link)
	})
}

// exercise runs every read path over a packet: layers, summary, show,
// every registered Wireshark field, rebuild.
func exercise(t *testing.T, b []byte, link uint32) {
	p := packet.New(b, link)
	p.Layers()
	_ = p.Summary()
	_ = p.ShowString()
	for _, name := range fuzzFields() {
		r, err := packet.LookupField(name)
		if err != nil {
			t.Fatal(err)
		}
		_ = p.AppendField(nil, r, ',')
	}
	if p.Err() != nil {
		return
	}
	st, err := p.Specs()
	if err != nil {
		return
	}
	out, err := st.Bytes()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if !bytes.Equal(out, b) {
		t.Fatalf("rebuild differs\n got %x\nwant %x", out, b)
	}
}

var fuzzFieldNames []string

func fuzzFields() []string {
	if fuzzFieldNames == nil {
		for _, n := range packet.FieldNames() {
			for _, pre := range []string{"ipv6.", "icmpv6.", "ah.", "esp.", "data."} {
				if strings.HasPrefix(n, pre) {
					fuzzFieldNames = append(fuzzFieldNames, n)
					break
				}
			}
		}
	}
	return fuzzFieldNames
}

// mk builds a spec: fields as name, value pairs; a value is an int, a
// []byte, an IPv6 or MAC address in text, or a list of element specs.
func mk(t testing.TB, p *packet.Protocol, kv ...any) *packet.Spec {
	t.Helper()
	s := packet.NewSpec(p)
	for i := 0; i+1 < len(kv); i += 2 {
		name := kv[i].(string)
		var v packet.Value
		switch x := kv[i+1].(type) {
		case int:
			v.U = uint64(x)
		case uint64:
			v.U = x
		case []byte:
			v.B = x
		case []*packet.Spec:
			v.List = x
		case string:
			if a, err := netip.ParseAddr(x); err == nil {
				v.B = a.AsSlice()
			} else if m, err := net.ParseMAC(x); err == nil {
				v.B = m
			} else {
				t.Fatalf("bad value %q", x)
			}
		default:
			t.Fatalf("bad value %T", x)
		}
		set(t, s, name, v)
	}
	return s
}

// buildHex builds a stack and compares it with bytes Scapy produced for the
// same layers.
func buildHex(t *testing.T, want string, st ...*packet.Spec) []byte {
	t.Helper()
	b, err := packet.Stack(st).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if w := mustHex(t, want); !bytes.Equal(b, w) {
		t.Errorf("built\n %x\nwant (Scapy)\n %x", b, w)
	}
	return b
}

// Build IPv6 / Fragment / UDP as Scapy does.
func TestIPv6FragmentBuildLikeScapy(t *testing.T) {
	b := buildHex(t, "6000000000132c4020010db800000000000000000000000120010db8000000000000000000000002110000011122334404d20035000bace278797a",
		mk(t, layers.IPv6, "src", "2001:db8::1", "dst", "2001:db8::2"),
		mk(t, layers.IPv6ExtHdrFragment, "id", 0x11223344, "m", 1),
		mk(t, layers.UDP, "sport", 1234, "dport", 53),
		mk(t, packet.Raw, "load", []byte("xyz")))
	p := packet.New(b, 229)
	// (UDP's summary takes addresses from the layer right under it only.)
	if got, want := p.Summary(), "IPv6 / IPv6ExtHdrFragment / UDP "; !strings.HasPrefix(got, want) {
		t.Errorf("summary %q, want %q...", got, want)
	}
	// A later fragment's payload is data.
	b[40+3] |= 0x08 // offset 1
	p = packet.New(b, 229)
	if got, want := p.Summary(), "2001:db8::1 > 2001:db8::2 (44) / IPv6ExtHdrFragment / Raw"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

// Build a Segment Routing Header as Scapy does: the UDP checksum uses the
// final segment (the first of the list) as destination.
func TestIPv6SRHBuildLikeScapy(t *testing.T) {
	ae := layers.IPv6ExtHdrSegmentRouting.Field("addresses").Elems[0]
	b := buildHex(t, "6000000000302b4020010db800000000000000000000000120010db8000000000000000000000002110404010100000020010db800000000000000000000000a20010db800000000000000000000000b003500350008a3f7",
		mk(t, layers.IPv6, "src", "2001:db8::1", "dst", "2001:db8::2"),
		mk(t, layers.IPv6ExtHdrSegmentRouting, "addresses", []*packet.Spec{mk(t, ae, "addr", "2001:db8::a"), mk(t, ae, "addr", "2001:db8::b")}),
		mk(t, layers.UDP))
	p := packet.New(b, 229)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if p.Layer(layers.IPv6ExtHdrSegmentRouting) == nil {
		t.Fatalf("no SRH: %s", p.Summary())
	}
	for ws, want := range map[string]string{"ipv6.routing.type": "4", "ipv6.routing.segleft": "1",
		"ipv6.routing.srh.last_entry": "1", "ipv6.routing.srh.addr": "2001:db8::a,2001:db8::b",
		"ipv6.routing.len_oct": "40", "ipv6.routing.srh.flags": "0x00", "ipv6.routing.srh.tag": "0000"} {
		r, err := packet.LookupField(ws)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(p.AppendField(nil, r, ',')); got != want {
			t.Errorf("%s = %q, want %q", ws, got, want)
		}
	}
}
