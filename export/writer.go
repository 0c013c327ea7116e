package export

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// fileWriter writes a Parquet file from finished chunks, in order: it
// gathers their pages column by column into the open row group and writes
// the row group when it holds enough rows. Encoding and compression are
// done (by the workers); what is left here is copying bytes.
type fileWriter struct {
	w     io.Writer
	off   int64 // bytes written
	cols  []column
	codec format.CompressionCodec
	max   int // rows after which the open row group is written

	pages [][]byte      // per column: the pages of the open row group
	raw   []int64       // per column: their size uncompressed
	st    []bounds      // per column: their statistics
	index [][]pageEntry // per column: where each page is, and its bounds
	bnd   [][]byte      // per column: the bytes of the pages' bounds
	rows  int           // rows in the open row group

	meta  format.FileMetaData
	total int64 // rows in the row groups written

	// The page index (a ColumnIndex and an OffsetIndex per column chunk),
	// written after the last row group: the column chunks' offsets into
	// these buffers, made absolute when the buffers are written.
	colIndex, offIndex []byte
}

// pageEntry is a page of the open row group, for the page index.
type pageEntry struct {
	at, size      int   // where the page (header included) starts in the chunk, and its size
	first         int64 // its first row in the row group
	nulls         int64
	has           bool // lo and hi hold its bounds
	lo0, lo1, hi1 int  // its bounds in bnd: lo0:lo1 and lo1:hi1
}

const magic = "PAR1"

// newFileWriter writes the file's leading magic. The schema's elements and
// column orders are those parquet-go writes for schemaOf(cols): the file
// declares its types as parquet.Schema and Schema do.
func newFileWriter(w io.Writer, cols []column, codec format.CompressionCodec, maxRows int) (*fileWriter, error) {
	var buf bytes.Buffer
	pw := parquet.NewWriter(&buf, schemaOf(cols), parquet.CreatedBy("pktkit", "", ""))
	if err := pw.Close(); err != nil {
		return nil, err
	}
	pf, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		return nil, err
	}
	fw := &fileWriter{w: w, cols: cols, codec: codec, max: maxRows, meta: *pf.Metadata()}
	fw.meta.RowGroups = nil
	fw.meta.NumRows = 0
	if len(fw.meta.Schema) != len(cols)+1 || len(fw.meta.ColumnOrders) != len(cols) {
		return nil, fmt.Errorf("export: schema of %d columns has %d elements and %d orders", len(cols), len(fw.meta.Schema), len(fw.meta.ColumnOrders))
	}
	fw.pages = make([][]byte, len(cols))
	fw.raw = make([]int64, len(cols))
	fw.st = make([]bounds, len(cols))
	fw.index = make([][]pageEntry, len(cols))
	fw.bnd = make([][]byte, len(cols))
	return fw, fw.write([]byte(magic))
}

func (fw *fileWriter) write(b []byte) error {
	n, err := fw.w.Write(b)
	fw.off += int64(n)
	return err
}

// add appends a finished chunk's pages to the open row group, writes the
// row group if it is full, and empties the chunk.
func (fw *fileWriter) add(g *chunk) error {
	if g.rows == 0 {
		return nil
	}
	for i := range g.cols {
		c := &g.cols[i]
		e := pageEntry{at: len(fw.pages[i]), size: len(c.page), first: int64(fw.rows), nulls: c.st.nulls, has: c.st.has}
		if e.has {
			e.lo0 = len(fw.bnd[i])
			fw.bnd[i] = append(fw.bnd[i], c.st.lo...)
			e.lo1 = len(fw.bnd[i])
			fw.bnd[i] = append(fw.bnd[i], c.st.hi...)
			e.hi1 = len(fw.bnd[i])
		}
		fw.index[i] = append(fw.index[i], e)
		fw.pages[i] = append(fw.pages[i], c.page...)
		fw.raw[i] += int64(c.raw)
		fw.st[i].merge(&c.st, &fw.cols[i])
	}
	fw.rows += g.rows
	g.reset()
	if fw.rows >= fw.max {
		return fw.flush()
	}
	return nil
}

// flush writes the open row group.
func (fw *fileWriter) flush() error {
	if fw.rows == 0 {
		return nil
	}
	rg := format.RowGroup{NumRows: int64(fw.rows), FileOffset: fw.off}
	if n := len(fw.meta.RowGroups); n <= math.MaxInt16 {
		rg.Ordinal = int16(n) // (past 32,767 row groups, 4 G rows, none)
	}
	for i := range fw.cols {
		col := &fw.cols[i]
		st := &fw.st[i]
		md := format.ColumnMetaData{
			Type:                  format.Type(col.phys),
			Encoding:              []format.Encoding{format.RLE, format.Plain},
			PathInSchema:          []string{col.name},
			Codec:                 fw.codec,
			NumValues:             int64(fw.rows),
			TotalUncompressedSize: fw.raw[i],
			TotalCompressedSize:   int64(len(fw.pages[i])),
			DataPageOffset:        fw.off,
			Statistics:            format.Statistics{NullCount: st.nulls},
		}
		if col.phys == physInt64 {
			md.Encoding[1] = format.DeltaBinaryPacked
		}
		if st.has && len(st.lo) <= maxBound && len(st.hi) <= maxBound {
			// (Never nil: an empty minimum is a value, and nil would
			// leave the field out.)
			md.Statistics.MinValue = append([]byte{}, st.lo...)
			md.Statistics.MaxValue = append([]byte{}, st.hi...)
		}
		cc := format.ColumnChunk{FileOffset: fw.off, MetaData: md}
		if err := fw.pageIndex(&cc, i); err != nil {
			return err
		}
		rg.Columns = append(rg.Columns, cc)
		rg.TotalByteSize += fw.raw[i]
		rg.TotalCompressedSize += int64(len(fw.pages[i]))
		if err := fw.write(fw.pages[i]); err != nil {
			return err
		}
		fw.pages[i] = fw.pages[i][:0]
		fw.index[i] = fw.index[i][:0]
		fw.bnd[i] = fw.bnd[i][:0]
		fw.raw[i] = 0
		*st = bounds{lo: st.lo[:0], hi: st.hi[:0]}
	}
	fw.meta.RowGroups = append(fw.meta.RowGroups, rg)
	fw.total += int64(fw.rows)
	fw.rows = 0
	return nil
}

// pageIndex appends the ColumnIndex and OffsetIndex of column i's chunk,
// about to be written at fw.off, to the page index, and sets the chunk's
// offsets into it (relative until close). Pages without bounds are pages
// of nulls (null_pages; empty bounds) or, in a DOUBLE column, of NaNs
// (bounds of -Inf and +Inf, which no filter skips wrongly).
func (fw *fileWriter) pageIndex(cc *format.ColumnChunk, i int) error {
	col := &fw.cols[i]
	var ci format.ColumnIndex
	var oi format.OffsetIndex
	asc, desc := true, true
	var plo, phi []byte // the previous page with bounds
	for k, e := range fw.index[i] {
		rows := int64(fw.rows) - e.first
		if k+1 < len(fw.index[i]) {
			rows = fw.index[i][k+1].first - e.first
		}
		oi.PageLocations = append(oi.PageLocations, format.PageLocation{Offset: fw.off + int64(e.at), CompressedPageSize: int32(e.size), FirstRowIndex: e.first})
		null := e.nulls == rows
		lo, hi := []byte{}, []byte{}
		switch {
		case e.has:
			lo, hi = fw.bnd[i][e.lo0:e.lo1], fw.bnd[i][e.lo1:e.hi1]
		case !null:
			lo = binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.Inf(-1)))
			hi = binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.Inf(1)))
		}
		if !null {
			if plo != nil {
				asc = asc && !col.less(lo, plo) && !col.less(hi, phi)
				desc = desc && !col.less(plo, lo) && !col.less(phi, hi)
			}
			plo, phi = lo, hi
		}
		ci.NullPages = append(ci.NullPages, null)
		ci.NullCounts = append(ci.NullCounts, e.nulls)
		ci.MinValues = append(ci.MinValues, lo)
		ci.MaxValues = append(ci.MaxValues, hi)
	}
	switch {
	case asc:
		ci.BoundaryOrder = format.Ascending
	case desc:
		ci.BoundaryOrder = format.Descending
	}
	b, err := thrift.Marshal(new(thrift.CompactProtocol), &ci)
	if err != nil {
		return err
	}
	cc.ColumnIndexOffset, cc.ColumnIndexLength = int64(len(fw.colIndex)), int32(len(b))
	fw.colIndex = append(fw.colIndex, b...)
	if b, err = thrift.Marshal(new(thrift.CompactProtocol), &oi); err != nil {
		return err
	}
	cc.OffsetIndexOffset, cc.OffsetIndexLength = int64(len(fw.offIndex)), int32(len(b))
	fw.offIndex = append(fw.offIndex, b...)
	return nil
}

// close writes the open row group, the page index and the footer: the
// file's metadata, its length and the trailing magic.
func (fw *fileWriter) close() error {
	if err := fw.flush(); err != nil {
		return err
	}
	// The page index: every ColumnIndex, then every OffsetIndex, in row
	// group and column order (as readers that read it in one piece expect).
	ciBase := fw.off
	oiBase := ciBase + int64(len(fw.colIndex))
	for g := range fw.meta.RowGroups {
		for c := range fw.meta.RowGroups[g].Columns {
			cc := &fw.meta.RowGroups[g].Columns[c]
			cc.ColumnIndexOffset += ciBase
			cc.OffsetIndexOffset += oiBase
		}
	}
	if err := fw.write(fw.colIndex); err != nil {
		return err
	}
	if err := fw.write(fw.offIndex); err != nil {
		return err
	}
	fw.meta.NumRows = fw.total
	b, err := thrift.Marshal(new(thrift.CompactProtocol), &fw.meta)
	if err != nil {
		return err
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(b)))
	return fw.write(append(b, magic...))
}
