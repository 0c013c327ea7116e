package walk_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"pktkit/capture"
	"pktkit/packet"
	"pktkit/walk"
)

// bigPcap writes a little-endian microsecond pcap file of the sample's
// records repeated past 3 MiB (so that it is mapped and Pipeline splits it
// into spans), with time stamps that go backwards now and then, and
// returns its path and the offsets of its record headers.
func bigPcap(t *testing.T) (string, []int64) {
	t.Helper()
	r, err := capture.Open(sample)
	if err != nil {
		t.Fatal(err)
	}
	var recs []capture.Record
	for {
		rec, err := r.ReadRecord()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	r.Close()
	var buf bytes.Buffer
	w, err := capture.NewPcapWriter(&buf, capture.LinkType(1), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	w.Flush()
	var offs []int64
	for i := 0; buf.Len() < 3<<20; i++ {
		rec := recs[i%len(recs)]
		rec.Timestamp += int64(i/len(recs)) * 1e9
		if i%97 == 0 {
			rec.Timestamp -= 5e8 // out of order
		}
		offs = append(offs, int64(buf.Len()))
		if err := w.WriteRecord(&rec); err != nil {
			t.Fatal(err)
		}
		w.Flush()
	}
	path := filepath.Join(t.TempDir(), "big.pcap")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, offs
}

var timeFields = func() []*packet.FieldRef {
	var out []*packet.FieldRef
	for _, n := range []string{"frame.time_epoch", "frame.time_delta", "frame.time_relative", "frame.len", "frame.cap_len"} {
		r, err := packet.LookupField(n)
		if err != nil {
			panic(err)
		}
		out = append(out, r)
	}
	return out
}()

// timed is summaries with the frame's times and lengths.
func timed(p *packet.Packet, rec *capture.Record, out []byte) ([]byte, error) {
	for _, r := range timeFields {
		out = p.AppendField(out, r, ',')
		out = append(out, ' ')
	}
	return summaries(p, rec, out)
}

// TestSpansMatchSequential walks a mapped pcap file in parallel (the
// reader hands out spans of undecoded records) and compares every packet's
// number, times, lengths and summary with the sequential walk, under
// several selections and batch sizes, and checks Tag by interface.
func TestSpansMatchSequential(t *testing.T) {
	path, _ := bigPcap(t)
	r, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if !r.CanSkip() {
		t.Fatal("the test file is not mapped: spans are not tested")
	}
	r.Close()
	for _, opt := range []walk.Options{{}, {Skip: 10}, {Want: func(n int) bool { return n%3 == 0 }}, {BatchRecords: 7}, {BatchBytes: 5000}, {Skip: 1000, BatchRecords: 100}} {
		var want []byte
		err := walk.File(path, opt, func(p *packet.Packet, rec *capture.Record) error {
			want, _ = timed(p, rec, want)
			return nil
		})
		if err != nil || len(want) == 0 {
			t.Fatalf("sequential: %v", err)
		}
		for _, workers := range []int{2, 3} {
			var got bytes.Buffer
			if err := walk.Parallel(path, opt, workers, func() walk.Worker { return asWorker(timed) }, &got); err != nil {
				t.Fatalf("workers %d: %v", workers, err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("workers %d, skip %d batch %d/%d: output differs from the sequential walk", workers, opt.Skip, opt.BatchRecords, opt.BatchBytes)
			}
		}
	}
	// Tags by interface: every record gets the tag of its span's first.
	r, _ = capture.Open(path)
	defer r.Close()
	calls, recs := 0, 0
	opt := walk.Options{BatchRecords: 500, TagByInterface: true, Tag: func(r *capture.Reader, rec *capture.Record) int32 {
		calls++
		return int32(rec.Interface) + 7
	}}
	err = walk.Pipeline(r, opt, 2, func() func(p *packet.Packet, rec *capture.Record, acc *int) error {
		return func(p *packet.Packet, rec *capture.Record, acc *int) error { *acc++; return nil }
	}, func(b *walk.Batch[int]) error {
		if len(b.Tags) != len(b.Recs) || b.Acc != len(b.Recs) {
			t.Fatalf("%d tags, %d records, %d visited", len(b.Tags), len(b.Recs), b.Acc)
		}
		for _, tg := range b.Tags {
			if tg != 7 {
				t.Fatalf("tag %d", tg)
			}
		}
		recs += len(b.Recs)
		b.Acc = 0
		return nil
	})
	if err != nil || recs == 0 || calls == 0 || calls >= recs {
		t.Errorf("err %v: %d records, Tag called %d times", err, recs, calls)
	}
}

// TestSpansStopAtDamage puts a record Next rejects (a captured length past
// the link type's maximum) and then a cut in the middle of a mapped file:
// the parallel walk writes the same packets as the sequential one before
// it and reports the same error.
func TestSpansStopAtDamage(t *testing.T) {
	path, offs := bigPcap(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte(nil), data...)
	binary.LittleEndian.PutUint32(bad[offs[len(offs)/2]+8:], 1<<30)
	cut := data[:offs[len(offs)*2/3]+20]
	for name, file := range map[string][]byte{"caplen": bad, "cut": cut} {
		p := filepath.Join(t.TempDir(), name+".pcap")
		if err := os.WriteFile(p, file, 0o644); err != nil {
			t.Fatal(err)
		}
		var want []byte
		werr := walk.File(p, walk.Options{}, func(p *packet.Packet, rec *capture.Record) error {
			want, _ = timed(p, rec, want)
			return nil
		})
		if werr == nil {
			t.Fatalf("%s: no error from the sequential walk", name)
		}
		var got bytes.Buffer
		perr := walk.Parallel(p, walk.Options{BatchRecords: 64}, 2, func() walk.Worker { return asWorker(timed) }, &got)
		var ce *capture.Error
		if perr == nil || perr.Error() != werr.Error() || !errors.As(perr, &ce) || ce.Packet == 0 {
			t.Errorf("%s: parallel error %v, sequential %v", name, perr, werr)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: packets before the damage differ (%d vs %d bytes)", name, got.Len(), len(want))
		}
	}
}

// TestSpansProgress checks that span walks report progress up to the file
// size.
func TestSpansProgress(t *testing.T) {
	path, _ := bigPcap(t)
	st, _ := os.Stat(path)
	var last, total int64
	calls := 0
	opt := walk.Options{BatchRecords: 300, Progress: func(done, tot int64) { calls++; last, total = done, tot }}
	if err := walk.Parallel(path, opt, 2, func() walk.Worker { return asWorker(timed) }, io.Discard); err != nil {
		t.Fatal(err)
	}
	if calls < 3 || last != st.Size() || total != st.Size() {
		t.Errorf("%d progress calls, last %d of %d, file %d bytes", calls, last, total, st.Size())
	}
}

// finAcc gathers packet numbers; Finish, which Pipeline must call in the
// worker once per batch before the consumer sees it, seals them.
type finAcc struct {
	nums     []int
	sealed   int // how many of nums Finish saw
	finishes int
}

func (a *finAcc) Finish() error {
	a.sealed = len(a.nums)
	a.finishes++
	return nil
}

// TestPipelineFinisher checks that an accumulator implementing Finisher
// is finished exactly once per batch, after its last packet and before the
// consumer takes it, for spans of a mapped file and for batches of copied
// records (standard input), and that the batches still carry every packet
// in order.
func TestPipelineFinisher(t *testing.T) {
	path, offs := bigPcap(t)
	for _, mapped := range []bool{true, false} {
		var r *capture.Reader
		var err error
		if mapped {
			r, err = capture.Open(path)
		} else {
			var fh *os.File
			fh, err = os.Open(path)
			if err == nil {
				defer fh.Close()
				r, err = capture.NewReader(fh)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		next, batches := 1, 0
		err = walk.Pipeline(r, walk.Options{NoRecords: true, BatchRecords: 500}, 2, func() func(p *packet.Packet, rec *capture.Record, acc *finAcc) error {
			return func(p *packet.Packet, rec *capture.Record, acc *finAcc) error {
				acc.nums = append(acc.nums, p.Number)
				return nil
			}
		}, func(b *walk.Batch[finAcc]) error {
			a := &b.Acc
			if a.finishes != 1 || a.sealed != len(a.nums) {
				t.Fatalf("mapped %v: batch of %d packets finished %d times, over %d packets", mapped, len(a.nums), a.finishes, a.sealed)
			}
			for _, n := range a.nums {
				if n != next {
					t.Fatalf("mapped %v: packet %d, want %d", mapped, n, next)
				}
				next++
			}
			batches++
			*a = finAcc{nums: a.nums[:0]}
			return nil
		})
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if next-1 != len(offs) || batches < 4 {
			t.Errorf("mapped %v: %d packets in %d batches, want %d in several", mapped, next-1, batches, len(offs))
		}
	}
}
