package layers

import "pktkit/packet"

// Dot3 is an IEEE 802.3 frame whose type field is a length (Scapy's Dot3;
// Ether turns into it when the field is 1500 or less). An 802.2 LLC header
// follows, except in Novell's "raw 802.3" frames, whose IPX payload starts
// with ff ff. Bytes past the length are padding.
var Dot3 = packet.Register(&packet.Protocol{
	Name: "Dot3", Abbrev: "eth", Long: "IEEE 802.3 Ethernet", Title: "802.3",
	Fields: []*packet.Field{
		{Name: "dst", WS: "eth.dst", Type: packet.MAC, DefaultBytes: []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{Name: "src", WS: "eth.src", Type: packet.MAC, DefaultBytes: make([]byte, 6)},
		{Name: "len", WS: "eth.len", Type: packet.Uint, Bits: 16, Auto: true},
	},
	Bound: func(l *packet.Layer) int { return 14 + (int(l.Data[12])<<8 | int(l.Data[13])) },
	Next: func(l *packet.Layer) *packet.Protocol {
		if p := l.Payload(); len(p) >= 2 && p[0] == 0xff && p[1] == 0xff {
			return nil // Novell raw 802.3 (IPX): data
		}
		return LLC
	},
	Summary: func(dst []byte, l *packet.Layer) []byte {
		dst = append(dst, "802.3 "...)
		dst = appendMAC(dst, l.Data[6:12])
		dst = append(dst, " > "...)
		return appendMAC(dst, l.Data[0:6])
	},
	Auto: func(b *packet.BuildLayer) { b.SetAuto("len", uint64(b.End-b.HdrEnd)) },
})
