package capture

import (
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unsafe"
)

// TestSkipDecodeMatchesNext splits pcap files of each byte order, time
// resolution and length order into spans and checks that decoding them
// gives the records Next gives, and that Skip stops in front of a record
// Next rejects, which Next then reports.
func TestSkipDecodeMatchesNext(t *testing.T) {
	be, le := binary.BigEndian, binary.LittleEndian
	for _, tc := range []struct {
		name         string
		bo           byteOrder
		magic        uint32
		major, minor uint16
		swap         bool // caplen and origlen in the old order
	}{
		{"le-micro", le, 0xa1b2c3d4, 2, 4, false},
		{"be-micro", be, 0xa1b2c3d4, 2, 4, false},
		{"le-nano", le, 0xa1b23c4d, 2, 4, false},
		{"be-nano", be, 0xa1b23c4d, 2, 4, false},
		{"v2.2", le, 0xa1b2c3d4, 2, 2, true},
	} {
		file := pcapFile(tc.bo, tc.magic, tc.major, tc.minor, 65535, 1)
		for i := 0; i < 500; i++ {
			data := make([]byte, 14+i%300)
			for j := range data {
				data[j] = byte(i + j)
			}
			incl, orig := uint32(len(data)), uint32(len(data)+i%3)
			if tc.swap {
				incl, orig = orig, incl
			}
			if i == 321 {
				incl = 1 << 30 // past Ethernet's maximum: Next rejects it
				if tc.swap {
					orig = incl
				}
			}
			file = pcapRec(file, tc.bo, uint32(1000+i), uint32(i*7), incl, orig, data)
		}
		path := filepath.Join(t.TempDir(), tc.name+".pcap")
		if err := os.WriteFile(path, file, 0o644); err != nil {
			t.Fatal(err)
		}
		want, nerr := nextAll(t, path)
		r, err := open(path, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !r.CanSkip() {
			t.Fatalf("%s: not mapped", tc.name)
		}
		var got []Record
		for size := 1; ; size = size%37 + 5 {
			sp := r.Skip(size, 1<<20)
			if sp.Count == 0 {
				break
			}
			n := len(got)
			got = r.DecodeSpan(sp, got)
			if len(got)-n != sp.Count || got[n].Number != sp.First || got[n].Timestamp != sp.FirstTime || got[len(got)-1].Timestamp != sp.LastTime {
				t.Fatalf("%s: span %+v decoded to %d records", tc.name, sp, len(got)-n)
			}
		}
		var rec Record
		err = r.Next(&rec)
		defer r.Close()
		if len(got) != len(want) {
			t.Fatalf("%s: %d records by spans, %d by Next", tc.name, len(got), len(want))
		}
		for i := range want {
			if !equalRecord(got[i], want[i]) || got[i].Offset != want[i].Offset || got[i].Number != want[i].Number {
				t.Fatalf("%s: record %d: %+v, want %+v", tc.name, i+1, got[i], want[i])
			}
		}
		if err == nil || nerr == nil || err.Error() != nerr.Error() {
			t.Errorf("%s: after the spans Next says %v, want %v", tc.name, err, nerr)
		}
	}
}

// nextAll reads a file's records with Next until it fails (copies).
func nextAll(t *testing.T, path string) ([]Record, error) {
	t.Helper()
	r, err := open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []Record
	for {
		var rec Record
		err := r.Next(&rec)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec.Clone())
	}
}

// TestReleaseBehindSpans walks a file of 40 MiB in spans and releases what
// each span leaves behind: the released ranges follow one another, end on
// huge-page boundaries of the mapping at least mappedWindow behind the
// span, and every record read afterwards, from the start again, is still
// the file's (released pages fault back in). Touch reads anywhere, past the
// end of the file too.
func TestReleaseBehindSpans(t *testing.T) {
	le := binary.LittleEndian
	file := pcapFile(le, 0xa1b2c3d4, 2, 4, 65535, 1)
	data := make([]byte, 1500)
	for i := 0; len(file) < 40<<20; i++ {
		data[0], data[1] = byte(i), byte(i>>8)
		file = pcapRec(file, le, uint32(i), 0, uint32(len(data)), uint32(len(data)), data)
	}
	path := filepath.Join(t.TempDir(), "big.pcap")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.CanSkip() {
		t.Skip("not mapped here")
	}
	base := int(uintptr(unsafe.Pointer(unsafe.SliceData(r.mapped))))
	var spans []Span
	released, n := 0, 0
	for {
		sp := r.Skip(4096, 256<<10)
		if sp.Count == 0 {
			break
		}
		if from, to := sp.release[0], sp.release[1]; to > from {
			n++
			if from != released || (base+to)%hugePageSize != 0 || int64(to) > sp.End-mappedWindow {
				t.Fatalf("span ending at %d releases [%d, %d) after %d", sp.End, from, to, released)
			}
			released = to
		}
		r.Release(sp)
		r.Touch(sp.End, sp.End+1<<20)
		spans = append(spans, sp)
	}
	if n < 3 || released < 16<<20 {
		t.Fatalf("%d releases, up to %d: the test checks little", n, released)
	}
	r.Touch(int64(len(file))-10, int64(len(file))+1<<20)
	i := 0
	for _, sp := range spans {
		for _, rec := range r.DecodeSpan(sp, nil) {
			if int(rec.Data[0])|int(rec.Data[1])<<8 != i&0xffff || rec.Number != i+1 {
				t.Fatalf("record %d reads %d after the release", i+1, int(rec.Data[0])|int(rec.Data[1])<<8)
			}
			i++
		}
	}
}
