package layers_test

import (
	"strings"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var ipv6ExtWSFields = []string{
	"ipv6.hopopts.nxt", "ipv6.hopopts.len", "ipv6.hopopts.len_oct",
	"ipv6.dstopts.nxt", "ipv6.dstopts.len", "ipv6.dstopts.len_oct",
	"ipv6.opt.type", "ipv6.opt.length", "ipv6.opt.padn", "ipv6.opt.router_alert", "ipv6.opt.jumbo",
	"ipv6.opt.unknown", "ipv6.opt.mipv6.home_address",
	"ipv6.fraghdr.nxt", "ipv6.fraghdr.reserved_octet", "ipv6.fraghdr.offset", "ipv6.fraghdr.reserved_bits",
	"ipv6.fraghdr.more", "ipv6.fraghdr.ident",
	"ipv6.routing.nxt", "ipv6.routing.len", "ipv6.routing.len_oct", "ipv6.routing.type", "ipv6.routing.segleft",
	"ipv6.routing.src.reserved", "ipv6.routing.src.addr", "ipv6.routing.srh.last_entry", "ipv6.routing.srh.flags",
	"ipv6.routing.srh.tag", "ipv6.routing.srh.addr", "ipv6.routing.unknown_data",
}

// ipv6ExtCaptures hold Hop-by-Hop options (MLD router alert with PadN, a
// jumbogram), Destination options and first and later fragments.
var ipv6ExtCaptures = []string{
	"tcpdump/tests/icmpv6.pcap",
	"tcpdump/tests/bigtcp-ipv6-hbh.pcap",
	"zeek/testing/btest/Traces/icmp/icmp6-nd-options.pcap",
	"arkime/tests/pcap/arkime_synthetic.pcap",
	"pcapplusplus/Tests/Pcap++Test/PcapExamples/ip6_fragments.pcap",
	"pcapplusplus/Tests/Packet++Test/PacketExamples/ipv6_opt_fragments.pcap",
	"ndpi/tests/cfgs/default/pcap/dns_fragmented.pcap",
	"zeek/testing/btest/Traces/ipv6-http-atomic-frag.pcap",
	"suricata-verify/tests/ipv6-evasion/ipv6-malformed-fragments-15/frag-15.pcap",
}

func TestIPv6ExtFieldsMatchTshark(t *testing.T) {
	for _, c := range ipv6ExtCaptures {
		t.Run(c, func(t *testing.T) {
			if n := compareFields(t, c, append(ipv6WSFields, ipv6ExtWSFields...)...); n > 0 {
				t.Errorf("%d cells differ", n)
			}
		})
	}
}

func TestIPv6ExtRebuild(t *testing.T) {
	for _, c := range ipv6ExtCaptures {
		t.Run(c, func(t *testing.T) { checkRebuild(t, readPcap(t, corpusPath(t, c))) })
	}
}

// An MLDv2 report behind a Hop-by-Hop header (Router Alert, PadN), as
// Scapy builds it.
const mldv2ReportScapy = "6000000000480001fe800000000000000000000000000001ff0200000000000000000000000000163a000502000001008f003f270000000204000000ff0200000000000000000000000000fb03000001ff05000000000000000000000000000220010db8000000000000000000000001"

func TestIPv6HopByHopHandMade(t *testing.T) {
	p := packet.New(mustHex(t, mldv2ReportScapy), 229)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Summary(), "fe80::1 > ff02::16 (0) / IPv6ExtHdrHopByHop / ICMPv6MLReport2"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	show := p.ShowString()
	for _, line := range []string{
		"###[ IPv6 Extension Header - Hop-by-Hop Options Header ]###",
		"     nh        = ICMPv6 (58)",
		"     len       = 0",
		"     |###[ Router Alert ]###",
		"     |  otype     = Router Alert (0x5)",
		"     |  value     = Datagram contains a MLD message (0)",
		"     |###[ PadN ]###",
		"     |  optdata   = b''",
	} {
		if !strings.Contains(show, line+"\n") {
			t.Errorf("show lacks %q:\n%s", line, show)
		}
	}
	for ws, want := range map[string]string{"ipv6.opt.type": "0x05,0x01", "ipv6.opt.length": "2,0",
		"ipv6.opt.padn": "<none>", "ipv6.opt.router_alert": "0", "ipv6.hopopts.len_oct": "8", "ipv6.nxt": "0"} {
		r, err := packet.LookupField(ws)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(p.AppendField(nil, r, ',')); got != want {
			t.Errorf("%s = %q, want %q", ws, got, want)
		}
	}
}

// Build the same packet from specs with every length, count, next header
// and checksum left to the tables.
func TestIPv6HopByHopBuild(t *testing.T) {
	src := layers.ICMPv6MLDMultAddrRec.Field("sources").Elems[0]
	buildHex(t, mldv2ReportScapy,
		mk(t, layers.IPv6, "src", "fe80::1", "dst", "ff02::16", "hlim", 1),
		mk(t, layers.IPv6ExtHdrHopByHop, "options", []*packet.Spec{mk(t, layers.RouterAlert), mk(t, layers.PadN)}),
		mk(t, layers.ICMPv6MLReport2, "records", []*packet.Spec{
			mk(t, layers.ICMPv6MLDMultAddrRec, "dst", "ff02::fb"),
			mk(t, layers.ICMPv6MLDMultAddrRec, "rtype", 3, "dst", "ff05::2",
				"sources", []*packet.Spec{mk(t, src, "addr", "2001:db8::1")}),
		}))
}

// A Home Address option makes the home address the pseudo-header source.
func TestIPv6HAOPseudoSource(t *testing.T) {
	b, err := packet.Stack{
		mk(t, layers.IPv6, "src", "2001:db8::1", "dst", "2001:db8::2"),
		mk(t, layers.IPv6ExtHdrDestOpt, "options", []*packet.Spec{mk(t, layers.PadN, "optdata", []byte{0, 0}),
			mk(t, layers.HAO, "hoa", "2001:db8::99")}),
		mk(t, layers.UDP),
	}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	p := packet.New(b, 229)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if v, _ := p.Layer(layers.IPv6ExtHdrDestOpt).Value("len"); v.U != 2 {
		t.Errorf("dest opt len %d, want 2", v.U)
	}
	u := p.Layer(layers.UDP)
	s := packet.Sum(packet.Sum(0, addr(t, "2001:db8::99")), addr(t, "2001:db8::2")) + uint32(len(u.Data)) + 17
	if c := packet.Fold(packet.Sum(s, u.Data)); c != 0 {
		t.Errorf("UDP checksum does not use the home address")
	}
}
