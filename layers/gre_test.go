package layers_test

import (
	"strings"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var greFields = []string{"gre.flags_and_version", "gre.flags.checksum", "gre.flags.routing", "gre.flags.key",
	"gre.flags.sequence_number", "gre.flags.strict_source_route", "gre.flags.recursion_control", "gre.flags.reserved",
	"gre.flags.version", "gre.flags.ack", "gre.proto", "gre.checksum", "gre.offset", "gre.key", "gre.sequence_number",
	"gre.key.payload_length", "gre.key.call_id", "gre.ack_number"}

// ipOver builds Ether / IPv4 (protocol proto) / the given payload bytes,
// with the IPv4 length and checksum computed.
func ipOver(t testing.TB, proto int, payload string) []byte {
	b, err := packet.Stack{packet.NewSpec(layers.Ether), spec(t, layers.IP, "proto", proto, "src", "01020304", "dst", "05060708"),
		spec(t, packet.Raw, "load", payload)}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func craftedGRE(t testing.TB) [][]byte {
	return [][]byte{
		ipOver(t, 47, "00000800"+testIP4),
		ipOver(t, 47, "80000800"+"0000"+"0000"+testIP4),
		ipOver(t, 47, "80000800"+"39de"+"0000"+testIP4),
		ipOver(t, 47, "20000800"+"00000064"+testIP4),
		ipOver(t, 47, "10000800"+"00000005"+testIP4),
		ipOver(t, 47, "b0000800"+"0000"+"0000"+"00000064"+"00000005"+testIP4),
		ipOver(t, 47, "00008100"+"0064"+"0800"+testIP4),
		ipOver(t, 47, "000086dd"+testIP6),
		ipOver(t, 47, "00006558"+"ffffffffffff0011223344550800"+testIP4),
		ipOver(t, 47, "00008847"+"0001d1ff"+testIP4),
		ipOver(t, 47, "3081880b"+"001c0001"+"00000005"+"00000004"+"ff030021"+testIP4),
		ipOver(t, 47, "2001880b"+"00000001"+"ff030021"),
		ipOver(t, 47, "00000806"+testARP),
		ipOver(t, 47, "00010800"+testIP4),
		ipOver(t, 47, "000088a8"+"0064"+"0800"+testIP4),
		ipOver(t, 47, "0000883e"+testIP4),
		ipOver(t, 47, "30000800"+"00000064"),
	}
}

func TestGRECrafted(t *testing.T) {
	var plain, pptp [][]byte
	for _, b := range craftedGRE(t) {
		if strings.Contains(hexString(b), "880b") {
			pptp = append(pptp, b)
		} else {
			plain = append(plain, b)
		}
	}
	a := compareFile(t, writePcap(t, 1, plain...), append(greFields, "ip.src", "ip.proto", "mpls.label", "arp.opcode")...)
	t.Logf("crafted GRE: %d cells, %d differ", a.cells, a.diffs)
	// PPP after PPTP's GRE is another table's: the inner IP is not compared.
	a = compareFileFirst(t, writePcap(t, 1, pptp...), greFields, []string{"ip.src", "ip.proto"})
	t.Logf("crafted GRE_PPTP: %d cells, %d differ", a.cells, a.diffs)
}

// TestGRECorpus compares the GRE fields with tshark on corpus captures
// (keys, sequence numbers, ERSPAN, NHRP, PPTP's enhanced GRE).
func TestGRECorpus(t *testing.T) {
	var total agreement
	for _, rel := range []string{"arkime/tests/pcap/gre-erspan.pcap", "arkime/tests/pcap/arkime_synthetic.pcap",
		"tcpdump/tests/NHRP_registration.pcap", "tcpdump/tests/nhrp-trace.pcap",
		"suricata-verify/tests/defrag/bug-6942-6887-defrag-eth-ip-gre-ppp-ip-udp-data/eth-ip-gre-ppp-max-ip-packet.pcap",
		"tcpdump/tests/gre-heapoverflow-2.pcap", "tcpdump/tests/erspan-type-ii-3.pcap"} {
		path := corpusPath(t, rel)
		a := compareFile(t, path, greFields...)
		t.Logf("%s: %d packets, %d cells, %d differ, %d values", rel, a.rows, a.cells, a.diffs, nonEmpty(t, path, greFields...))
		total.add(a)
		checkRebuild(t, readPcap(t, path))
	}
	t.Logf("total: %d cells, %d differ", total.cells, total.diffs)
}

func TestGREShow(t *testing.T) {
	p := packet.New(craftedGRE(t)[5], 1)
	if got := layerNames(p); got != "Ether/IP/GRE/IP/UDP" {
		t.Fatalf("layers %s", got)
	}
	want := `###[ GRE ]###
        chksum_present= 1
        routing_present= 0
        key_present= 1
        seqnum_present= 1
        strict_route_source= 0
        recursion_control= 0
        flags     = 0
        version   = 0
        proto     = IPv4 (0x800)
        chksum    = 0x0
        offset    = 0x0
        key       = 0x64
        sequence_number= 0x5
`
	if s := p.ShowString(); !strings.Contains(s, want) {
		t.Errorf("show:\n%s\nwant:\n%s", s, want)
	}
	p = packet.New(craftedGRE(t)[10], 1)
	if got := layerNames(p); got != "Ether/IP/GRE_PPTP/Raw" {
		t.Errorf("PPTP: %s", got)
	}
}

func TestGREBuild(t *testing.T) {
	// Checksum computed when C is set; key and sequence number present.
	p := buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP),
		spec(t, layers.GRE, "chksum_present", 1, "key_present", 1, "key", "0000abcd", "seqnum_present", 1),
		packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP)})
	if got := layerNames(p); got != "Ether/IP/GRE/IP/UDP" {
		t.Fatalf("layers %s", got)
	}
	g := p.Layer(layers.GRE)
	if c := packet.Checksum(g.Data); c != 0 {
		t.Errorf("GRE checksum does not verify (%x)", g.Data[:16])
	}
	for f, want := range map[string]string{"ip.proto": "47,17", "gre.proto": "0x0800", "gre.flags_and_version": "0xb000",
		"gre.key": "0x0000abcd", "gre.sequence_number": "0", "gre.offset": "0"} {
		if got := field(t, p, f); got != want {
			t.Errorf("%s = %s, want %s", f, got, want)
		}
	}
	// A key given without its flag sets the flag.
	p = buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP),
		spec(t, layers.GRE, "key", "00000007"), packet.NewSpec(layers.Ether), packet.NewSpec(layers.ARP)})
	if got := field(t, p, "gre.flags.key") + " " + field(t, p, "gre.key") + " " + field(t, p, "gre.proto"); got != "1 0x00000007 0x6558" {
		t.Errorf("key: %s", got)
	}
	if got := layerNames(p); got != "Ether/IP/GRE/Ether/ARP" {
		t.Errorf("layers %s", got)
	}
	// Plain GRE: four bytes.
	b, err := packet.Stack{packet.NewSpec(layers.GRE), packet.NewSpec(layers.MPLS)}.Bytes()
	if err != nil || hexString(b[:4]) != "00008847" || len(b) != 8 {
		t.Errorf("GRE/MPLS: %x %v", b, err)
	}
	// PPTP's payload length.
	b, err = packet.Stack{spec(t, layers.GREPPTP, "call_id", 9), spec(t, packet.Raw, "load", "ff030021")}.Bytes()
	if err != nil || hexString(b) != "2001880b00040009ff030021" {
		t.Errorf("GRE_PPTP: %x %v", b, err)
	}
}

func FuzzGRE(f *testing.F) {
	for _, b := range craftedGRE(f) {
		f.Add(b)
	}
	refs := fieldRefs(f, greFields...)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLayers(t, data, 1, refs) })
}
