package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"pktkit/follow"
)

// TestFollowMatchesTshark: `follow` prints tshark's -z follow output byte
// for byte on the sample capture, in every format, TCP and UDP, both
// directions and one.
func TestFollowMatchesTshark(t *testing.T) {
	requireTshark(t)
	for _, c := range []struct{ proto, stream, format, dir string }{
		{"tcp", "0", "ascii", "both"}, {"tcp", "1", "hex", "both"}, {"tcp", "2", "raw", "both"},
		{"tcp", "3", "yaml", "both"}, {"udp", "0", "ascii", "both"}, {"tcp", "0", "hex", "server"},
	} {
		args := []string{"follow", sample, "--stream", c.stream, "--format", c.format, "--dir", c.dir}
		if c.proto == "udp" {
			args = append(args, "--udp")
		}
		code, got, errOut := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		z := fmt.Sprintf("follow,%s,%s,%s", c.proto, c.format, c.stream)
		want := tsharkOut(t, "-r", sample, "-q", "-z", z)
		if c.dir == "server" {
			// tshark has no side option: keep its header, footer and the
			// indented (second side's) chunks.
			var keep []string
			for _, l := range strings.SplitAfter(want, "\n") {
				if !strings.HasPrefix(l, "0") {
					keep = append(keep, l)
				}
			}
			want = strings.Join(keep, "")
		}
		if got != want {
			t.Errorf("%v differs from tshark -z %s:\n%s", args[2:], z, firstDiff(want, got))
		}
	}
}

// TestFollowAllCorpus compares `follow --all` with tshark's follow over the
// corpus: for each TCP stream direction tshark printed
// ($PKTKIT_CORPUS/_expected/tshark-follow), the bytes and md5 in
// index.tsv, matched by stream number and endpoints. It requires 99% of
// the directions where tcpflow agrees with tshark, and writes the
// differences to a report.
func TestFollowAllCorpus(t *testing.T) {
	dir := os.Getenv("PKTKIT_CORPUS")
	if dir == "" {
		t.Skip("PKTKIT_CORPUS not set")
	}
	exp := filepath.Join(dir, "_expected", "tshark-follow")
	var files []string
	filepath.Walk(exp, func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".follow.tsv") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("no expected follow files")
	}
	report := &strings.Builder{}
	report.WriteString("capture\tstream\tsrc\tdst\ttshark bytes\tpktkit bytes\ttcpflow agrees\treason\n")
	var total, same, agreed, agreedSame int
	for _, f := range files {
		rel := strings.TrimSuffix(strings.TrimPrefix(f, exp+"/"), ".follow.tsv")
		out := t.TempDir()
		if _, err := follow.WriteAll(filepath.Join(dir, rel), out, follow.Limits{}, nil); err != nil {
			// A damaged capture still gives what it could read.
			t.Logf("%s: %v", rel, err)
		}
		got := map[string][2]string{}
		if fh, err := os.Open(filepath.Join(out, "index.tsv")); err == nil {
			sc := bufio.NewScanner(fh)
			for sc.Scan() {
				c := strings.Split(sc.Text(), "\t")
				if len(c) == 7 && c[0] != "stream" {
					got[c[0]+" "+c[1]+" "+c[2]] = [2]string{c[3], c[6]}
				}
			}
			fh.Close()
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			c := strings.Split(line, "\t")
			if len(c) != 6 {
				continue
			}
			total++
			ok := got[c[0]+" "+c[1]+" "+c[2]] == [2]string{c[3], c[4]}
			if c[5] == "1" {
				agreed++
			}
			if ok {
				same++
				if c[5] == "1" {
					agreedSame++
				}
				continue
			}
			g, have := got[c[0]+" "+c[1]+" "+c[2]]
			fmt.Fprintf(report, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", rel, c[0], c[1], c[2], c[3], g[0], c[5], followReason(have, c[3], g[0]))
		}
	}
	rp := filepath.Join(os.TempDir(), "pktkit-follow-vs-tshark.tsv")
	if d := os.Getenv("PKTKIT_REPORT_DIR"); d != "" {
		rp = filepath.Join(d, "pktkit-follow-vs-tshark.tsv")
	}
	os.WriteFile(rp, []byte(report.String()), 0o644)
	t.Logf("%d captures: %d/%d directions equal (%.2f%%); where tcpflow agrees with tshark %d/%d (%.2f%%); report %s",
		len(files), same, total, 100*float64(same)/float64(total), agreedSame, agreed, 100*float64(agreedSame)/float64(agreed), rp)
	if float64(agreedSame) < 0.99*float64(agreed) {
		t.Errorf("only %d of %d directions where tcpflow agrees match tshark (see %s)", agreedSame, agreed, rp)
	}
}

// tsharkOut runs tshark with the arguments and returns its output.
func tsharkOut(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("tshark", append([]string{"-n"}, args...)...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %v: %v", args, err)
	}
	return string(out)
}

// followReason classifies a direction where pktkit and tshark differ.
func followReason(have bool, tsharkBytes, pktkitBytes string) string {
	tb, _ := strconv.ParseInt(tsharkBytes, 10, 64)
	pb, _ := strconv.ParseInt(pktkitBytes, 10, 64)
	switch {
	case !have:
		return "no such stream and direction in pktkit: stream numbers differ (a dissector of tshark's takes one, e.g. SOCKS) or the link or tunnel is not dissected"
	case tb == pb:
		return "same length, other bytes: overlapping retransmissions that differ, resolved differently"
	case pb < tb:
		return "pktkit has fewer bytes: data after a FIN or RST, or behind a hole, that tshark keeps"
	}
	return "pktkit has more bytes: data tshark leaves waiting or drops"
}

// TestFollowUsage checks the limits' validation and that --all writes an
// index with its limits set.
func TestFollowUsage(t *testing.T) {
	for _, args := range [][]string{
		{"follow", "../../testdata/sample.pcap", "--all", "-o", t.TempDir(), "--max-conns", "0"},
		{"follow", "../../testdata/sample.pcap", "--stream", "0", "--max-buffer", "0"},
		{"follow", "../../testdata/sample.pcap", "--stream", "0", "--max-memory", "-1"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run([]string{"follow", "../../testdata/sample.pcap", "--all", "-o", dir, "--max-conns", "2", "--max-buffer", "1000"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	idx, err := os.ReadFile(filepath.Join(dir, "index.tsv"))
	if err != nil || !bytes.HasPrefix(idx, []byte("stream\tsrc\tdst\tbytes\tgaps\tmissing_bytes\tmd5\n")) || bytes.Count(idx, []byte("\n")) < 3 {
		t.Errorf("index %q, %v", idx, err)
	}
}
