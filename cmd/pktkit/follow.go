package main

import (
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"pktkit/follow"
	"pktkit/internal/progress"
	"pktkit/packet"
	"pktkit/reassembly"
)

func init() {
	register(&command{
		name:    "follow",
		summary: "a TCP or UDP stream's bytes, reassembled (like tshark -z follow)",
		usage: `Usage: pktkit follow FILE (--stream N | --conn A:P,B:Q) [--udp]
                     [--format ascii|hex|raw|yaml] [--dir both|client|server]
       pktkit follow FILE --all -o DIR

Reassembles one TCP stream (tshark's tcp.stream number N, or the first
connection between the two endpoints) and prints what each side sent, in
the layout of tshark -z follow,tcp,FORMAT: chunks in capture order, the
second side's indented by a tab. --udp follows a UDP stream (udp.stream)
instead. Node 0 is the side that sent the stream's first packet.

Reassembly: out-of-order segments wait for the bytes before them;
retransmitted and overlapping bytes are resolved by the first copy seen
(as tshark does); a hole the peer acknowledged is shown as tshark's
"[N bytes missing in capture file]" marker, and data behind a hole never
filled or acknowledged is not shown (tshark keeps it waiting too). IPv4
and IPv6 fragments are reassembled first.

--all writes every TCP connection direction to DIR: one file per
direction named like tcpflow's (source and destination addresses and
ports, zero-padded), and DIR/index.tsv with the columns
stream src dst bytes gaps missing_bytes md5 (src and dst as ip:port,
IPv6 in brackets; md5 of the file's bytes), in stream order. Memory is
that of the connections open at once (about 1.6 KB each, plus what waits
out of order): a connection is let go once both sides sent their FIN, and
at most --max-conns are held (the least recently active is let go early;
its later bytes go to new files). Out-of-order bytes are bounded per
direction (--max-buffer) and overall (--max-memory); a direction over a
limit skips its first hole, and what the limits cost is reported on
standard error.

Examples:
  pktkit follow web.pcap --stream 0
  pktkit follow web.pcap --conn 10.0.0.1:51234,10.0.0.2:80 --format hex --dir server
  pktkit follow dns.pcap --udp --stream 3 --format raw
  pktkit follow big.pcap --all -o streams/
`,
		run: runFollow,
	})
}

func runFollow(args []string, stdout io.Writer) error {
	c := commandByName("follow")
	fs := flags(c, stdout)
	stream := fs.Int("stream", -1, "follow stream `N` (tcp.stream, or udp.stream with --udp)")
	connArg := fs.String("conn", "", "follow the first connection between endpoints `A:P,B:Q`")
	udp := fs.Bool("udp", false, "follow a UDP stream")
	format := fs.String("format", "ascii", "output `format`: ascii, hex, raw or yaml")
	dir := fs.String("dir", "both", "`side` to show: both, client (node 0) or server (node 1)")
	all := fs.Bool("all", false, "write every TCP connection direction to the -o directory")
	out := fs.String("o", "", "output `DIR` for --all")
	maxConns := fs.Int("max-conns", 1<<20, "hold at most `N` connections at once (the least recently active is let go early)")
	maxBuf := fs.Int("max-buffer", reassembly.DefaultMaxBuffered, "out-of-order `BYTES` one direction may hold before skipping its first hole")
	maxMem := fs.Int64("max-memory", 256<<20, "out-of-order `BYTES` all directions together may hold")
	files, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("follow takes one capture file, got %d", len(files))
	}
	if *maxConns < 1 || *maxBuf < 1 || *maxMem < 1 {
		return usagef("--max-conns, --max-buffer and --max-memory must be at least 1")
	}
	lim := follow.Limits{MaxConns: *maxConns, MaxBuffered: *maxBuf, MaxMemory: *maxMem}
	if *all {
		if *out == "" {
			return usagef("--all needs -o DIR")
		}
		if *stream >= 0 || *connArg != "" || *udp {
			return usagef("--all takes no --stream, --conn or --udp")
		}
		bar := progress.New(files[0])
		st, err := follow.WriteAll(files[0], *out, lim, bar.Update)
		bar.Done()
		if err != nil {
			return err
		}
		if st.OverflowGaps > 0 {
			fmt.Fprintf(os.Stderr, "pktkit follow: %d holes (%d bytes) skipped because the buffer limits were reached; raise --max-buffer or --max-memory\n", st.OverflowGaps, st.OverflowBytes)
		}
		if st.Evicted > 0 {
			fmt.Fprintf(os.Stderr, "pktkit follow: %d connections let go early (more than %d at once: their later bytes are in new files); raise --max-conns\n", st.Evicted, *maxConns)
		}
		if st.OutOfOrder > 0 {
			fmt.Fprintf(os.Stderr, "pktkit follow: %d index rows written ahead of an older connection still open\n", st.OutOfOrder)
		}
		return nil
	}
	switch *format {
	case "ascii", "hex", "raw", "yaml":
	default:
		return usagef("unknown format %q (ascii, hex, raw, yaml)", *format)
	}
	side := -1
	switch *dir {
	case "both":
	case "client":
		side = 0
	case "server":
		side = 1
	default:
		return usagef("unknown --dir %q (both, client, server)", *dir)
	}
	sel := followSel{stream: int32(*stream), udp: *udp}
	switch {
	case *stream >= 0 && *connArg != "":
		return usagef("give --stream or --conn, not both")
	case *connArg != "":
		if sel.a, sel.b, err = parseConnPair(*connArg); err != nil {
			return err
		}
		sel.byConn, sel.stream = true, -1
	case *stream < 0:
		return usagef("give --stream N, --conn A:P,B:Q or --all")
	}
	var fc *follow.Conv
	bar := progress.New(files[0])
	err = follow.Walk(files[0], lim, bar.Update, func(p *packet.Packet, s follow.Segment) {
		if s.UDP != sel.udp {
			return
		}
		if fc == nil {
			if sel.byConn {
				if !(s.Src == sel.a && s.Dst == sel.b || s.Src == sel.b && s.Dst == sel.a) {
					return
				}
				sel.stream = s.Stream
			} else if s.Stream != sel.stream {
				return
			}
			fc = follow.NewConv(s, reassembly.Config{MaxBuffered: *maxBuf, Budget: &reassembly.Budget{Max: *maxMem}}, nil)
		}
		if s.Stream != sel.stream {
			return
		}
		fc.Add(p, s)
	})
	bar.Done()
	if err != nil {
		return err
	}
	if fc == nil {
		what := "stream " + strconv.Itoa(int(sel.stream))
		if sel.byConn {
			what = "connection " + *connArg
		}
		return fmt.Errorf("%s: no %s %s", files[0], map[bool]string{false: "TCP", true: "UDP"}[sel.udp], what)
	}
	fc.Close()
	if st := fc.Stats(); st[0].OverflowGaps+st[1].OverflowGaps > 0 {
		fmt.Fprintf(os.Stderr, "pktkit follow: %d holes (%d bytes) skipped because the buffer limits were reached; raise --max-buffer or --max-memory\n",
			st[0].OverflowGaps+st[1].OverflowGaps, st[0].OverflowBytes+st[1].OverflowBytes)
	}
	return fc.Print(stdout, *format, side)
}

// followSel is the stream to follow.
type followSel struct {
	stream int32
	udp    bool
	byConn bool
	a, b   netip.AddrPort
}

// parseConnPair reads --conn's A:P,B:Q (IPv6 addresses in brackets).
func parseConnPair(s string) (a, b netip.AddrPort, err error) {
	x, y, ok := strings.Cut(s, ",")
	a, err1 := netip.ParseAddrPort(strings.TrimSpace(x))
	b, err2 := netip.ParseAddrPort(strings.TrimSpace(y))
	if !ok || err1 != nil || err2 != nil {
		return a, b, usagef("--conn %q: want A:P,B:Q (IPv6 in brackets: [2001:db8::1]:80)", s)
	}
	return a, b, nil
}
