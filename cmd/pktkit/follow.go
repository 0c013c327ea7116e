package main

import (
	"bufio"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"pktkit/capture"
	"pktkit/defrag"
	"pktkit/flow"
	"pktkit/internal/progress"
	"pktkit/layers"
	"pktkit/packet"
	"pktkit/reassembly"
	"pktkit/walk"
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
IPv6 in brackets; md5 of the file's bytes).

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
	files, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("follow takes one capture file, got %d", len(files))
	}
	if *all {
		if *out == "" {
			return usagef("--all needs -o DIR")
		}
		if *stream >= 0 || *connArg != "" || *udp {
			return usagef("--all takes no --stream, --conn or --udp")
		}
		return followAll(files[0], *out)
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
		a, b, ok := strings.Cut(*connArg, ",")
		var err1, err2 error
		sel.a, err1 = netip.ParseAddrPort(strings.TrimSpace(a))
		sel.b, err2 = netip.ParseAddrPort(strings.TrimSpace(b))
		if !ok || err1 != nil || err2 != nil {
			return usagef("--conn %q: want A:P,B:Q (IPv6 in brackets: [2001:db8::1]:80)", *connArg)
		}
		sel.byConn, sel.stream = true, -1
	case *stream < 0:
		return usagef("give --stream N, --conn A:P,B:Q or --all")
	}
	var fc *followConv
	bar := progress.New(files[0])
	err = followWalk(files[0], bar, func(p *packet.Packet, s followSeg) {
		if s.udp != sel.udp {
			return
		}
		if fc == nil {
			if sel.byConn {
				if !(s.src == sel.a && s.dst == sel.b || s.src == sel.b && s.dst == sel.a) {
					return
				}
				sel.stream = s.stream
			} else if s.stream != sel.stream {
				return
			}
			fc = newFollowConv(s, func(int) reassembly.Sink { return nil })
		}
		if s.stream != sel.stream {
			return
		}
		fc.add(p, s)
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
	fc.close()
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	fc.print(w, *format, side)
	return nil
}

// followSel is the stream to follow.
type followSel struct {
	stream int32
	udp    bool
	byConn bool
	a, b   netip.AddrPort
}

// followSeg is a packet's TCP segment or UDP datagram as follow sees it.
type followSeg struct {
	udp      bool
	stream   int32
	src, dst netip.AddrPort
	seq, ack uint32
	flags    reassembly.Flags
	payload  []byte
	wire     int // payload length on the wire (more if the capture cut it)
}

// followWalk calls fn for each packet's first TCP or UDP layer that is not
// quoted in an ICMP error, with its stream number, after IP defragmentation.
func followWalk(path string, bar *progress.Bar, fn func(p *packet.Packet, s followSeg)) error {
	t := flow.New(flow.Config{})
	df := defrag.New(defrag.Config{})
	return walk.File(path, walk.Options{Progress: bar.Update}, func(p *packet.Packet, rec *capture.Record) error {
		for _, l := range p.Layers() {
			if l.Proto != layers.IP && l.Proto != layers.IPv6 || l.Quoted() {
				continue
			}
			if r := df.Add(0, l.Data, p.Timestamp); r.Status == defrag.Complete {
				first := layers.IP
				if r.Data[0]>>4 == 6 {
					first = layers.IPv6
				}
				q := packet.NewFrom(r.Data, first)
				q.Number, q.Timestamp = p.Number, p.Timestamp
				p = q
			}
			break
		}
		t.Update(p)
		ls := p.Layers()
		var ip *packet.Layer
		for i := range ls {
			l := &ls[i]
			switch {
			case l.Quoted():
				continue
			case l.Proto == layers.IP || l.Proto == layers.IPv6:
				ip = l
				continue
			case ip == nil || l.Partial() || l.Proto != layers.TCP && l.Proto != layers.UDP:
				continue
			case l.Proto == layers.TCP && l.HdrLen < 20, l.Proto == layers.UDP && l.HdrLen < 8:
				return nil
			}
			s := followSeg{udp: l.Proto == layers.UDP, stream: -1}
			for _, st := range t.Streams() {
				if st.Layer == l.Index {
					s.stream = st.N
				}
			}
			if s.stream < 0 {
				return nil
			}
			var src, dst netip.Addr
			if ip.Proto == layers.IP {
				src, dst = netip.AddrFrom4([4]byte(ip.Data[12:16])), netip.AddrFrom4([4]byte(ip.Data[16:20]))
			} else {
				src, dst = netip.AddrFrom16([16]byte(ip.Data[8:24])), netip.AddrFrom16([16]byte(ip.Data[24:40]))
			}
			h := l.Data
			s.src = netip.AddrPortFrom(src, binary.BigEndian.Uint16(h))
			s.dst = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(h[2:]))
			s.payload = h[min(l.HdrLen, len(h)):]
			s.wire = max(l.Reported-l.HdrLen, len(s.payload))
			if !s.udp {
				s.seq, s.ack = binary.BigEndian.Uint32(h[4:]), binary.BigEndian.Uint32(h[8:])
				s.flags = reassembly.Flags(h[13])
			}
			fn(p, s)
			return nil
		}
		return nil
	})
}

// followChunk is what one side sent, as delivered in order.
type followChunk struct {
	frame int
	ts    int64
	side  int
	off   int64 // offset in the side's stream
	data  []byte
}

// followConv is one followed conversation: its two sides' reassembly and
// what they delivered.
type followConv struct {
	stream int32
	udp    bool
	node   [2]netip.AddrPort
	s      [2]*reassembly.Stream
	sinks  [2]*followSink
	chunks []followChunk
	frame  int
	ts     int64
}

// followSink collects one side's bytes as chunks (or hands them on).
type followSink struct {
	c       *followConv
	side    int
	n       int64
	stopped bool
	next    reassembly.Sink // for --all: where the bytes go instead
	gaps    int
	missing int64
}

func (f *followSink) Data(b []byte) {
	if f.stopped {
		return
	}
	if f.next != nil {
		f.next.Data(b)
	} else {
		f.c.chunks = append(f.c.chunks, followChunk{frame: f.c.frame, ts: f.c.ts, side: f.side, off: f.n, data: append([]byte(nil), b...)})
	}
	f.n += int64(len(b))
}

func (f *followSink) Gap(g reassembly.Gap) {
	f.gaps++
	f.missing += g.Len
	switch g.Reason {
	case reassembly.GapAcked:
		// tshark's marker for bytes the peer acknowledged but the capture
		// lacks.
		f.Data([]byte(fmt.Sprintf("[%d bytes missing in capture file]\x00", g.Len)))
	case reassembly.GapClosed, reassembly.GapOverflow:
		f.stopped = true
	}
}

func (f *followSink) End(reassembly.EndReason) {}

func newFollowConv(s followSeg, next func(side int) reassembly.Sink) *followConv {
	c := &followConv{stream: s.stream, udp: s.udp, node: [2]netip.AddrPort{s.src, s.dst}}
	for i := range c.s {
		c.sinks[i] = &followSink{c: c, side: i, next: next(i)}
		c.s[i] = reassembly.NewStream(reassembly.Config{}, c.sinks[i])
	}
	return c
}

func (c *followConv) add(p *packet.Packet, s followSeg) {
	side := 0
	if s.src != c.node[0] {
		side = 1
	}
	c.frame, c.ts = p.Number, p.Timestamp
	if c.udp {
		if len(s.payload) > 0 {
			c.sinks[side].Data(s.payload)
		}
		return
	}
	if s.flags&reassembly.ACK != 0 {
		c.s[1-side].Ack(s.ack)
	}
	c.s[side].SegmentLen(s.seq, s.flags, s.payload, s.wire)
}

func (c *followConv) close() {
	c.s[0].Close()
	c.s[1].Close()
}

// print writes the chunks as tshark -z follow does.
func (c *followConv) print(w *bufio.Writer, format string, only int) {
	proto := "tcp"
	if c.udp {
		proto = "udp"
	}
	if format == "yaml" {
		w.WriteString("peers:\n")
		for i, n := range c.node {
			fmt.Fprintf(w, "  - peer: %d\n    host: %s\n    port: %d\n", i, n.Addr(), n.Port())
		}
		w.WriteString("packets:\n")
	} else {
		fmt.Fprintf(w, "\n===================================================================\nFollow: %s,%s\nFilter: %s.stream eq %d\nNode 0: %s\nNode 1: %s\n",
			proto, format, proto, c.stream, c.node[0], c.node[1])
	}
	for _, ch := range c.chunks {
		if only >= 0 && ch.side != only {
			continue
		}
		tab := ""
		if ch.side == 1 {
			tab = "\t"
		}
		switch format {
		case "ascii":
			fmt.Fprintf(w, "%s%d\n", tab, len(ch.data))
			for _, b := range ch.data {
				if b < 0x20 && b != '\n' && b != '\r' || b >= 0x7f { // tshark 4.0 shows a tab as '.' too
					b = '.'
				}
				w.WriteByte(b)
			}
			w.WriteByte('\n')
		case "hex":
			followHex(w, tab, ch.off, ch.data)
		case "raw":
			w.WriteString(tab)
			w.WriteString(hex.EncodeToString(ch.data))
			w.WriteByte('\n')
		case "yaml":
			// tshark prints the time through a double, digits and all.
			t := strconv.FormatFloat(float64(ch.ts/1e9)+float64(ch.ts%1e9)/1e9, 'f', 9, 64)
			fmt.Fprintf(w, "  - packet: %d\n    peer: %d\n    timestamp: %s\n    data: !!binary |\n", ch.frame, ch.side, t)
			enc := base64.StdEncoding.EncodeToString(ch.data)
			for len(enc) > 0 {
				n := min(76, len(enc))
				fmt.Fprintf(w, "      %s\n", enc[:n])
				enc = enc[n:]
			}
		}
	}
	if format != "yaml" {
		w.WriteString("===================================================================\n")
	}
}

// followHex writes data as tshark's follow hex lines: the offset in the
// side's stream (upper-case hex), 16 bytes in two groups, their ASCII.
func followHex(w *bufio.Writer, tab string, off int64, data []byte) {
	for i := 0; i < len(data); i += 16 {
		line := data[i:min(i+16, len(data))]
		fmt.Fprintf(w, "%s%08X  ", tab, off+int64(i))
		for j := 0; j < 16; j++ {
			if j < len(line) {
				fmt.Fprintf(w, "%02x ", line[j])
			} else {
				w.WriteString("   ")
			}
			if j == 7 {
				w.WriteByte(' ')
			}
		}
		w.WriteByte(' ')
		var asc [17]byte
		n := 0
		for j, b := range line {
			if j == 8 {
				asc[n] = ' '
				n++
			}
			if b < 0x20 || b >= 0x7f {
				b = '.'
			}
			asc[n] = b
			n++
		}
		// tshark ends the line at its last visible character.
		w.WriteString(strings.TrimRight(string(asc[:n]), " "))
		w.WriteByte('\n')
	}
}

// dirFile is one connection direction written by --all.
type dirFile struct {
	path    string
	buf     []byte
	h       hash.Hash
	n       int64
	err     error
	started bool
}

func (d *dirFile) Data(b []byte) {
	d.buf = append(d.buf, b...)
	d.h.Write(b)
	d.n += int64(len(b))
	if len(d.buf) >= 64<<10 {
		d.flush()
	}
}
func (d *dirFile) Gap(reassembly.Gap)       {}
func (d *dirFile) End(reassembly.EndReason) {}

// flush appends the buffered bytes to the file (opened only for that, so
// that a capture with many connections needs few open files).
func (d *dirFile) flush() {
	if d.err != nil || (len(d.buf) == 0 && d.started) {
		d.buf = d.buf[:0]
		return
	}
	mode := os.O_WRONLY | os.O_CREATE | os.O_APPEND
	if !d.started {
		mode |= os.O_TRUNC
		d.started = true
	}
	f, err := os.OpenFile(d.path, mode, 0o644)
	if err == nil {
		_, err = f.Write(d.buf)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	d.err = err
	d.buf = d.buf[:0]
}

// flowName is tcpflow's name for an endpoint: IPv4 octets and the port
// zero-padded (010.000.000.001.00080), IPv6 groups in full.
func flowName(a netip.AddrPort) string {
	var s string
	if a.Addr().Is4() {
		b := a.Addr().As4()
		s = fmt.Sprintf("%03d.%03d.%03d.%03d", b[0], b[1], b[2], b[3])
	} else {
		b := a.Addr().As16()
		var g []string
		for i := 0; i < 16; i += 2 {
			g = append(g, fmt.Sprintf("%02x%02x", b[i], b[i+1]))
		}
		s = strings.Join(g, ".")
	}
	return fmt.Sprintf("%s.%05d", s, a.Port())
}

// followAll writes every TCP connection direction and the index.
func followAll(path, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	convs := map[int32]*followConv{}
	var order []*followConv
	files := map[*followConv]*[2]*dirFile{}
	used := map[string]int{}
	bar := progress.New(path)
	err := followWalk(path, bar, func(p *packet.Packet, s followSeg) {
		if s.udp {
			return
		}
		c := convs[s.stream]
		if c == nil {
			var fs [2]*dirFile
			for i, e := range [2][2]netip.AddrPort{{s.src, s.dst}, {s.dst, s.src}} {
				name := flowName(e[0]) + "-" + flowName(e[1])
				if k := used[name]; k > 0 {
					name += "c" + strconv.Itoa(k) // port reuse: tcpflow's connection count
				}
				used[flowName(e[0])+"-"+flowName(e[1])]++
				fs[i] = &dirFile{path: filepath.Join(dir, name), h: md5.New()}
			}
			c = newFollowConv(s, func(i int) reassembly.Sink { return fs[i] })
			convs[s.stream] = c
			order = append(order, c)
			files[c] = &fs
		}
		c.add(p, s)
	})
	bar.Done()
	if err != nil {
		return err
	}
	idx, err := os.Create(filepath.Join(dir, "index.tsv"))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(idx)
	w.WriteString("stream\tsrc\tdst\tbytes\tgaps\tmissing_bytes\tmd5\n")
	for _, c := range order {
		c.close()
		fs := files[c]
		for i, f := range fs {
			if f.n == 0 {
				continue // nothing sent that way: no file, as tcpflow
			}
			f.flush()
			if f.err != nil {
				return f.err
			}
			sk := c.sinks[i]
			fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%d\t%d\t%x\n", c.stream, c.node[i], c.node[1-i], f.n, sk.gaps, sk.missing, f.h.Sum(nil))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return idx.Close()
}
