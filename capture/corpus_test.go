package capture

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// corpusDir returns the corpus directory named by PKTKIT_CORPUS, skipping
// the test if it is unset (failing instead when PKTKIT_REQUIRE_ORACLES=1).
func corpusDir(t testing.TB) string {
	dir := os.Getenv("PKTKIT_CORPUS")
	if dir == "" {
		if os.Getenv("PKTKIT_REQUIRE_ORACLES") == "1" {
			t.Fatal("PKTKIT_CORPUS is not set but PKTKIT_REQUIRE_ORACLES=1")
		}
		t.Skip("PKTKIT_CORPUS not set")
	}
	return dir
}

type corpusRow struct {
	path, format, linktypes, packets string
}

func readIndex(t testing.TB, dir string) []corpusRow {
	f, err := os.Open(filepath.Join(dir, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []corpusRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	header := true
	for sc.Scan() {
		if header {
			header = false
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 6 {
			t.Fatalf("INDEX.tsv: short line %q", sc.Text())
		}
		rows = append(rows, corpusRow{path: cols[0], format: cols[3], linktypes: cols[4], packets: cols[5]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// corpusExpectation is a row of testdata/corpus_expect.tsv: for files that
// Wireshark's capinfos (4.0) reads only partly, or not at all, how many
// packets come before the error and which kind of error it is. INDEX.tsv's
// packet column counts these files differently (it counts a final packet
// cut short, and packets after a broken header), so capinfos decides here.
type corpusExpectation struct {
	packets int
	kind    error // nil: no error expected
}

func readExpectations(t testing.TB) map[string]corpusExpectation {
	f, err := os.Open(filepath.Join("testdata", "corpus_expect.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kinds := map[string]error{
		"none":        nil,
		"truncated":   ErrTruncated,
		"malformed":   ErrMalformed,
		"unsupported": ErrUnsupported,
		"notcapture":  ErrNotCapture,
	}
	m := map[string]corpusExpectation{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 3 {
			t.Fatalf("corpus_expect.tsv: short line %q", line)
		}
		n, err := strconv.Atoi(cols[1])
		kind, ok := kinds[cols[2]]
		if err != nil || !ok {
			t.Fatalf("corpus_expect.tsv: bad line %q", line)
		}
		m[cols[0]] = corpusExpectation{packets: n, kind: kind}
	}
	return m
}

// formatName renders a reader's format as INDEX.tsv's format column does.
func formatName(r *Reader) string {
	var s string
	switch r.Format() {
	case FormatPcap:
		s = "pcap"
	case FormatPcapNano:
		s = "pcap-ns"
	case FormatPcapng:
		return gzPrefix(r) + "pcapng"
	default:
		return "unknown"
	}
	if r.ByteOrder().String() == "BigEndian" {
		s += "-be"
	} else {
		s += "-le"
	}
	return gzPrefix(r) + s
}

func gzPrefix(r *Reader) string {
	if r.Gzip() {
		return "gz+"
	}
	return ""
}

func linkTypesOf(r *Reader) string {
	var lts []int
	for _, ifc := range r.Interfaces() {
		if !slices.Contains(lts, int(ifc.LinkType)) {
			lts = append(lts, int(ifc.LinkType))
		}
	}
	slices.Sort(lts)
	s := make([]string, len(lts))
	for i, v := range lts {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

// readAll reads every packet of a corpus file, returning the count, the
// error that ended reading (nil at a clean end) and the reader.
func readAll(path string) (int, error, *Reader) {
	r, err := Open(path)
	if err != nil {
		return 0, err, nil
	}
	defer r.Close()
	var rec Record
	n := 0
	for {
		err := r.Next(&rec)
		if err == io.EOF {
			return n, nil, r
		}
		if err != nil {
			return n, err, r
		}
		n++
		if rec.CapLen != len(rec.Data) || rec.Number != n {
			return n, errors.New("inconsistent record"), r
		}
	}
}

func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	rows := readIndex(t, dir)
	expect := readExpectations(t)
	if len(rows) < 100 {
		t.Fatalf("INDEX.tsv has only %d rows", len(rows))
	}
	indexed := map[string]bool{}
	for _, row := range rows {
		indexed[row.path] = true
	}
	for path := range expect {
		if !indexed[path] {
			t.Errorf("corpus_expect.tsv: %s is not in INDEX.tsv", path)
		}
	}
	for _, row := range rows {
		t.Run(row.path, func(t *testing.T) {
			t.Parallel()
			n, err, r := readAll(filepath.Join(dir, row.path))
			exp, overridden := expect[row.path]
			if !overridden {
				if row.packets == "" {
					exp = corpusExpectation{packets: -1, kind: ErrMalformed}
				} else {
					p, perr := strconv.Atoi(row.packets)
					if perr != nil {
						t.Fatalf("bad packets column %q", row.packets)
					}
					exp = corpusExpectation{packets: p}
				}
			}
			if exp.kind == nil {
				if err != nil {
					t.Fatalf("read %d packets, then error: %v", n, err)
				}
			} else {
				var ce *Error
				if err == nil {
					t.Fatalf("read %d packets and no error; want an error", n)
				}
				if !errors.As(err, &ce) {
					t.Fatalf("error %v (%T) is not a *capture.Error", err, err)
				}
				if overridden && !errors.Is(err, exp.kind) {
					t.Errorf("error %v; want one of kind %v", err, exp.kind)
				}
			}
			if exp.packets >= 0 && n != exp.packets {
				t.Errorf("read %d packets; want %d (err %v)", n, exp.packets, err)
			}
			if r == nil {
				return // the header itself was refused
			}
			if got := formatName(r); got != row.format {
				t.Errorf("format %s; want %s", got, row.format)
			}
			if got := linkTypesOf(r); got != row.linktypes {
				t.Errorf("link types %q; want %q", got, row.linktypes)
			}
		})
	}
}

// TestMappedMatchesRead reads every corpus capture twice, mapped in memory
// and through read calls, and requires the same records and the same error.
func TestMappedMatchesRead(t *testing.T) {
	dir := corpusDir(t)
	for _, row := range readIndex(t, dir) {
		path := filepath.Join(dir, row.path)
		mapped, mErr, stable := recordDigest(path, 1)
		read, rErr, unstable := recordDigest(path, -1)
		if unstable || (!stable && !strings.HasPrefix(row.format, "gz") && mErr == "") {
			t.Errorf("%s: mapped %v when asked to map, %v when asked not to", row.path, stable, unstable)
		}
		if mErr != rErr {
			t.Errorf("%s: mapped error %q, read error %q", row.path, mErr, rErr)
		}
		if mapped != read {
			t.Errorf("%s: mapped and read records differ", row.path)
		}
	}
}

// recordDigest hashes every record's metadata, bytes and options, and
// returns the hash, the reader's final error text and whether the file was
// mapped.
func recordDigest(path string, mapMin int64) (string, string, bool) {
	r, err := open(path, mapMin)
	if err != nil {
		return "", err.Error(), false
	}
	defer r.Close()
	h := sha256.New()
	var rec Record
	for {
		err := r.Next(&rec)
		if err == io.EOF {
			return hex.EncodeToString(h.Sum(nil)), "", r.Stable()
		}
		if err != nil {
			return hex.EncodeToString(h.Sum(nil)), err.Error(), r.Stable()
		}
		fmt.Fprintf(h, "%d %d %d %d %d %d %d %d %x %x|", rec.Number, rec.Timestamp, rec.CapLen, rec.OrigLen,
			rec.Interface, rec.LinkType, rec.Flags, rec.Offset, rec.Data, rec.options)
	}
}
