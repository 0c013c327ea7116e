package layers

import (
	"encoding/binary"
	"strconv"

	"pktkit/packet"
)

// GRE flag bits in the first byte.
const (
	greC = 0x80 // checksum present
	greR = 0x40 // routing present
	greK = 0x20 // key present
	greS = 0x10 // sequence number present
)

// greOpt is a GRE field present only when a flag says so (Scapy's
// ConditionalField): size bytes when present(flags) is true, else none. It
// shows as a number; "None" when absent.
type greOpt struct {
	size    int
	hex     bool
	present func(b0 byte) bool
}

func (c greOpt) Size(l *packet.Layer, b []byte) int {
	if c.present(l.Data[0]) {
		return c.size
	}
	return 0
}

func (c greOpt) Format(dst []byte, l *packet.Layer, raw []byte) []byte {
	if len(raw) == 0 {
		return append(dst, "None"...)
	}
	var u uint64
	for _, x := range raw {
		u = u<<8 | uint64(x)
	}
	if c.hex {
		return strconv.AppendUint(append(dst, "0x"...), u, 16)
	}
	return strconv.AppendUint(dst, u, 10)
}

func (c greOpt) Parse(s string) ([]byte, error) {
	u, err := strconv.ParseUint(s, 0, c.size*8)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, u)
	return b[8-c.size:], nil
}

// greOptField declares a conditional GRE field. When crafting, it is there
// (zero, for Auto to fill) exactly when its flag is set in the spec, or
// when the user gave it a value.
func greOptField(name string, c greOpt, flag func(s *packet.Spec) bool) *packet.Field {
	return &packet.Field{Name: name, Type: packet.Custom, Codec: c, DefaultText: "None",
		BuildDefault: func(s *packet.Spec) []byte {
			if flag(s) {
				return make([]byte, c.size)
			}
			return nil
		}}
}

func specFlag(s *packet.Spec, name string) bool {
	v, _ := s.Get(name)
	return v.U != 0
}

func specGiven(s *packet.Spec, name string) bool {
	f := s.Proto.Field(name)
	return f != nil && s.IsSet(f) && len(s.Vals[f.Index()].B) > 0
}

// greOptOffset returns where a conditional field starts (after the 4 fixed
// bytes and the optional fields before it), or -1 if it is absent.
func greOptOffset(b0 byte, flag byte) int {
	if b0&flag == 0 && !(flag == greC && b0&greR != 0) {
		return -1
	}
	off := 4
	if flag == greC {
		return off
	}
	if b0&(greC|greR) != 0 {
		off += 4
	}
	if flag == greK {
		return off
	}
	if b0&greK != 0 {
		off += 4
	}
	return off
}

// greVirtual reads a conditional field for Wireshark: offset within the
// checksum/offset word (0 or 2) and width.
func greVirtual(ws string, flag byte, sub, width int, base packet.Base) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.Uint, Bits: width * 8, Base: base,
		Get: func(l *packet.Layer) (packet.Value, bool) {
			o := greOptOffset(l.Data[0], flag)
			if o < 0 || o+sub+width > len(l.Data) {
				return packet.Value{}, false
			}
			var u uint64
			for _, x := range l.Data[o+sub : o+sub+width] {
				u = u<<8 | uint64(x)
			}
			return packet.Value{U: u}, true
		}}
}

// greProtoFallback are the EtherTypes Wireshark's GRE dissector hands to
// protocols this package does not bind under GRE itself: the protocol bound
// under Ether for them is used (IPv6, from its own file). Other EtherTypes,
// 802.1Q among them, are data after GRE in Wireshark.
var greProtoFallback = map[uint64]bool{0x86dd: true}

// greNext picks the protocol after GRE (or after a Linux cooked header of a
// GRE tunnel) from its protocol type.
func greNext(proto uint64) *packet.Protocol {
	if q := GRE.BoundTo("proto", proto); q != nil {
		return q
	}
	if greProtoFallback[proto] {
		return Ether.BoundTo("type", proto)
	}
	return nil
}

func greFlagsAndVersion() *packet.Virtual {
	return &packet.Virtual{WS: "gre.flags_and_version", Type: packet.Uint, Bits: 16, Base: packet.Hex,
		Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[0])<<8 | uint64(l.Data[1])}, true
		}}
}

// GRE is Generic Routing Encapsulation (RFC 2784, with RFC 2890's key and
// sequence number), Scapy's GRE. The checksum and offset words, the key and
// the sequence number are present per the flags; the checksum is computed
// when the C flag is set. Version 1 with PPP payloads (0x880b, PPTP's
// enhanced GRE) is GRE_PPTP (Scapy goes by the protocol type alone).
var GRE = packet.Register(&packet.Protocol{
	Name: "GRE", Abbrev: "gre", Long: "Generic Routing Encapsulation",
	Fields: []*packet.Field{
		{Name: "chksum_present", WS: "gre.flags.checksum", Type: packet.Uint, Bits: 1},
		{Name: "routing_present", WS: "gre.flags.routing", Type: packet.Uint, Bits: 1},
		{Name: "key_present", WS: "gre.flags.key", Type: packet.Uint, Bits: 1},
		{Name: "seqnum_present", WS: "gre.flags.sequence_number", Type: packet.Uint, Bits: 1},
		{Name: "strict_route_source", WS: "gre.flags.strict_source_route", Type: packet.Uint, Bits: 1},
		{Name: "recursion_control", WS: "gre.flags.recursion_control", Type: packet.Uint, Bits: 3},
		{Name: "flags", WS: "gre.flags.reserved", Type: packet.Uint, Bits: 5},
		{Name: "version", WS: "gre.flags.version", Type: packet.Uint, Bits: 3},
		{Name: "proto", WS: "gre.proto", Type: packet.Uint, Bits: 16, Enum: etherTypes, Base: packet.Hex, Hex: true},
		greOptField("chksum", greOpt{2, true, func(b byte) bool { return b&(greC|greR) != 0 }},
			func(s *packet.Spec) bool { return specFlag(s, "chksum_present") || specFlag(s, "routing_present") }),
		greOptField("offset", greOpt{2, true, func(b byte) bool { return b&(greC|greR) != 0 }},
			func(s *packet.Spec) bool {
				return specFlag(s, "chksum_present") || specFlag(s, "routing_present") || specGiven(s, "chksum")
			}),
		greOptField("key", greOpt{4, true, func(b byte) bool { return b&greK != 0 }},
			func(s *packet.Spec) bool { return specFlag(s, "key_present") }),
		greOptField("sequence_number", greOpt{4, true, func(b byte) bool { return b&greS != 0 }},
			func(s *packet.Spec) bool { return specFlag(s, "seqnum_present") }),
	},
	Virtual: []*packet.Virtual{
		greFlagsAndVersion(),
		greVirtual("gre.checksum", greC, 0, 2, packet.Hex),
		greVirtual("gre.offset", greC, 2, 2, packet.Dec),
		greVirtual("gre.key", greK, 0, 4, packet.Hex),
		greVirtual("gre.sequence_number", greS, 0, 4, packet.Dec),
	},
	Dispatch: func(b []byte) *packet.Protocol {
		if len(b) >= 4 && b[1]&7 == 1 && b[2] == 0x88 && b[3] == 0x0b {
			return GREPPTP // version 1 carrying PPP, as Wireshark reads it
		}
		return nil
	},
	Auto: func(b *packet.BuildLayer) {
		for _, f := range [...][2]string{{"chksum", "chksum_present"}, {"key", "key_present"}, {"sequence_number", "seqnum_present"}} {
			if b.IsSet(f[0]) && len(b.Value(f[0]).B) > 0 {
				b.SetAuto(f[1], 1)
			}
		}
		etherTypeAuto(b, "proto")
		if b.Header()[0]&greC == 0 || b.IsSet("chksum") || len(b.Value("chksum").B) != 2 {
			return
		}
		h := b.Header()
		h[4], h[5] = 0, 0
		b.SetAuto("chksum", uint64(packet.Checksum(b.Bytes())))
	},
})

// GREPPTP is PPTP's enhanced GRE (RFC 2637, version 1), Scapy's GRE_PPTP:
// the key holds the payload length and the call ID, and an acknowledgment
// number may follow the sequence number. The PPP payload is left as data.
var GREPPTP = packet.Register(&packet.Protocol{
	Name: "GRE_PPTP", Abbrev: "gre", Long: "Generic Routing Encapsulation (PPTP)", Title: "GRE PPTP",
	Fields: []*packet.Field{
		{Name: "chksum_present", WS: "gre.flags.checksum", Type: packet.Uint, Bits: 1},
		{Name: "routing_present", WS: "gre.flags.routing", Type: packet.Uint, Bits: 1},
		{Name: "key_present", WS: "gre.flags.key", Type: packet.Uint, Bits: 1, Default: 1},
		{Name: "seqnum_present", WS: "gre.flags.sequence_number", Type: packet.Uint, Bits: 1},
		{Name: "strict_route_source", WS: "gre.flags.strict_source_route", Type: packet.Uint, Bits: 1},
		{Name: "recursion_control", WS: "gre.flags.recursion_control", Type: packet.Uint, Bits: 3},
		{Name: "acknum_present", WS: "gre.flags.ack", Type: packet.Uint, Bits: 1},
		{Name: "flags", WS: "gre.flags.reserved", Type: packet.Uint, Bits: 4},
		{Name: "version", WS: "gre.flags.version", Type: packet.Uint, Bits: 3, Default: 1},
		{Name: "proto", WS: "gre.proto", Type: packet.Uint, Bits: 16, Default: 0x880b, Enum: etherTypes, Base: packet.Hex, Hex: true},
		{Name: "payload_len", WS: "gre.key.payload_length", Type: packet.Uint, Bits: 16, Auto: true},
		{Name: "call_id", WS: "gre.key.call_id", Type: packet.Uint, Bits: 16},
		greOptField("sequence_number", greOpt{4, true, func(b byte) bool { return b&greS != 0 }},
			func(s *packet.Spec) bool { return specFlag(s, "seqnum_present") }),
		greOptField("ack_number", greOpt{4, true, func(byte) bool { return false }},
			func(s *packet.Spec) bool { return specFlag(s, "acknum_present") }),
	},
	Virtual: []*packet.Virtual{
		greFlagsAndVersion(),
		{WS: "gre.sequence_number", Type: packet.Uint, Bits: 32, Get: func(l *packet.Layer) (packet.Value, bool) {
			if l.Data[0]&greS == 0 || len(l.Data) < 12 {
				return packet.Value{}, false
			}
			return packet.Value{U: uint64(binary.BigEndian.Uint32(l.Data[8:]))}, true
		}},
		{WS: "gre.ack_number", Type: packet.Uint, Bits: 32, Get: func(l *packet.Layer) (packet.Value, bool) {
			o := 8
			if l.Data[0]&greS != 0 {
				o += 4
			}
			if l.Data[1]&0x80 == 0 || o+4 > len(l.Data) {
				return packet.Value{}, false
			}
			return packet.Value{U: uint64(binary.BigEndian.Uint32(l.Data[o:]))}, true
		}},
	},
	Next: func(*packet.Layer) *packet.Protocol { return nil }, // PPP: data
	Auto: func(b *packet.BuildLayer) {
		for _, f := range [...][2]string{{"sequence_number", "seqnum_present"}, {"ack_number", "acknum_present"}} {
			if b.IsSet(f[0]) && len(b.Value(f[0]).B) > 0 {
				b.SetAuto(f[1], 1)
			}
		}
		b.SetAuto("payload_len", uint64(b.End-b.HdrEnd))
	},
})

func greNextLayer(l *packet.Layer) *packet.Protocol {
	if l.Data[0]&greR != 0 {
		return nil // source route entries follow: data
	}
	switch p := uint64(l.Data[2])<<8 | uint64(l.Data[3]); p {
	case 0x88be, 0x22eb:
		return erspanNext(p, l.Data[0], l.Payload())
	default:
		return greNext(p)
	}
}

func init() {
	GRE.Next = greNextLayer
	packet.Bind(IP, "proto", 47, GRE)
	packet.Bind(GRE, "proto", 0x0800, IP)
	packet.Bind(GRE, "proto", 0x883e, IP)
	packet.Bind(GRE, "proto", 0x6558, Ether) // transparent Ethernet bridging
	packet.Bind(GRE, "proto", 0x6400, Ether)
	packet.Bind(GRE, "proto", 0x0806, ARP)
	packet.Bind(GRE, "proto", 0x8847, MPLS)
	packet.Bind(GRE, "proto", 0x8848, MPLS)
	bindPort(UDP, 4754, GRE) // GRE-in-UDP (RFC 8086)
	packet.Alias("gre.chksum", "gre.checksum")
	packet.Alias("gre.seqnum", "gre.sequence_number")
}
