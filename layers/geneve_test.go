package layers_test

import (
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var geneveFields = []string{"geneve.version", "geneve.option.length", "geneve.flags", "geneve.flags.oam",
	"geneve.flags.critical", "geneve.flags.reserved", "geneve.proto_type", "geneve.vni", "geneve.reserved",
	"geneve.options", "geneve.option", "geneve.option.class", "geneve.option.type", "geneve.option.type.critical",
	"geneve.option.flags", "geneve.option.flags.reserved", "geneve.option.unknown.data"}

// TestGeneveCorpus compares Geneve and the packets it carries with tshark
// on the corpus captures that hold it.
func TestGeneveCorpus(t *testing.T) {
	// Big TCP: Geneve in UDP whose length field is 0 over IPv4, where
	// Wireshark stops at the bogus UDP length and the UDP table reads on;
	// over IPv6 whose payload length is 0 without a jumbo option, where
	// Wireshark gives UDP no bytes and the IPv6 table all of them.
	bigtcp := map[string]bool{"1:*": true}
	tunCorpus(t, []string{
		"libpcap/tests/filter/geneve.pcap",
		"tcpdump/tests/bigtcp-ipv4-geneve-ipv4.pcap",
		"tcpdump/tests/bigtcp-ipv4-geneve-ipv6.pcap",
		"tcpdump/tests/bigtcp-ipv6-geneve-ipv4.pcap",
		"tcpdump/tests/bigtcp-ipv6-geneve-ipv6.pcap",
		"tcpdump/tests/geneve.pcap",
		"tcpdump/tests/gso-ipv4-geneve-ipv4.pcap",
		"tcpdump/tests/gso-ipv4-geneve-ipv6.pcap",
		"tcpdump/tests/gso-ipv6-geneve-ipv4.pcap",
		"tcpdump/tests/gso-ipv6-geneve-ipv6.pcap",
		"zeek/testing/btest/Traces/tunnels/geneve-arp.pcap",
		"zeek/testing/btest/Traces/tunnels/geneve-ipv6.pcap",
		"zeek/testing/btest/Traces/tunnels/geneve-many-options.pcap",
		"zeek/testing/btest/Traces/tunnels/geneve-truncated.pcapng",
		"zeek/testing/btest/Traces/tunnels/geneve-vxlan-dns-truncated.pcap",
		"zeek/testing/btest/Traces/tunnels/geneve.pcap",
	}, map[string]map[string]bool{
		"tcpdump/tests/bigtcp-ipv4-geneve-ipv4.pcap": bigtcp,
		"tcpdump/tests/bigtcp-ipv4-geneve-ipv6.pcap": bigtcp,
		"tcpdump/tests/bigtcp-ipv6-geneve-ipv4.pcap": bigtcp,
		"tcpdump/tests/bigtcp-ipv6-geneve-ipv6.pcap": bigtcp,
	}, tunFields(geneveFields, tunBase)...)
}

// TestGeneveCrafted compares crafted Geneve packets with tshark: flags,
// options (critical, empty, malformed, past the captured bytes), payload
// EtherTypes, source port 6081.
func TestGeneveCrafted(t *testing.T) {
	ip := func(n string) []string {
		return []string{n + ":ip.src", n + ":ip.dst", n + ":ip.len", n + ":ip.id", n + ":ip.proto", n + ":ip.checksum"}
	}
	known := map[string]bool{
		// An empty option's data: tshark prints <MISSING>.
		"4:geneve.option.unknown.data": true,
		// An option list longer than the packet: Wireshark shows no option,
		// pktkit the options the captured bytes hold.
		"11:*": true,
	}
	// Options past the options length leave the payload starting inside
	// them: not an IP header, which Wireshark shows no field of and the IP
	// table still reads.
	for _, k := range append(ip("9"), ip("10")...) {
		known[k] = true
	}
	tunCompare(t, "testdata/crafted-geneve.pcap", known, tunFields(geneveFields, tunBase)...)
}

// A Geneve packet with one option carrying Ethernet (built by Scapy).
func TestGeneveHex(t *testing.T) {
	b := hexPkt(t, "66778899aabb001122334455080045000058000100004011f940c0a80001c0a800029c4017c10044043f"+
		"0200655812345600010280016162636400111111111100aabbccddee08004500001e00010000401166cc0a0000010a000002"+
		"00010002000a836b6869")
	p := packet.New(b, 1)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Summary(), "Ether / IP / UDP / GENEVE / Ether / IP / UDP 10.0.0.1:1 > 10.0.0.2:2 / Raw"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	tunShow(t, p, "###[ GENEVE ]###", "optionlen = 2", "proto     = TEB (0x6558)", "vni       = 0x123456",
		"###[ Geneve Options ]###", "classid   = Open Virtual Networking (OVN) (0x102)", "type      = 0x80",
		"length    = 1", "data      = b'abcd'")
	tunExpect(t, p, map[string]string{"geneve.option.length": "8,8", "geneve.vni": "0x123456", "geneve.option.type.critical": "1",
		"geneve.option": "0102800161626364", "geneve.options": "0102800161626364", "eth.src": "00:11:22:33:44:55,00:aa:bb:cc:dd:ee",
		"ip.src": "192.168.0.1,10.0.0.1"})
	checkRebuild(t, []frame{{b, 1}})

	// Its summary when Geneve is the innermost layer that has one.
	q := packet.New(b[:58], 1)
	if got, want := q.Summary(), "Ether / IP / UDP / GENEVE (vni=0x123456,optionlen=2,proto=TEB)"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

// Building Geneve with an option: the port, the options length, the
// option length and the protocol type come from the tables.
func TestGeneveBuild(t *testing.T) {
	opt := tunSpec(t, layers.GENEVE.Field("options").Elems[0], map[string]packet.Value{"classid": {U: 0x100},
		"type": {U: 1}, "data": {B: []byte("12345678")}})
	gen := tunSpec(t, layers.GENEVE, map[string]packet.Value{"vni": {U: 42}, "options": {List: []*packet.Spec{opt}}})
	p := buildPkt(t, packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), tunSpec(t, layers.UDP, map[string]packet.Value{"sport": {U: 5000}}),
		gen, packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), tunSpec(t, layers.UDP, map[string]packet.Value{"sport": {U: 1000}, "dport": {U: 2000}}))
	tunExpect(t, p, map[string]string{"udp.dstport": "6081,2000", "geneve.option.length": "12,12", "geneve.proto_type": "0x6558",
		"geneve.vni": "0x00002a", "geneve.option.unknown.data": "3132333435363738", "eth.type": "0x0800,0x0800"})

	// IPv4 straight after Geneve.
	p = buildPkt(t, packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), tunSpec(t, layers.UDP, map[string]packet.Value{"sport": {U: 5000}}),
		packet.NewSpec(layers.GENEVE), packet.NewSpec(layers.IP), tunSpec(t, layers.UDP, map[string]packet.Value{"sport": {U: 1000}, "dport": {U: 2000}}))
	tunExpect(t, p, map[string]string{"geneve.proto_type": "0x0800", "geneve.option.length": "0", "ip.src": "127.0.0.1,127.0.0.1"})
}

// FuzzGeneve feeds arbitrary bytes as the UDP payload of port 6081.
func FuzzGeneve(f *testing.F) {
	tunSeeds(f, 42, "testdata/crafted-geneve.pcap")
	fields := tunFields(geneveFields, tunBase)
	prefix := hexPkt(f, "66778899aabb001122334455 0800 4500 0000 0001 0000 4011 0000 c0a80001 c0a80002 9c40 17c1 0000 0000")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzPkt(t, append(append([]byte(nil), prefix...), data...), 1, fields)
	})
}
