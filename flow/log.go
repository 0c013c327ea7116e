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
	l, err := NewLogWriter(out, format)
	if err != nil {
		return err
	}
	for i := range conns {
		if err := l.Write(&conns[i], first); err != nil {
			return err
		}
	}
	return l.Close(first, last)
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

// writeValues writes values separated by tabs.
func writeValues(w *bufio.Writer, vals []string) {
	for j, v := range vals {
		if j > 0 {
			w.WriteByte('\t')
		}
		w.WriteString(v)
	}
}

// LogWriter writes connections one by one in one of the Log formats, so
// that a long capture's log needs no memory for the connections written.
// Text output is aligned in blocks of textBlock rows.
type LogWriter struct {
	w      *bufio.Writer
	format string
	tw     *tabwriter.Writer
	rows   int
	opened bool
}

// textBlock is how many text rows are aligned together.
const textBlock = 4096

// NewLogWriter returns a writer of connections in format (LogText,
// LogTSV, LogJSON or LogZeek).
func NewLogWriter(out io.Writer, format string) (*LogWriter, error) {
	switch format {
	case LogText, LogTSV, LogJSON, LogZeek:
	default:
		return nil, fmt.Errorf("flow: unknown log format %q (text, tsv, json, zeek)", format)
	}
	return &LogWriter{w: bufio.NewWriterSize(out, 1<<16), format: format}, nil
}

// zeekStamp is the time format of a Zeek log's #open and #close.
func zeekStamp(ns int64) string { return time.Unix(0, ns).UTC().Format("2006-01-02-15-04-05") }

// open writes the header; first is the capture's first packet time.
func (l *LogWriter) open(first int64) {
	if l.opened {
		return
	}
	l.opened = true
	w := l.w
	switch l.format {
	case LogTSV:
		for i, f := range zeekFields {
			if i > 0 {
				w.WriteByte('\t')
			}
			w.WriteString(f[0])
		}
		w.WriteString("\thandshake_rtt\tstream\n")
	case LogZeek:
		w.WriteString("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n")
		fmt.Fprintf(w, "#open\t%s\n#fields", zeekStamp(first))
		for _, f := range zeekFields {
			w.WriteString("\t" + f[0])
		}
		w.WriteString("\n#types")
		for _, f := range zeekFields {
			w.WriteString("\t" + f[1])
		}
		w.WriteByte('\n')
	case LogText:
		l.tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(l.tw, textHeader)
	}
}

// textHeader is the text format's column line.
const textHeader = "TIME\tPROTO\tORIGINATOR\tRESPONDER\tSTATE\tHISTORY\tDURATION\tBYTES >\tBYTES <\tPKTS >\tPKTS <\tRTT\tSTREAM"

// Write writes one connection; first is the capture's first packet time
// (for a Zeek log's #open, written with the first row).
func (l *LogWriter) Write(c *Conn, first int64) error {
	l.open(first)
	w := l.w
	switch l.format {
	case LogTSV:
		writeValues(w, connValues(c))
		fmt.Fprintf(w, "\t%s\t%s\n", rttValue(c), streamValue(c))
	case LogZeek:
		writeValues(w, connValues(c))
		w.WriteByte('\n')
	case LogJSON:
		writeConnJSON(w, c)
	case LogText:
		writeConnText(l.tw, c)
		if l.rows++; l.rows%textBlock == 0 {
			l.tw.Flush()
		}
	}
	if w.Buffered() >= 1<<15 {
		return w.Flush()
	}
	return nil
}

// Close ends the log (a Zeek log's #close holds last, the capture's last
// packet time) and flushes it.
func (l *LogWriter) Close(first, last int64) error {
	l.open(first)
	switch l.format {
	case LogZeek:
		fmt.Fprintf(l.w, "#close\t%s\n", zeekStamp(last))
	case LogText:
		l.tw.Flush()
	}
	return l.w.Flush()
}

func writeConnJSON(w *bufio.Writer, c *Conn) {
	vals := connValues(c)
	w.WriteByte('{')
	sep := false
	for j, f := range zeekFields {
		v := vals[j]
		if v == "-" {
			continue // unset: left out, as in Zeek's JSON logs
		}
		if sep {
			w.WriteByte(',')
		}
		sep = true
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

func writeConnText(tw io.Writer, c *Conn) {
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
		rtt = FormatDuration(d)
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
		c.State(), hist, FormatDuration(c.Duration()), c.OrigBytes(), c.RespBytes(),
		c.OrigPkts, c.RespPkts, rtt, streamValue(c))
}

// FormatDuration prints a duration rounded for reading (to microseconds
// under a millisecond, 10 µs under a second, milliseconds above).
func FormatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}
