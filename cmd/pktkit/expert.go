package main

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"

	"pktkit/capture"
	"pktkit/internal/progress"
	"pktkit/packet"
	"pktkit/tcpanalysis"
	"pktkit/walk"
)

func init() {
	register(&command{
		name:    "expert",
		summary: "TCP anomalies by kind and by connection, like tshark -z expert",
		usage: `Usage: pktkit expert FILE [-Y FILTER] [--by-conn=false]

Runs tshark's TCP analysis (see the tcp.analysis.* fields) over the capture
and counts its expert items: retransmissions, lost and ACKed-unseen
segments, duplicate ACKs, zero windows, keep-alives, connection set-up,
finish and reset. The first part has the layout of tshark -q -z expert:
one section per severity (Errors, Warns, Notes, Chats) with the frequency,
group, protocol and summary of each item, in order of first appearance.
The second part (pktkit's addition; --by-conn=false leaves it out) lists,
per TCP connection (tcp.stream) with at least one warning or note, its
endpoints and how many items of each kind it has.

Differences from tshark: only the TCP analysis items are counted (tshark
also lists other protocols' items, such as malformed packets); -Y counts
the items of matching packets only, as tshark -z expert,FILTER does.

Examples:
  pktkit expert trace.pcap
  pktkit expert trace.pcap -Y 'ip.addr == 10.0.0.1'
  pktkit fields trace.pcap -Y tcp.analysis.flags -e frame.number -e tcp.stream -e tcp.analysis.retransmission`,
		run: runExpert,
	})
}

// Expert severities, in tshark's section order.
const (
	sevError = iota
	sevWarn
	sevNote
	sevChat
)

var sevNames = [...]string{"Errors", "Warns", "Notes", "Chats"}

// expertKind is one TCP expert item (its tshark severity and summary).
type expertKind struct {
	flag    uint16
	sev     int
	summary string
	short   string // column name in the per-connection table
}

// expertKinds are the analysis items in the order tshark adds them to a
// packet.
var expertKinds = []expertKind{
	{tcpanalysis.ReusedPorts, sevNote, "A new tcp session is started with the same ports as an earlier session in this trace", "reused"},
	{tcpanalysis.Retransmission, sevNote, "This frame is a (suspected) retransmission", "retrans"},
	{tcpanalysis.FastRetransmission, sevNote, "This frame is a (suspected) fast retransmission", "fast_retrans"},
	{tcpanalysis.SpuriousRetransmission, sevNote, "This frame is a (suspected) spurious retransmission", "spurious"},
	{tcpanalysis.OutOfOrder, sevWarn, "This frame is a (suspected) out-of-order segment", "out_of_order"},
	{tcpanalysis.LostSegment, sevWarn, "Previous segment(s) not captured (common at capture start)", "lost"},
	{tcpanalysis.AckLostSegment, sevWarn, "ACKed segment that wasn't captured (common at capture start)", "ack_lost"},
	{tcpanalysis.WindowUpdate, sevChat, "TCP window update", "win_update"},
	{tcpanalysis.WindowFull, sevWarn, "TCP window specified by the receiver is now completely full", "win_full"},
	{tcpanalysis.KeepAlive, sevNote, "TCP keep-alive segment", "keep_alive"},
	{tcpanalysis.KeepAliveAck, sevNote, "ACK to a TCP keep-alive segment", "keep_alive_ack"},
	{tcpanalysis.DuplicateAck, sevNote, "Duplicate ACK", "dup_ack"},
	{tcpanalysis.ZeroWindowProbe, sevNote, "TCP Zero Window Probe", "zwin_probe"},
	{tcpanalysis.ZeroWindow, sevWarn, "TCP Zero Window segment", "zero_win"},
	{tcpanalysis.ZeroWindowProbeAck, sevNote, "ACK to a TCP Zero Window Probe", "zwin_probe_ack"},
}

// expertRow is one line of a severity section.
type expertRow struct {
	sev     int
	summary string
	n       int
	order   int
}

// expertConn is the per-connection tally.
type expertConn struct {
	stream int32
	first  int // frame of its first item
	counts map[string]int
}

type expertTally struct {
	rows  map[string]*expertRow
	conns map[int32]*expertConn
	next  int
}

func (t *expertTally) add(sev int, summary string, stream int32, frame int, short string) {
	r := t.rows[summary]
	if r == nil {
		r = &expertRow{sev: sev, summary: summary, order: t.next}
		t.next++
		t.rows[summary] = r
	}
	r.n++
	if short == "" || sev == sevChat {
		return
	}
	c := t.conns[stream]
	if c == nil {
		c = &expertConn{stream: stream, first: frame, counts: map[string]int{}}
		t.conns[stream] = c
	}
	c.counts[short]++
}

func runExpert(args []string, stdout io.Writer) error {
	c := commandByName("expert")
	fs := flags(c, stdout)
	byConn := fs.Bool("by-conn", true, "add the per-connection table")
	yf := filterFlag(fs)
	files, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("expert takes one capture file")
	}
	match, analyses, err := compileFilter(*yf)
	if err != nil {
		return err
	}
	t := &expertTally{rows: map[string]*expertRow{}, conns: map[int32]*expertConn{}}
	bar := progress.New(files[0])
	opt := walk.Options{Progress: bar.Update, Filter: match, Analyses: append(analyses, tcpanalysis.Analysis)}
	var num []byte
	err = walk.File(files[0], opt, func(p *packet.Packet, _ *capture.Record) error {
		n, ok := p.Note(tcpanalysis.Analysis).(*tcpanalysis.Note)
		if !ok {
			return nil
		}
		for i := range n.Layers {
			r := &n.Layers[i].Result
			if !r.HaveAck {
				continue
			}
			if r.SYN {
				num = strconv.AppendUint(append(num[:0], "Connection establish request (SYN): server port "...), uint64(r.ServerPort), 10)
				t.add(sevChat, string(num), r.Stream, p.Number, "")
			}
			if r.SYNACK {
				num = strconv.AppendUint(append(num[:0], "Connection establish acknowledge (SYN+ACK): server port "...), uint64(r.ServerPort), 10)
				t.add(sevChat, string(num), r.Stream, p.Number, "")
			}
			if r.FIN {
				t.add(sevChat, "Connection finish (FIN)", r.Stream, p.Number, "")
				if r.FINActive {
					t.add(sevNote, "This frame initiates the connection closing", r.Stream, p.Number, "")
				} else {
					t.add(sevNote, "This frame undergoes the connection closing", r.Stream, p.Number, "")
				}
			}
			if r.RST {
				t.add(sevWarn, "Connection reset (RST)", r.Stream, p.Number, "rst")
			}
			if !r.Analysis || r.Flags == 0 {
				continue
			}
			for _, k := range expertKinds {
				if r.Flags&k.flag == 0 {
					continue
				}
				s := k.summary
				if k.flag == tcpanalysis.DuplicateAck {
					num = strconv.AppendUint(append(num[:0], "Duplicate ACK (#"...), uint64(r.DupAckNum), 10)
					s = string(append(num, ')'))
				}
				t.add(k.sev, s, r.Stream, p.Number, k.short)
				if k.flag&(tcpanalysis.FastRetransmission|tcpanalysis.SpuriousRetransmission) != 0 {
					t.add(sevNote, expertKinds[1].summary, r.Stream, p.Number, "")
				}
			}
		}
		return nil
	})
	bar.Done()
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	writeExpert(w, t, *byConn)
	return w.Flush()
}

// writeExpert prints the tally in tshark's -z expert layout, then the
// per-connection table.
func writeExpert(w io.Writer, t *expertTally, byConn bool) {
	rows := make([]*expertRow, 0, len(t.rows))
	for _, r := range t.rows {
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].order < rows[j].order })
	for sev := range sevNames {
		total := 0
		for _, r := range rows {
			if r.sev == sev {
				total += r.n
			}
		}
		if total == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%d)\n=============\n", sevNames[sev], total)
		fmt.Fprintf(w, "%12s%11s%19s  %s\n", "Frequency", "Group", "Protocol", "Summary")
		for _, r := range rows {
			if r.sev == sev {
				fmt.Fprintf(w, "%12d%11s%19s  %s\n", r.n, "Sequence", "TCP", r.summary)
			}
		}
	}
	if !byConn || len(t.conns) == 0 {
		return
	}
	conns := make([]*expertConn, 0, len(t.conns))
	for _, c := range t.conns {
		conns = append(conns, c)
	}
	sort.Slice(conns, func(i, j int) bool { return conns[i].stream < conns[j].stream })
	shorts := []string{"rst"}
	for _, k := range expertKinds {
		shorts = append(shorts, k.short)
	}
	fmt.Fprintf(w, "\nBy connection (%d)\n=============\n", len(conns))
	fmt.Fprintf(w, "%8s %10s  %s\n", "Stream", "FirstItem", "Items")
	for _, c := range conns {
		fmt.Fprintf(w, "%8d %10d ", c.stream, c.first)
		for _, s := range shorts {
			if n := c.counts[s]; n > 0 {
				fmt.Fprintf(w, " %s=%d", s, n)
			}
		}
		fmt.Fprintln(w)
	}
}
