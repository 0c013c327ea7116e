package layers_test

import (
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var spbmFields = []string{"ieee8021ah.priority", "ieee8021ah.drop", "ieee8021ah.nca", "ieee8021ah.res1", "ieee8021ah.res2",
	"ieee8021ah.isid", "ieee8021ah.cdst", "ieee8021ah.csrc", "ieee8021ah.etype"}

// TestSPBMCorpus compares 802.1ah (under an 802.1Q backbone tag) and what
// it carries with tshark on Zeek's PBB trace.
func TestSPBMCorpus(t *testing.T) {
	path := corpusPath(t, "zeek/testing/btest/Traces/pbb.pcap")
	a := compareFile(t, path, append(spbmFields, "eth.src", "eth.dst", "vlan.id", "vlan.etype", "ip.src", "ip.dst",
		"tcp.srcport", "tcp.len", "arp.opcode")...)
	t.Logf("%d packets, %d cells, %d differ, %d values", a.rows, a.cells, a.diffs, nonEmpty(t, path, spbmFields...))
	checkRebuild(t, readPcap(t, path))
}

// An I-TAG made by hand: priority 5, I-SID 1000000, customer addresses,
// IPv4 inside.
const spbmHex = testEthHdr + "88e7" + "a00f4240" + "01005e000005" + "001122334466" + "0800" + testIP4

func TestSPBMHex(t *testing.T) {
	b := hexFrame(spbmHex)
	p := packet.New(b, 1)
	if got := layerNames(p); got != "Ether/SPBM/IP/UDP" {
		t.Fatalf("layers %s", got)
	}
	tunExpect(t, p, map[string]string{"ieee8021ah.priority": "5", "ieee8021ah.drop": "0", "ieee8021ah.isid": "1000000",
		"ieee8021ah.cdst": "01:00:5e:00:00:05", "ieee8021ah.csrc": "00:11:22:33:44:66", "ieee8021ah.etype": "0x0800",
		"eth.type": "0x88e7", "frame.protocols": "eth:ethertype:ieee8021ah:ethertype:ip:udp"})
	tunShow(t, p, "###[ SPBM ]###", "prio      = 5", "isid      = 1000000", "type      = IPv4 (0x800)")
	if l := p.Layer(layers.SPBM); string(l.Proto.Summary(nil, l)) != "SPBM (isid=1000000)" {
		t.Errorf("summary %q", l.Proto.Summary(nil, l))
	}
	checkRebuild(t, []frame{{b, 1}})
}

// Building: the Ethernet or 802.1Q type above is 0x88e7, SPBM's type comes
// from its payload.
func TestSPBMBuild(t *testing.T) {
	p := buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), spec(t, layers.Dot1Q, "vlan", 4051),
		spec(t, layers.SPBM, "isid", 20011, "prio", 1), packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP)})
	if got := layerNames(p); got != "Ether/Dot1Q/SPBM/IP/UDP" {
		t.Fatalf("layers %s", got)
	}
	tunExpect(t, p, map[string]string{"vlan.etype": "0x88e7", "ieee8021ah.etype": "0x0800", "ieee8021ah.isid": "20011",
		"ieee8021ah.priority": "1", "ieee8021ah.cdst": "ff:ff:ff:ff:ff:ff"})
}

func FuzzSPBM(f *testing.F) {
	seedCapture(f, "zeek/testing/btest/Traces/pbb.pcap", 0)
	f.Add(hexFrame(spbmHex))
	refs := fieldRefs(f, spbmFields...)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLayers(t, data, 1, refs) })
}
