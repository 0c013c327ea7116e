package layers_test

import (
	"strings"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var vxlanFields = []string{"vxlan.flags", "vxlan.flag_g", "vxlan.flag_i", "vxlan.flag_d", "vxlan.flag_a",
	"vxlan.flags_reserved", "vxlan.gbp", "vxlan.vni", "vxlan.reserved8", "vxlan.ver", "vxlan.i_bit", "vxlan.p_bit",
	"vxlan.o_bit", "vxlan.reserved_16", "vxlan.next_proto"}

// udpOver builds Ether / IPv4 / UDP (ports) / payload bytes.
func udpOver(t testing.TB, sport, dport int, payload string) []byte {
	b, err := packet.Stack{packet.NewSpec(layers.Ether), spec(t, layers.IP, "src", "0a000001", "dst", "0a000002"),
		spec(t, layers.UDP, "sport", sport, "dport", dport), spec(t, packet.Raw, "load", payload)}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func craftedVXLAN(t testing.TB) [][]byte {
	inner := testEthHdr + "0800" + testIP4
	return [][]byte{
		udpOver(t, 50000, 4789, "08000000"+"003039"+"00"+inner),
		udpOver(t, 4789, 50000, "0c000003"+"000001"+"00"+inner),
		udpOver(t, 4789, 4789, "88400064"+"0000ff"+"00"+inner),
		udpOver(t, 50000, 4790, "0c000001"+"00d431"+"00"+testIP4),
		udpOver(t, 50000, 4790, "0c000003"+"00d431"+"00"+inner),
		udpOver(t, 50000, 4790, "08000002"+"000001"+"00"+testIP6),
		udpOver(t, 50000, 4790, "0c000005"+"000001"+"00"+"0001d1ff"+testIP4),
		udpOver(t, 50000, 8472, "08000000"+"003039"+"00"+inner),
		udpOver(t, 50000, 4790, "ce000001"+"000001"+"00"+testIP4),
	}
}

func TestVXLANCrafted(t *testing.T) {
	a := compareFile(t, writePcap(t, 1, craftedVXLAN(t)...), append(vxlanFields, "eth.src", "ip.src", "mpls.label")...)
	t.Logf("crafted VXLAN: %d cells, %d differ", a.cells, a.diffs)
}

// TestVXLANCorpus compares the VXLAN fields and what follows with tshark on
// corpus captures (VXLAN with ARP and IPv4 inside, GPE).
func TestVXLANCorpus(t *testing.T) {
	var total agreement
	for _, rel := range []string{"ndpi/tests/cfgs/default/pcap/vxlan.pcap", "pcapplusplus/Tests/Packet++Test/PacketExamples/Vxlan1.pcap",
		"pcapplusplus/Tests/Packet++Test/PacketExamples/Vxlan2.pcap", "suricata-verify/tests/arp/detect-arp-04-vxlan/vxlan-arp.pcap",
		"suricata-verify/tests/vxlan-decoder-03/vxlan.pcap", "arkime/tests/pcap/arkime_synthetic.pcap"} {
		path := corpusPath(t, rel)
		fields := append(vxlanFields, "eth.src", "eth.dst", "arp.opcode")
		if strings.Contains(rel, "arkime_synthetic") {
			fields = vxlanFields // it has Geneve and ERSPAN too, which are not dissected here
		}
		a := compareFile(t, path, fields...)
		t.Logf("%s: %d packets, %d cells, %d differ, %d values", rel, a.rows, a.cells, a.diffs, nonEmpty(t, path, vxlanFields...))
		total.add(a)
		checkRebuild(t, readPcap(t, path))
	}
	t.Logf("total: %d cells, %d differ", total.cells, total.diffs)
}

func TestVXLANShow(t *testing.T) {
	p := packet.New(craftedVXLAN(t)[0], 1)
	if got := layerNames(p); got != "Ether/IP/UDP/VXLAN/Ether/IP/UDP" {
		t.Fatalf("layers %s", got)
	}
	l := p.Layer(layers.VXLAN)
	if got := string(l.Proto.Summary(nil, l)); got != "VXLAN (vni=0x3039)" {
		t.Errorf("summary %q", got)
	}
	want := "###[ VXLAN ]###\n           flags     = Instance (0x8)\n           reserved1 = 0\n           vni       = 0x3039\n           reserved2 = 0x0\n"
	if s := p.ShowString(); !strings.Contains(s, want) {
		t.Errorf("show:\n%s\nwant:\n%s", s, want)
	}
	l = packet.New(craftedVXLAN(t)[2], 1).Layer(layers.VXLAN)
	if got := string(l.Proto.Summary(nil, l)); got != "VXLAN (vni=0xff gpid=100)" {
		t.Errorf("GBP summary %q", got)
	}
	if got := layerNames(packet.New(craftedVXLAN(t)[3], 1)); got != "Ether/IP/UDP/VXLAN_GPE/IP/UDP" {
		t.Errorf("GPE: %s", got)
	}
}

func TestVXLANBuild(t *testing.T) {
	p := buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP),
		spec(t, layers.VXLAN, "vni", 42), packet.NewSpec(layers.Ether), packet.NewSpec(layers.ARP)})
	if got := layerNames(p); got != "Ether/IP/UDP/VXLAN/Ether/ARP" {
		t.Fatalf("layers %s", got)
	}
	for f, want := range map[string]string{"udp.dstport": "4789", "vxlan.flags": "0x0800", "vxlan.vni": "42", "vxlan.flag_i": "1"} {
		if got := field(t, p, f); got != want {
			t.Errorf("%s = %s, want %s", f, got, want)
		}
	}
	p = buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP),
		spec(t, layers.VXLANGPE, "vni", 7), packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP)})
	if got := field(t, p, "udp.dstport") + " " + field(t, p, "vxlan.next_proto") + " " + layerNames(p); got != "4790,53 1 Ether/IP/UDP/VXLAN_GPE/IP/UDP" {
		t.Errorf("GPE: %s", got)
	}
}

func FuzzVXLAN(f *testing.F) {
	for _, b := range craftedVXLAN(f) {
		f.Add(b)
	}
	f.Add(udpOver(f, 50000, 4789, "0800"))
	refs := fieldRefs(f, vxlanFields...)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLayers(t, data, 1, refs) })
}
