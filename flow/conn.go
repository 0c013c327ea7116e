package flow

import "time"

// Conn is one bidirectional connection and Zeek's conn.log view of it.
// Its exported fields are plain values: copy the struct to keep a record
// of a finished connection.
type Conn struct {
	// The lookup's fields, first: in one cache line with the key.
	key  key
	hash uint64
	self uint32
	conv uint32 // index+1 of the stream numbering's conversation, a hint (see numberer)

	// Index is the connection's creation order in the table (0-based):
	// the order of first packets.
	Index uint64
	// Start and Last are the times (ns since the Unix epoch) of the first
	// and the last packet. Duration uses Zeek's end: the last packet before
	// both sides had closed.
	Start, Last int64
	// Proto is the IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6).
	Proto uint8
	// OrigPort and RespPort are the ports; for ICMP, as in Zeek, the
	// originator's message type and the counterpart type (echo reply for
	// an echo request) or, for other messages, the code.
	OrigPort, RespPort uint16
	// Encap is a hash of the encapsulation context the connection was
	// keyed with (VLAN ids, tunnel outer addresses, VXLAN/GENEVE network
	// id); 0 when there is none or with Config.ZeekKeys.
	Encap uint64
	// Stream and UDPStream are tshark's tcp.stream and udp.stream of the
	// connection's first packet (-1 if not TCP, not UDP, or numbering is
	// off). tshark may start a new stream within one Zeek connection (a
	// SYN with a new sequence number on an open connection): per-packet
	// numbers are in Table.Streams.
	Stream, UDPStream int32
	// Packets and IP bytes (IP header included) each way, as Zeek counts
	// them (packets with a bad checksum are left out when verified).
	OrigPkts, RespPkts, OrigIPBytes, RespIPBytes uint64
	// MissedBytes is the size of the gaps in the TCP byte streams: bytes
	// acknowledged by the peer that the capture does not hold.
	MissedBytes uint64
	// Handshake times (0 when not seen): the originator's first SYN, the
	// responder's first SYN-ACK, the originator's first ACK after it.
	SYNTime, SYNACKTime, ACKTime int64
	// Expired and Evicted tell why the table finished the connection
	// early: an idle timeout, or the table being full.
	Expired, Evicted bool

	prev, next     uint32
	class          uint8
	live           bool
	origIsA        bool
	end            int64 // Zeek's last time (for the duration)
	attempt        int64 // when an unanswered SYN is given up (Zeek's tcp_attempt_delay)
	deleteAt       int64 // when a completely closed connection is dropped (Zeek's tcp_close_delay)
	orig, resp     endpoint
	histSeen       uint32
	nhist          uint8
	hist           [46]byte
	missedComputed bool
}

// TCP endpoint states (Zeek's TCP_ENDPOINT_*).
const (
	stInactive = iota
	stSYNSent
	stSYNACKSent
	stPartial
	stEstablished
	stClosed
	stReset
)

// scaled counts an event recorded in the history at the 1st, 10th, 100th
// ... occurrence.
type scaled struct{ n, next uint32 }

// hit counts one occurrence and reports whether it is to be recorded.
func (s *scaled) hit() bool {
	s.n++
	if s.next == 0 {
		s.next = 1
	}
	if s.n == s.next {
		s.next *= 10
		return true
	}
	return false
}

type ival struct{ s, e uint64 }

// endpoint is one side of a connection.
type endpoint struct {
	state, prevState uint8
	started          bool // it sent a counted packet
	didClose         bool
	startSeq         uint32
	lastSeq, ackSeq  uint32
	lastHigh         uint32
	ackHigh          uint32
	finCnt, rstCnt   uint32
	finPos           uint64 // relative position of the FIN
	lastSYN          uint32
	lastFIN          uint32
	lastRST          uint32
	rxmit, win0, gap scaled
	csum             scaled
	size             uint64 // bytes, for UDP, ICMP and others
	next             uint64 // relative sequence number up to which the stream is whole
	nbuf             uint8
	buf              [6]ival // out-of-order segments above next
	missed           uint64
}

// History bits (Zeek's HIST_*), shifted by 16 for the responder.
const (
	hSYN = 1 << iota
	hFIN
	hRST
	hFINRST
	hData
	hAck
	hMulti
	hOrigData // UDP
)

// addHistory appends a letter (upper case from the originator).
func (c *Conn) addHistory(ch byte, orig bool) {
	if !orig && ch >= 'A' && ch <= 'Z' {
		ch += 'a' - 'A'
	}
	if int(c.nhist) < len(c.hist) {
		c.hist[c.nhist] = ch
		c.nhist++
	}
}

// checkHistory records ch the first time the bit is set and reports
// whether it had been set before.
func (c *Conn) checkHistory(bit uint32, ch byte, orig bool) bool {
	if !orig {
		bit <<= 16
	}
	if c.histSeen&bit != 0 {
		return true
	}
	c.histSeen |= bit
	c.addHistory(ch, orig)
	return false
}

// History returns Zeek's history string.
func (c *Conn) History() string { return string(c.hist[:c.nhist]) }

// init sets up a new connection from its first packet; flip makes the
// packet's receiver the originator.
func (c *Conn) init(pi *pktInfo, ts int64, flip bool) {
	c.Start, c.Last, c.end = ts, ts, ts
	c.Proto = pi.proto
	c.Encap = pi.ctx
	sp, dp := pi.sport, pi.dport
	switch pi.proto {
	case 6, 17:
	case 1, 58:
		sp = uint16(pi.icmpType)
		if ct, ok := icmpCounterpart(pi.v6, pi.icmpType); ok {
			dp = uint16(ct)
		} else {
			dp = uint16(pi.icmpCode)
		}
	default:
		sp, dp = 0, 0
	}
	if flip {
		sp, dp = dp, sp
		c.addHistory('^', true)
	}
	c.OrigPort, c.RespPort = sp, dp
}

// packet accounts one packet sent in direction dir.
func (c *Conn) packet(pi *pktInfo, dir Direction, ts int64) {
	isOrig := dir == FromOrig
	ep, peer := &c.orig, &c.resp
	if !isOrig {
		ep, peer = peer, ep
	}
	c.Last = max(c.Last, ts)
	if pi.badSum {
		if ep.csum.hit() {
			c.addHistory('C', isOrig)
		}
		return
	}
	if isOrig {
		c.OrigPkts++
		c.OrigIPBytes += uint64(pi.ipLen)
	} else {
		c.RespPkts++
		c.RespIPBytes += uint64(pi.ipLen)
	}
	switch pi.proto {
	case 6:
		c.tcp(pi, ep, peer, isOrig, ts)
		ep.started = true
		return
	case 17:
		c.checkHistory(hOrigData, 'D', isOrig)
		ep.size += uint64(pi.plen)
	case 1, 58:
		ep.size += uint64(pi.plen)
	}
	ep.started = true
	c.end = max(c.end, ts)
}

// rel returns seq relative to the endpoint's start, as a 64-bit offset:
// seq is read as the 64-bit sequence number nearest last_seq (whose wraps
// past zero lastHigh counts), less the initial one.
func (e *endpoint) rel(seq uint32) uint64 {
	abs := int64(e.lastHigh)<<32 + int64(seq)
	if d := int64(seq) - int64(e.lastSeq); d > 1<<31 {
		abs -= 1 << 32 // from before last_seq's wrap
	} else if d < -(1 << 31) {
		abs += 1 << 32 // past a wrap last_seq has not made yet
	}
	return uint64(abs - int64(e.startSeq))
}

func (e *endpoint) initSeq(seq, last uint32) {
	e.startSeq, e.ackSeq, e.lastSeq = seq, seq, last
	e.lastHigh, e.ackHigh = 0, 0
	e.next, e.nbuf = 1, 0
}

func (e *endpoint) updateLast(seq uint32) {
	if seq < e.lastSeq {
		e.lastHigh++
	}
	e.lastSeq = seq
}

func (e *endpoint) setState(s uint8) {
	e.prevState = e.state
	e.state = s
}

func seqDelta(a, b uint32) int32 { return int32(a - b) }

const tooLargeSeqDelta = 1048576

// tcp runs Zeek's TCP analysis for one segment.
func (c *Conn) tcp(pi *pktInfo, ep, peer *endpoint, isOrig bool, ts int64) {
	fl := pi.flags
	syn, fin, rst, ack := fl&flSYN != 0, fl&flFIN != 0, fl&flRST != 0, fl&flACK != 0
	base, plen := pi.seq, pi.plen
	segLen := uint32(plen)
	if syn {
		segLen++
	}
	if fin {
		segLen++
	}
	past := base + segLen

	// init_endpoint
	switch ep.state {
	case stInactive:
		if syn {
			ep.initSeq(base, past)
		} else {
			ep.initSeq(base-1, base)
		}
	case stSYNSent, stSYNACKSent:
		if syn && base != ep.startSeq {
			ep.initSeq(base, past)
		}
	case stEstablished, stPartial:
		if syn {
			ep.initSeq(base, past)
		}
	case stReset:
		if syn && ep.prevState == stInactive {
			ep.initSeq(base, past)
		}
	}

	// History letters.
	switch n := b2i(syn) + b2i(fin) + b2i(rst); {
	case n > 1:
		if fin && rst {
			c.checkHistory(hFINRST, 'I', isOrig)
		} else {
			c.checkHistory(hMulti, 'Q', isOrig)
		}
	case n == 1:
		if syn {
			ch := byte('S')
			if ack {
				ch = 'H'
			}
			if c.checkHistory(hSYN, ch, isOrig) && base != ep.lastSYN {
				c.addHistory(ch, isOrig)
			}
			ep.lastSYN = base
		}
		if fin {
			if c.checkHistory(hFIN, 'F', isOrig) && base+uint32(plen) != ep.lastFIN {
				c.addHistory('F', isOrig)
			}
			ep.lastFIN = base + uint32(plen)
		}
		if rst {
			if c.checkHistory(hRST, 'R', isOrig) && base != ep.lastRST {
				c.addHistory('R', isOrig)
			}
			ep.lastRST = base
		}
	default:
		if plen > 0 {
			c.checkHistory(hData, 'D', isOrig)
		} else if ack {
			c.checkHistory(hAck, 'A', isOrig)
		}
	}

	// update_window: a zero window, unless it is boring.
	if pi.win == 0 && !rst && peer.state != stClosed && ep.state != stReset {
		if ep.win0.hit() {
			c.addHistory('W', isOrig)
		}
	}
	if !c.orig.didClose || !c.resp.didClose {
		c.end = max(c.end, ts)
	}
	if fin {
		ep.finCnt++
		ep.finPos = ep.rel(base) + uint64(b2i(syn)+plen)
	}
	if rst {
		ep.rstCnt++
	}

	// update_last_seq
	deltaLast := seqDelta(past, ep.lastSeq)
	switch {
	case (syn || rst) && (deltaLast > tooLargeSeqDelta || deltaLast < -tooLargeSeqDelta):
	case fin && ep.lastSeq == ep.startSeq+1:
		ep.updateLast(past)
	case ep.state == stReset:
	case deltaLast > 0:
		ep.updateLast(past)
	case plen > 0:
		if ep.rxmit.hit() {
			c.addHistory('T', isOrig)
		}
	}

	// Handshake times.
	switch {
	case syn && !ack && isOrig && c.SYNTime == 0:
		c.SYNTime = ts
	case syn && ack && !isOrig && c.SYNACKTime == 0 && c.SYNTime != 0:
		c.SYNACKTime = ts
	case !syn && ack && isOrig && c.ACKTime == 0 && c.SYNACKTime != 0:
		c.ACKTime = ts
	}

	doClose, flipped := c.stateMachine(ep, peer, base, plen, isOrig, syn, fin, rst, ack)
	if flipped {
		ep, peer, isOrig = peer, ep, !isOrig
	}

	// The stream: data placement, then the peer's acknowledgment.
	if plen > 0 {
		r := ep.rel(base)
		if syn {
			r++
		}
		ep.data(r, r+uint64(plen))
	}
	if ack && peer.started {
		// update_ack_seq on the peer
		d := seqDelta(pi.ack, peer.ackSeq)
		if !(pi.ack == 0 && d > tooLargeSeqDelta) && d > 0 {
			if pi.ack < peer.ackSeq {
				peer.ackHigh++
			}
			peer.ackSeq = pi.ack
		}
		if peer.state != stInactive && d > -tooLargeSeqDelta {
			if peer.acked(peer.rel(pi.ack)) {
				if peer.gap.hit() {
					c.addHistory('G', !isOrig)
				}
			}
		}
	}
	if doClose {
		ep.didClose = true
		// Zeek's ConnectionClosed: once the close is complete (a reset,
		// both sides closed, or the other side never spoke) the connection
		// is dropped tcp_close_delay after its last time, whatever comes
		// later; a half close leaves it to the idle check.
		if (ep.state == stReset || peer.didClose || peer.state == stInactive) && c.deleteAt == 0 {
			c.deleteAt = c.end + closeDelay
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// stateMachine is Zeek's UpdateStateMachine; it reports whether the
// endpoint closed (FIN or RST), and whether the roles were flipped (the
// sender is then the originator, held in the other endpoint).
func (c *Conn) stateMachine(ep, peer *endpoint, base uint32, plen int, isOrig, syn, fin, rst, ack bool) (doClose, flipped bool) {
	switch ep.state {
	case stInactive:
		if syn {
			if isOrig {
				if ack {
					ep.setState(stSYNACKSent)
				} else {
					ep.setState(stSYNSent)
				}
				c.attempt = c.Last + attemptDelay
			} else {
				if !ack && peer.state == stSYNACKSent && base == ep.startSeq {
					// A SYN-ACK then a SYN: the roles were reversed.
					c.flip()
					ep, peer = peer, ep
					isOrig = !isOrig
					flipped = true
					peer.setState(stEstablished)
				}
				if peer.state == stSYNSent {
					peer.setState(stEstablished)
				}
				ep.setState(stEstablished)
			}
		}
		if fin {
			ep.setState(stClosed)
			doClose = true
		}
		if rst {
			ep.setState(stReset)
			doClose = true
		}
		if ep.state == stInactive {
			if !isOrig && plen == 0 && c.orig.state == stSYNSent {
				// An ACK of the SYN before the SYN-ACK: not a partial
				// connection.
			} else if ack && peer.state == stEstablished {
				// A SYN-ACK seen, its SYN missed, now an ACK: established.
				ep.setState(stEstablished)
			} else {
				ep.setState(stPartial)
			}
		}
	case stSYNSent, stSYNACKSent:
		if fin {
			ep.setState(stClosed)
			doClose = true
		}
		if rst {
			ep.setState(stReset)
			doClose = true
		}
	case stEstablished, stPartial:
		if syn && ep.state == stPartial && peer.state == stInactive && !ack {
			ep.setState(stSYNSent)
		}
		if fin && !rst {
			ep.setState(stClosed)
			if peer.state == stReset && peer.prevState == stClosed {
				// The peer sent a FIN then a RST: a normal termination
				// after all (Zeek's UpdateEstablishedState).
				peer.setState(stClosed)
			}
			doClose = true
		}
		if rst {
			ep.setState(stReset)
			doClose = true
		}
	case stClosed:
		if rst && peer.state != stClosed {
			ep.setState(stReset)
			if !ep.didClose {
				doClose = true
			}
		}
	case stReset:
	}
	return doClose, flipped
}

// flip swaps the roles of the two sides (Zeek's FlipRoles).
func (c *Conn) flip() {
	c.orig, c.resp = c.resp, c.orig
	c.OrigPkts, c.RespPkts = c.RespPkts, c.OrigPkts
	c.OrigIPBytes, c.RespIPBytes = c.RespIPBytes, c.OrigIPBytes
	c.OrigPort, c.RespPort = c.RespPort, c.OrigPort
	c.histSeen = c.histSeen>>16 | c.histSeen<<16
	c.origIsA = !c.origIsA
	c.addHistory('^', true)
}

// data records a segment's payload at relative positions [s, e).
func (e *endpoint) data(s, end uint64) {
	if end <= e.next || s-e.next > 1<<31 {
		return // old data, or before the initial sequence number (Zeek's underflow)
	}
	if s <= e.next {
		e.next = end
		e.merge()
		return
	}
	// A segment touching or overlapping a held one joins it, so that a
	// run of segments above a gap takes one slot.
	for i := 0; i < int(e.nbuf); i++ {
		b := &e.buf[i]
		if s > b.e || end < b.s {
			continue
		}
		b.s, b.e = min(b.s, s), max(b.e, end)
		for j := 0; j < int(e.nbuf); j++ {
			if o := e.buf[j]; j != i && o.s <= b.e && o.e >= b.s {
				b.s, b.e = min(b.s, o.s), max(b.e, o.e)
				e.nbuf--
				e.buf[j] = e.buf[e.nbuf]
				if i == int(e.nbuf) {
					i = j
					b = &e.buf[i]
				}
				j = -1
			}
		}
		return
	}
	if int(e.nbuf) < len(e.buf) {
		e.buf[e.nbuf] = ival{s, end}
		e.nbuf++
	}
}

// merge joins buffered segments that now touch the whole stream.
func (e *endpoint) merge() {
	for again := true; again; {
		again = false
		for i := 0; i < int(e.nbuf); i++ {
			if e.buf[i].s <= e.next {
				e.next = max(e.next, e.buf[i].e)
				e.nbuf--
				e.buf[i] = e.buf[e.nbuf]
				again = true
				break
			}
		}
	}
}

// acked handles an acknowledgment of the stream up to relative position
// a: acknowledged bytes the capture lacks are a gap. It reports whether a
// gap was found.
func (e *endpoint) acked(a uint64) bool {
	if e.finCnt > 0 && a > e.finPos {
		a = e.finPos
	}
	if a <= e.next || a-e.next > 1<<31 {
		return false
	}
	gap := false
	for e.next < a {
		lo := a
		for i := 0; i < int(e.nbuf); i++ {
			lo = min(lo, max(e.buf[i].s, e.next))
		}
		if lo > e.next {
			e.missed += lo - e.next
			e.next = lo
			gap = true
		}
		e.merge()
		if lo == a {
			break
		}
	}
	return gap
}

// finishTCP closes the books of a TCP connection: data held above a gap
// at the end is a gap too.
func (c *Conn) finishTCP() {
	if c.Proto != 6 || c.missedComputed {
		return
	}
	c.missedComputed = true
	for _, e := range []*endpoint{&c.orig, &c.resp} {
		for e.nbuf > 0 {
			lo := e.buf[0].s
			for i := 1; i < int(e.nbuf); i++ {
				lo = min(lo, e.buf[i].s)
			}
			e.missed += lo - e.next
			e.next = lo
			e.merge()
		}
	}
	c.MissedBytes = c.orig.missed + c.resp.missed
}

// isReuse reports whether a TCP segment starts a new connection on the
// tuple of c (Zeek's IsReuse): a SYN with a new initial sequence number
// once either side has closed.
func (c *Conn) isReuse(pi *pktInfo, dir Direction) bool {
	if pi.flags&flSYN == 0 {
		return false
	}
	o := &c.orig
	if pi.flags&flACK != 0 {
		if c.orig.state != stInactive {
			return false
		}
		o = &c.resp
	}
	if !c.orig.didClose && !c.resp.didClose {
		return false
	}
	if pi.seq == o.startSeq {
		return false
	}
	if pi.flags&flACK == 0 && o.state == stSYNACKSent && c.resp.state == stInactive && pi.seq == c.resp.startSeq {
		return false
	}
	return true
}

// attemptDelay is Zeek's tcp_attempt_delay: a SYN unanswered this long
// after it was sent ends its connection.
const attemptDelay = int64(5 * time.Second)

// closeDelay is Zeek's tcp_close_delay.
const closeDelay = int64(5 * time.Second)

// attemptOver reports whether Zeek has dropped c by time ts: an
// unanswered connection attempt given up on, or a closed connection past
// its close delay. Later packets start a new connection.
func (c *Conn) attemptOver(ts int64) bool {
	if c.deleteAt != 0 && ts > c.deleteAt {
		return true
	}
	return c.attempt != 0 && ts > c.attempt && c.resp.state == stInactive &&
		(c.orig.state == stSYNSent || c.orig.state == stSYNACKSent)
}

// tcpDone reports whether a TCP connection is over for Zeek's expiry
// check (tcp_connection_linger): both sides closed, a reset, or one side
// closed while the other never spoke. It is then dropped once idle for the
// close delay; a half-closed connection waits for the inactivity timeout.
func (c *Conn) tcpDone() bool {
	o, r := &c.orig, &c.resp
	return o.didClose && r.didClose || o.state == stReset || r.state == stReset ||
		(o.didClose || r.didClose) && (o.state == stInactive || r.state == stInactive)
}

// size is Zeek's TCP_Endpoint::Size: the bytes the endpoint sent, from its
// sequence numbers (so retransmissions count once and gaps count).
func (e *endpoint) tcpSize(peer *endpoint) uint64 {
	if !e.started {
		return 0
	}
	if e.prevState == stSYNSent && e.state == stReset && peer.state == stInactive &&
		!(e.ackHigh == 0 && (e.ackSeq == e.startSeq || e.ackSeq == e.startSeq+1)) {
		return 0
	}
	last := uint64(e.lastHigh)<<32 | uint64(e.lastSeq)
	ack := uint64(e.ackHigh)<<32 | uint64(e.ackSeq)
	var size uint64
	if last > ack {
		size = last - uint64(e.startSeq)
	} else {
		size = ack - uint64(e.startSeq)
	}
	if size > 1<<62 {
		return 0
	}
	if size != 0 {
		size--
	}
	if e.finCnt > 0 && size != 0 {
		size--
	}
	return size
}

// OrigBytes returns the payload bytes the originator sent (Zeek's
// orig_bytes: from sequence numbers for TCP).
func (c *Conn) OrigBytes() uint64 {
	if c.Proto == 6 {
		return c.orig.tcpSize(&c.resp)
	}
	return c.orig.size
}

// RespBytes returns the payload bytes the responder sent.
func (c *Conn) RespBytes() uint64 {
	if c.Proto == 6 {
		return c.resp.tcpSize(&c.orig)
	}
	return c.resp.size
}

// Duration returns Zeek's duration: from the first packet to the last one
// seen before both sides of a TCP connection had closed.
func (c *Conn) Duration() time.Duration { return time.Duration(c.end - c.Start) }

// HandshakeRTT returns the time from the originator's SYN to its ACK of
// the SYN-ACK, and the two halves: SYN to SYN-ACK (the network and server
// side) and SYN-ACK to ACK (the client side). ok is false without a
// complete handshake.
func (c *Conn) HandshakeRTT() (total, server, client time.Duration, ok bool) {
	if c.SYNTime == 0 || c.SYNACKTime == 0 || c.ACKTime == 0 {
		return 0, 0, 0, false
	}
	return time.Duration(c.ACKTime - c.SYNTime), time.Duration(c.SYNACKTime - c.SYNTime),
		time.Duration(c.ACKTime - c.SYNACKTime), true
}

// State returns Zeek's conn_state: S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0
// RSTRH SH SHR OTH.
func (c *Conn) State() string {
	os, rs := c.orig.state, c.resp.state
	switch c.Proto {
	case 6:
	case 17:
		switch {
		case c.orig.started && c.resp.started:
			return "SF"
		case c.orig.started:
			return "S0"
		case c.resp.started:
			return "SHR"
		}
		return "OTH"
	default:
		return "OTH"
	}
	oInactive := os == stInactive || os == stPartial
	rInactive := rs == stInactive || rs == stPartial
	switch {
	case rs == stReset:
		if os == stSYNSent || os == stSYNACKSent || os == stReset && c.OrigBytes() == 0 && c.RespBytes() == 0 {
			return "REJ"
		}
		if oInactive {
			return "RSTRH"
		}
		return "RSTR"
	case os == stReset:
		if rInactive {
			if c.rstos0() {
				return "RSTOS0"
			}
			return "OTH"
		}
		return "RSTO"
	case rs == stClosed && os == stClosed:
		return "SF"
	case os == stClosed:
		if rInactive {
			return "SH"
		}
		return "S2"
	case rs == stClosed:
		if oInactive {
			return "SHR"
		}
		return "S3"
	case os == stSYNSent && rs == stInactive:
		return "S0"
	case os == stEstablished && rs == stEstablished:
		return "S1"
	}
	return "OTH"
}

// rstos0 matches the history against Zeek's /^\^?S[^HAFGIQ]*R.*/.
func (c *Conn) rstos0() bool {
	h := c.hist[:c.nhist]
	if len(h) > 0 && h[0] == '^' {
		h = h[1:]
	}
	if len(h) == 0 || h[0] != 'S' {
		return false
	}
	for _, ch := range h[1:] {
		switch ch {
		case 'R':
			return true
		case 'H', 'A', 'F', 'G', 'I', 'Q':
			return false
		}
	}
	return false
}

// ProtoName returns Zeek's name of the transport: tcp, udp, icmp, or
// unknown_transport.
func (c *Conn) ProtoName() string {
	switch c.Proto {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 1, 58:
		return "icmp"
	}
	return "unknown_transport"
}
