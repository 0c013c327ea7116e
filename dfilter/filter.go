// Package dfilter compiles Wireshark display filters (tshark -Y) into
// predicates over pktkit's lazily dissected packets.
//
// A filter is compiled once into a tree of closures specialised by field
// type and operator; matching a packet walks no syntax tree and uses no
// reflection, and allocates nothing.
//
// # Grammar
//
//	filter   = or
//	or       = and { ("or" | "||") and }
//	and      = unary { ("and" | "&&") unary }
//	unary    = ("not" | "!") unary | "(" or ")" | relation
//	relation = field                                  existence
//	         | field CMP value                        comparison
//	         | field ("contains" | "matches") value
//	         | field ["not"] "in" "{" item { "," item } "}"
//	field    = NAME [ "[" slices "]" ] [ "&" NUMBER ]
//	item     = value [ ".." value ]
//	CMP      = "==" | "!=" | "===" | "~=" | ">" | ">=" | "<" | "<="
//	         | "eq" | "ne" | "all_eq" | "any_ne" | "gt" | "ge" | "lt" | "le"
//	         | "any_eq" | "all_ne"
//
// Keywords are lower case, as in tshark 4.0 (which has no "xor"). NAME is a
// Wireshark field (ip.src, tcp.flags.syn, dns.qry.name), a Scapy-style alias
// (tcp.dport, ip.proto), a protocol (tcp: its bytes), frame (the whole
// frame's bytes) or one of the two-way fields ip.addr, ipv6.addr, eth.addr,
// tcp.port, udp.port (either of the source and destination fields).
//
// Values are read according to the field they meet: numbers in decimal, hex
// (0x1f), octal (017) or binary (0b101), character constants ('a'); True and
// False for flags; IPv4 and IPv6 addresses, optionally as networks
// (10.0.0.0/8); MAC addresses (00:0c:29:aa:bb:cc, 00-0c-..., 000c.29aa.bbcc);
// byte strings (aa:bb:cc, aa-bb, aabbcc, 0x47); quoted strings with C
// escapes ("GET\r\n", "\x47"); seconds for times (frame.time_relative >
// 1.5). A word that is not a valid value of the field's type and names a
// field is that field (ip.src == ip.dst).
//
// Slices take bytes of a field or protocol: [i:n] (n bytes from i), [i-j]
// (i to j inclusive), [i], [:n], [i:], negative i counts from the end, and
// comma-separated lists concatenate.
//
// # Semantics (tshark 4.0)
//
// A field can occur several times (an ICMP error quotes an IP header, a DNS
// answer has several records). A test is true when some occurrence passes
// it, except != ("all not equal": some occurrence exists and none equals
// the value, so a != b is the same as a exists and not a == b) and ===
// (every occurrence equals). ~= is "some occurrence differs". A test on a
// field the packet lacks is false. matches is a case-insensitive regular
// expression (Go's RE2 syntax, close to PCRE for common patterns).
package dfilter

import (
	"pktkit/packet"
)

// Filter is a compiled display filter. Match is not safe for concurrent
// use (it keeps scratch space); give each goroutine its own Clone.
type Filter struct {
	expr     string
	root     pred
	needs    *packet.Needs      // the protocols it reads
	analyses []*packet.Analysis // what its fields need run over every packet
	st       state
}

// Compile parses and compiles a display filter. A syntax error, an unknown
// field (with close names suggested) or a literal that does not fit its
// field gives a *SyntaxError that shows where the problem is.
func Compile(expr string) (*Filter, error) {
	n, err := parse(expr)
	if err != nil {
		return nil, err
	}
	c := &compiler{src: expr}
	root, err := c.node(n)
	if err != nil {
		return nil, err
	}
	f := &Filter{expr: expr, root: root, needs: needsOf(c.sources)}
	var refs []*packet.FieldRef
	for _, s := range c.sources {
		refs = append(refs, s.refs...)
	}
	f.analyses = packet.AnalysesFor(refs...)
	f.st.needs = f.needs
	return f, nil
}

// Analyses returns the analyses the filter's fields need (tcp.stream,
// tcp.analysis.*): whoever walks packets runs them over every packet, in
// order, before Match (walk.Options.Analyses).
func (f *Filter) Analyses() []*packet.Analysis { return f.analyses }

// needsOf returns the protocols a filter's sources read, for
// packet.LayersFor (nil, everything, if it reads the frame's bytes or
// frame.protocols).
func needsOf(sources []*source) *packet.Needs {
	var refs []*packet.FieldRef
	var protos []*packet.Protocol
	for _, s := range sources {
		if s.frame || s.protocols {
			return nil
		}
		refs = append(refs, s.refs...)
		protos = append(protos, s.protos...)
	}
	return packet.NeedsFor(refs, protos...)
}

// MustCompile is Compile for filters known to be valid; it panics on error.
func MustCompile(expr string) *Filter {
	f, err := Compile(expr)
	if err != nil {
		panic(err)
	}
	return f
}

// String returns the filter's text.
func (f *Filter) String() string { return f.expr }

// Match reports whether the packet passes the filter. Frame fields read
// the packet's capture metadata (Number, Timestamp, FirstTime, PrevTime).
func (f *Filter) Match(p *packet.Packet) bool { return f.root(p, &f.st) }

// Clone returns a copy with its own scratch space, for another goroutine.
func (f *Filter) Clone() *Filter {
	c := &Filter{expr: f.expr, root: f.root, needs: f.needs, analyses: f.analyses}
	c.st.needs = f.needs
	return c
}

// staticOffset returns the bit offset of f in its table if every field
// before it has a fixed width, else -1.
func staticOffset(f *packet.Field) int {
	off := 0
	for _, g := range f.Proto().Fields {
		if g == f {
			return off
		}
		switch g.Type {
		case packet.Uint, packet.Int:
			off += g.Bits
		case packet.MAC:
			off += 48
		case packet.IPv4:
			off += 32
		case packet.IPv6:
			off += 128
		case packet.Bytes, packet.String:
			if g.Size <= 0 {
				return -1
			}
			off += g.Size * 8
		default:
			return -1
		}
	}
	return -1
}

// fastInt compiles "field OP constant" for a byte-aligned 8, 16 or 32-bit
// big-endian field at a fixed offset of a single table, reading the bytes
// straight from the layer. It returns nil when the field does not qualify.
func fastInt(s *source, k kind, op string, c constant) pred {
	r := s.refs[0]
	f := r.Field
	if k != kInt || f == nil || r.Virtual != nil || r.Bit != 0 || f.Little || s.mul > 1 ||
		len(s.direct[0]) != 1 || s.direct[0][0] != r.Proto {
		return nil
	}
	off := staticOffset(f)
	if off < 0 || off%8 != 0 || (f.Bits != 8 && f.Bits != 16 && f.Bits != 32) {
		return nil
	}
	q, o, w := r.Proto, off/8, f.Bits/8
	t := constTest(k, op, c)
	if op == "==" && w == 2 {
		want := c.u
		return func(p *packet.Packet, st *state) bool {
			ls := p.LayersFor(st.needs)
			for i := range ls {
				if d := ls[i].Data; ls[i].Proto == q && o+2 <= len(d) && uint64(d[o])<<8|uint64(d[o+1]) == want {
					return true
				}
			}
			return false
		}
	}
	if op == ">" && w == 1 {
		lim := c.u
		return func(p *packet.Packet, st *state) bool {
			ls := p.LayersFor(st.needs)
			for i := range ls {
				if d := ls[i].Data; ls[i].Proto == q && o < len(d) && uint64(d[o]) > lim {
					return true
				}
			}
			return false
		}
	}
	return func(p *packet.Packet, st *state) bool {
		ls := p.LayersFor(st.needs)
		for i := range ls {
			d := ls[i].Data
			if ls[i].Proto != q || o+w > len(d) {
				continue
			}
			var u uint64
			for _, b := range d[o : o+w] {
				u = u<<8 | uint64(b)
			}
			if t(val{u: u}) {
				return true
			}
		}
		return false
	}
}
