package layers_test

import (
	"strings"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var nullFields = []string{"null.family", "null.type"}

// craftedNull covers both byte orders, 16-bit families, the BSDs' three
// AF_INET6 values, OSI/IPX/AppleTalk, EtherTypes and PPP.
func craftedNull() [][]byte {
	return [][]byte{
		hexFrame("02000000" + testIP4), hexFrame("00000002" + testIP4),
		hexFrame("18000000" + testIP6), hexFrame("1c000000" + testIP6), hexFrame("1e000000" + testIP6),
		hexFrame("00000018" + testIP6), hexFrame("07000000aabbcc"), hexFrame("17000000aabbcc"),
		hexFrame("00080000" + testIP4), hexFrame("0000000800" + testIP4), hexFrame("0200" + testIP4),
		hexFrame("10000000aabb"), hexFrame("ff03002100" + testIP4), hexFrame("0a000000" + testIP6),
		hexFrame("00020000" + testIP4), hexFrame("00000200" + testIP4), hexFrame("0000dd86" + testIP4),
		hexFrame("86dd0000" + testIP4), hexFrame("dc050000aa"), hexFrame("dd050000aa"), hexFrame("00000000aa"),
		hexFrame("1e000000" + testIP4),
	}
}

func craftedLoop() [][]byte {
	return [][]byte{
		hexFrame("00000002" + testIP4), hexFrame("02000000" + testIP4), hexFrame("0000001e" + testIP4),
		hexFrame("00000800" + testIP4), hexFrame("00000018" + testIP6), hexFrame("0000001c" + testIP6),
		hexFrame("0000001e" + testIP6), hexFrame("00000007aabb"), hexFrame("0000000a" + testIP6),
	}
}

func TestNullCrafted(t *testing.T) {
	a := compareFileFirst(t, writePcap(t, 0, craftedNull()...), nullFields, linkCheckFields)
	t.Logf("crafted NULL: %d cells, %d differ", a.cells, a.diffs)
	a = compareFileFirst(t, writePcap(t, 108, craftedLoop()...), nullFields, linkCheckFields)
	t.Logf("crafted LOOP: %d cells, %d differ", a.cells, a.diffs)
}

// TestNullCorpus compares null.family against tshark on the corpus's NULL
// captures that exercise both byte orders and EtherType values, and the IP
// fields under the header (from the precomputed tshark output) over every
// pcap capture of LINKTYPE_NULL and LINKTYPE_LOOP.
func TestNullCorpus(t *testing.T) {
	for _, rel := range []string{"pcapplusplus/Tests/Pcap++Test/PcapExamples/null_loopback.pcap",
		"gopacket/pcap/test_loopback.pcap", "arkime/tests/pcap/tls-alpn-h2.pcap"} {
		path := corpusPath(t, rel)
		a := compareFileFirst(t, path, nullFields, linkCheckFields)
		t.Logf("%s (live tshark): %d packets, %d cells, %d differ", rel, a.rows, a.cells, a.diffs)
		if nonEmpty(t, path, nullFields...) == 0 {
			t.Errorf("%s: no null.family values", rel)
		}
	}
	linkCorpus(t, 0, 108)
}

// linkCorpus checks the network-layer fields under the link layer against
// the precomputed tshark output over every pcap capture of the link types,
// and that every cleanly dissected frame rebuilds exactly.
func linkCorpus(t *testing.T, links ...uint32) {
	var total agreement
	files := 0
	for _, path := range corpusCaptures(t, links...) {
		rel := strings.TrimPrefix(path, corpusPath(t, "")+"/")
		if why, ok := notLinkLayer[rel]; ok {
			t.Logf("%s: skipped: %s", rel, why)
			continue
		}
		a, ok := compareExpected(t, path, nil, linkCheckFields)
		if !ok {
			continue
		}
		files++
		if a.diffs > 0 {
			t.Logf("%s: %d packets, %d cells, %d differ", strings.TrimPrefix(path, corpusPath(t, "")), a.rows, a.cells, a.diffs)
		}
		total.add(a)
		checkRebuild(t, readPcap(t, path))
	}
	t.Logf("link types %v: %d captures, %d packets, %d cells, %d differ", links, files, total.rows, total.cells, total.diffs)
}

// notLinkLayer lists captures of these link types whose differences with
// tshark lie in other tables, not in the link layer.
var notLinkLayer = map[string]string{
	"suricata-verify/tests/detect-ipopts/input.pcap": "ip.dst of a packet with a source route option (Wireshark shows the final destination)",
	"tcpdump/tests/LINKTYPE_IPV4_invalid.pcap":       "an IPv6 packet under LINKTYPE_IPV4 (Wireshark's IPv4 dissector hands version 6 to IPv6)",
	"pcapplusplus/Tests/Fuzzers/RegressionTests/regression_samples/clusterfuzz-testcase-minimized-FuzzTarget-5755755617189888": "ip.len 0 (Wireshark shows 2147483647)",
	"arkime/tests/pcap/gtp-iphone.pcap": "the first IPv6 header is inside GTP tunnels (the GTP table's), under IPv4",
}

// TestRawIPCorpus checks the IP fields over every pcap capture of the raw
// IP link types (101, 12, 14, 228, 229).
func TestRawIPCorpus(t *testing.T) {
	linkCorpus(t, 101, 12, 14, 228, 229)
}

func TestRawIPLinkTypes(t *testing.T) {
	for _, lt := range []uint32{101, 12, 14} {
		p := packet.New(hexFrame(testIP4), lt)
		if got := layerNames(p); got != "IP/UDP" {
			t.Errorf("link %d: %s", lt, got)
		}
		p = packet.New(hexFrame("50"+testIP4[2:]), lt)
		if got := layerNames(p); got != "Raw" || p.Err() != nil {
			t.Errorf("link %d, version 5: %s %v", lt, got, p.Err())
		}
		p = packet.New(nil, lt)
		if got := layerNames(p); got != "" {
			t.Errorf("link %d, empty: %s", lt, got)
		}
	}
	if packet.LinkProtocol(101) == nil || packet.LinkProtocol(229) == nil {
		t.Error("raw IP link types are not reported as supported")
	}
	p := packet.New(hexFrame(testIP6), 229)
	want := "Raw"
	if packet.Lookup("IPv6") != nil {
		want = "IPv6"
	}
	if got := layerNames(p); !strings.HasPrefix(got, want) {
		t.Errorf("link 229: %s", got)
	}
}

func TestNullShow(t *testing.T) {
	p := packet.New(hexFrame("02000000"+testIP4), 0)
	if got := layerNames(p); got != "Loopback/IP/UDP" {
		t.Fatalf("layers %s", got)
	}
	if s := p.ShowString(); !strings.HasPrefix(s, "###[ Loopback ]###\n  type      = IPv4 (2)\n###[ IP ]###") {
		t.Errorf("show:\n%s", s)
	}
	if got := field(t, p, "null.family"); got != "2" {
		t.Errorf("null.family %q", got)
	}
	p = packet.New(hexFrame("00000018"+testIP6), 108)
	if got := field(t, p, "null.family"); got != "24" {
		t.Errorf("loop null.family %q", got)
	}
	if s := p.ShowString(); !strings.HasPrefix(s, "###[ Loopback ]###\n  type      = IPv6 (24)\n") {
		t.Errorf("show:\n%s", s)
	}
	// Big-endian header in a NULL capture: Wireshark's byte-order guess.
	p = packet.New(hexFrame("00000002"+testIP4), 0)
	if got := layerNames(p); got != "Loopback/IP/UDP" || field(t, p, "null.family") != "2" {
		t.Errorf("swapped: %s %s", got, field(t, p, "null.family"))
	}
}

func TestNullBuild(t *testing.T) {
	for _, c := range []struct {
		top  *packet.Protocol
		link uint32
		hdr  string
	}{{layers.Loopback, 0, "02000000"}, {layers.Loop, 108, "00000002"}} {
		st := packet.Stack{packet.NewSpec(c.top), packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP)}
		p := buildBack(t, c.link, st)
		if got := layerNames(p); got != c.top.Name+"/IP/UDP" {
			t.Errorf("%s: %s", c.top.Name, got)
		}
		if got := hexString(p.Data[:4]); got != c.hdr {
			t.Errorf("%s header %s, want %s", c.top.Name, got, c.hdr)
		}
		if v6 := packet.Lookup("IPv6"); v6 != nil {
			p = buildBack(t, c.link, packet.Stack{packet.NewSpec(c.top), packet.NewSpec(v6)})
			if got := field(t, p, "null.family"); got != "24" {
				t.Errorf("%s / IPv6: family %s", c.top.Name, got)
			}
		}
	}
}

func FuzzNull(f *testing.F) {
	for _, b := range craftedNull() {
		f.Add(b, uint8(0))
	}
	for _, b := range craftedLoop() {
		f.Add(b, uint8(1))
	}
	f.Add(hexFrame(testIP4), uint8(2))
	refs := fieldRefs(f, nullFields...)
	links := []uint32{0, 108, 101, 12, 14, 229}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		fuzzLayers(t, data, links[int(which)%len(links)], refs)
	})
}
