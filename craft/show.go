package craft

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"pktkit/packet"
)

// linkTypes maps first protocols to capture link types for dissection and
// for pcap output.
var linkTypes = map[string]uint32{"Ether": 1, "Dot3": 1, "IP": 228, "IPv6": 229, "CookedLinux": 113, "PPP": 9}

// LinkType returns the capture link type for packets starting with the
// packet's first layer: Ethernet, raw IPv4 or IPv6, or 147 (user 0) for
// others.
func (p *Packet) LinkType() uint32 {
	if len(p.Layers) > 0 {
		if lt, ok := linkTypes[p.Layers[0].Proto.Name]; ok {
			return lt
		}
	}
	return 147
}

// Dissect dissects bytes built from p, starting with p's first layer.
func (p *Packet) Dissect(b []byte) *packet.Packet {
	if len(p.Layers) == 0 {
		return packet.NewFrom(b, packet.Raw)
	}
	return packet.NewFrom(b, p.Layers[0].Proto)
}

// Show2 returns Scapy's show2(): the tree of the packet as built (auto
// fields computed), dissected back.
func (p *Packet) Show2() (string, error) {
	b, err := p.Bytes()
	if err != nil {
		return "", err
	}
	return p.Dissect(b).ShowString(), nil
}

// Summary returns Scapy's one-line summary of the packet as built.
func (p *Packet) Summary() (string, error) {
	b, err := p.Bytes()
	if err != nil {
		return "", err
	}
	return p.Dissect(b).Summary(), nil
}

// Show returns Scapy's show(): the fields before building, with auto
// fields left unset shown as None.
func (p *Packet) Show() string {
	bound := map[*packet.Field]bool{}
	var sb strings.Builder
	for i, l := range p.Layers {
		s := l.spec
		if i+1 < len(p.Layers) {
			// Fields the layer above overloads show its value (Scapy's
			// IP()/TCP() shows proto = tcp).
			s = cloneSpec(s)
			for _, b := range s.Proto.Bindings() {
				if f := s.Proto.Field(b.Field); f != nil && f.IsInt() && !s.IsSet(f) && b.Upper == p.Layers[i+1].Proto && !bound[f] {
					s.Vals[f.Index()].U = b.Value
					bound[f] = true
				}
			}
			clear(bound)
		}
		showSpec(&sb, s, l, strings.Repeat("   ", i), "")
	}
	return sb.String()
}

func showSpec(sb *strings.Builder, s *packet.Spec, l *Layer, lvl, label string) {
	fmt.Fprintf(sb, "%s###[ %s ]###\n", label, title(s.Proto))
	for i, f := range s.Proto.Fields {
		if f.Type == packet.List {
			v := s.Vals[i]
			if len(v.List) == 0 {
				fmt.Fprintf(sb, "%s  %-10s= []\n", label+lvl, f.Name)
				continue
			}
			fmt.Fprintf(sb, "%s  \\%-10s\\\n", label+lvl, f.Name)
			for _, e := range v.List {
				showSpec(sb, e, nil, "", label+lvl+"   |")
			}
			continue
		}
		var text string
		switch {
		case l != nil && l.multi[i] != nil && l.src[i] != nil:
			text = pyRepr(l.src[i])
		case !s.IsSet(f) && (f.Auto || (f.Type != packet.List && f.IsInt() == false && f.DefaultBytes == nil && f.BuildDefault != nil)):
			text = "None"
		default:
			text = showValue(f, s.Vals[i])
		}
		fmt.Fprintf(sb, "%s  %-10s= %s\n", label+lvl, f.Name, text)
	}
}

// title is the name show() prints for a protocol.
func title(p *packet.Protocol) string {
	if p.Title != "" {
		return p.Title
	}
	return p.Name
}

// showValue renders a value as Scapy's show() does.
func showValue(f *packet.Field, v packet.Value) (s string) {
	if f.Type == packet.Custom {
		return pyRepr(customText(f, v.B))
	}
	return f.Show(nil, v)
}

// customText returns a custom field's text form when parsing it back gives
// the same bytes, else the raw bytes.
func customText(f *packet.Field, raw []byte) (out any) {
	out = RawVal(clone(raw))
	defer func() { _ = recover() }()
	if len(raw) == 0 {
		return RawVal{}
	}
	t := f.Codec.Format(nil, nil, raw)
	if b, err := f.Codec.Parse(string(t)); err == nil && bytes.Equal(b, raw) {
		return string(t)
	}
	return RawVal(clone(raw))
}

// ValueAny turns a field value into the Go value the constructors take.
func ValueAny(f *packet.Field, v packet.Value) any {
	switch f.Type {
	case packet.Uint:
		return v.U
	case packet.Int:
		return signed(v.U, f.Bits)
	case packet.MAC, packet.IPv4, packet.IPv6:
		if v.B == nil {
			return nil
		}
		return strings.TrimSpace(f.Show(nil, v))
	case packet.Custom:
		return customText(f, v.B)
	case packet.List:
		var out []any
		for _, e := range v.List {
			out = append(out, &Packet{Layers: []*Layer{layerFromSpec(e)}})
		}
		return out
	}
	return clone(v.B)
}

func signed(u uint64, bits int) int64 {
	if bits < 64 {
		u &= 1<<bits - 1
	}
	if bits < 64 && u&(1<<(bits-1)) != 0 {
		return int64(u) - int64(1)<<bits
	}
	return int64(u)
}

// layerFromSpec wraps a spec (every set field recorded for Command).
func layerFromSpec(s *packet.Spec) *Layer {
	l := &Layer{Proto: s.Proto, spec: s, src: map[int]any{}}
	for i, f := range s.Proto.Fields {
		if !s.IsSet(f) {
			continue
		}
		l.src[i] = ValueAny(f, s.Vals[i])
		if listIsSet(s.Proto, f) {
			// Records chained with '/' (a list would be a set).
			var chain *Packet
			for _, e := range s.Vals[i].List {
				if chain == nil {
					chain = &Packet{}
				}
				chain.Layers = append(chain.Layers, layerFromSpec(e))
			}
			if chain == nil {
				l.src[i] = nil
			} else {
				l.src[i] = chain
			}
		}
	}
	return l
}

// Command returns Scapy's command(): an expression that recreates the
// packet (its set fields only; a set keeps its lists, ranges and
// networks).
func (p *Packet) Command() string {
	if len(p.Layers) == 0 {
		return "Raw()" // no layers: no bytes
	}
	var parts []string
	for _, l := range p.Layers {
		parts = append(parts, l.command())
	}
	return strings.Join(parts, "/")
}

func (l *Layer) command() string {
	var args []string
	for i, f := range l.Proto.Fields {
		if !l.spec.IsSet(f) {
			continue
		}
		v, ok := l.src[i]
		if !ok {
			v = ValueAny(f, l.spec.Vals[i])
		}
		if b, isBytes := v.([]byte); isBytes && variants(l.Proto) {
			// The variant chosen again may read this field as text.
			v = RawVal(b)
		}
		args = append(args, f.Name+"="+pyRepr(v))
	}
	return className(l.Proto) + "(" + strings.Join(args, ", ") + ")"
}

// pyRepr renders a Go value as a Python (and Starlark) literal.
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return strconv.Quote(x)
	case []byte:
		return pyBytes(x)
	case RawVal:
		return "RawVal(" + pyBytes(x) + ")"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case *Packet:
		return x.Command()
	case Range:
		return fmt.Sprintf("(%d, %d)", x.Lo, x.Hi)
	case Tuple:
		var ps []string
		for _, e := range x {
			ps = append(ps, pyRepr(e))
		}
		if len(ps) == 1 {
			return "(" + ps[0] + ",)"
		}
		return "(" + strings.Join(ps, ", ") + ")"
	case []any:
		var ps []string
		for _, e := range x {
			ps = append(ps, pyRepr(e))
		}
		return "[" + strings.Join(ps, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// pyBytes renders bytes as a Python bytes literal with every escape
// Starlark reads back too.
func pyBytes(b []byte) string {
	var sb strings.Builder
	sb.WriteString("b\"")
	for _, c := range b {
		switch {
		case c == '\\' || c == '"':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			sb.WriteByte(c)
		default:
			fmt.Fprintf(&sb, "\\x%02x", c)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

// Hexdump renders bytes in Scapy's hexdump() layout: offset, 16 bytes in
// hex, and the printable characters ('.' for others).
func Hexdump(b []byte) string {
	var sb strings.Builder
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		fmt.Fprintf(&sb, "%04x  ", off)
		for i := 0; i < 16; i++ {
			if i < len(line) {
				fmt.Fprintf(&sb, "%02X ", line[i])
			} else {
				sb.WriteString("   ")
			}
		}
		sb.WriteByte(' ')
		for _, c := range line {
			if c >= 0x20 && c < 0x7f {
				sb.WriteByte(c)
			} else {
				sb.WriteByte('.')
			}
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// ParseHexdump reads bytes back from a hexdump: Scapy's layout (offset,
// hex bytes, text), tcpdump -xx, od-like dumps; a bare hex string (spaces,
// colons and a 0x prefix allowed) works too.
func ParseHexdump(text string) ([]byte, error) {
	var out []byte
	lines := strings.Split(strings.ReplaceAll(text, "\r", ""), "\n")
	dumpLike := false
	for _, ln := range lines {
		fs := strings.Fields(ln)
		if len(fs) >= 2 && isOffset(fs[0]) && isHexByte(fs[1]) {
			dumpLike = true
		}
	}
	if !dumpLike {
		return ParseHex(text)
	}
	for n, ln := range lines {
		ln = strings.ReplaceAll(ln, "\t", "  ")
		fs := strings.Fields(ln)
		if len(fs) == 0 {
			continue
		}
		if !isOffset(fs[0]) {
			return nil, fmt.Errorf("hexdump line %d: no offset at its start", n+1)
		}
		// The bytes are the first run after the offset; two spaces end
		// it (the text column follows).
		rest := strings.TrimLeft(ln[strings.Index(ln, fs[0])+len(fs[0]):], " ")
		if i := strings.Index(rest, "  "); i >= 0 {
			rest = rest[:i]
		}
		for _, t := range strings.Fields(rest) {
			if len(t)%2 != 0 || !isHex(t) || len(t) > 4 {
				break
			}
			b, _ := hex.DecodeString(t)
			out = append(out, b...)
		}
	}
	return out, nil
}

func isOffset(s string) bool {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "0x"), ":")
	return len(s) >= 3 && isHex(s)
}

func isHexByte(s string) bool { return len(s) == 2 && isHex(s) }

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// ParseHex reads a hex string; whitespace, ':' or '-' separators and a 0x
// prefix are ignored.
func ParseHex(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', ':', '-':
			return -1
		}
		return r
	}, s)
	b, err := hex.DecodeString(clean)
	if err != nil {
		return nil, fmt.Errorf("not a hex string: %v", err)
	}
	return b, nil
}

// ParseBase64 reads standard or URL base64, padded or not.
func ParseBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("not base64")
}

// Base64 returns the standard base64 of b.
func Base64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// Hex returns the lowercase hex of b.
func Hex(b []byte) string { return hex.EncodeToString(b) }

// FromPacket turns a dissected packet into a crafted one with every field
// set from its dissected value, so that building it gives its bytes back.
func FromPacket(dp *packet.Packet) (*Packet, error) {
	st, err := dp.Specs()
	if err != nil {
		return nil, err
	}
	p := &Packet{}
	for _, s := range st {
		p.Layers = append(p.Layers, layerFromSpec(s))
	}
	return p, nil
}

// Import dissects bytes as a packet starting with the given class (Scapy's
// Ether(bytes)) and returns it with every field set.
func Import(class string, b []byte) (*Packet, error) {
	c := LookupClass(class)
	if c == nil {
		return nil, &Error{Class: class, Msg: "unknown class"}
	}
	return FromPacket(packet.NewFrom(b, c.Protos[0]))
}

// variants reports whether p's class has several tables (variants).
func variants(p *packet.Protocol) bool {
	c := LookupClass(className(p))
	return c != nil && (len(c.Protos) > 1 || c.Protos[0].Dispatch != nil)
}
