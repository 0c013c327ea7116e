package reassembly_test

import (
	"bufio"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"pktkit/capture"
	"pktkit/defrag"
	"pktkit/layers"
	"pktkit/packet"
	"pktkit/reassembly"
	"pktkit/walk"
)

// followSink hashes a direction's bytes as `tshark -z follow,tcp,raw`
// prints them: a hole the peer acknowledged becomes tshark's marker text,
// a truncated segment's tail is left out, and nothing after a hole that
// was never acknowledged is printed (tshark keeps such data waiting
// forever).
type followSink struct {
	h       hash.Hash
	n       int64
	stopped bool
	gaps    map[reassembly.GapReason]int
	end     reassembly.EndReason
}

func newFollowSink() *followSink {
	return &followSink{h: md5.New(), gaps: map[reassembly.GapReason]int{}}
}

func (f *followSink) Data(b []byte) {
	if !f.stopped {
		f.h.Write(b)
		f.n += int64(len(b))
	}
}

func (f *followSink) Gap(g reassembly.Gap) {
	f.gaps[g.Reason]++
	switch g.Reason {
	case reassembly.GapAcked:
		if !f.stopped {
			m := fmt.Sprintf("[%d bytes missing in capture file]\x00", g.Len)
			f.h.Write([]byte(m))
			f.n += int64(len(m))
		}
	case reassembly.GapClosed, reassembly.GapOverflow:
		f.stopped = true
	}
}

func (f *followSink) End(r reassembly.EndReason) { f.end = r }

// conn is one TCP connection of the test's own small flow table: two
// directions keyed by address and port (0: the first packet's sender).
type conn struct {
	index  int
	ep     [2]string // "ip:port" of each side
	s      [2]*reassembly.Stream
	sink   [2]*followSink
	isn    [2]uint32
	syn    [2]bool
	reused bool // the 4-tuple carried an earlier connection
}

// dirOut is one direction of one of our connections.
type dirOut struct {
	c   *conn
	d   int
	key string
}

type followRow struct {
	stream     int
	src, dst   string
	bytes      int64
	md5        string
	tcpflowAgr bool
}

func readFollowRows(path string) ([]followRow, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rows []followRow
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 6 {
			continue
		}
		st, _ := strconv.Atoi(f[0])
		n, _ := strconv.ParseInt(f[3], 10, 64)
		rows = append(rows, followRow{st, f[1], f[2], n, f[4], f[5] == "1"})
	}
	return rows, nil
}

func endpoint(a netip.Addr, port uint16) string {
	return netip.AddrPortFrom(a, port).String()
}

// followCapture reassembles every TCP direction of a capture the way the
// conformance test compares them with tshark.
func followCapture(path string) ([]*conn, error) {
	table := map[string]*conn{}
	var conns []*conn
	df := defrag.New(defrag.Config{Timeout: -1})
	visit := func(p *packet.Packet, rec *capture.Record) error {
		ls := p.Layers()
		for i := range ls {
			l := &ls[i]
			if l.Proto != layers.IP && l.Proto != layers.IPv6 || l.Quoted() {
				continue
			}
			r := df.Add(0, l.Data, p.Timestamp)
			if r.Status == defrag.Complete {
				first := layers.IP
				if r.Data[0]>>4 == 6 {
					first = layers.IPv6
				}
				q := packet.NewFrom(r.Data, first)
				segment(q, table, &conns)
				return nil
			}
		}
		segment(p, table, &conns)
		return nil
	}
	err := walk.File(path, walk.Options{}, visit)
	for _, c := range conns {
		c.s[0].Close()
		c.s[1].Close()
	}
	return conns, err
}

// segment feeds a packet's TCP segment (the first TCP layer not quoted in
// an ICMP error) to its connection.
func segment(p *packet.Packet, table map[string]*conn, conns *[]*conn) {
	ls := p.Layers()
	var ip, tcp *packet.Layer
	for i := range ls {
		switch l := &ls[i]; {
		case l.Quoted():
		case l.Proto == layers.IP || l.Proto == layers.IPv6:
			ip = l
		case l.Proto == layers.TCP && ip != nil && l.HdrLen >= 20:
			tcp = l
		}
		if tcp != nil {
			break
		}
	}
	if tcp == nil || tcp.Partial() {
		return
	}
	var src, dst netip.Addr
	if ip.Proto == layers.IP {
		src, _ = netip.AddrFromSlice(ip.Data[12:16])
		dst, _ = netip.AddrFromSlice(ip.Data[16:20])
	} else {
		src, _ = netip.AddrFromSlice(ip.Data[8:24])
		dst, _ = netip.AddrFromSlice(ip.Data[24:40])
	}
	h := tcp.Data
	sp, dp := binary.BigEndian.Uint16(h), binary.BigEndian.Uint16(h[2:])
	seq, ack := binary.BigEndian.Uint32(h[4:]), binary.BigEndian.Uint32(h[8:])
	flags := reassembly.Flags(h[13])
	a, b := endpoint(src, sp), endpoint(dst, dp)
	key := a + "|" + b
	if b < a {
		key = b + "|" + a
	}
	c := table[key]
	dir := 0
	if c != nil && c.ep[0] != a {
		dir = 1
	}
	if c != nil && flags&(reassembly.SYN|reassembly.ACK) == reassembly.SYN {
		// A new SYN on a used 4-tuple: a new connection when the old one
		// ended or started with another initial sequence number.
		if (c.s[0].Ended() && c.s[1].Ended()) || c.s[0].Ended() && !c.s[1].Started() || c.syn[dir] && c.isn[dir] != seq {
			c.s[0].Close()
			c.s[1].Close()
			c = nil
			defer func() { table[key].reused = true }()
		}
	}
	if c == nil {
		c = &conn{index: len(*conns), ep: [2]string{a, b}}
		for d := range c.s {
			c.sink[d] = newFollowSink()
			c.s[d] = reassembly.NewStream(reassembly.Config{}, c.sink[d])
		}
		table[key] = c
		*conns = append(*conns, c)
		dir = 0
	}
	if flags&reassembly.SYN != 0 && c.s[dir].Ended() && c.syn[dir] != true {
		// A SYN after this direction was reset before it ever started
		// (a RST out of the blue): the direction starts afresh.
		c.s[dir].Init(reassembly.Config{}, c.sink[dir])
	}
	if flags&reassembly.SYN != 0 && !c.syn[dir] {
		c.syn[dir], c.isn[dir] = true, seq
	}
	if flags&reassembly.ACK != 0 {
		c.s[1-dir].Ack(ack)
	}
	payload := tcp.Data[min(tcp.HdrLen, len(tcp.Data)):]
	wire := max(tcp.Reported-tcp.HdrLen, len(payload))
	c.s[dir].SegmentLen(seq, flags, payload, wire)
}

// TestFollowCorpus compares every TCP direction's reassembled bytes with
// tshark's `-z follow,tcp,raw` (precomputed under
// $PKTKIT_CORPUS/_expected/tshark-follow): the multisets of (src, dst,
// bytes, md5) per capture. It reports agreement overall and where tcpflow
// agrees with tshark, requires at least 97% of the latter, and writes the
// differing directions with a reason to $PKTKIT_FOLLOW_REPORT (default: a
// file in the test's temporary directory).
func TestFollowCorpus(t *testing.T) {
	dir := os.Getenv("PKTKIT_CORPUS")
	if dir == "" {
		if os.Getenv("PKTKIT_REQUIRE_ORACLES") == "1" {
			t.Fatal("PKTKIT_CORPUS is not set")
		}
		t.Skip("PKTKIT_CORPUS is not set")
	}
	expDir := filepath.Join(dir, "_expected", "tshark-follow")
	var files []string
	filepath.WalkDir(expDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".follow.tsv") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("no tshark-follow expectations found")
	}
	reportPath := os.Getenv("PKTKIT_FOLLOW_REPORT")
	if reportPath == "" {
		reportPath = filepath.Join(t.TempDir(), "follow-report.tsv")
	}
	rf, err := os.Create(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	report := bufio.NewWriter(rf)
	defer report.Flush()
	fmt.Fprintln(report, "capture\tstream\tsrc\tdst\ttshark_bytes\tour_bytes\ttcpflow_agrees\treason")

	var total, matched, agreed, agreedMatched, extra int
	reasons := map[string]int{}
	for _, ef := range files {
		rel, _ := filepath.Rel(expDir, ef)
		rel = strings.TrimSuffix(rel, ".follow.tsv")
		rows, err := readFollowRows(ef)
		if err != nil {
			t.Fatal(err)
		}
		conns, werr := followCapture(filepath.Join(dir, rel))
		ours := map[string][]dirOut{} // src|dst|bytes|md5
		byPair := map[string][]dirOut{}
		reuse := map[string]int{}
		for _, c := range conns {
			reuse[c.ep[0]+"|"+c.ep[1]]++
			reuse[c.ep[1]+"|"+c.ep[0]]++
			for d := 0; d < 2; d++ {
				s := c.sink[d]
				src, dst := c.ep[d], c.ep[1-d]
				k := fmt.Sprintf("%s|%s|%d|%s", src, dst, s.n, hex.EncodeToString(s.h.Sum(nil)))
				o := dirOut{c, d, k}
				byPair[src+"|"+dst] = append(byPair[src+"|"+dst], o)
				if s.n > 0 {
					ours[k] = append(ours[k], o)
				}
			}
		}
		used := map[string]int{}
		for _, r := range rows {
			total++
			if r.tcpflowAgr {
				agreed++
			}
			k := fmt.Sprintf("%s|%s|%d|%s", r.src, r.dst, r.bytes, r.md5)
			if used[k] < len(ours[k]) {
				used[k]++
				matched++
				if r.tcpflowAgr {
					agreedMatched++
				}
				continue
			}
			reason, ourBytes := explain(byPair[r.src+"|"+r.dst], r, reuse[r.src+"|"+r.dst] > 1, werr)
			reasons[reason]++
			fmt.Fprintf(report, "%s\t%d\t%s\t%s\t%d\t%s\t%v\t%s\n", rel, r.stream, r.src, r.dst, r.bytes, ourBytes, r.tcpflowAgr, reason)
		}
		for k, v := range ours {
			for _, o := range v[used[k]:] {
				extra++
				f := strings.Split(k, "|")
				fmt.Fprintf(report, "%s\t%d\t%s\t%s\t-\t%s\t-\tonly ours\n", rel, o.c.index, f[0], f[1], f[2])
			}
		}
	}
	pct := func(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }
	t.Logf("tshark directions matched: %d/%d (%.2f%%); where tcpflow agrees: %d/%d (%.2f%%); our directions tshark lacks: %d",
		matched, total, pct(matched, total), agreedMatched, agreed, pct(agreedMatched, agreed), extra)
	var rs []string
	for r, n := range reasons {
		rs = append(rs, fmt.Sprintf("%d %s", n, r))
	}
	sort.Strings(rs)
	t.Logf("differences by reason: %s; report: %s", strings.Join(rs, "; "), reportPath)
	if pct(agreedMatched, agreed) < 97 {
		t.Errorf("only %.2f%% of the directions where tshark and tcpflow agree match", pct(agreedMatched, agreed))
	}
}

// explain gives the likely reason why none of our directions between the
// same endpoints matches a tshark row, and our byte counts for them.
func explain(cands []dirOut, r followRow, reused bool, werr error) (string, string) {
	var counts []string
	var why []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			why = append(why, s)
		}
	}
	for _, o := range cands {
		s := o.c.sink[o.d]
		counts = append(counts, strconv.FormatInt(s.n, 10))
		st := o.c.s[o.d].Stats()
		if s.gaps[reassembly.GapAcked] > 0 {
			add("hole acked by the peer")
		}
		if s.gaps[reassembly.GapClosed] > 0 {
			add("hole never filled")
		}
		if s.gaps[reassembly.GapTruncated] > 0 {
			add("snap length")
		}
		if st.AfterEnd > 0 {
			add("data after FIN/RST (tshark ignores both)")
		}
		if st.Duplicate > 0 && s.n == r.bytes {
			add("same length, other bytes (overlapping retransmission?)")
		}
		if st.MidStream {
			add("no SYN")
		}
	}
	switch {
	case len(cands) == 0 && werr != nil:
		add("capture error: " + werr.Error())
	case len(cands) == 0:
		add("direction not found (not dissected as TCP over IP)")
	}
	if reused {
		add("4-tuple reused")
	}
	if len(why) == 0 {
		add("unexplained")
	}
	if len(counts) == 0 {
		counts = []string{"-"}
	}
	return strings.Join(why, ", "), strings.Join(counts, ",")
}
