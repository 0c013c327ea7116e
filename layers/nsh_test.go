package layers_test

import (
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var nshFields = []string{"nsh.version", "nsh.Obit", "nsh.CBit", "nsh.ttl", "nsh.length", "nsh.mdtype", "nsh.nextproto",
	"nsh.spi", "nsh.si", "nsh.contextheader", "nsh.metadataclass", "nsh.metadatatype", "nsh.metadataunassignedbit",
	"nsh.metadatalen", "nsh.metadata"}

// TestNSHCorpus compares NSH (after Ethernet and VXLAN-GPE) with tshark on
// the corpus captures that hold it.
func TestNSHCorpus(t *testing.T) {
	files := []string{
		"suricata-verify/tests/decode-nsh-type1/input.pcap",
		"suricata-verify/tests/decode-nsh-type2/input.pcap",
	}
	// VXLAN-GPE's table lives in another file (and Wireshark leaves it out
	// of frame.protocols, so tunNeeds cannot tell).
	if packet.Lookup("VXLAN_GPE") != nil {
		files = append(files, "tcpdump/tests/nsh-over-vxlan-gpe.pcap")
	}
	tunCorpus(t, files, nil, tunFields(nshFields, tunBase)...)
}

// TestNSHCrafted compares crafted NSH headers with tshark: MD types 1, 2,
// others, lengths shorter and longer than the context, metadata padding,
// metadata past the length or the captured bytes, each next protocol.
func TestNSHCrafted(t *testing.T) {
	known := map[string]bool{
		// Wireshark shows a TLV's metadata past the header's length when
		// the bytes are there; pktkit keeps it out of the header.
		"9:nsh.metadata": true,
	}
	// The payload of MD type 1 starts after the context headers whatever
	// the length says, and of MD type 2 at the length: here not an IP
	// header, which Wireshark shows no field of and the IP table still
	// reads.
	for _, n := range []string{"2", "3", "8", "9"} {
		for _, f := range []string{"ip.src", "ip.dst", "ip.len", "ip.id", "ip.proto", "ip.checksum"} {
			known[n+":"+f] = true
		}
	}
	tunCompare(t, "testdata/crafted-nsh.pcap", known, tunFields(nshFields, tunBase)...)
}

// An NSH MD type 1 header carrying IPv4 (built by Scapy).
func TestNSHHex(t *testing.T) {
	b := hexPkt(t, "66778899aabb001122334455894f0fc60101000042fe000102030405060708090a0b0c0d0e0f"+
		"4500001e00010000401166cc0a0000010a00000200010002000a836b6869")
	p := packet.New(b, 1)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Summary(), "Ether / NSH / IP / UDP 10.0.0.1:1 > 10.0.0.2:2 / Raw"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	tunShow(t, p, "###[ NSH ]###", "ttl       = 63", "length    = 6", "mdtype    = Fixed Length (1)",
		"nextproto = IPv4 (1)", "spi       = 0x42", "si        = 254", "###[ NSH Context Header ]###")
	tunExpect(t, p, map[string]string{"nsh.spi": "66", "nsh.ttl": "0x003f", "nsh.mdtype": "1",
		"nsh.contextheader": "00010203,04050607,08090a0b,0c0d0e0f", "ip.src": "10.0.0.1"})
	checkRebuild(t, []frame{{b, 1}})
	if got := packet.New(b[:38], 1).Summary(); got != "Ether / SPI: 0x42 - SI: 254" {
		t.Errorf("summary %q", got)
	}
}

// Building NSH with defaults (MD type 1, Scapy's TTL and SI) and with
// metadata TLVs: lengths and the next protocol come from the tables.
func TestNSHBuild(t *testing.T) {
	udp := func() *packet.Spec {
		return tunSpec(t, layers.UDP, map[string]packet.Value{"sport": {U: 1000}, "dport": {U: 2000}})
	}
	ctx := layers.NSH.Field("context_header").Elems[0]
	var ctxs []*packet.Spec
	for i := 0; i < 4; i++ {
		ctxs = append(ctxs, tunSpec(t, ctx, map[string]packet.Value{"value": {B: []byte{0, 0, 0, byte(i)}}}))
	}
	p := buildPkt(t, packet.NewSpec(layers.Ether), tunSpec(t, layers.NSH, map[string]packet.Value{"context_header": {List: ctxs}}),
		packet.NewSpec(layers.IP), udp())
	tunExpect(t, p, map[string]string{"eth.type": "0x894f", "nsh.length": "6", "nsh.nextproto": "1", "nsh.ttl": "0x003f",
		"nsh.si": "255", "nsh.contextheader": "00000000,00000001,00000002,00000003", "ip.src": "127.0.0.1"})

	tlv := tunSpec(t, layers.NSH.Field("vlch").Elems[0], map[string]packet.Value{"class_": {U: 1}, "type": {U: 2},
		"metadata": {B: []byte("abcde")}, "padding": {B: []byte{0, 0, 0}}})
	p = buildPkt(t, packet.NewSpec(layers.Ether), tunSpec(t, layers.NSH, map[string]packet.Value{"mdtype": {U: 2},
		"vlch": {List: []*packet.Spec{tlv}}}), packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), udp())
	tunExpect(t, p, map[string]string{"nsh.length": "5", "nsh.nextproto": "3", "nsh.metadatalen": "0x05",
		"nsh.metadata": "6162636465", "eth.type": "0x894f,0x0800"})
}

// FuzzNSH feeds arbitrary bytes as the payload of EtherType 0x894f.
func FuzzNSH(f *testing.F) {
	tunSeeds(f, 14, "testdata/crafted-nsh.pcap")
	fields := tunFields(nshFields, tunBase)
	prefix := hexPkt(f, "66778899aabb001122334455 894f")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzPkt(t, append(append([]byte(nil), prefix...), data...), 1, fields)
	})
}
