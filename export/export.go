// Package export writes the fields of every packet of a capture as typed
// columns in Apache Parquet, for query engines (DuckDB, Spark, ...).
//
// A file holds one row per packet and one column per field, named after the
// field with dots made underscores (ip.src → ip_src). Columns are typed from
// the field tables: integers INT64 with the UINT_64 or INT_64 logical type,
// flag bits BOOLEAN, frame.time_epoch a TIMESTAMP(NANOS) adjusted to UTC,
// frame.time_relative and frame.time_delta DOUBLE seconds, byte strings
// BYTE_ARRAY (raw bytes), addresses, names and other text STRING as tshark
// prints them. Every column is optional: a packet without the field has a
// null. A field that occurs several times in a packet (an ICMP error's
// quoted IP header, a tunnel) gives one occurrence, the first unless
// Options.Occurrence says otherwise, so every column is a scalar.
//
// The capture is split into batches of consecutive packets; workers
// dissect them in parallel, and each encodes and compresses its batch into
// a data page per column. The pages are written in packet order, so the
// rows do not depend on the number of workers (page and row-group
// boundaries do: with one worker pages hold 8,192 rows and row groups
// exactly Options.RowGroupRows; with several, a batch makes a page and a
// row group ends with the batch that fills it). Column chunks carry their
// null count, minimum and maximum, for readers that skip row groups, and
// the file has a page index (a ColumnIndex and an OffsetIndex per column
// chunk, after the last row group) for readers that skip pages.
package export

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/gzip"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/parquet-go/parquet-go/compress/uncompressed"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"pktkit/capture"
	"pktkit/extract"
	"pktkit/packet"
	"pktkit/walk"
)

// DefaultFields are the columns written when no field is named: the frame,
// Ethernet, IPv4, IPv6, TCP, UDP, ICMP and ICMPv6 core fields.
var DefaultFields = []string{
	"frame.number", "frame.time_epoch", "frame.time_relative", "frame.len", "frame.cap_len", "frame.protocols",
	"eth.src", "eth.dst", "eth.type",
	"ip.src", "ip.dst", "ip.proto", "ip.ttl", "ip.len", "ip.id", "ip.flags", "ip.frag_offset",
	"ipv6.src", "ipv6.dst", "ipv6.nxt", "ipv6.hlim", "ipv6.plen",
	"tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.flags", "tcp.window_size_value", "tcp.len",
	"udp.srcport", "udp.dstport", "udp.length",
	"icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code",
}

// Options control an export.
type Options struct {
	// Fields are the fields to write, by Wireshark name or Scapy alias
	// (DefaultFields if empty).
	Fields []string
	// Occurrence picks the occurrence of a repeated field: 0 or 1 the
	// first, extract.Last the last, n the n-th.
	Occurrence int
	// Workers dissect and encode in parallel (1 or less: one worker).
	Workers int
	// Compression is zstd (the default), snappy, gzip or none.
	Compression string
	// RowGroupRows is the number of rows in a row group (default 131072;
	// the last may have fewer). With several workers a row group ends
	// with the batch of packets that fills it (fewer than 4,096 rows
	// more).
	RowGroupRows int
	// Filter, if set, makes for each goroutine that dissects packets a test
	// (a display filter's Clone().Match); only the packets it accepts
	// become rows.
	Filter func() func(p *packet.Packet) bool
	// Analyses are what the filter's fields need run over every packet
	// (dfilter.Filter.Analyses); those the exported fields need are added.
	Analyses []*packet.Analysis
	// Progress, if set, is called now and then with bytes read and the
	// file size.
	Progress func(done, total int64)
}

// ColumnName returns the Parquet column name of a field: its name with dots
// and other characters that query languages treat specially made
// underscores.
func ColumnName(field string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, field)
}

// column is one output column.
type column struct {
	name  string
	kind  extract.Kind
	time  int // for KindTime: 1 frame.time_epoch (timestamp), 2 seconds (double)
	frame int // a frame.* field read straight from the record (frameNone if not)

	phys     int  // Parquet physical type (physInt64, ...)
	unsigned bool // physInt64 values compare unsigned (UINT_64)
}

// Frame fields read straight from the packet's record.
const (
	frameNone = iota
	frameNumber
	frameLen
	frameCapLen
	frameEpoch
	frameRelative
	frameDelta
	frameProtocols
)

var frameFields = map[string]int{
	"frame.number": frameNumber, "frame.len": frameLen, "frame.cap_len": frameCapLen,
	"frame.time_epoch": frameEpoch, "frame.time_relative": frameRelative,
	"frame.time_delta": frameDelta, "frame.protocols": frameProtocols,
}

// Schema compiles field names and returns the Parquet schema of their
// columns, in the order given.
func Schema(fields []string) (*parquet.Schema, error) {
	cols, _, err := compile(fields, 1)
	if err != nil {
		return nil, err
	}
	return schemaOf(cols), nil
}

func compile(fields []string, occurrence int) ([]column, *extract.Columns, error) {
	if len(fields) == 0 {
		fields = DefaultFields
	}
	ec, err := extract.Compile(fields)
	if err != nil {
		return nil, nil, err
	}
	if occurrence == 0 {
		occurrence = 1
	}
	ec.Occurrence = occurrence
	seen := map[string]string{}
	cols := make([]column, len(fields))
	for i, f := range fields {
		c := column{name: ColumnName(strings.TrimSpace(f)), kind: ec.Kind(i)}
		if ec.Frame(i) {
			c.frame = frameFields[ec.Ref(i).Name] // others (if any) go the text way
		}
		if prev, dup := seen[c.name]; dup {
			return nil, nil, fmt.Errorf("fields %q and %q both make column %s", prev, f, c.name)
		}
		seen[c.name] = f
		if c.kind == extract.KindTime {
			c.time = 2
			if ec.Ref(i).Name == "frame.time_epoch" {
				c.time = 1
			}
		}
		switch c.kind {
		case extract.KindUint:
			c.phys, c.unsigned = physInt64, true
		case extract.KindInt:
			c.phys = physInt64
		case extract.KindBool:
			c.phys = physBool
		case extract.KindTime:
			c.phys = physDouble
			if c.time == 1 {
				c.phys = physInt64
			}
		default:
			c.phys = physBytes
		}
		cols[i] = c
	}
	return cols, ec, nil
}

// orderedGroup is a Parquet group whose columns keep the order given
// (parquet.Group sorts them by name).
type orderedGroup struct {
	parquet.Group
	order []string
}

func (g orderedGroup) Fields() []parquet.Field {
	fs := g.Group.Fields()
	byName := make(map[string]parquet.Field, len(fs))
	for _, f := range fs {
		byName[f.Name()] = f
	}
	out := make([]parquet.Field, len(g.order))
	for i, n := range g.order {
		out[i] = byName[n]
	}
	return out
}

func (g orderedGroup) GoType() reflect.Type { return g.Group.GoType() }

func schemaOf(cols []column) *parquet.Schema {
	g := orderedGroup{Group: parquet.Group{}}
	for _, c := range cols {
		var n parquet.Node
		switch c.kind {
		case extract.KindUint:
			// Delta encoding: frame numbers, times and lengths shrink to a
			// few bits before compression.
			n = parquet.Encoded(parquet.Uint(64), &parquet.DeltaBinaryPacked)
		case extract.KindInt:
			n = parquet.Encoded(parquet.Int(64), &parquet.DeltaBinaryPacked)
		case extract.KindBool:
			n = parquet.Leaf(parquet.BooleanType)
		case extract.KindTime:
			if c.time == 1 {
				// Marked adjusted to UTC (an instant): Spark reads only this
				// nanosecond flavour (as a long, with
				// spark.sql.legacy.parquet.nanosAsLong); DuckDB reads it as
				// TIMESTAMP WITH TIME ZONE, in microseconds.
				n = parquet.Encoded(parquet.Timestamp(parquet.Nanosecond), &parquet.DeltaBinaryPacked)
			} else {
				n = parquet.Leaf(parquet.DoubleType)
			}
		case extract.KindBytes:
			n = parquet.Leaf(parquet.ByteArrayType)
		default:
			n = parquet.String()
		}
		g.Group[c.name] = parquet.Optional(n)
		g.order = append(g.order, c.name)
	}
	return parquet.NewSchema("packet", g)
}

func codec(name string) (compress.Codec, error) {
	switch name {
	case "", "zstd":
		return &zstd.Codec{Level: zstd.SpeedFastest}, nil
	case "snappy":
		return &snappy.Codec{}, nil
	case "gzip":
		return &gzip.Codec{Level: gzip.BestSpeed}, nil
	case "none":
		return &uncompressed.Codec{}, nil
	}
	return nil, fmt.Errorf("unknown compression %q (zstd, snappy, gzip, none)", name)
}

// Page bounds of the single worker, which cuts pages itself: pages of
// pageRows rows compress about as well as larger ones, and a column of long
// byte strings cuts one when its values reach pageBytes.
const (
	pageRows  = 8192
	pageBytes = 1 << 20
)

// batchBytes bounds the packet data of the batches the workers take: a
// batch makes one page per column, and compressing pages costs time per
// page as well as per byte. Batches of 1 MiB (about 3,000 packets of the
// benchmark capture) took 10% less CPU than the walk's 256 KiB spans with
// two workers, and made the file 9% smaller, as small as one worker's
// pages of 8,192 rows make it.
const batchBytes = 1 << 20

// File exports one capture file (path "-" for standard input) to w as one
// Parquet file and returns the number of rows written. If reading the
// capture fails (a *capture.Error: a damaged file), the rows before the
// damage are written as a complete file and the error is returned.
func File(path string, w io.Writer, opt Options) (int64, error) {
	cols, ec, err := compile(opt.Fields, opt.Occurrence)
	if err != nil {
		return 0, err
	}
	comp, err := codec(opt.Compression)
	if err != nil {
		return 0, err
	}
	rgRows := opt.RowGroupRows
	if rgRows <= 0 {
		rgRows = 131072
	}
	r, err := capture.Open(path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	fw, err := newFileWriter(w, cols, comp.CompressionCodec(), rgRows)
	if err != nil {
		return 0, err
	}

	wopt := walk.Options{Progress: opt.Progress, Filter: opt.Filter, Analyses: append(opt.Analyses, ec.Analyses()...)}
	if opt.Workers <= 1 {
		// One worker: no reader goroutine, no copies of the records; a
		// page is cut at pageRows rows, at the end of a row group, or
		// when a column's values reach pageBytes.
		enc := newEncoder(cols, ec, comp)
		var g chunk
		flush := func() error {
			if err := g.Finish(); err != nil {
				return err
			}
			return fw.add(&g)
		}
		err = walk.Reader(r, wopt, func(p *packet.Packet, rec *capture.Record) error {
			if err := enc.add(&g, p); err != nil {
				return err
			}
			if g.rows >= min(pageRows, fw.max-fw.rows) || enc.full {
				enc.full = false
				return flush()
			}
			return nil
		})
		if ferr := flush(); err == nil {
			err = ferr
		}
	} else {
		// Workers turn batches of packets into a page per column
		// (Finish, in the worker); this goroutine only copies the pages
		// into row groups, in packet order. A row group ends with the
		// batch that fills it.
		wopt.NoRecords = true // (the chunks are all it reads)
		wopt.BatchBytes = batchBytes
		err = walk.Pipeline(r, wopt, opt.Workers, func() func(p *packet.Packet, rec *capture.Record, acc *chunk) error {
			enc := newEncoder(cols, ec.Clone(), comp)
			return func(p *packet.Packet, rec *capture.Record, acc *chunk) error {
				return enc.add(acc, p)
			}
		}, func(b *walk.Batch[chunk]) error { return fw.add(&b.Acc) })
	}
	if cerr := fw.close(); cerr != nil {
		return fw.total, cerr // (the file is incomplete)
	}
	return fw.total, err
}

// encoder turns packets into column values, and chunks into pages.
type encoder struct {
	cols  []column
	ec    *extract.Columns
	ends  []int
	text  []byte // scratch: text parsed into numbers
	pages *pager
	full  bool // a column's values reached pageBytes
}

func newEncoder(cols []column, ec *extract.Columns, comp compress.Codec) *encoder {
	return &encoder{cols: cols, ec: ec, pages: newPager(comp)}
}

// errBadValue reports text that does not parse as its column's type (a bug).
var errBadValue = errors.New("export: field text does not parse as its column type")

func (e *encoder) add(g *chunk, p *packet.Packet) error {
	if g.cols == nil {
		g.cols = make([]colData, len(e.cols))
	}
	g.enc = e
	for i := range e.cols {
		if err := e.value(&g.cols[i], p, i); err != nil {
			// Take the row's values back out of the columns before
			// (value adds nothing when it fails): the chunk's rows
			// before it still make a consistent page.
			for j := range i {
				g.cols[j].pop(e.cols[j].phys)
			}
			return fmt.Errorf("packet %d, %s: %w", p.Number, e.cols[i].name, err)
		}
	}
	g.rows++
	return nil
}

// pop removes the last row's value (or null) from c.
func (c *colData) pop(phys int) {
	last := len(c.defs) - 1
	if last < 0 {
		return
	}
	had := c.defs[last] == 1
	c.defs = c.defs[:last]
	if !had {
		return
	}
	c.n--
	switch phys {
	case physInt64:
		c.ints = c.ints[:len(c.ints)-1]
	case physDouble:
		c.vals = c.vals[:len(c.vals)-8]
	case physBool:
		c.vals = c.vals[:len(c.vals)-1]
	default:
		c.vals = c.vals[:c.lastAt-4]
	}
}

func (c *colData) null() { c.defs = append(c.defs, 0) }

func (c *colData) int(v int64) {
	c.defs = append(c.defs, 1)
	c.ints = append(c.ints, v)
	c.n++
}

func (c *colData) double(v float64) {
	c.defs = append(c.defs, 1)
	c.vals = binary.LittleEndian.AppendUint64(c.vals, math.Float64bits(v))
	c.n++
}

func (c *colData) bool(v bool) {
	c.defs = append(c.defs, 1)
	b := byte(0)
	if v {
		b = 1
	}
	c.vals = append(c.vals, b)
	c.n++
}

// bytesFrom ends a byte-array value whose bytes start at vals[at:], after
// the room for its length.
func (c *colData) bytesFrom(at int) {
	binary.LittleEndian.PutUint32(c.vals[at-4:], uint32(len(c.vals)-at))
	c.lastAt = at
	c.defs = append(c.defs, 1)
	c.n++
}

// value adds column i of packet p (or a null) to c.
func (e *encoder) value(c *colData, p *packet.Packet, i int) error {
	col := &e.cols[i]
	switch col.frame {
	case frameNumber:
		c.int(int64(p.Number))
		return nil
	case frameLen:
		c.int(int64(min(max(p.OrigLen, 0), 1<<31-1)))
		return nil
	case frameCapLen:
		c.int(int64(len(p.Data)))
		return nil
	case frameEpoch:
		c.int(p.Timestamp)
		return nil
	case frameRelative:
		c.double(float64(p.Timestamp-p.FirstTime) / 1e9)
		return nil
	case frameDelta:
		c.double(float64(p.Timestamp-p.PrevTime) / 1e9)
		return nil
	case frameProtocols:
		c.vals = append(c.vals, 0, 0, 0, 0)
		at := len(c.vals)
		c.vals = p.AppendProtocols(c.vals)
		c.bytesFrom(at)
		return nil
	}
	switch col.kind {
	case extract.KindUint:
		if u, ok := e.ec.Uint(p, i); ok {
			c.int(int64(u))
		} else {
			c.null()
		}
		return nil
	case extract.KindBool:
		if u, ok := e.ec.Uint(p, i); ok {
			c.bool(u == 1)
		} else {
			c.null()
		}
		return nil
	case extract.KindInt, extract.KindTime:
		t, ok := e.occurrence(e.text[:0], p, i)
		e.text = t
		if !ok {
			c.null()
			return nil
		}
		if col.kind == extract.KindInt {
			neg := len(t) > 0 && t[0] == '-'
			if neg {
				t = t[1:]
			}
			u, ok := extract.ParseUint(t)
			if !ok {
				return errBadValue
			}
			if neg {
				u = -u
			}
			c.int(int64(u))
			return nil
		}
		ns, ok := parseNanos(t)
		if !ok {
			return errBadValue
		}
		if col.time == 1 {
			c.int(ns)
		} else {
			c.double(float64(ns) / 1e9)
		}
		return nil
	}
	// Text and bytes: the selected occurrence's text, straight into the
	// values after room for its length.
	c.vals = append(c.vals, 0, 0, 0, 0)
	at := len(c.vals)
	v, ok := e.occurrence(c.vals, p, i)
	if !ok {
		c.vals = c.vals[:at-4]
		c.null()
		return nil
	}
	if col.kind == extract.KindBytes {
		v = v[:at+len(unhex(v[at:]))]
	}
	c.vals = v
	c.bytesFrom(at)
	if len(c.vals) >= pageBytes {
		e.full = true
	}
	return nil
}

// occurrence appends the text of column i's selected occurrence in p to
// buf; ok is false (and buf as it was) if p has none.
func (e *encoder) occurrence(buf []byte, p *packet.Packet, i int) ([]byte, bool) {
	n0 := len(buf)
	buf, e.ends = e.ec.Occur(buf, e.ends[:0], p, i)
	ends := e.ends
	n := len(ends)
	k := -1
	switch occ := e.ec.Occurrence; {
	case occ == extract.Last:
		k = n - 1
	case occ >= 1 && occ <= n:
		k = occ - 1
	}
	if k < 0 {
		return buf[:n0], false
	}
	s := n0
	if k > 0 {
		s = ends[k-1]
	}
	m := ends[k] - s
	if s != n0 {
		copy(buf[n0:], buf[s:ends[k]])
	}
	return buf[:n0+m], true
}

// parseNanos reads seconds with nine decimals ("-12.000000500") as
// nanoseconds.
func parseNanos(t []byte) (int64, bool) {
	neg := len(t) > 0 && t[0] == '-'
	if neg {
		t = t[1:]
	}
	dot := -1
	for i, b := range t {
		if b == '.' {
			dot = i
			break
		}
	}
	if dot < 0 || len(t)-dot-1 != 9 {
		return 0, false
	}
	sec, ok := extract.ParseUint(t[:dot])
	frac, ok2 := extract.ParseUint(t[dot+1:])
	if !ok || !ok2 || sec > (1<<63-1)/1_000_000_000-1 {
		return 0, false
	}
	ns := int64(sec)*1e9 + int64(frac)
	if neg {
		ns = -ns
	}
	return ns, true
}

// unhex decodes plain lowercase hex in place (the text is scratch).
func unhex(t []byte) []byte {
	n := len(t) / 2
	for i := 0; i < n; i++ {
		t[i] = nib(t[2*i])<<4 | nib(t[2*i+1])
	}
	return t[:n]
}

func nib(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return 0
}
