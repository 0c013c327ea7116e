package flow

// Stream is the tshark stream number of one TCP or UDP layer of a packet
// (tcp.stream, udp.stream): every such layer has one, the outer UDP of a
// tunnel and the quoted header of an ICMP error included, as tshark
// numbers them.
type Stream struct {
	Layer int   // index of the layer in the packet's layers
	TCP   bool  // tcp.stream (else udp.stream)
	N     int32 // the stream number, 0-based
	// Side is the sender's end of the conversation: 0 for the lower
	// (address, port) of the two, 1 for the other (both 0 when the ends
	// are equal), as analyses keep per-direction state.
	Side uint8
	// Reused: a SYN started this new TCP stream on a conversation seen
	// before (tshark's "TCP Port numbers reused").
	Reused bool
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
	slots     []uint32 // open addressing: index+1 into convs, 0 empty
	keys      []convKey
	convs     []conv
	nTCP      int32
	nUDP      int32
	max       int
	forgotten int // times the table was full and cleared
}

func newNumberer(max int) *numberer {
	return &numberer{slots: make([]uint32, 1024), max: max}
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
	if x, y := be64(a[:8]), be64(b[:8]); x != y {
		if x < y {
			return -1
		}
		return 1
	}
	if x, y := be64(a[8:]), be64(b[8:]); x != y {
		if x < y {
			return -1
		}
		return 1
	}
	switch {
	case pa < pb:
		return -1
	case pa > pb:
		return 1
	}
	return 0
}

func be64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}

func (k *convKey) hash() uint64 {
	h := fold(fold(fold(fold(uint64(k.proto)+1, le64(k.a[:8])), le64(k.a[8:])), le64(k.b[:8])), le64(k.b[8:]))
	return fold(h, uint64(k.pa)<<16|uint64(k.pb))
}

// get returns the conversation of k, creating it if new.
func (n *numberer) get(k convKey) (*conv, bool) {
	mask := uint64(len(n.slots) - 1)
	i := k.hash() & mask
	for ; n.slots[i] != 0; i = (i + 1) & mask {
		if j := n.slots[i] - 1; n.keys[j] == k {
			return &n.convs[j], false
		}
	}
	if len(n.convs) >= n.max {
		clear(n.slots)
		n.keys, n.convs = n.keys[:0], n.convs[:0]
		n.forgotten++
		return n.get(k)
	}
	if 2*(len(n.convs)+1) > len(n.slots) {
		n.grow()
		return n.get(k)
	}
	n.keys = append(n.keys, k)
	n.convs = append(n.convs, conv{})
	n.slots[i] = uint32(len(n.convs))
	return &n.convs[len(n.convs)-1], true
}

func (n *numberer) grow() {
	n.slots = make([]uint32, 2*len(n.slots))
	mask := uint64(len(n.slots) - 1)
	for j := range n.keys {
		i := n.keys[j].hash() & mask
		for n.slots[i] != 0 {
			i = (i + 1) & mask
		}
		n.slots[i] = uint32(j + 1)
	}
}

// tcp numbers a TCP segment sent along e and returns its side of the
// conversation and whether it started a new stream on a known one.
func (n *numberer) tcp(e *ends, flags uint8, seq uint32) (int32, uint8, bool) {
	k, side := convKeyOf(e)
	c, isNew := n.get(k)
	reused := false
	if isNew {
		c.stream = n.nTCP
		n.nTCP++
	} else if flags&(flSYN|flACK) == flSYN && c.hasSeq[side] && seq != c.base[side] {
		*c = conv{stream: n.nTCP}
		n.nTCP++
		reused = true
	}
	if !c.hasSeq[side] {
		c.hasSeq[side] = true
		if flags&flSYN != 0 {
			c.base[side] = seq
		} else {
			c.base[side] = seq - 1
		}
	}
	return c.stream, uint8(side), reused
}

// udp numbers a UDP datagram sent along e and returns its side of the
// conversation.
func (n *numberer) udp(e *ends) (int32, uint8) {
	k, side := convKeyOf(e)
	c, isNew := n.get(k)
	if isNew {
		c.stream = n.nUDP
		n.nUDP++
	}
	return c.stream, uint8(side)
}
