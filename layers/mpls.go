package layers

import "pktkit/packet"

// MPLS is one MPLS label stack entry (RFC 3032), Scapy's MPLS: label,
// traffic class (Scapy's cos, Wireshark's mpls.exp), bottom-of-stack flag
// and TTL. Below the bottom entry the first nibble tells IPv4 (4) from IPv6
// (6), as Wireshark does whatever the label; anything else (pseudowire
// control words, Ethernet pseudowires that Wireshark guesses heuristically)
// is left as data.
var MPLS = packet.Register(&packet.Protocol{
	Name: "MPLS", Abbrev: "mpls", Long: "MultiProtocol Label Switching Header",
	Fields: []*packet.Field{
		{Name: "label", WS: "mpls.label", Type: packet.Uint, Bits: 20, Default: 3},
		{Name: "cos", WS: "mpls.exp", Type: packet.Uint, Bits: 3},
		{Name: "s", WS: "mpls.bottom", Type: packet.Uint, Bits: 1, Default: 1},
		{Name: "ttl", WS: "mpls.ttl", Type: packet.Uint, Bits: 8},
	},
	Next: func(l *packet.Layer) *packet.Protocol {
		if l.Data[2]&1 == 0 {
			return l.Proto // another label stack entry
		}
		return ipByVersion(l.Payload())
	},
})

func init() {
	packet.Bind(Ether, "type", 0x8847, MPLS)
	packet.Bind(Ether, "type", 0x8848, MPLS)
	packet.Bind(MPLS, "s", 0, MPLS) // building: only the last entry is the bottom one
	packet.Bind(IP, "proto", 137, MPLS)
	bindPort(UDP, 6635, MPLS) // MPLS-in-UDP (RFC 7510)
	packet.Alias("mpls.cos", "mpls.exp")
	packet.Alias("mpls.s", "mpls.bottom")
}
