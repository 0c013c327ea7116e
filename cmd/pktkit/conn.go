package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"pktkit/capture"
	"pktkit/flow"
	"pktkit/internal/progress"
	"pktkit/packet"
	"pktkit/walk"
)

func init() {
	register(&command{
		name:    "conn",
		summary: "connections with Zeek's conn.log fields (text, TSV, JSON, Zeek log)",
		usage: `Usage: pktkit conn FILE... [-Y FILTER] [--format text|tsv|json|zeek] [-o OUT]
                   [--zeek-keys] [--checksums] [--max-conns N]

Prints one row per connection (TCP, UDP, ICMP, other IP protocols), in
order of first packet, with the fields of Zeek's conn.log and their
meanings: ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service
duration orig_bytes resp_bytes conn_state missed_bytes history orig_pkts
orig_ip_bytes resp_pkts resp_ip_bytes; plus the handshake RTT (SYN to the
ACK of the SYN-ACK) and tshark's tcp.stream / udp.stream of the first
packet. Several files are read as one capture, in the order given.

conn_state is one of S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH;
history uses Zeek's letters (s SYN, h SYN-ACK, a pure ACK, d data, f FIN,
r RST, c bad checksum, g gap, t retransmission, w zero window, i FIN+RST,
q SYN with FIN or RST, ^ roles flipped), upper case from the originator.
The originator sent the first SYN, else the first packet, unless Zeek's
port heuristics say the first packet came from the server. service is
left empty (no protocol identification yet).

Formats:
  text  aligned columns for reading (the default)
  tsv   a header line of field names, then tab-separated rows
  json  one JSON object per connection and per line (Zeek's JSON log keys)
  zeek  a Zeek TSV log (#separator, #fields, #types ... #close) that
        zeek-cut and other Zeek tools read; #open and #close hold the
        times of the first and last packets, so outputs diff cleanly

By default connections are keyed by VLAN ids and tunnel endpoints too, so
a flow inside a tunnel is apart from the same addresses elsewhere, and
ICMP echo flows by identifier; --zeek-keys keys by addresses, ports and
protocol only, as Zeek does. --checksums leaves out packets whose TCP,
UDP or ICMP checksum is wrong, as Zeek does (marked c/C in the history);
it is off because captures taken on a sending host carry unfilled
(offloaded) checksums. At most --max-conns connections are held at once:
the least recently active one is then finished early (evicted), and the
count is reported on standard error. Idle connections end after Zeek's
timeouts (TCP 5 min, UDP and ICMP 1 min).

-Y keeps only the packets a Wireshark display filter accepts: the
connections are built from those packets alone.

Examples:
  pktkit conn testdata/sample.pcap
  pktkit conn big.pcap --format zeek -o conn.log
  pktkit conn big.pcap -Y 'tcp.port == 443' --format tsv
  pktkit conn a.pcap b.pcap --format json | jq 'select(.conn_state == "REJ")'
`,
		run: runConn,
	})
}

func runConn(args []string, stdout io.Writer) error {
	c := commandByName("conn")
	fs := flags(c, stdout)
	format := fs.String("format", "text", "output `format`: text, tsv, json or zeek")
	out := fs.String("o", "", "write to `FILE` instead of standard output")
	zeekKeys := fs.Bool("zeek-keys", false, "key connections by addresses, ports and protocol only (as Zeek)")
	checksums := fs.Bool("checksums", false, "leave out packets with a bad transport checksum (as Zeek)")
	maxConns := fs.Int("max-conns", 1<<20, "hold at most `N` connections at once (the least recently active is evicted)")
	yf := filterFlag(fs)
	files, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("no capture file given")
	}
	switch *format {
	case "text", "tsv", "json", "zeek":
	default:
		return usagef("unknown format %q (text, tsv, json, zeek)", *format)
	}
	if *maxConns < 1 {
		return usagef("--max-conns must be at least 1")
	}
	match, analyses, err := compileFilter(*yf)
	if err != nil {
		return err
	}
	var conns []flow.Conn
	t := flow.New(flow.Config{
		MaxConns: *maxConns, ZeekKeys: *zeekKeys, Checksums: *checksums,
		Finished: func(c *flow.Conn) { conns = append(conns, *c) },
	})
	var first, last int64
	for _, f := range files {
		bar := progress.New(f)
		err := walk.File(f, walk.Options{Progress: bar.Update, Filter: match, Analyses: analyses}, func(p *packet.Packet, rec *capture.Record) error {
			if first == 0 {
				first = p.Timestamp
			}
			last = max(last, p.Timestamp)
			t.Update(p)
			return nil
		})
		bar.Done()
		if err != nil {
			return err
		}
	}
	t.Flush()
	slices.SortFunc(conns, func(a, b flow.Conn) int {
		if a.Index < b.Index {
			return -1
		}
		if a.Index > b.Index {
			return 1
		}
		return 0
	})
	w := stdout
	if *out != "" && *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	switch *format {
	case "text":
		writeConnText(bw, conns)
	case "tsv":
		writeConnTSV(bw, conns)
	case "json":
		writeConnJSON(bw, conns)
	case "zeek":
		writeConnZeek(bw, conns, first, last)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if st := t.Stats(); st.Evicted > 0 {
		fmt.Fprintf(os.Stderr, "pktkit conn: %d connections evicted (more than %d at once); raise --max-conns\n", st.Evicted, *maxConns)
	}
	return nil
}

// zeekFields are conn.log's columns and their Zeek types.
var zeekFields = [][2]string{
	{"ts", "time"}, {"uid", "string"}, {"id.orig_h", "addr"}, {"id.orig_p", "port"},
	{"id.resp_h", "addr"}, {"id.resp_p", "port"}, {"proto", "enum"}, {"service", "string"},
	{"duration", "interval"}, {"orig_bytes", "count"}, {"resp_bytes", "count"},
	{"conn_state", "string"}, {"missed_bytes", "count"}, {"history", "string"},
	{"orig_pkts", "count"}, {"orig_ip_bytes", "count"}, {"resp_pkts", "count"},
	{"resp_ip_bytes", "count"},
}

// connValues returns a connection's conn.log values as Zeek's TSV writer
// prints them ("-" for unset: Zeek leaves duration and byte counts unset
// when the duration is zero, and service until it is identified).
func connValues(c *flow.Conn) []string {
	o, r := c.Endpoints()
	dur, ob, rb := "-", "-", "-"
	if d := c.Duration(); d > 0 {
		dur = fmtSecs(int64(d))
		ob = strconv.FormatUint(c.OrigBytes(), 10)
		rb = strconv.FormatUint(c.RespBytes(), 10)
	}
	hist := c.History()
	if hist == "" {
		hist = "-"
	}
	return []string{
		fmtSecs(c.Start), c.UID(), o.String(), strconv.Itoa(int(c.OrigPort)), r.String(),
		strconv.Itoa(int(c.RespPort)), c.ProtoName(), "-", dur, ob, rb, c.State(),
		strconv.FormatUint(c.MissedBytes, 10), hist, strconv.FormatUint(c.OrigPkts, 10),
		strconv.FormatUint(c.OrigIPBytes, 10), strconv.FormatUint(c.RespPkts, 10),
		strconv.FormatUint(c.RespIPBytes, 10),
	}
}

// fmtSecs prints nanoseconds as seconds with six decimals (Zeek's time).
func fmtSecs(ns int64) string {
	neg := ns < 0
	if neg {
		ns = -ns
	}
	us := (ns + 500) / 1000
	s := strconv.FormatInt(us/1000000, 10) + "." + fmt.Sprintf("%06d", us%1000000)
	if neg {
		return "-" + s
	}
	return s
}

// rttValue is the handshake RTT in seconds, or "-".
func rttValue(c *flow.Conn) string {
	if rtt, _, _, ok := c.HandshakeRTT(); ok {
		return fmtSecs(int64(rtt))
	}
	return "-"
}

func streamValue(c *flow.Conn) string {
	switch {
	case c.Stream >= 0:
		return strconv.Itoa(int(c.Stream))
	case c.UDPStream >= 0:
		return strconv.Itoa(int(c.UDPStream))
	}
	return "-"
}

func writeConnTSV(w *bufio.Writer, conns []flow.Conn) {
	for i, f := range zeekFields {
		if i > 0 {
			w.WriteByte('\t')
		}
		w.WriteString(f[0])
	}
	w.WriteString("\thandshake_rtt\tstream\n")
	for i := range conns {
		for j, v := range connValues(&conns[i]) {
			if j > 0 {
				w.WriteByte('\t')
			}
			w.WriteString(v)
		}
		fmt.Fprintf(w, "\t%s\t%s\n", rttValue(&conns[i]), streamValue(&conns[i]))
	}
}

func writeConnZeek(w *bufio.Writer, conns []flow.Conn, first, last int64) {
	stamp := func(ns int64) string { return time.Unix(0, ns).UTC().Format("2006-01-02-15-04-05") }
	w.WriteString("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n")
	fmt.Fprintf(w, "#open\t%s\n#fields", stamp(first))
	for _, f := range zeekFields {
		w.WriteString("\t" + f[0])
	}
	w.WriteString("\n#types")
	for _, f := range zeekFields {
		w.WriteString("\t" + f[1])
	}
	w.WriteByte('\n')
	for i := range conns {
		for j, v := range connValues(&conns[i]) {
			if j > 0 {
				w.WriteByte('\t')
			}
			w.WriteString(v)
		}
		w.WriteByte('\n')
	}
	fmt.Fprintf(w, "#close\t%s\n", stamp(last))
}

func writeConnJSON(w *bufio.Writer, conns []flow.Conn) {
	for i := range conns {
		c := &conns[i]
		vals := connValues(c)
		w.WriteByte('{')
		for j, f := range zeekFields {
			v := vals[j]
			if v == "-" {
				continue // unset: left out, as in Zeek's JSON logs
			}
			if w.Buffered() > 0 && j > 0 {
				w.WriteByte(',')
			}
			w.WriteString(strconv.Quote(f[0]) + ":")
			switch f[1] {
			case "time", "interval", "count", "port":
				w.WriteString(v)
			default:
				w.WriteString(strconv.Quote(v))
			}
		}
		if rtt, srv, cli, ok := c.HandshakeRTT(); ok {
			fmt.Fprintf(w, `,"handshake_rtt":%s,"syn_synack":%s,"synack_ack":%s`,
				fmtSecs(int64(rtt)), fmtSecs(int64(srv)), fmtSecs(int64(cli)))
		}
		if c.Stream >= 0 {
			fmt.Fprintf(w, `,"tcp_stream":%d`, c.Stream)
		}
		if c.UDPStream >= 0 {
			fmt.Fprintf(w, `,"udp_stream":%d`, c.UDPStream)
		}
		w.WriteString("}\n")
	}
}

func writeConnText(w *bufio.Writer, conns []flow.Conn) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tPROTO\tORIGINATOR\tRESPONDER\tSTATE\tHISTORY\tDURATION\tBYTES >\tBYTES <\tPKTS >\tPKTS <\tRTT\tSTREAM")
	for i := range conns {
		c := &conns[i]
		o, r := c.Endpoints()
		ep := func(a string, port uint16, v6 bool) string {
			if c.Proto != 6 && c.Proto != 17 {
				return a
			}
			if v6 {
				return "[" + a + "]:" + strconv.Itoa(int(port))
			}
			return a + ":" + strconv.Itoa(int(port))
		}
		hist := c.History()
		if hist == "" {
			hist = "-"
		}
		rtt := "-"
		if d, _, _, ok := c.HandshakeRTT(); ok {
			rtt = fmtDur(d)
		}
		proto := c.ProtoName()
		if c.Proto == 1 || c.Proto == 58 {
			proto = fmt.Sprintf("icmp %d/%d", c.OrigPort, c.RespPort)
		} else if c.Proto != 6 && c.Proto != 17 {
			proto = "ip " + strconv.Itoa(int(c.Proto))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n",
			time.Unix(0, c.Start).UTC().Format("2006-01-02 15:04:05.000000"), proto,
			ep(o.String(), c.OrigPort, o.Is6()), ep(r.String(), c.RespPort, r.Is6()),
			c.State(), hist, fmtDur(c.Duration()), c.OrigBytes(), c.RespBytes(),
			c.OrigPkts, c.RespPkts, rtt, streamValue(c))
	}
	tw.Flush()
}

// fmtDur prints a duration rounded for reading (microseconds at most).
func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}
