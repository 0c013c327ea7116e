package shell

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"

	"go.starlark.net/starlark"

	"pktkit/flow"
	"pktkit/follow"
	"pktkit/packet"
	"pktkit/reassembly"
	"pktkit/tcpanalysis"
)

// eachFrame hands the packets of a list to fn as dissected frames, in
// order, numbered from 1 (the list's order is the capture's).
func eachFrame(v starlark.Value, fn func(p *packet.Packet)) error {
	pkts, err := toPackets(v)
	if err != nil {
		return err
	}
	var p packet.Packet
	for i, sp := range pkts {
		b, err := sp.Bytes()
		if err != nil {
			return fmt.Errorf("packet %d: %v", i+1, err)
		}
		ts, _ := sp.Time()
		p.SetFrame(b, sp.LinkType(), i+1, ts, len(b))
		fn(&p)
	}
	return nil
}

// builtinConn is conn(pkts, format="text"): the connections of a packet
// list with Zeek's conn.log fields, printed as `pktkit conn` prints them
// (format text, tsv, json or zeek).
func builtinConn(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var pkts starlark.Value
	format := flow.LogText
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "pkts", &pkts, "format?", &format); err != nil {
		return nil, err
	}
	var conns []flow.Conn
	t := flow.New(flow.Config{Finished: func(c *flow.Conn) { conns = append(conns, *c) }})
	var first, last int64
	err := eachFrame(pkts, func(p *packet.Packet) {
		if first == 0 {
			first = p.Timestamp
		}
		last = max(last, p.Timestamp)
		t.Update(p)
	})
	if err != nil {
		return nil, fmt.Errorf("conn: %v", err)
	}
	t.Flush()
	slices.SortFunc(conns, func(a, b flow.Conn) int { return cmp.Compare(a.Index, b.Index) })
	return starlark.None, flow.WriteLog(Out(th), conns, format, first, last)
}

// builtinFollow is follow(pkts, stream, format="ascii", udp=False,
// side=-1): one TCP (or UDP) stream of a packet list, reassembled and
// printed as `pktkit follow` (tshark -z follow) prints it; side 0 or 1
// shows one side only. It returns the bytes each side sent, as a tuple.
func builtinFollow(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var pkts starlark.Value
	var stream int
	format, udp, side := "ascii", false, -1
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "pkts", &pkts, "stream", &stream,
		"format?", &format, "udp?", &udp, "side?", &side); err != nil {
		return nil, err
	}
	if side < -1 || side > 1 {
		return nil, fmt.Errorf("follow: side is 0, 1 or -1 (both), not %d", side)
	}
	f := follow.NewFollower(follow.Limits{})
	var c *follow.Conv
	err := eachFrame(pkts, func(p *packet.Packet) {
		s, q, ok := f.Packet(p)
		if !ok || s.UDP != udp || s.Stream != int32(stream) {
			return
		}
		if c == nil {
			c = follow.NewConv(s, reassembly.Config{}, nil)
		}
		c.Add(q, s)
	})
	if err != nil {
		return nil, fmt.Errorf("follow: %v", err)
	}
	if c == nil {
		kind := "TCP"
		if udp {
			kind = "UDP"
		}
		return nil, fmt.Errorf("follow: no %s stream %d", kind, stream)
	}
	c.Close()
	if err := c.Print(Out(th), format, side); err != nil {
		return nil, err
	}
	return starlark.Tuple{starlark.Bytes(c.Bytes(0)), starlark.Bytes(c.Bytes(1))}, nil
}

// builtinTCPTimeline is tcp_timeline(pkts, conn): one TCP connection of a
// packet list, given by tcp.stream number or as "client:port,server:port"
// (either order), printed as `pktkit tcp --stream/--conn` prints it.
func builtinTCPTimeline(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var pkts, which starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "pkts", &pkts, "conn", &which); err != nil {
		return nil, err
	}
	stream := int32(-1)
	var ea, eb netip.AddrPort
	switch v := which.(type) {
	case starlark.Int:
		n, ok := v.Int64()
		if !ok || n < 0 || n > math.MaxInt32 {
			return nil, fmt.Errorf("tcp_timeline: stream %v out of range", v)
		}
		stream = int32(n)
	case starlark.String:
		x, y, ok := strings.Cut(string(v), ",")
		var err1, err2 error
		ea, err1 = netip.ParseAddrPort(strings.TrimSpace(x))
		eb, err2 = netip.ParseAddrPort(strings.TrimSpace(y))
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("tcp_timeline: conn %q: want \"A:P,B:Q\" or a stream number", string(v))
		}
	default:
		return nil, fmt.Errorf("tcp_timeline: conn must be a stream number or \"A:P,B:Q\", not %s", which.Type())
	}
	an := tcpanalysis.NewAnalyzer(tcpanalysis.Config{})
	k := &tcpanalysis.Collector{Keep: func(s int32) bool { return stream < 0 || s == stream }}
	err := eachFrame(pkts, func(p *packet.Packet) {
		an.Analyze(p)
		k.Add(p)
	})
	if err != nil {
		return nil, fmt.Errorf("tcp_timeline: %v", err)
	}
	for _, c := range k.Conns() {
		if stream >= 0 && c.Stream == stream || stream < 0 && (c.Client == ea && c.Server == eb || c.Client == eb && c.Server == ea) {
			return starlark.None, tcpanalysis.WriteTimeline(Out(th), c)
		}
	}
	return nil, fmt.Errorf("tcp_timeline: no TCP connection %s", which)
}
