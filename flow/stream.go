package flow

// Stream is the tshark stream number of one TCP or UDP layer of a packet
// (tcp.stream, udp.stream): every such layer has one, the outer UDP of a
// tunnel and the quoted header of an ICMP error included, as tshark
// numbers them.
type Stream struct {
	Layer int   // index of the layer in the packet's layers
	TCP   bool  // tcp.stream (else udp.stream)
	N     int32 // the stream number, 0-based
}

// convKey is tshark's conversation key: addresses and ports, in a
// canonical order (the lower address and port first), and the protocol.
// Encapsulation is not part of it.
type convKey struct {
	a, b   [16]byte
	pa, pb uint16
	proto  uint8
	v6     bool
}

// conv is one tshark conversation: its current stream and, per side of
// the key, the base sequence number tshark compares a new SYN with.
type conv struct {
	stream int32
	hasSeq [2]bool
	base   [2]uint32
}

// numberer assigns tcp.stream and udp.stream numbers as tshark 4.0 does
// (with TCP sequence analysis on, its default):
//   - a conversation is keyed by addresses and ports only; its stream
//     number is the count of conversations of the protocol before it;
//   - each side's base sequence number is that of its first segment (its
//     sequence number, or one less if it is not a SYN);
//   - a SYN without ACK whose sequence number differs from its side's base
//     starts a new conversation (a new stream number), whatever the state
//     of the previous one; retransmitted SYNs do not, nor do SYN-ACKs.
//
// Its memory is bounded by max conversations: when full, it forgets every
// conversation and goes on numbering from where it was (tuples seen before
// then get new numbers, where tshark would reuse theirs).
type numberer struct {
	m         map[convKey]*conv
	nTCP      int32
	nUDP      int32
	max       int
	forgotten int // times the map was full and cleared
}

func newNumberer(max int) *numberer {
	return &numberer{m: make(map[convKey]*conv), max: max}
}

// key returns the canonical key of e and which side e's sender is.
func convKeyOf(e *ends) (convKey, int) {
	k := convKey{a: e.src, b: e.dst, pa: e.sport, pb: e.dport, proto: e.proto, v6: e.v6}
	c := compareEnds(&e.src, e.sport, &e.dst, e.dport)
	if c > 0 {
		k.a, k.b, k.pa, k.pb = e.dst, e.src, e.dport, e.sport
		return k, 1
	}
	return k, 0
}

// compareEnds orders two (address, port) ends.
func compareEnds(a *[16]byte, pa uint16, b *[16]byte, pb uint16) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case pa < pb:
		return -1
	case pa > pb:
		return 1
	}
	return 0
}

func (n *numberer) get(k convKey) (*conv, bool) {
	c := n.m[k]
	if c != nil {
		return c, false
	}
	if len(n.m) >= n.max {
		clear(n.m)
		n.forgotten++
	}
	c = &conv{}
	n.m[k] = c
	return c, true
}

// tcp numbers a TCP segment sent along e.
func (n *numberer) tcp(e *ends, flags uint8, seq uint32) int32 {
	k, side := convKeyOf(e)
	c, isNew := n.get(k)
	if isNew {
		c.stream = n.nTCP
		n.nTCP++
	} else if flags&(flSYN|flACK) == flSYN && c.hasSeq[side] && seq != c.base[side] {
		*c = conv{stream: n.nTCP}
		n.nTCP++
	}
	if !c.hasSeq[side] {
		c.hasSeq[side] = true
		if flags&flSYN != 0 {
			c.base[side] = seq
		} else {
			c.base[side] = seq - 1
		}
	}
	return c.stream
}

// udp numbers a UDP datagram sent along e.
func (n *numberer) udp(e *ends) int32 {
	k, _ := convKeyOf(e)
	c, isNew := n.get(k)
	if isNew {
		c.stream = n.nUDP
		n.nUDP++
	}
	return c.stream
}
