package layers

import "pktkit/packet"

// ERSPAN (Cisco's Encapsulated Remote SPAN) carries mirrored frames over
// GRE. Type I (GRE protocol 0x88be without a sequence number) has no header
// of its own; type II (0x88be with a sequence number, version 1) an 8-byte
// one; type III (0x22eb, version 2) a 12-byte one, optionally followed by
// a platform-specific subheader. Scapy's ERSPAN_I, ERSPAN_II, ERSPAN_III,
// ERSPAN_PlatformSpecific.

// ERSPANI is ERSPAN type I: no header, the mirrored Ethernet frame follows
// the GRE header.
var ERSPANI = packet.Register(&packet.Protocol{
	Name: "ERSPAN_I", Abbrev: "erspan", Long: "Encapsulated Remote Switch Packet ANalysis", Title: "ERSPAN I",
	Next: func(*packet.Layer) *packet.Protocol { return Ether },
})

func erspanCommon(third string) []*packet.Field {
	return []*packet.Field{
		{Name: "ver", WS: "erspan.version", Type: packet.Uint, Bits: 4, Default: 1},
		{Name: "vlan", WS: "erspan.vlan", Type: packet.Uint, Bits: 12},
		{Name: "cos", WS: "erspan.cos", Type: packet.Uint, Bits: 3},
		{Name: third, WS: map[string]string{"en": "erspan.encap", "bso": "erspan.bso"}[third], Type: packet.Uint, Bits: 2},
		{Name: "t", WS: "erspan.truncated", Type: packet.Uint, Bits: 1},
		{Name: "session_id", WS: "erspan.spanid", Type: packet.Uint, Bits: 10},
	}
}

// ERSPANII is ERSPAN type II: version, VLAN, class of service, encapsulation,
// truncation flag, session ID and port index.
var ERSPANII = packet.Register(&packet.Protocol{
	Name: "ERSPAN_II", Abbrev: "erspan", Long: "Encapsulated Remote Switch Packet ANalysis", Title: "ERSPAN II",
	Fields: append(erspanCommon("en"),
		&packet.Field{Name: "reserved", WS: "erspan.reserved", Type: packet.Uint, Bits: 12},
		&packet.Field{Name: "index", WS: "erspan.index", Type: packet.Uint, Bits: 20},
	),
	Next: func(*packet.Layer) *packet.Protocol { return Ether },
})

// ERSPANIII is ERSPAN type III: type II's first word, a timestamp, a
// security group tag and flags (frame type, hardware ID, direction,
// timestamp granularity, optional subheader).
var ERSPANIII = packet.Register(&packet.Protocol{
	Name: "ERSPAN_III", Abbrev: "erspan", Long: "Encapsulated Remote Switch Packet ANalysis", Title: "ERSPAN III",
	Fields: func() []*packet.Field {
		fs := erspanCommon("bso")
		fs[0].Default = 2
		return append(fs,
			&packet.Field{Name: "timestamp", WS: "erspan.timestamp", Type: packet.Uint, Bits: 32, Hex: true},
			&packet.Field{Name: "sgt_other", WS: "erspan.sgt", Type: packet.Uint, Bits: 16, Hex: true},
			&packet.Field{Name: "p", WS: "erspan.p", Type: packet.Uint, Bits: 1},
			&packet.Field{Name: "ft", WS: "erspan.ft", Type: packet.Uint, Bits: 5, Enum: map[uint64]string{0: "Ethernet", 2: "IP"}},
			&packet.Field{Name: "hw", WS: "erspan.hw", Type: packet.Uint, Bits: 6},
			&packet.Field{Name: "d", WS: "erspan.direction", Type: packet.Uint, Bits: 1},
			&packet.Field{Name: "gra", WS: "erspan.gra", Type: packet.Uint, Bits: 2, Enum: map[uint64]string{0: "100us", 1: "100ns", 2: "IEEE 1588"}},
			&packet.Field{Name: "o", WS: "erspan.o", Type: packet.Uint, Bits: 1},
		)
	}(),
	Next: func(l *packet.Layer) *packet.Protocol {
		if l.Data[11]&1 != 0 {
			return ERSPANPlatform
		}
		return erspanFrame(l.Data[10] >> 2 & 0x1f)
	},
})

// erspanFrame picks the mirrored frame's protocol from a type III frame type.
func erspanFrame(ft byte) *packet.Protocol {
	if ft == 0 {
		return Ether
	}
	return nil // IP and others: data
}

// ERSPANPlatform is the platform-specific subheader of ERSPAN type III.
var ERSPANPlatform = packet.Register(&packet.Protocol{
	Name: "ERSPAN_PlatformSpecific", Long: "ERSPAN platform-specific subheader", Title: "PlatformSpecific",
	Fields: []*packet.Field{
		{Name: "platf_id", WS: "erspan.platid", Type: packet.Uint, Bits: 6},
		{Name: "info1", Type: packet.Uint, Bits: 26},
		{Name: "info2", Type: packet.Uint, Bits: 32, Hex: true},
	},
	Next: func(l *packet.Layer) *packet.Protocol {
		if par := l.Parent(); par != nil && par.Proto.Name == "ERSPAN_III" {
			return erspanFrame(par.Data[10] >> 2 & 0x1f)
		}
		return Ether
	},
})

// erspanNext picks the ERSPAN type after a GRE header with protocol 0x88be
// or 0x22eb, as Wireshark does: 0x88be without a sequence number is type
// I; otherwise the version nibble decides (1: type II, 2: type III), and
// 0x22eb is type III.
func erspanNext(proto uint64, greFlags byte, pay []byte) *packet.Protocol {
	if proto == 0x88be && greFlags&greS == 0 {
		return ERSPANI
	}
	if len(pay) == 0 {
		return nil
	}
	switch pay[0] >> 4 {
	case 1:
		return ERSPANII
	case 2:
		return ERSPANIII
	}
	if proto == 0x22eb {
		return ERSPANIII
	}
	return nil
}

// Building GRE / ERSPAN_II needs seqnum_present=1 set by hand (Wireshark
// reads 0x88be without a sequence number as type I).
func init() {
	packet.Bind(GRE, "proto", 0x88be, ERSPANII)
	packet.Bind(GRE, "proto", 0x88be, ERSPANI)
	packet.Bind(GRE, "proto", 0x22eb, ERSPANIII)
	packet.Bind(ERSPANIII, "o", 1, ERSPANPlatform)
}
