package layers_test

import (
	"bytes"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var pppFields = []string{"ppp.address", "ppp.control", "ppp.protocol"}

var pppoeFields = []string{"pppoe.version", "pppoe.type", "pppoe.code", "pppoe.session_id", "pppoe.payload_length",
	"pppoed.tags.service_name", "pppoed.tags.ac_name", "pppoed.tags.host_uniq", "pppoed.tags.ac_cookie",
	"pppoed.tags.vendor_id", "pppoed.tags.vendor_unspecified", "pppoed.tags.seq_num", "pppoed.tags.credit_scale",
	"pppoed.tags.max_payload", "pppoed.tag.unknown_data", "pppoed.tag", "pppoed.tag_length",
	"pppoed.tags.relay_session_id", "pppoed.tags.service_name_error", "pppoed.tags.ac_system_error",
	"pppoed.tags.generic_error", "pppoed.tags.credits.fcn", "pppoed.tags.credits.bcn", "pppoed.tags.metrics.r",
	"pppoed.tags.metrics.mdr_units", "pppoed.tags.metrics.cdr_units", "pppoed.tags.metrics.rlq",
	"pppoed.tags.metrics.resource", "pppoed.tags.metrics.latency", "pppoed.tags.metrics.curr_drate",
	"pppoed.tags.metrics.max_drate", "pppoed.tags.hurl", "pppoed.tags.motm", "pppoed.tags.ip_route_add"}

// TestPPPCorpus compares PPP (link types PPP and PPP_HDLC, PPP in GRE) and
// PPPoE with tshark on the corpus captures that hold them, inner IP
// included.
func TestPPPCorpus(t *testing.T) {
	gp := "pcapplusplus/Tests/Packet++Test/PacketExamples/GrePackets.pcap"
	known := map[string]map[string]bool{
		// Enhanced GRE with the acknowledgment flag: the GRE_PPTP table
		// (gre.go) leaves the acknowledgment number in the payload, so PPP
		// starts 4 bytes early.
		gp: {"1:ppp.address": true, "1:ppp.control": true, "1:ppp.protocol": true, "2:ppp.protocol": true},
		"zeek/testing/btest/Traces/tunnels/gre-pptp.pcap": {"1:*": true},
		// A first IPv6 fragment: tshark omits tcp.len there; the IPv6
		// fragment header (ipv6_frag.go) does not mark the layers above as
		// partial the way an IPv4 first fragment does.
		"suricata-verify/tests/defrag/bug-6887-defrag-ppp-ipv6-tcp/frag-ppp-ipv6-tcp.pcap": {"1:tcp.len": true},
	}
	tunCorpus(t, []string{
		"ndpi/tests/cfgs/default/pcap/dlt_ppp.pcap",
		"suricata-verify/tests/defrag/bug-6887-defrag-ppp-ipv6-tcp/frag-ppp-ipv6-tcp.pcap",
		"tcpdump/tests/heapoverflow-ppp_hdlc_if_print.pcap",
		"tcpdump/tests/heapoverflow-q933_printq.pcap",
		"tcpdump/tests/icmp-cksum-oobr-2.pcap",
		"tcpdump/tests/lspping-fec-rsvp.pcap",
		"tcpdump/tests/mlppp-oobr.pcap",
		"tcpdump/tests/mpls-ldp-hello.pcap",
		"tcpdump/tests/mpls-traceroute.pcap",
		"tcpdump/tests/ppp-invalid-lengths.pcap",
		"tcpdump/tests/ppp_ip_udp_dns.pcap",
		"tcpdump/tests/truncated-aack.pcap",
		"tcpdump/tests/wb-oobr.pcap",
		"zeek/testing/btest/Traces/ppp/quic-interop-retry.pcap",
		"suricata-verify/tests/defrag/bug-6942-6887-defrag-eth-ip-gre-ppp-ip-udp-data/eth-ip-gre-ppp-max-ip-packet.pcap",
		gp,
		"zeek/testing/btest/Traces/tunnels/gre-pptp.pcap",
		"arkime/tests/pcap/pppoe.pcap",
		"pcapplusplus/Tests/Packet++Test/PacketExamples/PPPoEDiscovery.pcap",
		"pcapplusplus/Tests/Packet++Test/PacketExamples/PPPoESession.pcap",
		"tcpdump/tests/pppoe.pcap",
		"tcpdump/tests/pppoes.pcap",
		"zeek/testing/btest/Traces/pppoe.pcap",
		"zeek/testing/btest/Traces/pppoe-over-qinq.pcap",
	}, known, tunFields(pppFields, pppoeFields, tunBase)...)
}

// TestPPPCrafted compares crafted PPP frames (every framing: address and
// control or not, one- or two-byte protocol, cut short) and PPPoE packets
// (every tag type, odd lengths) with tshark.
func TestPPPCrafted(t *testing.T) {
	fields := tunFields(pppFields, pppoeFields, tunBase)
	tunCompare(t, "testdata/crafted-ppp9.pcap", nil, fields...)
	tunCompare(t, "testdata/crafted-ppp50.pcap", nil, fields...)
	// A discovery payload length shorter than the tags: Wireshark still
	// reads a tag that starts at least 3 bytes before the length's end, up
	// to its own length; pktkit bounds the tags by the payload length.
	tunCompare(t, "testdata/crafted-pppoe.pcap", map[string]bool{"6:pppoed.tags.host_uniq": true}, fields...)
	tunCompare(t, "testdata/crafted-pppoe2.pcap", map[string]bool{"2:pppoed.tags.host_uniq": true,
		"5:pppoed.tags.ac_name": true, "6:pppoed.tags.ac_name": true, "8:pppoed.tags.ac_cookie": true}, fields...)
}

// A PPPoE session frame carrying IPv4 (built by Scapy).
func TestPPPoEHex(t *testing.T) {
	b := hexPkt(t, "66778899aabb001122334455886411001234001f214500001e00010000401166cc0a0000010a00000200010002000a836b6869")
	p := packet.New(b, 1)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Summary(), "Ether / PPPoE / PPP / IP / UDP 10.0.0.1:1 > 10.0.0.2:2 / Raw"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	tunShow(t, p, "###[ PPP over Ethernet ]###", "code      = Session (0)", "sessionid = 0x1234", "len       = 31",
		"###[ PPP Link Layer ]###", "proto     = 0x0021")
	tunExpect(t, p, map[string]string{"pppoe.session_id": "0x1234", "pppoe.payload_length": "31", "pppoe.code": "0x00",
		"ppp.protocol": "0x0021", "ip.src": "10.0.0.1", "udp.dstport": "2", "frame.protocols": "eth:ethertype:pppoes:ppp:ip:udp:data"})
	checkRebuild(t, []frame{{b, 1}})

	// Link type PPP with address and control bytes and a one-byte protocol.
	b = hexPkt(t, "ff03214500001e00010000401166cc0a0000010a00000200010002000a836b6869")
	p = packet.New(b, 9)
	if got, want := p.Summary(), "HDLC / PPP / IP / UDP 10.0.0.1:1 > 10.0.0.2:2 / Raw"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	tunShow(t, p, "###[ HDLC ]###", "address   = 0xff", "control   = 0x3", "proto     = 0x0021")
	tunExpect(t, p, map[string]string{"ppp.address": "0xff", "ppp.control": "0x03", "ppp.protocol": "0x0021",
		"frame.protocols": "ppp:ip:udp:data"})
	checkRebuild(t, []frame{{b, 9}})

	// A PADI with an empty Service-Name and a Host-Uniq.
	b = hexPkt(t, "ffffffffffff001122334455 8863 1109 0000 000c 0101 0000 0103 0004 64138518")
	p = packet.New(b, 1)
	if got, want := p.Summary(), "Ether / PPPoE Active Discovery Initiation (PADI) / PPPoED_Tags"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	tunShow(t, p, "###[ PPP over Ethernet Discovery ]###", "###[ PPPoE Tag List ]###", "tag_type  = Service-Name (0x101)",
		"tag_type  = Host-Uniq (0x103)", `tag_value = b'd\x13\x85\x18'`)
	tunExpect(t, p, map[string]string{"pppoed.tags.host_uniq": "64138518", "pppoed.tags.service_name": "",
		"pppoe.code": "0x09", "frame.protocols": "eth:ethertype:pppoed"})
	checkRebuild(t, []frame{{b, 1}})
}

// Building PPPoE / PPP / IP / UDP with defaults: the EtherType, PPPoE's
// payload length, PPP's one-byte protocol and IP's fields come out right;
// a discovery packet gets its tag lengths and payload length.
func TestPPPBuild(t *testing.T) {
	p := buildPkt(t, packet.NewSpec(layers.Ether), packet.NewSpec(layers.PPPoE), packet.NewSpec(layers.PPP),
		packet.NewSpec(layers.IP), tunSpec(t, layers.UDP, map[string]packet.Value{"sport": {U: 1000}, "dport": {U: 2000}}),
		setF(t, packet.NewSpec(packet.Raw), "load", packet.Value{B: []byte("hi")}))
	tunExpect(t, p, map[string]string{"eth.type": "0x8864", "pppoe.payload_length": "31", "pppoe.version": "1",
		"ppp.protocol": "0x0021", "ip.len": "30", "udp.length": "10"})
	if l := p.Layer(layers.PPP); l == nil || l.HdrLen != 1 {
		t.Errorf("PPP layer %v: want the one-byte protocol Scapy writes", l)
	}
	if got := p.Summary(); got != "Ether / PPPoE / PPP / IP / UDP 127.0.0.1:1000 > 127.0.0.1:2000 / Raw" {
		t.Errorf("summary %q", got)
	}

	// Two-byte protocol on request, after HDLC framing (link type PPP).
	st := packet.Stack{packet.NewSpec(layers.HDLC), tunSpec(t, layers.PPP, nil), packet.NewSpec(layers.IP)}
	ppp := st[1]
	b, err := layers.PPP.Field("proto").Codec.Parse("0x0021")
	if err != nil {
		t.Fatal(err)
	}
	ppp.SetField(layers.PPP.Field("proto"), packet.Value{B: b})
	out, err := st.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte{0xff, 0x03, 0x00, 0x21, 0x45}) {
		t.Errorf("built %x", out)
	}
	if q := packet.New(out, 9); q.Err() != nil || tunField(t, q, "ip.src") != "127.0.0.1" {
		t.Errorf("dissected back: %v %s", q.Err(), q.Summary())
	}

	// A discovery packet with two tags, lengths left to compute.
	var hostUniq, acName *packet.Protocol
	for _, e := range layers.PPPoEDTags.Field("tag_list").Elems {
		switch e.Name {
		case "PPPoETag_HostUniq":
			hostUniq = e
		case "PPPoETag_ACName":
			acName = e
		}
	}
	tags := packet.NewSpec(layers.PPPoEDTags)
	tags.Set("tag_list", packet.Value{List: []*packet.Spec{
		tunSpec(t, hostUniq, map[string]packet.Value{"tag_value": {B: []byte{1, 2, 3, 4}}}),
		tunSpec(t, acName, map[string]packet.Value{"tag_value": {B: []byte("BRAS")}}),
	}})
	p = buildPkt(t, packet.NewSpec(layers.Ether), tunSpec(t, layers.PPPoED, map[string]packet.Value{"code": {U: 7}}), tags)
	tunExpect(t, p, map[string]string{"eth.type": "0x8863", "pppoe.payload_length": "16", "pppoe.code": "0x07",
		"pppoed.tags.host_uniq": "01020304", "pppoed.tags.ac_name": "BRAS"})
}

// FuzzPPP feeds arbitrary bytes as a frame of link type PPP, and after an
// Ethernet header as PPPoE session and discovery packets (the first byte
// picks which).
func FuzzPPP(f *testing.F) {
	for _, fr := range readPcap(f, "testdata/crafted-ppp9.pcap") {
		f.Add(append([]byte{0}, fr.data...))
	}
	for _, path := range []string{"testdata/crafted-pppoe.pcap", "testdata/crafted-pppoe2.pcap"} {
		for _, fr := range readPcap(f, path) {
			f.Add(append([]byte{1 + fr.data[13]&1}, fr.data[14:]...)) // 0x64: session, 0x63: discovery
		}
	}
	fields := tunFields(pppFields, pppoeFields, tunBase)
	eth := hexPkt(f, "66778899aabb001122334455")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		switch data[0] % 3 {
		case 0:
			fuzzPkt(t, data[1:], 9, fields)
		case 1:
			fuzzPkt(t, append(append(append([]byte(nil), eth...), 0x88, 0x63), data[1:]...), 1, fields)
		default:
			fuzzPkt(t, append(append(append([]byte(nil), eth...), 0x88, 0x64), data[1:]...), 1, fields)
		}
	})
}
