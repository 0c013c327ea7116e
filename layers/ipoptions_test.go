package layers_test

import (
	"net/netip"
	"strings"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var ipOptFields = []string{"ip.hdr_len", "ip.opt.type", "ip.opt.type.copy", "ip.opt.type.class", "ip.opt.type.number", "ip.opt.len", "ip.opt.ptr", "ip.rec_rt", "ip.empty_rt",
	"ip.src_rt", "ip.opt.overflow", "ip.opt.flag", "ip.opt.time_stamp", "ip.opt.time_stamp_addr", "ip.opt.ra"}

func TestIPOptionsMatchTshark(t *testing.T) {
	// Crafted: RR, LSRR, SSRR (pending and finished), router alert,
	// timestamps of each flag, security (generic), short options.
	t.Logf("%d cells agree", cmpCrafted(t, "testdata/crafted-ipopt.pcap", nil, ipOptFields...))
	for _, rel := range []string{
		"pcapplusplus/Tests/Packet++Test/PacketExamples/ipv4-options.pcap", // RR, LSRR, SSRR, timestamps
		"tcpdump/tests/IGMP_V2.pcap",                                       // router alert
		"ndpi/tests/cfgs/default/pcap/gnutella.pcap",
		"tcpdump/tests/ip_ts_opts_asan.pcap",
	} {
		compareFields(t, rel, ipOptFields...)
	}
}

func TestIPOptionsRebuild(t *testing.T) {
	rebuildCap(t, "testdata/crafted-ipopt.pcap")
	rebuildCap(t, corpusPath(t, "pcapplusplus/Tests/Packet++Test/PacketExamples/ipv4-options.pcap"))
	rebuildCap(t, corpusPath(t, "tcpdump/tests/IGMP_V2.pcap"))
}

// A loose source route with one used hop, one next hop and the final
// destination; the show() tree and the final destination helper.
func TestIPOptionsHex(t *testing.T) {
	b := hexPkt(t, "4900002c00010000400100000a0000010a000002"+
		"830f08 01010101 02020202 03030303 00"+"0800f7ff00000000")
	p := packet.New(b, 228)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]string{"ip.opt.type": "131,0", "ip.opt.ptr": "8", "ip.rec_rt": "1.1.1.1",
		"ip.src_rt": "2.2.2.2", "ip.empty_rt": ""} {
		r, err := packet.LookupField(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(p.AppendField(nil, r, ',')); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
	if d := layers.IPOptionRouteDst(p.Layer(layers.IP)); netip.AddrFrom4([4]byte(d)).String() != "3.3.3.3" {
		t.Errorf("route destination %v", d)
	}
	s := p.ShowString()
	for _, w := range []string{"###[ IP Option Loose Source Route ]###", "pointer   = 8", "\\routers   \\", "addr      = 3.3.3.3"} {
		if !strings.Contains(s, w) {
			t.Errorf("show lacks %q:\n%s", w, s)
		}
	}
	checkRebuild(t, []frame{{b, 228}})
}

// Building options from tables fills their lengths and IP's header length.
func TestIPOptionsBuild(t *testing.T) {
	addr := func(a ...byte) *packet.Spec {
		return setF(t, packet.NewSpec(packet.Lookup("IPOption_RouteAddr")), "addr", packet.Value{B: a})
	}
	rr := setF(t, packet.NewSpec(layers.IPOptionRR), "routers", packet.Value{List: []*packet.Spec{addr(0, 0, 0, 0), addr(0, 0, 0, 0)}})
	ra := packet.NewSpec(layers.IPOptionRouterAlert)
	ts := setF(t, packet.NewSpec(layers.IPOptionTimestamp), "stamps", packet.Value{List: []*packet.Spec{
		setF(t, packet.NewSpec(packet.Lookup("IPOption_TS_AddrStamp")), "timestamp", packet.Value{U: 100})}})
	setF(t, ts, "pointer", packet.Value{U: 5})
	eol := packet.NewSpec(packet.Lookup("IPOption_EOL"))
	ip := setF(t, packet.NewSpec(layers.IP), "options", packet.Value{List: []*packet.Spec{rr, ra, ts, eol}})
	p := buildPkt(t, packet.NewSpec(layers.Ether), ip, packet.NewSpec(layers.ICMP))
	for f, want := range map[string]string{"ip.hdr_len": "48", "ip.opt.type": "7,148,68,0", "ip.opt.len": "11,4,12",
		"ip.empty_rt": "0.0.0.0,0.0.0.0", "ip.opt.ra": "0", "ip.opt.time_stamp": "100", "ip.opt.flag": "0x01"} {
		r, _ := packet.LookupField(f)
		if got := string(p.AppendField(nil, r, ',')); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
}
