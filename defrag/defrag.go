// Package defrag reassembles fragmented IPv4 and IPv6 datagrams, so that
// TCP and UDP see whole datagrams.
//
// A [Defragmenter] is fed IP packets (the bytes from the IP header on) in
// capture order. A packet that is not a fragment is left to the caller; a
// fragment is copied into the datagram it belongs to, and the packet that
// completes a datagram yields the whole datagram: the first fragment's
// header (IPv4 header with its options; IPv6 header and the extension
// headers before the Fragment header) followed by the reassembled data,
// with the lengths set and the fragment fields gone (IPv4: MF and offset
// cleared, header checksum recomputed; IPv6: the Fragment header removed
// and its Next Header moved into the header before it). The engine
// dissects it like any packet (packet.NewFrom with layers.IP or
// layers.IPv6).
//
// # Keys
//
// IPv4 fragments belong together when they share (source, destination,
// identification, protocol), IPv6 fragments (source, destination,
// identification) (RFC 791, RFC 8200), each within a zone the caller gives
// (a VLAN, a tunnel: 0 when there is no such thing).
//
// # Overlaps
//
// The default policy is [LowestOffset], what Wireshark and tshark do
// (checked against tshark 4.0 on crafted overlaps): each byte comes from
// the fragment with the lowest offset among those that carry it, and of
// fragments at the same offset, from the one that came first. So a
// retransmitted fragment never replaces bytes, but a fragment starting
// further left does. [FirstWins] keeps bytes already received whatever the
// offsets: a later fragment only fills holes, the TCP reassembler's rule.
// A fragment entirely within held bytes is counted as a duplicate, one
// partly within them as an overlap. [DropOverlap] follows RFC 5722 and RFC 8200 section 4.5 (and what Linux
// does for both IP versions): a fragment that overlaps held bytes with
// different content discards the whole datagram. Either way, a second
// last fragment (MF clear) that ends elsewhere, or a fragment reaching past
// the known end, conflicts and is rejected (FirstWins) or discards the
// datagram (DropOverlap).
//
// # Rejected fragments
//
// Fragments are checked before anything is stored; a rejected fragment
// changes nothing and is counted by [Reason]: a header that does not parse,
// a fragment whose captured bytes are fewer than its length fields say
// (cut by the snap length: its bytes are unknown), an empty fragment, a
// fragment with more to follow whose length is not a multiple of 8, an
// IPv4 TCP fragment at offset 8 bytes (the tiny fragment attack of RFC
// 1858, which rewrites the TCP flags), and a datagram that would exceed
// 65,535 bytes (the IPv4 total length; for IPv6 the payload length: RFC
// 2675 forbids fragmenting jumbograms, so a fragment with a zero payload
// length, the jumbo marker, is rejected too).
//
// # Limits
//
// Memory is bounded by [Config.MaxDatagrams] datagrams in progress and
// [Config.MaxBytes] bytes held by them; when a new fragment would exceed a
// limit, the oldest datagrams are evicted. Datagrams older than
// [Config.Timeout] (capture time, from their first fragment) are expired.
// Evictions and expiries are counted in [Stats]. Nothing is allocated from
// an unchecked length: a datagram's buffer grows only to the end of
// fragments that passed the checks, at most 65,535 bytes.
package defrag

import "encoding/binary"

// Policy is how overlapping fragments are resolved.
type Policy uint8

// Overlap policies.
const (
	LowestOffset Policy = iota // Wireshark's: the fragment with the lowest offset wins, ties go to the first
	FirstWins                  // bytes already held win; later fragments fill holes
	DropOverlap                // overlapping with different bytes discards the datagram (RFC 5722)
)

// Config holds a Defragmenter's limits. Zero values take the defaults.
type Config struct {
	MaxDatagrams int   // datagrams in progress (default 4096)
	MaxBytes     int   // bytes held by datagrams in progress (default 32 MiB)
	Timeout      int64 // nanoseconds of capture time a datagram may wait (default 60 s; negative: forever)
	Overlap      Policy
}

// Defaults for a zero Config.
const (
	DefaultMaxDatagrams = 4096
	DefaultMaxBytes     = 32 << 20
	DefaultTimeout      = 60e9
)

// Status is what became of a packet given to Add.
type Status uint8

// Statuses.
const (
	NotFragment Status = iota // not a fragment: use the packet as it is
	Held                      // a fragment, kept until its datagram is complete
	Complete                  // this fragment completed a datagram: Result.Data holds it
	Rejected                  // a fragment refused (Result.Reason says why); nothing changed
	Discarded                 // under DropOverlap, this fragment's overlap discarded its datagram
)

// Reason says why a fragment was rejected.
type Reason uint8

// Reasons for rejecting a fragment.
const (
	Malformed  Reason = iota + 1 // the header does not parse
	Truncated                    // fewer bytes captured than the length fields say
	Tiny                         // empty, or the RFC 1858 tiny-fragment offset
	Misaligned                   // more fragments follow but the length is not a multiple of 8
	TooBig                       // the datagram would exceed 65,535 bytes (or is an IPv6 jumbogram)
	Conflict                     // a different end, or bytes past the known end
	numReasons
)

func (r Reason) String() string {
	switch r {
	case Malformed:
		return "malformed"
	case Truncated:
		return "truncated"
	case Tiny:
		return "tiny"
	case Misaligned:
		return "misaligned"
	case TooBig:
		return "too big"
	case Conflict:
		return "conflict"
	}
	return "none"
}

// Result is what Add returns.
type Result struct {
	Status Status
	Reason Reason // for Rejected
	// Data is the reassembled datagram when Status is Complete. It is
	// owned by the Defragmenter and valid until the next call of Add.
	Data []byte
	// HdrLen is the length of Data's header part (IPv4 header, or IPv6
	// header and the extension headers before the data), for Complete.
	HdrLen int
	// Fragments is the number of fragments the datagram was made of
	// (Complete).
	Fragments int
}

// Stats counts what a Defragmenter did.
type Stats struct {
	Fragments  int64 // fragments seen (IPv4 and IPv6)
	Complete   int64 // datagrams reassembled
	Duplicates int64 // fragments that brought no new byte
	Overlaps   int64 // fragments overlapping held bytes (first wins: only their new bytes kept)
	Discarded  int64 // datagrams discarded by the DropOverlap policy
	Rejected   [numReasons]int64
	Evicted    int64 // datagrams dropped to respect MaxDatagrams or MaxBytes
	Expired    int64 // datagrams dropped after Timeout
	InProgress int   // datagrams waiting for fragments now
	Bytes      int   // bytes they hold now
}

// RejectedTotal returns the number of rejected fragments, all reasons.
func (s *Stats) RejectedTotal() int64 {
	var n int64
	for _, v := range s.Rejected {
		n += v
	}
	return n
}

// key identifies a datagram.
type key struct {
	zone     uint32
	v6       bool
	proto    uint8 // IPv4 only
	id       uint32
	src, dst [16]byte
}

// span is a range of received bytes [lo, hi) and the offset of the
// fragment its bytes came from.
type span struct{ lo, hi, owner int }

type datagram struct {
	key        key
	first      int64  // capture time of its first fragment
	hdr        []byte // header of the fragment at offset 0 (nil until seen)
	nhPos      int    // IPv6: index in hdr of the Next Header byte naming the Fragment header
	nh         uint8  // IPv6: the Fragment header's Next Header, from the fragment at offset 0
	data       []byte // the fragmentable part received so far (len: furthest end)
	have, tmp  []span // held ranges, sorted and disjoint (tmp: spare for fill)
	held       int    // bytes held (the sum of have's lengths)
	end        int    // total length of the data once the last fragment is seen, else -1
	frags      int
	mem        int
	prev, next *datagram
}

// Defragmenter reassembles fragments. It is not safe for concurrent use.
type Defragmenter struct {
	cfg        Config
	m          map[key]*datagram
	head, tail *datagram // oldest first
	out        []byte
	stats      Stats
}

// New returns a Defragmenter with the given limits.
func New(cfg Config) *Defragmenter {
	if cfg.MaxDatagrams <= 0 {
		cfg.MaxDatagrams = DefaultMaxDatagrams
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &Defragmenter{cfg: cfg, m: map[key]*datagram{}}
}

// Stats returns the counters.
func (d *Defragmenter) Stats() Stats { return d.stats }

// frag is a parsed fragment.
type frag struct {
	key   key
	hdr   []byte // IPv4 header, or IPv6 unfragmentable part
	nhPos int
	nh    uint8
	off   int
	more  bool
	data  []byte
}

// Add feeds one IP packet (from the IP header on; bytes past the length
// fields, such as link padding, are ignored) captured at time ts
// (nanoseconds). zone separates otherwise equal keys (VLAN, tunnel).
func (d *Defragmenter) Add(zone uint32, ip []byte, ts int64) Result {
	var f frag
	var r Reason
	if len(ip) > 0 && ip[0]>>4 == 6 {
		r = parse6(ip, &f)
	} else {
		r = parse4(ip, &f)
	}
	if r == notFragment {
		return Result{Status: NotFragment}
	}
	d.stats.Fragments++
	if r != 0 {
		d.stats.Rejected[r]++
		return Result{Status: Rejected, Reason: r}
	}
	f.key.zone = zone
	d.expire(ts)
	if f.off == 0 && !f.more {
		// An atomic fragment (IPv6, RFC 6946): a datagram on its own.
		d.stats.Complete++
		return Result{Status: Complete, Data: d.build(f.hdr, f.nhPos, f.nh, f.data), HdrLen: len(f.hdr), Fragments: 1}
	}
	g := d.m[f.key]
	if g == nil {
		if d.stats.InProgress >= d.cfg.MaxDatagrams {
			d.evict()
		}
		g = &datagram{key: f.key, first: ts, end: -1}
		d.m[f.key] = g
		d.push(g)
		d.stats.InProgress++
	}
	return d.add(g, &f)
}

// notFragment is parse's answer for a packet that is no fragment.
const notFragment Reason = 255

// parse4 reads an IPv4 fragment.
func parse4(b []byte, f *frag) Reason {
	if len(b) < 20 || b[0]>>4 != 4 {
		return notFragment // not IPv4 at all: nothing to reassemble
	}
	fo := int(binary.BigEndian.Uint16(b[6:]))
	more, off := fo&0x2000 != 0, (fo&0x1fff)*8
	if !more && off == 0 {
		return notFragment
	}
	hl := int(b[0]&15) * 4
	tl := int(binary.BigEndian.Uint16(b[2:]))
	if hl < 20 || tl < hl {
		return Malformed
	}
	if tl > len(b) {
		return Truncated
	}
	f.hdr, f.data, f.off, f.more = b[:hl], b[hl:tl], off, more
	f.key.proto = b[9]
	f.key.id = uint32(binary.BigEndian.Uint16(b[4:]))
	copy(f.key.src[:], b[12:16])
	copy(f.key.dst[:], b[16:20])
	return check(f, b[9] == 6 && off == 8, 65535-hl)
}

// check applies the length rules common to both versions; room is the
// largest fragmentable part the datagram may have.
func check(f *frag, tiny bool, room int) Reason {
	n := len(f.data)
	switch {
	case n == 0 || tiny:
		return Tiny
	case f.more && n%8 != 0:
		return Misaligned
	case f.off+n > room:
		return TooBig
	}
	return 0
}

// IPv6 extension headers that may precede the Fragment header.
const (
	nhHopByHop = 0
	nhRouting  = 43
	nhFragment = 44
	nhDestOpts = 60
)

// parse6 reads an IPv6 fragment.
func parse6(b []byte, f *frag) Reason {
	if len(b) < 40 {
		return notFragment
	}
	plen := int(binary.BigEndian.Uint16(b[4:]))
	end := 40 + plen
	if plen == 0 {
		end = len(b) // a jumbogram, or a length left zero: find out whether it is a fragment first
	}
	nh, nhPos, pos := b[6], 6, 40
	for n := 0; n < 16 && (nh == nhHopByHop || nh == nhRouting || nh == nhDestOpts); n++ {
		if pos+2 > end || pos+2 > len(b) {
			return notFragment // the header chain is the dissector's business
		}
		nh, nhPos = b[pos], pos
		pos += (int(b[pos+1]) + 1) * 8
	}
	if nh != nhFragment {
		return notFragment
	}
	if plen == 0 {
		return TooBig // RFC 2675: a jumbogram must not be fragmented
	}
	if end > len(b) {
		return Truncated
	}
	if pos+8 > end {
		return Malformed
	}
	fo := int(binary.BigEndian.Uint16(b[pos+2:]))
	f.off, f.more = fo&^7, fo&1 != 0
	f.hdr, f.nhPos, f.nh, f.data = b[:pos], nhPos, b[pos], b[pos+8:end]
	f.key.v6 = true
	f.key.id = binary.BigEndian.Uint32(b[pos+4:])
	copy(f.key.src[:], b[8:24])
	copy(f.key.dst[:], b[24:40])
	return check(f, false, 65535-(pos-40))
}

// add stores fragment f in datagram g.
func (d *Defragmenter) add(g *datagram, f *frag) Result {
	lo, hi := f.off, f.off+len(f.data)
	if (g.end >= 0 && hi > g.end) || (!f.more && (g.end >= 0 && g.end != hi || g.end < 0 && len(g.data) > hi)) {
		if d.cfg.Overlap == DropOverlap {
			d.discard(g)
			return Result{Status: Discarded, Reason: Conflict}
		}
		d.stats.Rejected[Conflict]++
		return Result{Status: Rejected, Reason: Conflict}
	}
	covered, differs := g.overlap(lo, hi, f.data)
	if covered > 0 {
		if d.cfg.Overlap == DropOverlap && differs {
			d.discard(g)
			return Result{Status: Discarded}
		}
		if covered == hi-lo {
			d.stats.Duplicates++
		} else {
			d.stats.Overlaps++
		}
	}
	if grow := hi - len(g.data); grow > 0 {
		if !d.room(g, grow) {
			return Result{Status: Held} // g itself was evicted
		}
		g.data = append(g.data, make([]byte, grow)...)
	}
	g.fill(lo, hi, f.data, d.cfg.Overlap)
	if !f.more {
		g.end = hi
	}
	if f.off == 0 && g.hdr == nil {
		if !d.room(g, len(f.hdr)) {
			return Result{Status: Held}
		}
		g.hdr = append([]byte(nil), f.hdr...)
		g.nhPos, g.nh = f.nhPos, f.nh
	}
	g.frags++
	if g.hdr == nil || g.end < 0 || g.held != g.end {
		return Result{Status: Held}
	}
	if len(g.hdr)+g.end > 65535+40*btoi(g.key.v6) {
		// The header of the first fragment is longer than the others'.
		d.remove(g)
		d.stats.Rejected[TooBig]++
		return Result{Status: Rejected, Reason: TooBig}
	}
	out := d.build(g.hdr, g.nhPos, g.nh, g.data[:g.end])
	n := g.frags
	d.remove(g)
	d.stats.Complete++
	return Result{Status: Complete, Data: out, HdrLen: len(g.hdr), Fragments: n}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// overlap returns how many bytes of [lo, hi) g already holds and whether
// any of them differ from data.
func (g *datagram) overlap(lo, hi int, data []byte) (covered int, differs bool) {
	for _, s := range g.have {
		a, b := max(s.lo, lo), min(s.hi, hi)
		if a >= b {
			continue
		}
		covered += b - a
		if string(g.data[a:b]) != string(data[a-lo:b-lo]) {
			differs = true
		}
	}
	return covered, differs
}

// fill stores the bytes of [lo, hi) that win under the policy (bytes not
// held yet; under LowestOffset also held bytes from a fragment at a higher
// offset) and records who owns each range.
func (g *datagram) fill(lo, hi int, data []byte, pol Policy) {
	res := g.tmp[:0]
	put := func(a, b int) {
		copy(g.data[a:b], data[a-lo:b-lo])
		res = append(res, span{a, b, lo})
	}
	pos := lo // first byte of the new range not yet placed
	for _, s := range g.have {
		if s.hi <= lo || s.lo >= hi {
			if s.lo >= hi && pos < hi {
				put(pos, hi)
				g.held += hi - pos
				pos = hi
			}
			res = append(res, s)
			continue
		}
		if s.lo > pos {
			put(pos, s.lo)
			g.held += s.lo - pos
		}
		a, b := max(s.lo, lo), min(s.hi, hi)
		if s.lo < a {
			res = append(res, span{s.lo, a, s.owner})
		}
		if pol == LowestOffset && lo < s.owner {
			put(a, b)
		} else {
			res = append(res, span{a, b, s.owner})
		}
		if b < s.hi {
			res = append(res, span{b, s.hi, s.owner})
		}
		pos = max(pos, b)
	}
	if pos < hi {
		put(pos, hi)
		g.held += hi - pos
	}
	// Join neighbours with the same owner.
	n := 0
	for _, s := range res {
		if n > 0 && res[n-1].hi == s.lo && res[n-1].owner == s.owner {
			res[n-1].hi = s.hi
			continue
		}
		res[n] = s
		n++
	}
	g.have, g.tmp = res[:n], g.have[:0]
}

// build writes a whole datagram into d.out: the header (patched) then the
// data.
func (d *Defragmenter) build(hdr []byte, nhPos int, nh uint8, data []byte) []byte {
	out := append(append(d.out[:0], hdr...), data...)
	d.out = out
	if out[0]>>4 == 6 {
		out[nhPos] = nh
		binary.BigEndian.PutUint16(out[4:], uint16(len(out)-40))
		return out
	}
	binary.BigEndian.PutUint16(out[2:], uint16(len(out)))
	out[6] &= 0xc0 // keep the reserved and DF bits; MF and the offset go
	out[7] = 0
	out[10], out[11] = 0, 0
	binary.BigEndian.PutUint16(out[10:], checksum(out[:len(hdr)]))
	return out
}

// checksum is the Internet checksum of an IPv4 header.
func checksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// room makes room for n more bytes in g, evicting the oldest datagrams.
// It reports false if g itself had to go.
func (d *Defragmenter) room(g *datagram, n int) bool {
	for d.stats.Bytes+n > d.cfg.MaxBytes && d.head != nil {
		victim := d.head
		d.evict()
		if victim == g {
			return false
		}
	}
	g.mem += n
	d.stats.Bytes += n
	return true
}

// evict drops the oldest datagram.
func (d *Defragmenter) evict() {
	if d.head != nil {
		d.stats.Evicted++
		d.remove(d.head)
	}
}

// discard drops g under the DropOverlap policy.
func (d *Defragmenter) discard(g *datagram) {
	d.stats.Discarded++
	d.remove(g)
}

// expire drops the datagrams whose first fragment is older than the
// timeout.
func (d *Defragmenter) expire(now int64) {
	if d.cfg.Timeout < 0 {
		return
	}
	for d.head != nil && now-d.head.first > d.cfg.Timeout {
		d.stats.Expired++
		d.remove(d.head)
	}
}

// Flush drops every datagram in progress (counted as expired), as at the
// end of a capture, and returns how many there were.
func (d *Defragmenter) Flush() int {
	n := 0
	for d.head != nil {
		d.stats.Expired++
		d.remove(d.head)
		n++
	}
	return n
}

func (d *Defragmenter) push(g *datagram) {
	g.prev = d.tail
	if d.tail != nil {
		d.tail.next = g
	} else {
		d.head = g
	}
	d.tail = g
}

func (d *Defragmenter) remove(g *datagram) {
	if g.prev != nil {
		g.prev.next = g.next
	} else {
		d.head = g.next
	}
	if g.next != nil {
		g.next.prev = g.prev
	} else {
		d.tail = g.prev
	}
	g.prev, g.next = nil, nil
	delete(d.m, g.key)
	d.stats.InProgress--
	d.stats.Bytes -= g.mem
}
