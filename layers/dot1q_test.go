package layers_test

import (
	"strings"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var vlanFields = []string{"vlan.priority", "vlan.dei", "vlan.id", "vlan.etype", "vlan.len",
	"ieee8021ad.priority", "ieee8021ad.dei", "ieee8021ad.id", "ieee8021ad.svid", "ieee8021ad.cvid"}

const testEthHdr = "ffffffffffff001122334455"

// craftedVLAN covers 802.1Q, 802.1ad single and paired tags, the old QinQ
// TPID, an LLC payload with a length, IPv6 and trailers.
func craftedVLAN() [][]byte {
	E := testEthHdr
	return [][]byte{
		hexFrame(E + "8100" + "f064" + "0800" + testIP4),
		hexFrame(E + "88a8" + "f064" + "8100" + "2065" + "0800" + testIP4),
		hexFrame(E + "9100" + "f064" + "8100" + "2065" + "0800" + testIP4),
		hexFrame(E + "8100" + "0064" + "0008" + "aaaa0300000008004500" + "0000000000000000"),
		hexFrame(E + "8100" + "0064" + "86dd" + testIP6),
		hexFrame(E + "88a8" + "3064" + "0800" + testIP4),
		hexFrame(E + "88a8" + "3064" + "88a8" + "0005" + "0800" + testIP4),
		hexFrame(E + "88a8" + "3064" + "88a8" + "0005" + "88a8" + "0006" + "8100" + "0007" + "0800" + testIP4),
		hexFrame(E + "8100" + "0064" + "88a8" + "0005" + "0800" + testIP4),
		hexFrame(E + "8100" + "0064" + "0003" + "424203" + "00000000000000000000000000000000"),
		hexFrame(E + "8100" + "0064" + "0800" + testIP4 + "00000000"),
		hexFrame(E + "8100" + "0064" + "0806" + testARP),
	}
}

func TestVLANCrafted(t *testing.T) {
	a := compareFileFirst(t, writePcap(t, 1, craftedVLAN()...), vlanFields, append([]string{"llc.dsap", "llc.type"}, linkCheckFields...))
	t.Logf("crafted VLAN: %d cells, %d differ", a.cells, a.diffs)
}

// TestVLANCorpus compares every 802.1Q/802.1ad field with tshark on corpus
// captures with VLAN tags (QinQ among them).
func TestVLANCorpus(t *testing.T) {
	var total agreement
	for _, rel := range []string{"arkime/tests/pcap/arkime_synthetic.pcap", "arkime/tests/pcap/dns-dnskey.pcap",
		"arkime/tests/pcap/kafka.pcap", "arkime/tests/pcap/cassandra1.pcap"} {
		path := corpusPath(t, rel)
		a := compareFile(t, path, vlanFields...)
		t.Logf("%s: %d packets, %d cells, %d differ, %d values", rel, a.rows, a.cells, a.diffs, nonEmpty(t, path, vlanFields...))
		total.add(a)
		checkRebuild(t, readPcap(t, path))
	}
	t.Logf("total: %d cells, %d differ", total.cells, total.diffs)
}

// notL2Here lists Ethernet captures whose differences with tshark in these
// fields come from protocols outside these tables.
var notL2Here = map[string]string{
	"ndpi/tests/cfgs/default/pcap/capwap.pcap":                                "ARP inside CAPWAP",
	"ndpi/tests/cfgs/default/pcap/sflow.pcap":                                 "802.1Q inside sFlow samples",
	"ndpi/tests/cfgs/default/pcap/fuzz-2006-06-26-2594.pcap":                  "Ethernet type 0 (Wireshark's ETHERTYPE_UNK is not an 802.3 length): ether.go's dispatch",
	"pcapplusplus/Tests/Fuzzers/RegressionTests/regression_samples/igmplayer": "record layout the test's pcap reader reads differently",
	"tcpdump/tests/DTP.pcap":                                                  "Cisco ISL (01:00:0c:00:00:00)",
	"tcpdump/tests/arista_ether.pcap":                                         "Arista timestamp EtherType (0xd28b)",
	"tcpdump/tests/l2tp-avp-overflow.pcap":                                    "Ethernet header cut short by the capture (Wireshark shows no eth.dst)",
	"zeek/testing/btest/Traces/tunnels/geneve-arp.pcap":                       "ARP inside Geneve",
}

// TestEthernetCorpusL2 compares the precomputed tshark fields this file's
// tables decide (VLAN IDs, ARP, Ethernet addresses and types at every
// depth) over every Ethernet pcap capture of the corpus.
func TestEthernetCorpusL2(t *testing.T) {
	fields := []string{"vlan.id", "arp.opcode", "arp.src.proto_ipv4", "arp.dst.proto_ipv4"}
	outer := []string{"eth.src", "eth.dst", "eth.type"}
	var total agreement
	files := 0
	for _, path := range corpusCaptures(t, 1) {
		rel := strings.TrimPrefix(path, corpusPath(t, "")+"/")
		if why, ok := notL2Here[rel]; ok {
			t.Logf("%s: skipped: %s", rel, why)
			continue
		}
		a, ok := compareExpected(t, path, fields, outer)
		if !ok {
			continue
		}
		files++
		if a.diffs > 0 {
			t.Logf("%s: %d packets, %d cells, %d differ", strings.TrimPrefix(path, corpusPath(t, "")), a.rows, a.cells, a.diffs)
		}
		total.add(a)
	}
	t.Logf("Ethernet: %d captures, %d packets, %d cells, %d differ", files, total.rows, total.cells, total.diffs)
}

func TestVLANShow(t *testing.T) {
	p := packet.New(hexFrame(testEthHdr+"8100"+"f064"+"0800"+testIP4), 1)
	if got := layerNames(p); got != "Ether/Dot1Q/IP/UDP" {
		t.Fatalf("layers %s", got)
	}
	l := p.Layer(layers.Dot1Q)
	if got := string(l.Proto.Summary(nil, l)); got != "802.1q 00:11:22:33:44:55 > ff:ff:ff:ff:ff:ff (IPv4) vlan 100" {
		t.Errorf("summary %q", got)
	}
	want := "###[ 802.1Q ]###\n     prio      = 7\n     id        = 1\n     vlan      = 100\n     type      = IPv4 (0x800)\n"
	if s := p.ShowString(); !strings.Contains(s, want) {
		t.Errorf("show:\n%s\nwant:\n%s", s, want)
	}
	p = packet.New(hexFrame(testEthHdr+"88a8"+"3064"+"88a8"+"0005"+"0800"+testIP4), 1)
	if got := layerNames(p); got != "Ether/Dot1AD/Dot1AD/IP/UDP" {
		t.Fatalf("layers %s", got)
	}
	if a, b := field(t, p, "ieee8021ad.svid"), field(t, p, "ieee8021ad.cvid"); a != "100" || b != "5" {
		t.Errorf("svid %s cvid %s", a, b)
	}
}

func TestVLANBuild(t *testing.T) {
	p := buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), spec(t, layers.Dot1AD, "vlan", 10),
		spec(t, layers.Dot1Q, "vlan", 20, "prio", 5), packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP)})
	if got := layerNames(p); got != "Ether/Dot1AD/Dot1Q/IP/UDP" {
		t.Fatalf("layers %s", got)
	}
	if got := field(t, p, "eth.type") + " " + field(t, p, "vlan.etype") + " " + field(t, p, "vlan.priority"); got != "0x88a8 0x0800 5" {
		t.Errorf("types %s", got)
	}
	if got := hexString(p.Data[14:18]); got != "000a8100" {
		t.Errorf("S-tag %s", got)
	}
	// A length when LLC follows.
	p = buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), packet.NewSpec(layers.Dot1Q), packet.NewSpec(layers.LLC),
		packet.NewSpec(layers.SNAP), packet.NewSpec(layers.IP)})
	if got := field(t, p, "vlan.len"); got != "28" {
		t.Errorf("vlan.len %s (%x)", got, p.Data)
	}
	if got := layerNames(p); got != "Ether/Dot1Q/LLC/SNAP/IP" {
		t.Errorf("layers %s", got)
	}
	if v6 := packet.Lookup("IPv6"); v6 != nil {
		p = buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), packet.NewSpec(layers.Dot1Q), packet.NewSpec(v6)})
		if got := field(t, p, "vlan.etype"); got != "0x86dd" {
			t.Errorf("IPv6 under 802.1Q: %s", got)
		}
	}
}

func FuzzVLAN(f *testing.F) {
	for _, b := range craftedVLAN() {
		f.Add(b)
	}
	refs := fieldRefs(f, vlanFields...)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLayers(t, data, 1, refs) })
}
