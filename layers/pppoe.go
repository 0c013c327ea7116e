package layers

import (
	"pktkit/packet"
)

// pppoeFields are the six header bytes shared by PPPoE's session and
// discovery stages (RFC 2516).
func pppoeFields(code uint64, codes map[uint64]string) []*packet.Field {
	return []*packet.Field{
		{Name: "version", WS: "pppoe.version", Type: packet.Uint, Bits: 4, Default: 1},
		{Name: "type", WS: "pppoe.type", Type: packet.Uint, Bits: 4, Default: 1},
		{Name: "code", WS: "pppoe.code", Type: packet.Uint, Bits: 8, Default: code, Enum: codes, Base: packet.Hex},
		{Name: "sessionid", WS: "pppoe.session_id", Type: packet.Uint, Bits: 16, Base: packet.Hex, Hex: true},
		{Name: "len", WS: "pppoe.payload_length", Type: packet.Uint, Bits: 16, Auto: true},
	}
}

// pppoeBound bounds the layer by its payload length; what follows is
// Ethernet padding.
func pppoeBound(l *packet.Layer) int { return 6 + (int(l.Data[4])<<8 | int(l.Data[5])) }

func pppoeAuto(b *packet.BuildLayer) { b.SetAuto("len", uint64(b.End-b.HdrEnd)) }

// pppoedCodes are the discovery codes with Scapy's names.
var pppoedCodes = map[uint64]string{
	0x00: "PPP Session Stage",
	0x09: "PPPoE Active Discovery Initiation (PADI)",
	0x07: "PPPoE Active Discovery Offer (PADO)",
	0x0a: "PPPoE Active Discovery Session-Grant (PADG)",
	0x0b: "PPPoE Active Discovery Session-Credit Response (PADC)",
	0x0c: "PPPoE Active Discovery Quality (PADQ)",
	0x19: "PPPoE Active Discovery Request (PADR)",
	0x65: "PPPoE Active Discovery Session-confirmation (PADS)",
	0xa7: "PPPoE Active Discovery Terminate (PADT)",
}

// PPPoE is PPP over Ethernet's session stage (EtherType 0x8864), Scapy's
// PPPoE: a PPP frame follows whatever the code, as in Wireshark.
var PPPoE = packet.Register(&packet.Protocol{
	Name: "PPPoE", Abbrev: "pppoes", Long: "PPP-over-Ethernet Session", Title: "PPP over Ethernet",
	Fields: pppoeFields(0, map[uint64]string{0: "Session"}),
	Bound:  pppoeBound,
	Next:   func(*packet.Layer) *packet.Protocol { return PPP },
	Auto:   pppoeAuto,
})

// PPPoED is PPP over Ethernet's discovery stage (EtherType 0x8863),
// Scapy's PPPoED; its tags follow as PPPoED_Tags.
var PPPoED = packet.Register(&packet.Protocol{
	Name: "PPPoED", Abbrev: "pppoed", Long: "PPP-over-Ethernet Discovery", Title: "PPP over Ethernet Discovery",
	Fields: pppoeFields(0x09, pppoedCodes),
	Bound:  pppoeBound,
	Next:   func(*packet.Layer) *packet.Protocol { return PPPoEDTags },
	Summary: func(dst []byte, l *packet.Layer) []byte {
		if n, ok := pppoedCodes[uint64(l.Data[1])]; ok {
			return append(dst, n...)
		}
		return append(dst, "PPPoED"...)
	},
	Auto: pppoeAuto,
})

// pppoeTagNames are the tag types with Scapy's names.
var pppoeTagNames = map[uint64]string{
	0x0000: "End-Of-List", 0x0101: "Service-Name", 0x0102: "AC-Name", 0x0103: "Host-Uniq", 0x0104: "AC-Cookie",
	0x0105: "Vendor-Specific", 0x0106: "Credits", 0x0107: "Metrics", 0x0108: "Sequence Number",
	0x0109: "Credit Scale Factor", 0x0110: "Relay-Session-Id", 0x0120: "PPP-Max-Payload",
	0x0201: "Service-Name-Error", 0x0202: "AC-System-Error", 0x0203: "Generic-Error",
}

func pppoeTagLen(l *packet.Layer) int { return int(l.Data[2])<<8 | int(l.Data[3]) }

// pppoeTag declares a tag element: type, length and the value fields.
func pppoeTag(name string, typ uint64, typeWS, lenWS string, fields []*packet.Field, virt ...*packet.Virtual) *packet.Protocol {
	fs := []*packet.Field{
		{Name: "tag_type", WS: typeWS, Type: packet.Uint, Bits: 16, Default: typ, Enum: pppoeTagNames, Base: packet.Hex, Hex: true},
		{Name: "tag_len", WS: lenWS, Type: packet.Uint, Bits: 16, Auto: true},
	}
	return packet.Register(&packet.Protocol{
		Name: name, Title: "PPPoE Tag", Element: true, Fields: append(fs, fields...), Virtual: virt,
		Auto: func(b *packet.BuildLayer) { b.SetAuto("tag_len", uint64(b.HdrEnd-b.Start-4)) },
	})
}

// pppoeValue is a tag's value as Wireshark names it (text or bytes).
func pppoeValue(ws string, t packet.Type) []*packet.Field {
	return []*packet.Field{{Name: "tag_value", WS: ws, Type: t, Len: pppoeTagLen}}
}

func pppoeU16(name, ws string, base packet.Base) *packet.Field {
	return &packet.Field{Name: name, WS: ws, Type: packet.Uint, Bits: 16, Base: base, Hex: base == packet.Hex}
}

// PPPoE tag elements, one table per layout. Wireshark shows a tag's value
// under a field named after its type, and nothing for an empty tag or a
// fixed-size tag of the wrong size (those are PPPoETag, without Wireshark
// names); an unknown tag shows its type, its length and, by a quirk of
// Wireshark 4.0, len bytes starting at the length field.
var (
	pppoeTagGeneric = pppoeTag("PPPoETag", 0, "", "", []*packet.Field{{Name: "tag_value", Type: packet.Bytes, Len: pppoeTagLen}})
	pppoeTagEOL     = pppoeTag("PPPoETag_EOL", 0, "", "", []*packet.Field{{Name: "pad", Type: packet.Bytes, Len: rest}})
	pppoeTagUnknown = pppoeTag("PPPoETag_Unknown", 0xffff, "pppoed.tag", "pppoed.tag_length",
		[]*packet.Field{{Name: "tag_value", Type: packet.Bytes, Len: pppoeTagLen}},
		&packet.Virtual{WS: "pppoed.tag.unknown_data", Type: packet.Bytes, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{B: l.Data[2 : 2+pppoeTagLen(l)]}, true
		}})
	pppoeTagBad = packet.Register(&packet.Protocol{
		Name: "PPPoETag_Malformed", Title: "PPPoE Tag (malformed)", Element: true,
		Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
	})
	pppoeTagSeq    = pppoeTag("PPPoETag_SeqNum", 0x0108, "", "", []*packet.Field{pppoeU16("tag_value", "pppoed.tags.seq_num", packet.Hex)})
	pppoeTagScale  = pppoeTag("PPPoETag_CreditScale", 0x0109, "", "", []*packet.Field{pppoeU16("tag_value", "pppoed.tags.credit_scale", packet.Dec)})
	pppoeTagCredit = pppoeTag("PPPoETag_Credits", 0x0106, "", "", []*packet.Field{
		pppoeU16("fcn", "pppoed.tags.credits.fcn", packet.Dec), pppoeU16("bcn", "pppoed.tags.credits.bcn", packet.Dec)})
	pppoeTagMetrics = pppoeTag("PPPoETag_Metrics", 0x0107, "", "", []*packet.Field{
		{Name: "reserved", Type: packet.Uint, Bits: 11},
		{Name: "mdr_units", WS: "pppoed.tags.metrics.mdr_units", Type: packet.Uint, Bits: 2, Base: packet.Hex, Digits: 4},
		{Name: "cdr_units", WS: "pppoed.tags.metrics.cdr_units", Type: packet.Uint, Bits: 2, Base: packet.Hex, Digits: 4},
		{Name: "r", WS: "pppoed.tags.metrics.r", Type: packet.Uint, Bits: 1},
		{Name: "rlq", WS: "pppoed.tags.metrics.rlq", Type: packet.Uint, Bits: 8},
		{Name: "resource", WS: "pppoed.tags.metrics.resource", Type: packet.Uint, Bits: 8},
		pppoeU16("latency", "pppoed.tags.metrics.latency", packet.Dec),
		pppoeU16("curr_drate", "pppoed.tags.metrics.curr_drate", packet.Dec),
		pppoeU16("max_drate", "pppoed.tags.metrics.max_drate", packet.Dec),
	})
	pppoeTagVendor = pppoeTag("PPPoETag_Vendor", 0x0105, "", "", []*packet.Field{
		{Name: "vendor_id", WS: "pppoed.tags.vendor_id", Type: packet.Uint, Bits: 32},
		{Name: "tag_value", WS: "pppoed.tags.vendor_unspecified", Type: packet.Bytes, Len: func(l *packet.Layer) int { return pppoeTagLen(l) - 4 }},
	})
	// The Broadband Forum's vendor tag (3561) holds sub-tags, kept as bytes.
	pppoeTagBBF = pppoeTag("PPPoETag_VendorBBF", 0x0105, "", "", []*packet.Field{
		{Name: "vendor_id", WS: "pppoed.tags.vendor_id", Type: packet.Uint, Bits: 32, Default: 3561},
		{Name: "tag_value", Type: packet.Bytes, Len: func(l *packet.Layer) int { return pppoeTagLen(l) - 4 }},
	})
	pppoeTagValues = map[uint16]*packet.Protocol{
		0x0101: pppoeTag("PPPoETag_ServiceName", 0x0101, "", "", pppoeValue("pppoed.tags.service_name", packet.String)),
		0x0102: pppoeTag("PPPoETag_ACName", 0x0102, "", "", pppoeValue("pppoed.tags.ac_name", packet.String)),
		0x0103: pppoeTag("PPPoETag_HostUniq", 0x0103, "", "", pppoeValue("pppoed.tags.host_uniq", packet.Bytes)),
		0x0104: pppoeTag("PPPoETag_ACCookie", 0x0104, "", "", pppoeValue("pppoed.tags.ac_cookie", packet.Bytes)),
		0x0110: pppoeTag("PPPoETag_RelaySessionId", 0x0110, "", "", pppoeValue("pppoed.tags.relay_session_id", packet.Bytes)),
		0x0111: pppoeTag("PPPoETag_HURL", 0x0111, "", "", pppoeValue("pppoed.tags.hurl", packet.Bytes)),
		0x0112: pppoeTag("PPPoETag_MOTM", 0x0112, "", "", pppoeValue("pppoed.tags.motm", packet.Bytes)),
		0x0120: pppoeTag("PPPoETag_MaxPayload", 0x0120, "", "", pppoeValue("pppoed.tags.max_payload", packet.Bytes)),
		0x0121: pppoeTag("PPPoETag_IPRouteAdd", 0x0121, "", "", pppoeValue("pppoed.tags.ip_route_add", packet.Bytes)),
		0x0201: pppoeTag("PPPoETag_ServiceNameError", 0x0201, "", "", pppoeValue("pppoed.tags.service_name_error", packet.String)),
		0x0202: pppoeTag("PPPoETag_ACSystemError", 0x0202, "", "", pppoeValue("pppoed.tags.ac_system_error", packet.String)),
		0x0203: pppoeTag("PPPoETag_GenericError", 0x0203, "", "", pppoeValue("pppoed.tags.generic_error", packet.String)),
	}
	// pppoeTagSizes are the sizes of the fixed-size tags.
	pppoeTagSizes = map[uint16]int{0x0106: 4, 0x0107: 10, 0x0108: 2, 0x0109: 2}
	pppoeTagFixed = map[uint16]*packet.Protocol{0x0106: pppoeTagCredit, 0x0107: pppoeTagMetrics, 0x0108: pppoeTagSeq, 0x0109: pppoeTagScale}
)

func pppoeTagElem(b []byte) *packet.Protocol {
	if len(b) < 4 {
		return pppoeTagBad
	}
	t := uint16(b[0])<<8 | uint16(b[1])
	n := int(b[2])<<8 | int(b[3])
	switch {
	case t == 0:
		return pppoeTagEOL // Wireshark stops at the end-of-list tag
	case 4+n > len(b):
		return pppoeTagBad
	case n == 0:
		return pppoeTagGeneric
	}
	if p := pppoeTagValues[t]; p != nil {
		return p
	}
	if p := pppoeTagFixed[t]; p != nil {
		if pppoeTagSizes[t] != n {
			return pppoeTagGeneric
		}
		return p
	}
	if t == 0x0105 {
		switch {
		case n < 4:
			return pppoeTagGeneric
		case b[4] == 0 && b[5] == 0 && b[6] == 0x0d && b[7] == 0xe9:
			return pppoeTagBBF
		}
		return pppoeTagVendor
	}
	return pppoeTagUnknown
}

// PPPoEDTags is the tag list of a discovery packet, Scapy's PPPoED_Tags.
var PPPoEDTags = packet.Register(&packet.Protocol{
	Name: "PPPoED_Tags", Long: "PPPoE Tag List", Title: "PPPoE Tag List",
	Fields: []*packet.Field{
		{Name: "tag_list", Type: packet.List, Elem: pppoeTagElem, Len: rest,
			Elems: []*packet.Protocol{pppoeTagGeneric, pppoeTagEOL, pppoeTagUnknown, pppoeTagBad, pppoeTagSeq,
				pppoeTagScale, pppoeTagCredit, pppoeTagMetrics, pppoeTagVendor, pppoeTagBBF,
				pppoeTagValues[0x0101], pppoeTagValues[0x0102], pppoeTagValues[0x0103], pppoeTagValues[0x0104],
				pppoeTagValues[0x0110], pppoeTagValues[0x0111], pppoeTagValues[0x0112], pppoeTagValues[0x0120],
				pppoeTagValues[0x0121], pppoeTagValues[0x0201], pppoeTagValues[0x0202], pppoeTagValues[0x0203]}},
	},
})

func init() {
	packet.Bind(Ether, "type", 0x8863, PPPoED)
	packet.Bind(Ether, "type", 0x8864, PPPoE)
	packet.Bind(PPPoE, "code", 0, PPP)
	packet.Bind(PPPoED, "type", 1, PPPoEDTags)
	packet.Alias("pppoe.sessionid", "pppoe.session_id")
	packet.Alias("pppoe.len", "pppoe.payload_length")
}
