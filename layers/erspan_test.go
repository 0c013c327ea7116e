package layers_test

import (
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var erspanFields = []string{"erspan.version", "erspan.vlan", "erspan.cos", "erspan.encap", "erspan.bso", "erspan.truncated",
	"erspan.spanid", "erspan.reserved", "erspan.index", "erspan.timestamp", "erspan.sgt", "erspan.p", "erspan.ft",
	"erspan.hw", "erspan.direction", "erspan.gra", "erspan.o", "erspan.platid"}

// TestERSPANCorpus compares the ERSPAN fields and the mirrored frames'
// addresses with tshark on corpus captures of types I, II and III.
func TestERSPANCorpus(t *testing.T) {
	var total agreement
	for _, rel := range []string{"tcpdump/tests/erspan-type-i-1.pcap", "tcpdump/tests/erspan-type-ii-1.pcap",
		"tcpdump/tests/erspan-type-ii-3.pcap", "tcpdump/tests/erspan-type-iii-ft-0.pcap", "zeek/testing/btest/Traces/erspanI.pcap",
		"zeek/testing/btest/Traces/erspanII.pcap", "zeek/testing/btest/Traces/erspanIII.pcap", "arkime/tests/pcap/gre-erspan.pcap",
		"arkime/tests/pcap/gre-erspan-vxlan.pcap"} {
		path := corpusPath(t, rel)
		a := compareFile(t, path, append(erspanFields, "eth.src", "eth.dst", "vlan.id", "ip.src", "vxlan.vni")...)
		t.Logf("%s: %d packets, %d cells, %d differ, %d values", rel, a.rows, a.cells, a.diffs, nonEmpty(t, path, erspanFields...))
		total.add(a)
		checkRebuild(t, readPcap(t, path))
	}
	t.Logf("total: %d cells, %d differ", total.cells, total.diffs)
}

func TestERSPANBuild(t *testing.T) {
	p := buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP),
		spec(t, layers.GRE, "seqnum_present", 1), spec(t, layers.ERSPANII, "session_id", 7, "vlan", 100),
		packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP)})
	if got := layerNames(p); got != "Ether/IP/GRE/ERSPAN_II/Ether/IP" {
		t.Fatalf("layers %s", got)
	}
	for f, want := range map[string]string{"gre.proto": "0x88be", "erspan.version": "1", "erspan.spanid": "7", "erspan.vlan": "100"} {
		if got := field(t, p, f); got != want {
			t.Errorf("%s = %s, want %s", f, got, want)
		}
	}
	p = buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), packet.NewSpec(layers.GRE),
		packet.NewSpec(layers.ERSPANIII), packet.NewSpec(layers.Ether), packet.NewSpec(layers.ARP)})
	if got := layerNames(p); got != "Ether/IP/GRE/ERSPAN_III/Ether/ARP" {
		t.Errorf("type III: %s", got)
	}
	p = buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), packet.NewSpec(layers.GRE),
		packet.NewSpec(layers.ERSPANI), packet.NewSpec(layers.Ether), packet.NewSpec(layers.ARP)})
	if got := layerNames(p); got != "Ether/IP/GRE/ERSPAN_I/Ether/ARP" {
		t.Errorf("type I: %s", got)
	}
}

func FuzzERSPAN(f *testing.F) {
	for _, rel := range []string{"tcpdump/tests/erspan-type-ii-1.pcap", "tcpdump/tests/erspan-type-iii-ft-0.pcap",
		"zeek/testing/btest/Traces/erspanI.pcap"} {
		if dir := corpusDirOrEmpty(); dir != "" {
			for _, fr := range readPcap(f, dir+"/"+rel) {
				f.Add(fr.data)
			}
		}
	}
	f.Add(ipOver(f, 47, "100088be"+"00000001"+"10640007"+"00000000"+testEthHdr+"0800"+testIP4))
	f.Add(ipOver(f, 47, "000022eb"+"20640007"+"00000000"+"00000001"+testEthHdr+"0800"+testIP4))
	refs := fieldRefs(f, erspanFields...)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLayers(t, data, 1, refs) })
}
