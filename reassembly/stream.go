package reassembly

import "sort"

// Flags are the TCP header flags a stream looks at, with the header's bit
// values (so that the 13th header byte can be passed as it is).
type Flags uint8

// TCP flags.
const (
	FIN Flags = 0x01
	SYN Flags = 0x02
	RST Flags = 0x04
	ACK Flags = 0x10
)

// GapReason says why a hole in the stream was given up on.
type GapReason uint8

// Reasons for a gap.
const (
	GapAcked     GapReason = iota + 1 // the peer acknowledged bytes after the hole
	GapOverflow                       // the buffer limits forced the stream forward
	GapClosed                         // the stream ended (Close or RST) with data waiting behind the hole
	GapTruncated                      // a segment was cut short by the capture's snap length
)

func (r GapReason) String() string {
	switch r {
	case GapAcked:
		return "acked"
	case GapOverflow:
		return "overflow"
	case GapClosed:
		return "closed"
	case GapTruncated:
		return "truncated"
	}
	return "unknown"
}

// EndReason says how a stream ended.
type EndReason uint8

// Reasons for the end of a stream.
const (
	EndFIN   EndReason = iota + 1 // every byte up to the FIN was placed
	EndRST                        // a RST segment
	EndClose                      // Close without FIN or RST (end of capture, timeout, eviction)
)

func (r EndReason) String() string {
	switch r {
	case EndFIN:
		return "fin"
	case EndRST:
		return "rst"
	case EndClose:
		return "close"
	}
	return "unknown"
}

// Gap describes bytes missing from a stream.
type Gap struct {
	Offset int64     // stream offset of the first missing byte (0 = first byte after the SYN)
	Seq    uint32    // its TCP sequence number
	Len    int64     // number of missing bytes
	Reason GapReason // why the stream stopped waiting for them
}

// Sink receives a stream's bytes in order. Data's slice is only valid
// during the call (it may point into the caller's capture buffer). End is
// called exactly once, after which nothing more is delivered.
type Sink interface {
	Data(b []byte)
	Gap(g Gap)
	End(r EndReason)
}

// DefaultMaxBuffered is the per-stream buffer limit when Config.MaxBuffered
// is zero.
const DefaultMaxBuffered = 4 << 20

// Config holds a stream's limits.
type Config struct {
	// MaxBuffered bounds the out-of-order bytes one stream holds (0:
	// DefaultMaxBuffered; negative: buffer nothing, every hole is skipped
	// at once).
	MaxBuffered int
	// Budget, if set, bounds the out-of-order bytes of all the streams
	// sharing it.
	Budget *Budget
}

// Budget is a limit on buffered bytes shared by many streams. It is not
// safe for concurrent use: streams that share one must be fed from one
// goroutine.
type Budget struct {
	Max      int64 // bytes; 0 or less allows nothing
	used     int64
	refusals int64
}

// Used returns the bytes currently held by the streams sharing b.
func (b *Budget) Used() int64 { return b.used }

// Refusals returns how many times a stream was refused memory and had to
// flush its buffer.
func (b *Budget) Refusals() int64 { return b.refusals }

// Stats counts what happened to a stream's bytes.
type Stats struct {
	Delivered int64 // bytes passed to Sink.Data
	// Gaps and GapBytes count Sink.Gap calls and their bytes (all reasons).
	Gaps     int
	GapBytes int64
	// OverflowGaps and OverflowBytes count the gaps forced by the buffer
	// limits (included in Gaps and GapBytes).
	OverflowGaps  int
	OverflowBytes int64
	Duplicate     int64 // bytes received again (retransmissions, overlaps), discarded
	AfterEnd      int64 // bytes beyond the FIN or after the end, discarded
	Buffered      int   // out-of-order bytes held now
	PeakBuffered  int   // the most ever held
	MidStream     bool  // the first segment seen was not a SYN
}

// chunk is a buffered out-of-order piece: data (owned) at stream offset
// off, followed by miss bytes known to be missing (snap length).
type chunk struct {
	off  int64
	data []byte
	miss int64
}

func (c *chunk) end() int64 { return c.off + int64(len(c.data)) + c.miss }

// Stream reassembles one direction of a TCP connection. The zero Stream is
// not usable: call Init (or NewStream).
type Stream struct {
	sink    Sink
	max     int
	budget  *Budget
	started bool
	ended   bool
	finSet  bool
	rst     bool   // a RST was seen (the stream still takes data: see the package doc)
	base    uint32 // sequence number of stream offset 0
	next    int64  // offset of the next byte to deliver
	fin     int64  // offset of the FIN (when finSet)
	pending []chunk
	free    [][]byte
	stats   Stats
}

// NewStream returns a stream delivering to sink.
func NewStream(cfg Config, sink Sink) *Stream {
	s := &Stream{}
	s.Init(cfg, sink)
	return s
}

// Init makes s a new stream delivering to sink, reusing its buffers. A
// stream still holding buffered bytes gives them back to its budget.
func (s *Stream) Init(cfg Config, sink Sink) {
	s.release()
	free := s.free
	pending := s.pending[:0]
	*s = Stream{sink: sink, max: cfg.MaxBuffered, budget: cfg.Budget, pending: pending, free: free}
	if s.max == 0 {
		s.max = DefaultMaxBuffered
	}
}

// release returns the buffered chunks to the free list and the budget.
func (s *Stream) release() {
	for i := range s.pending {
		s.drop(&s.pending[i])
	}
	s.pending = s.pending[:0]
}

// Stats returns the stream's counters.
func (s *Stream) Stats() Stats { return s.stats }

// Ended reports whether the stream has ended (End was called).
func (s *Stream) Ended() bool { return s.ended }

// Started reports whether the stream has seen a segment.
func (s *Stream) Started() bool { return s.started }

// NextSeq returns the sequence number of the next byte the stream waits
// for (meaningful once Started).
func (s *Stream) NextSeq() uint32 { return s.base + uint32(s.next) }

// Offset returns the stream offset of the next byte it waits for: the
// number of bytes delivered or skipped as gaps so far.
func (s *Stream) Offset() int64 { return s.next }

// offset maps a sequence number to a stream offset, relative to the next
// expected byte (so modulo 2^32, within ±2 GiB of it).
func (s *Stream) offset(seq uint32) int64 {
	return s.next + int64(int32(seq-(s.base+uint32(s.next))))
}

// Segment feeds one TCP segment of this direction: its sequence number,
// flags and captured payload (valid only during the call).
func (s *Stream) Segment(seq uint32, flags Flags, payload []byte) {
	s.SegmentLen(seq, flags, payload, len(payload))
}

// SegmentLen is Segment for a payload cut short by the capture's snap
// length: wireLen is the payload's length on the wire (TCP length), of
// which payload holds the first bytes. The missing tail is reported as a
// GapTruncated gap.
func (s *Stream) SegmentLen(seq uint32, flags Flags, payload []byte, wireLen int) {
	if s.ended {
		s.stats.AfterEnd += int64(len(payload))
		return
	}
	if wireLen < len(payload) {
		payload = payload[:wireLen]
	}
	start := seq
	if flags&SYN != 0 {
		start++
	}
	if !s.started {
		s.started = true
		s.base = start
		s.stats.MidStream = flags&SYN == 0
	} else if flags&SYN != 0 && start != s.base && s.next == 0 && len(s.pending) == 0 {
		// Another SYN before any byte was placed: the sequence space
		// starts over from it (a SYN-ACK repeated with a new ISN).
		s.base = start
		s.stats.MidStream = false
	}
	off := s.offset(start)
	end := off + int64(wireLen)
	if flags&FIN != 0 && !s.finSet && end >= s.next {
		s.finSet, s.fin = true, end
		s.dropBeyondFIN()
	}
	if s.finSet && end > s.fin {
		// Bytes at or past the FIN: not part of the stream.
		cut := end - s.fin
		if cut > int64(wireLen) {
			cut = int64(wireLen)
		}
		keep := int64(wireLen) - cut
		if int64(len(payload)) > keep {
			s.stats.AfterEnd += int64(len(payload)) - keep
			payload = payload[:keep]
		}
		wireLen = int(keep)
		end = off + keep
	}
	if wireLen > 0 {
		s.place(off, payload, int64(wireLen)-int64(len(payload)))
	}
	if flags&RST != 0 {
		s.rst = true
	}
	s.checkFIN()
}

// place adds the bytes of one segment at offset off: data, then miss bytes
// known missing. Bytes already delivered or buffered win.
func (s *Stream) place(off int64, data []byte, miss int64) {
	end := off + int64(len(data)) + miss
	if end <= s.next {
		s.stats.Duplicate += int64(len(data))
		return
	}
	if off < s.next {
		skip := s.next - off
		if skip >= int64(len(data)) {
			s.stats.Duplicate += int64(len(data))
			miss -= skip - int64(len(data))
			data = nil
		} else {
			s.stats.Duplicate += skip
			data = data[skip:]
		}
		off = s.next
	}
	if len(s.pending) == 0 && off == s.next {
		s.deliver(data, miss)
		return
	}
	pos := off
	for pos < end && !s.ended {
		if pos < s.next {
			// Delivered meanwhile (buffered bytes drained past pos).
			e := min(s.next, end)
			s.stats.Duplicate += capturedIn(off, data, pos, e)
			pos = e
			continue
		}
		i := s.search(pos)
		if i < len(s.pending) && s.pending[i].off <= pos {
			// Covered by buffered bytes: they win.
			e := min(s.pending[i].end(), end)
			s.stats.Duplicate += capturedIn(off, data, pos, e)
			pos = e
			continue
		}
		segEnd := end
		if i < len(s.pending) && s.pending[i].off < end {
			segEnd = s.pending[i].off
		}
		d, m := slice(off, data, pos, segEnd)
		if pos == s.next {
			s.deliver(d, m)
			s.drain()
			pos = segEnd
			continue
		}
		if !s.reserve(len(d), pos) {
			continue // the stream was moved forward; look again
		}
		s.insert(i, pos, d, m)
		pos = segEnd
	}
}

// capturedIn returns how many captured bytes of a segment (data at off)
// lie in [a, b).
func capturedIn(off int64, data []byte, a, b int64) int64 {
	e := off + int64(len(data))
	if b < e {
		e = b
	}
	if e <= a {
		return 0
	}
	return e - a
}

// slice returns the part [a, b) of a segment (data at off, then missing
// bytes): its captured bytes and the missing bytes after them.
func slice(off int64, data []byte, a, b int64) ([]byte, int64) {
	de := off + int64(len(data))
	if a >= de {
		return nil, b - a
	}
	if b <= de {
		return data[a-off : b-off], 0
	}
	return data[a-off:], b - de
}

// search returns the index of the first buffered chunk ending after pos.
func (s *Stream) search(pos int64) int {
	p := s.pending
	if len(p) == 0 || p[len(p)-1].end() <= pos {
		return len(p)
	}
	return sort.Search(len(p), func(i int) bool { return p[i].end() > pos })
}

// deliver passes bytes at the stream's next offset to the sink.
func (s *Stream) deliver(data []byte, miss int64) {
	if len(data) > 0 {
		s.stats.Delivered += int64(len(data))
		s.next += int64(len(data))
		s.sink.Data(data)
	}
	if miss > 0 {
		s.gap(miss, GapTruncated)
	}
}

// gap reports n missing bytes at the next offset and moves past them.
func (s *Stream) gap(n int64, r GapReason) {
	s.stats.Gaps++
	s.stats.GapBytes += n
	if r == GapOverflow {
		s.stats.OverflowGaps++
		s.stats.OverflowBytes += n
	}
	g := Gap{Offset: s.next, Seq: s.base + uint32(s.next), Len: n, Reason: r}
	s.next += n
	s.sink.Gap(g)
}

// drain delivers the buffered chunks that now start at the next offset.
func (s *Stream) drain() {
	n := 0
	for n < len(s.pending) && s.pending[n].off <= s.next {
		c := &s.pending[n]
		if e := c.end(); e > s.next {
			s.deliver(slice(c.off, c.data, s.next, e))
		}
		s.drop(c)
		n++
	}
	if n > 0 {
		s.pending = s.pending[:copy(s.pending, s.pending[n:])]
	}
}

// drop frees a chunk's buffer.
func (s *Stream) drop(c *chunk) {
	s.stats.Buffered -= len(c.data)
	if s.budget != nil {
		s.budget.used -= int64(len(c.data))
	}
	if cap(c.data) > 0 && len(s.free) < 64 {
		s.free = append(s.free, c.data[:0])
	}
	c.data = nil
}

// skipTo gives up on the hole before the first buffered chunk (or, with
// nothing buffered, on everything before offset to) and delivers what
// becomes contiguous.
func (s *Stream) skipTo(to int64, r GapReason) {
	if len(s.pending) > 0 && s.pending[0].off < to {
		to = s.pending[0].off
	}
	if to > s.next {
		s.gap(to-s.next, r)
	}
	s.drain()
}

// flush skips every hole, delivering all buffered data.
func (s *Stream) flush(r GapReason) {
	for len(s.pending) > 0 {
		s.skipTo(s.pending[0].off, r)
	}
}

// reserve makes room for n buffered bytes of a segment starting at pos.
// When a limit is reached it gives up one hole instead (the oldest one
// before pos, or the one just before pos when nothing older is buffered)
// and reports false: the caller then looks at pos again, which may now be
// the next offset, and asks again if it still has to buffer.
func (s *Stream) reserve(n int, pos int64) bool {
	okStream := s.stats.Buffered+n <= s.max
	okBudget := s.budget == nil || s.budget.used+int64(n) <= s.budget.Max
	if okStream && okBudget {
		s.stats.Buffered += n
		s.stats.PeakBuffered = max(s.stats.PeakBuffered, s.stats.Buffered)
		if s.budget != nil {
			s.budget.used += int64(n)
		}
		return true
	}
	if !okBudget {
		s.budget.refusals++
	}
	s.skipTo(pos, GapOverflow)
	return false
}

// insert buffers a copy of data (followed by miss missing bytes) at
// offset off, as the i-th chunk.
func (s *Stream) insert(i int, off int64, data []byte, miss int64) {
	var buf []byte
	if len(data) > 0 {
		for k := len(s.free) - 1; k >= 0; k-- {
			if cap(s.free[k]) >= len(data) {
				buf = s.free[k]
				s.free[k] = s.free[len(s.free)-1]
				s.free = s.free[:len(s.free)-1]
				break
			}
		}
		buf = append(buf[:0], data...)
	}
	s.pending = append(s.pending, chunk{})
	copy(s.pending[i+1:], s.pending[i:])
	s.pending[i] = chunk{off: off, data: buf, miss: miss}
}

// dropBeyondFIN discards buffered bytes at or past the FIN.
func (s *Stream) dropBeyondFIN() {
	for len(s.pending) > 0 {
		c := &s.pending[len(s.pending)-1]
		if c.end() <= s.fin {
			return
		}
		if c.off >= s.fin {
			s.stats.AfterEnd += int64(len(c.data))
			s.drop(c)
			s.pending = s.pending[:len(s.pending)-1]
			continue
		}
		keep := s.fin - c.off
		if keep < int64(len(c.data)) {
			cut := int64(len(c.data)) - keep
			s.stats.AfterEnd += cut
			s.stats.Buffered -= int(cut)
			if s.budget != nil {
				s.budget.used -= cut
			}
			c.data = c.data[:keep]
			c.miss = 0
		} else {
			c.miss = keep - int64(len(c.data))
		}
		return
	}
}

// checkFIN ends the stream once every byte before the FIN is placed.
func (s *Stream) checkFIN() {
	if s.finSet && !s.ended && s.next >= s.fin {
		s.finish(EndFIN)
	}
}

func (s *Stream) finish(r EndReason) {
	s.ended = true
	s.release()
	s.sink.End(r)
}

// Ack tells the stream that its peer acknowledged every byte before
// sequence number ack (the ack field of a segment going the other way,
// when its ACK flag is set). Holes before buffered data that the peer
// acknowledged are skipped as GapAcked gaps: the receiver had those bytes,
// the capture missed them.
func (s *Stream) Ack(ack uint32) {
	if !s.started || s.ended {
		return
	}
	a := s.offset(ack)
	for len(s.pending) > 0 && a > s.pending[0].off && !s.ended {
		s.skipTo(s.pending[0].off, GapAcked)
	}
	s.checkFIN()
}

// Close ends a stream the capture leaves open: buffered data is delivered
// behind GapClosed gaps, then End is called (EndFIN if a FIN was seen,
// after a gap up to it if bytes before it are missing; else EndRST if a
// RST was seen, else EndClose).
// Closing an ended stream does nothing.
func (s *Stream) Close() {
	if s.ended {
		return
	}
	s.flush(GapClosed)
	if s.ended {
		return
	}
	if s.finSet {
		if s.fin > s.next {
			s.gap(s.fin-s.next, GapClosed)
		}
		s.finish(EndFIN)
		return
	}
	if s.rst {
		s.finish(EndRST)
		return
	}
	s.finish(EndClose)
}
