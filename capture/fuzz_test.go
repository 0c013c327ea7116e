package capture

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// fuzzSeeds returns hand-made files covering each format and block type.
func fuzzSeeds() [][]byte {
	var seeds [][]byte
	for _, bo := range []byteOrder{le, be} {
		for _, magic := range []uint32{magicMicro, magicNano} {
			f := pcapFile(bo, magic, 2, 4, 65535, 1)
			f = pcapRec(f, bo, 1, 2, 4, 60, []byte{1, 2, 3, 4})
			f = pcapRec(f, bo, 3, 4, 0, 0, nil)
			seeds = append(seeds, f)
		}
		g := &ng{bo: bo}
		g.shb(sopt(optComment, "c"), sopt(shbUserAppl, "u"))
		g.idb(LinkTypeEthernet, 96, sopt(ifName, "eth0"), opt{ifTSResol, []byte{0x8a}}, opt{ifTSOffset, g.u64(5)})
		g.epb(0, 123, 3, 3, []byte{1, 2, 3}, sopt(optComment, "x"), opt{epbFlags, g.u32(1)})
		g.spb(10, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
		g.pb(0, 0, 1, 1, 1, []byte{1})
		g.block(blockNRB, []byte{1, 0, 6, 0, 10, 0, 0, 1, 'a', 0, 0, 0, 0, 0, 0, 0})
		g.block(blockISB, append(g.u32(0), make([]byte, 8)...))
		g.block(blockDSB, append(g.u32(1), append(g.u32(1), 'k', 0, 0, 0)...))
		g.block(blockCustom, []byte{1, 2, 3, 4})
		g.shb().idb(LinkTypeRaw, 0).epb(0, 0, 1, 1, []byte{0x45})
		seeds = append(seeds, g.b)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(seeds[0])
	zw.Close()
	seeds = append(seeds, z.Bytes(), nil, []byte{0x0a, 0x0d, 0x0d, 0x0a}, []byte{0x1f, 0x8b})
	return seeds
}

// corpusSeeds returns the first 4 KiB of about 50 varied corpus files, when
// PKTKIT_CORPUS is set.
func corpusSeeds(t testing.TB) [][]byte {
	dir := os.Getenv("PKTKIT_CORPUS")
	if dir == "" {
		return nil
	}
	rows := readIndex(t, dir)
	var seeds [][]byte
	seen := map[string]int{}
	for i, row := range rows {
		// Every format and link type, then an even spread of the rest.
		key := row.format + "/" + row.linktypes
		if seen[key] >= 2 && i%97 != 0 {
			continue
		}
		seen[key]++
		f, err := os.Open(filepath.Join(dir, row.path))
		if err != nil {
			continue
		}
		buf := make([]byte, 4096)
		n, _ := io.ReadFull(f, buf)
		f.Close()
		seeds = append(seeds, buf[:n])
		if len(seeds) >= 60 {
			break
		}
	}
	return seeds
}

// errorKind names which of the package's error kinds err is.
func errorKind(err error) string {
	for _, k := range []error{io.EOF, ErrNotCapture, ErrTruncated, ErrMalformed, ErrUnsupported, io.ErrNoProgress} {
		if errors.Is(err, k) {
			return k.Error()
		}
	}
	return "other error"
}

// drain reads a file to its end, checking the Record and error contracts.
func drain(t *testing.T, src io.Reader) (int, string) {
	r, err := NewReader(src)
	if err != nil {
		var ce *Error
		if !errors.As(err, &ce) {
			t.Fatalf("NewReader error %v is not a *Error", err)
		}
		return -1, errorKind(err)
	}
	var rec Record
	n := 0
	var last int64 = -1
	for i := 0; i < 1<<20; i++ {
		err := r.Next(&rec)
		if err != nil {
			if err != io.EOF {
				var ce *Error
				if !errors.As(err, &ce) {
					t.Fatalf("Next error %v is not a *Error", err)
				}
				if ce.Packet != n+1 {
					t.Fatalf("error for packet %d after %d packets", ce.Packet, n)
				}
			}
			if err2 := r.Next(&rec); err2 != err {
				t.Fatalf("error not sticky: %v then %v", err, err2)
			}
			return n, errorKind(err)
		}
		n++
		if rec.CapLen != len(rec.Data) || rec.Number != n || rec.Offset <= last || rec.CapLen > MaxBlockSize {
			t.Fatalf("bad record %d: caplen %d len %d number %d offset %d", n, rec.CapLen, len(rec.Data), rec.Number, rec.Offset)
		}
		last = rec.Offset
		_ = rec.Comments()
		_, _ = rec.DropCount()
		_, _, _ = rec.Hash()
	}
	t.Fatal("reader did not terminate")
	return 0, ""
}

func FuzzReader(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	for _, s := range corpusSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n1, k1 := drain(t, bytes.NewReader(data))
		// Without knowing the size of the stream, the reader must come to
		// the same result.
		n2, k2 := drain(t, onlyReader{bytes.NewReader(data)})
		if n1 != n2 || k1 != k2 {
			t.Fatalf("sized: %d packets, %v; unsized: %d packets, %v", n1, k1, n2, k2)
		}
		// Nor when a mapped pcap file is split into spans.
		if n3, k3, ok := drainSpans(t, data); ok && (n1 != n3 || k1 != k3) {
			t.Fatalf("Next: %d packets, %v; spans: %d packets, %v", n1, k1, n3, k3)
		}
	})
}

// drainSpans reads data as a mapped pcap file by spans of varying sizes
// (Skip and DecodeSpan), then with Next to the error or end, and returns
// the packet count and how reading ended; ok is false when data is not a
// pcap file such a reader can split.
func drainSpans(t *testing.T, data []byte) (n int, kind string, ok bool) {
	// (A heap copy stands for the mapping: it is never closed or released,
	// being smaller than the window released behind the read position.)
	r, err := newMappedReader(append([]byte(nil), data...), "fuzz")
	if err != nil || !r.CanSkip() {
		return 0, "", false
	}
	var recs []Record
	var last int64 = -1
	for size := 1; ; size = size*3%41 + 1 {
		sp := r.Skip(size, 1<<16)
		if sp.Count == 0 {
			break
		}
		recs = r.DecodeSpan(sp, recs[:0])
		if len(recs) != sp.Count || sp.First != n+1 {
			t.Fatalf("span %+v after %d packets decoded to %d records", sp, n, len(recs))
		}
		for i := range recs {
			n++
			rec := &recs[i]
			if rec.CapLen != len(rec.Data) || rec.Number != n || rec.Offset <= last || rec.Offset < sp.Start || rec.Offset >= sp.End {
				t.Fatalf("bad record %d in span %+v: caplen %d len %d number %d offset %d", n, sp, rec.CapLen, len(rec.Data), rec.Number, rec.Offset)
			}
			last = rec.Offset
		}
	}
	var rec Record
	for {
		err := r.Next(&rec)
		if err == io.EOF {
			return n, errorKind(err), true
		}
		if err != nil {
			return n, errorKind(err), true
		}
		n++
	}
}
