package craft

import (
	"strings"

	"pktkit/packet"
)

// Name returns the packet's layer classes joined by " / ".
func (p *Packet) Name() string {
	var ns []string
	for _, l := range p.Layers {
		ns = append(ns, className(l.Proto))
	}
	return strings.Join(ns, " / ")
}

// fieldAlias returns a setter for a Scapy field name the table spells
// differently, or nil.
func fieldAlias(p *packet.Protocol, name string) func(l *Layer, v any) error {
	if f := timestampAlias(p, name); f != nil {
		return f
	}
	return ntpRefIDAlias(p, name)
}

// Builder builds the packets of a packet set one by one into a reused
// buffer. Its zero value is not usable; get one from Packet.Builder.
type Builder struct {
	layers  []*Layer
	stack   packet.Stack
	gens    []gen // multi-valued fields, slowest first
	idx     []int
	n, i    int
	pb      packet.Builder
	follows []followGen
	// tmpl is the stack encoded once with its auto fields left zero, when
	// the set varies only fixed-width fields: each packet is then a copy,
	// patched with its values, whose auto fields are computed afresh.
	tmpl []byte
}

// followGen is a follow resolved against the builder's generators.
type followGen struct {
	gen    int // the leader's generator
	spec   *packet.Spec
	field  *packet.Field
	vals   []packet.Value
	li, fi int
}

type gen struct {
	spec   *packet.Spec
	field  *packet.Field
	vals   []packet.Value
	li, fi int // layer of the stack (-1 if in a list element) and field index
}

// Builder returns a builder over the packet's set. Later changes to p do
// not affect it.
func (p *Packet) Builder() (*Builder, error) {
	if p.Err != nil {
		return nil, p.Err
	}
	b := &Builder{n: p.Count()}
	for _, l := range p.Layers {
		b.layers = append(b.layers, l.Clone())
	}
	// Element layers stacked on a layer with a list that takes them (an ND
	// option after a neighbour solicitation) join that list, as Scapy's
	// payload does.
	var host *packet.Spec
	var hostField *packet.Field
	for _, l := range b.layers {
		s := l.spec
		if l.Proto.Element && host != nil && hostField != nil && elemFor(hostField, l.Proto.Name) != nil {
			v := host.Vals[hostField.Index()]
			v.List = append(append([]*packet.Spec(nil), v.List...), s)
			host.SetField(hostField, v)
			continue
		}
		// Other elements are encoded where they stand, as Scapy builds
		// any packet on its own (bytes(DNSQR())).
		host, hostField = s, nil
		for _, f := range l.Proto.Fields {
			if f.Type == packet.List && elemAccepting(f) {
				hostField = f
			}
		}
		b.stack = append(b.stack, s)
	}
	fixStack(b.stack)
	// Scapy's order: outer layers vary slowest; within a layer the last
	// field in table order varies slowest.
	for _, l := range b.layers {
		ks := l.sortedMulti()
		li := -1
		for i, s := range b.stack {
			if s == l.spec {
				li = i
			}
		}
		for i := len(ks) - 1; i >= 0; i-- {
			b.gens = append(b.gens, gen{spec: l.spec, field: l.Proto.Fields[ks[i]], vals: l.multi[ks[i]], li: li, fi: ks[i]})
		}
	}
	b.idx = make([]int, len(b.gens))
	for _, fw := range p.follows {
		if fw.Layer >= len(b.layers) || fw.Leader >= len(b.layers) {
			continue
		}
		leader := b.layers[fw.Leader].spec
		l := b.layers[fw.Layer]
		for k, g := range b.gens {
			if g.spec == leader && g.fi == fw.LeaderField && len(g.vals) == len(fw.Vals) {
				li := -1
				for i, s := range b.stack {
					if s == l.spec {
						li = i
					}
				}
				b.follows = append(b.follows, followGen{gen: k, spec: l.spec, field: l.Proto.Fields[fw.Field], vals: fw.Vals, li: li, fi: fw.Field})
			}
		}
	}
	b.compile()
	return b, nil
}

// compile encodes the template when every field that varies is a
// fixed-width integer or address of a layer whose layout no field value
// changes (no conditional fields).
func (b *Builder) compile() {
	for _, f := range b.follows {
		if f.li < 0 {
			return
		}
	}
	for _, g := range b.gens {
		if g.li < 0 {
			return
		}
		switch g.field.Type {
		case packet.Uint, packet.Int, packet.MAC, packet.IPv4, packet.IPv6:
		default:
			return
		}
		for _, f := range g.spec.Proto.Fields {
			if f.BuildDefault != nil {
				return
			}
		}
	}
	for _, g := range b.gens {
		g.spec.SetField(g.field, g.vals[0])
	}
	for _, f := range b.follows {
		f.spec.Vals[f.field.Index()] = f.vals[0]
	}
	t, err := b.pb.Encode(nil, b.stack)
	if err != nil {
		return // Next reports it
	}
	b.tmpl = t
}

// elemAccepting reports whether a list field takes elements that Scapy
// stacks as payload (neighbour discovery options).
func elemAccepting(f *packet.Field) bool {
	for _, e := range f.Elems {
		if strings.HasPrefix(e.Name, "ICMPv6NDOpt") {
			return true
		}
	}
	return false
}

// Len returns how many packets the set holds.
func (b *Builder) Len() int { return b.n }

// Next builds the next packet of the set appended to dst; ok is false when
// the set is exhausted.
func (b *Builder) Next(dst []byte) (out []byte, ok bool, err error) {
	if b.i >= b.n {
		return dst, false, nil
	}
	out, err = b.Rebuild(dst)
	// Advance the odometer: the last generator varies fastest.
	for k := len(b.idx) - 1; k >= 0; k-- {
		b.idx[k]++
		if b.idx[k] < len(b.gens[k].vals) {
			break
		}
		b.idx[k] = 0
	}
	b.i++
	return out, true, err
}

// Rebuild builds the packet Next would build next (for a single packet,
// the packet) appended to dst, without advancing: the way to build one
// packet many times into a reused buffer.
func (b *Builder) Rebuild(dst []byte) ([]byte, error) {
	if b.tmpl != nil {
		start := len(dst)
		dst = append(dst, b.tmpl...)
		for k, g := range b.gens {
			v := g.vals[b.idx[k]]
			g.spec.SetField(g.field, v) // for Auto hooks that read values
			if err := b.pb.Patch(dst, start, g.li, g.fi, v); err != nil {
				return dst, err
			}
		}
		for _, f := range b.follows {
			v := f.vals[b.idx[f.gen]]
			f.spec.Vals[f.field.Index()] = v // a default: the field stays unset
			if err := b.pb.Patch(dst, start, f.li, f.fi, v); err != nil {
				return dst, err
			}
		}
		b.pb.Auto(dst, start)
		return dst, nil
	}
	for k, g := range b.gens {
		g.spec.SetField(g.field, g.vals[b.idx[k]])
	}
	for _, f := range b.follows {
		f.spec.Vals[f.field.Index()] = f.vals[b.idx[f.gen]]
	}
	return b.pb.Build(dst, b.stack)
}

// Stack returns the specs the builder encodes (with the current packet's
// values of a set).
func (b *Builder) Stack() packet.Stack { return b.stack }

// Build encodes the packet (the first of a set) appended to dst.
func (p *Packet) Build(dst []byte) ([]byte, error) {
	b, err := p.Builder()
	if err != nil {
		return dst, err
	}
	out, _, err := b.Next(dst)
	return out, err
}

// Bytes returns the packet's bytes (the first of a set).
func (p *Packet) Bytes() ([]byte, error) { return p.Build(nil) }

// All returns the bytes of every packet of the set, in Scapy's order.
func (p *Packet) All() ([][]byte, error) {
	b, err := p.Builder()
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for {
		buf, ok, err := b.Next(nil)
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		out = append(out, buf)
	}
}

// Expand returns every packet of the set as a plain packet (fields of the
// set replaced by one value each), in Scapy's order.
func (p *Packet) Expand() []*Packet {
	n := p.Count()
	if n == 1 {
		return []*Packet{p.Clone()}
	}
	type g struct {
		li, fi int
	}
	var gs []g
	for li, l := range p.Layers {
		ks := l.sortedMulti()
		for i := len(ks) - 1; i >= 0; i-- {
			gs = append(gs, g{li, ks[i]})
		}
	}
	idx := make([]int, len(gs))
	out := make([]*Packet, 0, n)
	for range n {
		q := p.Clone()
		for k, x := range gs {
			l := q.Layers[x.li]
			v := p.Layers[x.li].multi[x.fi][idx[k]]
			l.spec.SetField(l.Proto.Fields[x.fi], v)
			delete(l.multi, x.fi)
			l.src[x.fi] = ValueAny(l.Proto.Fields[x.fi], v)
		}
		out = append(out, q)
		for k := len(idx) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < len(p.Layers[gs[k].li].multi[gs[k].fi]) {
				break
			}
			idx[k] = 0
		}
	}
	return out
}
