package walk

import (
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"pktkit/capture"
	"pktkit/packet"
)

// Worker formats one packet, appending its output to *out. Each worker
// goroutine has its own Worker (made by the factory given to Parallel), so
// a Worker may keep state such as compiled field lists.
type Worker func(p *packet.Packet, rec *capture.Record, out *[]byte) error

// Batch is a run of consecutive records copied out of the reader, handed
// to one worker and then, in file order, to the consumer of Pipeline.
type Batch[A any] struct {
	// Recs are the records: their data is copied out of the reader, unless
	// the reader is stable (a file mapped in memory), whose records stay
	// valid until it is closed.
	Recs []capture.Record
	// Tags hold, per record, what Options.Tag returned for it.
	Tags []int32
	// Acc is the worker's output for the batch. Batches are reused: the
	// worker finds the Acc of an earlier batch and must reset it.
	Acc A

	seq     int
	touched byte         // (what reading ahead read)
	span    capture.Span // records not decoded yet: the worker decodes them (Count > 0)
	tag     int32        // with a span: the Tag of all its records
	pre     int64        // with a span: the time stamp of the record before it
	skip    []bool       // per record, with analyses: analysed but not visited
	data    []byte       // copies of the records' bytes (unless the reader is stable)
	size    int          // bytes of packet data in the batch
	prev    []int64      // per record: the previous captured packet's timestamp
	first   int64        // the file's first timestamp
	err     error        // the reader's error after the last record, or a worker's

	// Batches are allocated together and filled by different workers at
	// once, which write Recs, prev and Acc for every packet: the padding
	// keeps one batch's last fields out of the cache line of the next
	// one's first.
	_ [64]byte
}

// Finisher is an accumulator with work to do once its batch is complete:
// if a pointer to a Batch's Acc implements it, the worker that filled the
// batch calls Finish after its last packet, before the batch goes to the
// consumer (also after an error, for the packets before it). Encoding or
// compressing what a batch gathered there keeps that work parallel, where
// the consumer, which takes batches in order, would do it alone.
type Finisher interface {
	Finish() error
}

// finish calls b.Acc's Finish, if it has one.
func (b *Batch[A]) finish() {
	if f, ok := any(&b.Acc).(Finisher); ok {
		if err := f.Finish(); err != nil && b.err == nil {
			b.err = err
		}
	}
}

// A batch holds up to batchRecords records or batchBytes of packet data.
// Larger batches mean fewer hand-offs between the reader, the workers and
// the consumer (4096 records made the benchmark job 20% faster than 512 on
// two cores); the byte bound keeps copied batches (standard input, gzip)
// within 2*workers+2 times 2 MiB.
const (
	batchRecords = 4096
	batchBytes   = 2 << 20
)

// spanBytes bounds a span of a mapped file (see Pipeline): small enough
// that a worker finds the span in its processor's cache when it dissects
// it, right after hopping over its record headers, even when two workers
// share a cache (256 KiB took 7% less time than 512 KiB on the benchmark
// job, medians of 14 interleaved runs).
const spanBytes = 256 << 10

// times tracks the first and previous timestamps of a file, for
// frame.time_relative and frame.time_delta.
type times struct {
	first, prev int64
	seen        bool
}

// next returns the first and previous timestamps for a record with
// timestamp ts and moves on.
func (t *times) next(ts int64) (first, prev int64) {
	if !t.seen {
		t.first, t.prev, t.seen = ts, ts, true
	}
	first, prev = t.first, t.prev
	t.prev = ts
	return first, prev
}

// Parallel walks a capture file with several workers and writes their
// output to w in packet order. The reader copies records into batches (or
// the workers take spans of a mapped file); the workers dissect and format
// whole batches; a writer puts the results back in order. Memory stays
// bounded (see Pipeline). With
// workers <= 1 it runs in the calling goroutine like File.
func Parallel(path string, opt Options, workers int, newWorker func() Worker, w io.Writer) error {
	r, err := capture.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	setTotal(path, r, &opt)
	if workers <= 1 || opt.Filter != nil && opt.Count > 0 {
		// (With a filter, Count counts accepted packets, which only the
		// workers know: walk in one goroutine.)
		work := newWorker()
		var out []byte
		return Reader(r, opt, func(p *packet.Packet, rec *capture.Record) error {
			out = out[:0]
			if err := work(p, rec, &out); err != nil {
				return err
			}
			_, err := w.Write(out)
			return err
		})
	}
	opt.NoRecords = true
	return Pipeline(r, opt, workers, func() func(p *packet.Packet, rec *capture.Record, out *[]byte) error {
		return newWorker()
	}, func(b *Batch[[]byte]) error {
		_, err := w.Write(b.Acc) // (only Acc: opt.NoRecords)
		b.Acc = b.Acc[:0]
		return err
	})
}

func setTotal(path string, r *capture.Reader, opt *Options) {
	if opt.Progress != nil && path != "-" && !r.Gzip() {
		if st, err := os.Stat(path); err == nil {
			opt.total = st.Size()
		}
	}
}

// Pipeline walks an open capture reader with several workers. A reader
// goroutine copies records into batches (calling opt.Tag, if set, on each
// record in file order); each worker goroutine dissects the packets of
// whole batches and adds them to the batch's accumulator with the function
// newWorker made for it; consume is called in the calling goroutine with
// each batch, in file order, after its worker is done, and must leave
// b.Acc ready for reuse (or the worker resets it). Records skipped by
// opt.Skip and opt.Want still count for frame.time_delta. With
// opt.Filter, workers hand only accepted packets to their functions (the
// batch keeps every record; opt.Count counts records, not accepted
// packets). Memory stays bounded: at most 2*workers+2 batches exist
// (4*workers+4 spans of a mapped file, each an eighth of a batch). workers
// < 1 means 1 (the reader and consumer still run apart from the worker).
//
// A mapped pcap file with several workers is not read by the reader
// goroutine: the workers take turns hopping over the next span of records,
// then decode and dissect it (see the comment on spans below).
func Pipeline[A any](r *capture.Reader, opt Options, workers int,
	newWorker func() func(p *packet.Packet, rec *capture.Record, acc *A) error,
	consume func(b *Batch[A]) error) error {
	workers = max(workers, 1)
	if len(opt.Analyses) > 0 {
		workers = 1 // analyses see packets in order
	}
	maxRecs, maxBytes := batchRecords, batchBytes
	if opt.BatchRecords > 0 {
		maxRecs = opt.BatchRecords
	}
	if opt.BatchBytes > 0 {
		maxBytes = opt.BatchBytes
	}
	// A mapped pcap file is split into spans of records that the workers
	// find and decode themselves, in turns: a worker holding the lock hops
	// from record header to record header over the next span (Skip), and
	// then decodes and dissects it while its bytes are still in that
	// processor's cache. Count and analyses need each record in the reader
	// goroutine, and Tag too unless it goes by interface; a single worker
	// is better off leaving the decoding to the reader goroutine.
	spans := workers > 1 && r.CanSkip() && opt.Count == 0 && len(opt.Analyses) == 0 && (opt.Tag == nil || opt.TagByInterface)
	nb := 2*workers + 2
	if spans && opt.BatchBytes == 0 {
		// Spans are smaller than batches of copied records (spanBytes):
		// more of them keep as much of the file ahead of the consumer.
		maxBytes = min(maxBytes, spanBytes)
		nb = 4*workers + 4
	}
	free := make(chan *Batch[A], nb)
	recs := min(maxRecs, batchRecords)
	if spans && opt.NoRecords {
		recs = 1 // (span workers keep no records; Tag may decode one)
	}
	for i := 0; i < nb; i++ {
		// Large batches start small and grow once: a short file should
		// not pay for clearing them.
		b := &Batch[A]{Recs: make([]capture.Record, 0, recs), prev: make([]int64, 0, recs)}
		if spans {
			// Write the records' memory now: a page the collector reads
			// before it is first written is mapped to the zero page,
			// and the write then costs a copy and a flush of every
			// processor's translation buffer (2% of the benchmark job).
			clear(b.Recs[:cap(b.Recs)])
		}
		free <- b
	}
	todo := make(chan *Batch[A], nb)
	done := make(chan *Batch[A], nb)
	stop := make(chan struct{})
	var stopOnce sync.Once
	halt := func() { stopOnce.Do(func() { close(stop) }) }

	var (
		spanMu   sync.Mutex
		spanSeq  int                   // the next batch's sequence number (under spanMu while spans last)
		spanTime times                 // under spanMu
		spanEnd  = make(chan struct{}) // closed when the spans are over
		spanOver bool                  // under spanMu
	)
	// While a worker hops over a span, the other waiting for its turn
	// reads ahead through the span after it, the one it will hop over
	// next: that hop then finds the pages mapped and the lines in cache,
	// and the lock is held for less.
	var frontier atomic.Int64 // where the hop under way started
	// takeSpan fills b with the next span; false at the end of the spans.
	takeSpan := func(b *Batch[A]) bool {
		var ahead, limit int64 = -1, 0
		var sink byte
		lockSpinning(&spanMu, func() bool {
			if ahead < 0 {
				ahead = frontier.Load() + int64(maxBytes)
				limit = ahead + int64(maxBytes)
			}
			if ahead >= limit {
				return false
			}
			sink += r.Touch(ahead, ahead+4096)
			ahead += 4096
			return true
		})
		defer spanMu.Unlock()
		b.touched = sink
		if spanOver {
			return false
		}
		sp := r.Skip(maxRecs, maxBytes)
		frontier.Store(sp.End)
		if sp.Count == 0 {
			// The end of the file, or a record Next rejects: the reader
			// goroutine's loop reports it.
			spanOver = true
			close(spanEnd)
			return false
		}
		b.seq, b.err, b.span = spanSeq, nil, sp
		spanSeq++
		tm := &spanTime
		if !tm.seen {
			tm.first, tm.prev, tm.seen = sp.FirstTime, sp.FirstTime, true
		}
		b.first, b.pre = tm.first, tm.prev
		tm.prev = sp.LastTime
		if opt.Tag != nil {
			one := r.DecodeSpan(capture.Span{Start: sp.Start, End: sp.End, First: sp.First, Count: 1}, b.Recs[:0])
			b.tag = opt.Tag(r, &one[0])
		}
		if opt.Progress != nil {
			opt.Progress(sp.End, opt.total)
		}
		return true
	}
	// nextSpan is takeSpan, then the release of the pages behind, which
	// need not hold up the other workers.
	nextSpan := func(b *Batch[A]) bool {
		if !takeSpan(b) {
			return false
		}
		r.Release(b.span)
		return true
	}

	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work := newWorker()
			var match func(*packet.Packet) bool
			if opt.Filter != nil {
				match = opt.Filter()
			}
			p := &packet.Packet{}
			z := packet.NewAnalyzers(opt.Analyses)
			// visit dissects record j of b; false means stop (an error).
			visit := func(b *Batch[A], j int) bool {
				rec := &b.Recs[j]
				p.SetFrame(rec.Data, uint32(rec.LinkType), rec.Number, rec.Timestamp, rec.OrigLen)
				p.SetTimes(b.first, b.prev[j])
				if z != nil {
					z.Run(p)
					if b.skip[j] {
						return true
					}
				}
				if match != nil && !match(p) {
					return true
				}
				if err := work(p, rec, &b.Acc); err != nil {
					b.Recs = b.Recs[:j]
					b.err = err
					return false
				}
				return true
			}
			// spanBatch decodes and dissects the records of b's span.
			var one capture.Record // (NoRecords)
			spanBatch := func(b *Batch[A]) {
				// A span: decode each record just before dissecting it,
				// while its bytes are in this processor's cache.
				b.Recs, b.prev, b.Tags = b.Recs[:0], b.prev[:0], b.Tags[:0]
				cur := r.SpanCursor(b.span)
				prev := b.pre
				if opt.NoRecords && z == nil {
					for rec := &one; cur.Next(rec); {
						ts := rec.Timestamp
						if !opt.selects(rec.Number) {
							prev = ts
							continue
						}
						p.SetFrame(rec.Data, uint32(rec.LinkType), rec.Number, ts, rec.OrigLen)
						p.SetTimes(b.first, prev)
						prev = ts
						if match != nil && !match(p) {
							continue
						}
						if err := work(p, rec, &b.Acc); err != nil {
							b.err = err
							break
						}
					}
					b.span = capture.Span{}
					return
				}
				for {
					n := len(b.Recs)
					if n == cap(b.Recs) {
						b.Recs = append(b.Recs, capture.Record{})
					} else {
						b.Recs = b.Recs[:n+1]
					}
					rec := &b.Recs[n]
					if !cur.Next(rec) {
						b.Recs = b.Recs[:n]
						break
					}
					ts := rec.Timestamp
					if !opt.selects(rec.Number) {
						b.Recs = b.Recs[:n]
						prev = ts
						continue
					}
					b.prev = append(b.prev, prev)
					prev = ts
					if opt.Tag != nil {
						b.Tags = append(b.Tags, b.tag)
					}
					if !visit(b, n) {
						break
					}
				}
				b.span = capture.Span{}
			}
			for spans {
				var b *Batch[A]
				select {
				case b = <-free:
				case <-stop:
				}
				if b == nil || !nextSpan(b) {
					if b != nil {
						free <- b
					}
					break
				}
				spanBatch(b)
				b.finish()
				done <- b
			}
			for b := range todo {
				if b.span.Count == 0 {
					for j := range b.Recs {
						if !visit(b, j) {
							break
						}
					}
				} else {
					spanBatch(b)
				}
				b.finish()
				done <- b
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	// The reader.
	go func() {
		defer close(todo)
		var rec capture.Record
		var tm times
		// A stable reader (a file mapped in memory) hands out records that
		// stay valid until it is closed: batches keep them uncopied.
		stable := r.Stable()
		seq, visited, n := 0, 0, 0
		var b *Batch[A]
		send := func() bool {
			select {
			case todo <- b:
				b = nil
				return true
			case <-stop:
				return false
			}
		}
		if spans {
			// The workers hop over the spans; this goroutine takes over
			// after the last one.
			select {
			case <-spanEnd:
			case <-stop:
				return
			}
			seq, tm = spanSeq, spanTime
		}
		for {
			if b == nil {
				select {
				case b = <-free:
				case <-stop:
					return
				}
				b.seq, b.err = seq, nil
				seq++
				b.data, b.Recs, b.prev, b.Tags, b.skip, b.size = b.data[:0], b.Recs[:0], b.prev[:0], b.Tags[:0], b.skip[:0], 0
				b.span = capture.Span{}
			}
			err := r.Next(&rec)
			if err != nil {
				if err != io.EOF {
					b.err = err
				}
				if opt.Progress != nil {
					opt.Progress(opt.total, opt.total)
				}
				send()
				return
			}
			if opt.Progress != nil && n&4095 == 0 {
				opt.Progress(rec.Offset, opt.total)
			}
			n++
			first, prev := tm.next(rec.Timestamp)
			selected := opt.selects(rec.Number)
			if !selected && len(opt.Analyses) == 0 {
				continue
			}
			if stable {
				b.Recs = append(b.Recs, rec)
				b.size += len(rec.Data)
			} else {
				if b.data == nil {
					b.data = make([]byte, 0, min(maxBytes, batchBytes)+65536)
				}
				var c capture.Record
				c, b.data = rec.CloneInto(b.data)
				b.Recs = append(b.Recs, c)
				b.size = len(b.data)
			}
			b.first = first
			b.prev = append(b.prev, prev)
			if opt.Tag != nil {
				b.Tags = append(b.Tags, opt.Tag(r, &rec))
			}
			if len(opt.Analyses) > 0 {
				b.skip = append(b.skip, !selected)
				if !selected {
					if len(b.Recs) >= maxRecs || b.size >= maxBytes {
						if !send() {
							return
						}
					}
					continue
				}
			}
			visited++
			if opt.Count > 0 && visited >= opt.Count {
				send()
				return
			}
			if len(b.Recs) >= maxRecs || b.size >= maxBytes {
				if !send() {
					return
				}
			}
		}
	}()

	// The consumer, in this goroutine: take batches back in order.
	pending := map[int]*Batch[A]{}
	next := 0
	var firstErr error
	for b := range done {
		pending[b.seq] = b
		for {
			nb, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if firstErr == nil {
				if err := consume(nb); err != nil {
					firstErr = err
				} else if nb.err != nil {
					firstErr = nb.err
				}
				if firstErr != nil {
					halt()
				}
			}
			select {
			case free <- nb:
			default:
			}
		}
	}
	if firstErr == ErrStop {
		return nil
	}
	return firstErr
}

// lockSpinning locks mu, yielding the processor while another goroutine
// holds it rather than sleeping at once. The holder hops over one span
// (tens of microseconds); a goroutine put to sleep behind it takes longer
// than that to be woken (an idle processor of a virtual machine in
// particular), which cost a tenth of the benchmark job's time.
//
// wait, if not nil, is called between tries and returns false when it has
// nothing more to do; the goroutine then yields.
func lockSpinning(mu *sync.Mutex, wait func() bool) {
	for i := 0; i < 4000; i++ {
		if mu.TryLock() {
			return
		}
		if wait == nil || !wait() {
			runtime.Gosched()
		}
	}
	mu.Lock()
}
