package flow_test

import (
	"testing"

	"pktkit/flow"
	"pktkit/packet"
)

// benchPackets returns n dissected packets of n/2 TCP connections (a
// data segment each way), their layer index already built.
func benchPackets(b *testing.B, n int) []*packet.Packet {
	ps := make([]*packet.Packet, n)
	for i := range ps {
		s := seg{fromCli: i%2 == 0, flags: "PA", seq: 1001, ack: 5001, data: 100, sport: uint16(10000 + i/2)}
		if !s.fromCli {
			s.seq, s.ack = 5001, 1101
		}
		d := tcpPacket(b, s)
		p := &packet.Packet{}
		p.SetFrame(d, 1, i+1, t0, len(d))
		p.Layers()
		ps[i] = p
	}
	return ps
}

// BenchmarkLookup is the flow table's own work per packet of an existing
// connection: reading the 5-tuple from the layer index, the lookup, the
// TCP accounting and tshark's stream numbering (packets already
// dissected, as when a filter or field extraction ran first).
func BenchmarkLookup(b *testing.B) {
	for _, nc := range []int{1000, 100000} {
		b.Run(itoa(nc)+"conns", func(b *testing.B) {
			ps := benchPackets(b, 2*nc)
			tab := flow.New(flow.Config{})
			for _, p := range ps {
				tab.Update(p)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				p := ps[i%len(ps)]
				p.Timestamp = t0 + int64(i)
				tab.Update(p)
			}
		})
	}
}

// BenchmarkLookupNoStreams is BenchmarkLookup without stream numbering.
func BenchmarkLookupNoStreams(b *testing.B) {
	ps := benchPackets(b, 2000)
	tab := flow.New(flow.Config{NoStreams: true})
	for _, p := range ps {
		tab.Update(p)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		p := ps[i%len(ps)]
		p.Timestamp = t0 + int64(i)
		tab.Update(p)
	}
}

// BenchmarkUpdate includes dissecting each frame (the layer index) before
// the table: the whole per-packet cost of `pktkit conn` past reading.
func BenchmarkUpdate(b *testing.B) {
	ps := benchPackets(b, 2000)
	tab := flow.New(flow.Config{})
	p := &packet.Packet{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := ps[i%len(ps)]
		p.SetFrame(q.Data, 1, i+1, t0+int64(i), len(q.Data))
		tab.Update(p)
	}
}

func itoa(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return itoa(n/1000) + "k"
	}
	s := ""
	for ; n > 0 || s == ""; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// BenchmarkLookupHot is BenchmarkLookup with a small working set (32
// connections, their packets and table slots in cache): the table's
// instruction cost without memory stalls.
func BenchmarkLookupHot(b *testing.B) {
	for _, cfg := range []struct {
		name string
		c    flow.Config
	}{{"streams", flow.Config{}}, {"nostreams", flow.Config{NoStreams: true}}} {
		b.Run(cfg.name, func(b *testing.B) {
			ps := benchPackets(b, 64)
			tab := flow.New(cfg.c)
			for _, p := range ps {
				tab.Update(p)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				p := ps[i&63]
				p.Timestamp = t0 + int64(i)
				tab.Update(p)
			}
		})
	}
}
