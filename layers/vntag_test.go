package layers_test

import (
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var vntagFields = []string{"vntag.dir", "vntag.ptr", "vntag.dst", "vntag.looped", "vntag.r", "vntag.version",
	"vntag.src", "vntag.etype"}

// TestVNTagCorpus compares VN-Tag and what it carries with tshark on the
// corpus captures holding it.
func TestVNTagCorpus(t *testing.T) {
	for _, rel := range []string{"zeek/testing/btest/Traces/vntag.pcap", "suricata-verify/tests/decode-vntag-01/input.pcap"} {
		path := corpusPath(t, rel)
		a := compareFile(t, path, append(vntagFields, "eth.src", "vlan.id", "ip.src", "ip.dst", "ip.proto", "tcp.srcport", "udp.srcport")...)
		t.Logf("%s: %d packets, %d cells, %d differ, %d values", rel, a.rows, a.cells, a.diffs, nonEmpty(t, path, vntagFields...))
		checkRebuild(t, readPcap(t, path))
	}
}

// A VN-Tag made by hand: direction set, destination VIF 0x123, source VIF
// 0x45, an 802.1Q tag (VLAN 100) and IPv4 inside.
const vntagHex = testEthHdr + "8926" + "81230045" + "8100" + "0064" + "0800" + testIP4

func TestVNTagHex(t *testing.T) {
	b := hexFrame(vntagHex)
	p := packet.New(b, 1)
	if got := layerNames(p); got != "Ether/VNTag/Dot1Q/IP/UDP" {
		t.Fatalf("layers %s", got)
	}
	tunExpect(t, p, map[string]string{"vntag.dir": "1", "vntag.ptr": "0", "vntag.dst": "291", "vntag.src": "69",
		"vntag.looped": "0", "vntag.etype": "0x8100", "vlan.id": "100",
		"frame.protocols": "eth:ethertype:vntag:ethertype:vlan:ethertype:ip:udp"})
	tunShow(t, p, "###[ VN-Tag ]###", "dst       = 291", "src       = 69")
	if l := p.Layer(layers.VNTag); string(l.Proto.Summary(nil, l)) != "VN-Tag src=69 dst=291" {
		t.Errorf("summary %q", l.Proto.Summary(nil, l))
	}
	checkRebuild(t, []frame{{b, 1}})
}

// Building: Ethernet's type is 0x8926, VN-Tag's that of its payload.
func TestVNTagBuild(t *testing.T) {
	p := buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), spec(t, layers.VNTag, "src", 7),
		packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP)})
	if got := layerNames(p); got != "Ether/VNTag/IP/UDP" {
		t.Fatalf("layers %s", got)
	}
	tunExpect(t, p, map[string]string{"eth.type": "0x8926", "vntag.etype": "0x0800", "vntag.src": "7"})
}

func FuzzVNTag(f *testing.F) {
	seedCapture(f, "suricata-verify/tests/decode-vntag-01/input.pcap", 0)
	f.Add(hexFrame(vntagHex))
	refs := fieldRefs(f, vntagFields...)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLayers(t, data, 1, refs) })
}
