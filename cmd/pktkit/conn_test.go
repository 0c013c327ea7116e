package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runConnCmd(t testing.TB, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"conn"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

func TestConnZeekFormat(t *testing.T) {
	out, errs, code := runConnCmd(t, "../../testdata/sample.pcap", "--format", "zeek")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	// A Zeek TSV log: the header lines in Zeek's order, rows, #close.
	heads := []string{"#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-", "#path\tconn", "#open\t", "#fields\t", "#types\t"}
	if len(lines) < len(heads)+2 {
		t.Fatalf("%d lines", len(lines))
	}
	for i, h := range heads {
		if !strings.HasPrefix(lines[i], h) {
			t.Errorf("line %d %q, want prefix %q", i+1, lines[i], h)
		}
	}
	fields := strings.Split(lines[6], "\t")[1:]
	types := strings.Split(lines[7], "\t")[1:]
	if len(fields) != 18 || len(types) != 18 || fields[0] != "ts" || types[0] != "time" || fields[13] != "history" {
		t.Errorf("#fields %v #types %v", fields, types)
	}
	if !strings.HasPrefix(lines[len(lines)-1], "#close\t") {
		t.Errorf("last line %q", lines[len(lines)-1])
	}
	rows := lines[len(heads) : len(lines)-1]
	if len(rows) == 0 {
		t.Fatal("no connection")
	}
	states := map[string]bool{"S0": true, "S1": true, "SF": true, "REJ": true, "S2": true, "S3": true, "RSTO": true,
		"RSTR": true, "RSTOS0": true, "RSTRH": true, "SH": true, "SHR": true, "OTH": true}
	for _, r := range rows {
		c := strings.Split(r, "\t")
		if len(c) != 18 {
			t.Fatalf("row of %d columns: %q", len(c), r)
		}
		if !states[c[11]] {
			t.Errorf("conn_state %q", c[11])
		}
		if len(c[1]) != 18 || c[1][0] != 'C' {
			t.Errorf("uid %q", c[1])
		}
	}
	// The same capture gives the same output (deterministic uids).
	again, _, _ := runConnCmd(t, "../../testdata/sample.pcap", "--format", "zeek")
	if again != out {
		t.Error("two runs differ")
	}
}

func TestConnJSONAndFilter(t *testing.T) {
	out, errs, code := runConnCmd(t, "../../testdata/sample.pcap", "--format", "json", "-Y", "udp && !icmp && !icmpv6")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if m["proto"] != "udp" {
			t.Errorf("-Y udp without ICMP kept a %v connection", m["proto"])
		}
		n++
	}
	all, _, _ := runConnCmd(t, "../../testdata/sample.pcap", "--format", "tsv")
	if n == 0 || n >= strings.Count(all, "\n")-1 {
		t.Errorf("%d UDP connections of %d", n, strings.Count(all, "\n")-1)
	}
}

// TestConnDefrag runs conn --defrag over Zeek's GTP trace whose outer
// datagrams are fragmented: the outer UDP connection's packet and IP byte
// counts are those of Zeek's baseline
// (testing/btest/Baseline/core.tunnels.gtp.outer_ip_frag/conn.log).
func TestConnDefrag(t *testing.T) {
	dir := os.Getenv("PKTKIT_CORPUS")
	if dir == "" {
		t.Skip("PKTKIT_CORPUS is not set")
	}
	trace := filepath.Join(dir, "zeek/testing/btest/Traces/tunnels/gtp/gtp1_gn_normal_incl_fragmentation.pcap")
	out, errs, code := runConnCmd(t, trace, "--zeek-keys", "--defrag", "--format", "tsv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var row []string
	for _, l := range strings.Split(out, "\n") {
		if c := strings.Split(l, "\t"); len(c) > 17 && c[2] == "239.114.155.111" && c[6] == "udp" {
			row = c
		}
	}
	if row == nil {
		t.Fatalf("no outer GTP connection in\n%s", out)
	}
	// orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes
	if got := strings.Join(row[14:18], " "); got != "27 4176 41 54070" {
		t.Errorf("packets and IP bytes %s, Zeek has 27 4176 41 54070", got)
	}
}

func TestConnUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"../../testdata/sample.pcap", "--format", "xml"}, {"../../testdata/sample.pcap", "-Y", "tcp.port =="}, {"../../testdata/sample.pcap", "--max-conns", "0"}} {
		if _, _, code := runConnCmd(t, args...); code != 2 {
			t.Errorf("conn %v: exit %d, want 2", args, code)
		}
	}
	if _, _, code := runConnCmd(t, "/nonexistent.pcap"); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
	out, _, code := runConnCmd(t, "-h")
	if code != 0 || !strings.Contains(out, "Examples:") {
		t.Errorf("-h: exit %d", code)
	}
}

// BenchmarkConn is the whole command over the sample capture.
func BenchmarkConn(b *testing.B) {
	for b.Loop() {
		run([]string{"conn", "../../testdata/sample.pcap", "--format", "zeek"}, io.Discard, io.Discard)
	}
}
