package layers_test

import (
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var ayiyaFields = []string{"ayiya.idlen", "ayiya.idtype", "ayiya.siglen", "ayiya.hashmethod", "ayiya.authmethod",
	"ayiya.opcode", "ayiya.nextheader", "ayiya.epoch", "ayiya.identity", "ayiya.signature"}

// TestAYIYACorpus compares AYIYA and the IPv6 it carries with tshark on
// Zeek's AYIYA traces (a 16-byte and a 256-byte identity, heartbeats).
func TestAYIYACorpus(t *testing.T) {
	for _, rel := range []string{"zeek/testing/btest/Traces/tunnels/ayiya3.pcap", "zeek/testing/btest/Traces/tunnels/ayiya-large-identity.pcap"} {
		path := corpusPath(t, rel)
		a := compareFile(t, path, append(ayiyaFields, "ipv6.src", "ipv6.dst", "ipv6.nxt", "tcp.srcport", "tcp.len", "udp.srcport", "udp.length")...)
		t.Logf("%s: %d packets, %d cells, %d differ, %d values", rel, a.rows, a.cells, a.diffs, nonEmpty(t, path, ayiyaFields...))
		checkRebuild(t, readPcap(t, path))
	}
}

// An AYIYA heartbeat made by hand (no payload: next header 59, opcode 0),
// 16-byte identity, 20-byte SHA-1 signature.
const ayiyaHeartbeat = "13d013d0003400004152103b4af64bfd" + "20010db8000000000000000000000001" +
	"000102030405060708090a0b0c0d0e0f10111213"

func TestAYIYAHex(t *testing.T) {
	b := ipOver(t, 17, ayiyaHeartbeat)
	p := packet.New(b, 1)
	if got := layerNames(p); got != "Ether/IP/UDP/AYIYA" {
		t.Fatalf("layers %s", got)
	}
	tunExpect(t, p, map[string]string{"ayiya.idlen": "0x04", "ayiya.siglen": "0x05", "ayiya.hashmethod": "0x02",
		"ayiya.opcode": "0x00", "ayiya.nextheader": "0x3b", "ayiya.epoch": "Nov  8, 2009 04:41:33.000000000 UTC",
		"ayiya.identity": "20010db8000000000000000000000001", "ayiya.signature": "000102030405060708090a0b0c0d0e0f10111213"})
	tunShow(t, p, "###[ AYIYA ]###", "opcode    = No Operation / Heartbeat (0)")
	if l := p.Layer(layers.AYIYA); string(l.Proto.Summary(nil, l)) != "AYIYA No Operation / Heartbeat" {
		t.Errorf("summary %q", l.Proto.Summary(nil, l))
	}
	checkRebuild(t, []frame{{b, 1}})
	// A signature cut short: malformed, no panic.
	if p := packet.New(b[:len(b)-5], 1); p.Err() == nil {
		t.Errorf("cut-short signature not flagged")
	}
}

// Building IPv6 in AYIYA: the UDP port, the next header and the identity
// and signature lengths come from the tables.
func TestAYIYABuild(t *testing.T) {
	p := buildBack(t, 1, packet.Stack{packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP),
		spec(t, layers.AYIYA, "signature", "0102030405060708"), packet.NewSpec(layers.IPv6), packet.NewSpec(layers.UDP)})
	if got := layerNames(p); got != "Ether/IP/UDP/AYIYA/IPv6/UDP" {
		t.Fatalf("layers %s", got)
	}
	tunExpect(t, p, map[string]string{"udp.dstport": "5072,53", "ayiya.nextheader": "0x29", "ayiya.idlen": "0x04",
		"ayiya.siglen": "0x02", "ayiya.opcode": "0x01"})
}

func FuzzAYIYA(f *testing.F) {
	seedCapture(f, "zeek/testing/btest/Traces/tunnels/ayiya3.pcap", 8)
	f.Add(ipOver(f, 17, ayiyaHeartbeat))
	refs := fieldRefs(f, ayiyaFields...)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLayers(t, data, 1, refs) })
}
