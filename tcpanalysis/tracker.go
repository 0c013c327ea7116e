package tcpanalysis

// Config bounds a Tracker's memory. The zero value takes the defaults.
type Config struct {
	// MaxConns bounds the conversations held (default 1<<18). The least
	// recently active one is forgotten to make room (Stats.Evicted).
	MaxConns int
	// MaxUnacked bounds the unacknowledged segments remembered per
	// direction (default 10000, tshark 4.0's TCP_MAX_UNACKED_SEGMENTS).
	MaxUnacked int
}

// Stats counts what a Tracker did.
type Stats struct {
	Segments uint64 // TCP headers given to Track
	Conns    uint64 // conversations started
	Evicted  uint64 // conversations forgotten to stay within MaxConns
	Active   int    // conversations held now
	// UnackedDropped counts segments not remembered as unacknowledged
	// because their direction already held MaxUnacked.
	UnackedDropped uint64
}

// Segment is one TCP header to analyse, in file order.
type Segment struct {
	Frame  uint32 // frame number
	Time   int64  // timestamp, nanoseconds
	Stream int32  // tcp.stream
	Side   uint8  // the sender's end of the conversation (flow.Stream.Side)
	Reused bool   // the stream was started by a SYN on a known conversation
	// Header is the TCP header as captured (at least 20 bytes to be
	// analysed; options are read from what is there).
	Header []byte
	// SegLen is the payload length from the IP lengths; HaveLen is false
	// when it is unknown (a header quoted in an ICMP error, an IP
	// fragment, a header longer than the segment): the segment then only
	// counts for the conversation's times and completeness.
	SegLen  uint32
	HaveLen bool
}

// Result is the analysis of one segment: the values of its tcp.* fields.
type Result struct {
	Stream   int32
	Seq, Ack uint32 // relative when Relative (else raw)
	NxtSeq   uint32 // valid when HaveLen
	Relative bool   // Seq is relative; Ack too when the ACK flag is set
	HaveLen  bool
	HaveAck  bool // tcp.ack is shown (header length at least 20)
	// Bogus is a header length below 20: tshark stops there, showing
	// the sequence number and the completeness but no window or times.
	Bogus        bool
	TimeRelative int64
	TimeDelta    int64
	Completeness uint8
	Window       uint32 // tcp.window_size (scaled)

	// Analysis is whether the segment has a SEQ/ACK analysis subtree
	// (tcp.analysis): the fields below are shown only then.
	Analysis      bool
	Flags         uint16 // analysis flags (tcp.analysis.flags when non-zero)
	DupAckNum     uint32
	DupAckFrame   uint32
	AcksFrame     uint32
	AckRTT        int64 // valid when AcksFrame != 0 and non-zero
	InitialRTT    int64 // valid when non-zero
	BytesInFlight uint32

	// For the expert summary.
	SYN, SYNACK, FIN, RST bool
	FINActive             bool   // this FIN initiates the closing
	ServerPort            uint16 // with SYN and SYNACK
}

// Tracker runs the analysis over the TCP segments of one capture. It is
// not safe for concurrent use.
type Tracker struct {
	cfg   Config
	conns []conn
	index map[int32]int32 // stream -> conns index
	head  int32           // most recently used
	tail  int32           // least recently used
	stats Stats
}

// NewTracker returns an empty tracker.
func NewTracker(cfg Config) *Tracker {
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 1 << 18
	}
	if cfg.MaxUnacked <= 0 {
		cfg.MaxUnacked = 10000
	}
	return &Tracker{cfg: cfg, index: make(map[int32]int32), head: -1, tail: -1}
}

// Stats returns the tracker's counters.
func (t *Tracker) Stats() Stats {
	s := t.stats
	s.Active = len(t.index)
	return s
}

func (t *Tracker) unlink(i int32) {
	c := &t.conns[i]
	if c.prev >= 0 {
		t.conns[c.prev].next = c.next
	} else {
		t.head = c.next
	}
	if c.next >= 0 {
		t.conns[c.next].prev = c.prev
	} else {
		t.tail = c.prev
	}
	c.prev, c.next = -1, -1
}

func (t *Tracker) pushFront(i int32) {
	c := &t.conns[i]
	c.prev, c.next = -1, t.head
	if t.head >= 0 {
		t.conns[t.head].prev = i
	}
	t.head = i
	if t.tail < 0 {
		t.tail = i
	}
}

// get returns the conversation of stream, and whether it is new.
func (t *Tracker) get(stream int32, now int64) (*conn, bool) {
	if i, ok := t.index[stream]; ok {
		if t.head != i {
			t.unlink(i)
			t.pushFront(i)
		}
		return &t.conns[i], false
	}
	var i int32
	if len(t.conns) < t.cfg.MaxConns {
		t.conns = append(t.conns, conn{prev: -1, next: -1})
		i = int32(len(t.conns) - 1)
	} else {
		i = t.tail
		t.unlink(i)
		delete(t.index, t.conns[i].stream)
		t.stats.Evicted++
	}
	t.index[stream] = i
	t.pushFront(i)
	c := &t.conns[i]
	c.reset(stream, now)
	t.stats.Conns++
	return c, true
}

func be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }
func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// Track analyses the next segment and fills r (reused by the caller, so
// that nothing is allocated). It returns false if the header is too short
// to read (fewer than 16 bytes: no sequence, flags or window).
func (t *Tracker) Track(s *Segment, r *Result) bool {
	h := s.Header
	*r = Result{}
	if len(h) < 16 {
		return false
	}
	t.stats.Segments++
	seq := be32(h[4:])
	ack := be32(h[8:])
	flags := uint16(h[12]&1)<<8 | uint16(h[13])
	hlen := int(h[12]>>4) * 4
	win := uint32(be16(h[14:]))
	now := s.Time

	c, isNew := t.get(s.Stream, now)
	if s.Reused && !isNew {
		// flow renumbered the tuple but our entry survived (it cannot
		// normally: the stream number is new); start afresh anyway.
		c.reset(s.Stream, now)
		isNew = true
	}
	fwd, rev := &c.d[s.Side&1], &c.d[(s.Side&1)^1]
	var ta uint16
	hasTA := false

	convNew := isNew && !s.Reused // tshark's conversation_is_new
	if flags&(thSYN|thACK) == thSYN && (fwd.baseSet || s.Reused) {
		if s.Reused || seq != fwd.baseSeq {
			if !s.Reused {
				// tshark starts a new conversation here; flow did not
				// renumber (its base rule differs): start afresh.
				c.reset(s.Stream, now)
				fwd, rev = &c.d[s.Side&1], &c.d[(s.Side&1)^1]
			}
			ta |= ReusedPorts
			hasTA = true
			c.completeness = compSYN
		} else {
			// The same SYN again: a retransmission, not reused ports
			// (tshark 4.0 flags only a SYN with a new sequence number).
			fwd.nextseq = fwd.maxToAck
		}
	}
	if flags&(thSYN|thACK) == thSYN|thACK && fwd.baseSet && seq != fwd.baseSeq {
		fwd.baseSeq = seq
		ta |= ReusedPorts
		hasTA = true
	}
	r.Stream = s.Stream
	fwd.nSack = 0

	// Timestamps relative to the conversation.
	r.TimeDelta = now - c.tsPrev
	c.tsPrev = now
	r.TimeRelative = now - c.tsFirst

	seglen := s.SegLen
	have := s.HaveLen
	r.Seq, r.Ack, r.Window = seq, ack, win
	if have {
		r.HaveLen = true
		var a analysed
		t.analyse(c, fwd, rev, s, seq, ack, seglen, flags, win, ta, hasTA, &a)
		ta, hasTA = a.flags, a.hasTA
		r.DupAckNum, r.DupAckFrame = a.dupNum, a.dupFrame
		r.AcksFrame, r.AckRTT, r.BytesInFlight = a.acksFrame, a.ackRTT, a.bif
		r.Seq = seq - fwd.baseSeq
		if flags&thACK != 0 {
			r.Ack = ack - rev.baseSeq
		}
		r.Relative = true
		if flags&thSYN == 0 && fwd.winScale >= 0 {
			r.Window = win << uint(fwd.winScale)
		}
		r.NxtSeq = r.Seq + seglen
		if flags&(thSYN|thFIN) != 0 {
			r.NxtSeq++
		}
	} else {
		seglen = 0
	}
	if hlen < 20 {
		// tshark stops at a bogus header length: no ack, no analysis.
		r.HaveLen = false
		r.Bogus = true
		r.Completeness = c.completeness
		return true
	}
	r.HaveAck = true

	// Completeness: shown as it was before this segment.
	r.Completeness = c.completeness
	comp := c.completeness
	if convNew {
		comp = 0
		if flags&(thSYN|thACK) == thSYN {
			comp |= compSYN
			if seglen > 0 {
				comp |= compDATA
			}
		}
	} else {
		if flags&(thSYN|thACK) == thSYN|thACK {
			comp |= compSYNACK
		}
		if flags&(thSYN|thACK) == thACK {
			if seglen > 0 {
				comp |= compDATA
			} else {
				comp |= compACK
			}
		}
		if flags&(thFIN|thACK) == thFIN|thACK {
			comp |= compFIN
		}
		if flags&thRST != 0 {
			comp |= compRST
		}
	}
	c.completeness = comp

	if flags&thSYN != 0 {
		if flags&thACK != 0 {
			r.SYNACK = true
			r.ServerPort = be16(h[0:])
		} else {
			r.SYN = true
			r.ServerPort = be16(h[2:])
			c.tsSyn = now
		}
		fwd.firstAck = true
	}
	if flags&thFIN != 0 {
		r.FIN = true
		if !rev.closing {
			fwd.closing = true
			r.FINActive = true
		}
	}
	r.RST = flags&thRST != 0
	if flags&(thSYN|thACK) == thACK && c.tsSyn != 0 && c.firstRTT == 0 {
		c.firstRTT = now - c.tsSyn
	}
	if flags&(thSYN|thACK) == thACK {
		fwd.firstAck = false
	}

	// Options: window scale and SACK blocks (read after the analysis of
	// this segment, as tshark does).
	if hlen > 20 && len(h) > 20 {
		t.options(h[20:min(hlen, len(h))], fwd, rev)
	}
	if flags&thSYN != 0 {
		// Was window scaling seen in both directions?
		if fwd.winScale == wsUnknown {
			fwd.winScale, rev.winScale = wsNone, wsNone
		} else if flags&thACK != 0 && rev.winScale == wsNone {
			fwd.winScale = wsNone
		}
	}

	if hasTA && hlen > len(h) {
		// The options run past the captured header: tshark's option
		// dissection stops the packet's dissection with an exception
		// before the SEQ/ACK analysis is shown (the state is kept).
		hasTA = false
	}
	if hasTA {
		r.Analysis = true
		r.Flags = ta
		r.InitialRTT = c.firstRTT
		if ta&DuplicateAck == 0 {
			r.DupAckNum, r.DupAckFrame = 0, 0
		}
	} else {
		r.DupAckNum, r.DupAckFrame, r.AcksFrame, r.AckRTT, r.BytesInFlight = 0, 0, 0, 0, 0
	}
	return true
}

// options reads the window scale and SACK options as tshark does: it
// stops at EOL or at the first option whose length is bad.
func (t *Tracker) options(o []byte, fwd, rev *dir) {
	for len(o) > 0 {
		kind := o[0]
		if kind == 0 {
			return
		}
		if kind == 1 {
			o = o[1:]
			continue
		}
		if len(o) < 2 {
			return
		}
		n := int(o[1])
		if n < 2 || n > len(o) {
			return
		}
		body := o[2:n]
		switch kind {
		case 3:
			if n == 3 {
				shift := body[0]
				if shift > 14 {
					shift = 14
				}
				fwd.winScale = int8(shift)
			}
		case 5:
			fwd.nSack = 0
			base := rev.baseSeq
			for k := 0; len(body) >= 8; k++ {
				if k < maxSack {
					fwd.sackL[k] = be32(body) - base
					fwd.sackR[k] = be32(body[4:]) - base
					fwd.nSack = k + 1
				}
				body = body[8:]
			}
		}
		o = o[n:]
	}
}
