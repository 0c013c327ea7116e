package layers_test

import (
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var teredoFields = []string{"teredo.auth.idlen", "teredo.auth.aulen", "teredo.auth.id", "teredo.auth.value",
	"teredo.auth.nonce", "teredo.auth.conf", "teredo.orig.port", "teredo.orig.addr"}

// TestTeredoCorpus compares Teredo's indications with tshark on the corpus
// captures that hold it (the IPv6 packets inside need the IPv6 table).
func TestTeredoCorpus(t *testing.T) {
	tunCorpus(t, []string{
		"ndpi/tests/cfgs/default/pcap/teredo.pcap",
		"zeek/testing/btest/Traces/tunnels/Teredo.pcap",
		"zeek/testing/btest/Traces/tunnels/teredo_bubble_with_payload.pcap",
		"zeek/testing/btest/Traces/tunnels/gtp/gtp8_teredo.pcap",
		"zeek/testing/btest/Traces/tunnels/teredo-udp-in-udp.pcap",
	}, nil, tunFields(teredoFields, tunBase)...)
}

// TestTeredoCrafted compares crafted Teredo packets with tshark: each
// indication alone and both, identifiers and values, cut short, not IPv6.
func TestTeredoCrafted(t *testing.T) {
	tunCompare(t, "testdata/crafted-teredo.pcap", nil, tunFields(teredoFields, tunBase)...)
}

// Teredo's origin indication: the obfuscated port and address read as
// Wireshark shows them, and build back from the real values.
func TestTeredoHex(t *testing.T) {
	b := hexPkt(t, "66778899aabb001122334455 0800 45000031000100004011f965c0a80001c0a80002 0dd89c40001d0000"+
		"0001 0000 b11b3fea46a9afe9 00 0000 3324 46f93f46")
	p := packet.New(b, 1)
	tunExpect(t, p, map[string]string{"teredo.orig.port": "52443", "teredo.orig.addr": "185.6.192.185",
		"teredo.auth.nonce": "b11b3fea46a9afe9", "teredo.auth.conf": "00", "teredo.auth.idlen": "0"})
	tunShow(t, p, "###[ Teredo Authentication ]###", "###[ Teredo Origin Indication ]###", "port      = 52443",
		"addr      = 185.6.192.185")
	if got, want := p.Summary(), "Ether / IP / UDP 192.168.0.1:3544 > 192.168.0.2:40000 / TeredoAuth / TeredoOrigin"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	checkRebuild(t, []frame{{b, 1}})

	orig := packet.NewSpec(layers.TeredoOrigin)
	for name, s := range map[string]string{"port": "52443", "addr": "185.6.192.185"} {
		v, err := layers.TeredoOrigin.Field(name).Codec.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		orig.SetField(layers.TeredoOrigin.Field(name), packet.Value{B: v})
	}
	q := buildPkt(t, packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), tunSpec(t, layers.UDP, map[string]packet.Value{"sport": {U: 40000}}), orig)
	tunExpect(t, q, map[string]string{"udp.dstport": "3544", "teredo.orig.port": "52443", "teredo.orig.addr": "185.6.192.185"})
	if l := q.Layer(layers.TeredoOrigin); l == nil || string(l.Data[2:]) != string(b[len(b)-6:]) {
		t.Errorf("built origin %v", l)
	}
}

// FuzzTeredo feeds arbitrary bytes as the UDP payload of port 3544.
func FuzzTeredo(f *testing.F) {
	tunSeeds(f, 42, "testdata/crafted-teredo.pcap")
	fields := tunFields(teredoFields, tunBase)
	prefix := hexPkt(f, "66778899aabb001122334455 0800 4500 0000 0001 0000 4011 0000 c0a80001 c0a80002 0dd8 9c40 0000 0000")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzPkt(t, append(append([]byte(nil), prefix...), data...), 1, fields)
	})
}
