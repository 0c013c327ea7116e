package capture

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPcapMagics(t *testing.T) {
	data := []byte{1, 2, 3, 4, 5}
	for _, tc := range []struct {
		name   string
		bo     byteOrder
		magic  uint32
		format Format
		ts     int64
	}{
		{"usec-le", le, magicMicro, FormatPcap, 1700000000*1e9 + 123456*1000},
		{"usec-be", be, magicMicro, FormatPcap, 1700000000*1e9 + 123456*1000},
		{"nsec-le", le, magicNano, FormatPcapNano, 1700000000*1e9 + 123456},
		{"nsec-be", be, magicNano, FormatPcapNano, 1700000000*1e9 + 123456},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := pcapFile(tc.bo, tc.magic, 2, 4, 65535, 1)
			f = pcapRec(f, tc.bo, 1700000000, 123456, 5, 60, data)
			f = pcapRec(f, tc.bo, 1700000001, 0, 0, 0, nil)
			recs, r := mustRead(t, f)
			if r.Format() != tc.format || r.ByteOrder() != tc.bo || r.Gzip() {
				t.Errorf("format %v order %v gzip %v", r.Format(), r.ByteOrder(), r.Gzip())
			}
			if r.SnapLen() != 65535 || r.LinkType() != LinkTypeEthernet {
				t.Errorf("snaplen %d link %v", r.SnapLen(), r.LinkType())
			}
			if len(recs) != 2 {
				t.Fatalf("%d records", len(recs))
			}
			got := recs[0]
			if got.Timestamp != tc.ts || got.CapLen != 5 || got.OrigLen != 60 ||
				!bytes.Equal(got.Data, data) || got.Number != 1 || got.Offset != 24 ||
				got.LinkType != LinkTypeEthernet || got.Interface != 0 || got.HasFlags {
				t.Errorf("record %+v", got)
			}
			if recs[1].Number != 2 || recs[1].Offset != 24+16+5 || recs[1].CapLen != 0 || len(recs[1].Data) != 0 {
				t.Errorf("record 2 %+v", recs[1])
			}
			if !got.Time().Equal(got.Time()) || got.Time().UnixNano() != tc.ts {
				t.Errorf("Time() = %v", got.Time())
			}
			ifs := r.Interfaces()
			if len(ifs) != 1 || ifs[0].FCSLen != -1 || ifs[0].SnapLen != 65535 {
				t.Errorf("interfaces %+v", ifs)
			}
			if want := map[Format]Resolution{FormatPcap: 6, FormatPcapNano: 9}[tc.format]; ifs[0].TSResol != want {
				t.Errorf("resolution %v", ifs[0].TSResol)
			}
			if s := r.Sections(); len(s) != 1 || s[0].Major != 2 || s[0].Minor != 4 {
				t.Errorf("sections %+v", s)
			}
		})
	}
}

func TestPcapLinkTypeField(t *testing.T) {
	// FCS present (bit 26) with 2 16-bit words (bits 28-31): 4 bytes of FCS.
	f := pcapFile(le, magicMicro, 2, 4, 65535, 0x2<<28|ltFCSPresent|uint32(LinkTypeIEEE80211Radio))
	_, r := mustRead(t, f)
	if r.LinkType() != LinkTypeIEEE80211Radio || r.Interfaces()[0].FCSLen != 4 {
		t.Errorf("link %v fcs %d", r.LinkType(), r.Interfaces()[0].FCSLen)
	}
	// FCS length without the present bit is ignored.
	f = pcapFile(le, magicMicro, 2, 4, 65535, 0x3<<28|132)
	_, r = mustRead(t, f)
	if r.LinkType() != 132 || r.Interfaces()[0].FCSLen != -1 {
		t.Errorf("link %v fcs %d", r.LinkType(), r.Interfaces()[0].FCSLen)
	}
	// Reserved bits must be zero.
	f = pcapFile(le, magicMicro, 2, 4, 65535, 0x00300000|1)
	_, err := NewReader(bytes.NewReader(f))
	e := wantError(t, err, ErrUnsupported)
	if e.Packet != 0 || e.Offset != 0 {
		t.Errorf("error %+v", e)
	}
}

func TestPcapVersions(t *testing.T) {
	_, err := NewReader(bytes.NewReader(pcapFile(le, magicMicro, 1, 0, 65535, 1)))
	wantError(t, err, ErrUnsupported)

	// Before 2.3 the length fields came in the other order.
	f := pcapFile(le, magicMicro, 2, 2, 65535, 1)
	f = pcapRec(f, le, 1, 0, 60, 3, []byte{1, 2, 3})
	recs, _ := mustRead(t, f)
	if recs[0].CapLen != 3 || recs[0].OrigLen != 60 {
		t.Errorf("2.2: %+v", recs[0])
	}
	// In 2.3 they are swapped only when caplen > origlen.
	f = pcapFile(le, magicMicro, 2, 3, 65535, 1)
	f = pcapRec(f, le, 1, 0, 60, 3, []byte{1, 2, 3})
	f = pcapRec(f, le, 1, 0, 2, 60, []byte{1, 2})
	recs, _ = mustRead(t, f)
	if recs[0].CapLen != 3 || recs[1].CapLen != 2 || recs[1].OrigLen != 60 {
		t.Errorf("2.3: %+v", recs)
	}
}

func TestPcapTruncated(t *testing.T) {
	full := pcapFile(le, magicMicro, 2, 4, 65535, 1)
	full = pcapRec(full, le, 1, 0, 4, 4, []byte{1, 2, 3, 4})
	full = pcapRec(full, le, 2, 0, 10, 10, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	for cut := 0; cut < len(full); cut++ {
		for _, hide := range []bool{false, true} {
			var src io.Reader = bytes.NewReader(full[:cut])
			if hide {
				src = onlyReader{src}
			}
			r, err := NewReader(src)
			if cut < 24 {
				if cut < 4 {
					wantError(t, err, ErrNotCapture)
				} else {
					wantError(t, err, ErrTruncated)
				}
				continue
			}
			if err != nil {
				t.Fatalf("cut %d: %v", cut, err)
			}
			var rec Record
			n := 0
			for err = r.Next(&rec); err == nil; err = r.Next(&rec) {
				n++
			}
			wantN := map[bool]int{true: 0, false: 1}[cut < 44]
			if cut == 24 || cut == 44 {
				if err != io.EOF || n != wantN {
					t.Errorf("cut %d: %d packets, %v", cut, n, err)
				}
				continue
			}
			e := wantError(t, err, ErrTruncated)
			if n != wantN || e.Packet != wantN+1 {
				t.Errorf("cut %d: %d packets, error %v", cut, n, e)
			}
			if wantOff := map[bool]int64{true: 24, false: 44}[cut < 44]; e.Offset != wantOff {
				t.Errorf("cut %d: offset %d", cut, e.Offset)
			}
			// The error is sticky.
			if err2 := r.Next(&rec); err2 != err {
				t.Errorf("cut %d: second error %v", cut, err2)
			}
		}
	}
}

func TestPcapErrorMessage(t *testing.T) {
	f := pcapFile(le, magicMicro, 2, 4, 65535, 1)
	f = pcapRec(f, le, 1, 0, 4, 4, []byte{1, 2, 3, 4})
	f = append(f, 1, 2, 3)
	dir := t.TempDir()
	path := filepath.Join(dir, "cut.pcap")
	if err := os.WriteFile(path, f, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rec Record
	if err := r.Next(&rec); err != nil {
		t.Fatal(err)
	}
	err = r.Next(&rec)
	want := "capture: " + path + ": packet 2 at byte offset 44: truncated record header (need 16 bytes, have 3)"
	if err == nil || err.Error() != want {
		t.Errorf("error %q\nwant  %q", err, want)
	}
}

func TestPcapOversized(t *testing.T) {
	f := pcapFile(le, magicMicro, 2, 4, 65535, 1)
	f = pcapRec(f, le, 1, 0, 4, 4, []byte{1, 2, 3, 4})
	f = pcapRec(f, le, 1, 0, 262145, 262145, nil)
	recs, _, err := readAllBytes(t, f)
	wantError(t, err, ErrMalformed)
	if len(recs) != 1 {
		t.Errorf("%d records", len(recs))
	}
	// A packet exactly at the limit is fine, and larger types allow more.
	for _, tc := range []struct {
		link LinkType
		n    int
	}{{LinkTypeEthernet, 262144}, {LinkTypeUSBLinuxMMapped, 300000}, {LinkTypeDBus, 1 << 20}} {
		f := pcapFile(le, magicMicro, 2, 4, 0, uint32(tc.link))
		f = pcapRec(f, le, 1, 0, uint32(tc.n), uint32(tc.n), make([]byte, tc.n))
		recs, _ := mustRead(t, f)
		if len(recs) != 1 || recs[0].CapLen != tc.n {
			t.Errorf("%v: %d records", tc.link, len(recs))
		}
	}
}

func TestNotCapture(t *testing.T) {
	for _, in := range [][]byte{nil, {1}, []byte("hello world, this is text"), {0xa1, 0xb2, 0xcd, 0x34}} {
		_, err := NewReader(bytes.NewReader(in))
		if err == nil {
			t.Errorf("%q: no error", in)
			continue
		}
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%q: %T", in, err)
		}
	}
	_, err := NewReader(strings.NewReader("hello world, this is text"))
	e := wantError(t, err, ErrNotCapture)
	if e.Error() != "capture: byte offset 0: not a pcap or pcapng file" {
		t.Errorf("message %q", e.Error())
	}
	_, err = Open(filepath.Join(t.TempDir(), "missing.pcap"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestGzip(t *testing.T) {
	f := pcapFile(be, magicNano, 2, 4, 65535, uint32(LinkTypeRaw))
	for i := range 100 {
		f = pcapRec(f, be, uint32(i), 7, 20, 20, bytes.Repeat([]byte{byte(i)}, 20))
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(f)
	zw.Close()
	recs, r := mustRead(t, z.Bytes())
	if !r.Gzip() || r.Format() != FormatPcapNano || len(recs) != 100 || recs[99].Timestamp != 99e9+7 {
		t.Errorf("gzip %v format %v %d records", r.Gzip(), r.Format(), len(recs))
	}
	if recs[99].Offset != 24+99*36 {
		t.Errorf("offset %d in the decompressed stream", recs[99].Offset)
	}
	// A cut-short gzip stream is a truncated capture, even at a record
	// boundary of the decompressed data.
	for _, tc := range []struct{ cut, min, max int }{
		{z.Len() - 4, 100, 100}, // all data there, gzip trailer cut
		{z.Len() / 2, 1, 99},
	} {
		recs, _, err := readAllBytes(t, z.Bytes()[:tc.cut])
		wantError(t, err, ErrTruncated)
		if len(recs) < tc.min || len(recs) > tc.max {
			t.Errorf("cut %d: %d records", tc.cut, len(recs))
		}
	}
	// A gzip header that is not one.
	_, err := NewReader(bytes.NewReader([]byte{0x1f, 0x8b, 0, 0, 0}))
	wantError(t, err, ErrMalformed)
	// Gzip of text.
	z.Reset()
	zw = gzip.NewWriter(&z)
	zw.Write([]byte("not a capture"))
	zw.Close()
	_, err = NewReader(&z)
	wantError(t, err, ErrNotCapture)
}

func TestOpenStdin(t *testing.T) {
	f := pcapFile(le, magicMicro, 2, 4, 65535, 1)
	f = pcapRec(f, le, 1, 0, 4, 4, []byte{1, 2, 3, 4})
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		pw.Write(f)
		pw.Close()
	}()
	old := os.Stdin
	os.Stdin = pr
	defer func() { os.Stdin = old; pr.Close() }()
	r, err := Open("-")
	if err != nil {
		t.Fatal(err)
	}
	var rec Record
	if err := r.Next(&rec); err != nil || rec.CapLen != 4 {
		t.Fatalf("%v %+v", err, rec)
	}
	if err := r.Next(&rec); err != io.EOF {
		t.Fatalf("%v", err)
	}
	if r.Name() != "-" {
		t.Errorf("name %q", r.Name())
	}
	r.Close()
	// Standard input stays open.
	if _, err := pr.Stat(); err != nil {
		t.Errorf("stdin closed: %v", err)
	}
}

func TestNextZeroCopyAndClone(t *testing.T) {
	f := pcapFile(le, magicMicro, 2, 4, 65535, 1)
	f = pcapRec(f, le, 1, 0, 4, 4, []byte{1, 2, 3, 4})
	r, _ := NewReader(bytes.NewReader(f))
	var rec Record
	if err := r.Next(&rec); err != nil {
		t.Fatal(err)
	}
	c := rec.Clone()
	rec.Data[0] = 99
	if c.Data[0] != 1 {
		t.Error("Clone shares memory")
	}
	if cap(rec.Data) != len(rec.Data) {
		t.Error("Data's capacity reaches beyond the packet")
	}
	// After Close, Next fails instead of touching a released buffer.
	r.Close()
	if err := r.Next(&rec); err == nil || err == io.EOF {
		t.Errorf("Next after Close: %v", err)
	}
}

func TestNextNoAllocs(t *testing.T) {
	for _, name := range []string{"pcap", "pcapng"} {
		file := benchFile(name == "pcapng", 2000)
		r, err := NewReader(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		var rec Record
		allocs := testing.AllocsPerRun(1000, func() {
			if err := r.Next(&rec); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per Next", name, allocs)
		}
	}
}

// TestConstantMemory streams a 64 MiB file through a reader that cannot
// know its size and checks that the buffer stays small.
func TestConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const n = 40000
	pkt := make([]byte, 1600)
	hdr := pcapFile(le, magicMicro, 2, 4, 65535, 1)
	rec := pcapRec(nil, le, 1, 0, uint32(len(pkt)), uint32(len(pkt)), pkt)
	gen := &repeatReader{head: hdr, body: rec, n: n}
	r, err := NewReader(gen)
	if err != nil {
		t.Fatal(err)
	}
	var x Record
	count := 0
	for err = r.Next(&x); err == nil; err = r.Next(&x) {
		count++
	}
	if err != io.EOF || count != n {
		t.Fatalf("%d records, %v", count, err)
	}
	if len(r.src.buf) > initialBuffer {
		t.Errorf("buffer grew to %d bytes", len(r.src.buf))
	}
}

type repeatReader struct {
	head, body []byte
	n          int
	cur        []byte
}

func (g *repeatReader) Read(p []byte) (int, error) {
	if len(g.cur) == 0 {
		switch {
		case g.head != nil:
			g.cur, g.head = g.head, nil
		case g.n > 0:
			g.cur = g.body
			g.n--
		default:
			return 0, io.EOF
		}
	}
	k := copy(p, g.cur)
	g.cur = g.cur[k:]
	return k, nil
}

// TestNoAllocationFromLength checks that a huge length field in a stream
// of unknown size is not trusted for an allocation.
func TestNoAllocationFromLength(t *testing.T) {
	g := &ng{bo: le}
	g.shb().idb(LinkTypeEthernet, 0)
	f := append([]byte(nil), g.b...)
	f = le.AppendUint32(f, blockEPB)
	f = le.AppendUint32(f, 200<<20)
	f = append(f, make([]byte, 1000)...)
	r, err := NewReader(onlyReader{bytes.NewReader(f)})
	if err != nil {
		t.Fatal(err)
	}
	var rec Record
	wantError(t, r.Next(&rec), ErrTruncated)
	if len(r.src.buf) > 2*initialBuffer {
		t.Errorf("buffer grew to %d bytes", len(r.src.buf))
	}

	p := pcapFile(le, magicMicro, 2, 4, 0, uint32(LinkTypeDBus))
	p = pcapRec(p, le, 0, 0, 100<<20, 100<<20, make([]byte, 100))
	r, err = NewReader(onlyReader{bytes.NewReader(p)})
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, r.Next(&rec), ErrTruncated)
	if len(r.src.buf) > 2*initialBuffer {
		t.Errorf("buffer grew to %d bytes", len(r.src.buf))
	}
}

// stallReader returns (0, nil) forever.
type stallReader struct{}

func (stallReader) Read(p []byte) (int, error) { return 0, nil }

func TestStallingReader(t *testing.T) {
	_, err := NewReader(stallReader{})
	if !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("error %v", err)
	}
}

// TestGrowingFile reads a file that grows after it was opened, as one being
// written by a capture does.
func TestGrowingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.pcap")
	f := pcapFile(le, magicMicro, 2, 4, 65535, 1)
	f = pcapRec(f, le, 1, 0, 4, 4, []byte{1, 2, 3, 4})
	if err := os.WriteFile(path, f, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rec Record
	if err := r.Next(&rec); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(pcapRec(nil, le, 2, 0, 3, 3, []byte{5, 6, 7}))
	w.Close()
	if err := r.Next(&rec); err != nil || rec.CapLen != 3 {
		t.Fatalf("%v %+v", err, rec)
	}
	if err := r.Next(&rec); err != io.EOF {
		t.Fatalf("%v", err)
	}
}

// errReader returns its data, then a read error.
type errReader struct {
	data []byte
	err  error
}

func (e *errReader) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

func TestReadErrorPropagates(t *testing.T) {
	boom := errors.New("disk on fire")
	f := pcapFile(le, magicMicro, 2, 4, 65535, 1)
	f = pcapRec(f, le, 1, 0, 4, 4, []byte{1, 2, 3, 4})
	r, err := NewReader(&errReader{data: f, err: boom})
	if err != nil {
		t.Fatal(err)
	}
	var rec Record
	if err := r.Next(&rec); err != nil {
		t.Fatal(err)
	}
	err = r.Next(&rec)
	var ce *Error
	if !errors.Is(err, boom) || !errors.As(err, &ce) || ce.Packet != 2 || r.Packets() != 1 || r.Offset() != 44 {
		t.Errorf("error %v", err)
	}
	if _, err := NewReader(&errReader{err: boom}); !errors.Is(err, boom) {
		t.Errorf("error %v", err)
	}
}
