package layers

import (
	"strconv"

	"pktkit/packet"
)

// Cisco FabricPath (Wireshark's cfp). A FabricPath frame is an Ethernet
// frame whose outer header (EtherType 0x8903) holds hierarchical MAC
// addresses and is followed by a forwarding tag, then the original
// Ethernet frame. Wireshark reads the whole 16-byte outer header as cfp
// and shows no eth field of it (frame.protocols eth:cfp:eth...): Ether's
// Dispatch hands such frames to CFP, which covers the same 16 bytes.
//
// Wireshark's cfp dissector also takes the frame's last four bytes as a
// FabricPath FCS (cfp.fcs); this table does not, as no other pktkit
// Ethernet table assumes an FCS and captures of FabricPath links (the
// corpus's) carry none: those bytes belong to the inner packet. Nor does
// it declare cfp.eid: tshark 4.0 shows 0 for the end node ID of every
// corpus address whatever the bits under its mask (0xfcc000), a rule this
// table cannot state.

// cfpHMACFields are the fields of a hierarchical MAC address: end node ID
// (split around the U/L and I/G bits), U/L, I/G, out-of-order/don't-learn,
// switch ID, sub-switch ID and local ID.
var cfpHMACFields = []*packet.Field{
	{Name: "eid_hi", Type: packet.Uint, Bits: 6},
	{Name: "ul", WS: "cfp.ul", Type: packet.Uint, Bits: 1},
	{Name: "ig", WS: "cfp.ig", Type: packet.Uint, Bits: 1},
	{Name: "eid_lo", Type: packet.Uint, Bits: 2},
	{Name: "res", Type: packet.Uint, Bits: 1},
	{Name: "ooodl", WS: "cfp.ooodl", Type: packet.Uint, Bits: 1},
	{Name: "swid", WS: "cfp.swid", Type: packet.Uint, Bits: 12},
	{Name: "sswid", WS: "cfp.sswid", Type: packet.Uint, Bits: 8},
	{Name: "lid", WS: "cfp.lid", Type: packet.Uint, Bits: 16},
}

// FabricPath address elements: a hierarchical MAC (the source, or a
// unicast destination), a multicast destination (shown as a plain MAC), and
// the bytes of an address cut short.
var (
	cfpHMAC = packet.Register(&packet.Protocol{
		Name: "CFP_HMAC", Title: "FabricPath hierarchical MAC", Element: true,
		Fields: cfpHMACFields,
	})
	cfpMC = packet.Register(&packet.Protocol{
		Name: "CFP_MC", Title: "FabricPath multicast destination", Element: true,
		Fields: []*packet.Field{{Name: "addr", WS: "cfp.d_hmac_mc", Type: packet.MAC}},
	})
	cfpAddrBad = packet.Register(&packet.Protocol{
		Name: "CFP_Addr_Malformed", Title: "FabricPath address (cut short)", Element: true,
		Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
	})
)

// cfpAddr declares the destination or source address as a one-element list
// whose element table Elem picks; left unset when building, it is the
// hierarchical address 0 (six zero bytes).
func cfpAddr(name string, elem func(b []byte) *packet.Protocol) *packet.Field {
	return &packet.Field{Name: name, Type: packet.List, Len: func(*packet.Layer) int { return 6 }, Elem: elem,
		Elems: []*packet.Protocol{cfpHMAC, cfpMC, cfpAddrBad}, DefaultBytes: make([]byte, 6), DefaultText: "00:00:00:00:00:00"}
}

// CFP is the Cisco FabricPath header: outer destination and source
// (hierarchical MAC addresses; a multicast destination is a plain MAC),
// EtherType 0x8903, forwarding tag and TTL. The original Ethernet frame
// follows.
var CFP = packet.Register(&packet.Protocol{
	Name: "CFP", Abbrev: "cfp", Chain: "eth:cfp", Long: "Cisco FabricPath", Title: "Cisco FabricPath",
	Fields: []*packet.Field{
		cfpAddr("dst", func(b []byte) *packet.Protocol {
			switch {
			case len(b) < 6:
				return cfpAddrBad
			case b[0]&1 != 0:
				return cfpMC
			}
			return cfpHMAC
		}),
		cfpAddr("src", func(b []byte) *packet.Protocol {
			if len(b) < 6 {
				return cfpAddrBad
			}
			return cfpHMAC
		}),
		{Name: "type", WS: "cfp.etype", Type: packet.Uint, Bits: 16, Default: 0x8903, Enum: etherTypes, Base: packet.Hex, Hex: true},
		{Name: "ftag", WS: "cfp.ftag", Type: packet.Uint, Bits: 10},
		{Name: "ttl", WS: "cfp.ttl", Type: packet.Uint, Bits: 6},
	},
	Next: func(*packet.Layer) *packet.Protocol { return Ether },
	Check: func(l *packet.Layer) string {
		if len(l.Data) < 16 {
			return "FabricPath header cut short"
		}
		return ""
	},
	Summary: func(dst []byte, l *packet.Layer) []byte {
		dst = append(dst, "FabricPath"...)
		if len(l.Data) >= 16 {
			dst = strconv.AppendUint(append(dst, " ftag="...), uint64(l.Data[14])<<2|uint64(l.Data[15]>>6), 10)
			dst = strconv.AppendUint(append(dst, " ttl="...), uint64(l.Data[15]&0x3f), 10)
		}
		return dst
	},
})

// isCFP reports whether an Ethernet frame's outer header is FabricPath's
// (EtherType 0x8903), the whole 16-byte header present.
func isCFP(b []byte) bool { return len(b) >= 16 && b[12] == 0x89 && b[13] == 0x03 }
