package export

import (
	"bytes"
	"encoding/binary"
	"math"

	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding/delta"
	"github.com/parquet-go/parquet-go/encoding/rle"
)

// Physical (storage) types of the columns, as Parquet numbers them.
const (
	physBool   = 0
	physInt64  = 2
	physDouble = 5
	physBytes  = 6
)

// Parquet encodings.
const (
	encPlain = 0
	encRLE   = 3
	encDelta = 5 // DELTA_BINARY_PACKED
)

// maxBound is the longest byte array written as a column chunk's minimum
// or maximum: a chunk whose minimum or maximum is longer has none (readers
// then scan it; truncating a bound would need a rounded-up maximum).
const maxBound = 256

// colData is one column of the rows a chunk gathers: the values as they are
// added, then, once the chunk is finished, one data page of them.
type colData struct {
	defs []byte  // per row, its definition level: 1 a value, 0 a null
	ints []int64 // physInt64: the values
	vals []byte  // physBool: a byte per value; physDouble, physBytes: PLAIN
	n    int     // values (rows with a value)
	// lastAt is where the last byte-array value's bytes start in vals
	// (after its length), for pop.
	lastAt int

	page []byte // the page: its header and compressed body
	raw  int    // the page's size with its body uncompressed
	st   bounds // the page's statistics
}

// bounds are the statistics of a page or a column chunk.
type bounds struct {
	nulls  int64
	has    bool   // lo and hi hold the minimum and maximum
	lo, hi []byte // PLAIN-encoded (byte arrays: the bytes themselves)
}

// chunk is the rows of a batch (or, with one worker, of a page), gathered
// by a worker column by column and encoded into one page per column by
// Finish, in the worker.
type chunk struct {
	cols []colData
	rows int
	enc  *encoder // the worker's, which Finish uses
}

// Finish encodes and compresses the chunk's columns into pages; the walk
// calls it in the worker once the batch is complete.
func (g *chunk) Finish() error {
	if g.rows == 0 || g.enc == nil {
		return nil
	}
	return g.enc.pages.finish(g, g.enc.cols)
}

// reset empties the chunk for the next rows.
func (g *chunk) reset() {
	for i := range g.cols {
		c := &g.cols[i]
		c.defs, c.ints, c.vals, c.n = c.defs[:0], c.ints[:0], c.vals[:0], 0
		c.page, c.raw = c.page[:0], 0
	}
	g.rows = 0
}

// pager encodes pages: its buffers are reused from page to page.
type pager struct {
	codec     compress.Codec
	levels    rle.Encoding
	delta     delta.BinaryPackedEncoding
	lv, tmp   []byte
	body, out []byte
}

func newPager(codec compress.Codec) *pager {
	return &pager{codec: codec, levels: rle.Encoding{BitWidth: 1}}
}

// finish makes the page of every column of g.
func (pg *pager) finish(g *chunk, cols []column) error {
	for i := range g.cols {
		if err := pg.page(&g.cols[i], &cols[i], g.rows); err != nil {
			return err
		}
	}
	return nil
}

// page encodes c's values as a data page (version 1: the definition levels,
// RLE, prefixed by their length, then the values, all compressed).
func (pg *pager) page(c *colData, col *column, rows int) error {
	lv, err := pg.levels.EncodeLevels(pg.lv, c.defs)
	if err != nil {
		return err
	}
	pg.lv = lv
	body := binary.LittleEndian.AppendUint32(pg.body[:0], uint32(len(lv)))
	body = append(body, lv...)
	enc := int32(encPlain)
	switch col.phys {
	case physInt64:
		t, err := pg.delta.EncodeInt64(pg.tmp, c.ints)
		if err != nil {
			return err
		}
		pg.tmp = t
		body = append(body, t...)
		enc = encDelta
	case physBool:
		body = appendBits(body, c.vals)
	default:
		body = append(body, c.vals...)
	}
	pg.body = body
	out, err := pg.codec.Encode(pg.out, body)
	if err != nil {
		return err
	}
	pg.out = out
	c.page = appendPageHeader(c.page[:0], len(body), len(out), rows, enc)
	c.raw = len(c.page) + len(body)
	c.page = append(c.page, out...)
	c.st.nulls = int64(rows - c.n)
	c.st.has = false
	if c.n > 0 {
		c.st.bound(c, col)
	}
	return nil
}

// bound sets the page's minimum and maximum from its values.
func (b *bounds) bound(c *colData, col *column) {
	switch col.phys {
	case physInt64:
		lo, hi := c.ints[0], c.ints[0]
		if col.unsigned {
			for _, v := range c.ints[1:] {
				if uint64(v) < uint64(lo) {
					lo = v
				}
				if uint64(v) > uint64(hi) {
					hi = v
				}
			}
		} else {
			for _, v := range c.ints[1:] {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		b.set64(uint64(lo), uint64(hi))
	case physBool:
		lo, hi := byte(1), byte(0)
		for _, v := range c.vals {
			lo, hi = min(lo, v), max(hi, v)
		}
		b.lo, b.hi = append(b.lo[:0], lo), append(b.hi[:0], hi)
		b.has = true
	case physDouble:
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := 0; i+8 <= len(c.vals); i += 8 {
			v := math.Float64frombits(binary.LittleEndian.Uint64(c.vals[i:]))
			if v < lo {
				lo = v
			}
			if v > hi {
				hi = v
			}
		}
		if lo > hi {
			return // all NaN: no bounds
		}
		// The format's rule for zeros: a minimum of -0, a maximum of +0.
		if lo == 0 {
			lo = math.Copysign(0, -1)
		}
		if hi == 0 {
			hi = 0
		}
		b.set64(math.Float64bits(lo), math.Float64bits(hi))
	case physBytes:
		var lo, hi []byte
		first := true
		for t := c.vals; len(t) >= 4; {
			n := int(binary.LittleEndian.Uint32(t))
			v := t[4 : 4+n]
			t = t[4+n:]
			if first {
				lo, hi, first = v, v, false
				continue
			}
			if bytes.Compare(v, lo) < 0 {
				lo = v
			} else if bytes.Compare(v, hi) > 0 {
				hi = v
			}
		}
		b.set(lo, hi)
	}
}

// set copies lo and hi in as the bounds.
func (b *bounds) set(lo, hi []byte) {
	b.lo = append(b.lo[:0], lo...)
	b.hi = append(b.hi[:0], hi...)
	b.has = true
}

// set64 sets 8-byte bounds.
func (b *bounds) set64(lo, hi uint64) {
	b.lo = binary.LittleEndian.AppendUint64(b.lo[:0], lo)
	b.hi = binary.LittleEndian.AppendUint64(b.hi[:0], hi)
	b.has = true
}

// merge widens b (a column chunk's statistics) by p (a page's).
func (b *bounds) merge(p *bounds, col *column) {
	b.nulls += p.nulls
	if !p.has {
		return
	}
	if !b.has {
		b.set(p.lo, p.hi)
		return
	}
	if col.less(p.lo, b.lo) {
		b.lo = append(b.lo[:0], p.lo...)
	}
	if col.less(b.hi, p.hi) {
		b.hi = append(b.hi[:0], p.hi...)
	}
}

// less compares two PLAIN-encoded values of the column in its sort order.
func (c *column) less(a, b []byte) bool {
	switch c.phys {
	case physInt64:
		x, y := binary.LittleEndian.Uint64(a), binary.LittleEndian.Uint64(b)
		if c.unsigned {
			return x < y
		}
		return int64(x) < int64(y)
	case physDouble:
		return math.Float64frombits(binary.LittleEndian.Uint64(a)) < math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	return bytes.Compare(a, b) < 0
}

// appendBits appends booleans (a byte each, 0 or 1) PLAIN-encoded: one bit
// each, the first in the lowest bit.
func appendBits(b, v []byte) []byte {
	for i := 0; i < len(v); i += 8 {
		var x byte
		for j, w := range v[i:min(i+8, len(v))] {
			x |= (w & 1) << j
		}
		b = append(b, x)
	}
	return b
}

// appendPageHeader appends the Thrift compact encoding of a version 1 data
// page's header: page type, sizes, and the DataPageHeader with the value
// count (nulls included) and encodings.
func appendPageHeader(b []byte, raw, compressed, values int, enc int32) []byte {
	const i32, strct = 5, 12 // compact protocol field types
	field := func(b []byte, delta, typ byte) []byte { return append(b, delta<<4|typ) }
	b = field(b, 1, i32) // 1: type
	b = appendZigzag(b, 0)
	b = field(b, 1, i32) // 2: uncompressed_page_size
	b = appendZigzag(b, int32(raw))
	b = field(b, 1, i32) // 3: compressed_page_size
	b = appendZigzag(b, int32(compressed))
	b = field(b, 2, strct) // 5: data_page_header
	b = field(b, 1, i32)   // 1: num_values
	b = appendZigzag(b, int32(values))
	b = field(b, 1, i32) // 2: encoding
	b = appendZigzag(b, enc)
	b = field(b, 1, i32) // 3: definition_level_encoding
	b = appendZigzag(b, encRLE)
	b = field(b, 1, i32) // 4: repetition_level_encoding
	b = appendZigzag(b, encRLE)
	return append(b, 0, 0) // the ends of both structs
}

// appendZigzag appends a compact-protocol i32: zigzag, then varint.
func appendZigzag(b []byte, v int32) []byte {
	return binary.AppendUvarint(b, uint64(uint32(v<<1^v>>31)))
}
