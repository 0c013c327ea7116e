package tcpanalysis

import "testing"

// Expectations below follow the rules of the Wireshark User's Guide,
// "TCP Analysis" section (quoted in each test), on hand-made segments.

const (
	fS = thSYN
	fA = thACK
	fF = thFIN
	fR = thRST
	fP = thPSH
)

type conv struct {
	t     *testing.T
	tr    *Tracker
	frame uint32
	now   int64
	sent  []sentSeg // every segment given to seg, for the tshark check
}

// sentSeg is one segment of a conv and the tracker's flags for it.
type sentSeg struct {
	side   uint8
	time   int64
	header []byte
	n      uint32
	flags  uint16
}

func newConv(t *testing.T) *conv {
	return &conv{t: t, tr: NewTracker(Config{}), now: 1_000_000_000}
}

// header builds a TCP header (ports 40000 -> 80 from side 0).
func header(side uint8, flags uint16, seq, ack uint32, win uint16, opts []byte) []byte {
	for len(opts)%4 != 0 {
		opts = append(opts, 0)
	}
	h := make([]byte, 20, 20+len(opts))
	sp, dp := uint16(40000), uint16(80)
	if side == 1 {
		sp, dp = dp, sp
	}
	h[0], h[1], h[2], h[3] = byte(sp>>8), byte(sp), byte(dp>>8), byte(dp)
	h[4], h[5], h[6], h[7] = byte(seq>>24), byte(seq>>16), byte(seq>>8), byte(seq)
	h[8], h[9], h[10], h[11] = byte(ack>>24), byte(ack>>16), byte(ack>>8), byte(ack)
	h[12] = byte((20+len(opts))/4) << 4
	h[13] = byte(flags)
	h[14], h[15] = byte(win>>8), byte(win)
	return append(h, opts...)
}

// seg sends a segment dt nanoseconds after the previous one.
func (c *conv) seg(dt int64, side uint8, flags uint16, seq, ack uint32, win uint16, n uint32, opts ...byte) Result {
	c.t.Helper()
	c.frame++
	c.now += dt
	s := Segment{Frame: c.frame, Time: c.now, Stream: 0, Side: side, Header: header(side, flags, seq, ack, win, opts),
		SegLen: n, HaveLen: true}
	var r Result
	if !c.tr.Track(&s, &r) {
		c.t.Fatalf("frame %d not analysed", c.frame)
	}
	c.sent = append(c.sent, sentSeg{side: side, time: c.now, header: s.Header, n: n, flags: r.Flags})
	return r
}

const ms = 1_000_000

// handshake: client ISN 1000, server ISN 5000, both windows 1000, no
// window scaling; 10 ms RTT.
func (c *conv) handshake() {
	c.seg(0, 0, fS, 1000, 0, 1000, 0)
	c.seg(5*ms, 1, fS|fA, 5000, 1001, 1000, 0)
	c.seg(5*ms, 0, fA, 1001, 5001, 1000, 0)
}

func wantFlags(t *testing.T, what string, r Result, want uint16) {
	t.Helper()
	if r.Flags != want {
		t.Errorf("%s: flags %#x, want %#x", what, r.Flags, want)
	}
	if want != 0 && !r.Analysis {
		t.Errorf("%s: no analysis", what)
	}
}

func TestRelativeNumbers(t *testing.T) {
	c := newConv(t)
	r := c.seg(0, 0, fS, 1000, 0, 1000, 0)
	if r.Seq != 0 || r.NxtSeq != 1 || !r.Relative {
		t.Errorf("SYN: seq %d nxtseq %d, want 0 1", r.Seq, r.NxtSeq)
	}
	if r.Ack != 0 {
		t.Errorf("SYN without ACK: ack %d, want the raw 0", r.Ack)
	}
	r = c.seg(10*ms, 1, fS|fA, 5000, 1001, 1000, 0)
	if r.Seq != 0 || r.Ack != 1 {
		t.Errorf("SYN-ACK: seq %d ack %d, want 0 1", r.Seq, r.Ack)
	}
	r = c.seg(10*ms, 0, fA, 1001, 5001, 1000, 0)
	if r.Seq != 1 || r.Ack != 1 || r.NxtSeq != 1 {
		t.Errorf("ACK: seq %d ack %d nxtseq %d, want 1 1 1", r.Seq, r.Ack, r.NxtSeq)
	}
	// iRTT: "the time from the SYN to the first pure ACK".
	if r.InitialRTT != 20*ms && r.Analysis {
		t.Errorf("initial RTT %d, want 20ms", r.InitialRTT)
	}
	r = c.seg(1*ms, 0, fA|fP, 1001, 5001, 1000, 100)
	if r.Seq != 1 || r.NxtSeq != 101 || r.InitialRTT != 20*ms {
		t.Errorf("data: seq %d nxtseq %d irtt %d", r.Seq, r.NxtSeq, r.InitialRTT)
	}
	if r.BytesInFlight != 100 {
		t.Errorf("bytes in flight %d, want 100", r.BytesInFlight)
	}
	r = c.seg(10*ms, 1, fA, 5001, 1101, 1000, 0)
	if r.AcksFrame != 4 || r.AckRTT != 10*ms {
		t.Errorf("ACK of frame 4: acks %d rtt %d", r.AcksFrame, r.AckRTT)
	}
	if r.TimeRelative != 31*ms || r.TimeDelta != 10*ms {
		t.Errorf("times %d %d", r.TimeRelative, r.TimeDelta)
	}
	checkTshark(t, c)
}

func TestCompleteness(t *testing.T) {
	c := newConv(t)
	c.handshake()
	c.seg(ms, 0, fA|fP, 1001, 5001, 1000, 10)
	c.seg(ms, 0, fA|fF, 1011, 5001, 1000, 0)
	r := c.seg(ms, 1, fR, 5001, 0, 0, 0)
	// SYN 1 + SYN-ACK 2 + ACK 4 + DATA 8 + FIN 16, as it was before
	// this segment (tshark shows the value before the packet's update).
	if r.Completeness != 31 {
		t.Errorf("completeness %d, want 31", r.Completeness)
	}
	checkTshark(t, c)
}

func TestLostAndAckedUnseen(t *testing.T) {
	c := newConv(t)
	c.handshake()
	c.seg(ms, 0, fA, 1001, 5001, 1000, 100)
	// "Previous segment not captured: set when the current sequence
	// number is greater than the next expected sequence number."
	r := c.seg(ms, 0, fA, 1201, 5001, 1000, 100)
	wantFlags(t, "gap", r, LostSegment)
	// "ACKed unseen segment: set when the expected next acknowledgement
	// number is set for the reverse direction and it's less than the
	// current acknowledgement number."
	r = c.seg(ms, 1, fA, 5001, 1401, 1000, 0)
	wantFlags(t, "ack beyond", r, AckLostSegment)
	checkTshark(t, c)
}

func TestRetransmissions(t *testing.T) {
	c := newConv(t)
	c.handshake()
	c.seg(ms, 0, fA, 1001, 5001, 1000, 100)
	// "Retransmission: ... the next expected sequence number is greater
	// than the current sequence number" (and not within the RTT: not
	// out-of-order, no duplicate ACKs: not fast).
	r := c.seg(200*ms, 0, fA, 1001, 5001, 1000, 100)
	wantFlags(t, "retransmission", r, Retransmission)

	// "Spurious retransmission: ... the segment length is greater than
	// zero ... the data for this flow has been acknowledged."
	c.seg(ms, 1, fA, 5001, 1101, 1000, 0)
	r = c.seg(200*ms, 0, fA, 1001, 5001, 1000, 100)
	wantFlags(t, "spurious", r, SpuriousRetransmission)
	checkTshark(t, c)
}

func TestOutOfOrder(t *testing.T) {
	c := newConv(t)
	c.handshake()
	c.seg(ms, 0, fA, 1101, 5001, 1000, 100) // 1001-1101 missing: lost
	// "Out-Of-Order: ... the next expected sequence number is greater
	// than the current sequence number ... and the next expected sequence
	// number and the next sequence number differ ... the last segment
	// arrived within the calculated RTT" (here 10 ms).
	r := c.seg(1*ms, 0, fA, 1001, 5001, 1000, 100)
	wantFlags(t, "out of order", r, OutOfOrder)
	checkTshark(t, c)
}

func TestDuplicateAndFastRetransmission(t *testing.T) {
	c := newConv(t)
	c.handshake()
	c.seg(ms, 0, fA, 1001, 5001, 1000, 100)
	c.seg(ms, 0, fA, 1101, 5001, 1000, 100)
	c.seg(ms, 1, fA, 5001, 1101, 1000, 0) // frame 6 ACKs the first
	// "Dup ACK: the segment size is zero, the window size is non-zero and
	// hasn't changed, the next expected sequence number and last-seen
	// acknowledgment number are non-zero, SYN, FIN and RST are not set."
	r := c.seg(ms, 1, fA, 5001, 1101, 1000, 0)
	wantFlags(t, "dup ack 1", r, DuplicateAck)
	if r.DupAckNum != 1 || r.DupAckFrame != 6 {
		t.Errorf("dup ack #%d of frame %d, want #1 of 6", r.DupAckNum, r.DupAckFrame)
	}
	r = c.seg(ms, 1, fA, 5001, 1101, 1000, 0)
	if r.DupAckNum != 2 {
		t.Errorf("second dup ack #%d", r.DupAckNum)
	}
	// "Fast retransmission: ... more than two duplicate ACKs in the
	// reverse direction, the current sequence number equals the next
	// expected acknowledgement number, the last acknowledgement was
	// seen less than 20 ms ago."
	r = c.seg(ms, 0, fA, 1101, 5001, 1000, 100)
	wantFlags(t, "fast retransmission", r, FastRetransmission)
	checkTshark(t, c)
}

func TestWindows(t *testing.T) {
	c := newConv(t)
	c.handshake()
	// "Window update: the segment size is zero, the window size is
	// non-zero and not equal to the last-seen window size, the sequence
	// and acknowledgement numbers are the last seen."
	r := c.seg(ms, 1, fA, 5001, 1001, 2000, 0)
	wantFlags(t, "window update", r, WindowUpdate)
	// "Window full: the segment size is non-zero, we know the window size
	// in the reverse direction, and our segment size exceeds it."
	r = c.seg(ms, 0, fA, 1001, 5001, 1000, 2000)
	wantFlags(t, "window full", r, WindowFull)
	// "ZeroWindow: the receive window size is zero and none of SYN, FIN
	// or RST are set."
	r = c.seg(ms, 1, fA, 5001, 3001, 0, 0)
	wantFlags(t, "zero window", r, ZeroWindow)
	// "ZeroWindowProbe: the sequence number is equal to the next expected
	// sequence number, the segment size is one, and last-seen window size
	// in the reverse direction was zero."
	r = c.seg(200*ms, 0, fA, 3001, 5001, 1000, 1)
	wantFlags(t, "zero window probe", r, ZeroWindowProbe)
	// "ZeroWindowProbeAck: ... the last-seen packet in the reverse
	// direction was a zero window probe" (same ack, window still zero,
	// so also a ZeroWindow).
	r = c.seg(ms, 1, fA, 5001, 3001, 0, 0)
	wantFlags(t, "zero window probe ack", r, ZeroWindowProbeAck|ZeroWindow)
	checkTshark(t, c)
}

func TestKeepAlive(t *testing.T) {
	c := newConv(t)
	c.handshake()
	c.seg(ms, 0, fA, 1001, 5001, 1000, 100)
	c.seg(ms, 1, fA, 5001, 1101, 1000, 0)
	// "Keep-Alive: the segment size is zero or one, the current sequence
	// number is one byte less than the next expected sequence number, and
	// none of SYN, FIN, or RST are set."
	r := c.seg(5000*ms, 0, fA, 1100, 5001, 1000, 1)
	wantFlags(t, "keep-alive", r, KeepAlive)
	// "Keep-Alive ACK: the segment size is zero, the window size is
	// non-zero and hasn't changed, the current sequence and ACK numbers
	// are the same as before, the most recently seen packet in the reverse
	// direction was a keepalive."
	r = c.seg(ms, 1, fA, 5001, 1101, 1000, 0)
	wantFlags(t, "keep-alive ack", r, KeepAliveAck)
	checkTshark(t, c)
}

func TestWindowScale(t *testing.T) {
	c := newConv(t)
	ws := func(shift byte) []byte { return []byte{1, 3, 3, shift} }
	c.seg(0, 0, fS, 1000, 0, 1000, 0, ws(7)...)
	c.seg(ms, 1, fS|fA, 5000, 1001, 1000, 0, ws(2)...)
	r := c.seg(ms, 0, fA, 1001, 5001, 100, 0)
	if r.Window != 100<<7 {
		t.Errorf("scaled window %d, want %d", r.Window, 100<<7)
	}
	// Without the option in the SYN-ACK, scaling is off both ways.
	c = newConv(t)
	c.seg(0, 0, fS, 1000, 0, 1000, 0, ws(7)...)
	c.seg(ms, 1, fS|fA, 5000, 1001, 1000, 0)
	if r := c.seg(ms, 0, fA, 1001, 5001, 100, 0); r.Window != 100 {
		t.Errorf("unscaled window %d, want 100", r.Window)
	}
}

func TestReusedPorts(t *testing.T) {
	c := newConv(t)
	c.handshake()
	// A new SYN with another sequence number on the same conversation
	// (flow gives it a new stream and marks it Reused).
	c.frame++
	c.now += ms
	s := Segment{Frame: c.frame, Time: c.now, Stream: 1, Side: 0, Reused: true, Header: header(0, fS, 9000, 0, 1000, nil), HaveLen: true}
	var r Result
	c.tr.Track(&s, &r)
	wantFlags(t, "reused", r, ReusedPorts)
	if r.Seq != 0 || r.Completeness != compSYN || r.TimeRelative != 0 {
		t.Errorf("new stream: seq %d completeness %d rel %d", r.Seq, r.Completeness, r.TimeRelative)
	}
}

func TestNotAnalysed(t *testing.T) {
	c := newConv(t)
	c.handshake()
	s := Segment{Frame: 9, Time: c.now, Stream: 0, Side: 0, Header: header(0, fA, 1001, 5001, 1000, nil)}
	var r Result
	c.tr.Track(&s, &r)
	if r.HaveLen || r.Relative || r.Seq != 1001 || r.Analysis {
		t.Errorf("quoted segment analysed: %+v", r)
	}
	if c.tr.Track(&Segment{Header: make([]byte, 10)}, &r) {
		t.Error("10-byte header accepted")
	}
}

func TestEviction(t *testing.T) {
	tr := NewTracker(Config{MaxConns: 2})
	var r Result
	for i := range int32(5) {
		s := Segment{Frame: uint32(i + 1), Time: int64(i), Stream: i, Header: header(0, fS, 1, 0, 100, nil), HaveLen: true}
		tr.Track(&s, &r)
	}
	st := tr.Stats()
	if st.Active != 2 || st.Evicted != 3 || st.Conns != 5 {
		t.Errorf("stats %+v", st)
	}
}

// The rules below are tshark 4.0's (epan/dissectors/packet-tcp.c,
// tcp_analyze_sequence_number), beyond what the User's Guide says; each
// test also checks that tshark agrees on the crafted capture.

func TestAckedUnseenOncePerStall(t *testing.T) {
	c := newConv(t)
	c.handshake()
	c.seg(ms, 0, fA, 1001, 5001, 1000, 100) // client sent up to 1101
	// The server acknowledges 1201: beyond the client's highest
	// contiguous number (1101), which is also the client's next sequence
	// number, so the client is stalled: flagged, and the client's
	// duplicate ACK counter is set to (unsigned) -1.
	r := c.seg(ms, 1, fA, 5001, 1201, 1000, 0)
	wantFlags(t, "first ACK beyond", r, AckLostSegment)
	// The same again while the client sent nothing: not flagged again.
	r = c.seg(ms, 1, fA, 5001, 1301, 1000, 0)
	wantFlags(t, "second ACK beyond", r, 0)
	// The client sends an ACK that moves its ACK number: its counter
	// goes back to 0, so the next ACK beyond is flagged again.
	c.seg(ms, 0, fA, 1101, 5002, 1000, 0)
	r = c.seg(ms, 1, fA, 5001, 1401, 1000, 0)
	wantFlags(t, "ACK beyond after the client's ACK", r, AckLostSegment)
	checkTshark(t, c)
}

func TestAckedUnseenAfterGap(t *testing.T) {
	c := newConv(t)
	c.handshake()
	c.seg(ms, 0, fA, 1001, 5001, 1000, 100)
	r := c.seg(ms, 0, fA, 1201, 5001, 1000, 100) // 1101-1201 not seen
	wantFlags(t, "gap", r, LostSegment)
	// The client's highest contiguous number is 1101 but it sent up to
	// 1301: an ACK beyond 1101 is flagged and the highest contiguous
	// number jumps to 1301, so the next ACK of 1301 is not flagged.
	r = c.seg(ms, 1, fA, 5001, 1301, 1000, 0)
	wantFlags(t, "ACK over the gap", r, AckLostSegment)
	r = c.seg(ms, 1, fA, 5001, 1301, 1000, 0)
	wantFlags(t, "duplicate ACK over the gap", r, DuplicateAck)
	// Now the client is stalled at 1301 and its duplicate ACK counter is
	// 0: the next ACK beyond is flagged (once).
	r = c.seg(ms, 1, fA, 5001, 1401, 1000, 0)
	wantFlags(t, "ACK beyond the stalled client", r, AckLostSegment)
	r = c.seg(ms, 1, fA, 5001, 1501, 1000, 0)
	wantFlags(t, "again", r, 0)
	checkTshark(t, c)
}

func TestFastRetransmissionAfterAckedUnseen(t *testing.T) {
	c := newConv(t)
	c.handshake()
	c.seg(ms, 0, fA, 1001, 5001, 1000, 100)
	c.seg(ms, 0, fA, 1101, 5001, 1000, 100) // client sent up to 1201
	c.seg(ms, 1, fA, 5001, 1101, 1000, 100) // server: data, acks 1101
	// The client acknowledges 5201, beyond the server's 5101: flagged,
	// and the server's duplicate ACK counter becomes tshark's unsigned
	// -1, which counts as two duplicate ACKs or more.
	r := c.seg(ms, 0, fA, 1201, 5201, 1000, 0)
	wantFlags(t, "ACK beyond", r, AckLostSegment)
	// So the client's segment at the server's ACK number (1101), 15 ms
	// after the server's last ACK (more than the 10 ms RTT: not out of
	// order), is a fast retransmission.
	r = c.seg(14*ms, 0, fA, 1101, 5201, 1000, 100)
	wantFlags(t, "fast retransmission", r, FastRetransmission)
	checkTshark(t, c)
}

func TestNotOutOfOrderEndingAtNextSeq(t *testing.T) {
	c := newConv(t)
	c.handshake()
	c.seg(ms, 0, fA, 1001, 5001, 1000, 100)
	// A pure ACK beyond the next sequence number moves it to 1201.
	r := c.seg(ms, 0, fA, 1201, 5001, 1000, 0)
	wantFlags(t, "pure ACK beyond", r, LostSegment)
	// Within the RTT, a segment that does not end at 1201 is out of
	// order; one that ends there is a retransmission in tshark 4.0 (later
	// versions call it out of order when a pure ACK moved the number,
	// Wireshark issue 17214; 4.0 does not).
	r = c.seg(ms, 0, fA, 1101, 5001, 1000, 50)
	wantFlags(t, "segment ending before", r, OutOfOrder)
	r = c.seg(ms, 0, fA, 1151, 5001, 1000, 50)
	wantFlags(t, "segment ending at the next sequence number", r, Retransmission)
	checkTshark(t, c)
}

func TestSequenceHalfSpace(t *testing.T) {
	c := newConv(t)
	c.handshake()
	c.seg(ms, 0, fA, 1001, 5001, 1000, 100)
	// tshark's GT_SEQ(x, y) is (int32)(y-x) < 0: a sequence number
	// exactly 2^31 beyond the next one is greater, so a segment was not
	// captured (a pure ACK, so that no retransmission rule applies).
	r := c.seg(ms, 0, fA, 1101+1<<31, 5001, 1000, 0)
	wantFlags(t, "2^31 ahead", r, LostSegment)
	if !gtSeq(1<<31, 0) || !gtSeq(0, 1<<31) || gtSeq(5, 5) || gtSeq(4, 5) || !gtSeq(6, 5) {
		t.Error("gtSeq is not GT_SEQ")
	}
	checkTshark(t, c)
}

func TestOptionsCutShort(t *testing.T) {
	c := newConv(t)
	c.handshake()
	c.seg(ms, 0, fA, 1001, 5001, 1000, 100)
	// A header claiming 24 bytes of which 20 were captured: tshark's
	// option dissection throws before the analysis is shown, but the
	// segment still counts (its gap is not reported again).
	h := header(0, fA, 1201, 5001, 1000, nil)
	h[12] = 6 << 4
	c.frame++
	c.now += ms
	var r Result
	c.tr.Track(&Segment{Frame: c.frame, Time: c.now, Header: h, SegLen: 100, HaveLen: true}, &r)
	if r.Analysis || r.Flags != 0 {
		t.Errorf("cut-short header shows analysis %#x", r.Flags)
	}
	r = c.seg(ms, 0, fA, 1301, 5001, 1000, 100)
	wantFlags(t, "after the cut-short header", r, 0)
}

func TestBogusHeaderLength(t *testing.T) {
	c := newConv(t)
	c.handshake()
	h := header(0, fA, 1001, 5001, 1000, nil)
	h[12] = 4 << 4 // 16 bytes: below the minimum
	var r Result
	c.tr.Track(&Segment{Frame: 4, Time: c.now + ms, Header: h, SegLen: 4, HaveLen: true}, &r)
	// tshark stops at the header length: the sequence number and the
	// conversation completeness (SYN, SYN-ACK, ACK: 7) are shown, the
	// window and the times are not.
	if !r.Bogus || r.HaveAck || r.Completeness != compSYN|compSYNACK|compACK {
		t.Errorf("bogus header: %+v", r)
	}
}
