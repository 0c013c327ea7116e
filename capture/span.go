package capture

import "encoding/binary"

// Span is a run of consecutive records of a pcap file mapped in memory,
// passed over by [Reader.Skip] without being decoded, so that another
// goroutine can decode them ([Reader.DecodeSpan]) while the reader moves on.
// Splitting a file into spans costs the reading goroutine one look at each
// record header; decoding, which fills whole Records, is left to whoever
// dissects the packets.
type Span struct {
	Start, End int64 // byte offsets in the file of the first record and past the last
	First      int   // number of the first record (1-based)
	Count      int   // records in the span
	// FirstTime and LastTime are the time stamps of the first and last
	// records (for a walk's frame.time_relative and frame.time_delta).
	FirstTime, LastTime int64

	// release is the part of the mapping behind the reader that
	// Reader.Release gives back (empty for none).
	release [2]int
}

// CanSkip reports whether Skip and DecodeSpan work on this reader: a pcap
// (not pcapng) file mapped in memory.
func (r *Reader) CanSkip() bool { return r.mapped != nil && !r.ng && r.started }

// Skip passes over up to maxRecs records, stopping early once maxBytes of
// file have been passed, and returns their span. Each record header is
// checked as Next checks it; Skip stops in front of the first record Next
// would reject, so that calling Next there reports the error (a span of
// no records then). At the end of the file it returns an empty span.
// Records passed over count for Next's record numbers. Skip panics if
// CanSkip is false. The caller calls Release(sp) once it no longer holds
// whatever serialises its calls of Skip.
func (r *Reader) Skip(maxRecs, maxBytes int) Span {
	if !r.CanSkip() {
		panic("capture: Skip on a reader that cannot skip")
	}
	s := &r.src
	sp := Span{Start: s.off, End: s.off, First: r.n + 1}
	if r.err != nil {
		return sp
	}
	buf := s.buf[s.r:s.w]
	pos := 0
	var touch byte
	for sp.Count < maxRecs && pos < maxBytes {
		if a := pos + skipAhead; a < len(buf) {
			touch ^= buf[a]
		}
		if len(buf)-pos < pcapRecordHeaderLen {
			break
		}
		h := buf[pos : pos+pcapRecordHeaderLen]
		sec, frac, incl, orig := r.recordHeader(h)
		if r.lenSwap != 0 && (r.lenSwap == 1 || incl > orig) {
			incl = orig // (the two lengths swapped)
		}
		if incl > r.maxCap || int(incl) > len(buf)-pos-pcapRecordHeaderLen {
			break
		}
		ts := int64(sec)*1e9 + int64(frac)*r.fracMul
		if sp.Count == 0 {
			sp.FirstTime = ts
		}
		sp.LastTime = ts
		sp.Count++
		pos += pcapRecordHeaderLen + int(incl)
	}
	sp.End = sp.Start + int64(pos)
	r.touched = touch
	r.n += sp.Count
	sp.release[0], sp.release[1] = s.advanceHeld(pos)
	return sp
}

// Touch reads a byte of each cache line of the mapped file in [from, to)
// (clipped to the file), so that its pages are mapped and its lines cached
// before Skip gets there; the result only keeps the reads from being
// optimised away. Any goroutine may call it: a worker waiting for its turn
// to call Skip prepares the span it will pass over next.
func (r *Reader) Touch(from, to int64) byte {
	m := r.mapped
	from, to = max(from, 0), min(to, int64(len(m)))
	var x byte
	for o := from; o < to; o += 64 {
		x += m[o]
	}
	return x
}

// Release gives back to the kernel the pages of the mapped file that the
// reader has moved far enough past while Skip returned sp, so that the
// process's resident memory stays bounded, and maps the pages of the part
// ahead. Skip leaves it to the caller:
// releasing pages interrupts every processor running the program, which
// can take long on a virtual machine, and it need not hold up whoever
// calls Skip next. Release may run in any goroutine; a span not released
// only leaves its pages resident.
func (r *Reader) Release(sp Span) {
	if from, to := sp.release[0], sp.release[1]; to > from && to <= len(r.mapped) {
		releaseMapped(r.mapped[from:to])
		// Map the next window's pages now too, in one call, rather than
		// one fault at a time in the Skip calls that reach them, which
		// hold up the other workers.
		if a := int(sp.End) &^ (pageSize - 1); a < len(r.mapped) {
			populateMapped(r.mapped[a:min(a+mappedWindow, len(r.mapped))])
		}
	}
}

// skipAhead is how far past each record header Skip also reads a byte: the
// hop from header to header is a chain of dependent loads, and the
// processor's prefetchers stop at page boundaries, so this starts the next
// page's misses while the chain is still behind them.
const skipAhead = 2048

// recordHeader reads a pcap record header's four fields in the file's
// byte order.
func (r *Reader) recordHeader(h []byte) (sec, frac, incl, orig uint32) {
	_ = h[15]
	if r.be {
		be := binary.BigEndian
		return be.Uint32(h), be.Uint32(h[4:]), be.Uint32(h[8:]), be.Uint32(h[12:])
	}
	le := binary.LittleEndian
	return le.Uint32(h), le.Uint32(h[4:]), le.Uint32(h[8:]), le.Uint32(h[12:])
}

// DecodeSpan appends the records of span sp, which Skip returned on this
// reader, to recs, as Next would have returned them; their data are views
// of the mapped file, valid until the reader is closed. It reads only what
// does not change after the file header, so several goroutines may decode
// spans while one goroutine goes on calling Skip or Next.
func (r *Reader) DecodeSpan(sp Span, recs []Record) []Record {
	c := r.SpanCursor(sp)
	var rec Record
	for c.Next(&rec) {
		recs = append(recs, rec)
	}
	return recs
}

// SpanCursor decodes the records of a span one at a time: DecodeSpan for
// a caller that handles each record as it comes, while its bytes are still
// in the processor's cache. Like DecodeSpan it may run in any goroutine.
type SpanCursor struct {
	r     *Reader
	buf   []byte // the span's bytes
	start int64  // the span's offset in the file
	first int    // number of the span's first record
	pos   int    // offset in buf of the next record
	i     int    // records decoded
	count int
}

// SpanCursor returns a cursor over span sp, which Skip returned on this
// reader.
func (r *Reader) SpanCursor(sp Span) SpanCursor {
	buf := r.mapped
	if sp.Start < 0 || sp.End > int64(len(buf)) || sp.Start > sp.End {
		return SpanCursor{}
	}
	return SpanCursor{r: r, buf: buf[sp.Start:sp.End], start: sp.Start, first: sp.First, count: sp.Count}
}

// Next decodes the span's next record into rec, as Next on the reader would
// have, and reports whether there was one.
func (c *SpanCursor) Next(rec *Record) bool {
	buf, pos := c.buf, c.pos
	if c.i >= c.count || len(buf)-pos < pcapRecordHeaderLen {
		return false
	}
	r := c.r
	sec, frac, incl, orig := r.recordHeader(buf[pos : pos+pcapRecordHeaderLen])
	if r.lenSwap != 0 && (r.lenSwap == 1 || incl > orig) {
		incl, orig = orig, incl
	}
	if int(incl) > len(buf)-pos-pcapRecordHeaderLen {
		return false // (Skip checked it: only a span not from Skip gets here)
	}
	n := pcapRecordHeaderLen + int(incl)
	*rec = Record{
		Timestamp: int64(sec)*1e9 + int64(frac)*r.fracMul,
		CapLen:    int(incl),
		OrigLen:   int(orig),
		LinkType:  r.link,
		Data:      buf[pos+pcapRecordHeaderLen : pos+n : pos+n],
		Number:    c.first + c.i,
		Offset:    c.start + int64(pos),
		be:        r.be,
	}
	c.pos = pos + n
	c.i++
	return true
}
