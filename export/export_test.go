package export_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"pktkit/capture"
	"pktkit/export"
	"pktkit/packet"
)

func countPackets(t testing.TB, path string) int {
	r, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	var rec capture.Record
	for r.Next(&rec) == nil {
		n++
	}
	return n
}

// TestExportEveryField writes every registered Wireshark field as a column
// for the sample captures and for one of them repeated into a file of
// several spans (so that two workers share it), with one and two workers,
// and checks that the file opens with the schema asked for, one row per
// packet, in row groups of the size asked for (with two workers a row
// group ends with the batch that fills it), and that the two outputs hold
// the same rows.
func TestExportEveryField(t *testing.T) {
	var fields []string
	seen := map[string]bool{}
	for _, n := range packet.FieldNames() {
		if c := export.ColumnName(n); !seen[c] {
			seen[c] = true
			fields = append(fields, n)
		}
	}
	// (A file of 1 MiB or more is mapped and split into spans; this one,
	// 3.6 MiB, makes a few batches of export's 1 MiB. It gets the default
	// columns, which are quicker.)
	big := repeated(t, "../testdata/sample.pcap", 200)
	for _, f := range []string{"../testdata/sample.pcap", "../testdata/sample.pcapng", big} {
		var outs [][]byte
		want := countPackets(t, f)
		const groupRows = 40
		fields := fields
		if f == big {
			fields = export.DefaultFields
		}
		for _, j := range []int{1, 2} {
			var buf bytes.Buffer
			rows, err := export.File(f, &buf, export.Options{Fields: fields, Workers: j, RowGroupRows: groupRows})
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if rows != int64(want) {
				t.Errorf("%s: %d rows written for %d packets", f, rows, want)
			}
			pf, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatalf("%s: written file does not open: %v", f, err)
			}
			if pf.NumRows() != int64(want) {
				t.Errorf("%s: file says %d rows, want %d", f, pf.NumRows(), want)
			}
			if got := len(pf.Schema().Columns()); got != len(fields) {
				t.Errorf("%s: %d columns, want %d", f, got, len(fields))
			}
			for i, c := range pf.Schema().Fields() {
				if c.Name() != export.ColumnName(fields[i]) {
					t.Fatalf("column %d is %s, want %s", i, c.Name(), export.ColumnName(fields[i]))
				}
			}
			groups := pf.RowGroups()
			if j == 1 && len(groups) != (want+groupRows-1)/groupRows {
				t.Errorf("%s: %d row groups of %d rows for %d packets", f, len(groups), groupRows, want)
			}
			if f == big && len(groups) < 3 {
				t.Errorf("%s -j %d: %d row groups of %d or more rows for %d packets", f, j, len(groups), groupRows, want)
			}
			for k, g := range groups {
				n := int(g.NumRows())
				switch {
				case k < len(groups)-1 && n < groupRows, j == 1 && n > groupRows:
					t.Errorf("%s -j %d: row group %d has %d rows, for %d asked", f, j, k, n, groupRows)
				}
			}
			outs = append(outs, buf.Bytes())
		}
		if a, b := readRows(t, outs[0]), readRows(t, outs[1]); a != b {
			t.Errorf("%s: rows with two workers differ from one", f)
		}
	}
}

// repeated writes the records of a capture n times over into a pcap in a
// temporary directory.
func repeated(t testing.TB, path string, n int) string {
	return joined(t, part{path, n})
}

// part is a capture's records repeated n times.
type part struct {
	path string
	n    int
}

// joined writes parts one after the other into a pcap in a temporary
// directory (their link type is the first's).
func joined(t testing.TB, parts ...part) string {
	out := filepath.Join(t.TempDir(), "joined.pcap")
	fh, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var w *capture.PcapWriter
	for _, pt := range parts {
		r, err := capture.Open(pt.path)
		if err != nil {
			t.Fatal(err)
		}
		var recs []capture.Record
		for {
			rec, err := r.ReadRecord()
			if err != nil {
				break
			}
			recs = append(recs, rec)
		}
		r.Close()
		if w == nil {
			if w, err = capture.NewPcapWriter(fh, recs[0].LinkType, 262144, false); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < pt.n; i++ {
			for j := range recs {
				if err := w.WriteRecord(&recs[j]); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExportFilterAndOptions(t *testing.T) {
	f := "../testdata/sample.pcap"
	var buf bytes.Buffer
	rows, err := export.File(f, &buf, export.Options{
		Filter:      func() func(*packet.Packet) bool { return func(p *packet.Packet) bool { return p.Number%3 == 0 } },
		Compression: "snappy", Workers: 2, RowGroupRows: 5,
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := countPackets(t, f) / 3; rows != int64(want) {
		t.Errorf("filter kept %d rows, want %d", rows, want)
	}
	if _, err := export.File(f, io.Discard, export.Options{Compression: "lzma"}); err == nil {
		t.Error("unknown compression accepted")
	}
	if _, err := export.File(f, io.Discard, export.Options{Fields: []string{"ip.src", "ip_src"}}); err == nil || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("unknown field: %v", err)
	}
	if _, err := export.File(f, io.Discard, export.Options{Fields: []string{"ip.src", "IP.src"}}); err != nil {
		t.Errorf("a field under two names: %v", err)
	}
}

// BenchmarkExport exports a capture of real packets (a corpus capture
// repeated) with the default columns and with seven; one op is one export
// of the file, rows/s the throughput on one worker (the reader and the
// writer run beside it).
func BenchmarkExport(b *testing.B) {
	for _, set := range []struct {
		name   string
		fields []string
	}{{"default", nil}, {"seven", []string{"frame.number", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport"}}} {
		b.Run(set.name, func(b *testing.B) {
			path := benchFile(b)
			b.ReportAllocs()
			b.ResetTimer()
			done := 0
			for i := 0; i < b.N; i++ {
				rows, err := export.File(path, io.Discard, export.Options{Fields: set.fields, Workers: 1})
				if err != nil {
					b.Fatal(err)
				}
				done += int(rows)
			}
			b.ReportMetric(float64(done)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// benchFile writes a corpus capture repeated into a temporary pcap.
func benchFile(b *testing.B) string {
	dir := os.Getenv("PKTKIT_CORPUS")
	if dir == "" {
		b.Skip("PKTKIT_CORPUS is not set")
	}
	return repeated(b, filepath.Join(dir, "arkime/tests/pcap/http-post-upload.pcap"), 4000)
}

// TestExportTimestampNanos reads frame_time_epoch back (with parquet-go's
// reader) and finds every record's time stamp to the nanosecond, with the
// TIMESTAMP(NANOS) type adjusted to UTC.
func TestExportTimestampNanos(t *testing.T) {
	f := "../testdata/sample.pcapng"
	var buf bytes.Buffer
	if _, err := export.File(f, &buf, export.Options{Fields: []string{"frame.time_epoch", "frame.number"}}); err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	col := pf.Schema().Fields()[0]
	lt := col.Type().LogicalType()
	ts, ok := lt.Value.(*format.TimestampType)
	if !ok {
		t.Fatalf("frame_time_epoch logical type %v, want TIMESTAMP(NANOS, UTC)", lt)
	}
	if _, nanos := ts.Unit.Value.(*format.NanoSeconds); !nanos || !ts.IsAdjustedToUTC {
		t.Fatalf("frame_time_epoch logical type %v, want TIMESTAMP(NANOS, UTC)", lt)
	}
	var want []int64
	r, err := capture.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rec capture.Record
	for r.Next(&rec) == nil {
		want = append(want, rec.Timestamp)
	}
	var got []int64
	for _, rg := range pf.RowGroups() {
		rows := rg.Rows()
		batch := make([]parquet.Row, 64)
		for {
			n, err := rows.ReadRows(batch)
			for _, row := range batch[:n] {
				got = append(got, row[0].Int64())
			}
			if err != nil {
				break
			}
		}
		rows.Close()
	}
	if len(got) != len(want) {
		t.Fatalf("%d time stamps read back, %d records", len(got), len(want))
	}
	nonMicro := false
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("row %d: %d, record %d", i+1, got[i], want[i])
		}
		nonMicro = nonMicro || want[i]%1000 != 0
	}
	if !nonMicro {
		t.Error("the sample has no sub-microsecond time stamps: the test shows nothing")
	}
}

// readRows reads a Parquet file back with parquet-go and renders its rows
// as text.
func readRows(t *testing.T, b []byte) string {
	t.Helper()
	pf, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, rg := range pf.RowGroups() {
		rows := rg.Rows()
		batch := make([]parquet.Row, 16)
		for {
			n, err := rows.ReadRows(batch)
			for _, row := range batch[:n] {
				for _, v := range row {
					sb.WriteString(v.String())
					sb.WriteByte('|')
				}
				sb.WriteByte('\n')
			}
			if err != nil {
				break
			}
		}
		rows.Close()
	}
	return sb.String()
}

// TestExportStatistics checks every column chunk's statistics (null count,
// minimum and maximum in the column's sort order) against the values read
// back, for the default columns and a boolean, a signed and a byte-string
// column, with one and two workers (signed values come from a corpus
// capture of radiotap headers, when PKTKIT_CORPUS is set).
func TestExportStatistics(t *testing.T) {
	fields := append(append([]string{}, export.DefaultFields...), "tcp.flags.syn", "frame.time_delta", "radiotap.dbm_antsignal", "data.data", "arp.src.hw", "ip.checksum")
	// Segments of different addresses and sizes, each longer than a page:
	// pages whose bounds go up and down (mapped: batches of 1 MiB).
	big := joined(t, part{"../testdata/sample.pcap", 80}, part{"../testdata/conns.pcap", 30}, part{"../testdata/sample.pcap", 80})
	files := []string{"../testdata/sample.pcap", "../testdata/conns.pcap", big}
	if dir := os.Getenv("PKTKIT_CORPUS"); dir != "" {
		files = append(files, filepath.Join(dir, "arkime/tests/pcap/80211http.pcap"))
	}
	for _, f := range files {
		for _, j := range []int{1, 2} {
			var buf bytes.Buffer
			groupRows := 50
			if f == big {
				groupRows = 40000 // several pages per column chunk
			}
			if _, err := export.File(f, &buf, export.Options{Fields: fields, Workers: j, RowGroupRows: groupRows}); err != nil {
				t.Fatal(err)
			}
			pf, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			leaves := pf.Schema().Fields()
			bounded, longs := 0, 0
			multiPage, ascending := 0, 0
			for gi, rg := range pf.Metadata().RowGroups {
				vals := make([][]parquet.Value, len(leaves))
				rows := pf.RowGroups()[gi].Rows()
				batch := make([]parquet.Row, 64)
				for {
					n, err := rows.ReadRows(batch)
					for _, row := range batch[:n] {
						for _, v := range row {
							vals[v.Column()] = append(vals[v.Column()], v.Clone())
						}
					}
					if err != nil {
						break
					}
				}
				rows.Close()
				for ci, cc := range rg.Columns {
					what := fmt.Sprintf("%s -j %d row group %d %s", filepath.Base(f), j, gi, leaves[ci].Name())
					st := cc.MetaData.Statistics
					typ := leaves[ci].Type()
					nulls, lo, hi := valueBounds(typ, vals[ci])
					checkPageIndex(t, what, buf.Bytes(), pf, gi, ci, typ, vals[ci], &multiPage, &ascending)
					if int64(len(vals[ci])) != cc.MetaData.NumValues {
						t.Errorf("%s: %d values read, metadata says %d", what, len(vals[ci]), cc.MetaData.NumValues)
					}
					if st.NullCount != nulls {
						t.Errorf("%s: null count %d, %d nulls read", what, st.NullCount, nulls)
					}
					if lo.IsNull() {
						if st.MinValue != nil || st.MaxValue != nil {
							t.Errorf("%s: bounds for a column of nulls", what)
						}
						continue
					}
					long := typ.Kind() == parquet.ByteArray && (len(lo.ByteArray()) > 256 || len(hi.ByteArray()) > 256)
					if (st.MinValue == nil) != long {
						t.Errorf("%s: bounds %q..%q for values %v..%v (none past 256 bytes)", what, st.MinValue, st.MaxValue, lo, hi)
						continue
					}
					if long {
						longs++
						continue
					}
					bounded++
					gotLo, gotHi := typ.Kind().Value(st.MinValue), typ.Kind().Value(st.MaxValue)
					if typ.Compare(gotLo, lo) != 0 || typ.Compare(gotHi, hi) != 0 {
						t.Errorf("%s: bounds %v..%v, values %v..%v", what, gotLo, gotHi, lo, hi)
					}
				}
			}
			if bounded < 15 {
				t.Errorf("%s -j %d: only %d column chunks with bounds", f, j, bounded)
			}
			if f == files[1] && longs == 0 {
				t.Errorf("%s -j %d: no column chunk with values too long for bounds: the test shows nothing there", f, j)
			}
			if f == big && (multiPage == 0 || ascending == 0) {
				t.Errorf("%s -j %d: %d column chunks of several pages, %d ascending: the page index test shows little", f, j, multiPage, ascending)
			}
		}
	}
}

// valueBounds returns the nulls, minimum and maximum of values of typ.
func valueBounds(typ parquet.Type, vals []parquet.Value) (nulls int64, lo, hi parquet.Value) {
	for _, v := range vals {
		switch {
		case v.IsNull():
			nulls++
		case lo.IsNull() || typ.Compare(v, lo) < 0:
			lo = v
			if hi.IsNull() {
				hi = v
			}
		case typ.Compare(v, hi) > 0:
			hi = v
		}
	}
	return nulls, lo, hi
}

// checkPageIndex checks the page index of column chunk (g, c) of file
// data: the OffsetIndex's pages tile the chunk, each starts with a page
// header whose sizes and value count agree, and the ColumnIndex's null
// pages, null counts, minima, maxima and boundary order agree with the
// values of each page's rows (vals, the chunk's values read back).
func checkPageIndex(t *testing.T, what string, data []byte, pf *parquet.File, g, c int, typ parquet.Type, vals []parquet.Value, multiPage, ascending *int) {
	t.Helper()
	cc := pf.Metadata().RowGroups[g].Columns[c]
	n := len(pf.Metadata().RowGroups[g].Columns)
	cis, ois := pf.ColumnIndexes(), pf.OffsetIndexes()
	if len(cis) != len(pf.Metadata().RowGroups)*n || len(ois) != len(cis) {
		t.Fatalf("%s: %d column indexes and %d offset indexes", what, len(cis), len(ois))
	}
	ci, oi := cis[g*n+c], ois[g*n+c]
	locs := oi.PageLocations
	if len(locs) == 0 || len(ci.NullPages) != len(locs) || len(ci.MinValues) != len(locs) || len(ci.MaxValues) != len(locs) || len(ci.NullCounts) != len(locs) {
		t.Fatalf("%s: %d page locations, column index of %d/%d/%d/%d", what, len(locs), len(ci.NullPages), len(ci.MinValues), len(ci.MaxValues), len(ci.NullCounts))
	}
	if len(locs) > 1 {
		*multiPage++
	}
	at := cc.MetaData.DataPageOffset
	for k, loc := range locs {
		end := int64(len(vals))
		if k+1 < len(locs) {
			end = locs[k+1].FirstRowIndex
		}
		if loc.Offset != at || (k == 0) != (loc.FirstRowIndex == 0) || end <= loc.FirstRowIndex {
			t.Fatalf("%s page %d: at %d (want %d), rows %d..%d", what, k, loc.Offset, at, loc.FirstRowIndex, end)
		}
		at += int64(loc.CompressedPageSize)
		var h format.PageHeader
		page := data[loc.Offset : loc.Offset+int64(loc.CompressedPageSize)]
		rd := new(thrift.CompactProtocol).NewReaderFromBytes(page)
		if err := thrift.NewDecoder(rd).Decode(&h); err != nil {
			t.Fatalf("%s page %d: header: %v", what, k, err)
		}
		hlen := rd.BytesRead()
		if hlen+int(h.CompressedPageSize) != len(page) || !h.DataPageHeader.Valid || int64(h.DataPageHeader.V.NumValues) != end-loc.FirstRowIndex {
			t.Errorf("%s page %d: header of %d bytes, %d values for rows %d..%d", what, k, hlen, h.DataPageHeader.V.NumValues, loc.FirstRowIndex, end)
		}
		nulls, lo, hi := valueBounds(typ, vals[loc.FirstRowIndex:end])
		null := nulls == end-loc.FirstRowIndex
		if ci.NullCounts[k] != nulls || ci.NullPages[k] != null {
			t.Errorf("%s page %d: column index says %d nulls (null page %v), %d read", what, k, ci.NullCounts[k], ci.NullPages[k], nulls)
		}
		if null {
			continue
		}
		gotLo, gotHi := typ.Kind().Value(ci.MinValues[k]), typ.Kind().Value(ci.MaxValues[k])
		if typ.Compare(gotLo, lo) != 0 || typ.Compare(gotHi, hi) != 0 {
			t.Errorf("%s page %d: column index bounds %v..%v, values %v..%v", what, k, gotLo, gotHi, lo, hi)
		}
	}
	if at != cc.MetaData.DataPageOffset+cc.MetaData.TotalCompressedSize {
		t.Errorf("%s: pages end at %d, the chunk at %d", what, at, cc.MetaData.DataPageOffset+cc.MetaData.TotalCompressedSize)
	}
	// The boundary order, if claimed, holds.
	if ci.BoundaryOrder != format.Unordered {
		var plo, phi parquet.Value
		for k := range locs {
			if ci.NullPages[k] {
				continue
			}
			lo, hi := typ.Kind().Value(ci.MinValues[k]), typ.Kind().Value(ci.MaxValues[k])
			if !plo.IsNull() {
				d := 1
				if ci.BoundaryOrder == format.Descending {
					d = -1
				}
				if d*typ.Compare(lo, plo) < 0 || d*typ.Compare(hi, phi) < 0 {
					t.Errorf("%s: boundary order %v, but page %d is out of it", what, ci.BoundaryOrder, k)
				}
			}
			plo, phi = lo, hi
		}
	}
	if strings.HasPrefix(what[strings.LastIndex(what, " ")+1:], "frame_number") && len(locs) > 1 {
		if ci.BoundaryOrder != format.Ascending {
			t.Errorf("%s: frame numbers' pages in boundary order %v", what, ci.BoundaryOrder)
		}
		*ascending++
	}
}

// TestExportDamagedAndEmpty: a capture cut short gives a complete file of
// the packets before the cut and the reader's error; a filter that takes
// nothing gives a valid file of no rows.
func TestExportDamagedAndEmpty(t *testing.T) {
	data, err := os.ReadFile("../testdata/sample.pcap")
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.pcap")
	if err := os.WriteFile(cut, data[:10000], 0o644); err != nil {
		t.Fatal(err)
	}
	readable := countPackets(t, cut)
	if readable == 0 || readable >= countPackets(t, "../testdata/sample.pcap") {
		t.Fatalf("the cut capture has %d readable packets", readable)
	}
	for _, j := range []int{1, 2} {
		var buf bytes.Buffer
		rows, err := export.File(cut, &buf, export.Options{Workers: j})
		var ce *capture.Error
		if !errors.As(err, &ce) {
			t.Fatalf("-j %d: error %v, want the capture's", j, err)
		}
		pf, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("-j %d: the file of the packets before the cut does not open: %v", j, err)
		}
		if rows != int64(readable) || pf.NumRows() != int64(readable) {
			t.Errorf("-j %d: %d rows written, file has %d, %d packets readable", j, rows, pf.NumRows(), readable)
		}

		buf.Reset()
		none := func() func(*packet.Packet) bool { return func(*packet.Packet) bool { return false } }
		rows, err = export.File("../testdata/sample.pcap", &buf, export.Options{Workers: j, Filter: none})
		if err != nil || rows != 0 {
			t.Fatalf("-j %d: filter taking nothing: %d rows, %v", j, rows, err)
		}
		pf, err = parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil || pf.NumRows() != 0 || len(pf.Schema().Fields()) != len(export.DefaultFields) {
			t.Errorf("-j %d: file of no rows: %v", j, err)
		}
	}
}
