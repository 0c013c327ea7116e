package tcpanalysis

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"text/tabwriter"
	"time"

	"pktkit/layers"
	"pktkit/packet"
)

// Event is one packet of a connection's timeline.
type Event struct {
	Frame      uint32
	Time       int64 // nanoseconds since the epoch
	FromClient bool
	Flags      uint8  // TCP header flags
	Seq, Ack   uint32 // relative, as tcp.seq and tcp.ack
	Len        uint32 // payload bytes
	Window     uint32 // tcp.window_size (scaled when known)
	Analysis   uint16 // analysis flags (Retransmission ...)
}

// Conn is one TCP connection (a tcp.stream) as the timeline and the slow
// ranking see it.
type Conn struct {
	Stream         int32
	Client, Server netip.AddrPort // the client sent the SYN, else the first packet
	FirstFrame     uint32
	FirstTime      int64
	LastFrame      uint32
	LastTime       int64
	Packets        [2]uint64 // from the client, from the server
	Bytes          [2]uint64 // payload bytes, retransmissions left out
	Retrans        [2]uint64 // retransmitted segments (all kinds)
	// Handshake times (0 when not seen): the client's SYN, the server's
	// SYN-ACK, the client's ACK of it.
	SYNTime, SYNACKTime, ACKTime int64
	// FirstRequest is when the client's first payload byte was sent,
	// FirstResponse when the server's first payload byte after it was (0
	// when not seen).
	FirstRequest, FirstResponse int64
	// MaxGap is the longest time between two packets of the connection,
	// ending at frame MaxGapFrame.
	MaxGap      int64
	MaxGapFrame uint32
	FINFrame    [2]uint32 // each side's first FIN (0: none)
	RSTFrame    [2]uint32 // each side's first RST (0: none)
	Events      []Event   // kept when the collector was asked to
}

// side is 0 for the client, 1 for the server.
func side(fromClient bool) int {
	if fromClient {
		return 0
	}
	return 1
}

// HandshakeRTT returns SYN to the ACK of the SYN-ACK (tcp.analysis.initial_rtt).
func (c *Conn) HandshakeRTT() (time.Duration, bool) {
	if c.SYNTime == 0 || c.ACKTime == 0 {
		return 0, false
	}
	return time.Duration(c.ACKTime - c.SYNTime), true
}

// TimeToFirstByte returns the time from the client's first payload byte to
// the server's first payload byte after it.
func (c *Conn) TimeToFirstByte() (time.Duration, bool) {
	if c.FirstRequest == 0 || c.FirstResponse == 0 {
		return 0, false
	}
	return time.Duration(c.FirstResponse - c.FirstRequest), true
}

// Ending says how the connection ended: by a FIN from both sides, by a RST
// (from which side), half-closed, unanswered, or still open.
func (c *Conn) Ending() string {
	who := [2]string{"client", "server"}
	first := func(f [2]uint32) int {
		if f[0] != 0 && (f[1] == 0 || f[0] <= f[1]) {
			return 0
		}
		return 1
	}
	switch {
	case c.RSTFrame[0] != 0 || c.RSTFrame[1] != 0:
		s := first(c.RSTFrame)
		return fmt.Sprintf("reset by the %s (frame %d)", who[s], c.RSTFrame[s])
	case c.FINFrame[0] != 0 && c.FINFrame[1] != 0:
		s := first(c.FINFrame)
		return fmt.Sprintf("closed, FIN first from the %s (frame %d)", who[s], c.FINFrame[s])
	case c.FINFrame[0] != 0 || c.FINFrame[1] != 0:
		s := first(c.FINFrame)
		return fmt.Sprintf("half-closed by the %s (frame %d)", who[s], c.FINFrame[s])
	case c.SYNTime != 0 && c.SYNACKTime == 0:
		return "no answer to the SYN"
	}
	return "still open"
}

// Premature reports whether the connection ended early: reset, half
// closed, or a SYN never answered.
func (c *Conn) Premature() bool {
	return c.RSTFrame[0] != 0 || c.RSTFrame[1] != 0 || (c.FINFrame[0] != 0) != (c.FINFrame[1] != 0) ||
		c.SYNTime != 0 && c.SYNACKTime == 0
}

// Collector gathers connections from packets the analysis has seen, in
// file order: every connection's summary, and the events of those it is
// asked to keep.
type Collector struct {
	// Keep, if set, says which streams keep their events (the timeline).
	Keep func(stream int32) bool
	// Only, if set, says which streams to collect at all.
	Only func(stream int32) bool

	conns map[int32]*Conn
	order []*Conn
}

// Conns returns the connections in order of first packet.
func (k *Collector) Conns() []*Conn { return k.order }

// Add reads the analysis note of p (run the Analysis over it first).
func (k *Collector) Add(p *packet.Packet) {
	n, ok := p.Note(Analysis).(*Note)
	if !ok || len(n.Layers) == 0 {
		return
	}
	ls := p.Layers()
	for i := range n.Layers {
		lr := &n.Layers[i]
		if lr.Layer >= len(ls) || ls[lr.Layer].Quoted() {
			continue
		}
		k.add(p, ls, lr.Layer, &lr.Result)
		return // the first TCP layer not quoted in an ICMP error
	}
}

func (k *Collector) add(p *packet.Packet, ls []packet.Layer, ti int, r *Result) {
	if k.Only != nil && !k.Only(r.Stream) {
		return
	}
	tl := &ls[ti]
	h := tl.Data
	if len(h) < 20 {
		return
	}
	var src, dst netip.Addr
	for j := ti - 1; j >= 0; j-- {
		d := ls[j].Data
		if ls[j].Proto == layers.IP && len(d) >= 20 {
			src, dst = netip.AddrFrom4([4]byte(d[12:16])), netip.AddrFrom4([4]byte(d[16:20]))
			break
		}
		if ls[j].Proto == layers.IPv6 && len(d) >= 40 {
			src, dst = netip.AddrFrom16([16]byte(d[8:24])), netip.AddrFrom16([16]byte(d[24:40]))
			break
		}
	}
	a := netip.AddrPortFrom(src, be16(h))
	b := netip.AddrPortFrom(dst, be16(h[2:]))
	flags := h[13]
	if k.conns == nil {
		k.conns = map[int32]*Conn{}
	}
	c := k.conns[r.Stream]
	if c == nil {
		c = &Conn{Stream: r.Stream, Client: a, Server: b, FirstFrame: uint32(p.Number), FirstTime: p.Timestamp}
		if flags&(thSYN|thACK) == thSYN|thACK {
			c.Client, c.Server = b, a // the SYN-ACK comes from the server
		}
		k.conns[r.Stream] = c
		k.order = append(k.order, c)
	} else if c.Packets[0]+c.Packets[1] > 0 && p.Timestamp-c.LastTime > c.MaxGap {
		c.MaxGap, c.MaxGapFrame = p.Timestamp-c.LastTime, uint32(p.Number)
	}
	fromClient := a == c.Client
	s := side(fromClient)
	c.LastFrame, c.LastTime = uint32(p.Number), p.Timestamp
	c.Packets[s]++
	retrans := r.Analysis && r.Flags&(Retransmission|FastRetransmission|SpuriousRetransmission) != 0
	n := r.NxtSeq - r.Seq
	if !r.HaveLen {
		n = 0
	} else if flags&thSYN != 0 {
		n = max(n, 1) - 1
	}
	if flags&thFIN != 0 && n > 0 {
		n--
	}
	if retrans {
		c.Retrans[s]++
	} else {
		c.Bytes[s] += uint64(n)
	}
	switch {
	case flags&(thSYN|thACK) == thSYN && fromClient && c.SYNTime == 0:
		c.SYNTime = p.Timestamp
	case flags&(thSYN|thACK) == thSYN|thACK && !fromClient && c.SYNACKTime == 0:
		c.SYNACKTime = p.Timestamp
	case flags&(thSYN|thACK) == thACK && fromClient && c.SYNACKTime != 0 && c.ACKTime == 0:
		c.ACKTime = p.Timestamp
	}
	if n > 0 {
		if fromClient && c.FirstRequest == 0 {
			c.FirstRequest = p.Timestamp
		} else if !fromClient && c.FirstRequest != 0 && c.FirstResponse == 0 {
			c.FirstResponse = p.Timestamp
		}
	}
	if flags&thFIN != 0 && c.FINFrame[s] == 0 {
		c.FINFrame[s] = uint32(p.Number)
	}
	if flags&thRST != 0 && c.RSTFrame[s] == 0 {
		c.RSTFrame[s] = uint32(p.Number)
	}
	if k.Keep != nil && k.Keep(r.Stream) {
		e := Event{Frame: uint32(p.Number), Time: p.Timestamp, FromClient: fromClient, Flags: flags,
			Seq: r.Seq, Ack: r.Ack, Len: n, Window: r.Window}
		if r.Analysis {
			e.Analysis = r.Flags
		}
		c.Events = append(c.Events, e)
	}
}

// FlagString writes TCP flags as Scapy does (FSRPAUECN order).
func FlagString(f uint8) string {
	var sb strings.Builder
	for i, n := range "FSRPAUEC" {
		if f&(1<<i) != 0 {
			sb.WriteRune(n)
		}
	}
	return sb.String()
}

// AnalysisString names analysis flags by their tcp.analysis.* fields.
func AnalysisString(f uint16) string {
	var ns []string
	for _, ff := range FlagFields {
		if f&ff.Mask != 0 && (ff.WS != "tcp.analysis.retransmission" || f&Retransmission != 0) {
			ns = append(ns, strings.TrimPrefix(ff.WS, "tcp.analysis."))
		}
	}
	return strings.Join(ns, ",")
}

// WriteTimeline writes a connection's timeline: a header with its first
// and last packets, one line per packet (frame, time since the first
// packet, direction, flags, relative seq and ack, payload length, window,
// analysis flags), and a footer with the handshake RTT, bytes and
// retransmissions each way, how it ended and its longest idle time.
func WriteTimeline(w io.Writer, c *Conn) error {
	stamp := func(ns int64) string { return time.Unix(0, ns).UTC().Format("2006-01-02 15:04:05.000000") }
	fmt.Fprintf(w, "TCP stream %d: client %s, server %s\n", c.Stream, c.Client, c.Server)
	fmt.Fprintf(w, "first packet %d at %s UTC, last packet %d at %s UTC\n\n", c.FirstFrame, stamp(c.FirstTime), c.LastFrame, stamp(c.LastTime))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "FRAME\tTIME\t\tFLAGS\tSEQ\tACK\tLEN\tWIN\t\t")
	for _, e := range c.Events {
		dir := "-->"
		if !e.FromClient {
			dir = "<--"
		}
		fmt.Fprintf(tw, "%d\t%.6f\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t\n", e.Frame, float64(e.Time-c.FirstTime)/1e9, dir,
			FlagString(e.Flags), e.Seq, e.Ack, e.Len, e.Window, AnalysisString(e.Analysis))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if rtt, ok := c.HandshakeRTT(); ok {
		fmt.Fprintf(w, "handshake RTT %v (SYN to SYN-ACK %v, SYN-ACK to ACK %v)\n", rtt,
			time.Duration(c.SYNACKTime-c.SYNTime), time.Duration(c.ACKTime-c.SYNACKTime))
	} else {
		fmt.Fprintln(w, "handshake RTT: no complete handshake seen")
	}
	if d, ok := c.TimeToFirstByte(); ok {
		fmt.Fprintf(w, "time to first response byte %v\n", d)
	}
	fmt.Fprintf(w, "client sent %d bytes in %d packets (%d retransmitted), server %d bytes in %d packets (%d retransmitted)\n",
		c.Bytes[0], c.Packets[0], c.Retrans[0], c.Bytes[1], c.Packets[1], c.Retrans[1])
	fmt.Fprintf(w, "ended: %s\n", c.Ending())
	if c.MaxGapFrame != 0 {
		fmt.Fprintf(w, "longest idle time %v, before frame %d\n", time.Duration(c.MaxGap), c.MaxGapFrame)
	}
	return nil
}
