package main

import (
	"bufio"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testdata/conns.pcap holds TCP connections between real programs in two
// network namespaces (testdata/gen/conns.sh), one scenario per server port;
// testdata/conns.truth.tsv is what the script's servers, clients and
// firewall rules did. These tests check what conn and follow report on the
// capture against that truth, and follow and tcp.stream against tshark.

const (
	connsPcap  = "../../testdata/conns.pcap"
	connsTruth = "../../testdata/conns.truth.tsv"
)

// truthRow is one scenario of conns.truth.tsv, by column name.
type truthRow map[string]string

func (r truthRow) int(t *testing.T, col string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(r[col], 10, 64)
	if err != nil {
		t.Fatalf("truth %s: column %s = %q: %v", r["scenario"], col, r[col], err)
	}
	return n
}

// readTSV reads a tab-separated file with a header line (lines starting
// with '#' are comments) as one map per row.
func readTSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var head []string
	var rows []map[string]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, "\t")
		if head == nil {
			head = c
			continue
		}
		if len(c) != len(head) {
			t.Fatalf("%s: %d columns, header has %d: %q", path, len(c), len(head), line)
		}
		m := map[string]string{}
		for i, h := range head {
			m[h] = c[i]
		}
		rows = append(rows, m)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func readTruth(t *testing.T, path string) []truthRow {
	t.Helper()
	var rows []truthRow
	for _, m := range readTSV(t, path) {
		rows = append(rows, truthRow(m))
	}
	// The script writes these scenarios; a truth file without one of them
	// would let a test pass by checking nothing.
	want := []string{"http", "reset", "slow", "closed", "syndrop", "loss", "abort", "halfclose", "ratelimit"}
	got := map[string]bool{}
	for _, r := range rows {
		got[r["scenario"]] = true
	}
	for _, s := range want {
		if !got[s] {
			t.Fatalf("%s: no scenario %q", path, s)
		}
	}
	return rows
}

// checkConns runs the checks of this file on a capture and its truth.
func checkConns(t *testing.T, pcap, truth string) {
	rows := readTruth(t, truth)
	t.Run("conn", func(t *testing.T) { checkConnTruth(t, pcap, rows) })
	t.Run("follow", func(t *testing.T) { checkFollowTruth(t, pcap, rows) })
	t.Run("follow-all", func(t *testing.T) { checkFollowAllTruth(t, pcap, rows) })
	t.Run("tcp", func(t *testing.T) { checkTCPTruth(t, pcap, rows) })
}

func TestConnsCapture(t *testing.T) { checkConns(t, connsPcap, connsTruth) }

// checkConnTruth: `conn --format tsv` has one connection per scenario,
// keyed originator (the client) to responder (the server), with the
// scenario's conn_state, history letters, bytes each way, handshake RTT
// and duration.
func checkConnTruth(t *testing.T, pcap string, rows []truthRow) {
	code, out, errOut := runCLI(t, "conn", pcap, "--format", "tsv")
	if code != 0 {
		t.Fatalf("conn: exit %d: %s", code, errOut)
	}
	tmp := filepath.Join(t.TempDir(), "conn.tsv")
	os.WriteFile(tmp, []byte(out), 0o644)
	conns := map[string]map[string]string{} // "orig resp" -> row
	for _, c := range readTSV(t, tmp) {
		k := c["id.orig_h"] + ":" + c["id.orig_p"] + " " + c["id.resp_h"] + ":" + c["id.resp_p"]
		if conns[k] != nil {
			t.Errorf("two connections %s", k)
		}
		conns[k] = c
	}
	for _, tr := range rows {
		name := tr["scenario"]
		c := conns[tr["orig"]+" "+tr["resp"]]
		if c == nil {
			t.Errorf("%s: no connection with originator %s and responder %s", name, tr["orig"], tr["resp"])
			continue
		}
		if c["proto"] != "tcp" {
			t.Errorf("%s: proto %s", name, c["proto"])
		}
		if c["conn_state"] != tr["conn_state"] {
			t.Errorf("%s: conn_state %s, want %s (history %s)", name, c["conn_state"], tr["conn_state"], c["history"])
		}
		h := c["history"]
		for _, l := range tr["history_has"] {
			if !strings.ContainsRune(h, l) {
				t.Errorf("%s: history %s lacks %q (want all of %s)", name, h, l, tr["history_has"])
			}
		}
		for _, l := range tr["history_not"] {
			if strings.ContainsRune(h, l) {
				t.Errorf("%s: history %s has %q (want none of %s)", name, h, l, tr["history_not"])
			}
		}
		// Zeek's history keeps the first occurrence of each letter in
		// order: the side that closed first has its FIN letter first.
		fo, fr := strings.IndexByte(h, 'F'), strings.IndexByte(h, 'f')
		switch tr["first_fin"] {
		case "orig":
			if fo < 0 || fr >= 0 && fr < fo {
				t.Errorf("%s: history %s: the originator's FIN (F) should come first", name, h)
			}
		case "resp":
			if fr < 0 || fo >= 0 && fo < fr {
				t.Errorf("%s: history %s: the responder's FIN (f) should come first", name, h)
			}
		}
		switch tr["reset_by"] {
		case "orig":
			if !strings.Contains(h, "R") {
				t.Errorf("%s: history %s: no reset from the originator", name, h)
			}
		case "resp":
			if !strings.Contains(h, "r") {
				t.Errorf("%s: history %s: no reset from the responder", name, h)
			}
		}
		rtt := c["handshake_rtt"]
		if tr["handshake"] == "1" {
			if v, err := strconv.ParseFloat(rtt, 64); err != nil || v <= 0 || v > 1 {
				t.Errorf("%s: handshake_rtt %q, want a positive time under 1 s", name, rtt)
			}
		} else if rtt != "-" {
			t.Errorf("%s: handshake_rtt %q for a connection without handshake", name, rtt)
		}
		for _, b := range []string{"orig_bytes", "resp_bytes"} {
			got := c[b]
			if got == "-" { // Zeek leaves it unset when the duration is 0
				got = "0"
			}
			if got != tr[b] {
				t.Errorf("%s: %s %s, want %s (what the programs sent)", name, b, c[b], tr[b])
			}
		}
		if c["missed_bytes"] != "0" {
			t.Errorf("%s: missed_bytes %s (every packet was captured)", name, c["missed_bytes"])
		}
		if name == "syndrop" {
			// The capture point is before the server's firewall: every SYN
			// the rule dropped is in the capture, and nothing answered.
			if c["orig_pkts"] != tr["dropped"] || c["resp_pkts"] != "0" {
				t.Errorf("%s: orig_pkts %s resp_pkts %s, want %s SYNs (dropped by the firewall) and 0", name, c["orig_pkts"], c["resp_pkts"], tr["dropped"])
			}
		}
		if tr["min_duration_ms"] != "-" {
			d, err := strconv.ParseFloat(c["duration"], 64)
			min := tr.int(t, "min_duration_ms")
			if err != nil || time.Duration(d*float64(time.Second)) < time.Duration(min)*time.Millisecond {
				t.Errorf("%s: duration %s s, want at least %d ms", name, c["duration"], min)
			}
		}
	}
}

// followRaw returns the bytes of `follow --format raw` output (hex lines;
// the second side's are indented by a tab).
func followRaw(t *testing.T, out string) []byte {
	t.Helper()
	var b []byte
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimPrefix(l, "\t")
		if l == "" || strings.HasPrefix(l, "===") || strings.Contains(l, ":") {
			continue // frame, header lines
		}
		d, err := hex.DecodeString(l)
		if err != nil {
			t.Fatalf("follow raw line %q: %v", l, err)
		}
		b = append(b, d...)
	}
	return b
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// checkFollowTruth: `follow --conn CLIENT,SERVER` gives each side's bytes
// exactly as the programs sent them (md5), through the drops and
// retransmissions of the loss scenario too; the HTTP body is the file the
// server served.
func checkFollowTruth(t *testing.T, pcap string, rows []truthRow) {
	for _, tr := range rows {
		if tr["handshake"] != "1" {
			continue
		}
		name, conn := tr["scenario"], tr["orig"]+","+tr["resp"]
		var side [2][]byte
		for i, dir := range []string{"client", "server"} {
			code, out, errOut := runCLI(t, "follow", pcap, "--conn", conn, "--format", "raw", "--dir", dir)
			if code != 0 {
				t.Fatalf("%s: follow --conn %s: exit %d: %s", name, conn, code, errOut)
			}
			side[i] = followRaw(t, out)
		}
		if n, m := int64(len(side[0])), md5hex(side[0]); n != tr.int(t, "orig_bytes") || m != tr["orig_md5"] {
			t.Errorf("%s: client side %d bytes md5 %s, want %s bytes md5 %s", name, n, m, tr["orig_bytes"], tr["orig_md5"])
		}
		if n, m := int64(len(side[1])), md5hex(side[1]); n != tr.int(t, "resp_bytes") || m != tr["resp_md5"] {
			t.Errorf("%s: server side %d bytes md5 %s, want %s bytes md5 %s", name, n, m, tr["resp_bytes"], tr["resp_md5"])
		}
		if tr["body_md5"] != "-" {
			_, body, ok := strings.Cut(string(side[1]), "\r\n\r\n")
			if !ok || md5hex([]byte(body)) != tr["body_md5"] {
				t.Errorf("%s: the HTTP body (%d bytes) is not the file served (md5 %s)", name, len(body), tr["body_md5"])
			}
		}
	}
}

// checkFollowAllTruth: `follow --all -o DIR` writes one file per direction
// that carried data and index.tsv rows whose bytes and md5 are what the
// programs sent, with no gap; the files hold those bytes.
func checkFollowAllTruth(t *testing.T, pcap string, rows []truthRow) {
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "follow", pcap, "--all", "-o", dir); code != 0 {
		t.Fatalf("follow --all: exit %d: %s", code, errOut)
	}
	idx := map[string]map[string]string{}
	for _, r := range readTSV(t, filepath.Join(dir, "index.tsv")) {
		idx[r["src"]+" "+r["dst"]] = r
	}
	for _, tr := range rows {
		name := tr["scenario"]
		for _, d := range []struct{ src, dst, bytes, md5 string }{
			{tr["orig"], tr["resp"], tr["orig_bytes"], tr["orig_md5"]},
			{tr["resp"], tr["orig"], tr["resp_bytes"], tr["resp_md5"]},
		} {
			r := idx[d.src+" "+d.dst]
			if d.bytes == "0" {
				if r != nil {
					t.Errorf("%s: index row %s -> %s for a direction that sent nothing", name, d.src, d.dst)
				}
				continue
			}
			if r == nil {
				t.Errorf("%s: no index row %s -> %s", name, d.src, d.dst)
				continue
			}
			if r["bytes"] != d.bytes || r["md5"] != d.md5 || r["gaps"] != "0" || r["missing_bytes"] != "0" {
				t.Errorf("%s: index %s -> %s: bytes %s md5 %s gaps %s missing %s, want bytes %s md5 %s and no gap",
					name, d.src, d.dst, r["bytes"], r["md5"], r["gaps"], r["missing_bytes"], d.bytes, d.md5)
			}
		}
	}
	// Each file the index stands for holds the bytes it describes.
	files, _ := filepath.Glob(filepath.Join(dir, "*-*"))
	sums := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sums[md5hex(b)] = true
	}
	for _, r := range idx {
		if !sums[r["md5"]] {
			t.Errorf("index row %s -> %s: no file with md5 %s", r["src"], r["dst"], r["md5"])
		}
	}
}

// TestConnsMatchTshark: on conns.pcap, `fields -e tcp.stream` is tshark's,
// and `follow --stream N` prints tshark's -z follow,tcp,raw,N (and ascii
// for the HTTP download) for every stream.
func TestConnsMatchTshark(t *testing.T) {
	requireTshark(t)
	checkConnsTshark(t, connsPcap)
}

func checkConnsTshark(t *testing.T, connsPcap string) {
	code, got, errOut := runCLI(t, "fields", connsPcap, "-e", "frame.number", "-e", "tcp.stream", "-e", "tcp.srcport")
	if code != 0 {
		t.Fatalf("fields: exit %d: %s", code, errOut)
	}
	want := tsharkFields(t, connsPcap, "-e", "frame.number", "-e", "tcp.stream", "-e", "tcp.srcport")
	if got != want {
		t.Errorf("fields -e tcp.stream differs from tshark:\n%s", firstDiff(want, got))
	}
	streams := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(want), "\n") {
		if c := strings.Split(l, "\t"); len(c) == 3 && c[1] != "" {
			streams[c[1]] = true
		}
	}
	if len(streams) < 9 {
		t.Fatalf("tshark sees %d TCP streams, want at least the 9 scenarios", len(streams))
	}
	checkConnCountsTshark(t, connsPcap)
	for s := range streams {
		for _, format := range []string{"raw", "ascii"} {
			if format == "ascii" && s != "0" {
				continue
			}
			code, got, errOut := runCLI(t, "follow", connsPcap, "--stream", s, "--format", format)
			if code != 0 {
				t.Fatalf("follow --stream %s: exit %d: %s", s, code, errOut)
			}
			z := fmt.Sprintf("follow,tcp,%s,%s", format, s)
			if want := tsharkOut(t, "-r", connsPcap, "-q", "-z", z); got != want {
				t.Errorf("follow --stream %s --format %s differs from tshark -z %s:\n%s", s, format, z, firstDiff(want, got))
			}
		}
	}
}

// TestConnsRegenerate runs testdata/gen/conns.sh into a temporary directory
// (new namespaces, new traffic) and checks the fresh capture against its
// fresh truth the same way, and against tshark. It needs root, PKTKIT_NETNS=1 and the script's
// tools; it takes about 15 seconds.
func TestConnsRegenerate(t *testing.T) {
	if os.Getenv("PKTKIT_NETNS") != "1" {
		t.Skip("set PKTKIT_NETNS=1 (as root) to regenerate conns.pcap in network namespaces")
	}
	if os.Geteuid() != 0 {
		t.Fatal("PKTKIT_NETNS=1 needs root")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	cmd := exec.Command("bash", "../../testdata/gen/conns.sh", dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("conns.sh: %v\n%s", err, out)
	}
	checkConns(t, filepath.Join(dir, "conns.pcap"), filepath.Join(dir, "conns.truth.tsv"))
	if _, err := exec.LookPath("tshark"); err == nil || os.Getenv("PKTKIT_REQUIRE_ORACLES") == "1" {
		t.Run("tshark", func(t *testing.T) {
			requireTshark(t)
			checkConnsTshark(t, filepath.Join(dir, "conns.pcap"))
		})
	}
}

// checkConnCountsTshark: each connection of `conn` has tshark's tcp.stream,
// and its packets and IP bytes each way are tshark's, summed per stream
// and direction (ip.len, the IP total length, is what Zeek's
// orig_ip_bytes/resp_ip_bytes add up).
func checkConnCountsTshark(t *testing.T, pcap string) {
	type dir struct{ pkts, bytes int64 }
	type key struct {
		stream, src string
	}
	sums := map[key]*dir{}
	out := tsharkFields(t, pcap, "-e", "tcp.stream", "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.len")
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		c := strings.Split(l, "\t")
		if len(c) != 4 || c[0] == "" {
			continue
		}
		k := key{c[0], c[1] + ":" + c[2]}
		if sums[k] == nil {
			sums[k] = &dir{}
		}
		n, _ := strconv.ParseInt(c[3], 10, 64)
		sums[k].pkts++
		sums[k].bytes += n
	}
	code, conn, errOut := runCLI(t, "conn", pcap, "--format", "tsv")
	if code != 0 {
		t.Fatalf("conn: exit %d: %s", code, errOut)
	}
	tmp := filepath.Join(t.TempDir(), "conn.tsv")
	os.WriteFile(tmp, []byte(conn), 0o644)
	rows := readTSV(t, tmp)
	streams := map[string]bool{}
	for k := range sums {
		streams[k.stream] = true
	}
	if len(rows) != len(streams) {
		t.Errorf("%d connections, tshark has %d TCP streams", len(rows), len(streams))
	}
	for _, r := range rows {
		o := key{r["stream"], r["id.orig_h"] + ":" + r["id.orig_p"]}
		p := key{r["stream"], r["id.resp_h"] + ":" + r["id.resp_p"]}
		if sums[o] == nil {
			t.Errorf("conn %s -> %s: stream %s, but tshark has no packet from %s in that stream", o.src, p.src, r["stream"], o.src)
			continue
		}
		for _, c := range []struct {
			name string
			k    key
			pkts string
			ipb  string
		}{{"orig", o, r["orig_pkts"], r["orig_ip_bytes"]}, {"resp", p, r["resp_pkts"], r["resp_ip_bytes"]}} {
			want := dir{}
			if d := sums[c.k]; d != nil {
				want = *d
			}
			if c.pkts != strconv.FormatInt(want.pkts, 10) || c.ipb != strconv.FormatInt(want.bytes, 10) {
				t.Errorf("stream %s %s: %s packets %s IP bytes, tshark %d and %d", r["stream"], c.name, c.pkts, c.ipb, want.pkts, want.bytes)
			}
		}
	}
}
