package tcpanalysis

// analysed is what analyse found for one segment.
type analysed struct {
	flags     uint16
	hasTA     bool
	dupNum    uint32
	dupFrame  uint32
	acksFrame uint32
	ackRTT    int64
	bif       uint32
}

// Thresholds of the User's Guide.
const (
	fastRetransWindow = 20_000_000 // ns since the last duplicate ACK
	oooDefault        = 3_000_000  // ns, when the handshake RTT is unknown
)

// analyse is the sequence analysis of one segment whose length is known
// (the User's Guide rules, in tshark's order); a holds the flags already
// set (reused ports) on entry.
func (t *Tracker) analyse(c *conn, fwd, rev *dir, s *Segment, seq, ack, seglen uint32, flags uint16, window uint32, ta0 uint16, has0 bool, a *analysed) {
	a.flags, a.hasTA = ta0, has0
	set := func(f uint16) { a.flags |= f; a.hasTA = true }
	now := s.Time

	if !fwd.baseSet {
		if flags&thSYN != 0 {
			fwd.baseSeq = seq
		} else {
			fwd.baseSeq = seq - 1
		}
		fwd.baseSet = true
	}
	if !rev.baseSet && flags&thACK != 0 {
		rev.baseSeq = ack - 1
		rev.baseSet = true
	}
	if flags&thACK != 0 {
		rev.validBif = true
	}

	noSYNFINRST := flags&(thSYN|thFIN|thRST) == 0
	if seglen == 1 && seq == fwd.nextseq && rev.window == 0 {
		set(ZeroWindowProbe)
		goto finishedFwd
	}
	if window == 0 && noSYNFINRST {
		set(ZeroWindow)
	}
	if fwd.nextseq != 0 && gtSeq(seq, fwd.nextseq) && flags&thRST == 0 {
		set(LostSegment)
		fwd.validBif = false
	}
	if seglen <= 1 && seq == fwd.nextseq-1 && noSYNFINRST {
		set(KeepAlive)
	}
	if seglen == 0 && window != 0 && window != fwd.window && seq == fwd.nextseq && ack == fwd.lastack && noSYNFINRST {
		set(WindowUpdate)
	}
	if seglen > 0 && rev.winScale != wsUnknown && noSYNFINRST {
		shift := uint(0)
		if !rev.firstAck && rev.winScale >= 0 {
			shift = uint(rev.winScale)
		}
		if seq+seglen == rev.lastack+rev.window<<shift {
			set(WindowFull)
		}
	}
	if seglen == 0 && window != 0 && window == fwd.window && seq == fwd.nextseq && ack == fwd.lastack &&
		rev.lastFlags&KeepAlive != 0 && noSYNFINRST {
		set(KeepAliveAck)
		goto finishedFwd
	}
	if seglen == 0 && window == 0 && window == fwd.window && seq == fwd.nextseq && ack == fwd.lastack &&
		rev.lastFlags&ZeroWindowProbe != 0 && noSYNFINRST {
		set(ZeroWindowProbeAck)
		goto finishedFwd
	}
	if seglen == 0 && window != 0 && window == fwd.window && seq == fwd.nextseq && ack == fwd.lastack && noSYNFINRST {
		if fwd.dupacks == ackLostMark {
			// An ACKed-unseen run of this side ends: count afresh.
			fwd.dupacks = 1
		} else {
			fwd.dupacks++
		}
		set(DuplicateAck)
		a.dupNum = fwd.dupacks
		a.dupFrame = fwd.nonDupAck
	}

finishedFwd:
	if ack != fwd.lastack {
		fwd.nonDupAck = s.Frame
		fwd.dupacks = 0
	}
	if rev.maxToAck != 0 && gtSeq(ack, rev.maxToAck) && flags&thACK != 0 {
		// tshark 4.0: when the other side has sent beyond its highest
		// contiguous number, that number jumps to its next sequence
		// number and the segment is flagged. Otherwise (the other side is
		// stalled, sending pure ACKs) the segment is flagged only if that
		// side has sent an ACK since the last flagged one: its duplicate
		// ACK counter is set to ackLostMark to remember the flag, and any
		// ACK of that side moves it off the mark.
		a.hasTA = true
		if ltSeq(rev.maxToAck, rev.nextseq) {
			rev.maxToAck = rev.nextseq
			a.flags |= AckLostSegment
		} else {
			if rev.dupacks == 0 {
				a.flags |= AckLostSegment
			}
			rev.dupacks = ackLostMark
		}
	}

	if seglen > 0 || flags&(thSYN|thFIN) != 0 {
		notAdvanced := fwd.nextseq != 0 && ltSeq(seq, fwd.nextseq)
		if a.flags&KeepAlive != 0 {
			goto finishedRetrans
		}
		if seglen > 1 && fwd.nextseq-1 == seq {
			notAdvanced = false
		}
		if seglen > 0 && rev.lastack != 0 && leSeq(seq+seglen, rev.lastack) {
			set(SpuriousRetransmission)
			goto finishedRetrans
		}
		// Fast retransmission: two duplicate ACKs or more from the other
		// side (ackLostMark counts: tshark's counter is unsigned and holds
		// -1 there), this segment starts at their ACK number, within 20 ms
		// of the last one.
		if notAdvanced && rev.dupacks >= 2 && rev.lastack == seq && uint64(now-rev.lastTime) < fastRetransWindow {
			set(FastRetransmission)
			goto finishedRetrans
		}
		thres := uint64(oooDefault)
		if c.firstRTT != 0 {
			thres = uint64(c.firstRTT)
		}
		end := seq + seglen
		if flags&(thSYN|thFIN) != 0 {
			end++
		}
		// Out of order: not advancing, close after the segment with the
		// highest sequence number, and not ending where that one did.
		// (tshark 4.0 has no exception for a segment that ends there
		// after a pure ACK moved the highest number: later versions flag
		// it out of order, 4.0 a retransmission.)
		if notAdvanced && uint64(now-fwd.nextTime) < thres && fwd.nextseq != end {
			set(OutOfOrder)
			goto finishedRetrans
		}
		if notAdvanced {
			set(Retransmission)
		}
	}

finishedRetrans:
	nextseq := seq + seglen
	if seglen > 0 || flags&(thSYN|thFIN) != 0 {
		if len(fwd.segs) < t.cfg.MaxUnacked {
			// As in tshark, SYN and FIN count for the next sequence
			// number only of a segment that is remembered.
			if flags&(thSYN|thFIN) != 0 {
				nextseq++
			}
			fwd.segs = append(fwd.segs, unacked{frame: s.Frame, seq: seq, nextseq: nextseq, ts: now})
		} else {
			fwd.dropped++
			t.stats.UnackedDropped++
		}
	}
	zwp := a.flags&ZeroWindowProbe != 0
	if gtSeq(nextseq, fwd.nextseq) || fwd.nextseq == 0 {
		if !zwp {
			fwd.nextseq = nextseq
			fwd.nextFrame = s.Frame
			fwd.nextTime = now
		}
	}
	if seq == fwd.maxToAck || fwd.maxToAck == 0 {
		if !zwp {
			fwd.maxToAck = fwd.nextseq
		}
	}
	fwd.window = window
	fwd.lastack = ack
	fwd.lastTime = now
	fwd.lastFlags = a.flags
	if !a.hasTA {
		fwd.lastFlags = 0
	}

	// Remove what this acknowledges from the other direction's segments,
	// newest first (tshark's list order).
	segs := rev.segs
	keep := len(segs)
	for i := len(segs) - 1; i >= 0; i-- {
		u := &segs[i]
		if ack == u.nextseq {
			a.hasTA = true
			a.acksFrame = u.frame
			a.ackRTT = now - u.ts
		} else if gtSeq(ack, u.seq) && leSeq(ack, u.nextseq) {
			u.seq = ack
			continue
		} else if gtSeq(u.nextseq, ack) {
			continue
		}
		u.gone = true
		keep--
	}
	if keep != len(segs) {
		j := 0
		for i := range segs {
			if !segs[i].gone {
				segs[j] = segs[i]
				j++
			}
		}
		rev.segs = segs[:j]
	}

	// Bytes in flight: the span of this direction's unacknowledged
	// segments, less the other direction's last SACK blocks.
	if seglen != 0 && len(fwd.segs) > 0 && fwd.validBif {
		base := fwd.baseSeq
		last := len(fwd.segs) - 1
		first, lastSeq := fwd.segs[last].seq-base, fwd.segs[last].nextseq-base
		for i := range fwd.segs {
			u := &fwd.segs[i]
			if n := u.nextseq - base; n > lastSeq {
				lastSeq = n
			}
			if n := u.seq - base; n < first {
				first = n
			}
		}
		inFlight := lastSeq - first
		for i := 0; i < rev.nSack; i++ {
			inFlight -= rev.sackR[i] - rev.sackL[i]
		}
		a.hasTA = true
		if inFlight > 0 && inFlight < 2_000_000_000 {
			a.bif = inFlight
			if flags&(thSYN|thFIN) != 0 {
				a.bif--
			}
		}
	}
}
