package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pktkit/export"
	"pktkit/extract"
)

// duckDump runs testdata/duckdb/dump.mjs (DuckDB through its npm package,
// an independent Parquet reader) on a file or glob and returns the column
// types and the rows (file name first, then each column as text or nil).
// It skips when node or the package is missing (npm install in
// testdata/duckdb), unless PKTKIT_REQUIRE_ORACLES=1.
func duckDump(t *testing.T, glob string) (types [][2]string, rows [][]*string) {
	t.Helper()
	out := runDuck(t, glob)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<24)
	first := true
	for sc.Scan() {
		if first {
			var ts [][]string
			if err := json.Unmarshal(sc.Bytes(), &ts); err != nil {
				t.Fatal(err)
			}
			for _, x := range ts {
				types = append(types, [2]string{x[0], x[1]})
			}
			first = false
			continue
		}
		var row []*string
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
	return types, rows
}

// runDuck runs testdata/duckdb/dump.mjs with args and returns its output;
// it skips when node or the package is missing (npm install in
// testdata/duckdb), unless PKTKIT_REQUIRE_ORACLES=1.
func runDuck(t *testing.T, args ...string) []byte {
	t.Helper()
	dir, _ := filepath.Abs("../../testdata/duckdb")
	_, nodeErr := exec.LookPath("node")
	_, modErr := os.Stat(filepath.Join(dir, "node_modules", "@duckdb", "node-api"))
	if nodeErr != nil || modErr != nil {
		if os.Getenv("PKTKIT_REQUIRE_ORACLES") == "1" {
			t.Fatal("DuckDB oracle missing: need node and `npm install` in testdata/duckdb")
		}
		t.Skip("DuckDB oracle missing (node, or npm install in testdata/duckdb)")
	}
	cmd := exec.Command("node", append([]string{filepath.Join(dir, "dump.mjs")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("duckdb %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// TestExportStatisticsWithDuckDB reads each column chunk's null count,
// minimum and maximum as DuckDB reads them from the metadata, and checks
// them against the values DuckDB reads from the same row group: integer,
// boolean and text columns, row groups of 150 rows of the sample captures
// and of conns.pcap.
func TestExportStatisticsWithDuckDB(t *testing.T) {
	fields := exportFields()
	tmp := t.TempDir()
	for _, f := range []string{"../../testdata/sample.pcap", "../../testdata/sample.pcapng", "../../testdata/conns.pcap"} {
		out := filepath.Join(tmp, filepath.Base(f)+".parquet")
		fh, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := export.File(f, fh, export.Options{Fields: fields, RowGroupRows: 150}); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		types, rows := duckDump(t, out)
		type chunkStats struct {
			rows, nulls int64
			column      string
			min, max    *string
		}
		var meta []chunkStats
		sc := bufio.NewScanner(bytes.NewReader(runDuck(t, "--stats", out)))
		for sc.Scan() {
			var row []any
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil || len(row) != 6 {
				t.Fatalf("duckdb --stats line %q: %v", sc.Text(), err)
			}
			text := func(v any) *string {
				if v == nil {
					return nil
				}
				s := fmt.Sprint(v)
				return &s
			}
			num := func(v any) int64 {
				n, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
				if err != nil {
					t.Fatalf("duckdb --stats line %q: %v", sc.Text(), err)
				}
				return n
			}
			meta = append(meta, chunkStats{rows: num(row[1]), column: fmt.Sprint(row[2]), nulls: num(row[3]), min: text(row[4]), max: text(row[5])})
		}
		if len(meta) == 0 || len(meta)%len(fields) != 0 {
			t.Fatalf("%s: %d column chunks for %d columns", f, len(meta), len(fields))
		}
		start, checked := 0, 0
		for g := 0; g < len(meta)/len(fields); g++ {
			n := meta[g*len(fields)].rows
			part := rows[start : start+int(n)]
			start += int(n)
			for j := range fields {
				m := meta[g*len(fields)+j]
				what := fmt.Sprintf("%s row group %d %s", filepath.Base(f), g, m.column)
				if m.column != types[j][0] {
					t.Fatalf("%s: metadata column %s, want %s", what, m.column, types[j][0])
				}
				typ := types[j][1]
				var less func(a, b string) bool
				switch typ {
				case "UBIGINT", "BIGINT":
					less = func(a, b string) bool {
						x, _ := strconv.ParseInt(a, 10, 64)
						y, _ := strconv.ParseInt(b, 10, 64)
						return x < y
					}
				case "VARCHAR", "BOOLEAN":
					less = func(a, b string) bool { return a < b }
				default:
					continue
				}
				var nulls int64
				var lo, hi *string
				for _, r := range part {
					v := r[j+1]
					switch {
					case v == nil:
						nulls++
					case lo == nil:
						lo, hi = v, v
					case less(*v, *lo):
						lo = v
					case less(*hi, *v):
						hi = v
					}
				}
				if m.nulls != nulls {
					t.Errorf("%s: null count %d, DuckDB reads %d nulls", what, m.nulls, nulls)
				}
				switch {
				case lo == nil && (m.min != nil || m.max != nil):
					t.Errorf("%s: bounds %v..%v for nulls only", what, deref(m.min), deref(m.max))
				case lo == nil:
				case m.min == nil || m.max == nil || *m.min != *lo || *m.max != *hi:
					t.Errorf("%s: bounds %v..%v, values %s..%s", what, deref(m.min), deref(m.max), *lo, *hi)
				default:
					checked++
				}
			}
		}
		if start != len(rows) {
			t.Errorf("%s: row groups hold %d rows, DuckDB reads %d", f, start, len(rows))
		}
		if checked < 20 {
			t.Errorf("%s: only %d column chunks with bounds checked", f, checked)
		}
	}
}

// exportFields are the default columns and a few of other kinds (flag bit,
// text from a list element, byte string, negative-capable time).
func exportFields() []string {
	return append(append([]string{}, export.DefaultFields...),
		"frame.time_delta", "tcp.flags.syn", "dns.qry.name", "dns.a", "data.data", "ip.checksum")
}

// wantType is the DuckDB type each field kind must read back as (the
// mapping documented in package export).
func wantType(k extract.Kind, field string) string {
	switch k {
	case extract.KindUint:
		return "UBIGINT"
	case extract.KindInt:
		return "BIGINT"
	case extract.KindBool:
		return "BOOLEAN"
	case extract.KindTime:
		if field == "frame.time_epoch" {
			return "TIMESTAMP WITH TIME ZONE"
		}
		return "DOUBLE"
	case extract.KindBytes:
		return "BLOB"
	}
	return "VARCHAR"
}

// cellMatches compares one DuckDB value (as text) with pktkit fields' text
// of the same field.
func cellMatches(k extract.Kind, field, duck, text string) bool {
	switch k {
	case extract.KindUint:
		u, ok := extract.ParseUint([]byte(text))
		return ok && duck == strconv.FormatUint(u, 10)
	case extract.KindBool:
		return duck == map[string]string{"1": "true", "0": "false"}[text]
	case extract.KindTime:
		neg := strings.HasPrefix(text, "-")
		sec, frac, ok := strings.Cut(strings.TrimPrefix(text, "-"), ".")
		if !ok {
			return false
		}
		s, err1 := strconv.ParseInt(sec, 10, 64)
		f, err2 := strconv.ParseInt(frac, 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		ns := s*1e9 + f
		if neg {
			ns = -ns
		}
		if field == "frame.time_epoch" {
			// DuckDB's TIMESTAMP WITH TIME ZONE holds microseconds; the
			// nanoseconds are checked by the export package's own test.
			return duck == strconv.FormatInt(ns/1000*1000, 10)
		}
		d, err := strconv.ParseFloat(duck, 64)
		return err == nil && math.Abs(d-float64(ns)/1e9) <= 1e-9*math.Max(1, math.Abs(d))
	}
	return duck == text
}

// exportCaptures are the captures the export tests read.
func exportCaptures(t *testing.T) []string {
	return withCorpus(fieldsCaptures(t),
		"tcpdump/tests/icmp6-rfc8335.pcap",
		"suricata-verify/tests/defrag/bug-6942-6887-defrag-eth-ip-gre-ppp-ip-udp-data/eth-ip-gre-ppp-max-ip-packet.pcap")
}

// TestExportReadBackWithDuckDB exports captures to Parquet, reads them back
// with DuckDB, and compares every value with what pktkit fields prints for
// the same field (first occurrence), and every column type with the
// documented mapping. It does it for one file per capture and for all of
// them as one dataset directory, with one and two workers.
func TestExportReadBackWithDuckDB(t *testing.T) {
	fields := exportFields()
	cols, err := extract.Compile(fields)
	if err != nil {
		t.Fatal(err)
	}
	files := exportCaptures(t)
	tmp := t.TempDir()
	eargs := func(args ...string) []string {
		for _, f := range fields {
			args = append(args, "-e", f)
		}
		return args
	}
	// The dataset: every capture into one directory, in order.
	ds := filepath.Join(tmp, "ds")
	if code, _, errOut := runCLI(t, eargs(append([]string{"export", "-o", ds, "-j", "2"}, files...)...)...); code != 0 {
		t.Fatalf("export dataset: exit %d: %s", code, errOut)
	}
	types, dsRows := duckDump(t, filepath.Join(ds, "*.parquet"))
	if len(types) != len(fields) {
		t.Fatalf("dataset has %d columns, want %d", len(types), len(fields))
	}
	for i, f := range fields {
		if types[i][0] != export.ColumnName(f) || types[i][1] != wantType(cols.Kind(i), f) {
			t.Errorf("column %d: %s %s, want %s %s", i, types[i][0], types[i][1], export.ColumnName(f), wantType(cols.Kind(i), f))
		}
	}
	off := 0
	for fi, f := range files {
		code, tsv, errOut := runCLI(t, eargs("fields", f, "-E", "occurrence=f")...)
		if code != 0 {
			t.Fatalf("fields %s: %s", f, errOut)
		}
		want := strings.Split(strings.TrimSuffix(tsv, "\n"), "\n")
		if tsv == "" {
			want = nil
		}
		for _, j := range []string{"1", "2"} {
			out := filepath.Join(tmp, strconv.Itoa(fi)+"-"+j+".parquet")
			if code, _, errOut := runCLI(t, eargs("export", f, "-o", out, "-j", j)...); code != 0 {
				t.Fatalf("export %s: exit %d: %s", f, code, errOut)
			}
			_, rows := duckDump(t, out)
			compareRows(t, filepath.Base(f)+" -j "+j, fields, cols, want, rows)
		}
		// With a display filter: the rows fields -Y prints.
		if fi == 0 {
			const filter = "tcp or icmp"
			code, tsv, errOut := runCLI(t, eargs("fields", f, "-E", "occurrence=f", "-Y", filter)...)
			if code != 0 || tsv == "" {
				t.Fatalf("fields -Y %s: exit %d, %d bytes: %s", f, code, len(tsv), errOut)
			}
			fwant := strings.Split(strings.TrimSuffix(tsv, "\n"), "\n")
			out := filepath.Join(tmp, "filtered.parquet")
			if code, _, errOut := runCLI(t, eargs("export", f, "-o", out, "-j", "2", "-Y", filter)...); code != 0 {
				t.Fatalf("export -Y %s: exit %d: %s", f, code, errOut)
			}
			_, rows := duckDump(t, out)
			if len(rows) >= len(want) {
				t.Errorf("export -Y kept %d of %d packets: the filter dropped nothing", len(rows), len(want))
			}
			compareRows(t, filepath.Base(f)+" -Y", fields, cols, fwant, rows)
		}
		// The same rows in the dataset, in the input order.
		if off+len(want) > len(dsRows) {
			t.Fatalf("dataset has %d rows, fewer than the inputs", len(dsRows))
		}
		part := dsRows[off : off+len(want)]
		for _, r := range part {
			if !strings.HasSuffix(*r[0], "-"+filepath.Base(f)+".parquet") {
				t.Fatalf("dataset row from %s, want %s", *r[0], f)
			}
		}
		compareRows(t, filepath.Base(f)+" in dataset", fields, cols, want, part)
		off += len(want)
	}
	if off != len(dsRows) {
		t.Errorf("dataset has %d rows, inputs %d", len(dsRows), off)
	}
	// The comparison saw values of every column.
	for j, f := range fields {
		n := 0
		for _, r := range dsRows {
			if r[j+1] != nil {
				n++
			}
		}
		if n == 0 && f != "icmpv6.code" {
			t.Errorf("no capture has a value for %s: the test compares nothing there", f)
		}
	}
}

func compareRows(t *testing.T, what string, fields []string, cols *extract.Columns, want []string, rows [][]*string) {
	t.Helper()
	if len(rows) != len(want) {
		t.Errorf("%s: DuckDB reads %d rows, pktkit fields prints %d", what, len(rows), len(want))
		return
	}
	bad := 0
	for i, line := range want {
		cells := strings.Split(line, "\t")
		for j, f := range fields {
			d := rows[i][j+1]
			switch {
			case cells[j] == "" && d == nil:
			case cells[j] == "" || d == nil:
				if cells[j] == "" && cols.Kind(j) == extract.KindText && d != nil && *d == "" {
					continue // an empty string is not a null
				}
				bad++
				if bad <= 10 {
					t.Errorf("%s row %d %s: DuckDB %v, fields %q", what, i+1, f, deref(d), cells[j])
				}
			case !cellMatches(cols.Kind(j), f, *d, cells[j]):
				bad++
				if bad <= 10 {
					t.Errorf("%s row %d %s: DuckDB %q, fields %q", what, i+1, f, *d, cells[j])
				}
			}
		}
	}
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func TestExportUsageErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.parquet")
	for _, args := range [][]string{
		{"export", sample},
		{"export", "-o", out},
		{"export", sample, "-o", out, "-e", "ip.srcc"},
		{"export", sample, "-o", out, "--format", "csv"},
		{"export", sample, "-o", out, "--occurrence", "a"},
		{"export", sample, "-o", out, "--compression", "lzma"},
		{"fields", sample, "-e", "ip.src", "--format", "xml"},
		{"fields", sample, "-e", "ip.src", "-E", "occurrence=0"},
		{"fields", sample, "-e", "ip.src", "-E", "quote=x"},
		{"fields", sample, "-e", "ip.src", "-E", "nosuch=y"},
	} {
		code, _, errOut := runCLI(t, args...)
		if code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a failed export left %s", out)
	}
}
