package flow

import (
	"net/netip"
	"slices"
	"time"

	"pktkit/packet"
)

// Config sets a table's limits and keying. The zero value is usable: every
// zero field takes its default.
type Config struct {
	// MaxConns bounds the connections held at once (default 1<<20). When
	// a new connection would exceed it, the least recently active one is
	// evicted: finished early, counted in Stats.Evicted.
	MaxConns int
	// Idle timeouts after which a connection with no packets is finished
	// (Zeek's defaults: tcp_inactivity_timeout 5 min, udp and icmp 1 min;
	// other IP protocols as UDP). CloseDelay is how long a TCP connection
	// lingers once both sides closed it or one reset it (Zeek's
	// tcp_close_delay and tcp_reset_delay, 5 s).
	TCPTimeout, UDPTimeout, ICMPTimeout, OtherTimeout, CloseDelay time.Duration
	// ZeekKeys keys connections as Zeek does: by addresses, ports and
	// protocol only, so that a flow carried in two tunnels (or two VLANs)
	// is one connection, and ICMP by type and its counterpart (echo
	// request and reply), without the echo identifier. By default VLAN
	// ids, tunnel outer addresses and VXLAN/GENEVE network ids are part of
	// the key, and ICMP echo flows are keyed by identifier.
	ZeekKeys bool
	// Checksums verifies transport checksums as Zeek does: a packet with a
	// bad one is not counted and only marks the history (c/C). Off by
	// default (captures taken on a sending host carry offloaded, unfilled
	// checksums).
	Checksums bool
	// NoStreams turns off tshark-compatible stream numbering (Conn.Stream,
	// Table.Streams), saving a second lookup per packet.
	NoStreams bool
	// MaxStreams bounds the conversations remembered for stream numbering
	// (default 4 * MaxConns); see Stats.StreamResets.
	MaxStreams int
	// Finished, if set, receives each connection as it ends: idle
	// timeout, eviction, port reuse, or Flush. The pointer is valid only
	// during the call (copy the Conn to keep it).
	Finished func(c *Conn)
}

// Stats counts what the table did.
type Stats struct {
	Packets  uint64 // packets given to Update
	NoFlow   uint64 // packets without an IP layer (not counted in any connection)
	Fragment uint64 // non-first IP fragments (not counted: no transport header)
	Conns    uint64 // connections created
	Expired  uint64 // connections finished by an idle timeout or close delay
	Evicted  uint64 // connections finished early because the table was full
	Reused   uint64 // TCP connections finished by a new SYN on their tuple (Zeek's reuse)
	Active   int    // connections held now
	// StreamResets counts the times the stream numbering forgot its
	// conversations to stay within MaxStreams.
	StreamResets int
}

// Direction says which side sent a packet.
type Direction uint8

// Directions.
const (
	FromOrig Direction = iota // sent by the originator
	FromResp                  // sent by the responder
)

// key identifies a connection: the two ends in canonical order, the
// protocol (the conversation key tshark numbers streams by, for TCP and
// UDP) and the encapsulation context.
type key struct {
	convKey
	ctx uint64
}

// hash of a key: its conversation hash h (convKey.hash) with the
// context folded in.
func keyHash(h, ctx uint64) uint64 {
	if ctx == 0 {
		return h
	}
	return fold(h, ctx)
}

func (k *key) hash() uint64 { return keyHash(k.convKey.hash(), k.ctx) }

// Connection classes, each with its own idle timeout and LRU list.
const (
	clTCP = iota
	clTCPDone
	clUDP
	clICMP
	clOther
	nClass
)

type slot struct {
	tag uint32 // high bits of the hash
	idx uint32 // connection index + 1; 0 for an empty slot
}

const chunkBits = 10

// Table is a flow table of bidirectional connections (see the package
// documentation). It is not safe for concurrent use.
type Table struct {
	cfg     Config
	timeout [nClass]int64
	slots   []slot
	mask    uint64
	chunks  []*[1 << chunkBits]Conn
	n       uint32   // connections allocated (chunks hold n)
	free    []uint32 // indices of finished connections, for reuse
	head    [nClass]uint32
	tail    [nClass]uint32
	now     int64
	stats   Stats
	num     *numberer
	streams []Stream
	outer   []pktInfo // the outer flows of a tunnelled packet
	pi      pktInfo
	lpi     pktInfo   // Lookup's
	louter  []pktInfo // Lookup's outer flows (Update's may be in use)
	nextIdx uint64
}

// New returns an empty table.
func New(cfg Config) *Table {
	initKinds()
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 1 << 20
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.TCPTimeout, 5*time.Minute)
	def(&cfg.UDPTimeout, time.Minute)
	def(&cfg.ICMPTimeout, time.Minute)
	def(&cfg.OtherTimeout, time.Minute)
	def(&cfg.CloseDelay, 5*time.Second)
	if cfg.MaxStreams <= 0 {
		cfg.MaxStreams = 4 * cfg.MaxConns
	}
	t := &Table{cfg: cfg}
	t.timeout = [nClass]int64{int64(cfg.TCPTimeout), int64(cfg.CloseDelay), int64(cfg.UDPTimeout),
		int64(cfg.ICMPTimeout), int64(cfg.OtherTimeout)}
	if !cfg.NoStreams {
		t.num = newNumberer(cfg.MaxStreams)
	}
	t.slots = make([]slot, 1024)
	t.mask = 1023
	return t
}

// Stats returns the table's counters.
func (t *Table) Stats() Stats {
	s := t.stats
	if t.num != nil {
		s.StreamResets = t.num.forgotten
	}
	return s
}

// Streams returns the tshark stream numbers of the TCP and UDP layers of
// the packet last given to Update, in layer order (nil with NoStreams).
// The slice is reused by the next Update.
func (t *Table) Streams() []Stream { return t.streams }

func (t *Table) conn(i uint32) *Conn { return &t.chunks[i>>chunkBits][i&(1<<chunkBits-1)] }

// lookup finds the connection with key k and hash h.
func (t *Table) lookup(k *key, h uint64) *Conn {
	tag := uint32(h >> 32)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s.idx == 0 {
			return nil
		}
		if s.tag == tag {
			if c := t.conn(s.idx - 1); c.key.eq(&k.convKey) && c.key.ctx == k.ctx {
				return c
			}
		}
	}
}

// insert adds connection index ci with hash h.
func (t *Table) insert(ci uint32, h uint64) {
	if uint64(t.stats.Active+1)*2 > uint64(len(t.slots)) {
		t.grow()
	}
	i := h & t.mask
	for t.slots[i].idx != 0 {
		i = (i + 1) & t.mask
	}
	t.slots[i] = slot{tag: uint32(h >> 32), idx: ci + 1}
}

func (t *Table) grow() {
	old := t.slots
	t.slots = make([]slot, 2*len(old))
	t.mask = uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.idx == 0 {
			continue
		}
		h := t.conn(s.idx - 1).hash
		i := h & t.mask
		for t.slots[i].idx != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = s
	}
}

// remove deletes connection index ci from the slots (backward-shift
// deletion keeps probe sequences intact without tombstones).
func (t *Table) remove(ci uint32, h uint64) {
	i := h & t.mask
	for t.slots[i].idx != ci+1 {
		if t.slots[i].idx == 0 {
			return
		}
		i = (i + 1) & t.mask
	}
	j := i
	for {
		j = (j + 1) & t.mask
		s := t.slots[j]
		if s.idx == 0 {
			break
		}
		home := t.conn(s.idx-1).hash & t.mask
		// Move s to the hole at i unless its home lies cyclically in (i, j].
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			t.slots[i] = s
			i = j
		}
	}
	t.slots[i] = slot{}
}

// unlink takes c out of its class list.
func (t *Table) unlink(c *Conn) {
	cl := c.class
	if c.prev != 0 {
		t.conn(c.prev - 1).next = c.next
	} else {
		t.head[cl] = c.next
	}
	if c.next != 0 {
		t.conn(c.next - 1).prev = c.prev
	} else {
		t.tail[cl] = c.prev
	}
	c.prev, c.next = 0, 0
}

// pushBack appends c to the end of class list cl (the most recent end).
func (t *Table) pushBack(c *Conn, cl uint8) {
	c.class = cl
	c.prev, c.next = t.tail[cl], 0
	if t.tail[cl] != 0 {
		t.conn(t.tail[cl] - 1).next = c.self + 1
	} else {
		t.head[cl] = c.self + 1
	}
	t.tail[cl] = c.self + 1
}

// touch makes c the most recent of class cl.
func (t *Table) touch(c *Conn, cl uint8) {
	if c.class == cl && c.next == 0 {
		return
	}
	t.unlink(c)
	t.pushBack(c, cl)
}

// finish ends connection c: reports it and frees its slot.
func (t *Table) finish(c *Conn) {
	c.finishTCP()
	if t.cfg.Finished != nil {
		t.cfg.Finished(c)
	}
	t.unlink(c)
	t.remove(c.self, c.hash)
	c.live = false
	t.free = append(t.free, c.self)
	t.stats.Active--
}

// expire finishes the connections idle past their class's timeout at now.
func (t *Table) expire(now int64) {
	for cl := range nClass {
		for t.head[cl] != 0 {
			c := t.conn(t.head[cl] - 1)
			if now-c.Last <= t.timeout[cl] {
				break
			}
			c.Expired = true
			t.stats.Expired++
			t.finish(c)
		}
	}
}

// evictOne finishes the least recently active connection.
func (t *Table) evictOne() {
	var old *Conn
	for cl := range nClass {
		if t.head[cl] != 0 {
			c := t.conn(t.head[cl] - 1)
			if old == nil || c.Last < old.Last {
				old = c
			}
		}
	}
	if old != nil {
		old.Evicted = true
		t.stats.Evicted++
		t.finish(old)
	}
}

// alloc returns a fresh connection slot.
func (t *Table) alloc() *Conn {
	var i uint32
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		if int(t.n>>chunkBits) == len(t.chunks) {
			t.chunks = append(t.chunks, new([1 << chunkBits]Conn))
		}
		i = t.n
		t.n++
	}
	c := t.conn(i)
	*c = Conn{self: i}
	return c
}

// Update accounts packet p (its Timestamp gives the time) to its
// connection and returns the connection, the direction the packet went and
// whether it created the connection. It returns nil for a packet without
// an IP layer and for non-first IP fragments. Connections idle past their
// timeout at p's time are finished first.
//
// The returned connection stays valid until it is finished (see
// Config.Finished); Table.Streams gives the packet's tshark stream numbers.
func (t *Table) Update(p *packet.Packet) (c *Conn, dir Direction, isNew bool) {
	t.stats.Packets++
	ts := p.Timestamp
	if ts > t.now {
		if t.now != 0 && ts-t.now < int64(time.Second) && t.stats.Packets&255 != 0 {
			// Expire at most about once a second of capture time, or every
			// 256 packets, whichever comes first.
		} else {
			t.expire(ts)
		}
		t.now = ts
	}
	pi := &t.pi
	if !t.parse(p, pi) {
		if pi.pend != 0 {
			t.numberPend(pi)
		}
		t.stats.NoFlow++
		return nil, 0, false
	}
	if pi.pend != 0 && (pi.frag || pi.proto == 59 && pi.v6) {
		t.numberPend(pi)
	}
	if pi.frag {
		t.stats.Fragment++
		return nil, 0, false
	}
	for i := range t.outer {
		if o := &t.outer[i]; t.cfg.Checksums {
			o.badSum = badChecksum(o, p)
		}
		t.account(&t.outer[i], ts)
	}
	if pi.proto == 59 && pi.v6 {
		t.stats.NoFlow++ // IPv6 "no next header": nothing to key (Zeek makes no connection)
		return nil, 0, false
	}
	return t.account(pi, ts)
}

// account adds one flow level of a packet to its connection.
func (t *Table) account(pi *pktInfo, ts int64) (c *Conn, dir Direction, isNew bool) {
	var k key
	fwd, ch, h := t.flowKey(pi, &k)
	c = t.lookup(&k, h)
	var cv uint32 // the conversation's index+1 for numbering
	if pi.pend != 0 {
		var known uint32
		if c != nil {
			known = c.conv
		}
		cv = t.numberMain(pi, &k.convKey, ch, !fwd, known)
		if c != nil {
			c.conv = cv
		}
	}
	if c != nil {
		dir = FromResp
		if c.origIsA == fwd {
			dir = FromOrig
		}
		if pi.proto == 6 && (c.isReuse(pi, dir) || c.attemptOver(ts)) {
			t.stats.Reused++
			t.finish(c)
			c = nil
		}
	}
	if c == nil {
		if t.stats.Active >= t.cfg.MaxConns {
			t.evictOne()
		}
		c = t.alloc()
		c.key, c.hash, c.live, c.conv = k, h, true, cv
		c.Index = t.nextIdx
		t.nextIdx++
		t.stats.Conns++
		t.stats.Active++
		t.insert(c.self, h)
		t.pushBack(c, classOf(pi.proto))
		flip := wantFlip(pi)
		c.init(pi, ts, flip)
		c.origIsA = fwd != flip
		dir = FromOrig
		if flip {
			dir = FromResp
		}
		isNew = true
		c.Stream, c.UDPStream = -1, -1
		switch pi.proto {
		case 6:
			c.Stream = pi.stream
		case 17:
			c.UDPStream = pi.stream
		}
	}
	c.packet(pi, dir, ts)
	cl := classOf(pi.proto)
	if cl == clTCP && c.tcpDone() {
		cl = clTCPDone
	}
	t.touch(c, cl)
	return c, dir, isNew
}

// flowKey fills k for the packet's flow and returns whether the sender is
// end a of the key, the hash of the conversation key (for stream
// numbering) and the hash of k.
func (t *Table) flowKey(pi *pktInfo, k *key) (fwd bool, ch, h uint64) {
	if p := pi.proto; p == 6 || p == 17 {
		fwd = makeConvKey(&k.convKey, &pi.src, &pi.dst, pi.sport, pi.dport, p, pi.v6)
		k.ctx = pi.ctx
	} else {
		fwd = t.keyOf(pi, k)
	}
	ch = k.convKey.hash()
	return fwd, ch, keyHash(ch, k.ctx)
}

// Lookup returns the connection the table holds for packet p's flow (the
// innermost one of a tunnelled packet) and the direction p goes in it as
// the connection's roles stand now, or nil. It changes nothing: no accounting, no stream numbering, no expiry
// (so it returns the connection even when Update would finish it first:
// idle past its timeout, or a new SYN on a closed TCP connection).
func (t *Table) Lookup(p *packet.Packet) (*Conn, Direction) {
	// Lookup may be called while Update is at work (from a Finished
	// callback): parse numbers nothing, and the packet's streams and outer
	// flows stay.
	num, streams, outer := t.num, t.streams, t.outer
	t.num, t.outer = nil, t.louter
	pi := &t.lpi
	ok := t.parse(p, pi)
	t.louter = t.outer
	t.num, t.streams, t.outer = num, streams, outer
	if !ok || pi.frag || pi.proto == 59 && pi.v6 {
		return nil, 0
	}
	var k key
	fwd, _, h := t.flowKey(pi, &k)
	c := t.lookup(&k, h)
	if c == nil {
		return nil, 0
	}
	if c.origIsA == fwd {
		return c, FromOrig
	}
	return c, FromResp
}

// Related returns the connection of the packet quoted by the ICMP error
// last given to Update, if it is in the table (nil otherwise). Only a
// lookup: it creates nothing.
func (t *Table) Related() *Conn {
	pi := &t.pi
	if !pi.hasQuote || pi.quote.proto != 6 && pi.quote.proto != 17 {
		return nil
	}
	q := *pi
	q.ends = pi.quote
	var k key
	t.keyOf(&q, &k)
	return t.lookup(&k, k.hash())
}

// Flush finishes every connection still in the table, in order of
// creation, and returns how many it finished.
func (t *Table) Flush() int {
	var live []uint32
	for cl := range nClass {
		for i := t.head[cl]; i != 0; i = t.conn(i - 1).next {
			live = append(live, i-1)
		}
	}
	slices.SortFunc(live, func(a, b uint32) int {
		x, y := t.conn(a).Index, t.conn(b).Index
		if x < y {
			return -1
		}
		if x > y {
			return 1
		}
		return 0
	})
	for _, i := range live {
		t.finish(t.conn(i))
	}
	return len(live)
}

func classOf(proto uint8) uint8 {
	switch proto {
	case 6:
		return clTCP
	case 17:
		return clUDP
	case 1, 58:
		return clICMP
	}
	return clOther
}

// keyOf fills k for the packet's flow and reports whether the sender is
// end a of the key.
func (t *Table) keyOf(pi *pktInfo, k *key) bool {
	sp, dp := pi.sport, pi.dport
	ctx := pi.ctx
	switch pi.proto {
	case 6, 17:
	case 1, 58:
		sp, dp = icmpPorts(pi, t.cfg.ZeekKeys)
		if !t.cfg.ZeekKeys {
			if ct, pair := icmpCounterpart(pi.v6, pi.icmpType); pair {
				// Echo-like messages: the pair of types goes to the
				// context, the identifier to both ports.
				ctx = fold(ctx, 0x300+uint64(min(pi.icmpType, ct)))
			}
		}
	default:
		sp, dp = 0, 0
	}
	k.ctx = ctx
	return makeConvKey(&k.convKey, &pi.src, &pi.dst, sp, dp, pi.proto, pi.v6)
}

// icmpCounterpart returns the reply type of an ICMP or ICMPv6 request type
// (or the request of a reply), and whether the type has one.
func icmpCounterpart(v6 bool, typ uint8) (uint8, bool) {
	if v6 {
		for _, pr := range [...][2]uint8{{128, 129}, {130, 131}, {133, 134}, {135, 136}, {139, 140}} {
			if typ == pr[0] {
				return pr[1], true
			}
			if typ == pr[1] {
				return pr[0], true
			}
		}
		return 0, false
	}
	switch typ {
	case 8:
		return 0, true
	case 0:
		return 8, true
	case 13, 14, 15, 16, 17, 18:
		if typ%2 == 1 {
			return typ + 1, true
		}
		return typ - 1, true
	case 9:
		return 10, true
	case 10:
		return 9, true
	}
	return 0, false
}

// icmpPorts returns the pseudo-ports of an ICMP packet for the key.
// Zeek's: the type as sent, and the counterpart type for
// request/reply types, else the code. pktkit's own keying makes both the
// echo identifier for echo messages (so that two pings are two flows).
func icmpPorts(pi *pktInfo, zeek bool) (uint16, uint16) {
	ct, pair := icmpCounterpart(pi.v6, pi.icmpType)
	if !pair {
		return uint16(pi.icmpType), uint16(pi.icmpCode)
	}
	if zeek {
		return uint16(pi.icmpType), uint16(ct)
	}
	// Both directions key alike: the identifier on both ends (keyOf adds
	// the pair of types to the context).
	return pi.icmpID, pi.icmpID
}

// wantFlip reports whether a new connection's first packet was probably
// sent by the responder (Zeek's rules): a TCP SYN-ACK; a TCP packet
// without SYN from a likely server port to a port that is not one (or,
// when both are, from the lower port); a UDP datagram from a likely server
// port to a port that is not one.
func wantFlip(pi *pktInfo) bool {
	switch pi.proto {
	case 6:
		switch pi.flags & (flSYN | flACK) {
		case flSYN:
			return false
		case flSYN | flACK:
			return true // a SYN-ACK answers: its receiver originated
		}
		if !likelyServer(pi.sport, 6) {
			return false
		}
		if likelyServer(pi.dport, 6) {
			return pi.flags&flSYN == 0 && pi.sport < pi.dport
		}
		return true
	case 17:
		return likelyServer(pi.sport, 17) && !likelyServer(pi.dport, 17)
	}
	return false // ICMP: the first sender originates, as in Zeek
}

// UID returns a Zeek-style connection id ("C" and 17 base-62 digits)
// derived from the connection's key and first packet time, so that the
// same capture always gives the same ids.
func (c *Conn) UID() string {
	// The hash of the key as the first versions of the table computed it,
	// so that ids stay the same across versions.
	a, b := c.key.addrs()
	pa, pb := c.key.ports()
	kh := fold(fold(fold(fold(c.key.ctx^uint64(c.key.proto())<<8, le64(a[:8])), le64(a[8:])), le64(b[:8])), le64(b[8:]))
	kh = fold(kh, uint64(pa)<<16|uint64(pb))
	h := kh ^ uint64(c.Start)*0x9E3779B97F4A7C15
	h2 := fold(fold(h, uint64(c.Start)), c.Index)
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var u [18]byte
	u[0] = 'C'
	for i := 1; i < 18; i++ {
		if i == 10 {
			h = h2
		}
		u[i] = digits[h%62]
		h /= 62
	}
	return string(u[:])
}

// Endpoints returns the originator's and responder's addresses.
func (c *Conn) Endpoints() (orig, resp netip.Addr) {
	a, b := c.key.addrs()
	if !c.origIsA {
		a, b = b, a
	}
	if c.key.v6() {
		return netip.AddrFrom16(a), netip.AddrFrom16(b)
	}
	return netip.AddrFrom4([4]byte(a[:4])), netip.AddrFrom4([4]byte(b[:4]))
}
