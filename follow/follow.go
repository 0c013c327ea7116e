// Package follow reassembles TCP and UDP conversations of a capture and
// shows what each side sent, as tshark's -z follow does (ascii, hex, raw
// and yaml layouts), or writes every TCP direction to files as tcpflow
// does. IP fragments are reassembled first (package defrag), streams are
// numbered as tshark numbers them (package flow) and TCP bytes are put in
// order by package reassembly: the first copy of retransmitted or
// overlapping bytes wins, a hole the peer acknowledged shows as tshark's
// "[N bytes missing in capture file]" marker, and data behind a hole
// never filled or acknowledged is not shown (tshark keeps it waiting).
package follow

import (
	"bufio"
	"container/heap"
	"container/list"
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
	"pktkit/layers"
	"pktkit/packet"
	"pktkit/reassembly"
	"pktkit/walk"
)

// Segment is a packet's TCP segment or UDP datagram as follow sees it.
type Segment struct {
	UDP      bool
	Stream   int32 // tcp.stream or udp.stream
	Src, Dst netip.AddrPort
	Seq, Ack uint32 // TCP only
	Flags    reassembly.Flags
	Payload  []byte // valid during the callback only
	Wire     int    // payload length on the wire (more if the capture cut it)
}

// Follower turns packets, in file order, into the segments follow reads:
// IPv4 and IPv6 fragments reassembled first, each TCP or UDP layer's
// tshark stream number from a connection table.
type Follower struct {
	t  *flow.Table
	df *defrag.Defragmenter
}

// Limits bound the memory of following. The zero value takes the
// defaults.
type Limits struct {
	// MaxConns bounds the connections held at once: by the connection
	// table that numbers streams (whose least recently active connection
	// is then forgotten, flow.Config.MaxConns) and by WriteAll (which then
	// closes the least recently active one early). Default 1<<20.
	MaxConns int
	// MaxBuffered bounds the out-of-order bytes one direction holds
	// (reassembly.Config.MaxBuffered; default reassembly.DefaultMaxBuffered).
	// Beyond it the direction skips ahead over its first hole.
	MaxBuffered int
	// MaxMemory bounds the out-of-order bytes of all directions together
	// (default 256 MiB); a direction refused memory skips ahead too.
	MaxMemory int64
}

func (l Limits) maxConns() int {
	if l.MaxConns > 0 {
		return l.MaxConns
	}
	return 1 << 20
}

// NewFollower returns a Follower for one capture.
func NewFollower(lim Limits) *Follower {
	return &Follower{t: flow.New(flow.Config{MaxConns: lim.maxConns()}), df: defrag.New(defrag.Config{})}
}

// Packet reads p's first TCP or UDP layer that is not quoted in an ICMP
// error. It returns the segment, the packet it lies in (p, or a datagram
// reassembled from fragments, with p's number and time) and whether there
// was one. Every packet of the capture must be given, in order.
func (f *Follower) Packet(p *packet.Packet) (Segment, *packet.Packet, bool) {
	for _, l := range p.Layers() {
		if l.Proto != layers.IP && l.Proto != layers.IPv6 || l.Quoted() {
			continue
		}
		if r := f.df.Add(0, l.Data, p.Timestamp); r.Status == defrag.Complete {
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
	f.t.Update(p)
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
			return Segment{}, p, false
		}
		s := Segment{UDP: l.Proto == layers.UDP, Stream: -1}
		for _, st := range f.t.Streams() {
			if st.Layer == l.Index {
				s.Stream = st.N
			}
		}
		if s.Stream < 0 {
			return Segment{}, p, false
		}
		var src, dst netip.Addr
		if ip.Proto == layers.IP {
			src, dst = netip.AddrFrom4([4]byte(ip.Data[12:16])), netip.AddrFrom4([4]byte(ip.Data[16:20]))
		} else {
			src, dst = netip.AddrFrom16([16]byte(ip.Data[8:24])), netip.AddrFrom16([16]byte(ip.Data[24:40]))
		}
		h := l.Data
		s.Src = netip.AddrPortFrom(src, binary.BigEndian.Uint16(h))
		s.Dst = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(h[2:]))
		s.Payload = h[min(l.HdrLen, len(h)):]
		s.Wire = max(l.Reported-l.HdrLen, len(s.Payload))
		if !s.UDP {
			s.Seq, s.Ack = binary.BigEndian.Uint32(h[4:]), binary.BigEndian.Uint32(h[8:])
			s.Flags = reassembly.Flags(h[13])
		}
		return s, p, true
	}
	return Segment{}, p, false
}

// Walk calls fn with each segment of a capture file (see Follower.Packet).
func Walk(path string, lim Limits, progress func(done, total int64), fn func(p *packet.Packet, s Segment)) error {
	f := NewFollower(lim)
	return walk.File(path, walk.Options{Progress: progress}, func(p *packet.Packet, rec *capture.Record) error {
		if s, q, ok := f.Packet(p); ok {
			fn(q, s)
		}
		return nil
	})
}

// Chunk is what one side sent, as delivered in order.
type Chunk struct {
	frame int
	ts    int64
	side  int
	off   int64 // offset in the side's stream
	data  []byte
}

// Conv is one followed conversation: its two sides' reassembly and
// what they delivered.
type Conv struct {
	stream int32
	udp    bool
	node   [2]netip.AddrPort
	s      [2]*reassembly.Stream
	sinks  [2]*sideSink
	chunks []Chunk
	frame  int
	ts     int64
}

// sideSink collects one side's bytes as chunks (or hands them on).
type sideSink struct {
	c       *Conv
	side    int
	n       int64
	stopped bool
	next    reassembly.Sink // for --all: where the bytes go instead
	gaps    int
	missing int64
}

func (f *sideSink) Data(b []byte) {
	if f.stopped {
		return
	}
	if f.next != nil {
		f.next.Data(b)
	} else {
		f.c.chunks = append(f.c.chunks, Chunk{frame: f.c.frame, ts: f.c.ts, side: f.side, off: f.n, data: append([]byte(nil), b...)})
	}
	f.n += int64(len(b))
}

func (f *sideSink) Gap(g reassembly.Gap) {
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

func (f *sideSink) End(reassembly.EndReason) {}

// NewConv starts following the conversation of segment s (whose sender is
// node 0), each side reassembled with cfg's limits. With next, each side's
// bytes go to next(side) instead of being kept as chunks for Print.
func NewConv(s Segment, cfg reassembly.Config, next func(side int) reassembly.Sink) *Conv {
	c := &Conv{stream: s.Stream, udp: s.UDP, node: [2]netip.AddrPort{s.Src, s.Dst}}
	for i := range c.s {
		c.sinks[i] = &sideSink{c: c, side: i}
		if next != nil {
			c.sinks[i].next = next(i)
		}
		c.s[i] = reassembly.NewStream(cfg, c.sinks[i])
	}
	return c
}

// Add gives the conversation its next segment, read from p.
func (c *Conv) Add(p *packet.Packet, s Segment) {
	side := 0
	if s.Src != c.node[0] {
		side = 1
	}
	c.frame, c.ts = p.Number, p.Timestamp
	if c.udp {
		if len(s.Payload) > 0 {
			c.sinks[side].Data(s.Payload)
		}
		return
	}
	if s.Flags&reassembly.ACK != 0 {
		c.s[1-side].Ack(s.Ack)
	}
	c.s[side].SegmentLen(s.Seq, s.Flags, s.Payload, s.Wire)
}

// Close ends both sides: data still waiting behind a hole is given up.
func (c *Conv) Close() {
	c.s[0].Close()
	c.s[1].Close()
}

// Stats returns each side's reassembly counters (holes skipped because of
// the buffer limits among them).
func (c *Conv) Stats() [2]reassembly.Stats {
	return [2]reassembly.Stats{c.s[0].Stats(), c.s[1].Stats()}
}

// Print writes the conversation as tshark -z follow,PROTO,FORMAT does:
// format is ascii, hex, raw or yaml; side is 0 or 1 for one side only, -1
// for both.
func (c *Conv) Print(out io.Writer, format string, side int) error {
	switch format {
	case "ascii", "hex", "raw", "yaml":
	default:
		return fmt.Errorf("follow: unknown format %q (ascii, hex, raw, yaml)", format)
	}
	w := bufio.NewWriter(out)
	only := side
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
			writeHex(w, tab, ch.off, ch.data)
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
	return w.Flush()
}

// Stream returns the conversation's tshark stream number.
func (c *Conv) Stream() int32 { return c.stream }

// Nodes returns the two sides, node 0 (the first packet's sender) first.
func (c *Conv) Nodes() [2]netip.AddrPort { return c.node }

// Bytes returns what one side sent, its chunks joined.
func (c *Conv) Bytes(side int) []byte {
	var b []byte
	for _, ch := range c.chunks {
		if ch.side == side {
			b = append(b, ch.data...)
		}
	}
	return b
}

// writeHex writes data as tshark's follow hex lines: the offset in the
// side's stream (upper-case hex), 16 bytes in two groups, their ASCII.
func writeHex(w *bufio.Writer, tab string, off int64, data []byte) {
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

// dirFile is one connection direction written by WriteAll.
type dirFile struct {
	w       *allWriter
	path    string
	buf     []byte
	h       hash.Hash
	n       int64
	err     error
	started bool
	dirty   bool // in w.dirty
	ended   bool // its stream ended with a FIN
}

func (d *dirFile) Data(b []byte) {
	d.buf = append(d.buf, b...)
	d.h.Write(b)
	d.n += int64(len(b))
	d.w.pending += len(b)
	if len(d.buf) >= 64<<10 {
		d.flush(true)
	} else if !d.dirty {
		d.dirty = true
		d.w.dirty = append(d.w.dirty, d)
	}
	if d.w.pending > maxPending || len(d.w.dirty) > maxDirty {
		d.w.flushAll()
	}
}
func (d *dirFile) Gap(reassembly.Gap) {}
func (d *dirFile) End(r reassembly.EndReason) {
	d.ended = r == reassembly.EndFIN
}

// maxPending bounds the bytes WriteAll holds for its files, all together:
// past it every file with bytes waiting is written.
const maxPending = 32 << 20

// maxDirty bounds the list of files with bytes waiting (which keeps files
// already written by a connection's close until the next flushAll).
const maxDirty = 1 << 16

// flush appends the buffered bytes to the file (opened only for that, so
// that a capture with many connections needs few open files). Unless keep
// is set (a direction streaming on), the buffer's memory goes too.
func (d *dirFile) flush(keep bool) {
	d.w.pending -= len(d.buf)
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
	if keep && cap(d.buf) <= 128<<10 {
		d.buf = d.buf[:0]
	} else {
		d.buf = nil
	}
}

// FlowName is tcpflow's name for an endpoint: IPv4 octets and the port
// zero-padded (010.000.000.001.00080), IPv6 groups in full.
func FlowName(a netip.AddrPort) string {
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

// AllStats says what WriteAll wrote and what its limits cost.
type AllStats struct {
	Conns      int // connections (tshark streams) written
	Directions int // index rows (directions that sent bytes)
	// Evicted counts connections closed early because Limits.MaxConns
	// were open at once: a later packet of one starts a new file ("cN").
	Evicted int
	// OverflowGaps and OverflowBytes count the holes skipped because a
	// buffer limit (Limits.MaxBuffered, MaxMemory) was reached, and their
	// bytes; they are in the index's gaps and missing_bytes too.
	OverflowGaps  int
	OverflowBytes int64
	// OutOfOrder counts index rows written ahead of an older connection
	// still open (more than maxHeldRows were waiting).
	OutOfOrder int
}

// allWriter is WriteAll's state.
type allWriter struct {
	dir string
	lim Limits
	cfg reassembly.Config
	// open holds the connections followed and, as tombstones (c nil),
	// those both of whose sides ended with a FIN, so that their last
	// ACKs start nothing new; all count toward Limits.MaxConns.
	open    map[int32]*openConv
	lru     list.List // *openConv, most recently active first
	used    map[string]int
	pending int // bytes buffered in dirFiles
	dirty   []*dirFile
	idx     *bufio.Writer
	// Index rows go out in stream order: a closed connection's rows wait
	// only for older connections still open.
	openStreams int32Heap // streams followed (closed ones removed lazily)
	held        rowHeap
	stats       AllStats
	err         error
}

// openConv is a connection WriteAll follows.
type openConv struct {
	c      *Conv // nil once closed (a tombstone)
	stream int32
	fs     [2]*dirFile
	elem   *list.Element
}

// indexRow is one line of index.tsv.
type indexRow struct {
	stream   int32
	side     int
	src, dst netip.AddrPort
	n        int64
	gaps     int
	missing  int64
	sum      [md5.Size]byte
}

// maxHeldRows bounds the index rows waiting for older connections.
const maxHeldRows = 1 << 18

// WriteAll writes every TCP connection direction of a capture to dir, one
// file each named like tcpflow's (FlowName of source and destination;
// "cN" added when a name repeats), and dir/index.tsv with the columns
// stream src dst bytes gaps missing_bytes md5, in stream order. Memory is
// bounded by lim: a connection is let go (its files written, its rows
// indexed) once both sides sent their FIN, or when lim.MaxConns others are
// more recently active.
func WriteAll(path, dir string, lim Limits, progress func(done, total int64)) (AllStats, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return AllStats{}, err
	}
	idx, err := os.Create(filepath.Join(dir, "index.tsv"))
	if err != nil {
		return AllStats{}, err
	}
	defer idx.Close()
	w := &allWriter{dir: dir, lim: lim, open: map[int32]*openConv{}, used: map[string]int{}, idx: bufio.NewWriter(idx)}
	w.cfg.MaxBuffered = lim.MaxBuffered
	mem := lim.MaxMemory
	if mem <= 0 {
		mem = 256 << 20
	}
	w.cfg.Budget = &reassembly.Budget{Max: mem}
	w.idx.WriteString("stream\tsrc\tdst\tbytes\tgaps\tmissing_bytes\tmd5\n")
	err = Walk(path, lim, progress, func(p *packet.Packet, s Segment) {
		if !s.UDP && w.err == nil {
			w.segment(p, s)
		}
	})
	for w.lru.Len() > 0 && w.err == nil {
		w.drop(w.lru.Back().Value.(*openConv))
	}
	w.release(true)
	if err == nil {
		err = w.err
	}
	if ferr := w.idx.Flush(); err == nil {
		err = ferr
	}
	if cerr := idx.Close(); err == nil {
		err = cerr
	}
	return w.stats, err
}

// segment gives a TCP segment to its connection, started if new.
func (w *allWriter) segment(p *packet.Packet, s Segment) {
	oc := w.open[s.Stream]
	if oc != nil {
		w.lru.MoveToFront(oc.elem)
		if oc.c == nil {
			if len(s.Payload) == 0 && s.Flags&reassembly.SYN == 0 {
				return // the last ACKs of a connection done with
			}
			// More after both FINs: it goes on in new files.
			w.lru.Remove(oc.elem)
			delete(w.open, s.Stream)
			oc = nil
		}
	}
	if oc == nil {
		oc = &openConv{stream: s.Stream}
		for i, e := range [2][2]netip.AddrPort{{s.Src, s.Dst}, {s.Dst, s.Src}} {
			base := FlowName(e[0]) + "-" + FlowName(e[1])
			name := base
			if k := w.used[base]; k > 0 {
				name += "c" + strconv.Itoa(k) // port reuse: tcpflow's connection count
			}
			w.used[base]++
			oc.fs[i] = &dirFile{w: w, path: filepath.Join(w.dir, name), h: md5.New()}
		}
		oc.c = NewConv(s, w.cfg, func(i int) reassembly.Sink { return oc.fs[i] })
		w.open[s.Stream] = oc
		oc.elem = w.lru.PushFront(oc)
		heap.Push(&w.openStreams, s.Stream)
		if w.openStreams.Len() > 2*len(w.open)+1024 {
			// Closed streams pile up below an old one still open: keep
			// only those followed.
			w.openStreams = w.openStreams[:0]
			for n, oc := range w.open {
				if oc.c != nil {
					w.openStreams = append(w.openStreams, n)
				}
			}
			heap.Init(&w.openStreams)
		}
		if w.lru.Len() > w.lim.maxConns() {
			w.drop(w.lru.Back().Value.(*openConv))
		}
	}
	oc.c.Add(p, s)
	if oc.fs[0].ended && oc.fs[1].ended {
		w.close(oc) // both FINs: nothing more can be added
	}
}

// drop lets a connection go for good: closed early if still followed
// (counted as evicted), forgotten if a tombstone.
func (w *allWriter) drop(oc *openConv) {
	if oc.c != nil {
		if w.lru.Len() > w.lim.maxConns() {
			w.stats.Evicted++
		}
		w.close(oc)
	}
	w.lru.Remove(oc.elem)
	delete(w.open, oc.stream)
}

// close ends a connection, which stays as a tombstone: its files are
// written and its rows queued.
func (w *allWriter) close(oc *openConv) {
	c := oc.c
	c.Close()
	oc.c, oc.stream = nil, c.stream
	w.stats.Conns++
	st := c.Stats()
	for i, f := range oc.fs {
		w.stats.OverflowGaps += st[i].OverflowGaps
		w.stats.OverflowBytes += st[i].OverflowBytes
		if f.n == 0 {
			continue // nothing sent that way: no file, as tcpflow
		}
		f.flush(false)
		if f.err != nil && w.err == nil {
			w.err = f.err
		}
		sk := c.sinks[i]
		r := &indexRow{stream: c.stream, side: i, src: c.node[i], dst: c.node[1-i], n: f.n, gaps: sk.gaps, missing: sk.missing}
		f.h.Sum(r.sum[:0])
		heap.Push(&w.held, r)
	}
	oc.fs = [2]*dirFile{}
	w.release(false)
}

// release writes the held rows that no open connection is older than (all
// of them at the end; the oldest when too many wait).
func (w *allWriter) release(all bool) {
	for w.held.Len() > 0 {
		for w.openStreams.Len() > 0 && !w.following(w.openStreams[0]) {
			heap.Pop(&w.openStreams)
		}
		top := w.held[0]
		if !all && w.openStreams.Len() > 0 && w.openStreams[0] < top.stream {
			if w.held.Len() <= maxHeldRows {
				return
			}
			w.stats.OutOfOrder++
		}
		heap.Pop(&w.held)
		w.stats.Directions++
		fmt.Fprintf(w.idx, "%d\t%s\t%s\t%d\t%d\t%d\t%x\n", top.stream, top.src, top.dst, top.n, top.gaps, top.missing, top.sum)
	}
}

// following reports whether stream n's connection is being followed.
func (w *allWriter) following(n int32) bool {
	oc := w.open[n]
	return oc != nil && oc.c != nil
}

// flushAll writes every file with bytes waiting.
func (w *allWriter) flushAll() {
	for _, d := range w.dirty {
		d.dirty = false
		d.flush(false)
		if d.err != nil && w.err == nil {
			w.err = d.err
		}
	}
	clear(w.dirty)
	w.dirty = w.dirty[:0]
}

type int32Heap []int32

func (h int32Heap) Len() int           { return len(h) }
func (h int32Heap) Less(i, j int) bool { return h[i] < h[j] }
func (h int32Heap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *int32Heap) Push(x any)        { *h = append(*h, x.(int32)) }
func (h *int32Heap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type rowHeap []*indexRow

func (h rowHeap) Len() int { return len(h) }
func (h rowHeap) Less(i, j int) bool {
	return h[i].stream < h[j].stream || h[i].stream == h[j].stream && h[i].side < h[j].side
}
func (h rowHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *rowHeap) Push(x any)   { *h = append(*h, x.(*indexRow)) }
func (h *rowHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return x
}
