package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

// Builders of capture files, written independently of the package's
// writers so that the reader is tested against the formats' layouts
// rather than against its own writer.

// pcapFile builds a pcap file header.
func pcapFile(bo byteOrder, magic uint32, major, minor uint16, snap, network uint32) []byte {
	b := bo.AppendUint32(nil, magic)
	b = bo.AppendUint16(b, major)
	b = bo.AppendUint16(b, minor)
	b = bo.AppendUint32(b, 0) // thiszone
	b = bo.AppendUint32(b, 0) // sigfigs
	b = bo.AppendUint32(b, snap)
	return bo.AppendUint32(b, network)
}

// pcapRec appends a pcap record.
func pcapRec(b []byte, bo byteOrder, sec, frac, caplen, origlen uint32, data []byte) []byte {
	b = bo.AppendUint32(b, sec)
	b = bo.AppendUint32(b, frac)
	b = bo.AppendUint32(b, caplen)
	b = bo.AppendUint32(b, origlen)
	return append(b, data...)
}

// ng builds pcapng files block by block.
type ng struct {
	bo byteOrder
	b  []byte
}

func pad(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// block appends a block with the given body (padded to 4 bytes).
func (g *ng) block(typ uint32, body []byte) *ng {
	body = pad(append([]byte(nil), body...))
	n := uint32(12 + len(body))
	g.b = g.bo.AppendUint32(g.b, typ)
	g.b = g.bo.AppendUint32(g.b, n)
	g.b = append(g.b, body...)
	g.b = g.bo.AppendUint32(g.b, n)
	return g
}

// opts encodes options followed by opt_endofopt.
func (g *ng) opts(o ...opt) []byte {
	var b []byte
	for _, x := range o {
		b = g.bo.AppendUint16(b, x.code)
		b = g.bo.AppendUint16(b, uint16(len(x.v)))
		b = pad(append(b, x.v...))
	}
	if len(o) > 0 {
		b = g.bo.AppendUint32(b, 0)
	}
	return b
}

type opt struct {
	code uint16
	v    []byte
}

func sopt(code uint16, s string) opt { return opt{code, []byte(s)} }

func (g *ng) shb(o ...opt) *ng {
	b := g.bo.AppendUint32(nil, byteOrderMagic)
	b = g.bo.AppendUint16(b, 1)
	b = g.bo.AppendUint16(b, 0)
	b = g.bo.AppendUint64(b, ^uint64(0))
	return g.block(blockSHB, append(b, g.opts(o...)...))
}

func (g *ng) idb(link LinkType, snap uint32, o ...opt) *ng {
	b := g.bo.AppendUint16(nil, uint16(link))
	b = g.bo.AppendUint16(b, 0)
	b = g.bo.AppendUint32(b, snap)
	return g.block(blockIDB, append(b, g.opts(o...)...))
}

func (g *ng) epb(iface uint32, ts uint64, caplen, origlen uint32, data []byte, o ...opt) *ng {
	b := g.bo.AppendUint32(nil, iface)
	b = g.bo.AppendUint32(b, uint32(ts>>32))
	b = g.bo.AppendUint32(b, uint32(ts))
	b = g.bo.AppendUint32(b, caplen)
	b = g.bo.AppendUint32(b, origlen)
	b = pad(append(b, data...))
	return g.block(blockEPB, append(b, g.opts(o...)...))
}

func (g *ng) spb(origlen uint32, data []byte) *ng {
	return g.block(blockSPB, append(g.bo.AppendUint32(nil, origlen), data...))
}

func (g *ng) pb(iface, drops uint16, ts uint64, caplen, origlen uint32, data []byte, o ...opt) *ng {
	b := g.bo.AppendUint16(nil, iface)
	b = g.bo.AppendUint16(b, drops)
	b = g.bo.AppendUint32(b, uint32(ts>>32))
	b = g.bo.AppendUint32(b, uint32(ts))
	b = g.bo.AppendUint32(b, caplen)
	b = g.bo.AppendUint32(b, origlen)
	b = pad(append(b, data...))
	return g.block(blockPB, append(b, g.opts(o...)...))
}

func (g *ng) u32(v uint32) []byte { return g.bo.AppendUint32(nil, v) }
func (g *ng) u64(v uint64) []byte { return g.bo.AppendUint64(nil, v) }

// ts64 encodes a timestamp as a pcapng option value (high word first).
func (g *ng) ts64(v uint64) []byte {
	return g.bo.AppendUint32(g.bo.AppendUint32(nil, uint32(v>>32)), uint32(v))
}

var (
	le = binary.LittleEndian
	be = binary.BigEndian
)

// readAllBytes reads every record of an in-memory file, cloned.
func readAllBytes(t testing.TB, file []byte) ([]Record, *Reader, error) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(file))
	if err != nil {
		return nil, nil, err
	}
	var recs []Record
	for i := 0; i < 1e6; i++ {
		rec, err := r.ReadRecord()
		if err == io.EOF {
			return recs, r, nil
		}
		if err != nil {
			return recs, r, err
		}
		recs = append(recs, rec)
	}
	t.Fatal("reader does not terminate")
	return nil, nil, nil
}

// mustRead reads a file that must be valid.
func mustRead(t testing.TB, file []byte) ([]Record, *Reader) {
	t.Helper()
	recs, r, err := readAllBytes(t, file)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	return recs, r
}

// wantError checks that err is an *Error of the given kind.
func wantError(t testing.TB, err error, kind error) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %v", kind)
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *Error", err, err)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("error %q is not of kind %q", err, kind)
	}
	return ce
}

// onlyReader hides every method of an io.Reader but Read, so that the
// reader cannot know the stream's size.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }
