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

// batch is a run of records copied out of the reader, and its output.
type batch struct {
	seq  int
	data []byte
	recs []capture.Record
	prev []int64 // per record: the previous record's time stamp
	// first is the capture's first time stamp.
	first int64
	out   []byte
	err   error // the reader's error after the last record, or a worker's
}

const (
	batchRecords = 512
	batchBytes   = 1 << 20
)

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
	if opt.Progress != nil && path != "-" && !r.Gzip() {
		if st, err := os.Stat(path); err == nil {
			opt.total = st.Size()
		}
	}
	if workers <= 1 || opt.Filter != nil && opt.Count > 0 {
		// (Count counts accepted packets, which only the workers know.)
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

	nb := 2*workers + 2
	free := make(chan *batch, nb)
	for i := 0; i < nb; i++ {
		free <- &batch{data: make([]byte, 0, batchBytes+65536), recs: make([]capture.Record, 0, batchRecords)}
	}
	todo := make(chan *batch, nb)
	done := make(chan *batch, nb)
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
			for b := range todo {
				b.out = b.out[:0]
				for j := range b.recs {
					rec := &b.recs[j]
					p.SetFrame(rec.Data, uint32(rec.LinkType), rec.Number, rec.Timestamp, rec.OrigLen)
					p.FirstTime, p.PrevTime = b.first, b.prev[j]
					if match != nil && !match(p) {
						continue
					}
					out, err := work(p, rec, b.out)
					b.out = out
					if err != nil {
						b.recs = b.recs[:j]
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
		var clk clock
		seq, visited, n := 0, 0, 0
		var b *batch
		send := func() bool {
			select {
			case todo <- b:
				b = nil
				return true
			case <-stop:
				return false
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
				b.data, b.recs, b.prev = b.data[:0], b.recs[:0], b.prev[:0]
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
			first, prev := clk.next(rec.Timestamp)
			if !opt.selects(rec.Number) {
				continue
			}
			var c capture.Record
			c, b.data = rec.CloneInto(b.data)
			b.recs = append(b.recs, c)
			b.prev = append(b.prev, prev)
			b.first = first
			visited++
			if opt.Count > 0 && visited >= opt.Count {
				send()
				return
			}
			if len(b.recs) == batchRecords || len(b.data) >= batchBytes {
				if !send() {
					return
				}
			}
		}
	}()

	// The writer, in this goroutine: put batches back in order.
	pending := map[int]*batch{}
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
				if _, err := w.Write(nb.out); err != nil {
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
