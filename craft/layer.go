// Package craft builds packets the Scapy way: layers stacked with Div,
// Scapy's class and field names, every field at Scapy's default until set,
// lengths, checksums and next-protocol numbers filled in at build time
// unless the user set them, and fields given several values (a list, a
// range, a CIDR network) expanding into a set of packets in Scapy's order.
//
// It works over the protocol tables of package layers through
// packet.Spec and packet.Stack: a Layer is a Spec plus the values the user
// gave, kept for Command and for packet sets.
package craft

import (
	"fmt"
	"sort"
	"strings"

	"pktkit/packet"
)

// Layer is one layer being crafted: a protocol table and the fields the
// user set on it.
type Layer struct {
	Proto *packet.Protocol
	spec  *packet.Spec
	multi map[int][]packet.Value // fields given several values (packet sets)
	src   map[int]any            // the values as the user gave them, for Command
}

// Packet is a packet (or a set of packets) being crafted: its layers,
// outermost first.
type Packet struct {
	Layers []*Layer
	// Err is the first error met making the packet (see C); building it
	// returns that error.
	Err error
	// follows are fields whose value depends on a field of the set (the
	// source address chosen by the route to each destination).
	follows []follow
}

// follow makes field Field of layer Layer take Vals[i] when field
// LeaderField of layer Leader takes its i-th value of the set.
type follow struct {
	Layer, Field, Leader, LeaderField int
	Vals                              []packet.Value
}

// KV is one keyword argument of a constructor: a field name and a value.
// Values are Go values: integers, strings (names, addresses, flag strings,
// CIDR networks), []byte, []any (a set of values, or a list field's
// elements), Range, Tuple, *Packet (list elements), or nil.
type KV struct {
	Name  string
	Value any
}

// Range is Scapy's (low, high) tuple for an integer field: every value
// from Lo to Hi inclusive.
type Range struct{ Lo, Hi int64 }

// Tuple is a Python tuple: an option ("MSS", 1460) or a pair of values.
type Tuple []any

// RawVal is Scapy's RawVal: bytes a field takes as they are, whatever its
// type (a custom field's wire bytes rather than its text).
type RawVal []byte

// Error is a crafting error that names the class and field at fault.
type Error struct {
	Class, Field string
	Msg          string
}

// Error returns "Class.field: message" (or "Class: message").
func (e *Error) Error() string {
	if e.Field == "" {
		return e.Class + ": " + e.Msg
	}
	return e.Class + "." + e.Field + ": " + e.Msg
}

func errf(class, field, format string, args ...any) *Error {
	return &Error{Class: class, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// fieldNames lists the names of p's fields for error messages.
func fieldNames(p *packet.Protocol) string {
	var ns []string
	for _, f := range p.Fields {
		ns = append(ns, f.Name)
	}
	return strings.Join(ns, ", ")
}

// NewLayer returns a layer of protocol p with the given fields set. A
// protocol whose table picks variants from its bytes (ICMP by type, a
// DNS resource record by type) becomes the variant the set fields select.
func NewLayer(p *packet.Protocol, kvs ...KV) (*Layer, error) {
	p = resolveVariant(p, kvs)
	l := &Layer{Proto: p, spec: packet.NewSpec(p)}
	classDefaults(l, kvs)
	for _, kv := range kvs {
		if err := l.Set(kv.Name, kv.Value); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// New returns a one-layer packet of the named Scapy class with the given
// fields set.
func New(class string, kvs ...KV) (*Packet, error) {
	c := LookupClass(class)
	if c == nil {
		return nil, &Error{Class: class, Msg: "unknown class; valid classes: " + strings.Join(ClassNames(), ", ")}
	}
	return c.New(kvs...)
}

// C returns a one-layer packet of the named class like New, keeping an
// error in the packet's Err (reported when it is built) so that calls
// chain.
func C(class string, kvs ...KV) *Packet {
	p, err := New(class, kvs...)
	if err != nil {
		return &Packet{Err: err}
	}
	return p
}

// Div stacks q on top of p (Scapy's p/q) and returns a new packet.
func (p *Packet) Div(q *Packet) *Packet { return Div(p, q) }

// MustNew is New that panics on error (for examples and tests with fixed
// arguments).
func MustNew(class string, kvs ...KV) *Packet {
	p, err := New(class, kvs...)
	if err != nil {
		panic(err)
	}
	return p
}

// Set gives a field a value (or several, making a packet set). The field
// keeps the value as given: it is never recomputed, even if wrong.
func (l *Layer) Set(name string, v any) error {
	f := fieldOf(l.Proto, name)
	if f == nil {
		if alt := fieldAlias(l.Proto, name); alt != nil {
			return alt(l, v)
		}
		return errf(className(l.Proto), name, "no such field; valid fields: %s", fieldNames(l.Proto))
	}
	if v == nil && !f.IsInt() && f.Type != packet.List {
		// None: back to the default (or auto).
		l.Unset(f.Name)
		return nil
	}
	vals, multi, err := convert(l.Proto, f, v)
	if list, ok := v.([]any); ok && listIsSet(l.Proto, f) {
		// Scapy 2.5's DNS record fields are not list fields: a list there
		// is a set of values, one record each.
		vals, multi, err = nil, true, nil
		for _, e := range list {
			vs, _, cerr := convert(l.Proto, f, e)
			if cerr != nil {
				return cerr
			}
			vals = append(vals, vs...)
		}
	}
	if err != nil {
		return err
	}
	if len(vals) == 0 {
		return errf(className(l.Proto), name, "empty set of values")
	}
	l.spec.SetField(f, vals[0])
	if multi {
		if l.multi == nil {
			l.multi = map[int][]packet.Value{}
		}
		l.multi[f.Index()] = vals
	} else if l.multi != nil {
		delete(l.multi, f.Index())
	}
	if l.src == nil {
		l.src = map[int]any{}
	}
	l.src[f.Index()] = v
	return nil
}

// Unset returns a field to its default or automatic value.
func (l *Layer) Unset(name string) {
	f := fieldOf(l.Proto, name)
	if f == nil {
		return
	}
	l.spec.Unset(name)
	delete(l.multi, f.Index())
	delete(l.src, f.Index())
}

// IsSet reports whether the user set the named field.
func (l *Layer) IsSet(name string) bool {
	f := fieldOf(l.Proto, name)
	return f != nil && l.spec.IsSet(f)
}

// Value returns the field's value: the one set (the first of a set), or
// the default. Auto fields left unset read as their default (0); Built
// gives their computed value.
func (l *Layer) Value(name string) (packet.Value, bool) {
	if f := fieldOf(l.Proto, name); f != nil {
		return l.spec.Vals[f.Index()], true
	}
	return packet.Value{}, false
}

// Field returns the layer's field with this name, or nil.
func (l *Layer) Field(name string) *packet.Field { return fieldOf(l.Proto, name) }

// Spec returns the layer's spec (the first packet of a set).
func (l *Layer) Spec() *packet.Spec { return l.spec }

// Clone returns a deep copy of the layer.
func (l *Layer) Clone() *Layer {
	c := &Layer{Proto: l.Proto, spec: cloneSpec(l.spec)}
	if l.multi != nil {
		c.multi = make(map[int][]packet.Value, len(l.multi))
		for k, v := range l.multi {
			c.multi[k] = v
		}
	}
	if l.src != nil {
		c.src = make(map[int]any, len(l.src))
		for k, v := range l.src {
			c.src[k] = v
		}
	}
	return c
}

func cloneSpec(s *packet.Spec) *packet.Spec {
	c := packet.NewSpec(s.Proto)
	for i, f := range s.Proto.Fields {
		if !s.IsSet(f) {
			c.Vals[i] = s.Vals[i] // a fuzzed default
			continue
		}
		v := s.Vals[i]
		if v.List != nil {
			l := make([]*packet.Spec, len(v.List))
			for j, e := range v.List {
				l[j] = cloneSpec(e)
			}
			v.List = l
		}
		c.SetField(f, v)
	}
	return c
}

// Div stacks b on top of a (Scapy's a/b) and returns a new packet; a and b
// are not changed.
func Div(a, b *Packet) *Packet {
	out := &Packet{Layers: make([]*Layer, 0, len(a.Layers)+len(b.Layers)), Err: a.Err}
	if out.Err == nil {
		out.Err = b.Err
	}
	for _, l := range a.Layers {
		out.Layers = append(out.Layers, l.Clone())
	}
	for _, l := range b.Layers {
		out.Layers = append(out.Layers, l.Clone())
	}
	return out
}

// Clone returns a deep copy of the packet.
func (p *Packet) Clone() *Packet {
	q := Div(p, &Packet{})
	q.follows = p.follows
	return q
}

// Payload returns a packet of raw bytes (Scapy's Raw(load=b)).
func Payload(b []byte) *Packet {
	l := &Layer{Proto: packet.Raw, spec: packet.NewSpec(packet.Raw)}
	_ = l.Set("load", append([]byte(nil), b...))
	return &Packet{Layers: []*Layer{l}}
}

// Layer returns the first layer of the named Scapy class, or nil.
func (p *Packet) Layer(class string) *Layer {
	for _, l := range p.Layers {
		if className(l.Proto) == class || l.Proto.Name == class {
			return l
		}
	}
	return nil
}

// Find returns the first layer, outermost first, that has the named field,
// or nil: Scapy's pkt.field reads the outermost layer that has it.
func (p *Packet) Find(field string) *Layer {
	for _, l := range p.Layers {
		if fieldOf(l.Proto, field) != nil || fieldAlias(l.Proto, field) != nil {
			return l
		}
	}
	return nil
}

// fieldOf returns p's field with this name; a trailing underscore may be
// dropped (load_ for load, which is a Starlark keyword).
func fieldOf(p *packet.Protocol, name string) *packet.Field {
	if f := p.Field(name); f != nil {
		return f
	}
	if strings.HasSuffix(name, "_") {
		return p.Field(strings.TrimSuffix(name, "_"))
	}
	return nil
}

// Set sets a field on the outermost layer that has it (Scapy's
// pkt.field = value).
func (p *Packet) Set(field string, v any) error {
	l := p.Find(field)
	if l == nil {
		if len(p.Layers) == 0 {
			return errf("Packet", field, "no layers")
		}
		return p.Layers[0].Set(field, v)
	}
	return l.Set(field, v)
}

// Count returns how many packets the packet set holds (1 for a plain
// packet).
func (p *Packet) Count() int {
	n := 1
	for _, l := range p.Layers {
		for _, vs := range l.multi {
			n *= len(vs)
			if n > 1<<40 {
				return 1 << 40
			}
		}
	}
	return n
}

// sortedMulti returns the indexes of l's multi-valued fields in table
// order.
func (l *Layer) sortedMulti() []int {
	ks := make([]int, 0, len(l.multi))
	for k := range l.multi {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	return ks
}

// listIsSet reports whether a list given to list field f of p is a packet
// set rather than the field's elements (DNS's qd, an, ns and ar in Scapy
// 2.5 take one record, or records chained with '/').
func listIsSet(p *packet.Protocol, f *packet.Field) bool {
	if p.Name != "DNS" && p.Name != "DNSTCP" {
		return false
	}
	switch f.Name {
	case "qd", "an", "ns", "ar":
		return true
	}
	return false
}
