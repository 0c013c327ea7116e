package flow

import (
	"pktkit/defrag"
	"pktkit/layers"
	"pktkit/packet"
)

// Defrag puts IP reassembly in front of a Table, as Zeek reassembles IP
// fragments before its connection analysis: a fragmented datagram reaches
// the table once, when its last fragment arrives, whole (so it counts as
// one packet with the datagram's length in the IP bytes), and the
// fragments of a datagram never completed reach it not at all. Only the
// outermost IP header is reassembled (a tunnel's fragmented outer
// datagram, such as GTP's); fragments of an inner header still reach the
// table one by one.
type Defrag struct {
	d *defrag.Defragmenter
}

// NewDefrag returns a reassembler with the given limits and overlap policy
// (see package defrag).
func NewDefrag(cfg defrag.Config) *Defrag { return &Defrag{d: defrag.New(cfg)} }

// Packet returns what the table should see for p: p itself when its
// outermost IP header is not a fragment, or is a fragment the reassembler
// refuses (see defrag.Reason); the reassembled datagram, as a packet that
// starts at its IP header with p's number and time, when p completes one;
// nil when p's fragment is held until its datagram is complete. The
// returned datagram is valid until the next call.
func (f *Defrag) Packet(p *packet.Packet) *packet.Packet {
	ls := p.Layers()
	for i := range ls {
		l := &ls[i]
		if l.Proto != layers.IP && l.Proto != layers.IPv6 {
			continue
		}
		r := f.d.Add(0, l.Data, p.Timestamp)
		switch r.Status {
		case defrag.Complete:
			q := packet.NewFrom(r.Data, l.Proto)
			q.Number, q.Timestamp, q.OrigLen = p.Number, p.Timestamp, len(r.Data)
			q.SetTimes(p.FirstTime, p.PrevTime)
			return q
		case defrag.Held:
			return nil
		}
		return p
	}
	return p
}

// Stats returns the reassembler's counts.
func (f *Defrag) Stats() defrag.Stats { return f.d.Stats() }
