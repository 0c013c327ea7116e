package layers

import (
	"strconv"

	"pktkit/packet"
)

// vxlanFlags are Scapy's names of the VXLAN flag bits, least significant
// first.
var vxlanFlags = []string{"OAM", "R", "NextProtocol", "Instance", "V1", "V2", "R", "G"}

// vxlanBit declares a flag of the first 16 bits as Wireshark shows it.
func vxlanBit(ws string, mask uint16) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.Uint, Bits: 1, Get: func(l *packet.Layer) (packet.Value, bool) {
		if (uint16(l.Data[0])<<8|uint16(l.Data[1]))&mask != 0 {
			return packet.Value{U: 1}, true
		}
		return packet.Value{}, true
	}}
}

func vxlanVNI(l *packet.Layer) uint64 {
	return uint64(l.Data[4])<<16 | uint64(l.Data[5])<<8 | uint64(l.Data[6])
}

// VXLAN is Virtual eXtensible LAN (RFC 7348), Scapy's VXLAN, on UDP port
// 4789: flags, 24 reserved bits (the group policy extension's flags and ID
// when G is set), the VXLAN network identifier and a reserved byte. An
// Ethernet frame follows.
var VXLAN = packet.Register(&packet.Protocol{
	Name: "VXLAN", Abbrev: "vxlan", Long: "Virtual eXtensible Local Area Network",
	Fields: []*packet.Field{
		{Name: "flags", Type: packet.Uint, Bits: 8, Default: 0x08, Flags: vxlanFlags},
		{Name: "reserved1", Type: packet.Uint, Bits: 24},
		{Name: "vni", WS: "vxlan.vni", Type: packet.Uint, Bits: 24, Hex: true},
		{Name: "reserved2", WS: "vxlan.reserved8", Type: packet.Uint, Bits: 8, Hex: true},
	},
	Virtual: []*packet.Virtual{
		{WS: "vxlan.flags", Type: packet.Uint, Bits: 16, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[0])<<8 | uint64(l.Data[1])}, true
		}},
		vxlanBit("vxlan.flag_g", 0x8000),
		vxlanBit("vxlan.flag_i", 0x0800),
		vxlanBit("vxlan.flag_d", 0x0040),
		vxlanBit("vxlan.flag_a", 0x0008),
		{WS: "vxlan.flags_reserved", Type: packet.Uint, Bits: 16, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: (uint64(l.Data[0])<<8 | uint64(l.Data[1])) & 0x77b7}, true
		}},
		{WS: "vxlan.gbp", Type: packet.Uint, Bits: 16, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[2])<<8 | uint64(l.Data[3])}, true
		}},
	},
	Next: func(*packet.Layer) *packet.Protocol { return Ether },
	Summary: func(dst []byte, l *packet.Layer) []byte {
		dst = strconv.AppendUint(append(dst, "VXLAN (vni=0x"...), vxlanVNI(l), 16)
		if l.Data[0]&0x80 != 0 {
			dst = strconv.AppendUint(append(dst, " gpid="...), uint64(l.Data[2])<<8|uint64(l.Data[3]), 10)
		}
		return append(dst, ')')
	},
})

// vxlanNextProtocols are VXLAN-GPE next protocol values as Scapy names them.
var vxlanNextProtocols = map[uint64]string{0: "NotDefined", 1: "IPv4", 2: "IPv6", 3: "Ethernet", 4: "NSH", 5: "MPLS"}

// VXLANGPE is the generic protocol extension of VXLAN on UDP port 4790
// (Scapy's VXLAN with the NextProtocol flag): the header names its payload.
// Wireshark's vxlan_gpe dissector shows vxlan.* fields and does not appear
// in frame.protocols, hence no Abbrev here.
var VXLANGPE = packet.Register(&packet.Protocol{
	Name: "VXLAN_GPE", Long: "Virtual eXtensible Local Area Network (GPE)", Title: "VXLAN",
	Fields: []*packet.Field{
		{Name: "flags", WS: "vxlan.flags", Type: packet.Uint, Bits: 8, Default: 0x0c, Flags: vxlanFlags, Base: packet.Hex,
			FlagWS: []string{"vxlan.o_bit", "", "vxlan.p_bit", "vxlan.i_bit"}},
		{Name: "reserved0", WS: "vxlan.reserved_16", Type: packet.Uint, Bits: 16},
		{Name: "NextProtocol", WS: "vxlan.next_proto", Type: packet.Uint, Bits: 8, Enum: vxlanNextProtocols},
		{Name: "vni", WS: "vxlan.vni", Type: packet.Uint, Bits: 24, Hex: true},
		{Name: "reserved2", WS: "vxlan.reserved8", Type: packet.Uint, Bits: 8, Hex: true},
	},
	Virtual: []*packet.Virtual{
		{WS: "vxlan.ver", Type: packet.Uint, Bits: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[0]>>4) & 3}, true
		}},
		{WS: "vxlan.flags_reserved", Type: packet.Uint, Bits: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[0]&0xc2) >> 1}, true
		}},
	},
	Next: func(l *packet.Layer) *packet.Protocol {
		switch l.Data[3] {
		case 1:
			return IP
		case 2:
			return ipv6Proto()
		case 3:
			return Ether
		case 5:
			return MPLS
		}
		return nil
	},
	Summary: func(dst []byte, l *packet.Layer) []byte {
		return append(strconv.AppendUint(append(dst, "VXLAN (vni=0x"...), vxlanVNI(l), 16), ')')
	},
	Auto: func(b *packet.BuildLayer) {
		if !b.IsSet("NextProtocol") && b.Over != nil && protoNamed(b.Over.Spec.Proto, "IPv6") {
			b.SetAuto("NextProtocol", 2)
		}
	},
})

func init() {
	bindPort(UDP, 4789, VXLAN)
	bindPort(UDP, 4790, VXLANGPE)
	packet.Bind(VXLANGPE, "NextProtocol", 1, IP)
	packet.Bind(VXLANGPE, "NextProtocol", 3, Ether)
	packet.Bind(VXLANGPE, "NextProtocol", 5, MPLS)
}
