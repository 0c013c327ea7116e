package walk_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"pktkit/capture"
	"pktkit/packet"
	"pktkit/walk"
)

const sample = "../testdata/sample.pcap"

func summaries(p *packet.Packet, rec *capture.Record, out []byte) ([]byte, error) {
	out = strconv.AppendInt(out, int64(rec.Number), 10)
	out = append(out, ' ')
	out = p.AppendSummary(out)
	return append(out, '\n'), nil
}

// asWorker adapts a function that returns its grown output to a Worker.
func asWorker(f func(p *packet.Packet, rec *capture.Record, out []byte) ([]byte, error)) walk.Worker {
	return func(p *packet.Packet, rec *capture.Record, out *[]byte) error {
		var err error
		*out, err = f(p, rec, *out)
		return err
	}
}

func sequential(t *testing.T, path string, opt walk.Options) ([]byte, error) {
	var out []byte
	err := walk.File(path, opt, func(p *packet.Packet, rec *capture.Record) error {
		out, _ = summaries(p, rec, out)
		return nil
	})
	return out, err
}

func TestParallelMatchesSequential(t *testing.T) {
	for _, opt := range []walk.Options{{}, {Skip: 10}, {Count: 7}, {Skip: 3, Count: 50}, {Want: func(n int) bool { return n%3 == 0 }}} {
		want, err := sequential(t, sample, opt)
		if err != nil || len(want) == 0 {
			t.Fatalf("sequential: %v", err)
		}
		for _, workers := range []int{1, 2, 4} {
			var got bytes.Buffer
			err := walk.Parallel(sample, opt, workers, func() walk.Worker { return asWorker(summaries) }, &got)
			if err != nil {
				t.Fatalf("workers %d: %v", workers, err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("workers %d, %+v: output differs from the sequential walk", workers, opt)
			}
		}
	}
}

func TestParallelReportsDamageAfterOutput(t *testing.T) {
	src, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.pcap")
	if err := os.WriteFile(cut, src[:len(src)-7], 0o644); err != nil {
		t.Fatal(err)
	}
	want, werr := sequential(t, cut, walk.Options{})
	if werr == nil {
		t.Fatal("no error on a cut file")
	}
	var got bytes.Buffer
	perr := walk.Parallel(cut, walk.Options{}, 3, func() walk.Worker { return asWorker(summaries) }, &got)
	var ce *capture.Error
	if !errors.As(perr, &ce) || ce.File != cut || ce.Packet == 0 {
		t.Fatalf("error %v does not name the file and packet", perr)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Error("packets before the damage differ from the sequential walk")
	}
}

func TestParallelWorkerError(t *testing.T) {
	boom := errors.New("boom")
	var got bytes.Buffer
	err := walk.Parallel(sample, walk.Options{}, 2, func() walk.Worker {
		return asWorker(func(p *packet.Packet, rec *capture.Record, out []byte) ([]byte, error) {
			if rec.Number == 40 {
				return out, boom
			}
			return summaries(p, rec, out)
		})
	}, &got)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if n := bytes.Count(got.Bytes(), []byte("\n")); n != 39 {
		t.Errorf("%d packets written before the failing one, want 39", n)
	}
}
