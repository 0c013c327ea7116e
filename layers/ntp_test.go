package layers_test

import (
	"strings"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var ntpFields = []string{"ntp.flags", "ntp.flags.li", "ntp.flags.vn", "ntp.flags.mode", "ntp.stratum", "ntp.ppoll",
	"ntp.precision", "ntp.rootdelay", "ntp.rootdispersion", "ntp.refid", "ntp.reftime", "ntp.org", "ntp.rec", "ntp.xmt",
	"ntp.ext.type", "ntp.ext.length", "ntp.ext.value", "ntp.keyid", "ntp.mac", "ntp.ctrl.flags2", "ntp.ctrl.flags2.r",
	"ntp.ctrl.flags2.error", "ntp.ctrl.flags2.more", "ntp.ctrl.flags2.opcode", "ntp.ctrl.sequence", "ntp.ctrl.status",
	"ntp.ctrl.associd", "ntp.ctrl.offset", "ntp.ctrl.count", "ntp.priv.flags.r", "ntp.priv.flags.more",
	"ntp.priv.auth_seq", "ntp.priv.auth", "ntp.priv.seq", "ntp.priv.impl", "ntp.priv.reqcode", "ntp.priv.err",
	"ntp.priv.numitems", "ntp.priv.reserved", "ntp.priv.itemsize"}

func TestNTPMatchTshark(t *testing.T) {
	for _, rel := range []string{
		"zeek/testing/btest/Traces/ntp/ntp.pcap",      // client/server v4
		"zeek/testing/btest/Traces/ntp/ntp2.pcap",     // with a mode 7 request
		"zeek/testing/btest/Traces/ntp/NTP_sync.pcap", // v3
		"tcpdump/tests/ntp.pcap",
		"ndpi/tests/cfgs/default/pcap/NTPv2.pcap", // mode 7 monlist
	} {
		compareFields(t, rel, ntpFields...)
	}
	// Crafted: timestamps of both eras and NULL ones, extension fields and
	// MACs of every length, control and private messages. Packet 13 of the
	// first is a control message of 8 bytes, malformed for tshark too: it
	// still shows the flags bytes, which we do not read from a header cut
	// short.
	n := cmpCrafted(t, "testdata/crafted-ntp.pcap", map[string]bool{"13:ntp.flags": true, "13:ntp.ctrl.flags2": true},
		ntpFields...)
	n += cmpCrafted(t, "testdata/crafted-ntp2.pcap", nil, ntpFields...)
	n += cmpCrafted(t, "testdata/crafted-ntp3.pcap", nil, ntpFields...)
	t.Logf("crafted: %d cells agree", n)
}

func TestNTPRebuild(t *testing.T) {
	for _, f := range []string{"testdata/crafted-ntp.pcap", "testdata/crafted-ntp2.pcap", "testdata/crafted-ntp3.pcap"} {
		rebuildCap(t, f)
	}
	for _, rel := range []string{"zeek/testing/btest/Traces/ntp/ntp2.pcap", "tcpdump/tests/ntp.pcap",
		"ndpi/tests/cfgs/default/pcap/NTPv2.pcap"} {
		rebuildCap(t, corpusPath(t, rel))
	}
}

// A client request with an MD5 MAC.
func TestNTPHex(t *testing.T) {
	b := hexPkt(t, "450000600001000040110000c0a80001c0a80002 007b007b004c0000"+
		"230206ea 00000bd9 00000630 55c7d663"+
		"e09ab55c12dcc914 e09ab5540c60c23b e09ab55413a64a3b 0000000000000000"+
		"00000001 00112233445566778899aabbccddeeff")
	p := packet.New(b, 228)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Summary(), "IP / UDP / NTP v4, client"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	for f, want := range map[string]string{"ntp.flags": "0x23", "ntp.refid": "55c7d663",
		"ntp.reftime": "May 30, 2019 20:02:36.073681418 UTC", "ntp.xmt": "NULL", "ntp.keyid": "00000001",
		"ntp.mac": "00112233445566778899aabbccddeeff", "ntp.precision": "234"} {
		r, err := packet.LookupField(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(p.AppendField(nil, r, ',')); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
	s := p.ShowString()
	for _, w := range []string{"###[ NTPHeader ]###", "mode      = client (3)", "id        = 85.199.214.99",
		"ref       = May 30, 2019 20:02:36.073681418 UTC"} {
		if !strings.Contains(s, w) {
			t.Errorf("show lacks %q:\n%s", w, s)
		}
	}
	checkRebuild(t, []frame{{b, 228}})
}

// Building NTP over UDP picks port 123 and computes the lengths; an
// extension field's length is computed.
func TestNTPBuild(t *testing.T) {
	ext := setF(t, packet.NewSpec(packet.Lookup("NTPExtension")), "value", packet.Value{B: make([]byte, 12)})
	ntp := setF(t, packet.NewSpec(layers.NTPHeader), "ext", packet.Value{List: []*packet.Spec{ext}})
	if v, err := (ntpCodec(t)).Parse("2019-05-30T20:02:36.5Z"); err != nil {
		t.Fatal(err)
	} else {
		setF(t, ntp, "sent", packet.Value{B: v})
	}
	p := buildPkt(t, packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP), ntp)
	for f, want := range map[string]string{"udp.srcport": "123", "udp.dstport": "123", "ntp.flags.vn": "4",
		"ntp.flags.mode": "3", "ntp.ext.length": "16", "ntp.xmt": "May 30, 2019 20:02:36.500000000 UTC", "ntp.keyid": ""} {
		r, _ := packet.LookupField(f)
		if got := string(p.AppendField(nil, r, ',')); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
	if p.Layer(layers.NTPHeader) == nil {
		t.Error("no NTP layer")
	}
	// A control message from its table.
	p = buildPkt(t, packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP),
		setF(t, packet.NewSpec(layers.NTPControl), "data", packet.Value{B: []byte("version")}))
	r, _ := packet.LookupField("ntp.ctrl.count")
	if got := string(p.AppendField(nil, r, ',')); got != "7" {
		t.Errorf("ntp.ctrl.count %q", got)
	}
}

func ntpCodec(t *testing.T) packet.Codec {
	f := layers.NTPHeader.Field("sent")
	if f == nil || f.Codec == nil {
		t.Fatal("no codec")
	}
	return f.Codec
}

// FuzzNTP feeds arbitrary bytes as the payload of an IPv4/UDP datagram to
// port 123.
func FuzzNTP(f *testing.F) {
	for _, path := range []string{"testdata/crafted-ntp.pcap", "testdata/crafted-ntp2.pcap", "testdata/crafted-ntp3.pcap"} {
		for _, fr := range readPcap(f, path) {
			f.Add(fr.data[42:])
		}
	}
	hdr := hexPkt(f, "4500000000010000401100000a0000010a000002007b007b00000000")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzPkt(t, udpIn(hdr, data), 228, ntpFields)
	})
}

// udpIn wraps a payload in the IPv4/UDP header hdr, with lengths set.
func udpIn(hdr, data []byte) []byte {
	b := append(append([]byte(nil), hdr...), data...)
	n := len(b)
	b[2], b[3] = byte(n>>8), byte(n)
	b[24], b[25] = byte((n-20)>>8), byte(n-20)
	return b
}
