package walk

import (
	"io"
	"os"
	"sync"

	"pktkit/capture"
	"pktkit/packet"
)

// Worker formats one packet, appending its output to out. Each worker
// goroutine has its own Worker (made by the factory given to Parallel), so
// a Worker may keep state such as compiled field lists.
type Worker func(p *packet.Packet, rec *capture.Record, out []byte) ([]byte, error)

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

	seq   int
	span  capture.Span // records not decoded yet: the worker decodes them (Count > 0)
	tag   int32        // with a span: the Tag of all its records
	pre   int64        // with a span: the time stamp of the record before it
	skip  []bool       // per record, with analyses: analysed but not visited
	data  []byte       // copies of the records' bytes (unless the reader is stable)
	size  int          // bytes of packet data in the batch
	prev  []int64      // per record: the previous captured packet's timestamp
	first int64        // the file's first timestamp
	err   error        // the reader's error after the last record, or a worker's
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
// output to w in packet order. The reader copies records into batches; the
// workers dissect and format whole batches; a writer puts the results back
// in order. Memory stays bounded: at most 2*workers+2 batches exist. With
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
			var err error
			if out, err = work(p, rec, out[:0]); err != nil {
				return err
			}
			_, err = w.Write(out)
			return err
		})
	}
	return Pipeline(r, opt, workers, func() func(p *packet.Packet, rec *capture.Record, out *[]byte) error {
		work := newWorker()
		return func(p *packet.Packet, rec *capture.Record, out *[]byte) error {
			var err error
			*out, err = work(p, rec, *out)
			return err
		}
	}, func(b *Batch[[]byte]) error {
		_, err := w.Write(b.Acc)
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
// packets). Memory stays bounded: at most 2*workers+2 batches exist. workers < 1 means 1 (the
// reader and consumer still run apart from the worker).
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
	nb := 2*workers + 2
	free := make(chan *Batch[A], nb)
	for i := 0; i < nb; i++ {
		// Large batches start small and grow once: a short file should
		// not pay for clearing them.
		free <- &Batch[A]{Recs: make([]capture.Record, 0, min(maxRecs, batchRecords)),
			prev: make([]int64, 0, min(maxRecs, batchRecords))}
	}
	todo := make(chan *Batch[A], nb)
	done := make(chan *Batch[A], nb)
	stop := make(chan struct{})
	var stopOnce sync.Once
	halt := func() { stopOnce.Do(func() { close(stop) }) }

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
			for b := range todo {
				if b.span.Count > 0 {
					b.decode(r, &opt)
				}
				for j := range b.Recs {
					rec := &b.Recs[j]
					p.SetFrame(rec.Data, uint32(rec.LinkType), rec.Number, rec.Timestamp, rec.OrigLen)
					p.SetTimes(b.first, b.prev[j])
					if z != nil {
						z.Run(p)
						if b.skip[j] {
							continue
						}
					}
					if match != nil && !match(p) {
						continue
					}
					if err := work(p, rec, &b.Acc); err != nil {
						b.Recs = b.Recs[:j]
						b.err = err
						break
					}
				}
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
		// A mapped pcap file is split into spans of records that the
		// workers decode themselves: this goroutine only hops from record
		// header to record header. Count and analyses need each record
		// here, and Tag too unless it goes by interface; a single worker
		// is better off leaving the decoding to this goroutine.
		if workers > 1 && r.CanSkip() && opt.Count == 0 && len(opt.Analyses) == 0 && (opt.Tag == nil || opt.TagByInterface) {
			var one []capture.Record
			for {
				select {
				case b = <-free:
				case <-stop:
					return
				}
				sp := r.Skip(maxRecs, maxBytes)
				if sp.Count == 0 {
					// The end of the file, or a record Next rejects: the
					// loop below reports it.
					free <- b
					b = nil
					break
				}
				b.seq, b.err, b.span = seq, nil, sp
				seq++
				if !tm.seen {
					tm.first, tm.prev, tm.seen = sp.FirstTime, sp.FirstTime, true
				}
				b.first, b.pre = tm.first, tm.prev
				tm.prev = sp.LastTime
				if opt.Tag != nil {
					one = r.DecodeSpan(capture.Span{Start: sp.Start, End: sp.End, First: sp.First, Count: 1}, one[:0])
					b.tag = opt.Tag(r, &one[0])
				}
				n += sp.Count
				if opt.Progress != nil {
					opt.Progress(sp.End, opt.total)
				}
				if !send() {
					return
				}
			}
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

// decode fills a batch's records from its span, in a worker: the records
// Skip and Want select, each with the previous record's time stamp, and
// the span's tag.
func (b *Batch[A]) decode(r *capture.Reader, opt *Options) {
	b.Recs = r.DecodeSpan(b.span, b.Recs[:0])
	b.prev, b.Tags = b.prev[:0], b.Tags[:0]
	prev, k := b.pre, 0
	for j := range b.Recs {
		ts := b.Recs[j].Timestamp
		if opt.selects(b.Recs[j].Number) {
			b.Recs[k] = b.Recs[j]
			b.prev = append(b.prev, prev)
			if opt.Tag != nil {
				b.Tags = append(b.Tags, b.tag)
			}
			k++
		}
		prev = ts
	}
	b.Recs = b.Recs[:k]
	b.span = capture.Span{}
}
