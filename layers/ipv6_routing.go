package layers

import "pktkit/packet"

// addr6Elem declares a list element that is one IPv6 address (Scapy's
// IP6ListField entries) with its Wireshark name.
func addr6Elem(name, ws string) *packet.Protocol {
	return packet.Register(&packet.Protocol{
		Name: name, Title: "IPv6 Address", Element: true,
		Fields: []*packet.Field{{Name: "addr", WS: ws, Type: packet.IPv6, DefaultBytes: make([]byte, 16)}},
	})
}

// addr6Bad holds the bytes left over when an address list is not a
// multiple of 16 bytes long.
var addr6Bad = packet.Register(&packet.Protocol{
	Name: "IPv6Address_Malformed", Title: "IPv6 Address (malformed)", Element: true,
	Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
})

// addr6List declares a list of IPv6 addresses bounded by bytes (length) or
// by a count.
func addr6List(name string, elem *packet.Protocol, length, count func(l *packet.Layer) int) *packet.Field {
	return &packet.Field{Name: name, Type: packet.List, Len: length, Count: count,
		Elems: []*packet.Protocol{elem, addr6Bad},
		Elem: func(b []byte) *packet.Protocol {
			if len(b) < 16 {
				return addr6Bad
			}
			return elem
		}}
}

var (
	rtSrcAddr = addr6Elem("IPv6RoutingAddress", "ipv6.routing.src.addr")
	rtSRHAddr = addr6Elem("IPv6SRHSegment", "ipv6.routing.srh.addr")
)

// routingCommon are the four fields every Routing header starts with.
func routingCommon(typ uint64, autoSegleft bool) []*packet.Field {
	return []*packet.Field{
		{Name: "nh", WS: "ipv6.routing.nxt", Type: packet.Uint, Bits: 8, Default: 59, Enum: ipv6NHNames},
		{Name: "len", WS: "ipv6.routing.len", Type: packet.Uint, Bits: 8, Auto: true},
		{Name: "type", WS: "ipv6.routing.type", Type: packet.Uint, Bits: 8, Default: typ},
		{Name: "segleft", WS: "ipv6.routing.segleft", Type: packet.Uint, Bits: 8, Auto: autoSegleft},
	}
}

func routingLenOct() *packet.Virtual {
	return &packet.Virtual{WS: "ipv6.routing.len_oct", Type: packet.Uint, Bits: 16,
		Need: 2, Get: func(l *packet.Layer) (packet.Value, bool) { return packet.Value{U: (uint64(l.Data[1]) + 1) * 8}, true }}
}

// routingAutoSegleft is the segments-left value an unset segleft takes
// once built: the number of addresses (type 0) or the last entry (type 4).
// Upper checksums are computed before it is filled, so they ask here.
func routingAutoSegleft(o *packet.BuildLayer) int {
	n := len(o.Value("addresses").B) / 16
	switch o.Spec.Proto {
	case IPv6ExtHdrRouting:
		return n
	case IPv6ExtHdrSegmentRouting:
		if o.IsSet("lastentry") {
			return int(o.Value("lastentry").U)
		}
		return max(n-1, 0)
	}
	return int(o.Value("segleft").U)
}

// IPv6ExtHdrRouting is the Routing header (next header 43); this table
// reads type 0 (RFC 2460 source route: reserved word, then addresses) and
// chooses a variant for the other types.
var IPv6ExtHdrRouting = packet.Register(&packet.Protocol{
	Name: "IPv6ExtHdrRouting", Title: "IPv6 Option Header Routing", Abbrev: "ipv6.routing",
	Long: "Routing Header for IPv6",
	Fields: append(routingCommon(0, true),
		&packet.Field{Name: "reserved", Type: packet.Uint, Bits: 32, Hex: true},
		addr6List("addresses", rtSrcAddr, func(l *packet.Layer) int { return int(l.Data[1]) * 8 }, nil)),
	Virtual: []*packet.Virtual{routingLenOct(),
		{WS: "ipv6.routing.src.reserved", Type: packet.Bytes, Need: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{B: l.Data[4:8]}, true
		}}},
	Dispatch: func(b []byte) *packet.Protocol {
		if len(b) < 3 || b[2] == 0 {
			return nil
		}
		if b[2] == 4 {
			return IPv6ExtHdrSegmentRouting
		}
		return ipv6RoutingUnknown
	},
	Keys: []string{"nh"},
	Auto: func(b *packet.BuildLayer) {
		ipv6ExtLenAuto(b)
		b.SetAuto("segleft", uint64((b.HdrEnd-b.Start-8)/16))
	},
	Pseudo:      pseudoBelow,
	LayerPseudo: layerPseudoBelow,
})

// IPv6ExtHdrSegmentRouting is the Segment Routing Header (routing type 4,
// RFC 8754).
var IPv6ExtHdrSegmentRouting = packet.Register(&packet.Protocol{
	Name: "IPv6ExtHdrSegmentRouting", Title: "IPv6 Option Header Segment Routing",
	Long: "Routing Header for IPv6",
	Fields: append(routingCommon(4, true),
		&packet.Field{Name: "lastentry", WS: "ipv6.routing.srh.last_entry", Type: packet.Uint, Bits: 8, Auto: true},
		&packet.Field{Name: "unused1", Type: packet.Uint, Bits: 1},
		&packet.Field{Name: "protected", Type: packet.Uint, Bits: 1},
		&packet.Field{Name: "oam", Type: packet.Uint, Bits: 1},
		&packet.Field{Name: "alert", Type: packet.Uint, Bits: 1},
		&packet.Field{Name: "hmac", Type: packet.Uint, Bits: 1},
		&packet.Field{Name: "unused2", Type: packet.Uint, Bits: 3},
		&packet.Field{Name: "tag", Type: packet.Uint, Bits: 16},
		addr6List("addresses", rtSRHAddr, srhAddrLen, nil),
		&packet.Field{Name: "tlv_objects", Type: packet.Bytes, Len: func(l *packet.Layer) int {
			return int(l.Data[1])*8 - srhAddrLen(l)
		}}),
	Virtual: []*packet.Virtual{routingLenOct(),
		{WS: "ipv6.routing.srh.flags", Type: packet.Uint, Bits: 8, Base: packet.Hex,
			Need: 6, Get: func(l *packet.Layer) (packet.Value, bool) { return packet.Value{U: uint64(l.Data[5])}, true }},
		{WS: "ipv6.routing.srh.tag", Type: packet.Bytes,
			Need: 8, Get: func(l *packet.Layer) (packet.Value, bool) { return packet.Value{B: l.Data[6:8]}, true }}},
	Keys: []string{"nh"},
	Auto: func(b *packet.BuildLayer) {
		ipv6ExtLenAuto(b)
		n := len(b.Value("addresses").B) / 16
		if n > 0 {
			n--
		}
		b.SetAuto("lastentry", uint64(n))
		if !b.IsSet("segleft") {
			b.SetAuto("segleft", b.Value("lastentry").U)
		}
	},
	Pseudo:      pseudoBelow,
	LayerPseudo: layerPseudoBelow,
})

// srhAddrLen is the byte length of the segment list: lastentry+1 addresses,
// within the header.
func srhAddrLen(l *packet.Layer) int {
	return min(16*(int(l.Data[4])+1), int(l.Data[1])*8)
}

// rtDecoded are the routing types Wireshark decodes with fields of their
// own; the data of other types is ipv6.routing.unknown_data.
var rtDecoded = map[byte]bool{0: true, 2: true, 3: true, 4: true, 5: true, 6: true}

// ipv6RoutingUnknown is a Routing header of another type (2, 3, ...): its
// type-specific data is kept as bytes.
var ipv6RoutingUnknown = packet.Register(&packet.Protocol{
	Name: "IPv6ExtHdrRoutingUnknown", Title: "IPv6 Option Header Routing (other type)",
	Long: "Routing Header for IPv6",
	Fields: append(routingCommon(2, false),
		&packet.Field{Name: "data", Type: packet.Bytes, Len: func(l *packet.Layer) int { return int(l.Data[1])*8 + 4 }}),
	Virtual: []*packet.Virtual{routingLenOct(),
		{WS: "ipv6.routing.unknown_data", Type: packet.Bytes, Need: 4, Get: func(l *packet.Layer) (packet.Value, bool) {
			if rtDecoded[l.Data[2]] || len(l.Data) <= 4 {
				return packet.Value{}, false
			}
			return packet.Value{B: l.Data[4:min(len(l.Data), l.HdrLen)]}, true
		}}},
	Keys:        []string{"nh"},
	Auto:        ipv6ExtLenAuto,
	Pseudo:      pseudoBelow,
	LayerPseudo: layerPseudoBelow,
})

func init() {
	bindNH(43, IPv6ExtHdrRouting, IPv6ExtHdrSegmentRouting, ipv6RoutingUnknown)
}
