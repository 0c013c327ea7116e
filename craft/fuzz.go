package craft

import (
	"math/rand/v2"

	"pktkit/packet"
)

// Fuzz returns a copy of p whose fields left at their defaults get random
// values (Scapy's fuzz()): integers over their whole width, addresses at
// random. Fields the user set keep their values, automatic fields (lengths,
// checksums) are still computed, and list elements are fuzzed too. The
// same seed gives the same packet.
func Fuzz(p *Packet, seed uint64) *Packet {
	q := p.Clone()
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for _, l := range q.Layers {
		fuzzSpec(l.spec, r)
	}
	return q
}

func fuzzSpec(s *packet.Spec, r *rand.Rand) {
	for i, f := range s.Proto.Fields {
		if f.Type == packet.List {
			for _, e := range s.Vals[i].List {
				fuzzSpec(e, r)
			}
			continue
		}
		if s.IsSet(f) || f.Auto {
			continue
		}
		switch f.Type {
		case packet.Uint, packet.Int:
			u := r.Uint64()
			if f.Bits < 64 {
				u &= 1<<f.Bits - 1
			}
			s.Vals[i].U = u
		case packet.MAC, packet.IPv4, packet.IPv6:
			n := map[packet.Type]int{packet.MAC: 6, packet.IPv4: 4, packet.IPv6: 16}[f.Type]
			b := make([]byte, n)
			for j := range b {
				b[j] = byte(r.Uint32())
			}
			s.Vals[i].B = b
		}
	}
}
