package layers_test

import (
	"strings"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var arpFields = []string{"arp.hw.type", "arp.proto.type", "arp.hw.size", "arp.proto.size", "arp.opcode",
	"arp.src.hw_mac", "arp.src.hw", "arp.src.proto_ipv4", "arp.src.proto", "arp.dst.hw_mac", "arp.dst.hw",
	"arp.dst.proto_ipv4", "arp.dst.proto"}

// craftedARP covers requests, replies, other hardware and protocol types
// and sizes (typed or byte fields), truncation and ATM ARP.
func craftedARP() [][]byte {
	E := testEthHdr + "0806"
	return [][]byte{
		hexFrame(E + "0001080006040001" + "000c29aabbcc" + "0a000001" + "000000000000" + "0a000002" + strings.Repeat("00", 18)),
		hexFrame(E + "0001080006040002" + "000c29aabbcc" + "0a000001" + "001122334455" + "0a000002"),
		hexFrame(E + "0006080006040001" + "000c29aabbcc" + "0a000001" + "000000000000" + "0a000002"),
		hexFrame(E + "0001080008040001" + "000c29aabbccddee" + "0a000001" + "0000000000000000" + "0a000002"),
		hexFrame(E + "000186dd06100001" + "000c29aabbcc" + "20010db8000000000000000000000001" + "000000000000" + "20010db8000000000000000000000002"),
		hexFrame(E + "0001080006040003" + "000c29aabbcc" + "0a000001" + "000000000000" + "0a000002"),
		hexFrame(E + "0001080006040001" + "000c29aabbcc" + "0a000001" + "000000000000"),
		hexFrame(E + "0001080006050001" + "000c29aabbcc" + "0a00000101" + "000000000000" + "0a00000201"),
		hexFrame(E + "0001080000040001" + "0a000001" + "0a000002"),
		hexFrame(E + "0001080006000001" + "000c29aabbcc" + "000000000000"),
		hexFrame(E + "0001000006040001" + "000c29aabbcc" + "0a000001" + "000000000000" + "0a000002"),
		hexFrame(E + "0001080006040008" + "000c29aabbcc" + "0a000001" + "000000000000" + "0a000002"),
		hexFrame(E + "0013080006040001" + "000c29aabbcc" + "0a000001" + "000000000000" + "0a000002" + strings.Repeat("00", 18)),
		hexFrame(testEthHdr + "8035" + "0001080006040003" + "000c29aabbcc" + "00000000" + "000c29aabbcc" + "00000000"),
	}
}

func TestARPCrafted(t *testing.T) {
	a := compareFile(t, writePcap(t, 1, craftedARP()...), arpFields...)
	t.Logf("crafted ARP: %d cells, %d differ", a.cells, a.diffs)
}

// TestARPCorpus compares every ARP field with tshark on corpus captures with
// ARP over Ethernet, 802.1Q, 802.1ad and Linux cooked headers.
func TestARPCorpus(t *testing.T) {
	var total agreement
	for _, rel := range []string{"arkime/tests/pcap/cloudshark-arp.pcap", "libpcap/tests/filter/gateway_or_not.pcap",
		"pcapplusplus/Tests/Packet++Test/PacketExamples/ArpRequestWithVlan.pcap",
		"pcapplusplus/Tests/Packet++Test/PacketExamples/packet_trailer.pcap", "tcpdump/tests/arp-too-long-tha.pcap",
		"zeek/testing/btest/Traces/linuxsll-arp.pcap", "tcpdump/tests/arp-oobr.pcap", "ndpi/tests/cfgs/default/pcap/iphone.pcap"} {
		path := corpusPath(t, rel)
		a := compareFile(t, path, arpFields...)
		t.Logf("%s: %d packets, %d cells, %d differ, %d values", rel, a.rows, a.cells, a.diffs, nonEmpty(t, path, arpFields...))
		total.add(a)
		checkRebuild(t, readPcap(t, path))
	}
	t.Logf("total: %d cells, %d differ", total.cells, total.diffs)
}

func TestARPShow(t *testing.T) {
	p := packet.New(craftedARP()[0], 1)
	if got := layerNames(p); got != "Ether/ARP/Padding" {
		t.Fatalf("layers %s", got)
	}
	if got := p.Summary(); got != "Ether / ARP who has 10.0.0.2 says 10.0.0.1 / Padding" {
		t.Errorf("summary %q", got)
	}
	want := `###[ ARP ]###
     hwtype    = Ethernet (10Mb) (0x1)
     ptype     = IPv4 (0x800)
     hwlen     = 6
     plen      = 4
     op        = who-has (1)
     hwsrc     = 00:0c:29:aa:bb:cc
     psrc      = 10.0.0.1
     hwdst     = 00:00:00:00:00:00
     pdst      = 10.0.0.2
`
	if s := p.ShowString(); !strings.Contains(s, want) {
		t.Errorf("show:\n%s\nwant:\n%s", s, want)
	}
	p = packet.New(craftedARP()[1], 1)
	if got := p.Summary(); got != "Ether / ARP is at 00:0c:29:aa:bb:cc says 10.0.0.1" {
		t.Errorf("summary %q", got)
	}
	p = packet.New(craftedARP()[5], 1)
	if got := p.Summary(); got != "Ether / ARP RARP-req 10.0.0.1 > 10.0.0.2" {
		t.Errorf("summary %q", got)
	}
	// Non-IPv4 protocol addresses show as bytes, IPv6 ones as addresses.
	p = packet.New(craftedARP()[4], 1)
	if s := p.ShowString(); !strings.Contains(s, "psrc      = 2001:db8::1\n") {
		t.Errorf("show:\n%s", s)
	}
	p = packet.New(craftedARP()[7], 1)
	if s := p.ShowString(); !strings.Contains(s, `psrc      = b'\n\x00\x00\x01\x01'`) {
		t.Errorf("show:\n%s", s)
	}
	if got := layerNames(packet.New(craftedARP()[12], 1)); !strings.HasPrefix(got, "Ether/ATMARP") {
		t.Errorf("ATM ARP: %s", got)
	}
}

func TestARPBuild(t *testing.T) {
	p := buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether),
		spec(t, layers.ARP, "op", 2, "hwsrc", "001122334455", "psrc", "c0000201", "pdst", "c0000202")})
	if got := layerNames(p); got != "Ether/ARP" {
		t.Fatalf("layers %s", got)
	}
	for f, want := range map[string]string{"eth.type": "0x0806", "arp.hw.size": "6", "arp.proto.size": "4",
		"arp.opcode": "2", "arp.src.hw_mac": "00:11:22:33:44:55", "arp.dst.proto_ipv4": "192.0.2.2"} {
		if got := field(t, p, f); got != want {
			t.Errorf("%s = %s, want %s", f, got, want)
		}
	}
	// IPv6 protocol addresses: the sizes follow the addresses.
	p = buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), spec(t, layers.ARP, "ptype", 0x86dd,
		"psrc", "20010db8000000000000000000000001", "pdst", "20010db8000000000000000000000002")})
	if got := field(t, p, "arp.proto.size"); got != "16" {
		t.Errorf("plen %s", got)
	}
	if got := p.Summary(); got != "Ether / ARP who has 2001:db8::2 says 2001:db8::1" {
		t.Errorf("summary %q", got)
	}
}

func FuzzARP(f *testing.F) {
	for _, b := range craftedARP() {
		f.Add(b)
	}
	refs := fieldRefs(f, arpFields...)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLayers(t, data, 1, refs) })
}
