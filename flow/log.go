package flow

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
)

// Log formats for WriteLog.
const (
	LogText = "text" // aligned columns for reading
	LogTSV  = "tsv"  // a header of conn.log field names, then tab-separated rows
	LogJSON = "json" // one JSON object per connection and line (Zeek's JSON keys)
	LogZeek = "zeek" // a Zeek TSV log (#separator ... #close)
)

// WriteLog writes connections in one of the Log formats. first and last
// are the capture's first and last packet times, for a Zeek log's #open
// and #close.
func WriteLog(out io.Writer, conns []Conn, format string, first, last int64) error {
	w := bufio.NewWriterSize(out, 1<<16)
	switch format {
	case LogText:
		writeConnText(w, conns)
	case LogTSV:
		writeConnTSV(w, conns)
	case LogJSON:
		writeConnJSON(w, conns)
	case LogZeek:
		writeConnZeek(w, conns, first, last)
	default:
		return fmt.Errorf("flow: unknown log format %q (text, tsv, json, zeek)", format)
	}
	return w.Flush()
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
func connValues(c *Conn) []string {
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
func rttValue(c *Conn) string {
	if rtt, _, _, ok := c.HandshakeRTT(); ok {
		return fmtSecs(int64(rtt))
	}
	return "-"
}

func streamValue(c *Conn) string {
	switch {
	case c.Stream >= 0:
		return strconv.Itoa(int(c.Stream))
	case c.UDPStream >= 0:
		return strconv.Itoa(int(c.UDPStream))
	}
	return "-"
}

func writeConnTSV(w *bufio.Writer, conns []Conn) {
	for i, f := range zeekFields {
		if i > 0 {
			w.WriteByte('\t')
		}
		w.WriteString(f[0])
	}
	w.WriteString("\thandshake_rtt\tstream\n")
	for i := range conns {
		writeValues(w, connValues(&conns[i]))
		fmt.Fprintf(w, "\t%s\t%s\n", rttValue(&conns[i]), streamValue(&conns[i]))
	}
}

// writeValues writes values separated by tabs.
func writeValues(w *bufio.Writer, vals []string) {
	for j, v := range vals {
		if j > 0 {
			w.WriteByte('\t')
		}
		w.WriteString(v)
	}
}

func writeConnZeek(w *bufio.Writer, conns []Conn, first, last int64) {
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
		writeValues(w, connValues(&conns[i]))
		w.WriteByte('\n')
	}
	fmt.Fprintf(w, "#close\t%s\n", stamp(last))
}

func writeConnJSON(w *bufio.Writer, conns []Conn) {
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

func writeConnText(w *bufio.Writer, conns []Conn) {
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
