package layers

import "pktkit/packet"

// Multicast Listener Discovery: MLDv1 (RFC 2710) and MLDv2 (RFC 3810).

const mldDelayWS = "icmpv6.mld.maximum_response_delay"

func mldV1Fields(mrd uint64, mrdWS string) []*packet.Field {
	return []*packet.Field{
		{Name: "mrd", WS: mrdWS, Type: packet.Uint, Bits: 16, Default: mrd},
		{Name: "reserved", Type: packet.Uint, Bits: 16},
		{Name: "mladdr", WS: "icmpv6.mld.multicast_address", Type: packet.IPv6, DefaultBytes: make([]byte, 16)},
	}
}

var (
	// ICMPv6MLQuery is an MLDv1 Multicast Listener Query (type 130,
	// shorter than 28 bytes).
	ICMPv6MLQuery = icmp6(&packet.Protocol{
		Name: "ICMPv6MLQuery", Title: "MLD - Multicast Listener Query",
		Virtual: []*packet.Virtual{icmp6Reserved(6, 8)},
	}, 130, mldV1Fields(10000, mldDelayWS)...)
	// ICMPv6MLReport is an MLDv1 Multicast Listener Report (type 131).
	ICMPv6MLReport = icmp6(&packet.Protocol{
		Name: "ICMPv6MLReport", Title: "MLD - Multicast Listener Report",
		Virtual: []*packet.Virtual{icmp6Reserved(6, 8)},
	}, 131, mldV1Fields(0, mldDelayWS)...)
	// ICMPv6MLDone is an MLDv1 Multicast Listener Done (type 132).
	ICMPv6MLDone = icmp6(&packet.Protocol{
		Name: "ICMPv6MLDone", Title: "MLD - Multicast Listener Done",
		Virtual: []*packet.Virtual{icmp6Reserved(6, 8)},
	}, 132, mldV1Fields(0, mldDelayWS)...)
)

// mldExp decodes MLDv2's floating-point codes (RFC 3810 5.1.3 and 5.1.9):
// values with the top bit set are mantissa and exponent.
func mldExp(v uint64, bits uint) uint64 {
	top := uint64(1) << (bits - 1)
	if v < top {
		return v
	}
	mantBits := bits - 4
	mant := v & (1<<mantBits - 1)
	exp := (v >> mantBits) & 7
	return (mant | 1<<mantBits) << (exp + 3)
}

var (
	mldSource    = addr6Elem("ICMPv6MLQuery2Source", "icmpv6.mld.source_address")
	mldRecSource = addr6Elem("ICMPv6MLDMultAddrRecSource", "icmpv6.mldr.mar.source_address")
)

// ICMPv6MLQuery2 is an MLDv2 Multicast Listener Query (type 130, 28 bytes
// or more).
var ICMPv6MLQuery2 = icmp6(&packet.Protocol{
	Name: "ICMPv6MLQuery2", Title: "MLDv2 - Multicast Listener Query",
	Virtual: []*packet.Virtual{icmp6Reserved(6, 8),
		{WS: "icmpv6.mld.maximum_response_code", Type: packet.Uint, Bits: 32,
			Need: 6, Get: func(l *packet.Layer) (packet.Value, bool) {
				return packet.Value{U: mldExp(uint64(l.Data[4])<<8|uint64(l.Data[5]), 16)}, true
			}},
		{WS: "icmpv6.mld.flag", Type: packet.Uint, Bits: 8, Base: packet.Hex,
			Need: 25, Get: func(l *packet.Layer) (packet.Value, bool) { return packet.Value{U: uint64(l.Data[24])}, true }},
		{WS: "icmpv6.mld.qqi", Type: packet.Uint, Bits: 16,
			Need: 26, Get: func(l *packet.Layer) (packet.Value, bool) {
				return packet.Value{U: mldExp(uint64(l.Data[25]), 8)}, true
			}},
	},
	Auto: func(b *packet.BuildLayer) {
		b.SetAuto("sources_number", uint64(len(b.Value("sources").B)/16))
		icmp6ChecksumAuto(b)
	},
}, 130, append(mldV1Fields(10000, ""), // the delay is a code, shown decoded
	&packet.Field{Name: "Resv", WS: "icmpv6.mld.flag.reserved", Type: packet.Uint, Bits: 4},
	&packet.Field{Name: "S", WS: "icmpv6.mld.flag.s", Type: packet.Uint, Bits: 1},
	&packet.Field{Name: "QRV", WS: "icmpv6.mld.flag.qrv", Type: packet.Uint, Bits: 3},
	&packet.Field{Name: "QQIC", Type: packet.Uint, Bits: 8},
	&packet.Field{Name: "sources_number", WS: "icmpv6.mld.nb_sources", Type: packet.Uint, Bits: 16, Auto: true},
	addr6List("sources", mldSource, nil, func(l *packet.Layer) int { return int(l.Data[26])<<8 | int(l.Data[27]) }),
)...)

// ICMPv6MLDMultAddrRec is one Multicast Address Record of an MLDv2 Report.
var ICMPv6MLDMultAddrRec = packet.Register(&packet.Protocol{
	Name: "ICMPv6MLDMultAddrRec", Title: "ICMPv6 MLDv2 - Multicast Address Record", Element: true,
	Fields: []*packet.Field{
		{Name: "rtype", WS: "icmpv6.mldr.mar.record_type", Type: packet.Uint, Bits: 8, Default: 4},
		{Name: "auxdata_len", WS: "icmpv6.mldr.mar.aux_data_len", Type: packet.Uint, Bits: 8, Auto: true},
		{Name: "sources_number", WS: "icmpv6.mldr.mar.nb_sources", Type: packet.Uint, Bits: 16, Auto: true},
		{Name: "dst", WS: "icmpv6.mldr.mar.multicast_address", Type: packet.IPv6, DefaultBytes: make([]byte, 16)},
		addr6List("sources", mldRecSource, nil, func(l *packet.Layer) int { return int(l.Data[2])<<8 | int(l.Data[3]) }),
		{Name: "auxdata", Type: packet.Bytes, Len: func(l *packet.Layer) int { return int(l.Data[1]) * 4 }},
	},
	Virtual: []*packet.Virtual{{WS: "icmpv6.mldr.mar.auxiliary_data", Type: packet.Bytes,
		Need: 2, Get: func(l *packet.Layer) (packet.Value, bool) {
			n := int(l.Data[1]) * 4
			if n == 0 || n > len(l.Data) {
				return packet.Value{}, false
			}
			return packet.Value{B: l.Data[len(l.Data)-n:]}, true
		}}},
	Auto: func(b *packet.BuildLayer) {
		b.SetAuto("sources_number", uint64(len(b.Value("sources").B)/16))
		b.SetAuto("auxdata_len", uint64(len(b.Value("auxdata").B)/4))
	},
})

// ICMPv6MLReport2 is an MLDv2 Multicast Listener Report (type 143).
var ICMPv6MLReport2 = icmp6Code(&packet.Protocol{
	Name: "ICMPv6MLReport2", Title: "MLDv2 - Multicast Listener Report",
	Virtual: []*packet.Virtual{icmp6Reserved(4, 6)},
	Auto: func(b *packet.BuildLayer) {
		b.SetAuto("records_number", uint64(countElems(b.Spec, "records")))
		icmp6ChecksumAuto(b)
	},
}, 143, "res", nil,
	&packet.Field{Name: "reserved", Type: packet.Uint, Bits: 16},
	&packet.Field{Name: "records_number", WS: "icmpv6.mldr.nb_mcast_records", Type: packet.Uint, Bits: 16, Auto: true},
	&packet.Field{Name: "records", Type: packet.List, Elems: []*packet.Protocol{ICMPv6MLDMultAddrRec},
		Elem:  func([]byte) *packet.Protocol { return ICMPv6MLDMultAddrRec },
		Count: func(l *packet.Layer) int { return int(l.Data[6])<<8 | int(l.Data[7]) }},
)

// countElems returns how many elements a built list field holds.
func countElems(s *packet.Spec, name string) int {
	v, _ := s.Get(name)
	return len(v.List)
}
