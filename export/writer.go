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

	pages [][]byte // per column: the pages of the open row group
	raw   []int64  // per column: their size uncompressed
	st    []bounds // per column: their statistics
	rows  int      // rows in the open row group

	meta  format.FileMetaData
	total int64 // rows in the row groups written
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
			md.Statistics.MinValue = bytes.Clone(st.lo)
			md.Statistics.MaxValue = bytes.Clone(st.hi)
		}
		rg.Columns = append(rg.Columns, format.ColumnChunk{FileOffset: fw.off, MetaData: md})
		rg.TotalByteSize += fw.raw[i]
		rg.TotalCompressedSize += int64(len(fw.pages[i]))
		if err := fw.write(fw.pages[i]); err != nil {
			return err
		}
		fw.pages[i] = fw.pages[i][:0]
		fw.raw[i] = 0
		*st = bounds{lo: st.lo[:0], hi: st.hi[:0]}
	}
	fw.meta.RowGroups = append(fw.meta.RowGroups, rg)
	fw.total += int64(fw.rows)
	fw.rows = 0
	return nil
}

// close writes the open row group and the footer: the file's metadata,
// its length and the trailing magic.
func (fw *fileWriter) close() error {
	if err := fw.flush(); err != nil {
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
