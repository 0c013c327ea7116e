package layers

import "pktkit/packet"

// AH is the IP Authentication Header (RFC 4302), Scapy's AH. It follows an
// IPv4 header (protocol 51) or an IPv6 header or extension header (next
// header 51) and is itself followed by the protocol its nh names.
var AH = packet.Register(&packet.Protocol{
	Name: "AH", Abbrev: "ah", Long: "Authentication Header",
	Fields: []*packet.Field{
		{Name: "nh", WS: "ah.next_header", Type: packet.Uint, Bits: 8, Enum: ipProtoNames},
		{Name: "payloadlen", WS: "ah.length", Type: packet.Uint, Bits: 8, Auto: true},
		{Name: "reserved", Type: packet.Uint, Bits: 16},
		{Name: "spi", WS: "ah.spi", Type: packet.Uint, Bits: 32, Default: 1, Base: packet.Hex, Hex: true},
		{Name: "seq", WS: "ah.sequence", Type: packet.Uint, Bits: 32},
		// The ICV fills the rest of the header: (payloadlen+2)*4 bytes in all.
		{Name: "icv", WS: "ah.icv", Type: packet.Bytes, Len: func(l *packet.Layer) int {
			return (int(l.Data[1])+2)*4 - 12
		}},
	},
	Virtual: []*packet.Virtual{{WS: "ah.reserved", Type: packet.Bytes,
		Need: 4, Get: func(l *packet.Layer) (packet.Value, bool) { return packet.Value{B: l.Data[2:4]}, true }}},
	Dispatch: func(b []byte) *packet.Protocol {
		if len(b) >= 2 && b[1] == 0 {
			return ahZeroLen
		}
		return nil
	},
	Keys: []string{"nh"},
	Auto: func(b *packet.BuildLayer) {
		b.SetAuto("payloadlen", uint64((b.HdrEnd-b.Start)/4-2))
	},
	Pseudo:      pseudoBelow,
	LayerPseudo: layerPseudoBelow,
})

// ahZeroLen is an AH whose payload length is zero: as Wireshark reads it,
// the header then ends after the SPI, 8 bytes in, and what would be the
// sequence number is the start of the next header.
var ahZeroLen = packet.Register(&packet.Protocol{
	Name: "AH_ZeroLength", Title: "AH (zero length)", Long: "Authentication Header",
	Fields: []*packet.Field{
		{Name: "nh", WS: "ah.next_header", Type: packet.Uint, Bits: 8, Enum: ipProtoNames},
		{Name: "payloadlen", WS: "ah.length", Type: packet.Uint, Bits: 8},
		{Name: "reserved", Type: packet.Uint, Bits: 16},
		{Name: "spi", WS: "ah.spi", Type: packet.Uint, Bits: 32, Default: 1, Base: packet.Hex, Hex: true},
	},
	Virtual: []*packet.Virtual{
		{WS: "ah.reserved", Type: packet.Bytes,
			Need: 4, Get: func(l *packet.Layer) (packet.Value, bool) { return packet.Value{B: l.Data[2:4]}, true }},
		{WS: "ah.sequence", Type: packet.Uint, Bits: 32, Need: 12, Get: func(l *packet.Layer) (packet.Value, bool) {
			d := l.Data
			if len(d) < 12 {
				return packet.Value{}, false
			}
			return packet.Value{U: uint64(d[8])<<24 | uint64(d[9])<<16 | uint64(d[10])<<8 | uint64(d[11])}, true
		}},
		{WS: "ah.icv", Type: packet.String, Need: 1, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{B: []byte("<MISSING>")}, true
		}},
	},
	Keys:        []string{"nh"},
	Pseudo:      pseudoBelow,
	LayerPseudo: layerPseudoBelow,
})

func init() {
	packet.Bind(IP, "proto", 51, AH)
	bindNH(51, AH)
	packet.Alias("ah.nh", "ah.next_header")
	packet.Alias("ah.payloadlen", "ah.length")
	packet.Alias("ah.seq", "ah.sequence")
}
