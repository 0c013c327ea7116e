package export_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
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
// for the sample captures, with one and two workers, and checks that the
// file opens with the schema asked for, one row per packet, in row groups
// of the size asked for, and that the two outputs hold the same rows.
func TestExportEveryField(t *testing.T) {
	var fields []string
	seen := map[string]bool{}
	for _, n := range packet.FieldNames() {
		if c := export.ColumnName(n); !seen[c] {
			seen[c] = true
			fields = append(fields, n)
		}
	}
	for _, f := range []string{"../testdata/sample.pcap", "../testdata/sample.pcapng"} {
		var outs [][]byte
		for _, j := range []int{1, 2} {
			var buf bytes.Buffer
			rows, err := export.File(f, &buf, export.Options{Fields: fields, Workers: j, RowGroupRows: 40})
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			want := countPackets(t, f)
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
			if len(pf.RowGroups()) != (want+39)/40 {
				t.Errorf("%s: %d row groups of 40 rows for %d packets", f, len(pf.RowGroups()), want)
			}
			outs = append(outs, buf.Bytes())
		}
		if a, b := readRows(t, outs[0]), readRows(t, outs[1]); a != b {
			t.Errorf("%s: rows with two workers differ from one", f)
		}
	}
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
	r, err := capture.Open(filepath.Join(dir, "arkime/tests/pcap/http-post-upload.pcap"))
	if err != nil {
		b.Skip(err)
	}
	defer r.Close()
	var recs []capture.Record
	for {
		rec, err := r.ReadRecord()
		if err != nil {
			break
		}
		recs = append(recs, rec)
	}
	out := filepath.Join(b.TempDir(), "bench.pcap")
	fh, err := os.Create(out)
	if err != nil {
		b.Fatal(err)
	}
	w, err := capture.NewPcapWriter(fh, capture.LinkType(1), 262144, false)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 4000; i++ {
		for j := range recs {
			w.WriteRecord(&recs[j])
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	fh.Close()
	return out
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

// readRows reads a Parquet file back with parquet-go and renders its row
// groups and rows as text.
func readRows(t *testing.T, b []byte) string {
	t.Helper()
	pf, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, rg := range pf.RowGroups() {
		sb.WriteString("row group\n")
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
