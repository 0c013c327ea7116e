package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"pktkit/capture"
	"pktkit/extract"
	"pktkit/packet"
	"pktkit/tcpanalysis"
	"pktkit/walk"
)

// tcpAnalysisFlags are the boolean tcp.analysis.* fields; the agreement is
// measured over the frames either side flags.
var tcpAnalysisFlags = []string{
	"tcp.analysis.flags",
	"tcp.analysis.retransmission",
	"tcp.analysis.fast_retransmission",
	"tcp.analysis.spurious_retransmission",
	"tcp.analysis.out_of_order",
	"tcp.analysis.lost_segment",
	"tcp.analysis.ack_lost_segment",
	"tcp.analysis.duplicate_ack",
	"tcp.analysis.zero_window",
	"tcp.analysis.zero_window_probe",
	"tcp.analysis.zero_window_probe_ack",
	"tcp.analysis.window_full",
	"tcp.analysis.window_update",
	"tcp.analysis.keep_alive",
	"tcp.analysis.keep_alive_ack",
	"tcp.analysis.reused_ports",
}

// tcpAnalysisValues are the other fields; the agreement is measured over
// the frames where either side has a value.
var tcpAnalysisValues = []string{
	"tcp.seq", "tcp.ack", "tcp.nxtseq", "tcp.completeness", "tcp.window_size",
	"tcp.time_relative", "tcp.time_delta",
	"tcp.analysis.duplicate_ack_num", "tcp.analysis.duplicate_ack_frame",
	"tcp.analysis.acks_frame", "tcp.analysis.ack_rtt", "tcp.analysis.initial_rtt",
	"tcp.analysis.bytes_in_flight",
}

// tcpAnalysisMin is the agreement each field must reach, in percent of
// the frames either side sets it on (the issue asks 99% per flag).
//
// Measured over the whole corpus (PKTKIT_TCPAN_STEP=1): every flag agrees
// on every frame (see the tcpanalysis package's tests for the tshark 4.0
// rules this needed). Of the value fields, tcp.completeness agrees on
// 99.67% of its frames and the others on 99.98% to 100% (their remaining
// differences are outside the flags' rules and not examined here).
const tcpAnalysisMin = 99.0

// tcpAnalysisStep is the default sampling step: every tcpAnalysisStep-th
// eligible capture is compared. Env PKTKIT_TCPAN_STEP overrides it (1
// compares every capture: about 10 CPU minutes, most of it tshark's, too
// long for CI; the default 7 costs about a seventh of that).
const tcpAnalysisStep = 7

// tcpAnalysisStepFromEnv returns the sampling step: PKTKIT_TCPAN_STEP when
// it is a positive integer, else tcpAnalysisStep.
func tcpAnalysisStepFromEnv(t *testing.T) int {
	v := os.Getenv("PKTKIT_TCPAN_STEP")
	if v == "" {
		return tcpAnalysisStep
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("PKTKIT_TCPAN_STEP=%q: want a positive integer", v)
	}
	return n
}

// tcpAnalysisLeftOut lists sampled captures whose TCP headers tshark and
// pktkit dissect differently although they number the streams alike: the
// analysis of their conversations cannot be compared.
var tcpAnalysisLeftOut = map[string]string{
	// Every segment is there twice, the second copy inside FabricPath:
	// tshark takes the copy's last 4 bytes as a FabricPath FCS, so its
	// TCP header is cut short and not analysed; pktkit analyses it (a
	// retransmission).
	"zeek/testing/btest/Traces/cisco-fabric-path.pcap": cfpFCS,
}

// tcpAnalysisExplained lists, per capture, fields whose values tshark
// computes differently for a reason outside the TCP analysis: their
// differences are reported as explained and left out of the field's
// agreement (the capture's other fields still count).
var tcpAnalysisExplained = map[string]map[string]string{
	"suricata-verify/tests/filestore-v2.7-stream-depth/input.pcap": {"tcp.completeness": ftpActiveSYN},
	"suricata-verify/tests/ftp/ftp-download-active/input.pcap":     {"tcp.completeness": ftpActiveSYN},
}

// ftpActiveSYN is why tshark's completeness of an active-mode FTP data
// connection lacks its SYN.
const ftpActiveSYN = "active FTP: tshark's FTP dissector sets up the data connection's conversation from the PORT command, and the server's SYN (port 20) is counted apart from it, so every later frame's tcp.completeness lacks the SYN bit (1); the same stream, sequence numbers and flags otherwise"

// TestTCPAnalysisAgainstTshark compares every TCP analysis field with
// tshark's frame by frame (first occurrence) over a sample of the corpus:
// every tcpAnalysisStep-th capture of up to 20,000 packets whose link
// types pktkit dissects, run with the conformance options. It reports, per
// field, how many frames either side sets and how many agree, writes each
// difference to the report (PKTKIT_REPORT_DIR) and requires at least
// tcpAnalysisMin (99%) agreement per flag and per value field.
func TestTCPAnalysisAgainstTshark(t *testing.T) {
	dir := corpusDir(t)
	requireTool(t, "tshark")
	entries := readIndex(t, dir)
	step := tcpAnalysisStepFromEnv(t)
	names := append(append([]string{"frame.number", "tcp.stream"}, tcpAnalysisFlags...), tcpAnalysisValues...)
	cols, err := extract.Compile(names)
	if err != nil {
		t.Fatal(err)
	}
	cols.Occurrence = 1
	args := []string{"-T", "fields", "-E", "occurrence=f"}
	for _, n := range names {
		args = append(args, "-e", n)
	}
	type tally struct{ either, agree, tsharkOnly, oursOnly int }
	tallies := map[string]*tally{}
	for _, n := range names[2:] {
		tallies[n] = &tally{}
	}
	report := &strings.Builder{}
	fmt.Fprintf(report, "capture\tframe\tfield\ttshark\tpktkit\n")
	start := time.Now()
	files, frames, skipped, dissDiff := 0, 0, 0, 0
	k := 0
	for _, e := range entries {
		if !e.supported() || e.Packets < 1 || e.Packets > 20000 {
			continue
		}
		k++
		if k%step != 0 {
			continue
		}
		path := filepath.Join(dir, e.Path)
		out, err := tshark(path, args...)
		if err != nil {
			skipped++
			continue
		}
		theirs := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if !strings.Contains(string(out), "\t") || !hasTCP(theirs) {
			continue // no TCP
		}
		var ours []string
		var buf []byte
		werr := walk.File(path, walk.Options{Analyses: cols.Analyses()}, func(p *packet.Packet, _ *capture.Record) error {
			buf = cols.AppendRow(buf[:0], p)
			ours = append(ours, strings.TrimSuffix(string(buf), "\n"))
			return nil
		})
		if werr != nil || len(ours) != len(theirs) {
			skipped++
			fmt.Fprintf(report, "%s\t\t\t%d frames\t%d frames (%v)\n", e.Path, len(theirs), len(ours), werr)
			continue
		}
		// A frame whose TCP header one side does not see (or numbers
		// differently) is a dissection difference: it changes the state
		// of the whole conversation, so the capture is left out.
		diss := ""
		for i := range theirs {
			a, b := strings.SplitN(theirs[i], "\t", 3), strings.SplitN(ours[i], "\t", 3)
			if len(a) >= 2 && len(b) >= 2 && a[1] != b[1] {
				diss = fmt.Sprintf("frame %d: tcp.stream %q vs %q", i+1, a[1], b[1])
				break
			}
		}
		if why, ok := tcpAnalysisLeftOut[e.Path]; ok && diss == "" {
			diss = why
		}
		if diss != "" {
			dissDiff++
			fmt.Fprintf(report, "%s\t\t\t\tleft out: dissection differs (%s)\n", e.Path, diss)
			continue
		}
		files++
		explained := tcpAnalysisExplained[e.Path]
		for i := range theirs {
			a, b := strings.Split(theirs[i], "\t"), strings.Split(ours[i], "\t")
			if len(a) != len(names) || len(b) != len(names) {
				continue
			}
			frames++
			for j := 2; j < len(names); j++ {
				if a[j] == "" && b[j] == "" {
					continue
				}
				if why, ok := explained[names[j]]; ok {
					if a[j] != b[j] {
						fmt.Fprintf(report, "%s\t%d\t%s\t%s\t%s\texplained: %s\n", e.Path, i+1, names[j], a[j], b[j], why)
					}
					continue
				}
				tl := tallies[names[j]]
				tl.either++
				switch {
				case a[j] == b[j]:
					tl.agree++
					continue
				case b[j] == "":
					tl.tsharkOnly++
				case a[j] == "":
					tl.oursOnly++
				}
				fmt.Fprintf(report, "%s\t%d\t%s\t%s\t%s\n", e.Path, i+1, names[j], a[j], b[j])
			}
		}
	}
	sum := &strings.Builder{}
	fmt.Fprintf(sum, "TCP analysis vs tshark (step %d): %d captures with TCP, %d frames compared; %d captures left out (dissection differs), %d skipped; %s\n",
		step, files, frames, dissDiff, skipped, time.Since(start).Round(time.Second))
	fmt.Fprintf(sum, "field\tset by either\tagree\tpercent\ttshark only\tpktkit only\n")
	keys := make([]string, 0, len(tallies))
	for n := range tallies {
		keys = append(keys, n)
	}
	sort.Strings(keys)
	for _, n := range keys {
		tl := tallies[n]
		pct := 100.0
		if tl.either > 0 {
			pct = 100 * float64(tl.agree) / float64(tl.either)
		}
		fmt.Fprintf(sum, "%s\t%d\t%d\t%.3f\t%d\t%d\n", n, tl.either, tl.agree, pct, tl.tsharkOnly, tl.oursOnly)
		if pct < tcpAnalysisMin {
			t.Errorf("%s: %.3f%% agreement (%d of %d frames), below %.1f%%", n, pct, tl.agree, tl.either, tcpAnalysisMin)
		}
	}
	t.Log(sum.String())
	rp := reportPath("tcpanalysis.tsv")
	if err := os.WriteFile(rp, []byte(sum.String()+"\n"+report.String()), 0o644); err == nil {
		t.Logf("report: %s", rp)
	}
	if files == 0 {
		t.Error("no capture with TCP compared")
	}
	_ = tcpanalysis.Analysis
}

// hasTCP reports whether some row has a tcp.stream.
func hasTCP(rows []string) bool {
	for _, r := range rows {
		if c := strings.SplitN(r, "\t", 3); len(c) >= 2 && c[1] != "" {
			return true
		}
	}
	return false
}
