package layers_test

import (
	"strings"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var mplsFields = []string{"mpls.label", "mpls.exp", "mpls.bottom", "mpls.ttl", "pweth.cw.sequence_number",
	"pwach.ver", "pwach.res", "pwach.channel_type"}

func craftedMPLS() [][]byte {
	E := testEthHdr
	return [][]byte{
		hexFrame(E + "8847" + "0001d1ff" + testIP4),
		hexFrame(E + "8847" + "00010040" + "0001d1ff" + testIP6),
		hexFrame(E + "8847" + "0001d1ff" + "00000005" + "cc070d080000cc00a6400000" + "0800" + testIP4),
		hexFrame(E + "8847" + "0001d1ff" + "5000000000010011223344550800" + testIP4),
		hexFrame(E + "8847" + "0001d1ff" + "10000021" + testIP4),
		hexFrame(E + "8848" + "0001d1ff" + testIP4),
		hexFrame(E + "8847" + "0000013f" + testIP4),
		hexFrame(E + "8847" + "0000213f" + testIP6),
		hexFrame(E + "8847" + "0000013f" + testIP6),
		hexFrame(E + "8847" + "00010040"),
		hexFrame(E + "8847" + "0001d1ff" + testIP4 + strings.Repeat("00", 14)),
		hexFrame(E + "8847" + "fffffbff" + "00000000" + "0000"),
	}
}

func TestMPLSCrafted(t *testing.T) {
	a := compareFileFirst(t, writePcap(t, 1, craftedMPLS()...), append(mplsFields, "eth.src", "vlan.id"), linkCheckFields)
	t.Logf("crafted MPLS: %d cells, %d differ", a.cells, a.diffs)
}

// TestMPLSCorpus compares the MPLS fields and the IP fields under the label
// stack with tshark on corpus captures (IPv4 under MPLS, Ethernet
// pseudowires with a control word, MPLS in UDP, a malformed stack).
func TestMPLSCorpus(t *testing.T) {
	var total agreement
	for _, rel := range []string{"arkime/tests/pcap/mpls-basic.pcap", "pcapplusplus/Tests/Packet++Test/PacketExamples/MplsPackets.pcap",
		"tcpdump/tests/mpls-over-udp.pcap", "tcpdump/tests/mpls-label-heapoverflow.pcap"} {
		path := corpusPath(t, rel)
		a := compareFileFirst(t, path, append(mplsFields, "vlan.id"), linkCheckFields)
		t.Logf("%s: %d packets, %d cells, %d differ, %d values", rel, a.rows, a.cells, a.diffs, nonEmpty(t, path, mplsFields...))
		total.add(a)
		checkRebuild(t, readPcap(t, path))
	}
	t.Logf("total: %d cells, %d differ", total.cells, total.diffs)
}

func TestMPLSShow(t *testing.T) {
	p := packet.New(craftedMPLS()[1], 1)
	if got := layerNames(p); got != "Ether/MPLS/MPLS/Raw" && got != "Ether/MPLS/MPLS/IPv6" && !strings.HasPrefix(got, "Ether/MPLS/MPLS/IPv6/") {
		t.Fatalf("layers %s", got)
	}
	want := "###[ MPLS ]###\n     label     = 16\n     cos       = 0\n     s         = 0\n     ttl       = 64\n"
	if s := p.ShowString(); !strings.Contains(s, want) {
		t.Errorf("show:\n%s\nwant:\n%s", s, want)
	}
	if got := field(t, p, "mpls.label"); got != "16,29" {
		t.Errorf("mpls.label %s", got)
	}
	p = packet.New(craftedMPLS()[2], 1)
	if got := layerNames(p); got != "Ether/MPLS/EoMCW/Ether/IP/UDP" {
		t.Errorf("pseudowire: %s", got)
	}
}

func TestMPLSBuild(t *testing.T) {
	p := buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), spec(t, layers.MPLS, "label", 100, "ttl", 64),
		spec(t, layers.MPLS, "label", 200, "cos", 5, "ttl", 63), packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP)})
	if got := layerNames(p); got != "Ether/MPLS/MPLS/IP/UDP" {
		t.Fatalf("layers %s", got)
	}
	for f, want := range map[string]string{"eth.type": "0x8847", "mpls.label": "100,200", "mpls.bottom": "0,1",
		"mpls.exp": "0,5", "mpls.ttl": "64,63"} {
		if got := field(t, p, f); got != want {
			t.Errorf("%s = %s, want %s", f, got, want)
		}
	}
	p = buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), packet.NewSpec(layers.MPLS), packet.NewSpec(layers.EoMCW),
		packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP)})
	if got := layerNames(p); got != "Ether/MPLS/EoMCW/Ether/IP" {
		t.Errorf("pseudowire: %s", got)
	}
}

func FuzzMPLS(f *testing.F) {
	for _, b := range craftedMPLS() {
		f.Add(b)
	}
	refs := fieldRefs(f, mplsFields...)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLayers(t, data, 1, refs) })
}
