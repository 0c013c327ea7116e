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
// The capture is split into batches of consecutive packets that workers
// dissect into column values in parallel; the values are encoded and
// compressed in packet order, so the output is the same whatever the
// number of workers.
package export

import (
	"errors"
	"fmt"
	"io"
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
	// the last may have fewer).
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

// File exports one capture file (path "-" for standard input) to w as one
// Parquet file and returns the number of rows written.
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
	pw := parquet.NewWriter(w, schemaOf(cols), parquet.Compression(comp),
		parquet.CreatedBy("pktkit", "", ""), parquet.MaxRowsPerRowGroup(int64(rgRows)))
	r, err := capture.Open(path)
	if err != nil {
		return 0, err
	}
	defer r.Close()

	rw := &rowGroup{rg: pw.BeginRowGroup(), max: rgRows}
	wopt := walk.Options{Progress: opt.Progress, Filter: opt.Filter, Analyses: append(opt.Analyses, ec.Analyses()...)}
	if opt.Workers <= 1 {
		// One worker: no reader goroutine, no copies of the records.
		enc := newEncoder(cols, ec)
		var g chunk
		err = walk.Reader(r, wopt, func(p *packet.Packet, rec *capture.Record) error {
			if err := enc.add(&g, p); err != nil {
				return err
			}
			if g.rows >= chunkRows {
				return rw.write(&g)
			}
			return nil
		})
		if err == nil {
			err = rw.write(&g)
		}
	} else {
		// Workers turn batches of packets into chunks of column values;
		// this goroutine encodes and compresses them in packet order.
		wopt.NoRecords = true // (the chunks are all it reads)
		err = walk.Pipeline(r, wopt, opt.Workers, func() func(p *packet.Packet, rec *capture.Record, acc *chunk) error {
			enc := newEncoder(cols, ec.Clone())
			return func(p *packet.Packet, rec *capture.Record, acc *chunk) error {
				return enc.add(acc, p)
			}
		}, func(b *walk.Batch[chunk]) error { return rw.write(&b.Acc) })
	}
	if err == nil {
		err = rw.commit()
	}
	if cerr := pw.Close(); err == nil {
		err = cerr
	}
	return rw.total, err
}

// chunk is column values of consecutive rows, made by a worker.
type chunk struct {
	vals  [][]parquet.Value // per column
	arena []byte            // bytes the byte-array values point into
	rows  int
}

// chunkRows is how many rows the single worker gathers before handing them
// to the column writers (which cut pages between calls).
const chunkRows = 1024

// rowGroup is the row group being written.
type rowGroup struct {
	rg    *parquet.ConcurrentRowGroupWriter
	rows  int // rows in rg
	max   int
	total int64 // rows committed
}

// write hands a chunk's values to the column writers, commits the row group
// when it is full, and empties the chunk.
func (w *rowGroup) write(c *chunk) error {
	if c.rows == 0 {
		return nil
	}
	cw := w.rg.ColumnWriters()
	for start := 0; start < c.rows; {
		// Row groups hold exactly max rows (but the last): a chunk may
		// straddle two.
		end := min(c.rows, start+w.max-w.rows)
		for i, v := range c.vals {
			if _, err := cw[i].WriteRowValues(v[start:end]); err != nil {
				return err
			}
		}
		w.rows += end - start
		start = end
		if w.rows >= w.max {
			if err := w.commit(); err != nil {
				return err
			}
		}
	}
	for i, v := range c.vals {
		c.vals[i] = v[:0] // the values point into the arena, reused too
	}
	c.rows = 0
	c.arena = c.arena[:0]
	return nil
}

// commit writes the row group to the file.
func (w *rowGroup) commit() error {
	if w.rows == 0 {
		return nil
	}
	n, err := w.rg.Commit()
	w.total += n
	w.rows = 0
	return err
}

// encoder turns packets into column values.
type encoder struct {
	cols  []column
	ec    *extract.Columns
	ends  []int
	nulls []parquet.Value // per column: its null
}

func newEncoder(cols []column, ec *extract.Columns) *encoder {
	e := &encoder{cols: cols, ec: ec}
	for i := range cols {
		e.nulls = append(e.nulls, parquet.NullValue().Level(0, 0, i))
	}
	return e
}

// errBadValue reports text that does not parse as its column's type (a bug).
var errBadValue = errors.New("export: field text does not parse as its column type")

func (e *encoder) add(g *chunk, p *packet.Packet) error {
	if g.vals == nil {
		g.vals = make([][]parquet.Value, len(e.cols))
		for i := range g.vals {
			g.vals[i] = make([]parquet.Value, 0, chunkRows)
		}
	}
	for i := range e.cols {
		v, ok, err := e.typed(g, p, i)
		if err != nil {
			return fmt.Errorf("packet %d, %s: %w", p.Number, e.cols[i].name, err)
		}
		if ok {
			v = v.Level(0, 1, i)
		} else {
			v = e.nulls[i]
		}
		g.vals[i] = append(g.vals[i], v)
	}
	g.rows++
	return nil
}

// typed returns column i of packet p and whether the packet has it. Byte
// arrays live in g.arena.
func (e *encoder) typed(g *chunk, p *packet.Packet, i int) (parquet.Value, bool, error) {
	c := &e.cols[i]
	switch c.frame {
	case frameNumber:
		return parquet.Int64Value(int64(p.Number)), true, nil
	case frameLen:
		return parquet.Int64Value(int64(min(max(p.OrigLen, 0), 1<<31-1))), true, nil
	case frameCapLen:
		return parquet.Int64Value(int64(len(p.Data))), true, nil
	case frameEpoch:
		return parquet.Int64Value(p.Timestamp), true, nil
	case frameRelative:
		return parquet.DoubleValue(float64(p.Timestamp-p.FirstTime) / 1e9), true, nil
	case frameDelta:
		return parquet.DoubleValue(float64(p.Timestamp-p.PrevTime) / 1e9), true, nil
	case frameProtocols:
		n0 := len(g.arena)
		g.arena = p.AppendProtocols(g.arena)
		return parquet.ByteArrayValue(g.arena[n0:len(g.arena):len(g.arena)]), true, nil
	}
	switch c.kind {
	case extract.KindUint:
		u, ok := e.ec.Uint(p, i)
		return parquet.Int64Value(int64(u)), ok, nil
	case extract.KindBool:
		u, ok := e.ec.Uint(p, i)
		return parquet.BooleanValue(u == 1), ok, nil
	}
	// The selected occurrence's text, at the end of the arena.
	n0 := len(g.arena)
	var ends []int
	g.arena, ends = e.ec.Occur(g.arena, e.ends[:0], p, i)
	e.ends = ends
	n := len(ends)
	k := -1
	switch occ := e.ec.Occurrence; {
	case occ == extract.Last:
		k = n - 1
	case occ >= 1 && occ <= n:
		k = occ - 1
	}
	if k < 0 {
		g.arena = g.arena[:n0]
		return parquet.Value{}, false, nil
	}
	s := n0
	if k > 0 {
		s = ends[k-1]
	}
	m := ends[k] - s
	if s != n0 {
		copy(g.arena[n0:], g.arena[s:ends[k]])
	}
	g.arena = g.arena[:n0+m]
	t := g.arena[n0:]
	switch c.kind {
	case extract.KindInt:
		neg := len(t) > 0 && t[0] == '-'
		if neg {
			t = t[1:]
		}
		u, ok := extract.ParseUint(t)
		g.arena = g.arena[:n0]
		if !ok {
			return parquet.Value{}, false, errBadValue
		}
		if neg {
			u = -u
		}
		return parquet.Int64Value(int64(u)), true, nil
	case extract.KindTime:
		ns, ok := parseNanos(t)
		g.arena = g.arena[:n0]
		if !ok {
			return parquet.Value{}, false, errBadValue
		}
		if c.time == 1 {
			return parquet.Int64Value(ns), true, nil
		}
		return parquet.DoubleValue(float64(ns) / 1e9), true, nil
	case extract.KindBytes:
		t = unhex(t)
		g.arena = g.arena[:n0+len(t)]
	}
	return parquet.ByteArrayValue(g.arena[n0:len(g.arena):len(g.arena)]), true, nil
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
