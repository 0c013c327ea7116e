package layers_test

import (
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var cfpFields = []string{"cfp.d_hmac_mc", "cfp.ul", "cfp.ig", "cfp.ooodl", "cfp.swid", "cfp.sswid", "cfp.lid",
	"cfp.etype", "cfp.ftag", "cfp.ttl"}

// TestCFPCorpus compares the FabricPath fields, and the Ethernet fields
// (tshark shows only the inner header's), with tshark on the corpus
// captures holding FabricPath. Fields past the inner Ethernet header are
// left out: tshark's cfp dissector takes the frame's last four bytes as an
// FCS, which these captures do not have (see cfp.go).
func TestCFPCorpus(t *testing.T) {
	for _, rel := range []string{"zeek/testing/btest/Traces/cisco-fabric-path.pcap", "ndpi/tests/cfgs/default/pcap/ajp.pcap"} {
		path := corpusPath(t, rel)
		a := compareFile(t, path, append(cfpFields, "eth.src", "eth.dst", "eth.type", "vlan.id", "ip.src", "ipv6.src")...)
		t.Logf("%s: %d packets, %d cells, %d differ, %d values", rel, a.rows, a.cells, a.diffs, nonEmpty(t, path, cfpFields...))
		checkRebuild(t, readPcap(t, path))
	}
}

// cfpHex is a FabricPath frame made by hand: a unicast hierarchical
// destination (U/L set, switch 0xabc, sub-switch 5, LID 0x1234), a source
// (U/L and OOO/DL set, switch 0xabd, sub-switch 7, LID 1), FTAG 256, TTL
// 32, then an Ethernet frame with IPv4/UDP.
const cfpHex = "020abc051234" + "021abd070001" + "8903" + "4020" + testEthHdr + "0800" + testIP4

func TestCFPHex(t *testing.T) {
	b := hexFrame(cfpHex)
	p := packet.New(b, 1)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if got := layerNames(p); got != "CFP/Ether/IP/UDP" {
		t.Fatalf("layers %s", got)
	}
	tunExpect(t, p, map[string]string{"cfp.ul": "1,1", "cfp.ig": "0,0", "cfp.ooodl": "0,1", "cfp.swid": "2748,2749",
		"cfp.sswid": "5,7", "cfp.lid": "4660,1", "cfp.etype": "0x8903", "cfp.ftag": "256", "cfp.ttl": "32",
		"cfp.d_hmac_mc": "", "eth.src": "00:11:22:33:44:55", "eth.type": "0x0800", "frame.protocols": "eth:cfp:eth:ethertype:ip:udp"})
	tunShow(t, p, "###[ Cisco FabricPath ]###", "ftag      = 256", "ttl       = 32", "swid      = 2748", "lid       = 4660")
	if got := p.Summary(); got != "CFP / Ether / IP / UDP 127.0.0.1:53 > 127.0.0.1:53" {
		t.Errorf("summary %q", got)
	}
	if l := p.Layer(layers.CFP); string(l.Proto.Summary(nil, l)) != "FabricPath ftag=256 ttl=32" {
		t.Errorf("CFP summary %q", l.Proto.Summary(nil, l))
	}
	checkRebuild(t, []frame{{b, 1}})

	// A multicast destination is a plain MAC address.
	b = hexFrame("01005e000001" + "021abd070001" + "8903" + "0001" + testEthHdr + "0800" + testIP4)
	p = packet.New(b, 1)
	tunExpect(t, p, map[string]string{"cfp.d_hmac_mc": "01:00:5e:00:00:01", "cfp.swid": "2749", "cfp.ttl": "1"})
	checkRebuild(t, []frame{{b, 1}})

	// Cut short inside the FabricPath header: Ethernet, then data.
	if got := layerNames(packet.New(b[:15], 1)); got != "Ether/Raw" {
		t.Errorf("short frame: %s", got)
	}
}

// Building a FabricPath frame: EtherType 0x8903 by default, the inner
// Ethernet's type from its payload.
func TestCFPBuild(t *testing.T) {
	hmac := func(sw int) *packet.Spec {
		return spec(t, packet.Lookup("CFP_HMAC"), "ul", 1, "swid", sw, "sswid", 3, "lid", 9)
	}
	c := packet.NewSpec(layers.CFP)
	for name, sw := range map[string]int{"dst": 100, "src": 200} {
		if err := c.Set(name, packet.Value{List: []*packet.Spec{hmac(sw)}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Set("ftag", packet.Value{U: 5}); err != nil {
		t.Fatal(err)
	}
	p := buildBack(t, 1, packet.Stack{c, packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP)})
	if got := layerNames(p); got != "CFP/Ether/IP/UDP" {
		t.Fatalf("layers %s", got)
	}
	tunExpect(t, p, map[string]string{"cfp.etype": "0x8903", "cfp.swid": "100,200", "cfp.ul": "1,1", "cfp.lid": "9,9",
		"cfp.ftag": "5", "eth.type": "0x0800"})

	// Addresses left unset are six zero bytes each (hierarchical address 0).
	p = buildBack(t, 1, packet.Stack{packet.NewSpec(layers.CFP), packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP)})
	if got := layerNames(p); got != "CFP/Ether/IP" {
		t.Fatalf("defaults: layers %s", got)
	}
	tunExpect(t, p, map[string]string{"cfp.swid": "0,0", "cfp.lid": "0,0", "cfp.d_hmac_mc": "", "cfp.etype": "0x8903"})
	if len(p.Data) != 16+14+20 {
		t.Errorf("defaults: %d bytes, want %d", len(p.Data), 16+14+20)
	}
}

func FuzzCFP(f *testing.F) {
	seedCapture(f, "zeek/testing/btest/Traces/cisco-fabric-path.pcap", 8)
	f.Add(hexFrame(cfpHex))
	refs := fieldRefs(f, cfpFields...)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLayers(t, data, 1, refs) })
}

// seedCapture adds the first n frames (all when n is 0) of a corpus
// capture as fuzz seeds, when PKTKIT_CORPUS is set.
func seedCapture(f *testing.F, rel string, n int) {
	dir := corpusDirOrEmpty()
	if dir == "" {
		return
	}
	frames := readPcap(f, dir+"/"+rel)
	if n > 0 && n < len(frames) {
		frames = frames[:n]
	}
	for _, fr := range frames {
		f.Add(fr.data)
	}
}
