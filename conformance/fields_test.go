package conformance

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"pktkit/capture"
	"pktkit/extract"
	"pktkit/packet"
	"pktkit/walk"
)

// TestFieldsAgainstTshark compares `pktkit fields` with tshark's output for
// the fields of _expected/fields.txt over every corpus capture with a
// supported link type, cell by cell, and writes every difference to a
// report. The expected outputs were made by tshark 4.0.17 with
// `tshark -n -T fields -E header=y -E occurrence=a -E aggregator=, -o
// tcp.desegment_tcp_streams:FALSE -o ip.defragment:FALSE -o
// ipv6.defragment:FALSE` (TZ=UTC); TestTsharkOracleLive re-runs tshark on a
// sample to keep them honest.
func TestFieldsAgainstTshark(t *testing.T) {
	dir := corpusDir(t)
	exp := filepath.Join(dir, "_expected", "tshark-fields")
	failed := map[string]bool{}
	if b, err := os.ReadFile(filepath.Join(exp, "_tshark_failed.txt")); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			failed[strings.TrimSpace(l)] = true
		}
	}
	type stat struct{ cells, equal int }
	perField := map[string]*stat{}
	var total stat
	report := &strings.Builder{}
	fmt.Fprintf(report, "file\tpacket\tfield\ttshark\tpktkit\tcategory\n")
	files := 0
	categories := map[string]int{}
	for _, e := range readIndex(t, dir) {
		if !e.supported() || failed[e.Path] {
			continue
		}
		want, header, err := readTSV(filepath.Join(exp, e.Path+".tsv"))
		if err != nil {
			continue
		}
		if e.Packets >= 0 && len(want) != e.Packets {
			// tshark shows some pcapng blocks that hold no packet (custom
			// blocks) as frames: rows do not line up with packets.
			cat := fmt.Sprintf("tshark has %d rows for %d packets (non-packet blocks shown as frames); capture skipped", len(want), e.Packets)
			fmt.Fprintf(report, "%s\t\t\t\t\t%s\n", e.Path, cat)
			categories["capture skipped: tshark shows non-packet pcapng blocks as frames"]++
			continue
		}
		var known []string
		for _, h := range header {
			if _, err := packet.LookupField(h); err == nil {
				known = append(known, h)
			}
		}
		cols, err := extract.Compile(known)
		if err != nil {
			t.Fatalf("%s: %v", e.Path, err)
		}
		files++
		i := 0
		var buf []byte
		werr := walk.File(filepath.Join(dir, e.Path), walk.Options{}, func(p *packet.Packet, rec *capture.Record) error {
			if i >= len(want) {
				i++
				return nil
			}
			buf = cols.AppendRow(buf[:0], p)
			vals := strings.Split(strings.TrimSuffix(string(buf), "\n"), "\t")
			got := make([]string, len(header))
			for j, k := 0, 0; j < len(header) && k < len(known); j++ {
				if header[j] == known[k] {
					got[j] = vals[k]
					k++
				}
			}
			row := want[i]
			i++
			for j, name := range header {
				w := ""
				if j < len(row) {
					w = row[j]
				}
				s := perField[name]
				if s == nil {
					s = &stat{}
					perField[name] = s
				}
				s.cells++
				total.cells++
				if got[j] == w {
					s.equal++
					total.equal++
					continue
				}
				cat := categorize(p, e.Path, name, w, got[j])
				categories[cat]++
				fmt.Fprintf(report, "%s\t%d\t%s\t%s\t%s\t%s\n", e.Path, rec.Number, name, w, got[j], cat)
			}
			return nil
		})
		if werr != nil && e.Packets >= 0 {
			t.Errorf("%s: %v", e.Path, werr)
		}
		if i != len(want) && werr == nil {
			t.Errorf("%s: tshark has %d packets, pktkit %d", e.Path, len(want), i)
		}
	}
	if files == 0 {
		t.Fatal("no capture compared")
	}
	names := make([]string, 0, len(perField))
	for n := range perField {
		names = append(names, n)
	}
	sort.Strings(names)
	var sum strings.Builder
	fmt.Fprintf(&sum, "%d captures, %d cells, %d equal (%.3f%%)\n", files, total.cells, total.equal, 100*float64(total.equal)/float64(total.cells))
	for _, n := range names {
		s := perField[n]
		fmt.Fprintf(&sum, "  %-28s %7d/%-7d %.3f%%\n", n, s.equal, s.cells, 100*float64(s.equal)/float64(s.cells))
	}
	cats := make([]string, 0, len(categories))
	for c := range categories {
		cats = append(cats, c)
	}
	sort.Slice(cats, func(i, j int) bool { return categories[cats[i]] > categories[cats[j]] })
	fmt.Fprintf(&sum, "differences by category:\n")
	for _, c := range cats {
		fmt.Fprintf(&sum, "  %6d  %s\n", categories[c], c)
	}
	path := reportPath("fields-vs-tshark.tsv")
	if err := os.WriteFile(path, []byte(report.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(reportPath("fields-vs-tshark-summary.txt"), []byte(sum.String()), 0o644)
	t.Logf("%s\nreport: %s", sum.String(), path)
	agree := float64(total.equal) / float64(total.cells)
	if agree < minAgreement {
		t.Errorf("agreement %.3f%% is below %.3f%%", 100*agree, 100*minAgreement)
	}
	if n := categories[unexplained]; n > 0 {
		t.Errorf("%d differences are not explained (see the report's %q rows)", n, unexplained)
	}
}

// minAgreement is the share of equal cells required.
const minAgreement = 0.995

const unexplained = "unexplained"

// knownCauses explains differences found in particular captures (found by
// reading them against tshark's protocol tree).
var knownCauses = map[string]string{
	"zeek/testing/btest/Traces/cisco-fabric-path.pcap":                   cfpFCS,
	"ndpi/tests/cfgs/default/pcap/ajp.pcap":                              cfpFCS,
	"tcpdump/tests/DTP.pcap":                                             "Cisco ISL encapsulation: tshark decodes ISL and its inner frame; pktkit has no ISL table",
	"pcapplusplus/Tests/Packet++Test/PacketExamples/dns_over_tcp.pcapng": "a retransmitted segment: tshark's TCP analysis hands its payload to no dissector (per-stream TCP analysis is the connections issue)",
	"zeek/testing/btest/Traces/dns/tkey.pcap":                            "segments continuing a DNS/TCP message: tshark follows DNS over TCP across segments even with reassembly off",
	"zeek/testing/btest/Traces/rpc-portmap-sadmind.pcap":                 "ONC RPC portmap on UDP 111: pktkit has no RPC table and its DNS heuristic claims the payload",
	"arkime/tests/pcap/ospf.pcap":                                        "a TCP segment in an IPv4 first fragment inside a GRE tunnel: tshark omits tcp.len there",
}

// cfpFCS explains the differences on FabricPath frames.
const cfpFCS = "Cisco FabricPath: tshark's cfp dissector takes a frame's last 4 bytes as a FabricPath FCS, which these captures lack; pktkit leaves them to the inner packet (layers/cfp.go)"

// categorize explains a difference where it can.
func categorize(p *packet.Packet, path, field, tshark, ours string) string {
	if c, ok := knownCauses[path]; ok {
		return c
	}
	if strings.Contains(path, "bigtcp") {
		return "big TCP (IP or UDP length 0): tshark stops at the length field where pktkit reads on"
	}
	ls := p.Layers()
	last := ls[len(ls)-1]
	proto := field[:strings.IndexByte(field+".", '.')]
	if tshark != "" && ours == "" {
		have := false
		for i := range ls {
			if ls[i].Proto.Abbrev == proto {
				have = true
			}
		}
		if !have && (last.Proto == packet.Raw || last.Proto == packet.Padding) {
			return "tshark decodes " + proto + " where pktkit has no table or binding yet"
		}
	}
	if ours != "" && strings.HasPrefix(tshark, ours+",") && (last.Proto == packet.Raw || last.Proto == packet.Padding) {
		return "tshark decodes an inner header (tunnel, encapsulation or quoted packet) that pktkit leaves as data"
	}
	if ours == "" && tshark != "" && (last.Proto == packet.Raw || last.Proto == packet.Padding) {
		return "tshark decodes a protocol where pktkit has no table or binding yet"
	}
	if _, err := packet.LookupField(field); err != nil {
		return "field not registered in pktkit"
	}
	if p.Malformed() {
		return "packet malformed for pktkit: " + p.Err().Error()
	}
	return unexplained
}

func reportPath(name string) string {
	dir := os.Getenv("PKTKIT_REPORT_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "pktkit-"+name)
}

func readTSV(path string) (rows [][]string, header []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = cells
			continue
		}
		rows = append(rows, cells)
	}
	return rows, header, sc.Err()
}
