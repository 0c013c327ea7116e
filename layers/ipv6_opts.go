package layers

import (
	"encoding/hex"

	"pktkit/packet"
)

// Options of the Hop-by-Hop and Destination Options headers (RFC 8200
// section 4.2), one element table per option type, with Scapy's names.

func ipv6OptType(dflt uint64) *packet.Field {
	return &packet.Field{Name: "otype", WS: "ipv6.opt.type", Type: packet.Uint, Bits: 8, Default: dflt,
		Enum: ipv6OptNames, Base: packet.Hex, Hex: true}
}

func ipv6OptLen(dflt uint64, auto bool) *packet.Field {
	return &packet.Field{Name: "optlen", WS: "ipv6.opt.length", Type: packet.Uint, Bits: 8, Default: dflt, Auto: auto}
}

// ipv6OptData is the Len rule for an option's data: its length byte.
func ipv6OptData(l *packet.Layer) int { return int(l.Data[1]) }

func ipv6OptLenAuto(b *packet.BuildLayer) { b.SetAuto("optlen", uint64(b.HdrEnd-b.Start-2)) }

var ipv6OptNames = map[uint64]string{
	0x00: "Pad1", 0x01: "PadN", 0x04: "Tunnel Encapsulation Limit", 0x05: "Router Alert",
	0x07: "CALIPSO", 0x26: "Quick-Start", 0x63: "RPL Option", 0x6d: "MPL Option",
	0xc2: "Jumbo Payload", 0xc9: "Home Address Option", 0x8b: "ILNP Nonce", 0x8c: "Line-Identification Option",
}

// ipv6OptDecoded are the option types Wireshark decodes with fields of
// their own; the data of any other type is ipv6.opt.unknown.
var ipv6OptDecoded = map[byte]bool{
	0x04: true, 0x05: true, 0x07: true, 0x0f: true, 0x11: true, 0x26: true, 0x30: true, 0x31: true,
	0x63: true, 0x6d: true, 0x8b: true, 0x8c: true, 0xc2: true, 0xc9: true, 0xee: true,
	0x1e: true, 0x3e: true, 0x5e: true, 0x7e: true, 0x9e: true, 0xbe: true, 0xde: true, 0xfe: true,
}

// Option element tables.
var (
	// Pad1 is the one-byte padding option.
	Pad1 = packet.Register(&packet.Protocol{
		Name: "Pad1", Title: "Pad1", Element: true,
		Fields: []*packet.Field{ipv6OptType(0)},
	})
	// PadN is the multi-byte padding option.
	PadN = packet.Register(&packet.Protocol{
		Name: "PadN", Title: "PadN", Element: true,
		Fields: []*packet.Field{ipv6OptType(1), ipv6OptLen(0, true),
			{Name: "optdata", Type: packet.Bytes, Len: ipv6OptData}},
		Virtual: []*packet.Virtual{{WS: "ipv6.opt.padn", Type: packet.String,
			Need: 2, Get: func(l *packet.Layer) (packet.Value, bool) { return hexOrNone(l.Data[2:]), true }}},
		Auto: ipv6OptLenAuto,
	})
	// RouterAlert is the Router Alert option (RFC 2711).
	RouterAlert = packet.Register(&packet.Protocol{
		Name: "RouterAlert", Title: "Router Alert", Element: true,
		Fields: []*packet.Field{ipv6OptType(5), ipv6OptLen(2, false),
			{Name: "value", WS: "ipv6.opt.router_alert", Type: packet.Uint, Bits: 16, Enum: map[uint64]string{
				0: "Datagram contains a MLD message", 1: "Datagram contains RSVP message",
				2: "Datagram contains an Active Network message", 68: "NSIS NATFW NSLP", 69: "MPLS OAM",
				65535: "Reserved"}}},
	})
	// Jumbo is the Jumbo Payload option (RFC 2675).
	Jumbo = packet.Register(&packet.Protocol{
		Name: "Jumbo", Title: "Jumbo Payload", Element: true,
		Fields: []*packet.Field{ipv6OptType(0xc2), ipv6OptLen(4, false),
			{Name: "jumboplen", WS: "ipv6.opt.jumbo", Type: packet.Uint, Bits: 32}},
	})
	// HAO is the Home Address destination option (RFC 6275).
	HAO = packet.Register(&packet.Protocol{
		Name: "HAO", Title: "Home Address Option", Element: true,
		Fields: []*packet.Field{ipv6OptType(0xc9), ipv6OptLen(16, false),
			{Name: "hoa", WS: "ipv6.opt.mipv6.home_address", Type: packet.IPv6, DefaultBytes: make([]byte, 16)}},
	})
	// HBHOptUnknown is any other option: type, length and data.
	HBHOptUnknown = packet.Register(&packet.Protocol{
		Name: "HBHOptUnknown", Title: "Scapy6 Unknown Option", Element: true,
		Fields: []*packet.Field{ipv6OptType(1), ipv6OptLen(0, true),
			{Name: "optdata", Type: packet.Bytes, Len: ipv6OptData}},
		Virtual: []*packet.Virtual{{WS: "ipv6.opt.unknown", Type: packet.String,
			Need: 2, Get: func(l *packet.Layer) (packet.Value, bool) {
				if ipv6OptDecoded[l.Data[0]] {
					return packet.Value{}, false
				}
				return hexOrNone(l.Data[2:]), true
			}}},
		Auto: ipv6OptLenAuto,
	})
	ipv6OptBad = packet.Register(&packet.Protocol{
		Name: "IPv6Option_Malformed", Title: "IPv6 Option (malformed)", Element: true,
		Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
	})
)

// hexOrNone renders bytes as tshark prints a byte field, "<none>" when
// empty.
func hexOrNone(b []byte) packet.Value {
	if len(b) == 0 {
		return packet.Value{B: []byte("<none>")}
	}
	return packet.Value{B: []byte(hex.EncodeToString(b))}
}

var ipv6OptElems = []*packet.Protocol{Pad1, PadN, RouterAlert, Jumbo, HAO, HBHOptUnknown, ipv6OptBad}

func ipv6OptElem(b []byte) *packet.Protocol {
	if b[0] == 0 {
		return Pad1
	}
	if len(b) < 2 || 2+int(b[1]) > len(b) {
		return ipv6OptBad
	}
	switch {
	case b[0] == 1:
		return PadN
	case b[0] == 5 && b[1] == 2:
		return RouterAlert
	case b[0] == 0xc2 && b[1] == 4:
		return Jumbo
	case b[0] == 0xc9 && b[1] == 16:
		return HAO
	}
	return HBHOptUnknown
}

// ipv6OptsHeader declares the Hop-by-Hop or Destination Options header:
// next header, length in 8-octet units beyond the first, and options.
func ipv6OptsHeader(name, title, abbrev, long string) *packet.Protocol {
	return packet.Register(&packet.Protocol{
		Name: name, Title: title, Abbrev: abbrev, Long: long,
		Fields: []*packet.Field{
			{Name: "nh", WS: abbrev + ".nxt", Type: packet.Uint, Bits: 8, Default: 59, Enum: ipv6NHNames},
			{Name: "len", WS: abbrev + ".len", Type: packet.Uint, Bits: 8, Auto: true},
			{Name: "options", Type: packet.List, Elem: ipv6OptElem, Elems: ipv6OptElems,
				Len: func(l *packet.Layer) int { return (int(l.Data[1])+1)*8 - 2 }},
		},
		Virtual: []*packet.Virtual{{WS: abbrev + ".len_oct", Type: packet.Uint, Bits: 16,
			Need: 2, Get: func(l *packet.Layer) (packet.Value, bool) {
				return packet.Value{U: (uint64(l.Data[1]) + 1) * 8}, true
			}}},
		Keys:        []string{"nh"},
		Auto:        ipv6ExtLenAuto,
		Pseudo:      pseudoBelow,
		LayerPseudo: layerPseudoBelow,
	})
}

// ipv6ExtLenAuto sets an extension header's length field: its size in
// 8-octet units, not counting the first 8 octets.
func ipv6ExtLenAuto(b *packet.BuildLayer) {
	n := (b.HdrEnd - b.Start + 7) / 8
	if n > 0 {
		n--
	}
	b.SetAuto("len", uint64(n))
}

var (
	// IPv6ExtHdrHopByHop is the Hop-by-Hop Options header (next header 0).
	IPv6ExtHdrHopByHop = ipv6OptsHeader("IPv6ExtHdrHopByHop", "IPv6 Extension Header - Hop-by-Hop Options Header",
		"ipv6.hopopts", "IPv6 Hop-by-Hop Option")
	// IPv6ExtHdrDestOpt is the Destination Options header (next header 60).
	IPv6ExtHdrDestOpt = ipv6OptsHeader("IPv6ExtHdrDestOpt", "IPv6 Extension Header - Destination Options Header",
		"ipv6.dstopts", "Destination Options for IPv6")
)

func init() {
	bindNH(0, IPv6ExtHdrHopByHop)
	bindNH(60, IPv6ExtHdrDestOpt)
}
