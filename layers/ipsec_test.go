package layers_test

import (
	"strings"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var ipsecWSFields = []string{"ah.next_header", "ah.length", "ah.reserved", "ah.spi", "ah.sequence", "ah.icv",
	"esp.spi", "esp.sequence"}

// ipsecCaptures hold AH then ESP over IPv4, AH over IPv6 in transport and
// tunnel mode, ESP over IPv6 and a zero-length AH.
var ipsecCaptures = []string{
	"arkime/tests/pcap/ah-esp.pcap",
	"libpcap/tests/filter/ipv6_ah_modes.pcap",
	"zeek/testing/btest/Traces/ip6_esp.pcap",
	"zeek/testing/btest/Traces/ipv6_zero_len_ah.pcap",
	"tcpdump/tests/08-sunrise-sunset-esp2.pcap",
}

func TestIPsecFieldsMatchTshark(t *testing.T) {
	for _, c := range ipsecCaptures {
		t.Run(c, func(t *testing.T) {
			if n := compareFields(t, c, append(ipsecWSFields, "ipv6.nxt", "ip.proto", "icmpv6.type")...); n > 0 {
				t.Errorf("%d cells differ", n)
			}
		})
	}
}

func TestIPsecRebuild(t *testing.T) {
	for _, c := range ipsecCaptures {
		t.Run(c, func(t *testing.T) { checkRebuild(t, readPcap(t, corpusPath(t, c))) })
	}
}

// AH in IPv6 transport mode (libpcap's ipv6_ah_modes.pcap, frame 1).
func TestAHHandMade(t *testing.T) {
	b := mustHex(t, `60000000002c334020010db8000000000000000000000001 20010db8000000000000000000000002
		11030000123456780000000001010101 01010101 04d20009000c0000 61626364`)
	p := packet.New(b, 229)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Summary(), "IPv6 / AH / UDP "; !strings.HasPrefix(got, want) {
		t.Errorf("summary %q, want %q...", got, want)
	}
	ah := p.Layer(layers.AH)
	if v, _ := ah.Value("icv"); len(v.B) != 8 {
		t.Errorf("icv %x", v.B)
	}
	show := p.ShowString()
	for _, line := range []string{"  nh        = udp (17)", "  payloadlen= 3", "  spi       = 0x12345678"} {
		if !strings.Contains(show, line+"\n") {
			t.Errorf("show lacks %q:\n%s", line, show)
		}
	}
}

// Build IPv6/AH/TCP: next headers, AH length and the TCP checksum through
// AH; then IP/ESP as Scapy builds it.
func TestIPsecBuild(t *testing.T) {
	b, err := packet.Stack{
		mk(t, layers.IPv6, "src", "2001:db8::1", "dst", "2001:db8::2"),
		mk(t, layers.AH, "spi", 0x100, "seq", 7, "icv", []byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}),
		mk(t, layers.TCP, "sport", 1, "dport", 2),
	}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	p := packet.New(b, 229)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if b[6] != 51 || b[40] != 6 || b[41] != 4 {
		t.Errorf("nh %d, ah nh %d, ah len %d", b[6], b[40], b[41])
	}
	tcp := p.Layer(layers.TCP)
	s, ok := tcp.LayerPseudoSum(6, len(tcp.Data))
	if !ok || packet.Fold(packet.Sum(s, tcp.Data)) != 0 {
		t.Errorf("TCP checksum through AH does not verify")
	}
	buildHex(t, "4500002400010000403266a50a0000010a0000020000020000000003aaaaaaaaaaaaaaaa",
		mk(t, layers.IP, "src", "10.0.0.1", "dst", "10.0.0.2"),
		mk(t, layers.ESP, "spi", 0x200, "seq", 3, "data", []byte{0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa}))
}

// FuzzIPsec feeds arbitrary bytes as the payload of an IPv6 header whose
// next header is AH or ESP, and of an IPv4 header.
func FuzzIPsec(f *testing.F) {
	f.Add(mustHex(f, "11030000123456780000000001010101010101010004d20035000c0000"), byte(51))
	f.Add(mustHex(f, "3a000000000000008000fae6000000"), byte(51))
	f.Add(mustHex(f, "0000000a00000001aabbccdd"), byte(50))
	f.Add(mustHex(f, "2904000000000100000000070101010101010101010101016000000000083a40"), byte(51))
	f.Fuzz(func(t *testing.T, payload []byte, nh byte) {
		hdr := mustHex(t, "6000000000003340fe800000000000000000000000000001fe800000000000000000000000000002")
		hdr[4], hdr[5], hdr[6] = byte(len(payload)>>8), byte(len(payload)), nh
		exercise(t, append(hdr, payload...), 229)
		ip := mustHex(t, "450000000001000040330000 0a000001 0a000002")
		ip[9] = nh
		n := len(ip) + len(payload)
		ip[2], ip[3] = byte(n>>8), byte(n)
		exercise(t, append(ip, payload...), 228)
	})
}
