package dfilter

import (
	"slices"
	"strings"
	"sync"

	"pktkit/packet"
)

// kind is how a field's values compare.
type kind uint8

const (
	kInt    kind = iota // unsigned integer
	kSigned             // signed integer
	kBool               // flag: 0 or 1
	kTime               // nanoseconds, signed
	kMAC
	kIPv4
	kIPv6
	kBytes  // byte string (also protocols, slices)
	kString // text
	kNone   // lists: existence only
)

func (k kind) bytesLike() bool { return k >= kMAC && k <= kString }

var kindNames = [...]string{"unsigned integer", "signed integer", "boolean", "time", "Ethernet address",
	"IPv4 address", "IPv6 address", "byte string", "character string", "list"}

func (k kind) String() string { return kindNames[k] }

// val is one occurrence of a field: an integer or bytes.
type val struct {
	u uint64
	b []byte
}

// state is per-goroutine scratch space for a filter.
type state struct {
	buf   [2][]byte // formatted text of a Custom field (a DNS name), per side of a test
	slice []byte    // a slice made of several ranges
	lay   packet.Layer
	elems []packet.Layer    // list elements being visited, by depth
	iters []packet.ElemIter // their iterators
	re    []byte            // a value re-encoded for a regular expression
	needs *packet.Needs     // the protocols the filter reads (packet.LayersFor)
}

// source yields the occurrences of a field, a two-way pseudo-field (the
// union of two fields), a protocol (its bytes) or the frame.
type source struct {
	name   string
	refs   []*packet.FieldRef
	direct [][]*packet.Protocol // per ref: protocols holding it as a layer field (nil if nested or frame)
	nested []*nesting           // per ref: where list elements hold it (nil if not nested)
	protos []*packet.Protocol   // protocol source: layers of these protocols
	frame  bool                 // the frame's bytes
	kind   kind
	bits   int    // integer width (for range checks)
	mul    uint64 // Wireshark value = wire value * mul
	custom bool   // values are formatted through the field's codec
	// protocols marks frame.protocols, formatted into scratch space.
	protocols bool
	slot      int // which state buffer conv formats into
}

// pseudoFields are Wireshark's two-way fields: any of their parts.
var pseudoFields = map[string][2]string{
	"ip.addr":   {"ip.src", "ip.dst"},
	"ipv6.addr": {"ipv6.src", "ipv6.dst"},
	"eth.addr":  {"eth.src", "eth.dst"},
	"tcp.port":  {"tcp.srcport", "tcp.dstport"},
	"udp.port":  {"udp.srcport", "udp.dstport"},
}

var (
	protoNamesOnce sync.Once
	protoNames     map[string][]*packet.Protocol
)

// protocolsNamed returns the protocol tables that make protocol name
// present in a packet: those with that Wireshark abbreviation or that
// add it to frame.protocols.
func protocolsNamed(name string) []*packet.Protocol {
	protoNamesOnce.Do(func() {
		protoNames = map[string][]*packet.Protocol{}
		for _, p := range packet.Protocols() {
			if p.Element {
				continue
			}
			names := []string{p.Abbrev}
			if p.Chain != "" {
				names = append(names, strings.Split(p.Chain, ":")...)
			}
			for _, n := range names {
				if n != "" && !slices.Contains(protoNames[n], p) {
					protoNames[n] = append(protoNames[n], p)
				}
			}
		}
	})
	return protoNames[name]
}

// resolve finds the source for a field or protocol name.
func resolve(name string) (*source, error) {
	if name == "frame" {
		return &source{name: name, frame: true, kind: kBytes}, nil
	}
	if parts, ok := pseudoFields[name]; ok {
		s := &source{name: name}
		for _, n := range parts {
			r, err := packet.LookupField(n)
			if err != nil {
				return nil, err
			}
			s.addRef(r)
		}
		return s, nil
	}
	if ps := protocolsNamed(name); len(ps) > 0 {
		return &source{name: name, protos: ps, kind: kBytes}, nil
	}
	r, err := packet.LookupField(name)
	if err != nil {
		return nil, err
	}
	s := &source{name: name}
	s.addRef(r)
	return s, nil
}

// nesting says which protocols hold a field and which protocols' list
// fields lead to them (by protocol ID).
type nesting struct {
	holds []bool // the protocol's layer or element holds the field
	leads []bool // the protocol's list fields can hold, at some depth, an element that holds it
}

var nestings sync.Map // *packet.FieldRef → *nesting

func newNesting(r *packet.FieldRef) *nesting {
	if n, ok := nestings.Load(r); ok {
		return n.(*nesting)
	}
	all := packet.Protocols()
	n := packet.NumProtocols()
	nst := &nesting{holds: make([]bool, n), leads: make([]bool, n)}
	for _, q := range r.Protocols() {
		nst.holds[q.ID()] = true
	}
	// Iterate to a fixed point: q leads if some element of its lists holds
	// or leads.
	for changed := true; changed; {
		changed = false
		for _, q := range all {
			if nst.leads[q.ID()] {
				continue
			}
			for _, f := range q.Fields {
				for _, e := range f.Elems {
					if f.Type == packet.List && (nst.holds[e.ID()] || nst.leads[e.ID()]) {
						nst.leads[q.ID()] = true
						changed = true
					}
				}
			}
		}
	}
	nestings.Store(r, nst)
	return nst
}

// eachIn calls fn for the occurrences of r in layer l and its list
// elements; it reports whether fn asked to go on.
func (s *source) eachIn(st *state, r *packet.FieldRef, nst *nesting, l *packet.Layer, depth int, fn func(v val) bool) bool {
	id := l.Proto.ID()
	if id < len(nst.holds) && nst.holds[id] {
		if v, ok := r.Value(l); ok && !fn(s.conv(st, l, v)) {
			return false
		}
	}
	if id >= len(nst.leads) || !nst.leads[id] {
		return true
	}
	for _, f := range l.Proto.Fields {
		if f.Type != packet.List {
			continue
		}
		// The iterator and the element live in the state, so that
		// nothing is allocated per packet.
		if depth >= len(st.elems) {
			st.elems = append(st.elems, packet.Layer{})
			st.iters = append(st.iters, packet.ElemIter{})
		}
		st.iters[depth] = l.Elems(f)
		it := &st.iters[depth]
		for it.Next() {
			st.elems[depth] = *it.Layer()
			if !s.eachIn(st, r, nst, &st.elems[depth], depth+1, fn) {
				return false
			}
		}
	}
	return true
}

func (s *source) addRef(r *packet.FieldRef) {
	s.refs = append(s.refs, r)
	if r.Nested() && r.Proto != packet.Frame {
		s.direct = append(s.direct, nil)
		s.nested = append(s.nested, newNesting(r))
	} else {
		s.direct = append(s.direct, r.Protocols())
		s.nested = append(s.nested, nil)
	}
	s.protocols = r.Name == "frame.protocols"
	s.mul = 1
	switch {
	case r.Virtual != nil:
		s.kind, s.bits = kindOf(r.Virtual.Type, r.Virtual.Bits)
	case r.Bit > 0:
		s.kind, s.bits = kBool, 1
	default:
		f := r.Field
		s.kind, s.bits = kindOf(f.Type, f.Bits)
		s.custom = f.Type == packet.Custom
		if f.WSMul > 1 {
			s.mul = f.WSMul
		}
	}
}

func kindOf(t packet.Type, bits int) (kind, int) {
	switch t {
	case packet.Uint:
		return kInt, bits
	case packet.Int:
		return kSigned, bits
	case packet.MAC:
		return kMAC, 48
	case packet.IPv4:
		return kIPv4, 32
	case packet.IPv6:
		return kIPv6, 128
	case packet.Bytes:
		return kBytes, 0
	case packet.String, packet.Custom:
		return kString, 0
	case packet.Time:
		return kTime, 64
	}
	return kNone, 0
}

// each calls fn for every occurrence in packet order until fn returns
// false; it reports whether it went through all of them.
func (s *source) each(p *packet.Packet, st *state, fn func(v val) bool) bool {
	if s.frame {
		return fn(val{b: frameBytes(p)})
	}
	if s.protos != nil {
		ls := p.LayersFor(st.needs)
		for i := range ls {
			for _, q := range s.protos {
				if ls[i].Proto == q {
					if !fn(protoBytes(p, &ls[i])) {
						return false
					}
					break
				}
			}
		}
		return true
	}
	for i, r := range s.refs {
		if r.Proto == packet.Frame {
			if s.protocols {
				st.buf[s.slot] = p.AppendProtocols(st.buf[s.slot][:0])
				if !fn(val{b: st.buf[s.slot]}) {
					return false
				}
				continue
			}
			v, ok := r.Value(p.FrameLayer())
			if ok && !fn(s.conv(st, nil, v)) {
				return false
			}
			continue
		}
		if d := s.direct[i]; d != nil {
			ls := p.LayersFor(st.needs)
			for j := range ls {
				l := &ls[j]
				for _, q := range d {
					if l.Proto != q {
						continue
					}
					if v, ok := r.Value(l); ok && !fn(s.conv(st, l, v)) {
						return false
					}
					break
				}
			}
			continue
		}
		ls := p.LayersFor(st.needs)
		for j := range ls {
			if !s.eachIn(st, r, s.nested[i], &ls[j], 0, fn) {
				return false
			}
		}
	}
	return true
}

// protoBytes is a protocol's value: its bytes from its first byte to the
// end of its layer, as Wireshark hands them to the dissector. UDP's run to
// the end of the datagram below it (tshark's udp covers bytes past
// udp.length that pktkit shows as padding).
func protoBytes(p *packet.Packet, l *packet.Layer) val {
	b := l.Data
	if l.Proto.Abbrev == "udp" {
		if parent := l.Parent(); parent != nil {
			if end := parent.Off + len(parent.Data); end > l.Off+len(b) && end <= len(p.Data) {
				b = p.Data[l.Off:end]
			}
		}
	}
	return val{b: b}
}

// frameBytes is the frame's value. For link types IPV4 and IPV6 (228,
// 229) it ends where the IP length says: Wireshark hands the frame's own
// buffer to the IP dissector, which cuts it there. (Link type RAW goes
// through another dissector that hands IP a copy, so its frames keep
// their length.)
func frameBytes(p *packet.Packet) []byte {
	if p.LinkType != 228 && p.LinkType != 229 {
		return p.Data
	}
	if ls := p.Layers(); len(ls) > 0 && ls[0].Off == 0 && len(ls[0].Data) < len(p.Data) {
		if a := ls[0].Proto.Abbrev; a == "ip" || a == "ipv6" {
			return ls[0].Data
		}
	}
	return p.Data
}

// conv turns an engine value into the value Wireshark compares.
func (s *source) conv(st *state, l *packet.Layer, v packet.Value) val {
	if s.custom && l != nil {
		// Hand the codec a copy in the state, so that l (often an
		// element iterator's, on the stack) does not escape.
		st.lay = *l
		l = &st.lay
		for _, r := range s.refs {
			if f := r.Field; f != nil && f.Proto() == l.Proto && f.Codec != nil {
				st.buf[s.slot] = f.Codec.Format(st.buf[s.slot][:0], l, v.B)
				return val{b: st.buf[s.slot]}
			}
		}
		// A variant table of the same field.
		for _, r := range s.refs {
			for _, q := range r.Protocols() {
				if q == l.Proto {
					if f := q.Field(r.Field.Name); f != nil && f.Codec != nil {
						st.buf[s.slot] = f.Codec.Format(st.buf[s.slot][:0], l, v.B)
						return val{b: st.buf[s.slot]}
					}
				}
			}
		}
	}
	if s.mul > 1 {
		v.U *= s.mul
	}
	return val{u: v.U, b: v.B}
}
