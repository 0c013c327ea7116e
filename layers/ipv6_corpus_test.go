package layers_test

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

// ipv6CorpusFields are compared on every Ethernet capture with IPv6.
var ipv6CorpusFields = []string{"ipv6.plen", "ipv6.nxt", "ipv6.hlim", "ipv6.src", "ipv6.dst", "icmpv6.type", "icmpv6.code"}

// ipv6Candidates lists the link-type-1 classic pcap captures of the corpus
// that hold IPv6: an IPv6 layer in our dissection, or an IPv6 EtherType
// (possibly behind VLAN tags), or IPv4 protocol 41, in some frame.
func ipv6Candidates(t *testing.T) []string {
	t.Helper()
	dir := filepath.Dir(corpusPath(t, "INDEX.tsv"))
	f, err := os.Open(filepath.Join(dir, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 5 || c[4] != "1" {
			continue
		}
		switch c[3] {
		case "pcap-le", "pcap-be", "pcap-ns-le", "pcap-ns-be":
		default:
			continue
		}
		if hasIPv6(filepath.Join(dir, c[0])) {
			out = append(out, c[0])
		}
	}
	return out
}

func hasIPv6(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 24 {
		return false
	}
	var bo binary.ByteOrder = binary.LittleEndian
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
	default:
		bo = binary.BigEndian
	}
	p := &packet.Packet{}
	for off := 24; off+16 <= len(b); {
		cl := int(bo.Uint32(b[off+8:]))
		if cl < 0 || off+16+cl > len(b) {
			break
		}
		d := b[off+16 : off+16+cl]
		off += 16 + cl
		if len(d) < 14 {
			continue
		}
		o := 12
		for o+4 <= len(d) && (d[o] == 0x81 && d[o+1] == 0 || d[o] == 0x88 && d[o+1] == 0xa8) {
			o += 4
		}
		if o+2 <= len(d) && d[o] == 0x86 && d[o+1] == 0xdd {
			return true
		}
		p.Reset(d, 1)
		if p.Layer(layers.IPv6) != nil {
			return true
		}
	}
	return false
}

// tsharkRows runs tshark like tsharkFields but returns an error instead of
// failing (so it can run on several goroutines) and accepts the exit
// status tshark gives for a capture cut short in the middle of a record.
func ipv6TsharkRows(path string, fields ...string) ([][]string, error) {
	args := []string{"-n", "-r", path, "-o", "tcp.desegment_tcp_streams:FALSE", "-o", "ip.defragment:FALSE",
		"-o", "ipv6.defragment:FALSE", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	cmd := exec.Command("tshark", args...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
			return nil, err
		}
	}
	var rows [][]string
	if len(out) == 0 {
		return rows, nil
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		rows = append(rows, strings.Split(line, "\t"))
	}
	return rows, nil
}

// ipv6Agreement is the outcome of comparing one capture.
type ipv6Agreement struct {
	file              string
	v6, agree, differ int
	// foreign counts differing frames whose IPv6 sits behind a protocol
	// this tree has no table for (tshark's frame.protocols tells).
	foreign  int
	skipped  string // why the capture was not compared
	examples []string
}

// ipv6Path are the protocols (tshark names) this tree dissects on the way
// to and inside IPv6.
var ipv6Path = map[string]bool{"eth": true, "ethertype": true, "ip": true, "ipv6": true, "ipv6.hopopts": true,
	"ipv6.routing": true, "ipv6.fraghdr": true, "ipv6.dstopts": true, "ah": true, "esp": true, "icmpv6": true,
	"tcp": true, "udp": true, "data": true}

// foreignPath reports whether some protocol before the last IPv6 or ICMPv6
// in tshark's frame.protocols has no table here.
func foreignPath(protos string) bool {
	ps := strings.Split(protos, ":")
	last := -1
	for i, p := range ps {
		if p == "ipv6" || p == "icmpv6" {
			last = i
		}
	}
	for _, p := range ps[:last+1] {
		if !ipv6Path[p] {
			return true
		}
	}
	return false
}

// compareIPv6Capture compares ipv6CorpusFields on one capture, counting
// the frames where tshark or pktkit shows any of them.
func compareIPv6Capture(rel, path string, frames []frame) ipv6Agreement {
	r := ipv6Agreement{file: rel}
	want, err := ipv6TsharkRows(path, append([]string{"frame.cap_len", "frame.protocols"}, ipv6CorpusFields...)...)
	if err != nil {
		r.skipped = "tshark: " + err.Error()
		return r
	}
	if len(want) != len(frames) {
		// tshark read the file otherwise (a record cut short makes it
		// guess another pcap variant) or not at all.
		r.skipped = fmt.Sprintf("tshark reads %d frames, we read %d", len(want), len(frames))
		return r
	}
	for k, fr := range frames {
		if want[k][0] != strconv.Itoa(len(fr.data)) {
			r.skipped = fmt.Sprintf("tshark reads frame %d as %s bytes, we read %d", k+1, want[k][0], len(fr.data))
			return r
		}
	}
	refs := make([]*packet.FieldRef, len(ipv6CorpusFields))
	for i, f := range ipv6CorpusFields {
		refs[i], _ = packet.LookupField(f)
	}
	p := &packet.Packet{}
	for k, fr := range frames {
		w, protos := want[k][2:], want[k][1]
		p.Reset(fr.data, fr.link)
		got := make([]string, len(refs))
		any := false
		for j, ref := range refs {
			got[j] = string(p.AppendField(nil, ref, ','))
			if got[j] != "" || j < len(w) && w[j] != "" {
				any = true
			}
		}
		if !any {
			continue
		}
		r.v6++
		ok := true
		for j, name := range ipv6CorpusFields {
			ws := ""
			if j < len(w) {
				ws = w[j]
			}
			if ws != got[j] {
				ok = false
				if len(r.examples) < 3 && !foreignPath(protos) {
					r.examples = append(r.examples, fmt.Sprintf("frame %d %s: tshark %q pktkit %q", k+1, name, ws, got[j]))
				}
			}
		}
		switch {
		case ok:
			r.agree++
		case foreignPath(protos):
			r.foreign++
		default:
			r.differ++
		}
	}
	return r
}

// TestIPv6CorpusAgreement compares the IPv6 and ICMPv6 key fields with
// tshark on every Ethernet pcap of the corpus that carries IPv6, and
// reports the agreement. Frames whose IPv6 lies behind an encapsulation
// this tree does not dissect (802.1Q, GRE, GTP, VXLAN, PIM, IPComp ...)
// are expected to differ.
func TestIPv6CorpusAgreement(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: runs tshark on every IPv6 capture")
	}
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed")
	}
	files := ipv6Candidates(t)
	res := make([]ipv6Agreement, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i, rel := range files {
		path := corpusPath(t, rel)
		frames := readPcap(t, path)
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			res[i] = compareIPv6Capture(rel, path, frames)
		}()
	}
	wg.Wait()
	var tot, agree, foreign, compared int
	for _, r := range res {
		if r.skipped != "" {
			t.Logf("%s: not compared: %s", r.file, r.skipped)
			continue
		}
		compared++
		tot += r.v6
		agree += r.agree
		foreign += r.foreign
		if r.foreign > 0 {
			t.Logf("%s: %d frames differ behind protocols without a table here", r.file, r.foreign)
		}
		if r.differ > 0 {
			t.Errorf("%s: %d/%d IPv6 frames agree; %s", r.file, r.agree, r.v6, strings.Join(r.examples, "; "))
		}
	}
	pct := func(a, b int) float64 {
		if b == 0 {
			return 100
		}
		return 100 * float64(a) / float64(b)
	}
	t.Logf("IPv6/ICMPv6 agreement: %d/%d frames (%.2f%%) over %d captures; %d/%d (%.2f%%) leaving out the %d frames "+
		"whose IPv6 is behind a protocol without a table here", agree, tot, pct(agree, tot), compared,
		agree, tot-foreign, pct(agree, tot-foreign), foreign)
}
