package script

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"sync"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"pktkit/craft"
	"pktkit/packet"
)

// Packet is a packet (or packet set) as a Starlark value: either crafted
// (P) or dissected from captured bytes (a frame read from a file), in
// which case fields are read straight from the dissection and the packet
// turns into a crafted one the first time it is changed or stacked.
// A Packet may be a view from one of its layers on (p[TCP]); views share
// their layers, so setting a field on p[TCP] changes p.
type Packet struct {
	// P is the crafted packet; nil for a dissected packet (see Craft).
	P   *craft.Packet
	f   *frame // the captured frame, for dissected packets (and times)
	off int    // the view's first layer among the frame's
}

// frame is a captured packet: its bytes and metadata, its dissection
// (built on demand), and, once it has been changed, the crafted packet it
// became.
type frame struct {
	data    []byte
	link    uint32
	first   *packet.Protocol // first protocol when there is no link type
	ts      int64            // nanoseconds since the epoch
	hasTS   bool
	origLen int
	dp      *packet.Packet // the dissection, nil until needed (or detached)
	cp      *craft.Packet  // the crafted packet once changed: it is then the truth
}

var (
	_ starlark.HasBinary   = (*Packet)(nil)
	_ starlark.HasSetField = (*Packet)(nil)
	_ starlark.Mapping     = (*Packet)(nil)
	_ starlark.Iterable    = (*Packet)(nil)
	_ starlark.Container   = (*Packet)(nil)
	_ starlark.Callable    = (*Class)(nil)
)

// Frame returns a packet dissected from captured bytes (kept, not copied)
// of a capture link type, with its time stamp (ns since the epoch) and
// length on the wire.
func Frame(data []byte, link uint32, ts int64, origLen int) *Packet {
	return &Packet{f: &frame{data: data, link: link, ts: ts, hasTS: true, origLen: origLen}}
}

// Dissected returns a packet dissected from bytes whose first layer is
// of protocol first (Scapy's Cls(bytes)).
func Dissected(data []byte, first *packet.Protocol) *Packet {
	return &Packet{f: &frame{data: data, link: packet.LinkTypeNone, first: first}}
}

// dissection returns the frame's dissection.
func (f *frame) dissection() *packet.Packet {
	if f.dp == nil {
		if f.first != nil {
			f.dp = packet.NewFrom(f.data, f.first)
		} else {
			f.dp = packet.New(f.data, f.link)
		}
		f.dp.Timestamp = f.ts
		f.dp.OrigLen = max(f.origLen, len(f.data))
	}
	return f.dp
}

// use points the frame's dissection at a reused packet (the streaming
// reader's), which detach drops again.
func (f *frame) use(dp *packet.Packet) {
	dp.Reset(f.data, f.link)
	dp.Timestamp = f.ts
	dp.OrigLen = max(f.origLen, len(f.data))
	f.dp = dp
}

// detach drops a borrowed dissection.
func (f *frame) detach(dp *packet.Packet) {
	if f.dp == dp {
		f.dp = nil
	}
}

// crafted turns the frame into a crafted packet: every field set from its
// dissected value, except the automatic fields (lengths, checksums) whose
// value is what building computes, which are left unset so that they are
// computed again after a change (a wrong checksum stays as it was).
func (f *frame) crafted() (*craft.Packet, error) {
	if f.cp != nil {
		return f.cp, nil
	}
	cp, err := craft.FromPacket(f.dissection())
	if err != nil {
		return nil, fmt.Errorf("this packet cannot be rebuilt, so not changed: %v", err)
	}
	relaxAuto(cp, f.data)
	f.cp, f.dp = cp, nil
	return cp, nil
}

// relaxAuto unsets the automatic fields of cp that building recomputes to
// the same bytes as orig.
func relaxAuto(cp *craft.Packet, orig []byte) {
	b, err := cp.Bytes()
	if err != nil || !bytes.Equal(b, orig) {
		return
	}
	for _, l := range cp.Layers {
		for _, fl := range l.Proto.Fields {
			if !fl.Auto || !l.IsSet(fl.Name) {
				continue
			}
			v, _ := l.Value(fl.Name)
			l.Unset(fl.Name)
			if b, err := cp.Bytes(); err != nil || !bytes.Equal(b, orig) {
				l.Spec().SetField(fl, v)
			}
		}
	}
}

// live reports whether the packet is read from its dissection.
func (p *Packet) live() bool { return p.f != nil && p.f.cp == nil && p.P == nil }

// Craft returns the crafted packet (the view's layers), turning a
// dissected packet into a crafted one.
func (p *Packet) Craft() (*craft.Packet, error) {
	if p.P != nil {
		return p.P, nil
	}
	if p.f == nil {
		return &craft.Packet{}, nil
	}
	cp, err := p.f.crafted()
	if err != nil {
		return nil, err
	}
	if p.off == 0 {
		return cp, nil
	}
	if p.off > len(cp.Layers) {
		return &craft.Packet{}, nil
	}
	return &craft.Packet{Layers: cp.Layers[p.off:]}, nil
}

// Time returns the packet's time stamp (ns since the epoch) and whether
// it has one.
func (p *Packet) Time() (int64, bool) {
	if p.f == nil {
		return 0, false
	}
	return p.f.ts, p.f.hasTS
}

// LinkType returns the capture link type to write the packet with.
func (p *Packet) LinkType() uint32 {
	if p.live() && p.f.first == nil {
		return p.f.link
	}
	if cp, err := p.Craft(); err == nil {
		return cp.LinkType()
	}
	return 147
}

// Bytes returns the packet's bytes: the captured ones while it is
// unchanged, else built.
func (p *Packet) Bytes() ([]byte, error) {
	if p.live() {
		if p.off == 0 {
			return p.f.data, nil
		}
		ls := p.f.dissection().Layers()
		if p.off >= len(ls) {
			return nil, nil
		}
		return p.f.data[ls[p.off].Off:], nil
	}
	cp, err := p.Craft()
	if err != nil {
		return nil, err
	}
	return cp.Bytes()
}

// layers returns the dissected layers of a live packet from the view on.
func (p *Packet) layers() []packet.Layer {
	ls := p.f.dissection().Layers()
	if p.off >= len(ls) {
		return nil
	}
	return ls[p.off:]
}

// String returns the packet as Scapy's repr does in spirit: its command,
// or its summary for a dissected packet.
func (p *Packet) String() string {
	if p.live() {
		return "<" + p.summary() + ">"
	}
	cp, err := p.Craft()
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return "<" + cp.Command() + ">"
}

func (p *Packet) summary() string {
	if p.live() {
		s := p.f.dissection().Summary()
		if p.off == 0 {
			return s
		}
		// The view's layers in the whole packet's summary, which knows
		// the addresses below (as Scapy's p[TCP].summary() does).
		parts := strings.SplitN(s, " / ", p.off+1)
		if len(parts) <= p.off {
			return ""
		}
		return parts[p.off]
	}
	cp, err := p.Craft()
	if err != nil {
		return err.Error()
	}
	s, err := cp.Summary()
	if err != nil {
		return err.Error()
	}
	return s
}

// Type returns "Packet".
func (p *Packet) Type() string { return "Packet" }

// Freeze does nothing: packets stay mutable, as in Scapy.
func (p *Packet) Freeze() {}

// Truth is true.
func (p *Packet) Truth() starlark.Bool { return true }

// Hash fails: packets are mutable.
func (p *Packet) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: Packet") }

// Binary implements `/`: a packet over a packet, or over a string or bytes
// (a Raw payload).
func (p *Packet) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	if op != syntax.SLASH {
		return nil, nil
	}
	var other *craft.Packet
	switch v := y.(type) {
	case *Packet:
		var err error
		if other, err = v.Craft(); err != nil {
			return nil, err
		}
	case starlark.String:
		other = craft.Payload([]byte(string(v)))
	case starlark.Bytes:
		other = craft.Payload([]byte(string(v)))
	default:
		return nil, nil
	}
	me, err := p.Craft()
	if err != nil {
		return nil, err
	}
	if side == starlark.Left {
		return &Packet{P: craft.Div(me, other)}, nil
	}
	return &Packet{P: craft.Div(other, me)}, nil
}

// Get implements p[Class], p["Class"] and p[i]: the packet from that layer
// on (sharing its layers, so setting fields on it changes p).
func (p *Packet) Get(k starlark.Value) (starlark.Value, bool, error) {
	idx := -1
	switch v := k.(type) {
	case *Class:
		idx = p.classIndex(v.C.Name)
	case starlark.String:
		idx = p.classIndex(string(v))
	case starlark.Int:
		i, ok := v.Int64()
		if !ok || i < 0 || int(i) >= p.numLayers() {
			return nil, false, nil
		}
		idx = int(i)
	default:
		return nil, false, fmt.Errorf("packet index must be a class, a class name or an int, not %s", k.Type())
	}
	if idx < 0 {
		return nil, false, nil // p[X] fails with "key not found"; X in p is False
	}
	return p.view(idx), true, nil
}

// view returns the packet from its idx-th layer on.
func (p *Packet) view(idx int) *Packet {
	if p.P == nil && p.f != nil {
		return &Packet{f: p.f, off: p.off + idx}
	}
	cp, _ := p.Craft()
	return &Packet{P: &craft.Packet{Layers: cp.Layers[idx:]}, f: p.f}
}

func (p *Packet) numLayers() int {
	if p.live() {
		return len(p.layers())
	}
	cp, err := p.Craft()
	if err != nil {
		return 0
	}
	return len(cp.Layers)
}

var (
	classOnce  sync.Once
	classNames map[*packet.Protocol]string // the Scapy class of each table
)

// classOf returns the Scapy class name of a table (from a table made once).
func classOf(pr *packet.Protocol) string {
	classOnce.Do(func() {
		classNames = map[*packet.Protocol]string{}
		for _, q := range packet.Protocols() {
			classNames[q] = craft.ClassOf(q)
		}
	})
	if s, ok := classNames[pr]; ok {
		return s
	}
	return craft.ClassOf(pr)
}

// Has implements `Class in p` (and "Class" in p) without making a view.
func (p *Packet) Has(k starlark.Value) (bool, error) {
	switch v := k.(type) {
	case *Class:
		return p.classIndex(v.C.Name) >= 0, nil
	case starlark.String:
		return p.classIndex(string(v)) >= 0, nil
	}
	return false, fmt.Errorf("'in <Packet>' requires a layer class, not %s", k.Type())
}

// cut reports whether a dissected layer lacks part of its fixed header
// (Scapy dissects such bytes as Raw).
func cut(l *packet.Layer) bool { return l.Truncated() && len(l.Data) < l.Proto.StaticLen() }

// layerClass returns the Scapy class of a dissected layer: Raw for one
// whose fixed header is cut short, as in Scapy.
func layerClass(l *packet.Layer) string {
	if cut(l) {
		return "Raw"
	}
	return classOf(l.Proto)
}

// classIndex returns the index of the view's first layer of the class, or
// -1.
func (p *Packet) classIndex(class string) int {
	if p.live() {
		ls := p.layers()
		for i := range ls {
			if ls[i].Proto.Name == class && !cut(&ls[i]) || layerClass(&ls[i]) == class {
				return i
			}
		}
		return -1
	}
	cp, err := p.Craft()
	if err != nil {
		return -1
	}
	for i, l := range cp.Layers {
		if l.Proto.Name == class || classOf(l.Proto) == class {
			return i
		}
	}
	return -1
}

// Classes returns the class names of the view's layers, outermost first.
func (p *Packet) Classes() []string {
	var out []string
	if p.live() {
		ls := p.layers()
		for i := range ls {
			out = append(out, layerClass(&ls[i]))
		}
		return out
	}
	if cp, err := p.Craft(); err == nil {
		for _, l := range cp.Layers {
			out = append(out, classOf(l.Proto))
		}
	}
	return out
}

// Iterate yields every packet of a packet set, in Scapy's order.
func (p *Packet) Iterate() starlark.Iterator {
	cp, err := p.Craft()
	if err != nil || p.P == nil {
		// A dissected packet is one packet.
		return &iter{ps: []*Packet{p}}
	}
	var ps []*Packet
	for _, x := range cp.Expand() {
		ps = append(ps, &Packet{P: x})
	}
	return &iter{ps: ps}
}

type iter struct {
	ps []*Packet
	i  int
}

// Next yields the next packet of the set.
func (it *iter) Next(v *starlark.Value) bool {
	if it.i >= len(it.ps) {
		return false
	}
	*v = it.ps[it.i]
	it.i++
	return true
}

// Done releases nothing.
func (it *iter) Done() {}

// Field reads the named field from the outermost layer of the view that
// has it: its value, and whether a layer has it.
func (p *Packet) Field(name string) (starlark.Value, bool, error) {
	if p.live() {
		ls := p.layers()
		for i := range ls {
			if cut(&ls[i]) {
				// Raw, as Scapy has it.
				if name == "load" || name == "load_" {
					return starlark.Bytes(ls[i].Data), true, nil
				}
				continue
			}
			fl := ls[i].Proto.Field(name)
			if fl == nil && strings.HasSuffix(name, "_") {
				fl = ls[i].Proto.Field(strings.TrimSuffix(name, "_"))
			}
			if fl == nil {
				continue
			}
			return FieldOf(&ls[i], fl)
		}
		return nil, false, nil
	}
	cp, err := p.Craft()
	if err != nil {
		return nil, false, err
	}
	l := cp.Find(name)
	if l == nil {
		return nil, false, nil
	}
	f := l.Field(name)
	if f == nil {
		return nil, false, nil
	}
	if !l.IsSet(f.Name) && f.Auto {
		return starlark.None, true, nil
	}
	v, _ := l.Value(f.Name)
	return fromValue(f, v), true, nil
}

// Attr reads a field from the outermost layer that has it (None for an
// unset automatic field), a method, or `payload`, `name`, `time`.
func (p *Packet) Attr(name string) (starlark.Value, error) {
	if v, ok, err := p.Field(name); ok || err != nil {
		return v, err
	}
	if m, ok := methods[name]; ok {
		return starlark.NewBuiltin(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return m(p, th, b, args, kwargs)
		}), nil
	}
	switch name {
	case "payload":
		if p.numLayers() < 2 {
			return starlark.None, nil
		}
		return p.view(1), nil
	case "name":
		cs := p.Classes()
		if len(cs) == 0 {
			return starlark.String(""), nil
		}
		return starlark.String(cs[0]), nil
	case "time":
		ts, _ := p.Time()
		return starlark.Float(float64(ts) / 1e9), nil
	case "wirelen":
		if p.f != nil && p.f.origLen > 0 {
			return starlark.MakeInt(p.f.origLen), nil
		}
		return starlark.None, nil
	}
	return nil, nil
}

// AttrNames lists the fields of every layer and the methods.
func (p *Packet) AttrNames() []string {
	seen := map[string]bool{"payload": true, "name": true, "time": true}
	for m := range methods {
		seen[m] = true
	}
	for _, c := range p.protos() {
		for _, f := range c.Fields {
			seen[f.Name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// FieldNames lists the fields of the view's first layer, in table order.
func (p *Packet) FieldNames() []string {
	ps := p.protos()
	if len(ps) == 0 {
		return nil
	}
	var out []string
	for _, f := range ps[0].Fields {
		out = append(out, f.Name)
	}
	return out
}

func (p *Packet) protos() []*packet.Protocol {
	var out []*packet.Protocol
	if p.live() {
		for _, l := range p.layers() {
			out = append(out, l.Proto)
		}
		return out
	}
	if cp, err := p.Craft(); err == nil {
		for _, l := range cp.Layers {
			out = append(out, l.Proto)
		}
	}
	return out
}

// SetField sets a field on the outermost layer that has it; None returns
// it to its default (or automatic) value. `time` sets the time stamp.
func (p *Packet) SetField(name string, v starlark.Value) error {
	if name == "time" {
		secs, ok := starlark.AsFloat(v)
		if !ok {
			return fmt.Errorf("time must be a number of seconds, not %s", v.Type())
		}
		if p.f == nil {
			p.f = &frame{}
		}
		p.f.ts, p.f.hasTS = int64(secs*1e9), true
		return nil
	}
	cp, err := p.Craft()
	if err != nil {
		return err
	}
	if v == starlark.None {
		if l := cp.Find(name); l != nil {
			if f := l.Field(name); f != nil {
				l.Unset(f.Name)
				return nil
			}
		}
	}
	gv, err := ToGo(v)
	if err != nil {
		return err
	}
	return cp.Set(name, gv)
}

// Stream hands out the packets of a capture read in order while keeping
// their cost low: each new packet borrows one reused dissection, which the
// previous packet gives back (it dissects again, on its own, if it is used
// later).
type Stream struct {
	dp   *packet.Packet
	prev *frame
}

// NewStream returns a Stream.
func NewStream() *Stream { return &Stream{dp: &packet.Packet{}} }

// Next returns the packet of a record whose bytes (data, which the packet
// keeps: they must not change) were captured on link at ts (ns since the
// epoch), origLen bytes on the wire, number-th in its file.
func (s *Stream) Next(data []byte, link uint32, ts int64, origLen, number int) *Packet {
	// One allocation for the packet and its frame.
	pf := &struct {
		p Packet
		f frame
	}{f: frame{data: data, link: link, ts: ts, hasTS: true, origLen: origLen}}
	pf.p.f = &pf.f
	s.Lend(&pf.p)
	s.dp.Number = number
	return &pf.p
}

// Lend lends the stream's dissection to a packet of a list being walked
// (one read from a file and not dissected yet), taking it back from the
// previous one, so that walking a long list does not leave a dissection
// behind on every packet.
func (s *Stream) Lend(p *Packet) {
	if s.prev != nil {
		s.prev.detach(s.dp)
		s.prev = nil
	}
	f := p.f
	if p.P != nil || f == nil || f.dp != nil || f.cp != nil || f.first != nil {
		return
	}
	f.use(s.dp)
	s.prev = f
}

// Dissection returns the packet dissected from its first layer: the
// captured frame's own dissection while the packet is unchanged, else its
// bytes as built, dissected.
func (p *Packet) Dissection() *packet.Packet { return p.dissectView() }

// FieldOf reads field f of a dissected layer as a Starlark value (None if
// the layer does not have it).
func FieldOf(l *packet.Layer, f *packet.Field) (starlark.Value, bool, error) {
	if f.Type == packet.List {
		s, err := l.Spec()
		if err != nil {
			return nil, true, err
		}
		return fromValue(f, s.Vals[f.Index()]), true, nil
	}
	v, ok := l.Get(f)
	if !ok {
		return starlark.None, true, nil
	}
	return fromValue(f, v), true, nil
}
