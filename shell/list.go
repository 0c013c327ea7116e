package shell

import (
	"fmt"
	"io"
	"iter"
	"net/netip"
	"sort"
	"strings"
	"text/tabwriter"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"pktkit/craft"
	"pktkit/craft/script"
	"pktkit/dfilter"
	"pktkit/packet"
)

// PacketList is Scapy's PacketList: packets with len, index, slice,
// iteration, +, and the methods summary, nsummary, show, filter,
// make_table, sessions, conversations, hexraw and plot.
type PacketList struct {
	name string
	pkts []*script.Packet
}

var (
	_ starlark.Indexable = (*PacketList)(nil)
	_ starlark.Sliceable = (*PacketList)(nil)
	_ starlark.HasAttrs  = (*PacketList)(nil)
	_ starlark.HasBinary = (*PacketList)(nil)
)

// NewPacketList returns a packet list.
func NewPacketList(name string, pkts []*script.Packet) *PacketList {
	return &PacketList{name: name, pkts: pkts}
}

// Packets returns the list's packets.
func (l *PacketList) Packets() []*script.Packet { return l.pkts }

// String returns Scapy's repr: "<name: TCP:3 UDP:1 ICMP:0 Other:2>".
func (l *PacketList) String() string {
	var tcp, udp, icmp, other int
	for _, p := range l.lent() {
		cs := p.Classes()
		switch {
		case has(cs, "TCP"):
			tcp++
		case has(cs, "UDP"):
			udp++
		case has(cs, "ICMP"):
			icmp++
		default:
			other++
		}
	}
	name := l.name
	if name == "" {
		name = "PacketList"
	}
	return fmt.Sprintf("<%s: TCP:%d UDP:%d ICMP:%d Other:%d>", name, tcp, udp, icmp, other)
}

func has(cs []string, c string) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// Type returns "PacketList".
func (l *PacketList) Type() string { return "PacketList" }

// Freeze does nothing (packets are mutable).
func (l *PacketList) Freeze() {}

// Truth is whether the list has packets.
func (l *PacketList) Truth() starlark.Bool { return len(l.pkts) > 0 }

// Hash fails.
func (l *PacketList) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable: PacketList") }

// Len returns the number of packets.
func (l *PacketList) Len() int { return len(l.pkts) }

// Index returns the i-th packet.
func (l *PacketList) Index(i int) starlark.Value { return l.pkts[i] }

// Slice returns a sub-list.
func (l *PacketList) Slice(start, end, step int) starlark.Value {
	var out []*script.Packet
	if step == 1 {
		out = append(out, l.pkts[start:end]...)
	} else {
		for i := start; (step > 0 && i < end) || (step < 0 && i > end); i += step {
			out = append(out, l.pkts[i])
		}
	}
	return &PacketList{name: l.name, pkts: out}
}

// Iterate yields the packets (lending them one dissection in turn: see
// script.Stream.Lend).
func (l *PacketList) Iterate() starlark.Iterator { return &listIter{l: l, st: script.NewStream()} }

type listIter struct {
	l  *PacketList
	i  int
	st *script.Stream
}

// Next yields the next packet, lending it the dissection.
func (it *listIter) Next(v *starlark.Value) bool {
	if it.i >= len(it.l.pkts) {
		it.st.Lend(&script.Packet{}) // take the dissection back
		return false
	}
	p := it.l.pkts[it.i]
	it.st.Lend(p)
	*v = p
	it.i++
	return true
}

// Done does nothing.
func (it *listIter) Done() {}

// lent yields the packets, lending them one dissection in turn (see
// script.Stream.Lend).
func (l *PacketList) lent() iter.Seq2[int, *script.Packet] {
	return func(yield func(int, *script.Packet) bool) {
		st := script.NewStream()
		defer st.Lend(&script.Packet{})
		for i, p := range l.pkts {
			st.Lend(p)
			if !yield(i, p) {
				return
			}
		}
	}
}

// Binary implements + with another packet list or a list of packets.
func (l *PacketList) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	if op != syntax.PLUS {
		return nil, nil
	}
	other, err := toPackets(y)
	if err != nil {
		return nil, nil
	}
	out := &PacketList{name: l.name}
	if side == starlark.Left {
		out.pkts = append(append(out.pkts, l.pkts...), other...)
	} else {
		out.pkts = append(append(out.pkts, other...), l.pkts...)
	}
	return out, nil
}

// toPackets reads a packet list, a list of packets or a packet.
func toPackets(v starlark.Value) ([]*script.Packet, error) {
	switch x := v.(type) {
	case *PacketList:
		return x.pkts, nil
	case *script.Packet:
		return []*script.Packet{x}, nil
	case starlark.Iterable:
		var out []*script.Packet
		it := x.Iterate()
		defer it.Done()
		var e starlark.Value
		for it.Next(&e) {
			p, ok := e.(*script.Packet)
			if !ok {
				return nil, fmt.Errorf("want packets, not %s", e.Type())
			}
			out = append(out, p)
		}
		return out, nil
	}
	return nil, fmt.Errorf("want packets, not %s", v.Type())
}

// builtinPacketList is PacketList(pkts, name="PacketList").
func builtinPacketList(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value = starlark.NewList(nil)
	name := "PacketList"
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "res?", &v, "name?", &name); err != nil {
		return nil, err
	}
	ps, err := toPackets(v)
	if err != nil {
		return nil, err
	}
	return &PacketList{name: name, pkts: ps}, nil
}

type listMethod func(l *PacketList, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

var listMethods map[string]listMethod

// ListMethodNames lists the packet list methods (for completion).
func ListMethodNames() []string {
	var out []string
	for n := range listMethods {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func init() {
	listMethods = map[string]listMethod{
		"summary": func(l *PacketList, th *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			var sb strings.Builder
			for _, p := range l.lent() {
				s, _ := starlark.Call(th, mustAttr(p, "summary"), nil, nil)
				sb.WriteString(string(s.(starlark.String)) + "\n")
			}
			_, err := io.WriteString(Out(th), sb.String())
			return starlark.None, err
		},
		"nsummary": func(l *PacketList, th *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			return starlark.None, l.nsummary(th)
		},
		"show": func(l *PacketList, th *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			return starlark.None, l.nsummary(th)
		},
		"filter": func(l *PacketList, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var fn starlark.Value
			if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &fn); err != nil {
				return nil, err
			}
			return l.filter(th, fn)
		},
		"make_table": func(l *PacketList, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var fn starlark.Callable
			if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &fn); err != nil {
				return nil, err
			}
			return starlark.None, l.makeTable(th, fn)
		},
		"sessions": func(l *PacketList, _ *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			return l.sessions(), nil
		},
		"conversations": func(l *PacketList, th *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			return starlark.None, l.conversations(Out(th))
		},
		"hexraw": func(l *PacketList, th *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			return starlark.None, l.hexraw(th)
		},
		"plot": func(l *PacketList, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var fn starlark.Callable
			var file, title string
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "f", &fn, "file?", &file, "title?", &title); err != nil {
				return nil, err
			}
			return l.plot(th, fn, file, title)
		},
	}
}

// Attr returns a method.
func (l *PacketList) Attr(name string) (starlark.Value, error) {
	m, ok := listMethods[name]
	if !ok {
		return nil, nil
	}
	return starlark.NewBuiltin(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return m(l, th, b, args, kwargs)
	}), nil
}

// AttrNames lists the methods.
func (l *PacketList) AttrNames() []string { return ListMethodNames() }

func mustAttr(p *script.Packet, name string) starlark.Value {
	v, _ := p.Attr(name)
	return v
}

func (l *PacketList) nsummary(th *starlark.Thread) error {
	var sb strings.Builder
	for i, p := range l.lent() {
		s, _ := starlark.Call(th, mustAttr(p, "summary"), nil, nil)
		fmt.Fprintf(&sb, "%04d %s\n", i, string(s.(starlark.String)))
	}
	_, err := io.WriteString(Out(th), sb.String())
	return err
}

// filter keeps the packets a function accepts, or that match a display
// filter given as a string.
func (l *PacketList) filter(th *starlark.Thread, fn starlark.Value) (starlark.Value, error) {
	out := &PacketList{name: "filtered " + l.name}
	if expr, ok := fn.(starlark.String); ok {
		f, err := dfilter.Compile(string(expr))
		if err != nil {
			return nil, err
		}
		for _, p := range l.lent() {
			if f.Match(p.Dissection()) {
				out.pkts = append(out.pkts, p)
			}
		}
		return out, nil
	}
	call, ok := fn.(starlark.Callable)
	if !ok {
		return nil, fmt.Errorf("filter: want a function or a display filter string, not %s", fn.Type())
	}
	args := make(starlark.Tuple, 1)
	for _, p := range l.lent() {
		args[0] = p
		v, err := starlark.Call(th, call, args, nil)
		if err != nil {
			return nil, err
		}
		if v.Truth() {
			out.pkts = append(out.pkts, p)
		}
	}
	return out, nil
}

// makeTable prints Scapy's make_table: fn(p) gives (row, column, value)
// or None; rows and columns sorted.
func (l *PacketList) makeTable(th *starlark.Thread, fn starlark.Callable) error {
	cells := map[[2]string]string{}
	rows, cols := map[string]starlark.Value{}, map[string]starlark.Value{}
	for _, p := range l.lent() {
		v, err := starlark.Call(th, fn, starlark.Tuple{p}, nil)
		if err != nil {
			return err
		}
		if v == starlark.None {
			continue
		}
		t, ok := v.(starlark.Tuple)
		if !ok || len(t) != 3 {
			return fmt.Errorf("make_table: the function must return (row, column, value) or None, not %s", v.String())
		}
		r, c := str(t[0]), str(t[1])
		rows[r], cols[c] = t[0], t[1]
		cells[[2]string{r, c}] = str(t[2])
	}
	rk, ck := sortedKeys(rows), sortedKeys(cols)
	tw := tabwriter.NewWriter(Out(th), 0, 8, 2, ' ', 0)
	fmt.Fprint(tw, "\t")
	for _, c := range ck {
		fmt.Fprintf(tw, "%s\t", c)
	}
	fmt.Fprintln(tw)
	for _, r := range rk {
		fmt.Fprintf(tw, "%s\t", r)
		for _, c := range ck {
			v, ok := cells[[2]string{r, c}]
			if !ok {
				v = "-"
			}
			fmt.Fprintf(tw, "%s\t", v)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// str is str(v): a string as it is, else its repr.
func str(v starlark.Value) string {
	if s, ok := v.(starlark.String); ok {
		return string(s)
	}
	return v.String()
}

// sortedKeys sorts keys by their values (numbers numerically, then
// strings).
func sortedKeys(m map[string]starlark.Value) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		a, b := m[ks[i]], m[ks[j]]
		if lt, err := starlark.Compare(syntax.LT, a, b); err == nil {
			return lt
		}
		return ks[i] < ks[j]
	})
	return ks
}

// endpoints describes a packet's conversation: protocol, the two ends
// (address or address:port) and whether it has them.
func endpoints(p *script.Packet) (proto, a, b string, ok bool) {
	dp := p.Dissection()
	ls := dp.Layers()
	var src, dst string
	for i := range ls {
		l := &ls[i]
		switch l.Proto.Name {
		case "IP", "IPv6":
			s, _ := l.Value("src")
			d, _ := l.Value("dst")
			if sa, ok := netip.AddrFromSlice(s.B); ok {
				src = sa.String()
			}
			if da, ok := netip.AddrFromSlice(d.B); ok {
				dst = da.String()
			}
			proto = l.Proto.Name
		case "TCP", "UDP":
			if src == "" {
				continue
			}
			sp, _ := l.Value("sport")
			dpt, _ := l.Value("dport")
			return l.Proto.Name, joinHostPort(src, sp.U), joinHostPort(dst, dpt.U), true
		case "ARP":
			s, _ := l.Value("psrc")
			d, _ := l.Value("pdst")
			sa, _ := netip.AddrFromSlice(s.B)
			da, _ := netip.AddrFromSlice(d.B)
			return "ARP", sa.String(), da.String(), true
		}
		if strings.HasPrefix(classOfLayer(l), "ICMP") && src != "" {
			return "ICMP", src, dst, true
		}
	}
	if src != "" {
		return proto, src, dst, true
	}
	return "", "", "", false
}

func classOfLayer(l *packet.Layer) string { return craft.ClassOf(l.Proto) }

func joinHostPort(h string, port uint64) string {
	if strings.Contains(h, ":") {
		return fmt.Sprintf("[%s]:%d", h, port)
	}
	return fmt.Sprintf("%s:%d", h, port)
}

// sessions groups packets by conversation, both directions together,
// keyed "TCP a:p > b:p" in the direction of its first packet; packets
// without addresses go under "Other".
func (l *PacketList) sessions() *starlark.Dict {
	type sess struct {
		key  string
		list *PacketList
	}
	byPair := map[[3]string]*sess{}
	var order []*sess
	other := &sess{key: "Other", list: &PacketList{name: "Other"}}
	for _, p := range l.lent() {
		proto, a, b, ok := endpoints(p)
		if !ok {
			if len(other.list.pkts) == 0 {
				order = append(order, other)
			}
			other.list.pkts = append(other.list.pkts, p)
			continue
		}
		k := [3]string{proto, a, b}
		if b < a {
			k = [3]string{proto, b, a}
		}
		s := byPair[k]
		if s == nil {
			key := fmt.Sprintf("%s %s > %s", proto, a, b)
			s = &sess{key: key, list: &PacketList{name: key}}
			byPair[k] = s
			order = append(order, s)
		}
		s.list.pkts = append(s.list.pkts, p)
	}
	d := starlark.NewDict(len(order))
	for _, s := range order {
		_ = d.SetKey(starlark.String(s.key), s.list)
	}
	return d
}

// conversations prints a table of the conversations: the two ends, the
// protocol, packets and bytes each way.
func (l *PacketList) conversations(w io.Writer) error {
	type conv struct {
		proto, a, b      string
		pab, pba         int
		bab, bba         int
		first, last      int64
		firstSet, hasTSs bool
	}
	byPair := map[[3]string]*conv{}
	var order []*conv
	for _, p := range l.lent() {
		proto, a, b, ok := endpoints(p)
		if !ok {
			continue
		}
		k := [3]string{proto, a, b}
		rev := false
		if b < a {
			k, rev = [3]string{proto, b, a}, true
		}
		c := byPair[k]
		if c == nil {
			c = &conv{proto: proto, a: k[1], b: k[2]}
			byPair[k] = c
			order = append(order, c)
		}
		raw, _ := p.Bytes()
		if rev {
			c.pba++
			c.bba += len(raw)
		} else {
			c.pab++
			c.bab += len(raw)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "PROTO\tA\tB\tA>B PKTS\tA>B BYTES\tB>A PKTS\tB>A BYTES\tPKTS\tBYTES\t")
	for _, c := range order {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", c.proto, c.a, c.b, c.pab, c.bab, c.pba, c.bba, c.pab+c.pba, c.bab+c.bba)
	}
	return tw.Flush()
}

// hexraw prints each packet's summary, then the hexdump of its Raw
// payload if it has one.
func (l *PacketList) hexraw(th *starlark.Thread) error {
	var sb strings.Builder
	for i, p := range l.lent() {
		s, _ := starlark.Call(th, mustAttr(p, "summary"), nil, nil)
		fmt.Fprintf(&sb, "%04d %s\n", i, string(s.(starlark.String)))
		if v, ok, _ := p.Field("load"); ok {
			if b, isBytes := v.(starlark.Bytes); isBytes {
				sb.WriteString(craft.Hexdump([]byte(string(b))))
			}
		}
	}
	_, err := io.WriteString(Out(th), sb.String())
	return err
}
