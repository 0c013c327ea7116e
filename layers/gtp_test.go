package layers_test

import (
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var gtpFields = []string{"gtp.flags", "gtp.flags.version", "gtp.flags.payload", "gtp.flags.reserved", "gtp.flags.e",
	"gtp.flags.s", "gtp.flags.pn", "gtp.flags.snn", "gtp.message", "gtp.length", "gtp.teid", "gtp.seq_number",
	"gtp.npdu_number", "gtp.ext_hdr.next", "gtp.ext_hdr.length", "gtp.ext_hdr.pdcp_sn", "gtp.ext_hdr.udp_port",
	"gtp.ext_hdr.pdu_ses_con.pdu_type", "gtp.ext_hdr.pdu_ses_con.qos_flow_id", "gtp.ext_hdr.pdu_ses_cont.ppp",
	"gtp.ext_hdr.pdu_ses_cont.rqi", "gtp.ext_hdr.pdu_ses_cont.ppi", "gtp.ext_hdr.ran_cont", "gtp.flow_label",
	"gtp.sndcp_number", "gtp.tid", "gtp.prim.flags.version", "gtpv2.flags", "gtpv2.version", "gtpv2.p", "gtpv2.t",
	"gtpv2.mp", "gtpv2.message_type", "gtpv2.msg_length", "gtpv2.teid", "gtpv2.seq", "gtpv2.spare"}

// gtpIELengths marks the GTP-C messages whose information elements (not
// dissected) hold more gtp.length occurrences in Wireshark.
func gtpIELengths(pkts ...string) map[string]bool {
	m := map[string]bool{}
	for _, p := range pkts {
		m[p+":gtp.length"] = true
	}
	return m
}

// TestGTPCorpus compares GTP (v0, v1-U with the tunnelled packet, v1-C and
// v2-C headers, GTP') with tshark on the corpus captures that hold it.
func TestGTPCorpus(t *testing.T) {
	known := map[string]map[string]bool{
		"zeek/testing/btest/Traces/tunnels/gtp/gtp_create_pdp_ctx.pcap": gtpIELengths("2", "3"),
		"zeek/testing/btest/Traces/tunnels/gtp/gtp_control_prime.pcap":  gtpIELengths("3", "4", "5", "6"),
		"zeek/testing/btest/Traces/tunnels/gtp/pdp_ctx_messages.pcapng": gtpIELengths("2", "3", "7", "8", "9", "10"),
		// With MP set, Wireshark shows the message priority as a second
		// gtpv2.mp, which one table field cannot.
		"pcapplusplus/Tests/Packet++Test/PacketExamples/gtpv2.pcap": {"2:gtpv2.mp": true, "5:gtpv2.mp": true, "6:gtpv2.mp": true},
		"ndpi/tests/cfgs/default/pcap/gtp_false_positive.pcapng":    {"7:gtpv2.mp": true},
		// A GTP' data record transfer: its records (not dissected) hold
		// another gtp.length.
		"ndpi/tests/cfgs/default/pcap/gtp_prime.pcapng": {"1:gtp.length": true},
	}
	tunCorpus(t, []string{
		"arkime/tests/pcap/gtp-u.pcap",
		"arkime/tests/pcap/gtp-iphone.pcap",
		"arkime/tests/pcap/ipv6-gtp6.pcap",
		"ndpi/tests/cfgs/default/pcap/gtp_c.pcap",
		"ndpi/tests/cfgs/default/pcap/gtp_false_positive.pcapng",
		"ndpi/tests/cfgs/default/pcap/gtp_prime.pcapng",
		"ndpi/tests/cfgs/default/pcap/ipv6_in_gtp.pcap",
		"pcapplusplus/Tests/Packet++Test/PacketExamples/gtpv2.pcap",
		"zeek/testing/btest/Traces/tunnels/gtp/gtp10_not_0xff.pcap",
		"zeek/testing/btest/Traces/tunnels/gtp/gtp1_gn_normal_incl_fragmentation.pcap",
		"zeek/testing/btest/Traces/tunnels/gtp/gtp2_different_udp_port.pcap",
		"zeek/testing/btest/Traces/tunnels/gtp/gtp3_false_gtp.pcap",
		"zeek/testing/btest/Traces/tunnels/gtp/gtp6_gtp_0x32.pcap",
		"zeek/testing/btest/Traces/tunnels/gtp/gtp8_teredo.pcap",
		"zeek/testing/btest/Traces/tunnels/gtp/gtp9_unknown_or_too_short_payload.pcap",
		"zeek/testing/btest/Traces/tunnels/gtp/gtp_control_prime.pcap",
		"zeek/testing/btest/Traces/tunnels/gtp/gtp_create_pdp_ctx.pcap",
		"zeek/testing/btest/Traces/tunnels/gtp/gtp_ext_header.pcap",
		"zeek/testing/btest/Traces/tunnels/gtp/pdp_ctx_messages.pcapng",
	}, known, tunFields(gtpFields, tunBase)...)
}

// TestGTPCrafted compares crafted GTP packets with tshark: every optional
// field combination, extension headers (PDCP, UDP port, PDU session
// container, RAN container, unknown), T-PDU first bytes, other messages,
// versions 0 and 2, GTP', length fields too short and too long, GTP over
// TCP.
func TestGTPCrafted(t *testing.T) {
	fields := tunFields(gtpFields, tunBase)
	tunCompare(t, "testdata/crafted-gtp.pcap", nil, fields...)
	// GTPv2 over TCP in a segment shorter than 8 + its length: Wireshark
	// reads a TCP PDU's length as GTPv1's and waits for the rest.
	tunCompare(t, "testdata/crafted-gtptcp.pcap", map[string]bool{"3:*": true}, fields...)
	// Known and unknown message types of each version on each port.
	tunCompare(t, "testdata/crafted-gtpmsg.pcap", nil, fields...)
	tunCompare(t, "testdata/crafted-gtpsweep.pcap", nil, "gtp.flags", "gtp.message", "gtp.length", "gtp.seq_number")
}

// A G-PDU with a sequence number carrying IPv4 (built by Scapy).
func TestGTPHex(t *testing.T) {
	b := hexPkt(t, "66778899aabb001122334455080045000046000100004011f952c0a80001c0a800020868086800323c2a"+
		"32ff002200001234000500004500001e00010000401166cc0a0000010a00000200010002000a836b6869")
	p := packet.New(b, 1)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Summary(), "Ether / IP / UDP / GTP_U_Header / IP / UDP 10.0.0.1:1 > 10.0.0.2:2 / Raw"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	tunShow(t, p, "###[ GTP-U Header ]###", "version   = 1", "S         = 1", "gtp_type  = g_pdu (255)",
		"length    = 34", "teid      = 4660", "seq       = 0x5", "npdu      = 0", "next_ex   = 0")
	tunExpect(t, p, map[string]string{"gtp.flags": "0x32", "gtp.teid": "0x00001234", "gtp.seq_number": "0x0005",
		"gtp.npdu_number": "", "gtp.ext_hdr.next": "", "gtp.length": "34", "ip.src": "192.168.0.1,10.0.0.1",
		"udp.srcport": "2152,1", "frame.protocols": "eth:ethertype:ip:udp:gtp:ip:udp:data"})
	checkRebuild(t, []frame{{b, 1}})
}

// Building IP / UDP / GTP-U / IP / UDP with defaults: the ports, the
// message type and the lengths come from the tables; with extension
// headers the type chain is filled in.
func TestGTPBuild(t *testing.T) {
	inner := func() []*packet.Spec {
		return []*packet.Spec{tunSpec(t, layers.IP, map[string]packet.Value{"src": {B: []byte{10, 0, 0, 1}}}),
			tunSpec(t, layers.UDP, map[string]packet.Value{"sport": {U: 1000}, "dport": {U: 2000}}),
			setF(t, packet.NewSpec(packet.Raw), "load", packet.Value{B: []byte("hello")})}
	}
	p := buildPkt(t, append([]*packet.Spec{packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP),
		tunSpec(t, layers.GTPU, map[string]packet.Value{"teid": {U: 7}})}, inner()...)...)
	tunExpect(t, p, map[string]string{"udp.dstport": "2152,2000", "gtp.message": "0xff", "gtp.length": "33",
		"gtp.teid": "0x00000007", "gtp.flags": "0x30", "ip.src": "127.0.0.1,10.0.0.1"})

	// With a PDCP extension header: E and the next type are filled in.
	var pdcp *packet.Protocol
	for _, q := range packet.Protocols() {
		if q.Name == "GTP_PDCP_PDU_ExtensionHeader" {
			pdcp = q
		}
	}
	if pdcp == nil {
		t.Fatal("no GTP_PDCP_PDU_ExtensionHeader table")
	}
	gtp := tunSpec(t, layers.GTPU, map[string]packet.Value{"S": {U: 1}})
	p = buildPkt(t, append([]*packet.Spec{packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP),
		gtp, tunSpec(t, pdcp, map[string]packet.Value{"pdcp_pdu": {U: 2308}})}, inner()...)...)
	tunExpect(t, p, map[string]string{"gtp.flags": "0x36", "gtp.ext_hdr.next": "0xc0,0x00", "gtp.ext_hdr.length": "1",
		"gtp.ext_hdr.pdcp_sn": "2308", "gtp.length": "41", "ip.src": "127.0.0.1,10.0.0.1"})

	// GTPv2 with a TEID, its length computed over the information elements.
	p = buildPkt(t, packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), tunSpec(t, layers.UDP, map[string]packet.Value{"sport": {U: 2123}, "dport": {U: 2123}}),
		tunSpec(t, layers.GTPv2Header, map[string]packet.Value{"gtp_type": {U: 32}, "seq": {U: 0x1234}, "IE_list": {B: []byte{3, 0, 1, 0, 17}}}))
	tunExpect(t, p, map[string]string{"gtpv2.flags": "0x48", "gtpv2.msg_length": "13", "gtpv2.teid": "0x00000000",
		"gtpv2.seq": "0x001234", "gtpv2.message_type": "32"})
}

// FuzzGTP feeds arbitrary bytes as the UDP payload of GTP's ports (the
// first byte picks 2152, 2123 or 3386).
func FuzzGTP(f *testing.F) {
	for _, path := range []string{"testdata/crafted-gtp.pcap"} {
		for _, fr := range readPcap(f, path) {
			f.Add(append([]byte{0}, fr.data[42:]...))
		}
	}
	f.Add(hexPkt(f, "01"+"48200009000000000000010003000100"))
	f.Add(hexPkt(f, "02"+"1eff0054000000 01ffffffff420001214365870945000054"))
	fields := tunFields(gtpFields, tunBase)
	prefix := hexPkt(f, "66778899aabb001122334455 0800 4500 0000 0001 0000 4011 0000 c0a80001 c0a80002 9c40 0000 0000 0000")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		pkt := append([]byte(nil), prefix...)
		pkt[36], pkt[37] = [3]byte{0x08, 0x08, 0x0d}[data[0]%3], [3]byte{0x68, 0x4b, 0x3a}[data[0]%3]
		fuzzPkt(t, append(pkt, data[1:]...), 1, fields)
	})
}
