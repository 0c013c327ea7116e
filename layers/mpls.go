package layers

import "pktkit/packet"

// MPLS is one MPLS label stack entry (RFC 3032), Scapy's MPLS: label,
// traffic class (Scapy's cos, Wireshark's mpls.exp), bottom-of-stack flag
// and TTL. Below the bottom entry the first nibble tells IPv4 (4) from IPv6
// (6), as Wireshark does whatever the label; 0 starts an Ethernet
// pseudowire's control word (EoMCW), 1 the associated channel header
// (PWACH); anything else is left as data. Wireshark's pseudowire heuristic
// also takes a payload for an Ethernet frame without control word when both
// MAC addresses have known vendor prefixes, which needs its OUI database:
// such payloads are read with a control word here.
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
		pay := l.Payload()
		if len(pay) > 0 {
			switch pay[0] >> 4 {
			case 0:
				return EoMCW
			case 1:
				return PWACH
			}
		}
		return ipByVersion(pay)
	},
})

// EoMCW is the control word of an Ethernet pseudowire over MPLS (RFC
// 4448), Scapy's EoMCW: four zero bits, reserved bits and a sequence
// number. An Ethernet frame follows.
var EoMCW = packet.Register(&packet.Protocol{
	Name: "EoMCW", Abbrev: "pwethcw", Chain: "pwethheuristic:pwethcw", Long: "PW Ethernet Control Word",
	Fields: []*packet.Field{
		{Name: "zero", Type: packet.Uint, Bits: 4},
		{Name: "reserved", Type: packet.Uint, Bits: 12},
		{Name: "seq", WS: "pweth.cw.sequence_number", Type: packet.Uint, Bits: 16},
	},
	Next: func(*packet.Layer) *packet.Protocol { return Ether },
})

// PWACH is the pseudowire associated channel header (RFC 4385, RFC 5586)
// below an MPLS label stack: the nibble 1, a version, a reserved byte and
// the channel type, which names IPv4 (0x0021) or IPv6 (0x0057) payloads
// among others (left as data).
var PWACH = packet.Register(&packet.Protocol{
	Name: "PWACH", Abbrev: "pwach", Long: "PW Associated Channel Header",
	Fields: []*packet.Field{
		{Name: "first_nibble", Type: packet.Uint, Bits: 4, Default: 1},
		{Name: "version", WS: "pwach.ver", Type: packet.Uint, Bits: 4},
		{Name: "reserved", WS: "pwach.res", Type: packet.Uint, Bits: 8, Base: packet.Hex, Hex: true},
		{Name: "channel_type", WS: "pwach.channel_type", Type: packet.Uint, Bits: 16, Base: packet.Hex, Hex: true},
	},
	Next: func(l *packet.Layer) *packet.Protocol {
		switch uint16(l.Data[2])<<8 | uint16(l.Data[3]) {
		case 0x0021:
			return IP
		case 0x0057:
			return ipv6Proto()
		}
		return nil
	},
	Auto: func(b *packet.BuildLayer) {
		if !b.IsSet("channel_type") && b.Over != nil && protoNamed(b.Over.Spec.Proto, "IPv6") {
			b.SetAuto("channel_type", 0x0057)
		}
	},
})

func init() {
	packet.Bind(PWACH, "channel_type", 0x0021, IP)
	packet.Bind(Ether, "type", 0x8847, MPLS)
	packet.Bind(Ether, "type", 0x8848, MPLS)
	packet.Bind(MPLS, "s", 0, MPLS) // building: only the last entry is the bottom one
	packet.Bind(IP, "proto", 137, MPLS)
	bindPort(UDP, 6635, MPLS) // MPLS-in-UDP (RFC 7510)
	packet.Alias("mpls.cos", "mpls.exp")
	packet.Alias("mpls.s", "mpls.bottom")
}
