package layers_test

import (
	"fmt"
	"strings"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var dot3Fields = []string{"eth.dst", "eth.src", "eth.len", "eth.type"}

var llcFields = []string{"llc.dsap", "llc.ssap", "llc.dsap.ig", "llc.ssap.cr", "llc.dsap.sap", "llc.ssap.sap",
	"llc.control", "llc.oui", "llc.pid", "llc.type", "llc.cisco_pid", "llc.apple_atalk_pid"}

func dot3(payload, trailer string) []byte {
	return hexFrame("0180c2000000001122334455" + fmt.Sprintf("%04x", len(payload)/2) + payload + trailer)
}

// craftedLLC covers STP, SNAP with RFC 1042, 802.1H, Cisco, Apple, 802.1
// and unknown organisation codes (bridged 802.1 frames, which start with a
// pad Wireshark skips, are left as data here and not compared), I, S and U frames, raw 802.3 IPX,
// padding, truncation and VLAN-in-SNAP.
func craftedLLC() [][]byte {
	return [][]byte{
		dot3("424203"+strings.Repeat("00", 35), ""),
		dot3("aaaa03"+"000000"+"0800"+testIP4, ""),
		dot3("aaaa03"+"00000c"+"2000"+"0102030405", ""),
		dot3("f0f0"+"0a0b"+"0102030405", ""),
		dot3("f0f1"+"01"+"0102030405", ""),
		dot3("e0e0"+"03"+"ffff0102030405", ""),
		dot3("ffff"+"001e0000", ""),
		dot3("aaaa03"+"000000"+"0806"+testARP, ""),
		dot3("aaaa03"+"000000"+"0800"+testIP4, "000000000000"),
		dot3("aaaa03"+"000000"+"8100"+"0064"+"0800"+testIP4, ""),
		dot3("fefe03"+"81"+"0102030405", ""),
		dot3("aaab03"+"000000"+"0800"+testIP4, ""),
		dot3("aaaa00"+"00"+"000000"+"0800"+testIP4, ""),
		dot3("aaaa03"+"0000f8"+"0800"+testIP4, ""),
		dot3("aaaa03"+"080007"+"80f3"+"0102", ""),
		dot3("aaaa03"+"123456"+"0800"+testIP4, ""),
		dot3("aaaaf3"+"000000"+"0800"+testIP4, ""),
		dot3("aaaa03"+"0080c2"+"000e"+"0102", ""),
	}
}

func TestLLCCrafted(t *testing.T) {
	a := compareFileFirst(t, writePcap(t, 1, craftedLLC()...), append(dot3Fields, llcFields...), linkCheckFields)
	t.Logf("crafted 802.3/LLC/SNAP: %d cells, %d differ", a.cells, a.diffs)
}

// TestLLCCorpus compares the 802.3 and LLC/SNAP fields with tshark on
// corpus captures with STP, CDP, IPX, NetBEUI, IS-IS and LLC over 802.1Q.
func TestLLCCorpus(t *testing.T) {
	var total agreement
	for _, rel := range []string{"libpcap/tests/filter/llc.pcap", "pcapplusplus/Tests/Packet++Test/PacketExamples/EthDot3.pcap",
		"pcapplusplus/Tests/Packet++Test/PacketExamples/Stp.pcap", "pcapplusplus/Tests/Packet++Test/PacketExamples/llc_vlan.pcap",
		"tcpdump/tests/3560_CDP.pcap", "tcpdump/tests/ipx.pcap", "ndpi/tests/cfgs/default/pcap/dos_win98_smb_netbeui.pcap",
		"tcpdump/tests/ISIS_external_lsp.pcap", "tcpdump/tests/802.1w_rapid_STP.pcap"} {
		path := corpusPath(t, rel)
		a := compareFile(t, path, append(dot3Fields, llcFields...)...)
		t.Logf("%s: %d packets, %d cells, %d differ, %d values", rel, a.rows, a.cells, a.diffs, nonEmpty(t, path, llcFields...))
		total.add(a)
		checkRebuild(t, readPcap(t, path))
	}
	t.Logf("total: %d cells, %d differ", total.cells, total.diffs)
}

func TestLLCShow(t *testing.T) {
	p := packet.New(craftedLLC()[8], 1)
	if got := layerNames(p); got != "Dot3/LLC/SNAP/IP/UDP/Padding" {
		t.Fatalf("layers %s", got)
	}
	l := p.Layer(layers.Dot3)
	if got := string(l.Proto.Summary(nil, l)); got != "802.3 00:11:22:33:44:55 > 01:80:c2:00:00:00" {
		t.Errorf("summary %q", got)
	}
	want := `###[ 802.3 ]###
  dst       = 01:80:c2:00:00:00
  src       = 00:11:22:33:44:55
  len       = 36
###[ LLC ]###
     dsap      = 0xaa
     ssap      = 0xaa
     ctrl      = 3
     ctrl_ext  = b''
###[ SNAP ]###
        OUI       = 0x0
        code      = IPv4 (0x800)
`
	if s := p.ShowString(); !strings.HasPrefix(s, want) {
		t.Errorf("show:\n%s\nwant:\n%s", s, want)
	}
	// An I frame has a two-byte control field.
	p = packet.New(craftedLLC()[3], 1)
	if got := field(t, p, "llc.control"); got != "0x0b0a" {
		t.Errorf("llc.control %s", got)
	}
	if got := layerNames(packet.New(craftedLLC()[6], 1)); got != "Dot3/Raw" {
		t.Errorf("raw 802.3: %s", got)
	}
}

func TestLLCBuild(t *testing.T) {
	p := buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Dot3), packet.NewSpec(layers.LLC), packet.NewSpec(layers.SNAP),
		packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP), spec(t, packet.Padding, "load", "000000000000")})
	if got := layerNames(p); got != "Dot3/LLC/SNAP/IP/UDP/Padding" {
		t.Fatalf("layers %s", got)
	}
	for f, want := range map[string]string{"eth.len": "36", "llc.dsap": "0xaa", "llc.ssap": "0xaa",
		"llc.control": "0x0003", "llc.type": "0x0800"} {
		if got := field(t, p, f); got != want {
			t.Errorf("%s = %s, want %s", f, got, want)
		}
	}
	// Scapy's LLC() defaults: an I frame, whose second control byte the
	// user gives.
	p = buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Dot3), spec(t, layers.LLC, "dsap", 0xf0, "ssap", 0xf0, "ctrl_ext", "00"),
		spec(t, packet.Raw, "load", "0102")})
	if got := field(t, p, "llc.control"); got != "0x0000" || field(t, p, "eth.len") != "6" {
		t.Errorf("I frame: control %s len %s", got, field(t, p, "eth.len"))
	}
}

func FuzzLLC(f *testing.F) {
	for _, b := range craftedLLC() {
		f.Add(b)
	}
	f.Add(dot3("aaaa", ""))
	f.Add(hexFrame("0180c2000000001122334455" + "0010" + "aaaa03000000"))
	refs := fieldRefs(f, append(dot3Fields, llcFields...)...)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLayers(t, data, 1, refs) })
}
