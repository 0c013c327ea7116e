package flow

import "encoding/binary"

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
// Encapsulation is not part of it. It is also the core of the flow
// table's key (see key), so that one canonical ordering and one hash serve
// both tables.
type convKey struct {
	// The two addresses as big-endian halves (an IPv4 address fills the
	// top 32 bits of a0 or b0; a1 and b1 are then 0), end a the lower of
	// the two (address, port) ends.
	a0, a1, b0, b1 uint64
	// rest packs port a (bits 32..47), port b (16..31), the protocol
	// (8..15) and the IPv6 bit (0).
	rest uint64
}

// makeConvKey sets k to the canonical key of the flow from (src, sp) to
// (dst, dp) and reports whether the sender is end a (ends equal: a). It
// writes k in place: a returned struct would be copied through the stack
// with wide loads of narrow stores, which stall.
func makeConvKey(k *convKey, src, dst *[2]uint64, sp, dp uint16, proto uint8, v6 bool) bool {
	s0, s1 := src[0], src[1]
	d0, d1 := dst[0], dst[1]
	r := uint64(proto) << 8
	if v6 {
		r |= 1
	}
	if s0 < d0 || s0 == d0 && (s1 < d1 || s1 == d1 && sp <= dp) {
		k.a0, k.a1, k.b0, k.b1, k.rest = s0, s1, d0, d1, r|uint64(sp)<<32|uint64(dp)<<16
		return true
	}
	k.a0, k.a1, k.b0, k.b1, k.rest = d0, d1, s0, s1, r|uint64(dp)<<32|uint64(sp)<<16
	return false
}

// eq compares two keys word by word (cheaper than the generic struct
// comparison, which goes through memequal).
func (k *convKey) eq(o *convKey) bool {
	return k.a0 == o.a0 && k.b0 == o.b0 && k.rest == o.rest && k.a1 == o.a1 && k.b1 == o.b1
}

func (k *convKey) v6() bool     { return k.rest&1 != 0 }
func (k *convKey) proto() uint8 { return uint8(k.rest >> 8) }
func (k *convKey) ports() (pa, pb uint16) {
	return uint16(k.rest >> 32), uint16(k.rest >> 16)
}

// addrs returns the two addresses as 16-byte arrays.
func (k *convKey) addrs() (a, b [16]byte) {
	binary.BigEndian.PutUint64(a[:8], k.a0)
	binary.BigEndian.PutUint64(a[8:], k.a1)
	binary.BigEndian.PutUint64(b[:8], k.b0)
	binary.BigEndian.PutUint64(b[8:], k.b1)
	return a, b
}

// hash hashes the key; an IPv4 key folds its two addresses as one word.
func (k *convKey) hash() uint64 {
	if k.rest&1 == 0 {
		return fold(fold(0x9E3779B97F4A7C15, k.a0|k.b0>>32), k.rest)
	}
	return fold(fold(fold(fold(fold(0x9E3779B97F4A7C15, k.a0), k.a1), k.b0), k.b1), k.rest)
}

// conv is one tshark conversation: its current stream and, per side of
// the key, the base sequence number tshark compares a new SYN with.
type conv struct {
	stream int32
	hasSeq [2]bool
	base   [2]uint32
}

// convEntry is a conversation with its key, side by side so that a
// lookup touches one place.
type convEntry struct {
	k convKey
	c conv
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
//
// A conversation keeps its index until the numberer forgets everything,
// so a flow-table connection may remember the index of its conversation
// (Conn.conv) and skip the lookup: at checks, once the numberer has
// forgotten, that the entry there still has the key.
type numberer struct {
	slots     []uint32 // open addressing: index+1 into ents, 0 empty
	ents      []convEntry
	nTCP      int32
	nUDP      int32
	max       int
	forgotten int // times the table was full and cleared
}

func newNumberer(max int) *numberer {
	return &numberer{slots: make([]uint32, 1024), max: max}
}

func be64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}

// at returns the index of k's conversation if it is i (i is an index+1
// remembered from an earlier lookup of k; 0 for none), else 0. Until the
// numberer first forgets, an entry keeps its key, so i needs no check.
func (n *numberer) at(i uint32, k *convKey) uint32 {
	if i != 0 && int(i) <= len(n.ents) && (n.forgotten == 0 || n.ents[i-1].k.eq(k)) {
		return i
	}
	return 0
}

// get returns the index+1 of the conversation of k (hash h), creating it
// if new.
func (n *numberer) get(k *convKey, h uint64) (uint32, bool) {
	mask := uint64(len(n.slots) - 1)
	i := h & mask
	for ; n.slots[i] != 0; i = (i + 1) & mask {
		if j := n.slots[i]; n.ents[j-1].k.eq(k) {
			return j, false
		}
	}
	if len(n.ents) >= n.max {
		clear(n.slots)
		n.ents = n.ents[:0]
		n.forgotten++
		return n.get(k, h)
	}
	if 2*(len(n.ents)+1) > len(n.slots) {
		n.grow()
		return n.get(k, h)
	}
	n.ents = append(n.ents, convEntry{k: *k})
	n.slots[i] = uint32(len(n.ents))
	return uint32(len(n.ents)), true
}

func (n *numberer) grow() {
	n.slots = make([]uint32, 2*len(n.slots))
	mask := uint64(len(n.slots) - 1)
	for j := range n.ents {
		i := n.ents[j].k.hash() & mask
		for n.slots[i] != 0 {
			i = (i + 1) & mask
		}
		n.slots[i] = uint32(j + 1)
	}
}

// number gives a stream number to a TCP segment (flags, seq) or a UDP
// datagram sent from side of the conversation at index+1 i (isNew if the
// lookup created it), and reports whether it started a new TCP stream on
// a known conversation.
func (n *numberer) number(i uint32, isNew bool, side uint8, tcp bool, flags uint8, seq uint32) (int32, bool) {
	c := &n.ents[i-1].c
	if !tcp {
		if isNew {
			c.stream = n.nUDP
			n.nUDP++
		}
		return c.stream, false
	}
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
	return c.stream, reused
}
