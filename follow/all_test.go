package follow_test

import (
	"bufio"
	"crypto/md5"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pktkit/capture"
	"pktkit/craft"
	"pktkit/follow"
)

// seg is one TCP segment of a crafted capture.
type seg struct {
	cli      int // client number: port 10000+cli on 10.0.0.1 to 10.0.0.2:80
	toServer bool
	flags    string
	seq, ack uint32
	data     string
}

// writeSegs writes the segments as an Ethernet pcap, one millisecond apart.
func writeSegs(t *testing.T, segs []seg) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := capture.NewPcapWriter(f, capture.LinkType(1), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	kv := func(n string, v any) craft.KV { return craft.KV{Name: n, Value: v} }
	for i, s := range segs {
		src, dst, sport, dport := "10.0.0.1", "10.0.0.2", 10000+s.cli, 80
		if !s.toServer {
			src, dst, sport, dport = dst, src, dport, sport
		}
		p := craft.Ether().Div(craft.IP(kv("src", src), kv("dst", dst))).
			Div(craft.TCP(kv("sport", sport), kv("dport", dport), kv("flags", s.flags), kv("seq", s.seq), kv("ack", s.ack)))
		if s.data != "" {
			p = p.Div(craft.Raw(kv("load", s.data)))
		}
		b, err := p.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		rec := capture.Record{Timestamp: 1_700_000_000e9 + int64(i)*1e6, Data: b, CapLen: len(b), OrigLen: len(b)}
		if err := w.WriteRecord(&rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// openConns is n connections that each send a request, all interleaved so
// that every one is open at once, and closed by both sides at the end
// (or not, if open).
func openConns(n int, open bool) []seg {
	var s []seg
	for i := 0; i < n; i++ {
		s = append(s, seg{i, true, "S", 100, 0, ""}, seg{i, false, "SA", 500, 101, ""})
	}
	for i := 0; i < n; i++ {
		s = append(s, seg{i, true, "PA", 101, 501, "GET /" + strconv.Itoa(i)})
	}
	for i := 0; i < n; i++ {
		s = append(s, seg{i, false, "PA", 501, 101 + uint32(len("GET /"+strconv.Itoa(i))), "reply " + strconv.Itoa(i)})
	}
	if !open {
		for i := 0; i < n; i++ {
			req, rep := uint32(len("GET /"+strconv.Itoa(i))), uint32(len("reply "+strconv.Itoa(i)))
			s = append(s, seg{i, true, "FA", 101 + req, 501 + rep, ""}, seg{i, false, "FA", 501 + rep, 102 + req, ""}, seg{i, true, "A", 102 + req, 502 + rep, ""})
		}
	}
	return s
}

// readIndex reads index.tsv's rows (without the header).
func readIndex(t *testing.T, dir string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "index.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), "stream\t") {
			rows = append(rows, strings.Split(sc.Text(), "\t"))
		}
	}
	return rows
}

// TestWriteAllLimits follows 300 connections open at once with room for
// 50: connections are let go early and counted, their later bytes go to
// new files (tcpflow's cN names), every byte is still written, and the
// index stays in stream order.
func TestWriteAllLimits(t *testing.T) {
	const n = 300
	path := writeSegs(t, openConns(n, false))
	free, tight := t.TempDir(), t.TempDir()
	st, err := follow.WriteAll(path, free, follow.Limits{}, nil)
	if err != nil || st.Evicted != 0 || st.Conns != n || st.Directions != 2*n {
		t.Fatalf("unlimited: %+v, %v", st, err)
	}
	st, err = follow.WriteAll(path, tight, follow.Limits{MaxConns: 50}, nil)
	// Each new connection past the 50th lets the least recently active go;
	// the replies then bring each of those back (and push another out).
	if err != nil || st.Evicted < n-50 {
		t.Fatalf("MaxConns 50: %+v, %v", st, err)
	}
	bytesOf := func(dir string) map[string]int {
		m := map[string]int{}
		prev := -1
		for _, r := range readIndex(t, dir) {
			s, _ := strconv.Atoi(r[0])
			if s < prev {
				t.Errorf("%s: stream %d after %d: index not in stream order", dir, s, prev)
			}
			prev = s
			b, _ := strconv.Atoi(r[3])
			m[r[1]+" "+r[2]] += b // (stream numbers change too when the numbering's table is full)
		}
		return m
	}
	a, b := bytesOf(free), bytesOf(tight)
	if len(a) != 2*n || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("bytes per direction differ: %d directions unlimited, %d limited", len(a), len(b))
		k := 0
		for key, v := range a {
			if b[key] != v && k < 5 {
				t.Logf("%s: %d unlimited, %d limited", key, v, b[key])
				k++
			}
		}
	}
	// The files of the limited run hold the same bytes, split.
	ents, _ := os.ReadDir(tight)
	split := 0
	for _, e := range ents {
		if strings.Contains(e.Name(), "c1") {
			split++
		}
	}
	if split == 0 {
		t.Error("no cN file in the limited run")
	}
	// Unlimited: each file's md5 is the index's, and the name is tcpflow's.
	for _, r := range readIndex(t, free) {
		src, dst := r[1], r[2]
		name := flowNameOf(t, src) + "-" + flowNameOf(t, dst)
		data, err := os.ReadFile(filepath.Join(free, name))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%x", md5.Sum(data)) != r[6] {
			t.Errorf("%s: md5 differs from the index", name)
		}
	}
}

func flowNameOf(t *testing.T, s string) string {
	i := strings.LastIndexByte(s, ':')
	ip := strings.Split(s[:i], ".")
	port, _ := strconv.Atoi(s[i+1:])
	var parts []string
	for _, x := range ip {
		v, _ := strconv.Atoi(x)
		parts = append(parts, fmt.Sprintf("%03d", v))
	}
	return strings.Join(parts, ".") + fmt.Sprintf(".%05d", port)
}

// TestWriteAllBufferLimit sends a reply's later segments ahead of a hole
// filled last: unlimited, the whole reply is written; with MaxBuffered
// below what waits behind the hole, the stream skips over it (counted,
// with its size) and, as tshark shows nothing behind a hole never filled,
// writes nothing more that way.
func TestWriteAllBufferLimit(t *testing.T) {
	segs := []seg{{0, true, "S", 100, 0, ""}, {0, true, "PA", 101, 501, "GET /"}, {0, false, "SA", 500, 106, ""}}
	body := strings.Repeat("x", 100)
	for i := 0; i < 10; i++ { // 1000 bytes after a 10-byte hole
		segs = append(segs, seg{0, false, "PA", 511 + uint32(100*i), 106, body})
	}
	segs = append(segs, seg{0, false, "PA", 501, 106, "0123456789"})
	path := writeSegs(t, segs)
	dir := t.TempDir()
	st, err := follow.WriteAll(path, dir, follow.Limits{}, nil)
	if err != nil || st.OverflowGaps != 0 {
		t.Fatalf("unlimited: %+v, %v", st, err)
	}
	rows := readIndex(t, dir)
	if len(rows) != 2 || rows[1][3] != "1010" || rows[1][4] != "0" {
		t.Errorf("unlimited: rows %q", rows)
	}
	dir = t.TempDir()
	st, err = follow.WriteAll(path, dir, follow.Limits{MaxBuffered: 300}, nil)
	if err != nil || st.OverflowGaps != 1 || st.OverflowBytes != 10 {
		t.Fatalf("MaxBuffered 300: %+v, %v", st, err)
	}
	if rows := readIndex(t, dir); len(rows) != 1 || rows[0][1] != "10.0.0.1:10000" {
		t.Errorf("MaxBuffered 300: rows %q", rows)
	}
	// The shared budget has the same effect.
	st, err = follow.WriteAll(path, t.TempDir(), follow.Limits{MaxMemory: 250}, nil)
	if err != nil || st.OverflowGaps != 1 || st.OverflowBytes != 10 {
		t.Fatalf("MaxMemory 250: %+v, %v", st, err)
	}
}

// TestWriteAllPortReuse closes a connection with both FINs and its last
// ACK, then opens another on the same ports: the second's files are
// tcpflow's c1 names (the last ACK starts nothing).
func TestWriteAllPortReuse(t *testing.T) {
	one := openConns(1, false)
	two := openConns(1, false)
	for i := range two {
		two[i].seq += 7000
		if two[i].ack != 0 {
			two[i].ack += 7000
		}
	}
	dir := t.TempDir()
	st, err := follow.WriteAll(writeSegs(t, append(one, two...)), dir, follow.Limits{}, nil)
	if err != nil || st.Conns != 2 || st.Directions != 4 {
		t.Fatalf("%+v, %v", st, err)
	}
	var names []string
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		names = append(names, e.Name())
	}
	want := "[010.000.000.001.10000-010.000.000.002.00080 010.000.000.001.10000-010.000.000.002.00080c1 010.000.000.002.00080-010.000.000.001.10000 010.000.000.002.00080-010.000.000.001.10000c1 index.tsv]"
	if fmt.Sprint(names) != want {
		t.Errorf("files %v", names)
	}
}
