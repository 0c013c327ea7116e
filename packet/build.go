package packet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"
)

// Spec is a layer to build: a protocol and a value for each of its fields,
// with a mark for the fields the user set. Unset fields take their default,
// or are computed at build time if they are auto fields.
type Spec struct {
	Proto *Protocol
	Vals  []Value
	set   []bool
}

// NewSpec returns a layer of protocol p with every field at its default.
func NewSpec(p *Protocol) *Spec {
	s := &Spec{Proto: p, Vals: make([]Value, len(p.Fields)), set: make([]bool, len(p.Fields))}
	for i, f := range p.Fields {
		s.Vals[i] = Value{U: f.Default, B: f.DefaultBytes}
	}
	return s
}

// Set gives a field a value and marks it set (a set field is never
// recomputed, even if it is wrong).
func (s *Spec) Set(name string, v Value) error {
	f := s.Proto.byName[name]
	if f == nil {
		return fmt.Errorf("%s has no field %q", s.Proto.Name, name)
	}
	s.Vals[f.index] = v
	s.set[f.index] = true
	return nil
}

// SetField is Set by field.
func (s *Spec) SetField(f *Field, v Value) {
	s.Vals[f.index] = v
	s.set[f.index] = true
}

// Unset returns a field to its default (or auto computation).
func (s *Spec) Unset(name string) {
	if f := s.Proto.byName[name]; f != nil {
		s.Vals[f.index] = Value{U: f.Default, B: f.DefaultBytes}
		s.set[f.index] = false
	}
}

// IsSet reports whether the user set the field.
func (s *Spec) IsSet(f *Field) bool { return s.set[f.index] }

// Get returns the field's current value (set or default).
func (s *Spec) Get(name string) (Value, bool) {
	f := s.Proto.byName[name]
	if f == nil {
		return Value{}, false
	}
	return s.Vals[f.index], true
}

// Stack is a packet to build: layers, outermost first.
type Stack []*Spec

// BuildLayer is one layer during building, handed to a protocol's Auto
// function so it can fill the fields the user left unset.
type BuildLayer struct {
	Spec   *Spec
	Buf    []byte // the whole packet being built
	Start  int    // where the layer starts in Buf
	HdrEnd int    // where its header ends
	End    int    // where its payload ends (before any Padding)
	Under  *BuildLayer
	Over   *BuildLayer
	offs   []int // bit offset of each field
	widths []int // bit width of each field
}

// IsSet reports whether the user set the named field.
func (b *BuildLayer) IsSet(name string) bool {
	f := b.Spec.Proto.fieldNamed(name)
	return f != nil && b.FieldIsSet(f)
}

// fieldNamed is Field for the build path, where Auto hooks look fields up
// by name for every packet: a small hash of the name indexes a table made
// at registration, without hashing the whole string.
func (p *Protocol) fieldNamed(name string) *Field {
	if len(name) > 0 {
		if i := p.nameIdx[nameHash(name)]; i > 0 {
			f := p.Fields[i-1]
			// Table code passes the literal the table holds: the same
			// string data, so most lookups need no byte comparison.
			if len(f.Name) == len(name) && (unsafe.StringData(f.Name) == unsafe.StringData(name) || f.Name == name) {
				return f
			}
		}
	}
	return p.byName[name]
}

// nameHash is fieldNamed's hash: length and first and last letters.
func nameHash(s string) uint8 {
	return uint8(len(s)*7+int(s[0])*3+int(s[len(s)-1])) & 63
}

// Header returns the layer's built header bytes.
func (b *BuildLayer) Header() []byte { return b.Buf[b.Start:b.HdrEnd] }

// Payload returns the bytes built after the header (up to any Padding).
func (b *BuildLayer) Payload() []byte { return b.Buf[b.HdrEnd:b.End] }

// Bytes returns the header and payload.
func (b *BuildLayer) Bytes() []byte { return b.Buf[b.Start:b.End] }

// Value returns the named field's value as built.
func (b *BuildLayer) Value(name string) Value {
	if f := b.Spec.Proto.fieldNamed(name); f != nil {
		return b.FieldValue(f)
	}
	return Value{}
}

// SetAuto writes an integer into the named field unless the user set it.
func (b *BuildLayer) SetAuto(name string, u uint64) {
	if f := b.Spec.Proto.fieldNamed(name); f != nil {
		b.SetAutoField(f, u)
	}
}

// FieldIsSet is IsSet by field: Auto hooks on hot paths look their
// fields up once (Protocol.MustField at init) and pass them here. A field
// of another protocol reports false.
func (b *BuildLayer) FieldIsSet(f *Field) bool {
	return f.proto == b.Spec.Proto && b.Spec.set[f.index]
}

// FieldValue is Value by field.
func (b *BuildLayer) FieldValue(f *Field) Value {
	if f.proto != b.Spec.Proto {
		return Value{}
	}
	if f.IsInt() {
		return Value{U: readBits(b.Buf, b.Start*8+b.offs[f.index], b.widths[f.index], f.Little)}
	}
	o := b.Start + b.offs[f.index]/8
	return Value{B: b.Buf[o : o+b.widths[f.index]/8]}
}

// SetAutoField is SetAuto by field: it writes u into f unless the user
// set it (a field of another protocol is ignored).
func (b *BuildLayer) SetAutoField(f *Field, u uint64) {
	if f.proto != b.Spec.Proto || b.Spec.set[f.index] {
		return
	}
	putBits(b.Buf, b.Start*8+b.offs[f.index], b.widths[f.index], u, f.Little)
}

// Build encodes the stack into dst (appending) and returns the result. Fields
// come from each table: set values, then bindings to the next layer, then
// defaults; auto fields are computed last, innermost layer first.
func (st Stack) Build(dst []byte) ([]byte, error) {
	var b Builder
	return b.Build(dst, st)
}

// Builder builds stacks like Stack.Build, keeping its scratch space between
// calls so that building many packets allocates nothing per packet. A
// Builder is not safe for concurrent use; its zero value is ready.
type Builder struct {
	bls     []BuildLayer
	scratch []int
	base    int // where the last encoded stack starts in its buffer
}

// Build encodes st into dst (appending) as Stack.Build does.
func (bd *Builder) Build(dst []byte, st Stack) ([]byte, error) {
	start := len(dst)
	dst, err := bd.Encode(dst, st)
	if err != nil {
		return dst, err
	}
	bd.Auto(dst, start)
	return dst, nil
}

// Encode is Build's first half: it encodes st into dst (appending) with
// the auto fields left zero. Auto finishes the job, on those bytes or on a
// copy of them: encoding once and finishing copies is how a packet
// generator builds many packets that differ only in fixed-width fields
// (see Patch).
func (bd *Builder) Encode(dst []byte, st Stack) ([]byte, error) {
	if cap(bd.bls) < len(st) {
		bd.bls = make([]BuildLayer, len(st))
	}
	bls := bd.bls[:len(st)]
	bd.bls = bls
	bd.base = len(dst)
	nf := 0
	for _, s := range st {
		nf += len(s.Proto.Fields)
	}
	if cap(bd.scratch) < 2*nf {
		bd.scratch = make([]int, 2*nf)
	}
	scratch := bd.scratch[:2*nf]
	var err error
	padFrom := -1
	for i, s := range st {
		if s.Proto == Padding && padFrom < 0 {
			padFrom = i
		}
		var next *Spec
		if i+1 < len(st) {
			next = st[i+1]
		}
		n := len(s.Proto.Fields)
		bls[i] = BuildLayer{Spec: s, Start: len(dst), offs: scratch[:n:n], widths: scratch[n : 2*n : 2*n]}
		scratch = scratch[2*n:]
		bl := &bls[i]
		dst, err = encodeSpec(dst, s, next, bl)
		if err != nil {
			return dst, err
		}
		bl.HdrEnd = len(dst)
		if i > 0 {
			bl.Under = &bls[i-1]
			bls[i-1].Over = bl
		}
	}
	end := len(dst)
	if padFrom >= 0 {
		end = bls[padFrom].Start
	}
	for i := range bls {
		bl := &bls[i]
		bl.Buf = dst
		if padFrom >= 0 && i >= padFrom {
			bl.End = bl.HdrEnd
		} else {
			bl.End = end
		}
	}
	return dst, nil
}

// Auto computes the auto fields (lengths, checksums) the user left unset
// of the stack last encoded, innermost layer first, over buf, which holds
// the encoded bytes (or a copy of them, patched) at buf[start:].
func (bd *Builder) Auto(buf []byte, start int) {
	bls := bd.bls
	if d := start - bd.base; d != 0 {
		for i := range bls {
			bls[i].Start += d
			bls[i].HdrEnd += d
			bls[i].End += d
		}
		bd.base = start
	}
	for i := range bls {
		bls[i].Buf = buf
	}
	for i := len(bls) - 1; i >= 0; i-- {
		if f := bls[i].Spec.Proto.Auto; f != nil {
			f(&bls[i])
		}
	}
}

// Patch writes v as field fi of layer li of the stack last encoded into
// buf, which holds the encoded bytes (or a copy) at buf[start:]. Only
// fixed-width fields (integers and addresses) can be patched: other values
// change the layout and need Encode.
func (bd *Builder) Patch(buf []byte, start, li, fi int, v Value) error {
	bl := &bd.bls[li]
	f := bl.Spec.Proto.Fields[fi]
	off := (start+bl.Start-bd.base)*8 + bl.offs[fi]
	w := bl.widths[fi]
	switch f.Type {
	case Uint, Int:
		putBits(buf, off, w, v.U, f.Little)
		return nil
	case MAC, IPv4, IPv6:
		if len(v.B)*8 != w || off%8 != 0 {
			return fmt.Errorf("%s.%s: need %d bytes, have %d", f.proto.Name, f.Name, w/8, len(v.B))
		}
		copy(buf[off/8:], v.B)
		return nil
	}
	return fmt.Errorf("%s.%s: a %s field cannot be patched", f.proto.Name, f.Name, f.Type)
}

// Bytes builds the stack into a new slice.
func (st Stack) Bytes() ([]byte, error) { return st.Build(nil) }

func encodeSpec(dst []byte, s *Spec, next *Spec, bl *BuildLayer) ([]byte, error) {
	p := s.Proto
	base := len(dst) * 8
	bit := 0 // bits written past base
	if bl.offs == nil {
		bl.offs = make([]int, len(p.Fields))
		bl.widths = make([]int, len(p.Fields))
	}
	var fbs []fieldBind
	if next != nil {
		fbs = p.buildBinds[next.Proto]
	}
	first := 0
	if p.nStatic > 0 {
		last := p.Fields[p.nStatic-1]
		if end := last.bitOff + last.fixedBits(); end%8 == 0 {
			// The fields at static offsets: extend once, write in place.
			var err error
			if dst, err = encodeStatic(dst, s, fbs, bl, end/8); err != nil {
				return dst, err
			}
			first, bit = p.nStatic, end
		}
	}
	for i := first; i < len(p.Fields); i++ {
		f := p.Fields[i]
		v := s.Vals[i]
		if !s.set[i] {
			for _, fb := range fbs {
				if fb.index == i {
					v.U = fb.value
					break
				}
			}
		}
		if !s.set[i] && f.Auto {
			v = Value{}
		}
		if !s.set[i] && f.BuildDefault != nil {
			v.B = f.BuildDefault(s)
		}
		bl.offs[i] = bit
		switch f.Type {
		case Uint, Int:
			need := (base + bit + f.Bits + 7) / 8
			for len(dst) < need {
				dst = append(dst, 0)
			}
			putBits(dst, base+bit, f.Bits, v.U, f.Little)
			bl.widths[i] = f.Bits
			bit += f.Bits
			continue
		}
		if bit%8 != 0 {
			return dst, fmt.Errorf("%s.%s: not byte aligned", p.Name, f.Name)
		}
		before := len(dst)
		switch f.Type {
		case MAC, IPv4, IPv6:
			n := f.fixedBits() / 8
			b := v.B
			if len(b) != n {
				if b != nil {
					return dst, fmt.Errorf("%s.%s: need %d bytes, have %d", p.Name, f.Name, n, len(b))
				}
				b = make([]byte, n)
			}
			dst = append(dst, b...)
		case Bytes, String, Custom:
			if f.Size > 0 && len(v.B) != f.Size {
				b := make([]byte, f.Size)
				copy(b, v.B)
				dst = append(dst, b...)
			} else {
				dst = append(dst, v.B...)
			}
		case List:
			if len(v.List) == 0 && !s.set[i] {
				// Unset: the default bytes, if the table gives any (a
				// list that must not be empty).
				dst = append(dst, f.DefaultBytes...)
			}
			for _, e := range v.List {
				var err error
				dst, err = Stack{e}.Build(dst)
				if err != nil {
					return dst, err
				}
			}
		}
		bl.widths[i] = (len(dst) - before) * 8
		bit += (len(dst) - before) * 8
	}
	if bit%8 != 0 {
		return dst, fmt.Errorf("%s: header does not end on a byte boundary", p.Name)
	}
	return dst, nil
}

var zeros [256]byte

// encodeStatic encodes the fields of s at static offsets, n bytes in all.
func encodeStatic(dst []byte, s *Spec, fbs []fieldBind, bl *BuildLayer, n int) ([]byte, error) {
	p := s.Proto
	start := len(dst)
	for n > 0 {
		k := min(n, len(zeros))
		dst = append(dst, zeros[:k]...)
		n -= k
	}
	for i, f := range p.Fields[:p.nStatic] {
		v := &s.Vals[i]
		set := s.set[i]
		bl.offs[i] = f.bitOff
		w := f.fixedBits()
		bl.widths[i] = w
		switch f.Type {
		case Uint, Int:
			u := v.U
			if !set {
				for _, fb := range fbs {
					if fb.index == i {
						u = fb.value
						break
					}
				}
				if f.Auto {
					u = 0
				}
			}
			putBits(dst, start*8+f.bitOff, w, u, f.Little)
			continue
		}
		b := v.B
		if !set && f.BuildDefault != nil {
			b = f.BuildDefault(s)
		} else if !set && f.Auto {
			b = nil
		}
		if f.Type != Bytes && f.Type != String && b != nil && len(b)*8 != w {
			return dst, fmt.Errorf("%s.%s: need %d bytes, have %d", p.Name, f.Name, w/8, len(b))
		}
		copy(dst[start+f.bitOff/8:start+(f.bitOff+w)/8], b)
	}
	return dst, nil
}

func putBits(d []byte, off, w int, u uint64, little bool) {
	if w < 64 {
		u &= 1<<w - 1
	}
	if off&7 == 0 && !little {
		i := off >> 3
		switch w {
		case 8:
			d[i] = byte(u)
			return
		case 16:
			_ = d[i+1]
			d[i], d[i+1] = byte(u>>8), byte(u)
			return
		case 32:
			binary.BigEndian.PutUint32(d[i:i+4], uint32(u))
			return
		}
	}
	if off&7 == 0 && w&7 == 0 {
		b := d[off/8 : off/8+w/8]
		if little {
			for i := range b {
				b[i] = byte(u >> (8 * i))
			}
		} else {
			for i := len(b) - 1; i >= 0; i-- {
				b[i] = byte(u)
				u >>= 8
			}
		}
		return
	}
	if !little && w <= 56 {
		// Read-modify-write the bytes the field spans, at most 8.
		first, last := off>>3, (off+w-1)>>3
		if first == last {
			shift := uint(8 - off&7 - w)
			mask := byte(1<<w-1) << shift
			d[first] = d[first]&^mask | byte(u)<<shift&mask
			return
		}
		var acc uint64
		for i := first; i <= last; i++ {
			acc = acc<<8 | uint64(d[i])
		}
		shift := uint((last-first+1)*8 - (off & 7) - w)
		mask := (uint64(1)<<w - 1) << shift
		acc = acc&^mask | u<<shift&mask
		for i := last; i >= first; i-- {
			d[i] = byte(acc)
			acc >>= 8
		}
		return
	}
	for i := w - 1; i >= 0; i-- {
		bit := off + (w - 1 - i)
		mask := byte(1) << (7 - bit&7)
		if u>>i&1 != 0 {
			d[bit>>3] |= mask
		} else {
			d[bit>>3] &^= mask
		}
	}
}

// ErrMalformed is returned when a malformed packet is asked to rebuild.
var ErrMalformed = errors.New("packet has a truncated or malformed layer")

// Specs returns the packet's layers as specs with every field set from its
// dissected value, so that Build re-encodes them through the tables.
func (p *Packet) Specs() (Stack, error) {
	ls := p.Layers()
	st := make(Stack, 0, len(ls))
	for i := range ls {
		if ls[i].quoted && ls[i].errKind == errTruncated {
			// A quote cut short rebuilds as the bytes it holds.
			s := NewSpec(Raw)
			s.SetField(Raw.Fields[0], Value{B: append([]byte(nil), ls[i].Data...)})
			st = append(st, s)
			continue
		}
		if ls[i].errKind != 0 {
			return nil, ls[i].Err()
		}
		s, err := ls[i].Spec()
		if err != nil {
			return nil, err
		}
		st = append(st, s)
	}
	return st, nil
}

// Spec returns the layer's header as a spec with every field set from the
// dissected values (list elements included).
func (l *Layer) Spec() (*Spec, error) {
	s := &Spec{Proto: l.Proto, Vals: make([]Value, len(l.Proto.Fields)), set: make([]bool, len(l.Proto.Fields))}
	for i, f := range l.Proto.Fields {
		s.set[i] = true
		if f.Type == List {
			it := l.Elems(f)
			for it.Next() {
				e, err := it.Layer().Spec()
				if err != nil {
					return nil, err
				}
				s.Vals[i].List = append(s.Vals[i].List, e)
			}
			if err := it.Err(); err != nil {
				return nil, err
			}
			continue
		}
		v, ok := l.Get(f)
		if !ok {
			return nil, fmt.Errorf("%s.%s: not present", l.Proto.Name, f.Name)
		}
		if v.B != nil {
			v.B = append([]byte(nil), v.B...)
		}
		s.Vals[i] = v
	}
	return s, nil
}
