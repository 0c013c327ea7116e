package packet

import "sync"

var (
	reachOnce sync.Once
	reach     map[*Protocol]map[*Protocol]bool // proto → element protocols reachable through its lists
)

func computeReach() {
	reach = map[*Protocol]map[*Protocol]bool{}
	var visit func(p *Protocol, seen map[*Protocol]bool) map[*Protocol]bool
	visit = func(p *Protocol, seen map[*Protocol]bool) map[*Protocol]bool {
		if r, ok := reach[p]; ok {
			return r
		}
		r := map[*Protocol]bool{}
		if seen[p] {
			return r
		}
		seen[p] = true
		for _, f := range p.Fields {
			if f.Type != List {
				continue
			}
			for _, e := range f.Elems {
				r[e] = true
				for x := range visit(e, seen) {
					r[x] = true
				}
			}
		}
		reach[p] = r
		return r
	}
	for _, p := range protoList {
		visit(p, map[*Protocol]bool{})
	}
}

func reaches(p, target *Protocol) bool {
	reachOnce.Do(computeReach)
	return reach[p][target]
}

// Occurrences calls fn for every occurrence of the field in the packet, in
// packet order (an ICMP error's quoted IP header is a second occurrence of
// ip.src). fn returns false to stop.
func (p *Packet) Occurrences(r *FieldRef, fn func(l *Layer, v Value) bool) {
	ls := p.layersWith(r)
	for i := range ls {
		if !occurLayer(&ls[i], r, fn) {
			return
		}
	}
}

func (r *FieldRef) matches(p *Protocol) *FieldRef {
	if r.Proto == p {
		return r
	}
	for _, a := range r.alts {
		if a.Proto == p {
			return a
		}
	}
	return nil
}

func (r *FieldRef) reachable(p *Protocol) bool {
	if reaches(p, r.Proto) {
		return true
	}
	for _, a := range r.alts {
		if reaches(p, a.Proto) {
			return true
		}
	}
	return false
}

func occurLayer(l *Layer, r *FieldRef, fn func(l *Layer, v Value) bool) bool {
	if m := r.matches(l.Proto); m != nil {
		if v, ok := m.value(l); ok {
			if !fn(l, v) {
				return false
			}
		}
	}
	if !r.reachable(l.Proto) {
		return true
	}
	for _, f := range l.Proto.Fields {
		if f.Type != List {
			continue
		}
		it := l.Elems(f)
		for it.Next() {
			e := hold(it.Layer())
			ok := occurLayer(e, r, fn)
			release(e)
			if !ok {
				return false
			}
		}
	}
	return true
}

// value reads the referenced field from a layer of its protocol.
func (r *FieldRef) value(l *Layer) (Value, bool) {
	if r.Virtual != nil {
		need := r.Virtual.Need
		if need == 0 {
			need = l.Proto.staticLen
		}
		if len(l.Data) < need {
			return Value{}, false
		}
		return r.Virtual.Get(l)
	}
	v, ok := l.Get(r.Field)
	if !ok {
		return v, false
	}
	if r.Bit > 0 {
		return Value{U: v.U >> (r.Bit - 1) & 1}, true
	}
	return v, true
}

// Value reads the field from a layer that holds it directly (one of
// [FieldRef.Protocols], or the frame pseudo-layer from [Packet.FrameLayer]
// for frame fields); ok is false if the layer does not hold it or is cut
// short before it. Flag sub-fields give 0 or 1; integers are wire values
// (before Field.WSMul).
func (r *FieldRef) Value(l *Layer) (Value, bool) {
	m := r.matches(l.Proto)
	if m == nil {
		return Value{}, false
	}
	return m.value(l)
}

// AppendWS appends one occurrence as tshark prints it.
func (r *FieldRef) AppendWS(dst []byte, l *Layer, v Value) []byte {
	m := r.matches(l.Proto)
	if m == nil {
		m = r
	}
	if m.Virtual != nil {
		return m.Virtual.AppendWS(dst, v)
	}
	if m.Bit > 0 {
		return append(dst, byte('0'+v.U&1))
	}
	return m.Field.AppendWS(dst, l, v)
}

// AppendField appends every occurrence of the field, tshark-formatted and
// joined by sep, to dst. It allocates nothing for fixed-width fields.
func (p *Packet) AppendField(dst []byte, r *FieldRef, sep byte) []byte {
	if r.Proto == Frame {
		if p.frame.pkt != p {
			p.frame = Layer{Proto: Frame, pkt: p, Index: -1}
		}
		v, ok := r.Virtual.Get(&p.frame)
		if !ok {
			return dst
		}
		return r.Virtual.AppendWS(dst, v)
	}
	first := true
	ls := p.layersWith(r)
	cont := r.containers()
	for i := range ls {
		l := &ls[i]
		if m := r.matches(l.Proto); m != nil {
			if v, ok := m.value(l); ok {
				if !first {
					dst = append(dst, sep)
				}
				first = false
				dst = r.AppendWS(dst, l, v)
			}
		}
		if len(cont) == 0 || !containsProto(cont, l.Proto) {
			continue
		}
		for _, f := range l.Proto.Fields {
			if f.Type != List {
				continue
			}
			it := l.Elems(f)
			for it.Next() {
				e := hold(it.Layer())
				occurLayer(e, r, func(l *Layer, v Value) bool {
					if !first {
						dst = append(dst, sep)
					}
					first = false
					dst = r.AppendWS(dst, l, v)
					return true
				})
				release(e)
			}
		}
	}
	return dst
}

func containsProto(ps []*Protocol, p *Protocol) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// containers lists the protocols whose list fields can hold the field's
// protocol (TCP for tcp.options.mss_val).
func (r *FieldRef) containers() []*Protocol {
	r.once.Do(func() {
		regMu.RLock()
		all := append([]*Protocol(nil), protoList...)
		regMu.RUnlock()
		for _, p := range all {
			if r.reachable(p) {
				r.cont = append(r.cont, p)
			}
		}
	})
	return r.cont
}

// Protocols lists the protocol tables that hold this field directly (one,
// or several when variant tables share a Wireshark name).
func (r *FieldRef) Protocols() []*Protocol {
	out := []*Protocol{r.Proto}
	for _, a := range r.alts {
		out = append(out, a.Proto)
	}
	return out
}

// Nested reports whether the field can occur inside list elements of some
// layer (TCP options, DNS records) or is a frame field: such fields are not
// found by looking at the packet's layers alone.
func (r *FieldRef) Nested() bool { return r.Proto == Frame || len(r.containers()) > 0 }

// DirectKind says how a field can be formatted straight from a layer's
// bytes (see [FieldRef.Direct]).
type DirectKind uint8

// The direct kinds: none (the general path), an IPv4 address or a
// big-endian unsigned integer of 8, 16 or 32 bits in decimal at a fixed
// offset, a computed IPv4 address or decimal number (Virtual's Get, when
// the layer holds Need bytes), and frame.number.
const (
	DirectNone DirectKind = iota
	DirectIPv4
	DirectU8
	DirectU16
	DirectU32
	DirectGetIPv4
	DirectGetDec
	DirectFrameNumber
)

// Direct describes a field that a row builder may format without the
// general path, exactly as AppendLayer would: held only by layers of
// Proto, at byte offset Off (a value lies in a layer only if its bytes
// were captured), or computed by Virtual.
type Direct struct {
	Kind    DirectKind
	Proto   *Protocol
	Off     int
	Virtual *Virtual
	Need    int
}

// Direct returns how the field may be formatted directly, or ok=false if
// it needs the general path (several protocols, list elements, flag bits,
// hex or variable-length values, analyses).
func (r *FieldRef) Direct() (d Direct, ok bool) {
	if r.Proto == Frame {
		if r.Virtual != nil && r.Virtual.WS == "frame.number" {
			return Direct{Kind: DirectFrameNumber, Proto: Frame}, true
		}
		return Direct{}, false
	}
	if r.Bit != 0 || len(r.alts) > 0 || r.Nested() {
		return Direct{}, false
	}
	if v := r.Virtual; v != nil {
		need := v.Need
		if need == 0 {
			need = r.Proto.staticLen
		}
		switch {
		case v.Analysis != nil:
		case v.Type == IPv4:
			return Direct{Kind: DirectGetIPv4, Proto: r.Proto, Virtual: v, Need: need}, true
		case v.Type == Uint && v.Base != Hex:
			return Direct{Kind: DirectGetDec, Proto: r.Proto, Virtual: v, Need: need}, true
		}
		return Direct{}, false
	}
	if r.Field.fast == fastNone {
		return Direct{}, false
	}
	return Direct{Kind: r.Field.fast, Proto: r.Proto, Off: r.Field.bitOff >> 3}, true
}

// Append appends the value of the field d describes in layer l (a layer of
// d.Proto), tshark-formatted, if l holds it; ok reports whether it did.
// DirectFrameNumber's value is the packet's Number, not a layer's.
func (d *Direct) Append(dst []byte, l *Layer) ([]byte, bool) {
	b, o := l.Data, d.Off
	switch d.Kind {
	case DirectIPv4:
		if o+4 <= len(b) {
			return appendIPv4(dst, b[o], b[o+1], b[o+2], b[o+3]), true
		}
	case DirectU16:
		if o+2 <= len(b) {
			return appendDec(dst, uint64(b[o])<<8|uint64(b[o+1])), true
		}
	case DirectU8:
		if o < len(b) {
			return appendDec(dst, uint64(b[o])), true
		}
	case DirectU32:
		if o+4 <= len(b) {
			return appendDec(dst, uint64(b[o])<<24|uint64(b[o+1])<<16|uint64(b[o+2])<<8|uint64(b[o+3])), true
		}
	case DirectGetIPv4, DirectGetDec:
		if len(b) < d.Need {
			break
		}
		v, ok := d.Virtual.Get(l)
		if !ok {
			break
		}
		if a := v.B; d.Kind == DirectGetIPv4 && len(a) == 4 {
			return appendIPv4(dst, a[0], a[1], a[2], a[3]), true
		}
		return d.Virtual.AppendWS(dst, v), true
	}
	return dst, false
}

// AppendDec appends u in decimal, as tshark shows integers.
func AppendDec(dst []byte, u uint64) []byte { return appendDec(dst, u) }

// AppendLayer appends the field's value in layer l, tshark-formatted, if l
// holds it; ok reports whether it did.
func (r *FieldRef) AppendLayer(dst []byte, l *Layer) ([]byte, bool) {
	m := r.matches(l.Proto)
	if m == nil {
		return dst, false
	}
	if f := m.Field; f != nil && m.Bit == 0 && f.fast != fastNone {
		// Byte-aligned field at a fixed offset: format straight from the
		// bytes.
		d := Direct{Kind: f.fast, Off: f.bitOff >> 3}
		return d.Append(dst, l)
	}
	if vf := m.Virtual; vf != nil {
		need := vf.Need
		if need == 0 {
			need = l.Proto.staticLen
		}
		if len(l.Data) < need {
			return dst, false
		}
		v, ok := vf.Get(l)
		if !ok {
			return dst, false
		}
		return vf.AppendWS(dst, v), true
	}
	v, ok := m.value(l)
	if !ok {
		return dst, false
	}
	return r.AppendWS(dst, l, v), true
}

// AppendOccurrences appends every occurrence of the field, tshark-formatted,
// to dst back to back, and the end offset in dst of each to ends. It is
// Occurrences without a callback, so it allocates nothing once dst and ends
// have room.
func (p *Packet) AppendOccurrences(dst []byte, ends []int, r *FieldRef) ([]byte, []int) {
	if r.Proto == Frame {
		dst = p.AppendField(dst, r, 0)
		return dst, append(ends, len(dst))
	}
	ls := p.layersWith(r)
	for i := range ls {
		dst, ends = appendOccLayer(dst, ends, &ls[i], r)
	}
	return dst, ends
}

func appendOccLayer(dst []byte, ends []int, l *Layer, r *FieldRef) ([]byte, []int) {
	if m := r.matches(l.Proto); m != nil {
		if v, ok := m.value(l); ok {
			dst = r.AppendWS(dst, l, v)
			ends = append(ends, len(dst))
		}
	}
	if !r.reachable(l.Proto) {
		return dst, ends
	}
	for _, f := range l.Proto.Fields {
		if f.Type != List {
			continue
		}
		it := l.Elems(f)
		for it.Next() {
			e := hold(it.Layer())
			dst, ends = appendOccLayer(dst, ends, e, r)
			release(e)
		}
	}
	return dst, ends
}

// UintLayer returns the field's value in layer l as the integer tshark
// shows (in decimal or hex) for an unsigned field: times WSMul, a flag bit
// as 0 or 1. ok is false if l does not hold the field. For other types the
// result is meaningless.
func (r *FieldRef) UintLayer(l *Layer) (u uint64, ok bool) {
	m := r.matches(l.Proto)
	if m == nil {
		return 0, false
	}
	if f := m.Field; f != nil && m.Bit == 0 && f.fast != fastNone && f.fast != fastIPv4 {
		o := f.bitOff >> 3
		d := l.Data
		switch f.fast {
		case fastU8:
			if o < len(d) {
				return uint64(d[o]), true
			}
		case fastU16:
			if o+2 <= len(d) {
				return uint64(d[o])<<8 | uint64(d[o+1]), true
			}
		case fastU32:
			if o+4 <= len(d) {
				return uint64(d[o])<<24 | uint64(d[o+1])<<16 | uint64(d[o+2])<<8 | uint64(d[o+3]), true
			}
		}
		return 0, false
	}
	v, ok := m.value(l)
	if !ok {
		return 0, false
	}
	if m.Field != nil && m.Bit == 0 && m.Field.WSMul > 1 {
		v.U *= m.Field.WSMul
	}
	return v.U, true
}
