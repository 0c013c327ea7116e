package conformance

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pktkit/capture"
	"pktkit/dfilter"
	"pktkit/internal/oracle"
	"pktkit/packet"
	"pktkit/walk"
)

// conformanceFilters cover every operator and literal form of the display
// filter language (see package dfilter). Each is run by tshark and by
// pktkit over the corpus; the selected frame numbers must be equal.
var conformanceFilters = []string{
	// existence, protocols, logic
	`tcp`,
	`udp && !dns`,
	`dns.qry.name`,
	`not (tcp or udp)`,
	`!ip and !ipv6`,
	`(tcp || udp) && ip.ttl < 10`,
	// comparison operators, symbols and words
	`ip.ttl > 32`,
	`tcp.dstport == 443 and ip.ttl > 32`,
	`tcp.srcport eq 80 or udp.srcport eq 53`,
	`tcp.srcport != 80`,
	`tcp.srcport != -1`,
	`ip.ttl > -1`,
	`ip.ttl ne 64`,
	`ip.len >= 1400`,
	`ip.len le 60`,
	`frame.len lt 64`,
	`frame.len gt 1000 && tcp`,
	`tcp.dstport ge 1024 and tcp.srcport < 1024`,
	`ip.ttl === 64`,
	`ip.ttl ~= 64`,
	`ip.ttl all_eq 64`,
	`ip.ttl any_ne 64`,
	// flags and bitwise and
	`tcp.flags.syn == 1 && tcp.flags.ack == 0`,
	`tcp.flags.reset == True`,
	`tcp.flags & 0x12 == 0x12`,
	`tcp.flags & 0x04`,
	`ip.flags.df == 1`,
	`ip.flags & 0x1`,
	`ip.dsfield.dscp == 46 or ip.dsfield.ecn != 0`,
	// number literals
	`eth.type == 0x0800`,
	`eth.type == 0x86dd`,
	`ip.proto == 17`,
	`ip.proto == 021`,
	`udp.length == 0b100100`,
	`frame.len == 'D'`,
	// addresses
	`ip.addr == 10.0.0.0/8`,
	`ip.src == 192.168.0.0/16 and ip.dst == 192.168.0.0/16`,
	`ip.dst == 224.0.0.251`,
	`ip.src == ip.dst`,
	`ip.dst > 200.0.0.0`,
	`ipv6.addr == fe80::/10`,
	`ipv6.dst == ff02::1:3`,
	`ipv6.src == ::`,
	`eth.dst == ff:ff:ff:ff:ff:ff`,
	`eth.addr == 01-00-5e-00-00-fb`,
	`eth.dst == 3333.0000.0001`,
	// slices and byte strings
	`eth.src[0:3] == 00:0c:29`,
	`frame[12:2] == 08:00`,
	`frame[0-1] == ff:ff`,
	`frame[-4:] == 00:00:00:00`,
	`eth.dst[0] == 01`,
	`ip.src[:2] == c0:a8`,
	`tcp[13] == 12`,
	`udp[2:2] == 00:35`,
	// membership
	`tcp.port in {80, 443, 8000..8080}`,
	`udp.port in {53, 67..68, 123}`,
	`tcp.dstport not in {80, 443}`,
	`frame.number in {5..7}`,
	`ip.dst in {224.0.0.0/4, 255.255.255.255}`,
	// contains, matches, strings
	`tcp contains "HTTP"`,
	`udp contains 00:00:00`,
	`frame contains "GET "`,
	`frame contains 0x47`,
	`frame matches "http/1\\.[01]"`,
	`dns.qry.name contains "google"`,
	`dns.qry.name matches "\\.(com|net)$"`,
	`dns.qry.name == "www.google.com"`,
	`dns.qry.name == www.google.com`,
	`frame contains "\x08\x00\x45"`,
	`tcp contains "\r\n\r\n"`,
	// DNS, ICMP, ARP fields
	`dns.flags.response == 0`,
	`dns.qry.type == 28`,
	`dns.count.answers >= 2`,
	`icmp.type == 3`,
	`arp.opcode == 2`,
	`vlan`,
	// frame fields
	`frame.protocols contains "dns"`,
	`frame.number <= 10`,
	`frame.time_delta > 1.5`,
	`frame.time_relative < 0.001`,
	`frame.time_epoch >= 1300000000.5`,
	// two-way pseudo-fields with repeated occurrences (ICMP errors)
	`ip.addr != 10.0.0.1`,
	`tcp.port == 80 and not tcp.srcport == 80`,
	// conversation numbers (an analysis over every packet in order)
	`tcp.stream == 3`,
	`udp.stream in {0..2} and not dns`,
	`tcp.stream > 40 and tcp.flags.syn == 1`,
}

// rejectedFilters are filters tshark 4.0 rejects; pktkit must reject them
// too (TestRejectedFilters checks both).
var rejectedFilters = []string{
	`tcp.port in {80 443}`,
	`ip.src == 300.1.1.1`,
	`ip.ttl == 300`,
	`tcp.flgs.syn == 1`,
	`ip AND tcp`,
	`tcp.flags.syn == 1 xor tcp.flags.ack == 1`,
	`(tcp`,
	`tcp)`,
	`tcp.port ==`,
	`== 80`,
	`80 == tcp.port`,
	`ip.src == 1.2.3`,
	`eth.src == 00:11:22:33:44`,
	`frame contains`,
	`frame matches "("`,
	`tcp.port in {}`,
	`ip.ttl == 1.5`,
	`tcp.port in {80,, 443}`,
	`ipv6.src == 1.2.3.4`,
	`ip.src == "10.0.0.1`,
	`tcp.port in {80, 443`,
	`ip.ttl contains 3`,
	`tcp.flags.syn == 1 and`,
	`dns.qry.name ==`,
	`frame matches "http/1\.[01]"`,
	`ip.ttl == 64 xor ip.ttl == 1`,
	`eth.src[0:3 == 00:0c:29`,
}

func requireTool(t testing.TB, name string) { oracle.Require(t, name) }

var tsharkOpts = []string{"-n", "-o", "tcp.desegment_tcp_streams:FALSE", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"}

// tshark runs tshark on a capture with the conformance options and more
// arguments, and returns its standard output.
func tshark(path string, more ...string) ([]byte, error) {
	args := append([]string{"-r", path}, tsharkOpts...)
	cmd := exec.Command("tshark", append(args, more...)...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("tshark %s: %v: %s", strings.Join(more, " "), err, stderr.String())
	}
	return out, nil
}

// tsharkFilter returns the frame numbers tshark selects with -Y.
func tsharkFilter(path, filter string) ([]int, error) {
	out, err := tshark(path, "-Y", filter, "-T", "fields", "-e", "frame.number")
	if err != nil {
		return nil, err
	}
	var nums []int
	for _, l := range strings.Fields(string(out)) {
		n, err := strconv.Atoi(l)
		if err != nil {
			return nil, fmt.Errorf("tshark -Y %q: bad frame number %q", filter, l)
		}
		nums = append(nums, n)
	}
	return nums, nil
}

// chunk is a merged file of captures of one link type.
type chunk struct {
	path  string
	files []string // captures in merge order
	ends  []int    // cumulative packet counts: capture i has frames ends[i-1]+1..ends[i]
}

// locate maps a merged frame number to its capture and frame.
func (c *chunk) locate(n int) (string, int) {
	i := sort.SearchInts(c.ends, n)
	start := 0
	if i > 0 {
		start = c.ends[i-1]
	}
	if i >= len(c.files) {
		return "?", n
	}
	return c.files[i], n - start
}

// mergecap concatenates captures into a nanosecond pcap file.
func mergecap(dir, out string, es []entry) error {
	args := []string{"-a", "-F", "nsecpcap", "-w", out}
	for _, e := range es {
		args = append(args, filepath.Join(dir, e.Path))
	}
	if msg, err := exec.Command("mergecap", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("mergecap: %v: %s", err, strings.TrimSpace(string(msg)))
	}
	return nil
}

// badForMerge finds the captures mergecap cannot merge, by halving.
func badForMerge(dir, scratch string, es []entry) (bad []entry, why []string) {
	err := mergecap(dir, scratch, es)
	if err == nil {
		return nil, nil
	}
	if len(es) == 1 {
		return es, []string{err.Error()}
	}
	b1, w1 := badForMerge(dir, scratch, es[:len(es)/2])
	b2, w2 := badForMerge(dir, scratch, es[len(es)/2:])
	return append(b1, b2...), append(w1, w2...)
}

// mergeChunks merges the captures of one link type with mergecap -a into
// one pcap file, leaving out (and returning) captures mergecap cannot
// merge.
func mergeChunks(t *testing.T, dir, tmp string, link uint32, es []entry) (chunks []*chunk, skipped []string) {
	out := filepath.Join(tmp, fmt.Sprintf("link%d.pcap", link))
	if err := mergecap(dir, out, es); err != nil {
		bad, why := badForMerge(dir, filepath.Join(tmp, "scratch.pcap"), es)
		isBad := map[string]bool{}
		for i, e := range bad {
			isBad[e.Path] = true
			skipped = append(skipped, e.Path+"\t"+why[i])
		}
		var good []entry
		for _, e := range es {
			if !isBad[e.Path] {
				good = append(good, e)
			}
		}
		es = good
		if len(es) == 0 {
			return nil, skipped
		}
		if err := mergecap(dir, out, es); err != nil {
			t.Fatalf("link type %d: %v", link, err)
		}
	}
	c := &chunk{path: out}
	total := 0
	for _, e := range es {
		total += e.Packets
		c.files = append(c.files, e.Path)
		c.ends = append(c.ends, total)
	}
	return []*chunk{c}, skipped
}

// ioStatFilter reports whether tshark can run the filter as an io,stat
// column (tshark splits -z arguments at commas), with time stamps
// rewritten (time filters need the real ones).
func ioStatFilter(f string) bool {
	return !strings.Contains(f, ",") && !strings.Contains(f, "frame.time")
}

// retimed writes a copy of a capture whose packets are one second apart
// (editcap -S -1), followed by a copy of its first packet: io,stat leaves
// out the packet at the very end of the capture.
func retimed(path string) (string, error) {
	first, extended, out := path+"-first", path+"-extended", path+"-retimed"
	for _, args := range [][]string{
		{"editcap", "-r", path, first, "1"},
		{"mergecap", "-a", "-F", "pcapng", "-w", extended, path, first},
		{"editcap", "-S", "-1", extended, out},
	} {
		if msg, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			return "", fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, msg)
		}
	}
	return out, nil
}

// tsharkIOStat runs many filters in one pass: the capture's packets are
// one second apart (editcap -S -1), so each one-second io,stat interval
// holds one frame, and each column says whether the frame passes a filter
// (frames past last are left out).
func tsharkIOStat(path string, filters []string, last int) ([][]int, error) {
	out, err := tshark(path, "-q", "-z", "io,stat,1,"+strings.Join(filters, ","))
	if err != nil {
		return nil, err
	}
	res := make([][]int, len(filters))
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.Contains(line, "<>") {
			continue
		}
		cells := strings.Split(line, "|")
		// "", interval, then frames and bytes per filter, "".
		if len(cells) < 2+2*len(filters) {
			return nil, fmt.Errorf("tshark io,stat: short row %q", line)
		}
		// "12 <> 13", "0.000 <> 1.000" (short captures) or "80476 <> Dur".
		startF, err := strconv.ParseFloat(strings.TrimSpace(strings.Split(cells[1], "<>")[0]), 64)
		start := int(startF)
		if err != nil || float64(start) != startF {
			return nil, fmt.Errorf("tshark io,stat: bad interval in %q", line)
		}
		for i := range filters {
			n, err := strconv.Atoi(strings.TrimSpace(cells[2+2*i]))
			if err != nil || n > 1 {
				return nil, fmt.Errorf("tshark io,stat: bad count in %q", line)
			}
			if n == 1 && start < last {
				res[i] = append(res[i], start+1)
			}
		}
	}
	return res, nil
}

// TestFiltersAgainstTshark runs every filter of conformanceFilters with
// tshark and with pktkit over the corpus and requires the same frames.
// Captures of one link type are merged with mergecap first so that tshark
// runs once per filter and merged file; differing frames are mapped back
// to their capture and listed in the report (PKTKIT_REPORT_DIR).
func TestFiltersAgainstTshark(t *testing.T) {
	dir := corpusDir(t)
	requireTool(t, "tshark")
	requireTool(t, "mergecap")
	requireTool(t, "editcap")
	failed := map[string]bool{}
	if b, err := os.ReadFile(filepath.Join(dir, "_expected", "tshark-fields", "_tshark_failed.txt")); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			failed[strings.TrimSpace(l)] = true
		}
	}
	report := &strings.Builder{}
	fmt.Fprintf(report, "filter\tcapture\tframe\ttshark\tpktkit\tcause\ttshark frame.protocols\tpktkit frame.protocols\n")
	var skippedList []string
	byLink := map[uint32][]entry{}
	for _, e := range readIndex(t, dir) {
		switch {
		case failed[e.Path]:
			skippedList = append(skippedList, e.Path+"\ttshark cannot read it")
		case e.Packets <= 0:
			skippedList = append(skippedList, e.Path+"\tno packet count (malformed on purpose) or no packets")
		case len(e.LinkTypes) != 1:
			skippedList = append(skippedList, e.Path+"\tseveral link types (mergecap cannot write them to pcap)")
		case !e.supported():
			skippedList = append(skippedList, e.Path+"\tlink type not dissected by pktkit")
		default:
			byLink[e.LinkTypes[0]] = append(byLink[e.LinkTypes[0]], e)
		}
	}
	tmp := t.TempDir()
	t0 := time.Now()
	var chunks []*chunk
	links := make([]uint32, 0, len(byLink))
	for l := range byLink {
		links = append(links, l)
	}
	sort.Slice(links, func(i, j int) bool { return links[i] < links[j] })
	for _, l := range links {
		cs, sk := mergeChunks(t, dir, tmp, l, byLink[l])
		chunks = append(chunks, cs...)
		skippedList = append(skippedList, sk...)
	}
	if len(chunks) == 0 {
		t.Fatal("no capture merged")
	}
	// One pcapng file for all link types: tshark's start-up, not its
	// dissection, is what small files cost.
	all := &chunk{path: filepath.Join(tmp, "all.pcapng")}
	args := []string{"-a", "-F", "pcapng", "-w", all.path}
	for _, c := range chunks {
		args = append(args, c.path)
		base := 0
		if len(all.ends) > 0 {
			base = all.ends[len(all.ends)-1]
		}
		all.files = append(all.files, c.files...)
		for _, e := range c.ends {
			all.ends = append(all.ends, base+e)
		}
	}
	if msg, err := exec.Command("mergecap", args...).CombinedOutput(); err != nil {
		t.Fatalf("mergecap: %v: %s", err, msg)
	}
	chunks = []*chunk{all}
	t.Logf("merged in %v", time.Since(t0))

	compiled := make([]*dfilter.Filter, len(conformanceFilters))
	for i, f := range conformanceFilters {
		var err error
		if compiled[i], err = dfilter.Compile(f); err != nil {
			t.Fatalf("pktkit rejects %q: %v", f, err)
		}
	}

	// tshark, in parallel: per merged file, one io,stat pass for most
	// filters over a copy with rewritten time stamps, and one -Y run for
	// each of the others.
	want := make([][][]int, len(conformanceFilters))
	for i := range want {
		want[i] = make([][]int, len(chunks))
	}
	var ioIdx []int
	var ioFilters []string
	for i, f := range conformanceFilters {
		if ioStatFilter(f) {
			ioIdx = append(ioIdx, i)
			ioFilters = append(ioFilters, f)
		}
	}
	// f: a filter's -Y run; ioStatJob: the io,stat pass; protocolsJob:
	// frame.protocols of every frame (to classify differences).
	const ioStatJob, protocolsJob = -1, -2
	type job struct{ f, c int }
	tsProtos := make([]map[int]string, len(chunks))
	jobs := make(chan job)
	var mu sync.Mutex
	var errs []string
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				c := chunks[j.c]
				jt := time.Now()
				if j.f == protocolsJob {
					m, err := tsharkProtocols(c.path)
					mu.Lock()
					if err != nil {
						errs = append(errs, err.Error())
					}
					tsProtos[j.c] = m
					mu.Unlock()
					continue
				}
				if j.f == ioStatJob {
					rt, err := retimed(c.path)
					var res [][]int
					if err == nil {
						res, err = tsharkIOStat(rt, ioFilters, c.ends[len(c.ends)-1])
					}
					mu.Lock()
					if err != nil {
						errs = append(errs, c.path+": "+err.Error())
					}
					for k, fi := range ioIdx {
						if k < len(res) {
							want[fi][j.c] = res[k]
						}
					}
					mu.Unlock()
					t.Logf("io,stat %s: %v", filepath.Base(c.path), time.Since(jt))
					continue
				}
				nums, err := tsharkFilter(c.path, conformanceFilters[j.f])
				mu.Lock()
				if err != nil {
					errs = append(errs, err.Error())
				}
				want[j.f][j.c] = nums
				mu.Unlock()
				if d := time.Since(jt); d > 5*time.Second {
					t.Logf("-Y %q %s: %v", conformanceFilters[j.f], filepath.Base(c.path), d)
				}
			}
		}()
	}
	go func() {
		// Biggest files first, io,stat passes before -Y runs.
		order := make([]int, len(chunks))
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(a, b int) bool { return len(chunks[order[a]].files) > len(chunks[order[b]].files) })
		for _, c := range order {
			jobs <- job{ioStatJob, c}
			jobs <- job{protocolsJob, c}
		}
		for _, c := range order {
			for f, flt := range conformanceFilters {
				if !ioStatFilter(flt) {
					jobs <- job{f, c}
				}
			}
		}
		close(jobs)
	}()
	// pktkit meanwhile, in this goroutine.
	got := make([][][]int, len(conformanceFilters))
	for i := range got {
		got[i] = make([][]int, len(chunks))
	}
	counts := make([]int, len(chunks))
	var analyses []*packet.Analysis // what the filters' fields need (tcp.stream)
	for _, f := range compiled {
		analyses = append(analyses, f.Analyses()...)
	}
	for ci, c := range chunks {
		err := walk.File(c.path, walk.Options{Analyses: analyses}, func(p *packet.Packet, rec *capture.Record) error {
			counts[ci]++
			for fi, f := range compiled {
				if f.Match(p) {
					got[fi][ci] = append(got[fi][ci], rec.Number)
				}
			}
			return nil
		})
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
		}
	}
	t.Logf("pktkit done at %v", time.Since(t0))
	wg.Wait()
	t.Logf("tshark done at %v", time.Since(t0))
	if len(errs) > 0 {
		t.Fatalf("tshark failed:\n%s", strings.Join(errs, "\n"))
	}
	for ci, c := range chunks {
		if n := c.ends[len(c.ends)-1]; counts[ci] != n {
			t.Errorf("%s: pktkit reads %d packets, the index says %d: frames map back to captures wrongly", c.path, counts[ci], n)
		}
	}

	// The differing frames, then each tool's protocol chain for them: a
	// difference where the two dissect the frame into different protocols
	// that the filter names is a dissection matter (tables, bindings),
	// reported but explained; one where they agree is the filter's.
	type diff struct{ f, c, n int }
	var diffs []diff
	frames := 0
	need := make([]map[int]bool, len(chunks))
	for fi := range conformanceFilters {
		for ci := range chunks {
			w, g := toSet(want[fi][ci]), toSet(got[fi][ci])
			frames += len(w)
			var ns []int
			for n := range w {
				if !g[n] {
					ns = append(ns, n)
				}
			}
			for n := range g {
				if !w[n] {
					ns = append(ns, n)
				}
			}
			sort.Ints(ns)
			for _, n := range ns {
				diffs = append(diffs, diff{fi, ci, n})
				if need[ci] == nil {
					need[ci] = map[int]bool{}
				}
				need[ci][n] = true
			}
		}
	}
	type pkInfo struct {
		protos    string
		malformed string // the packet's layer error, if any
		ts        int64  // the latest of its, the previous and the first time stamp
	}
	pkProtos := make([]map[int]pkInfo, len(chunks))
	for ci, c := range chunks {
		if need[ci] == nil {
			continue
		}
		pkProtos[ci] = map[int]pkInfo{}
		walk.File(c.path, walk.Options{Want: func(n int) bool { return need[ci][n] }}, func(p *packet.Packet, rec *capture.Record) error {
			info := pkInfo{protos: string(p.AppendProtocols(nil)), ts: max(p.Timestamp, p.PrevTime, p.FirstTime)}
			if err := p.Err(); err != nil {
				info.malformed = err.Error()
			}
			pkProtos[ci][rec.Number] = info
			return nil
		})
	}
	if len(errs) > 0 {
		t.Fatalf("tshark failed:\n%s", strings.Join(errs, "\n"))
	}
	unexplainedN, explainedN := 0, 0
	causes := map[string]int{}
	perFilter := map[string]int{}
	for _, d := range diffs {
		f, c := conformanceFilters[d.f], chunks[d.c]
		capt, fr := c.locate(d.n)
		tp, info := tsProtos[d.c][d.n], pkProtos[d.c][d.n]
		pp := info.protos
		cause := filterCause(f, capt)
		if cause == unexplained {
			if p := dissectionDiffers(f, tp, pp); p != "" {
				cause = "tshark and pktkit dissect the frame differently in " + p + " (see frame.protocols)"
			}
		}
		if cause == unexplained && info.malformed != "" {
			cause = "malformed packet: tshark stops adding the fields of a bad header where pktkit still reads them (as in the fields test)"
			pp += " [" + info.malformed + "]"
		}
		if cause == unexplained && info.ts >= 1<<31*1e9 && strings.Contains(f, "frame.time") {
			cause = "time past 2038: tshark 4.0 compares it as a negative 32-bit time (frame.time_epoch < 0 is true there)"
		}
		if cause == unexplained {
			unexplainedN++
		} else {
			explainedN++
		}
		causes[cause]++
		perFilter[f]++
		fmt.Fprintf(report, "%s\t%s\t%d\t%v\t%v\t%s\t%s\t%s\n", f, capt, fr,
			slices.Contains(want[d.f][d.c], d.n), slices.Contains(got[d.f][d.c], d.n), cause, tp, pp)
	}
	var sum strings.Builder
	total := 0
	for _, c := range chunks {
		total += len(c.files)
	}
	fmt.Fprintf(&sum, "%d filters over %d captures in %d merged files (%d skipped); %d frames selected by tshark; %d differing (filter, frame) pairs: %d explained, %d unexplained\n",
		len(conformanceFilters), total, len(chunks), len(skippedList), frames, explainedN+unexplainedN, explainedN, unexplainedN)
	for _, f := range conformanceFilters {
		if perFilter[f] > 0 {
			fmt.Fprintf(&sum, "  %6d  %s\n", perFilter[f], f)
		}
	}
	fmt.Fprintf(&sum, "by cause:\n")
	for c, n := range causes {
		fmt.Fprintf(&sum, "  %6d  %s\n", n, c)
	}
	fmt.Fprintf(&sum, "skipped captures:\n  %s\n", strings.Join(skippedList, "\n  "))
	path := reportPath("filters-vs-tshark.tsv")
	if err := os.WriteFile(path, []byte(report.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(reportPath("filters-vs-tshark-summary.txt"), []byte(sum.String()), 0o644)
	head := sum.String()
	if i := strings.Index(head, "skipped captures:"); i >= 0 {
		head = head[:i]
	}
	t.Logf("%s\nreport: %s", head, path)
	if unexplainedN > 0 {
		t.Errorf("%d differing frames are not explained (see %s)", unexplainedN, path)
	}
}

// tsharkProtocols returns tshark's frame.protocols for every frame.
func tsharkProtocols(path string) (map[int]string, error) {
	out, err := tshark(path, "-T", "fields", "-e", "frame.number", "-e", "frame.protocols")
	if err != nil {
		return nil, err
	}
	m := map[int]string{}
	for _, line := range strings.Split(string(out), "\n") {
		num, protos, _ := strings.Cut(line, "\t")
		if n, err := strconv.Atoi(num); err == nil {
			m[n] = protos
		}
	}
	return m, nil
}

// filterProtocols lists the protocols a filter names: the first part of
// each word outside quoted strings (ip for ip.addr). Words that are no
// protocol (keywords, hex digits) occur in no protocol chain, so they do
// no harm.
func filterProtocols(f string) []string {
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(f); i++ {
		switch c := f[i]; {
		case c == '\\' && inQuote:
			i++
		case c == '"':
			inQuote = !inQuote
		case !inQuote:
			b.WriteByte(c)
		}
	}
	var out []string
	for _, w := range strings.FieldsFunc(b.String(), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_')
	}) {
		p, _, _ := strings.Cut(w, ".")
		if p == "" || p[0] < 'a' || p[0] > 'z' || p == "frame" || slices.Contains(out, p) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// dissectionDiffers returns a protocol named by the filter that occurs a
// different number of times in the two protocol chains, or "".
func dissectionDiffers(filter, tshark, pktkit string) string {
	count := func(chain, p string) int {
		n := 0
		for _, c := range strings.Split(chain, ":") {
			if c == p {
				n++
			}
		}
		return n
	}
	for _, p := range filterProtocols(filter) {
		if count(tshark, p) != count(pktkit, p) {
			return p
		}
	}
	if strings.Contains(filter, "frame.protocols") && tshark != pktkit {
		return "frame.protocols"
	}
	return ""
}

func toSet(ns []int) map[int]bool {
	m := make(map[int]bool, len(ns))
	for _, n := range ns {
		m[n] = true
	}
	return m
}

// filterCauses explains differences found in particular captures, for
// particular filters ("" for any filter), after reading the captures
// against tshark's protocol tree.
var filterCauses = map[string]map[string]string{
	"pcapplusplus/Tests/Fuzzers/RegressionTests/regression_samples/clusterfuzz-testcase-minimized-FuzzTarget-6223613626941440": {
		"": "bogus IPv6 version after a BSD loopback header: tshark adds an ipv6 item (not in frame.protocols) before giving up, pktkit leaves the bytes as data",
	},
	"pcapplusplus/Tests/Fuzzers/RegressionTests/regression_samples/clusterfuzz-testcase-minimized-FuzzTarget-5421416466481152": {
		"": "time stamp with a fraction over one second: tshark reads it as a negative time, pktkit carries the excess into the seconds",
	},
}

// filterCause explains a differing frame where it can: by the capture's
// known dissection differences (shared with the fields test) or by a cause
// particular to filters.
func filterCause(filter, capt string) string {
	if m, ok := filterCauses[capt]; ok {
		if c, ok := m[filter]; ok {
			return c
		}
		if c, ok := m[""]; ok {
			return c
		}
	}
	if c, ok := knownCauses[capt]; ok {
		return c
	}
	return unexplained
}

// TestRejectedFilters checks that pktkit rejects each filter tshark
// rejects, and that tshark does reject them (so the list stays honest).
func TestRejectedFilters(t *testing.T) {
	requireTool(t, "tshark")
	sample, err := filepath.Abs("../testdata/sample.pcap")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rejectedFilters {
		if _, err := dfilter.Compile(f); err == nil {
			t.Errorf("pktkit accepts %q, which tshark rejects", f)
		}
		if _, err := tsharkFilter(sample, f); err == nil {
			t.Errorf("tshark accepts %q: remove it from rejectedFilters", f)
		}
	}
}
