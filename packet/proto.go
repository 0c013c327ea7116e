package packet

import (
	"fmt"
	"math/bits"
	"pktkit/internal/suggest"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Protocol is the one table that declares a protocol: its fields and how it
// chooses its payload, bounds its data, checks its header, fills its auto
// fields and summarises itself. Dissection, building, show(), field
// extraction and `pktkit ls` all work from it.
type Protocol struct {
	Name   string // Scapy class name ("TCP")
	Abbrev string // Wireshark protocol name ("tcp"); empty for sub-elements without one
	Long   string // long name ("Transmission Control Protocol")
	Chain  string // what it adds to frame.protocols ("eth:ethertype"); defaults to Abbrev
	Title  string // name show() prints (Scapy's `name`, "Ethernet"); defaults to Name
	Fields []*Field

	// Dispatch, if set, may replace this protocol by a variant after seeing
	// its bytes (an Ethernet frame whose type is a length is 802.3).
	Dispatch func(b []byte) *Protocol

	// Check returns a reason if the header is malformed (static text).
	Check func(l *Layer) string

	// Bound returns how many bytes from the layer's start belong to it
	// (header and payload), from a length field; negative means "all". Bytes
	// past it become Padding.
	Bound func(l *Layer) int

	// Next picks the payload's protocol; nil means "look up the bindings on
	// the fields named in Keys, in order". Returning nil ends the chain with
	// Raw if payload remains.
	Next func(l *Layer) *Protocol
	// Keys are the fields whose values are looked up in the bindings by the
	// default Next ("type" for Ethernet).
	Keys []string

	// Partial reports whether the layer's payload is only a fragment of
	// the upper datagram (an IPv4 first fragment); layers above it are then
	// Partial, up to the next layer with a Partial hook (an IP header
	// tunnelled in the fragment), which decides for the layers above it.
	Partial func(l *Layer) bool

	// Summary appends a one-line summary (Scapy's mysummary) to dst.
	Summary func(dst []byte, l *Layer) []byte

	// Auto fills the auto fields the user left unset once the layer and its
	// payload are built (lengths, checksums).
	Auto func(b *BuildLayer)

	// Pseudo returns the pseudo-header sum this (network) layer supplies to
	// an upper layer's checksum when building; LayerPseudo does the same for
	// a dissected layer.
	Pseudo      func(b *BuildLayer, proto uint8, length int) uint32
	LayerPseudo func(l *Layer, proto uint8, length int) uint32

	// Virtual are Wireshark fields computed from the layer rather than read
	// from one wire field (tcp.len).
	Virtual []*Virtual

	// Element marks protocols that are list elements (TCP options, DNS
	// records), not layers of their own.
	Element bool

	// Quotes marks a protocol whose payload is a copy of the start of
	// another packet (an ICMP error quotes the offending IP header and 8
	// bytes of its payload). The layers above it are quoted (see
	// [Layer.Quoted]): one cut short there is expected, so it does not make
	// the packet truncated, and it rebuilds as raw bytes.
	Quotes bool

	// Terminal marks a protocol that never carries a layer of its own
	// beyond undissected data (DNS, NTP, DHCP): nothing it contains is a
	// protocol. Any table its Dispatch picks must be terminal too. A reader
	// that wants none of its fields may have the index stop in front of it
	// (see [Packet.LayersFor]).
	Terminal bool

	byName    map[string]*Field
	staticLen int // bytes covered by statically placed fields
	nStatic   int // fields at static offsets
	// tail is the one variable field after a byte-aligned static prefix,
	// when its width comes straight from a Len rule (options after a fixed
	// header): measuring the header is then one call.
	tail      *Field
	id        int
	keyFields []*Field
	keyIDs    []uint32
	key16     []int    // per key: offset of a fixed 16-bit big-endian key, or -1
	bindNames []string // key names bound on this protocol, for BoundTo
	bindIDs   []uint32
	bindings  bindTable
	binds     []Binding
	heur      []Heuristic
	// nameIdx maps nameHash of a field name to 1 + its index (0: none or
	// a collision, left to byName).
	nameIdx [64]uint8
	// buildBinds lists, per upper protocol, the field values building
	// sets on this protocol (the first binding per field wins).
	buildBinds map[*Protocol][]fieldBind
}

// fieldBind is a value a binding gives a field when building.
type fieldBind struct {
	index int
	value uint64
}

// Virtual is a Wireshark field computed from a layer.
type Virtual struct {
	WS     string
	Type   Type
	Bits   int
	Base   Base
	Digits int
	// Need is how many bytes of the layer Get reads; the engine calls Get
	// only when they are there. Zero means the protocol's fixed part.
	Need int
	// Of names the table field this computed field presents (ip.dst for
	// IP's dst), so listings show the Wireshark name on that field.
	Of  string
	Get func(l *Layer) (Value, bool)
	// Analysis, if set, is the analysis whose per-packet result Get reads
	// (Packet.Note): walkers run it over every packet before reading.
	Analysis *Analysis
	proto    *Protocol
}

// WSName returns the Wireshark name of field f of p: its own, or that of a
// computed field that presents it (Virtual.Of).
func (p *Protocol) WSName(f *Field) string {
	if f.WS != "" {
		return f.WS
	}
	for _, v := range p.Virtual {
		if v.Of == f.Name {
			return v.WS
		}
	}
	return ""
}

// Heuristic guesses the payload's protocol from its bytes when no binding
// matches. It returns nil if the bytes are not its protocol.
type Heuristic struct {
	Name  string
	Guess func(l *Layer, payload []byte) *Protocol
}

// bindKey is a binding's key: an interned field name and a value.
type bindKey struct {
	key   uint32
	value uint64
}

// bindTable maps binding keys to protocols. Keys whose value fits in 48
// bits (all real ones: EtherTypes, protocol numbers, ports) are packed into
// one uint64 and kept in a small open-addressing hash table (linear
// probing, at most half full), which answers the common case, a miss on
// an unbound port, in one or two probes without calling a hash function.
type bindTable struct {
	keys  []uint64 // 0 = empty slot (packed keys are never 0: key IDs start at 1)
	vals  []*Protocol
	n     int
	shift uint
	large map[bindKey]*Protocol
}

func (t *bindTable) get(k bindKey) *Protocol {
	if k.value >= 1<<48 {
		return t.large[k]
	}
	if t.n == 0 {
		return nil
	}
	x := uint64(k.key)<<48 | k.value
	mask := len(t.keys) - 1
	for i := int((x * 0x9e3779b97f4a7c15) >> t.shift); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case x:
			return t.vals[i]
		case 0:
			return nil
		}
	}
}

func (t *bindTable) set(k bindKey, p *Protocol) {
	if k.value >= 1<<48 {
		if t.large == nil {
			t.large = map[bindKey]*Protocol{}
		}
		t.large[k] = p
		return
	}
	if 2*(t.n+1) > len(t.keys) {
		t.grow()
	}
	x := uint64(k.key)<<48 | k.value
	mask := len(t.keys) - 1
	for i := int((x * 0x9e3779b97f4a7c15) >> t.shift); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case x:
			t.vals[i] = p
			return
		case 0:
			t.keys[i], t.vals[i] = x, p
			t.n++
			return
		}
	}
}

// grow doubles the table (16 slots at first) and reinserts its entries.
func (t *bindTable) grow() {
	keys, vals := t.keys, t.vals
	size := max(16, 2*len(keys))
	t.keys, t.vals, t.n = make([]uint64, size), make([]*Protocol, size), 0
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
	for i, x := range keys {
		if x != 0 {
			t.set(bindKey{uint32(x >> 48), x & (1<<48 - 1)}, vals[i])
		}
	}
}

// keyIDs interns binding key names so lookups hash no strings.
var keyIDs = map[string]uint32{}

func internKey(s string) uint32 {
	id, ok := keyIDs[s]
	if !ok {
		id = uint32(len(keyIDs) + 1)
		keyIDs[s] = id
	}
	return id
}

// Binding says that a value of a field of the lower protocol means the upper
// protocol follows (Scapy's bind_layers).
type Binding struct {
	Lower, Upper *Protocol
	Field        string
	Value        uint64
}

var (
	regMu     sync.RWMutex
	protos    = map[string]*Protocol{}
	protoList []*Protocol
	wsFields  = map[string]*FieldRef{}
	linkTypes = map[uint32]*Protocol{}
	linkFuncs = map[uint32]func(data []byte) *Protocol{}
	aliases   = map[string]string{}
)

// Register adds a protocol to the registry and prepares its table. It panics
// on a malformed table, which is a programming error caught by any test.
func Register(p *Protocol) *Protocol {
	regMu.Lock()
	defer regMu.Unlock()
	p.byName = map[string]*Field{}
	off := 0
	static := true
	for i, f := range p.Fields {
		f.proto = p
		f.index = i
		if _, dup := p.byName[f.Name]; dup {
			panic("packet: " + p.Name + ": duplicate field " + f.Name)
		}
		p.byName[f.Name] = f
		f.bitOff = -1
		if static {
			if w := f.fixedBits(); w >= 0 {
				f.bitOff = off
				off += w
				p.nStatic = i + 1
			} else {
				static = false
			}
		}
		if (f.Type == Bytes || f.Type == String) && f.Size == 0 && f.Len == nil {
			panic("packet: " + p.Name + "." + f.Name + ": variable field without Len")
		}
		if f.Type == List && (f.Elem == nil || (f.Len == nil && f.Count == nil)) {
			panic("packet: " + p.Name + "." + f.Name + ": list needs Elem and Len or Count")
		}
		if f.Type == Custom && f.Codec == nil {
			panic("packet: " + p.Name + "." + f.Name + ": custom field without Codec")
		}
	}
	seen := [64]bool{}
	for i, f := range p.Fields {
		f.fast = fastKindOf(f)
		if f.Name == "" || i >= 255 {
			continue
		}
		h := nameHash(f.Name)
		if seen[h] {
			p.nameIdx[h] = 0
			continue
		}
		seen[h] = true
		p.nameIdx[h] = uint8(i + 1)
	}
	// staticLen counts whole bytes of the static prefix.
	p.staticLen = off / 8
	if last := len(p.Fields) - 1; off%8 == 0 && p.nStatic == last {
		if f := p.Fields[last]; f.Len != nil && (f.Type == Bytes || f.Type == String || f.Type == List) {
			p.tail = f
		}
	}
	if off%8 != 0 && p.nStatic == len(p.Fields) {
		panic("packet: " + p.Name + ": fields do not end on a byte boundary")
	}
	if p.Terminal && (p.Next != nil || len(p.Keys) > 0) {
		panic("packet: " + p.Name + ": a terminal protocol picks no payload (no Next, no Keys)")
	}
	for _, k := range p.Keys {
		f := p.byName[k]
		if f == nil {
			panic("packet: " + p.Name + ": key " + k + " is not a field")
		}
		p.keyFields = append(p.keyFields, f)
		p.keyIDs = append(p.keyIDs, internKey(k))
		o := -1 // byte offset of a big-endian 16-bit key at a fixed place
		if f.bitOff >= 0 && f.bitOff&7 == 0 && f.Bits == 16 && !f.Little {
			o = f.bitOff >> 3
		}
		p.key16 = append(p.key16, o)
	}
	if !p.Element {
		if _, dup := protos[p.Name]; dup {
			panic("packet: protocol " + p.Name + " registered twice")
		}
		protos[p.Name] = p
	}
	p.id = len(protoList)
	protoList = append(protoList, p)
	for _, f := range p.Fields {
		if f.WS != "" {
			addWS(f.WS, &FieldRef{Proto: p, Field: f})
		}
		for bit, name := range f.FlagWS {
			if name != "" {
				addWS(name, &FieldRef{Proto: p, Field: f, Bit: bit + 1})
			}
		}
	}
	for _, v := range p.Virtual {
		v.proto = p
		addWS(v.WS, &FieldRef{Proto: p, Virtual: v})
	}
	return p
}

func addWS(name string, r *FieldRef) {
	if old, ok := wsFields[name]; ok {
		// The same Wireshark field may live in several tables (one per
		// element variant); keep them all.
		old.alts = append(old.alts, r)
		return
	}
	r.Name = name
	wsFields[name] = r
}

// Lookup returns the registered protocol with this Scapy name (or Wireshark
// protocol name), or nil.
func Lookup(name string) *Protocol {
	regMu.RLock()
	defer regMu.RUnlock()
	if p := protos[name]; p != nil {
		return p
	}
	for _, p := range protoList {
		if p.Abbrev == name || strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

// Protocols returns every registered protocol table, sorted by name.
func Protocols() []*Protocol {
	regMu.RLock()
	out := append([]*Protocol(nil), protoList...)
	regMu.RUnlock()
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ID returns the protocol's registration number, a small dense integer
// below NumProtocols (for tables indexed by protocol).
func (p *Protocol) ID() int { return p.id }

// NumProtocols returns how many protocol tables are registered.
func NumProtocols() int {
	regMu.RLock()
	defer regMu.RUnlock()
	return len(protoList)
}

// Field returns the field with this Scapy name, or nil.
func (p *Protocol) Field(name string) *Field { return p.byName[name] }

// MustField returns the named field and panics if it does not exist (for
// table code that runs at init time).
func (p *Protocol) MustField(name string) *Field {
	f := p.byName[name]
	if f == nil {
		panic("packet: " + p.Name + " has no field " + name)
	}
	return f
}

// StaticLen returns the length of the header's fixed part in bytes.
func (p *Protocol) StaticLen() int { return p.staticLen }

// String returns the protocol's Scapy name.
func (p *Protocol) String() string { return p.Name }

// Bind registers that Field == Value in lower means upper follows. Both
// directions use it: dissection looks it up, building fills the field.
func Bind(lower *Protocol, field string, value uint64, upper *Protocol) {
	regMu.Lock()
	defer regMu.Unlock()
	if lower.Terminal {
		panic("packet: " + lower.Name + " is terminal: nothing binds above it")
	}
	k := bindKey{internKey(field), value}
	known := false
	for _, n := range lower.bindNames {
		known = known || n == field
	}
	if !known {
		lower.bindNames = append(lower.bindNames, field)
		lower.bindIDs = append(lower.bindIDs, k.key)
	}
	if lower.bindings.get(k) == nil {
		lower.bindings.set(k, upper)
	}
	lower.binds = append(lower.binds, Binding{Lower: lower, Upper: upper, Field: field, Value: value})
	if f := lower.byName[field]; f != nil && f.IsInt() {
		if lower.buildBinds == nil {
			lower.buildBinds = map[*Protocol][]fieldBind{}
		}
		fbs := lower.buildBinds[upper]
		for _, fb := range fbs {
			if fb.index == f.index {
				return
			}
		}
		lower.buildBinds[upper] = append(fbs, fieldBind{f.index, value})
	}
}

// BoundTo looks up the protocol bound to field == value on p, or nil.
func (p *Protocol) BoundTo(field string, value uint64) *Protocol {
	for i := range p.bindNames {
		if p.bindNames[i] == field {
			return p.bindings.get(bindKey{p.bindIDs[i], value})
		}
	}
	return nil
}

// KeyID returns the interned ID of a binding key name, for BoundID; call it
// once at init time (after the bindings on that key are registered, or
// before: IDs do not change).
func KeyID(name string) uint32 {
	regMu.Lock()
	defer regMu.Unlock()
	return internKey(name)
}

// BoundID is BoundTo with a key ID from KeyID: the fastest lookup.
func (p *Protocol) BoundID(key uint32, value uint64) *Protocol {
	return p.bindings.get(bindKey{key, value})
}

// Bindings lists p's bindings in registration order.
func (p *Protocol) Bindings() []Binding { return p.binds }

// AddHeuristic registers a payload guesser consulted after the bindings of
// lower fail (protocol identification plugs in here).
func AddHeuristic(lower *Protocol, h Heuristic) {
	regMu.Lock()
	defer regMu.Unlock()
	if lower.Terminal {
		panic("packet: " + lower.Name + " is terminal: no payload to guess")
	}
	lower.heur = append(lower.heur, h)
}

// RegisterLinkType says which protocol starts a packet of a capture link type.
func RegisterLinkType(link uint32, p *Protocol) {
	regMu.Lock()
	defer regMu.Unlock()
	linkTypes[link] = p
}

// RegisterLinkTypeFunc says that the first protocol of a packet of a
// capture link type is chosen from the frame's bytes by fn (raw IP: IPv4 or
// IPv6 by the version nibble). fn must cope with any bytes, even none; it
// returns nil when no protocol fits, and the frame is then Raw data. A
// protocol registered for the same link type with RegisterLinkType wins.
func RegisterLinkTypeFunc(link uint32, fn func(data []byte) *Protocol) {
	regMu.Lock()
	defer regMu.Unlock()
	linkFuncs[link] = fn
}

// SetLinkTypeNames gives the engine the names of link types for messages
// (the capture package knows them).
func SetLinkTypeNames(fn func(uint32) string) { linkNameFn = fn }

var linkNameFn func(uint32) string

func linkTypeName(l uint32) string {
	if linkNameFn != nil {
		return linkNameFn(l) + " (" + strconv.FormatUint(uint64(l), 10) + ")"
	}
	return strconv.FormatUint(uint64(l), 10)
}

// LinkProtocol returns the protocol registered for a link type, or nil if
// the link type is unknown. For a link type registered with
// RegisterLinkTypeFunc, whose first protocol depends on each frame's bytes,
// it returns Raw (what a frame the function does not recognise becomes).
func LinkProtocol(link uint32) *Protocol {
	regMu.RLock()
	defer regMu.RUnlock()
	if p := linkTypes[link]; p != nil {
		return p
	}
	if linkFuncs[link] != nil {
		return Raw
	}
	return nil
}

// Alias makes name (a Scapy-style short name such as "tcp.dport") resolve to
// the Wireshark field target.
func Alias(name, target string) {
	regMu.Lock()
	defer regMu.Unlock()
	aliases[name] = target
}

// FieldRef names one Wireshark field: a table field, one flag bit of it, or
// a virtual field.
type FieldRef struct {
	Name    string
	Proto   *Protocol
	Field   *Field   // nil for a virtual field
	Bit     int      // 1 + flag bit index for flag sub-fields
	Virtual *Virtual // computed field
	alts    []*FieldRef
	once    sync.Once
	cont    []*Protocol
}

// LookupField finds a field by Wireshark name ("tcp.srcport"), by Scapy-style
// name ("tcp.sport", "TCP.sport") or by alias.
func LookupField(name string) (*FieldRef, error) {
	regMu.RLock()
	defer regMu.RUnlock()
	if r := wsFields[name]; r != nil {
		return r, nil
	}
	if t, ok := aliases[name]; ok {
		if r := wsFields[t]; r != nil {
			return r, nil
		}
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		pn, fn := name[:i], name[i+1:]
		for _, p := range protoList {
			if p.Element {
				continue
			}
			if p.Abbrev == pn || p.Name == pn || strings.EqualFold(p.Name, pn) {
				if f := p.byName[fn]; f != nil {
					if ws := p.WSName(f); ws != "" {
						return wsFields[ws], nil
					}
					return &FieldRef{Name: name, Proto: p, Field: f}, nil
				}
			}
		}
	}
	return nil, &UnknownFieldError{Name: name, Suggest: closeNames(name)}
}

// UnknownFieldError reports a field name that is not registered.
type UnknownFieldError struct {
	Name    string
	Suggest []string
}

// Error names the field and suggests close names.
func (e *UnknownFieldError) Error() string {
	s := fmt.Sprintf("unknown field %q", e.Name)
	if len(e.Suggest) > 0 {
		s += "; did you mean " + strings.Join(e.Suggest, ", ") + "?"
	}
	return s
}

// FieldNames returns every Wireshark field name known, sorted.
func FieldNames() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]string, 0, len(wsFields))
	for k := range wsFields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// closeNames lists known field names and aliases close to name, closest
// first, at most five.
func closeNames(name string) []string {
	type cand struct {
		s string
		d int
	}
	var cs []cand
	for k := range wsFields {
		d := suggest.Distance(name, k)
		if d <= 3 || (len(name) >= 3 && strings.Contains(k, name)) {
			cs = append(cs, cand{k, d})
		}
	}
	for k := range aliases {
		if d := suggest.Distance(name, k); d <= 2 {
			cs = append(cs, cand{k, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].s < cs[j].s
	})
	var out []string
	for i := 0; i < len(cs) && i < 5; i++ {
		out = append(out, cs[i].s)
	}
	return out
}
