package main

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"text/tabwriter"
	"time"

	"pktkit/capture"
	"pktkit/flow"
	"pktkit/internal/progress"
	"pktkit/packet"
	"pktkit/tcpanalysis"
	"pktkit/walk"
)

func init() {
	register(&command{
		name:    "tcp",
		summary: "a TCP connection's timeline, or the slow and cut-short connections",
		usage: `Usage: pktkit tcp FILE (--stream N | --conn CLIENT:PORT,SERVER:PORT) [-Y FILTER]
       pktkit tcp FILE --slow [--by worst|rtt|ttfb|stall] [-n N] [-Y FILTER]

The first form prints one connection's timeline, tcptrace style: frame
number, time since its first packet, direction (--> from the client),
flags, relative sequence and acknowledgement numbers, payload length,
window and tshark's analysis flags (retransmission, duplicate_ack ...).
A header gives the first and last packets, a footer the handshake RTT,
the time to the first response byte, bytes and retransmissions each
way, how it ended (FIN or RST, by which side, or still open) and the
longest idle time with where it happened. --stream is tshark's tcp.stream;
--conn the first connection between the two endpoints (either order).

--slow ranks the connections: by default by the worst of handshake RTT,
time to first response byte (the client's first payload byte to the
server's first after it) and longest stall (time between two packets);
--by picks one. Connections that ended early are marked: reset (by which
side), half-closed, or a SYN never answered. -n limits the rows (0: all).
--slow keeps a summary of every connection until the end (a few hundred
bytes each).
-Y keeps the packets a display filter accepts (the analysis still sees
every packet).

Examples:
  pktkit tcp web.pcap --stream 3
  pktkit tcp web.pcap --conn 10.0.0.1:51234,10.0.0.2:80
  pktkit tcp web.pcap --slow -n 10
  pktkit tcp web.pcap --slow --by ttfb -Y 'tcp.port == 443'
`,
		run: runTCP,
	})
}

func runTCP(args []string, stdout io.Writer) error {
	c := commandByName("tcp")
	fs := flags(c, stdout)
	stream := fs.Int("stream", -1, "the connection with tcp.stream `N`")
	connArg := fs.String("conn", "", "the first connection between `CLIENT:PORT,SERVER:PORT`")
	slow := fs.Bool("slow", false, "rank the connections by slowness")
	by := fs.String("by", "worst", "with --slow, rank `by` worst, rtt, ttfb or stall")
	top := fs.Int("n", 20, "with --slow, show the first `N` connections (0: all)")
	yf := filterFlag(fs)
	files, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("tcp takes one capture file, got %d", len(files))
	}
	modes := 0
	for _, on := range []bool{*stream >= 0, *connArg != "", *slow} {
		if on {
			modes++
		}
	}
	if modes != 1 {
		return usagef("give one of --stream N, --conn A:P,B:Q or --slow")
	}
	switch *by {
	case "worst", "rtt", "ttfb", "stall":
	default:
		return usagef("unknown --by %q (worst, rtt, ttfb, stall)", *by)
	}
	var ea, eb netip.AddrPort
	if *connArg != "" {
		if ea, eb, err = parseConnPair(*connArg); err != nil {
			return err
		}
	}
	match, analyses, err := compileFilter(*yf)
	if err != nil {
		return err
	}
	want := int32(*stream)
	k := &tcpanalysis.Collector{}
	if !*slow {
		k.Only = func(s int32) bool { return want < 0 || s == want }
		k.Keep = k.Only
	}
	// The analysis sees every packet; -Y only chooses what is collected.
	opt := walk.Options{Analyses: append(analyses, tcpanalysis.Analysis)}
	var keep func(*packet.Packet) bool
	if match != nil {
		keep = match()
	}
	bar := progress.New(files[0])
	err = walk.File(files[0], opt, func(p *packet.Packet, rec *capture.Record) error {
		if keep == nil || keep(p) {
			k.Add(p)
		}
		return nil
	})
	bar.Done()
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	if *slow {
		return writeSlow(w, k.Conns(), *by, *top)
	}
	for _, cn := range k.Conns() {
		if *connArg != "" && !(cn.Client == ea && cn.Server == eb || cn.Client == eb && cn.Server == ea) {
			continue
		}
		return tcpanalysis.WriteTimeline(w, cn)
	}
	if *connArg != "" {
		return fmt.Errorf("%s: no TCP connection %s", files[0], *connArg)
	}
	return fmt.Errorf("%s: no TCP stream %d", files[0], want)
}

// writeSlow ranks connections by slowness and writes them as a table.
func writeSlow(w io.Writer, conns []*tcpanalysis.Conn, by string, top int) error {
	key := func(c *tcpanalysis.Conn) time.Duration {
		rtt, _ := c.HandshakeRTT()
		ttfb, _ := c.TimeToFirstByte()
		stall := time.Duration(c.MaxGap)
		switch by {
		case "rtt":
			return rtt
		case "ttfb":
			return ttfb
		case "stall":
			return stall
		}
		return max(rtt, ttfb, stall)
	}
	conns = slices.Clone(conns)
	slices.SortStableFunc(conns, func(a, b *tcpanalysis.Conn) int { return -cmpDur(key(a), key(b)) })
	if top > 0 && len(conns) > top {
		conns = conns[:top]
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STREAM\tCLIENT\tSERVER\tHANDSHAKE\tFIRST BYTE\tLONGEST STALL\tAT FRAME\tENDED")
	dur := func(d time.Duration, ok bool) string {
		if !ok {
			return "-"
		}
		return flow.FormatDuration(d)
	}
	for _, c := range conns {
		rtt, rok := c.HandshakeRTT()
		ttfb, tok := c.TimeToFirstByte()
		ended := c.Ending()
		if c.Premature() {
			ended = "! " + ended
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", c.Stream, c.Client, c.Server, dur(rtt, rok), dur(ttfb, tok),
			dur(time.Duration(c.MaxGap), c.MaxGapFrame != 0), c.MaxGapFrame, ended)
	}
	return tw.Flush()
}

func cmpDur(a, b time.Duration) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
