package flow_test

// The flow table's benchmarks, by what each measures (packets are
// Ether/IPv4/TCP data segments of 100 bytes; "indexed": their layer index
// is built before the timer starts, as when a filter or field extraction
// ran first):
//
//   - BenchmarkLookup: the lookup alone, Table.Lookup: the flow key read
//     from the indexed packet, hashed, and the probe that finds its
//     connection; no accounting, no numbering. At 1k connections the
//     table is in cache, at 1M (720 MB of connections) each lookup
//     misses the cache for its slot and its connection.
//   - BenchmarkUpdateHot: Table.Update, the whole per-packet work of the
//     table (key, lookup, Zeek's TCP accounting, LRU, tshark's stream
//     numbering or not), over 32 connections whose packets and state stay
//     in cache, each segment the next in order on its side (sequence and
//     acknowledgment numbers advance; the benchmark writes them into the
//     packet, 8 bytes per iteration).
//   - BenchmarkUpdate: Table.Update over many connections (1k, 100k), each
//     packet a retransmission of the last one on its side (the packets are
//     fixed): larger working sets, with their memory stalls.
//   - BenchmarkUpdateNoStreams: BenchmarkUpdate/1kconns without stream
//     numbering.
//   - BenchmarkDissectUpdate: dissecting each frame (the layer index) and
//     then Table.Update: the whole per-packet cost of `pktkit conn` past
//     reading the capture.
//
// All allocate nothing per packet.

import (
	"encoding/binary"
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

// Offsets in the benchmark frames (Ether 14, IPv4 20, TCP).
const (
	offSrcIP = 14 + 12
	offDstIP = 14 + 16
	offSport = 34
	offDport = 36
	offSeq   = 34 + 4
	offAck   = 34 + 8
)

// connClient returns the client address and port of connection j of a set
// of up to 60000 * 2^16 connections.
func connClient(j int) ([4]byte, uint16) {
	return [4]byte{10, byte(j / 60000 >> 8), byte(j / 60000), 100}, uint16(1024 + j%60000)
}

// BenchmarkLookup is the lookup alone (Table.Lookup: key from the indexed
// packet, hash, probe) in a table of 1k or 1M connections, the connection
// looked up changing every packet (a pseudo-random walk over all of them,
// both directions).
func BenchmarkLookup(b *testing.B) {
	for _, nc := range []int{1000, 1000000} {
		b.Run(itoa(nc)+"conns", func(b *testing.B) {
			ps := benchPackets(b, 2)
			tab := flow.New(flow.Config{NoStreams: true, MaxConns: nc})
			for j := range nc {
				// Rewritten in place: the layer index stays valid (same
				// layers, same lengths).
				ip, port := connClient(j)
				*(*[4]byte)(ps[0].Data[offSrcIP:]) = ip
				binary.BigEndian.PutUint16(ps[0].Data[offSport:], port)
				ps[0].Timestamp = t0 + int64(j)
				tab.Update(ps[0])
			}
			if st := tab.Stats(); st.Active != nc {
				b.Fatalf("%d connections held, want %d", st.Active, nc)
			}
			// Precomputed rewrites: the loop writes 6 bytes of the packet.
			type rw struct {
				ip   [4]byte
				port uint16
			}
			const nw = 1 << 16
			w := make([]rw, nw)
			x := uint32(12345)
			for i := range w {
				x = x*1664525 + 1013904223
				w[i].ip, w[i].port = connClient(int(x>>8) % nc)
			}
			found := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				p := ps[i&1]
				r := &w[i&(nw-1)]
				if i&1 == 0 {
					*(*[4]byte)(p.Data[offSrcIP:]) = r.ip
					binary.BigEndian.PutUint16(p.Data[offSport:], r.port)
				} else {
					*(*[4]byte)(p.Data[offDstIP:]) = r.ip
					binary.BigEndian.PutUint16(p.Data[offDport:], r.port)
				}
				if c, _ := tab.Lookup(p); c != nil {
					found++
				}
			}
			b.StopTimer()
			if found != b.N {
				b.Fatalf("%d of %d lookups found their connection", found, b.N)
			}
		})
	}
}

// BenchmarkUpdateHot is Table.Update over 32 connections in cache, every
// segment in order (see the file comment): the table's instruction cost,
// with and without stream numbering.
func BenchmarkUpdateHot(b *testing.B) {
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
			// Each side's next sequence number; the peer acknowledges it.
			var next [64]uint32
			for i := range next {
				next[i] = binary.BigEndian.Uint32(ps[i].Data[offSeq:]) + 100
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				k := i & 63
				p := ps[k]
				binary.BigEndian.PutUint32(p.Data[offSeq:], next[k])
				binary.BigEndian.PutUint32(p.Data[offAck:], next[k^1])
				next[k] += 100
				p.Timestamp = t0 + int64(i)
				tab.Update(p)
			}
			b.StopTimer()
			if st := tab.Stats(); st.Conns != 32 {
				b.Fatalf("%d connections, want 32", st.Conns)
			}
		})
	}
}

// BenchmarkUpdate is Table.Update over 1k or 100k connections, each packet
// a retransmission (see the file comment).
func BenchmarkUpdate(b *testing.B) {
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

// BenchmarkUpdateNoStreams is BenchmarkUpdate/1kconns without stream
// numbering.
func BenchmarkUpdateNoStreams(b *testing.B) {
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

// BenchmarkDissectUpdate dissects each frame (the layer index) before the
// table: the whole per-packet cost of `pktkit conn` past reading.
func BenchmarkDissectUpdate(b *testing.B) {
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
	if n >= 1000000 && n%1000000 == 0 {
		return itoa(n/1000000) + "M"
	}
	if n >= 1000 && n%1000 == 0 {
		return itoa(n/1000) + "k"
	}
	s := ""
	for ; n > 0 || s == ""; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
