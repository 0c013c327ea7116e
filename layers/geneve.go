package layers

import (
	"strconv"

	"pktkit/packet"
)

// geneveClasses are option classes with Scapy's names.
var geneveClasses = map[uint64]string{
	0x0100: "Linux", 0x0101: "Open vSwitch", 0x0102: "Open Virtual Networking (OVN)",
	0x0103: "In-band Network Telemetry (INT)", 0x0104: "VMware", 0x0105: "Amazon.com, Inc.",
	0x0106: "Cisco Systems, Inc.", 0x0107: "Oracle Corporation", 0x0110: "Amazon.com, Inc.",
	0x0118: "IBM", 0x0128: "Ericsson", 0xfeff: "Unassigned", 0xffff: "Experimental",
}

func geneveOptData(l *packet.Layer) int { return int(l.Data[3]&0x1f) * 4 }

// Geneve option elements: class, type, flags, length in 4-byte words and
// data. Wireshark decodes no class specially here (all are "unknown").
var (
	geneveOpt = packet.Register(&packet.Protocol{
		Name: "GeneveOptions", Title: "Geneve Options", Element: true,
		Fields: []*packet.Field{
			{Name: "classid", WS: "geneve.option.class", Type: packet.Uint, Bits: 16, Enum: geneveClasses, Base: packet.Hex, Hex: true},
			{Name: "type", WS: "geneve.option.type", Type: packet.Uint, Bits: 8, Base: packet.Hex, Hex: true},
			{Name: "reserved", Type: packet.Uint, Bits: 3},
			{Name: "length", Type: packet.Uint, Bits: 5, Auto: true},
			{Name: "data", WS: "geneve.option.unknown.data", Type: packet.Bytes, Len: geneveOptData},
		},
		Virtual: []*packet.Virtual{
			{WS: "geneve.option", Type: packet.Bytes, Get: func(l *packet.Layer) (packet.Value, bool) {
				return packet.Value{B: l.Data}, true
			}},
			tunFlag("geneve.option.type.critical", 2, 1, 0x80),
			tunBits("geneve.option.flags", 3, 1, 0xe0<<0, packet.Hex, 2),
			tunFlag("geneve.option.flags.reserved", 3, 1, 0xe0),
			{WS: "geneve.option.length", Type: packet.Uint, Bits: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
				return packet.Value{U: uint64(l.Data[3]&0x1f)*4 + 4}, true
			}},
		},
		Auto: func(b *packet.BuildLayer) { b.SetAuto("length", uint64(b.HdrEnd-b.Start-4)/4) },
	})
	geneveOptBad = packet.Register(&packet.Protocol{
		Name: "GeneveOptions_Malformed", Title: "Geneve Options (malformed)", Element: true,
		Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
	})
)

func geneveOptElem(b []byte) *packet.Protocol {
	if len(b) < 4 || 4+int(b[3]&0x1f)*4 > len(b) {
		return geneveOptBad // Wireshark stops at an option past the options' length
	}
	return geneveOpt
}

// GENEVE is Generic Network Virtualization Encapsulation (RFC 8926) on UDP
// port 6081, Scapy's GENEVE: options, then the payload named by an
// EtherType (0x6558 Ethernet, 0x0800 IPv4, 0x86dd IPv6, 0x0806 ARP).
var GENEVE = packet.Register(&packet.Protocol{
	Name: "GENEVE", Abbrev: "geneve", Long: "Generic Network Virtualization Encapsulation",
	Fields: []*packet.Field{
		{Name: "version", WS: "geneve.version", Type: packet.Uint, Bits: 2},
		{Name: "optionlen", WS: "geneve.option.length", Type: packet.Uint, Bits: 6, WSMul: 4, Auto: true},
		{Name: "oam", WS: "geneve.flags.oam", Type: packet.Uint, Bits: 1},
		{Name: "critical", WS: "geneve.flags.critical", Type: packet.Uint, Bits: 1},
		{Name: "reserved", Type: packet.Uint, Bits: 6},
		{Name: "proto", WS: "geneve.proto_type", Type: packet.Uint, Bits: 16, Enum: etherTypes, Base: packet.Hex, Hex: true},
		{Name: "vni", WS: "geneve.vni", Type: packet.Uint, Bits: 24, Base: packet.Hex, Hex: true},
		{Name: "reserved2", WS: "geneve.reserved", Type: packet.Uint, Bits: 8, Base: packet.Hex, Hex: true},
		{Name: "options", Type: packet.List, Elem: geneveOptElem, Elems: []*packet.Protocol{geneveOpt, geneveOptBad},
			Len: func(l *packet.Layer) int { return int(l.Data[0]&0x3f) * 4 }},
	},
	Virtual: []*packet.Virtual{
		tunBits("geneve.flags", 1, 1, 0xff, packet.Hex, 2),
		tunFlag("geneve.flags.reserved", 1, 1, 0x3f),
		{WS: "geneve.options", Type: packet.Bytes, Get: func(l *packet.Layer) (packet.Value, bool) {
			n := int(l.Data[0]&0x3f) * 4
			if n == 0 || 8+n > len(l.Data) {
				return packet.Value{}, false
			}
			return packet.Value{B: l.Data[8 : 8+n]}, true
		}},
	},
	Next: func(l *packet.Layer) *packet.Protocol {
		return etherTypeNext(l.Proto, "proto", uint64(l.Data[2])<<8|uint64(l.Data[3]))
	},
	Summary: func(dst []byte, l *packet.Layer) []byte {
		dst = append(dst, "GENEVE (vni=0x"...)
		dst = strconv.AppendUint(dst, tunUint(l.Data[4:7]), 16)
		dst = append(dst, ",optionlen="...)
		dst = strconv.AppendUint(dst, uint64(l.Data[0]&0x3f), 10)
		dst = append(dst, ",proto="...)
		v := uint64(l.Data[2])<<8 | uint64(l.Data[3])
		if n, ok := etherTypes[v]; ok {
			dst = append(dst, n...)
		} else {
			dst = strconv.AppendUint(append(dst, "0x"...), v, 16)
		}
		return append(dst, ')')
	},
	Auto: func(b *packet.BuildLayer) {
		b.SetAuto("optionlen", uint64(b.HdrEnd-b.Start-8)/4)
		etherTypeAuto(b, "proto")
	},
})

func init() {
	bindPort(UDP, 6081, GENEVE)
	packet.Bind(GENEVE, "proto", 0x6558, Ether)
	packet.Bind(GENEVE, "proto", 0x0800, IP)
	if v6 := tunIPv6.get(); v6 != nil {
		packet.Bind(GENEVE, "proto", 0x86dd, v6)
	}
}
