package packet

import "fmt"

// Packet is a captured frame's bytes plus a lazily built layer index. The
// index is computed on first use and holds views into Data: nothing is
// copied. A Packet can be reused for the next frame with Reset, which keeps
// dissection free of allocations.
type Packet struct {
	Data      []byte
	LinkType  uint32 // capture link type (LINKTYPE_ value)
	Number    int    // 1-based frame number
	Timestamp int64  // nanoseconds since the Unix epoch
	OrigLen   int    // length on the wire
	// FirstTime and PrevTime are the timestamps of the file's first packet
	// and of the packet captured just before this one (this packet's own
	// for the first), for frame.time_relative and frame.time_delta. The
	// walker sets them (SetTimes); they are zero after Reset.
	FirstTime, PrevTime int64

	layers  []Layer
	arr     [16]Layer
	bounds  [8]int
	indexed bool
	cut     bool   // the index stopped early for the reader's needs
	needs   *Needs // what the index was built for (nil: everything)
	// wanted accumulates the needs readers asked for (kept across Reset;
	// nil until the first); lastNeeds is the last one seen, to skip the
	// check when it repeats.
	wanted, lastNeeds *Needs
	frame             Layer // the frame pseudo-layer handed to frame.* fields
	// measuring holds list elements while they are measured, one slot per
	// level of nesting (see measureElem), so that element iterators never
	// have to live on the heap.
	measuring [6]Layer
	mdepth    int

	linkFor   uint32 // link type whose first protocol is cached in linkProto
	linkProto *Protocol

	notes [maxAnalyses]any // analyses' results (SetNote)
	noted bool             // some note is set

	// Parallel workers each dissect into a Packet of their own, allocated
	// one after the other: the padding keeps this one's last fields out of
	// the cache line the next one's first fields share, which every packet
	// writes.
	_ [64]byte
}

// New returns a packet over data (not copied) for a capture link type.
func New(data []byte, link uint32) *Packet {
	p := &Packet{}
	p.Reset(data, link)
	return p
}

// LinkTypeNone is the link type of packets made by NewFrom, whose first
// protocol is given rather than derived from a capture link type.
const LinkTypeNone = 0xffffffff

// NewFrom returns a packet over data (not copied) whose first layer is of
// protocol first (Scapy's Cls(bytes)): for bytes without a link type, such
// as a crafted TCP segment.
func NewFrom(data []byte, first *Protocol) *Packet {
	p := &Packet{}
	p.Reset(data, LinkTypeNone)
	p.linkFor, p.linkProto = LinkTypeNone, first
	return p
}

// Reset points p at a new frame, dropping the previous index.
func (p *Packet) Reset(data []byte, link uint32) {
	p.Data = data
	p.LinkType = link
	p.Number = 0
	p.Timestamp = 0
	p.OrigLen = len(data)
	p.FirstTime, p.PrevTime = 0, 0
	p.indexed = false
	p.cut = false
	p.layers = p.arr[:0]
	p.mdepth = 0
	if p.noted {
		p.notes, p.noted = [maxAnalyses]any{}, false
	}
}

// SetFrame points p at a new frame with its capture metadata.
func (p *Packet) SetFrame(data []byte, link uint32, number int, ts int64, origLen int) {
	p.Reset(data, link)
	p.Number = number
	p.Timestamp = ts
	p.OrigLen = origLen
}

// SetTimes sets the first and previous packets' timestamps (see
// FirstTime) after SetFrame.
func (p *Packet) SetTimes(first, prev int64) { p.FirstTime, p.PrevTime = first, prev }

// Layers returns the packet's layers, outermost first.
func (p *Packet) Layers() []Layer {
	if !p.indexed || p.cut {
		p.index(nil)
	}
	return p.layers
}

// LayersFor is Layers for a reader that needs only some protocols (see
// [NeedsFor]): the index may stop in front of a terminal protocol (one that
// carries nothing further, such as DNS) that the reader does not need, and
// leave out padding it does not need. Every layer that can hold a needed
// field is there. A later call of Layers completes the index.
//
// A packet remembers, across Reset, the needs its readers have asked for
// and indexes for all of them at once: when a filter and then a column
// list read each packet, the second finds what it needs in the index the
// first built.
func (p *Packet) LayersFor(n *Needs) []Layer {
	if n == nil {
		return p.Layers()
	}
	if n != p.lastNeeds {
		if p.wanted == nil {
			p.wanted = n
		} else if !p.wanted.includes(n) {
			p.wanted = p.wanted.union(n)
		}
		p.lastNeeds = n
	}
	if !p.indexed || (p.cut && !p.needs.includes(n)) {
		p.index(p.wanted)
	}
	return p.layers
}

// layersWith returns the layers for reading field r: the index as it is if
// it was cut short for needs that include r's protocols, else the whole
// index.
func (p *Packet) layersWith(r *FieldRef) []Layer {
	if p.indexed && p.cut && p.needs.covers(r) {
		return p.layers
	}
	return p.Layers()
}

// Needs is the set of protocols a reader of packets needs, for
// [Packet.LayersFor].
type Needs struct {
	want []uint64 // bit set of protocol IDs
}

// NeedsFor returns the protocols that fields need: the fields' own
// protocols, the ones whose list elements hold them, and, where a field
// belongs to the frame, all of them (nil: frame.protocols names every
// layer).
//
// Protocols given after the fields are needed as layers of their own (a
// filter testing for "tcp").
func NeedsFor(refs []*FieldRef, protos ...*Protocol) *Needs {
	n := &Needs{want: make([]uint64, (NumProtocols()+63)/64)}
	add := func(p *Protocol) {
		if id := p.ID(); id/64 < len(n.want) {
			n.want[id/64] |= 1 << (id % 64)
		}
	}
	for _, r := range refs {
		if r.Proto == Frame && r.Virtual != nil && r.Virtual.WS == "frame.protocols" {
			return nil
		}
		for _, p := range r.Protocols() {
			add(p)
		}
		for _, p := range r.containers() {
			add(p)
		}
	}
	for _, p := range protos {
		add(p)
	}
	return n
}

// union returns the needs of both n and o (neither nil).
func (n *Needs) union(o *Needs) *Needs {
	u := &Needs{want: make([]uint64, max(len(n.want), len(o.want)))}
	copy(u.want, n.want)
	for i, w := range o.want {
		u.want[i] |= w
	}
	return u
}

// includes reports whether everything o needs is needed by n too (nil
// needs everything).
func (n *Needs) includes(o *Needs) bool {
	if n == nil {
		return true
	}
	if o == nil {
		return false
	}
	for i, w := range o.want {
		if i >= len(n.want) || w&^n.want[i] != 0 {
			return false
		}
	}
	return true
}

// covers reports whether every protocol that can hold r is needed.
func (n *Needs) covers(r *FieldRef) bool {
	if n == nil {
		return false
	}
	if !n.has(r.Proto) {
		return false
	}
	for _, a := range r.alts {
		if !n.has(a.Proto) {
			return false
		}
	}
	for _, p := range r.containers() {
		if !n.has(p) {
			return false
		}
	}
	return true
}

// has reports whether p is needed.
func (n *Needs) has(p *Protocol) bool {
	id := uint(p.id)
	return id/64 < uint(len(n.want)) && n.want[id/64]&(1<<(id%64)) != 0
}

// stopAt reports whether the index may stop in front of a layer of p.
func (n *Needs) stopAt(p *Protocol) bool {
	return n != nil && p.Terminal && !n.has(p) && !n.has(Raw)
}

// Layer returns the first layer of protocol proto, or nil.
func (p *Packet) Layer(proto *Protocol) *Layer {
	ls := p.Layers()
	for i := range ls {
		if ls[i].Proto == proto {
			return &ls[i]
		}
	}
	return nil
}

// Err returns the first layer error of the packet (truncated or malformed
// layer), or nil. A quoted layer cut short (see [Layer.Quoted]) is expected
// and not an error of the packet.
func (p *Packet) Err() error {
	ls := p.Layers()
	for i := range ls {
		if ls[i].counts() {
			return ls[i].Err()
		}
	}
	return nil
}

// Malformed reports whether some layer is truncated or malformed, without
// allocating. A quoted layer cut short does not count.
func (p *Packet) Malformed() bool {
	ls := p.Layers()
	for i := range ls {
		if ls[i].counts() {
			return true
		}
	}
	return false
}

// counts reports whether the layer's problem is one of the packet's: any
// problem except the truncation of a quoted layer.
func (l *Layer) counts() bool {
	return l.errKind != 0 && !(l.quoted && l.errKind == errTruncated)
}

// Raw is the layer for bytes no protocol claims.
var Raw = Register(&Protocol{
	Name: "Raw", Abbrev: "data", Long: "Data", Terminal: true,
	Fields: []*Field{{Name: "load", WS: "data.data", Type: Bytes, Len: func(*Layer) int { return Rest }}},
	Virtual: []*Virtual{{WS: "data.len", Type: Uint, Bits: 32, Get: func(l *Layer) (Value, bool) {
		return Value{U: uint64(len(l.Data))}, true
	}}},
})

// Padding is the layer for bytes past a protocol's length (an Ethernet
// trailer).
var Padding = Register(&Protocol{
	Name: "Padding", Abbrev: "eth.padding", Long: "Padding",
	Fields: []*Field{{Name: "load", Type: Bytes, Len: func(*Layer) int { return Rest }}},
})

const maxLayers = 64

func (p *Packet) index(needs *Needs) {
	p.indexed, p.cut, p.needs = true, false, needs
	p.layers = p.arr[:0]
	data := p.Data
	proto := p.linkProto
	if p.linkFor != p.LinkType || proto == nil {
		proto = linkTypes[p.LinkType]
		p.linkFor, p.linkProto = p.LinkType, proto
	}
	if proto == nil {
		if fn := linkFuncs[p.LinkType]; fn != nil {
			if proto = fn(data); proto == nil {
				proto = Raw
			}
		}
	}
	if proto == nil {
		p.layers = append(p.layers, Layer{Proto: Raw, Data: data, HdrLen: len(data), pkt: p,
			errKind: errUnsupported, errMsg: "unsupported link type"})
		return
	}
	off, end, nb := 0, len(data), 0
	rep := max(p.OrigLen, len(data)) // end of the data as length fields report it
	quoted := false                  // a layer below quotes the rest
	partial := false                 // a layer below carries only a fragment of the rest
	for proto != nil && off < end && len(p.layers) < maxLayers {
		if proto.Dispatch != nil {
			if q := proto.Dispatch(data[off:end]); q != nil {
				proto = q
			}
		}
		if proto.Terminal && needs.stopAt(proto) {
			p.cut = true
			break
		}
		// Fill the slot in place: the error fields are read only when
		// errKind is set, and setErr sets them all.
		n := len(p.layers)
		if n == cap(p.layers) {
			p.layers = append(p.layers, Layer{})
		} else {
			p.layers = p.layers[:n+1]
		}
		l := &p.layers[n]
		l.Proto, l.Data, l.Off, l.Reported, l.pkt, l.quoted = proto, data[off:end], off, rep-off, p, quoted
		l.HdrLen, l.Index, l.Top, l.errKind, l.partial = 0, n, n, 0, partial
		quoted = quoted || proto.Quotes
		hl := l.measure()
		l.HdrLen = hl
		if l.errKind != 0 {
			if l.quoted && l.errKind == errTruncated {
				break // an expected end: the bytes past a bound below still follow as Padding
			}
			return
		}
		if proto.Bound != nil {
			if b := proto.Bound(l); b >= 0 {
				// A length field of its own: what it bounds is whole
				// again, even inside a fragment.
				partial = false
				if b < hl {
					l.setErr(errMalformed, hl, "length field is shorter than the header", b, hl)
					return
				}
				if off+b < rep {
					rep = off + b
					l.Reported = b
				}
				if off+b < end {
					if nb < len(p.bounds) {
						p.bounds[nb] = end
						nb++
					}
					end = off + b
					l.Data = data[off:end]
				}
			}
		}
		if proto.Check != nil {
			if r := proto.Check(l); r != "" {
				l.setErr(errMalformed, 0, r, 0, 0)
				return
			}
		}
		if proto.Partial != nil {
			// The innermost network header decides: a complete IP
			// packet tunnelled in a fragment describes its own payload.
			partial = proto.Partial(l)
		}
		off += hl
		if off >= end {
			break
		}
		next := l.next()
		if next == nil {
			next = Raw
		}
		proto = next
	}
	if proto != nil && off < end && len(p.layers) >= maxLayers {
		// Too deep to be real: keep the rest as data, marked.
		p.layers = append(p.layers, Layer{Proto: Raw, Data: data[off:end], Off: off, HdrLen: end - off, pkt: p,
			Index: len(p.layers), Top: len(p.layers), errKind: errMalformed, errMsg: "more than 64 layers", errOff: off})
	}
	if needs != nil && !needs.has(Padding) {
		if nb > 0 {
			p.cut = true
		}
		nb = 0
	}
	for nb > 0 {
		nb--
		e := p.bounds[nb]
		if e > end && len(p.layers) < maxLayers {
			p.layers = append(p.layers, Layer{Proto: Padding, Data: data[end:e], Off: end, HdrLen: e - end, pkt: p, Index: len(p.layers)})
			p.layers[len(p.layers)-1].Top = len(p.layers) - 1
		}
		end = e
	}
}

func (l *Layer) next() *Protocol {
	p := l.Proto
	var q *Protocol
	if p.Next != nil {
		q = p.Next(l)
	} else {
		q = l.NextByKeys()
	}
	if q == nil && len(p.heur) > 0 {
		pay := l.Payload()
		for _, h := range p.heur {
			if q = h.Guess(l, pay); q != nil {
				break
			}
		}
	}
	return q
}

// NextByKeys applies the default payload choice (bindings on p.Keys, then
// heuristics); custom Next functions call it for their ordinary case.
func (l *Layer) NextByKeys() *Protocol {
	p := l.Proto
	d := l.Data
	for i, o := range p.key16 {
		var u uint64
		if o >= 0 && o+2 <= len(d) {
			u = uint64(d[o])<<8 | uint64(d[o+1])
		} else if f := p.keyFields[i]; o < 0 {
			if _, _, ok := l.fieldPos(f); !ok {
				continue
			}
			u = l.Uint(f)
		} else {
			continue
		}
		if q := p.bindings.get(bindKey{p.keyIDs[i], u}); q != nil {
			return q
		}
	}
	return nil
}

// Layer is a view of one protocol layer of a packet (or one element of a
// list field, such as a TCP option). Field values are decoded on demand.
type Layer struct {
	Proto  *Protocol
	Data   []byte // from the layer's first byte to its end (header and payload)
	Off    int    // offset of the layer in the packet
	HdrLen int    // header length (the whole element for list elements)
	// Reported is the layer's length as the packet's length fields and
	// original frame length say, which exceeds len(Data) when the capture
	// was cut short by its snap length.
	Reported int
	Index    int // position among the packet's layers (-1 for elements)
	Top      int // index of the top-level layer this view lies in

	pkt     *Packet
	quoted  bool
	partial bool
	errKind uint8
	errOff  int
	errMsg  string
	need    int
	have    int
}

const (
	errTruncated = iota + 1
	errMalformed
	errUnsupported
)

// LayerError describes a truncated or malformed layer.
type LayerError struct {
	Proto     string
	Offset    int // byte offset in the packet where the problem starts
	Truncated bool
	Reason    string
}

// Error describes the problem: "truncated TCP at byte 34: header: need 20 bytes, have 16".
func (e *LayerError) Error() string {
	kind := "malformed"
	if e.Truncated {
		kind = "truncated"
	}
	return fmt.Sprintf("%s %s at byte %d: %s", kind, e.Proto, e.Offset, e.Reason)
}

func (l *Layer) setErr(kind uint8, relOff int, msg string, need, have int) {
	if l.errKind != 0 {
		return
	}
	l.errKind = kind
	l.errOff = l.Off + relOff
	l.errMsg = msg
	l.need, l.have = need, have
}

// Err returns the layer's problem, or nil.
func (l *Layer) Err() error {
	if l.errKind == 0 {
		return nil
	}
	reason := l.errMsg
	if l.errKind == errUnsupported && l.pkt != nil {
		reason += " " + linkTypeName(l.pkt.LinkType)
	}
	if l.errKind == errTruncated {
		reason = fmt.Sprintf("%s: need %d bytes, have %d", l.errMsg, l.need, l.have)
	}
	return &LayerError{Proto: l.Proto.Name, Offset: l.errOff, Truncated: l.errKind == errTruncated, Reason: reason}
}

// Truncated reports whether the layer's header was cut short by the capture.
func (l *Layer) Truncated() bool { return l.errKind == errTruncated }

// Malformed reports whether the layer is truncated or malformed.
func (l *Layer) Malformed() bool { return l.errKind != 0 }

// Quoted reports whether the layer lies in a quoted copy of another
// packet's start, above a layer whose protocol Quotes (the IP header and
// transport header an ICMP error carries). Tables use it to show only what
// the quote holds, as Wireshark does in error packets.
func (l *Layer) Quoted() bool { return l.quoted }

// Partial reports whether the layer lies in a fragment of a larger datagram
// (above an IPv4 first fragment, say): its length fields describe the whole,
// not what is here, so Wireshark omits what it would compute from them.
func (l *Layer) Partial() bool { return l.partial }

// Packet returns the packet the layer belongs to.
func (l *Layer) Packet() *Packet { return l.pkt }

// Header returns the layer's header bytes.
func (l *Layer) Header() []byte { return l.Data[:min(l.HdrLen, len(l.Data))] }

// Payload returns the bytes after the header, within the layer's bounds.
func (l *Layer) Payload() []byte {
	if l.HdrLen >= len(l.Data) {
		return nil
	}
	return l.Data[l.HdrLen:]
}

// Parent returns the layer below this one (nil for the first layer).
func (l *Layer) Parent() *Layer {
	if l.pkt == nil || l.Top <= 0 {
		return nil
	}
	return &l.pkt.layers[l.Top-1]
}

// Container returns the top-level layer that holds this element (itself for
// a top-level layer).
func (l *Layer) Container() *Layer {
	if l.pkt == nil || l.Top < 0 || l.Top >= len(l.pkt.layers) {
		return l
	}
	return &l.pkt.layers[l.Top]
}

// measure computes the header length by walking the table; it marks the
// layer truncated or malformed as needed and returns how many bytes the
// header takes (never more than len(l.Data)).
func (l *Layer) measure() int {
	p := l.Proto
	n := len(l.Data)
	if n < p.staticLen {
		l.setErr(errTruncated, 0, p.Name+" header", p.staticLen, n)
		return n
	}
	if p.nStatic == len(p.Fields) {
		return p.staticLen
	}
	if p.tail != nil {
		// The common shape, a fixed header and options: one Len call.
		// Anything unusual takes the general walk below, which reports it.
		if w := p.tail.Len(l); w == Rest {
			return n
		} else if w >= 0 && w <= n-p.staticLen {
			return p.staticLen + w
		}
	}
	pos := p.staticLen * 8
	for i := p.nStatic; i < len(p.Fields); i++ {
		f := p.Fields[i]
		w := l.fieldBits(f, pos)
		if w < 0 {
			if w == sizeTruncated {
				l.setErr(errTruncated, pos/8, p.Name+" field "+f.Name, l.need, n-pos/8)
				return n
			}
			l.setErr(errMalformed, pos/8, p.Name+" field "+f.Name+" has an invalid length", 0, 0)
			return n
		}
		if pos+w > n*8 {
			l.setErr(errTruncated, pos/8, p.Name+" field "+f.Name, (pos+w+7)/8-pos/8, n-pos/8)
			return n
		}
		pos += w
	}
	return (pos + 7) / 8
}

const (
	sizeMalformed = -1
	sizeTruncated = -2
)

// fieldBits returns the width of f placed at bit position pos.
func (l *Layer) fieldBits(f *Field, pos int) int {
	if w := f.fixedBits(); w >= 0 {
		return w
	}
	start := pos / 8
	rem := len(l.Data) - start
	switch f.Type {
	case Bytes, String:
		n := f.Len(l)
		if n == Rest {
			return rem * 8
		}
		if n < 0 {
			return sizeMalformed
		}
		return n * 8
	case Custom:
		if rem < 0 {
			return sizeTruncated
		}
		n := f.Codec.Size(l, l.Data[start:])
		if n < 0 {
			return sizeMalformed
		}
		return n * 8
	case List:
		if f.Len != nil {
			n := f.Len(l)
			if n == Rest {
				return rem * 8
			}
			if n < 0 {
				return sizeMalformed
			}
			return n * 8
		}
		cnt := f.Count(l)
		if cnt < 0 {
			return sizeMalformed
		}
		it := l.elemIter(f, start, len(l.Data), cnt)
		for it.Next() {
		}
		if it.err != 0 {
			if it.err == errTruncated {
				l.need = it.cur.need
				return sizeTruncated
			}
			return sizeMalformed
		}
		return (it.pos - start) * 8
	}
	return sizeMalformed
}

// fieldPos returns the bit offset and width of f in this layer, or ok=false
// if the field lies (even partly) beyond the captured bytes.
func (l *Layer) fieldPos(f *Field) (off, width int, ok bool) {
	if f.bitOff >= 0 {
		off, width = f.bitOff, f.fixedBits()
	} else {
		if len(l.Data) < l.Proto.staticLen {
			// A layer cut short in its fixed part: Len rules may not run.
			return 0, 0, false
		}
		pos := l.Proto.staticLen * 8
		for i := l.Proto.nStatic; ; i++ {
			g := l.Proto.Fields[i]
			w := l.fieldBits(g, pos)
			if w < 0 {
				return 0, 0, false
			}
			if g == f {
				off, width = pos, w
				break
			}
			pos += w
		}
	}
	if off+width > len(l.Data)*8 {
		return 0, 0, false
	}
	return off, width, true
}

// Get returns the field's value; ok is false if the field is not present
// (the layer is cut short before it).
func (l *Layer) Get(f *Field) (v Value, ok bool) {
	off, w, ok := l.fieldPos(f)
	if !ok {
		return Value{}, false
	}
	switch f.Type {
	case Uint, Int:
		u := readBits(l.Data, off, w, f.Little)
		if f.Type == Int && w < 64 && u&(1<<(w-1)) != 0 {
			u |= ^uint64(0) << w
		}
		return Value{U: u}, true
	default:
		return Value{B: l.Data[off/8 : (off+w)/8]}, true
	}
}

// Uint returns an integer field's value (0 if absent).
func (l *Layer) Uint(f *Field) uint64 {
	if f.bitOff >= 0 && f.bitOff&7 == 0 && (f.Bits == 8 || f.Bits == 16 || f.Bits == 32) && !f.Little {
		i := f.bitOff >> 3
		d := l.Data
		switch f.Bits {
		case 8:
			if i < len(d) {
				return uint64(d[i])
			}
		case 16:
			if i+1 < len(d) {
				return uint64(d[i])<<8 | uint64(d[i+1])
			}
		case 32:
			if i+3 < len(d) {
				return uint64(d[i])<<24 | uint64(d[i+1])<<16 | uint64(d[i+2])<<8 | uint64(d[i+3])
			}
		}
		return 0
	}
	v, _ := l.Get(f)
	return v.U
}

// Bytes returns a byte field's value (a view; nil if absent).
func (l *Layer) Bytes(f *Field) []byte {
	v, _ := l.Get(f)
	return v.B
}

// Value returns the named field's value (Scapy name).
func (l *Layer) Value(name string) (Value, bool) {
	f := l.Proto.byName[name]
	if f == nil {
		return Value{}, false
	}
	return l.Get(f)
}

func readBits(d []byte, off, w int, little bool) uint64 {
	if off&7 == 0 && w&7 == 0 {
		b := d[off/8 : off/8+w/8]
		var u uint64
		if little {
			for i := len(b) - 1; i >= 0; i-- {
				u = u<<8 | uint64(b[i])
			}
		} else {
			for _, c := range b {
				u = u<<8 | uint64(c)
			}
		}
		return u
	}
	var u uint64
	for i := 0; i < w; i++ {
		bit := off + i
		u = u<<1 | uint64(d[bit>>3]>>(7-bit&7)&1)
	}
	return u
}

// Elems iterates over the elements of a list field.
func (l *Layer) Elems(f *Field) ElemIter {
	off, w, ok := l.fieldPos(f)
	if !ok {
		// Iterate over whatever part of the list was captured.
		off2, ok2 := l.fieldStart(f)
		if !ok2 {
			return ElemIter{done: true}
		}
		cnt := -1
		if f.Count != nil {
			cnt = f.Count(l)
		}
		if f.bitOff >= 0 && len(l.Data) < l.Proto.staticLen && f.Len != nil {
			return ElemIter{done: true} // its length rule would read missing bytes
		}
		return l.elemIter(f, off2/8, len(l.Data), cnt)
	}
	cnt := -1
	if f.Count != nil {
		cnt = f.Count(l)
	}
	return l.elemIter(f, off/8, (off+w)/8, cnt)
}

func (l *Layer) fieldStart(f *Field) (int, bool) {
	if f.bitOff >= 0 {
		return f.bitOff, f.bitOff/8 <= len(l.Data)
	}
	if len(l.Data) < l.Proto.staticLen {
		return 0, false
	}
	pos := l.Proto.staticLen * 8
	for i := l.Proto.nStatic; ; i++ {
		g := l.Proto.Fields[i]
		if g == f {
			return pos, pos/8 <= len(l.Data)
		}
		w := l.fieldBits(g, pos)
		if w < 0 {
			return 0, false
		}
		pos += w
	}
}

func (l *Layer) elemIter(f *Field, start, end, count int) ElemIter {
	if end > len(l.Data) {
		end = len(l.Data)
	}
	return ElemIter{parent: l, f: f, pos: start, end: end, count: count}
}

// ElemIter walks the elements of a list field without allocating.
type ElemIter struct {
	parent *Layer
	f      *Field
	pos    int
	end    int
	count  int // -1: until end
	n      int
	cur    Layer
	err    uint8
	done   bool
}

// Next advances to the next element; it returns false at the end or when an
// element is malformed (see Err).
func (it *ElemIter) Next() bool {
	if it.done || it.err != 0 {
		return false
	}
	if it.count >= 0 && it.n >= it.count {
		it.done = true
		return false
	}
	if it.pos >= it.end {
		if it.count >= 0 && it.n < it.count {
			it.err = errTruncated
			it.cur.need = 1
		}
		it.done = true
		return false
	}
	p := it.f.Elem(it.parent.Data[it.pos:it.end])
	if p == nil {
		it.err = errMalformed
		return false
	}
	l := it.parent
	it.cur = Layer{Proto: p, Data: l.Data[it.pos:it.end], Off: l.Off + it.pos, Index: -1, Top: l.Top, pkt: l.pkt, quoted: l.quoted}
	hl := it.cur.measureElem()
	if it.cur.errKind != 0 {
		it.err = it.cur.errKind
		return false
	}
	if hl == 0 {
		it.err = errMalformed
		return false
	}
	it.cur.HdrLen = hl
	it.cur.Data = it.cur.Data[:hl]
	it.pos += hl
	it.n++
	return true
}

// Layer returns the current element.
func (it *ElemIter) Layer() *Layer { return &it.cur }

// measureElem measures a list element held in an iterator. The table's
// hooks receive the layer through function values, which the compiler must
// assume keep it; measuring a copy held in the packet's scratch slots (the
// packet lives on the heap already) lets iterators stay on the stack, so
// walking options and records allocates nothing.
func (l *Layer) measureElem() int {
	s := hold(l)
	hl := s.measure()
	*l = *s
	release(s)
	return hl
}

// hold copies a layer into its packet's scratch slot for the current
// nesting depth and returns the copy, to hand to code that may keep it
// (hooks, recursion). Every hold is followed by a release, innermost first.
// Without a packet, or nested deeper than the slots go, the copy is
// allocated.
func hold(l *Layer) *Layer {
	pk := l.pkt
	if pk == nil || pk.mdepth >= len(pk.measuring) {
		c := new(Layer)
		*c = *l
		return c
	}
	s := &pk.measuring[pk.mdepth]
	pk.mdepth++
	*s = *l
	return s
}

// release ends the innermost hold.
func release(s *Layer) {
	if pk := s.pkt; pk != nil && pk.mdepth > 0 && s == &pk.measuring[pk.mdepth-1] {
		pk.mdepth--
	}
}

// Err returns the element's problem if iteration stopped on a bad element.
func (it *ElemIter) Err() error {
	if it.err == 0 {
		return nil
	}
	if it.cur.errKind != 0 {
		return it.cur.Err()
	}
	return &LayerError{Proto: it.f.proto.Name, Offset: it.parent.Off + it.pos, Truncated: it.err == errTruncated,
		Reason: "bad element in " + it.f.Name}
}
