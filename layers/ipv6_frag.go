package layers

import "pktkit/packet"

// IPv6ExtHdrFragment is the Fragment header (next header 44, RFC 8200
// section 4.5). Only a first fragment (offset 0) carries the upper-layer
// header; later fragments are data, as Wireshark shows them without
// reassembly.
var IPv6ExtHdrFragment = packet.Register(&packet.Protocol{
	Name: "IPv6ExtHdrFragment", Title: "IPv6 Extension Header - Fragmentation header", Abbrev: "ipv6.fraghdr",
	Long: "Fragment Header for IPv6",
	Fields: []*packet.Field{
		{Name: "nh", WS: "ipv6.fraghdr.nxt", Type: packet.Uint, Bits: 8, Default: 59, Enum: ipv6NHNames},
		{Name: "res1", WS: "ipv6.fraghdr.reserved_octet", Type: packet.Uint, Bits: 8, Base: packet.Hex},
		{Name: "offset", WS: "ipv6.fraghdr.offset", Type: packet.Uint, Bits: 13},
		{Name: "res2", WS: "ipv6.fraghdr.reserved_bits", Type: packet.Uint, Bits: 2},
		{Name: "m", WS: "ipv6.fraghdr.more", Type: packet.Uint, Bits: 1},
		{Name: "id", WS: "ipv6.fraghdr.ident", Type: packet.Uint, Bits: 32, Base: packet.Hex},
	},
	Keys: []string{"nh"},
	Next: func(l *packet.Layer) *packet.Protocol {
		if (uint16(l.Data[2])<<8|uint16(l.Data[3]))>>3 != 0 {
			return nil
		}
		return l.NextByKeys()
	},
	Pseudo:      pseudoBelow,
	LayerPseudo: layerPseudoBelow,
})

func init() {
	bindNH(44, IPv6ExtHdrFragment)
	packet.Alias("ipv6.fraghdr.m", "ipv6.fraghdr.more")
	packet.Alias("ipv6.fraghdr.id", "ipv6.fraghdr.ident")
}
