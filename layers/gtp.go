package layers

import (
	"encoding/binary"
	"strconv"

	"pktkit/packet"
)

// gtpOpt is an optional GTP header field (Scapy's ConditionalField): size
// bytes when one of the flag bits under mask in the first byte is set, else
// absent. It shows as a number, "None" when absent.
type gtpOpt struct {
	size int
	mask byte
	hex  bool
}

func (c gtpOpt) Size(l *packet.Layer, _ []byte) int {
	if l.Data[0]&c.mask != 0 {
		return c.size
	}
	return 0
}

func (c gtpOpt) Format(dst []byte, _ *packet.Layer, raw []byte) []byte {
	if len(raw) == 0 {
		return append(dst, "None"...)
	}
	if c.hex {
		return strconv.AppendUint(append(dst, "0x"...), tunUint(raw), 16)
	}
	return strconv.AppendUint(dst, tunUint(raw), 10)
}

func (c gtpOpt) Parse(s string) ([]byte, error) {
	u, err := strconv.ParseUint(s, 0, c.size*8)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, u)
	return b[8-c.size:], nil
}

// gtpOptField declares an optional field; when crafting it is there (zero)
// when one of the named flags is set in the spec, or when given a value.
func gtpOptField(name string, c gtpOpt, flags ...string) *packet.Field {
	return &packet.Field{Name: name, Type: packet.Custom, Codec: c, DefaultText: "None",
		BuildDefault: func(s *packet.Spec) []byte {
			for _, f := range flags {
				if v, _ := s.Get(f); v.U != 0 {
					return make([]byte, c.size)
				}
			}
			return nil
		}}
}

// gtpMessageTypes are GTPv1 message types with Scapy's names.
var gtpMessageTypes = map[uint64]string{
	1: "echo_request", 2: "echo_response", 16: "create_pdp_context_req", 17: "create_pdp_context_res",
	18: "update_pdp_context_req", 19: "update_pdp_context_resp", 20: "delete_pdp_context_req",
	21: "delete_pdp_context_res", 26: "error_indication", 27: "pdu_notification_req",
	31: "supported_extension_headers_notification", 254: "end_marker", 255: "g_pdu",
}

// gtpExtTypes are extension header types with Scapy's names.
var gtpExtTypes = map[uint64]string{
	0: "No more extension headers", 1: "Reserved", 2: "Reserved", 64: "UDP Port",
	133: "PDU Session Container", 192: "PDCP PDU Number", 193: "Reserved", 194: "Reserved",
}

// gtpOptVirtual is a Wireshark field of the optional word (sequence number,
// N-PDU number, next extension header type), shown when its own flag is
// set.
func gtpOptVirtual(ws string, flag byte, off, width int) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.Uint, Bits: width * 8, Base: packet.Hex,
		Get: func(l *packet.Layer) (packet.Value, bool) {
			if l.Data[0]&flag == 0 || off+width > len(l.Data) {
				return packet.Value{}, false
			}
			return packet.Value{U: tunUint(l.Data[off : off+width])}, true
		}}
}

// gtpv1Fields are the fields of a GTPv1 header (3GPP TS 29.060), shared by
// GTP-U and GTP-C.
func gtpv1Fields() []*packet.Field {
	return []*packet.Field{
		{Name: "version", WS: "gtp.flags.version", Type: packet.Uint, Bits: 3, Default: 1},
		{Name: "PT", WS: "gtp.flags.payload", Type: packet.Uint, Bits: 1, Default: 1},
		{Name: "reserved", WS: "gtp.flags.reserved", Type: packet.Uint, Bits: 1},
		{Name: "E", WS: "gtp.flags.e", Type: packet.Uint, Bits: 1},
		{Name: "S", WS: "gtp.flags.s", Type: packet.Uint, Bits: 1},
		{Name: "PN", WS: "gtp.flags.pn", Type: packet.Uint, Bits: 1},
		{Name: "gtp_type", WS: "gtp.message", Type: packet.Uint, Bits: 8, Enum: gtpMessageTypes, Base: packet.Hex},
		{Name: "length", WS: "gtp.length", Type: packet.Uint, Bits: 16, Auto: true},
		{Name: "teid", WS: "gtp.teid", Type: packet.Uint, Bits: 32, Base: packet.Hex},
		gtpOptField("seq", gtpOpt{2, 7, true}, "E", "S", "PN"),
		gtpOptField("npdu", gtpOpt{1, 7, false}, "E", "S", "PN"),
		gtpOptField("next_ex", gtpOpt{1, 7, false}, "E", "S", "PN"),
	}
}

func gtpv1Virtual() []*packet.Virtual {
	return []*packet.Virtual{
		{WS: "gtp.flags", Type: packet.Uint, Bits: 8, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[0])}, true
		}},
		gtpOptVirtual("gtp.seq_number", 2, 8, 2),
		gtpOptVirtual("gtp.npdu_number", 1, 10, 1),
		gtpOptVirtual("gtp.ext_hdr.next", 4, 11, 1),
	}
}

// gtpDispatch picks the header layout by the first byte, as Wireshark
// does: version 2 is GTPv2; otherwise protocol type 0 is GTP' (a 20-byte
// GTP' header stays data), and the version picks GTPv0 or v1 (the bound
// table).
func gtpDispatch(b []byte) *packet.Protocol {
	v := b[0] >> 5
	switch {
	case v == 2:
		return GTPv2Header
	case v > 2 || len(b) < 2 || !gtpKnownMessages[b[1]]:
		return packet.Raw
	case b[0]&0x10 == 0 && b[0]&1 == 0:
		return GTPPrime
	case b[0]&0x10 == 0:
		return packet.Raw
	case v == 0:
		return GTPv0
	}
	return nil
}

// gtpKnownMessages are the message types Wireshark knows: it reads other
// GTPv0, v1 and GTP' messages as data (a GTPv2 message is read whatever
// its type).
var gtpKnownMessages = func() (m [256]bool) {
	for _, r := range [][2]int{{0x01, 0x07}, {0x10, 0x25}, {0x30, 0x3e}, {0x46, 0x46}, {0x60, 0x69}, {0x70, 0x79},
		{0x80, 0x81}, {0xf0, 0xf1}, {0xfe, 0xff}} {
		for i := r[0]; i <= r[1]; i++ {
			m[i] = true
		}
	}
	return
}()

func gtpBound(l *packet.Layer) int { return 8 + (int(l.Data[2])<<8 | int(l.Data[3])) }

func gtpAuto(b *packet.BuildLayer) {
	b.SetAuto("length", uint64(b.End-b.Start-8))
	// The type of an extension header built above.
	if b.Over != nil && len(b.Value("next_ex").B) == 1 {
		if t, ok := gtpExtTypeOf[b.Over.Spec.Proto]; ok {
			b.SetAuto("next_ex", t)
			b.SetAuto("E", 1)
		}
	}
}

// gtpTPDU picks the protocol of a T-PDU as Wireshark's default heuristic
// does: IPv4 if the first byte is 0x45 to 0x4e, IPv6 if its version is 6;
// anything else is not dissected.
func gtpTPDU(b []byte) *packet.Protocol {
	if len(b) == 0 {
		return nil
	}
	switch {
	case b[0] >= 0x45 && b[0] <= 0x4e:
		return IP
	case b[0]>>4 == 6:
		return tunIPv6.get()
	}
	return nil
}

// gtpNext follows the header: extension headers first, then the T-PDU of a
// G-PDU (message type 0xff). Other messages carry information elements,
// left as data.
func gtpNext(l *packet.Layer) *packet.Protocol {
	if l.Data[0]&4 != 0 && l.HdrLen >= 12 && l.Data[11] != 0 {
		return gtpExtProto(l.Data[11], l.Payload())
	}
	if l.Data[1] == 0xff {
		return gtpTPDU(l.Payload())
	}
	return nil
}

// GTPU is the GPRS Tunnelling Protocol's user plane header (GTPv1-U, UDP
// port 2152), Scapy's GTP_U_Header. Sequence number, N-PDU number and
// next extension header type are present when E, S or PN is set; the
// extension headers follow as layers, then the tunnelled IP packet.
var GTPU = packet.Register(&packet.Protocol{
	Name: "GTP_U_Header", Abbrev: "gtp", Long: "GPRS Tunneling Protocol", Title: "GTP-U Header",
	Fields:   gtpv1Fields(),
	Virtual:  gtpv1Virtual(),
	Dispatch: gtpDispatch,
	Bound:    gtpBound,
	Auto:     gtpAuto,
})

// GTPC is the GPRS Tunnelling Protocol's control plane header (GTPv1-C,
// UDP port 2123), Scapy's GTPHeader; the information elements are left as
// data.
var GTPC = packet.Register(&packet.Protocol{
	Name: "GTPHeader", Abbrev: "gtp", Long: "GPRS Tunneling Protocol", Title: "GTP-C Header",
	Fields:   gtpv1Fields(),
	Virtual:  gtpv1Virtual(),
	Dispatch: gtpDispatch,
	Bound:    gtpBound,
	Auto:     gtpAuto,
})

// GTPv2Header is the GTPv2-C header (3GPP TS 29.274), Scapy's gtp_v2
// GTPHeader: the TEID is present when T is set; with P set another GTPv2
// message follows this one (piggybacking). The information elements are
// kept as bytes (IE_list), the message's length bounding them.
var GTPv2Header = packet.Register(&packet.Protocol{
	Name: "GTPv2Header", Abbrev: "gtpv2", Chain: "gtp:gtpv2", Long: "GPRS Tunneling Protocol V2", Title: "GTP v2 Header",
	Fields: []*packet.Field{
		{Name: "version", WS: "gtpv2.version", Type: packet.Uint, Bits: 3, Default: 2},
		{Name: "P", WS: "gtpv2.p", Type: packet.Uint, Bits: 1},
		{Name: "T", WS: "gtpv2.t", Type: packet.Uint, Bits: 1, Default: 1},
		{Name: "MP", WS: "gtpv2.mp", Type: packet.Uint, Bits: 1},
		{Name: "SPARE1", Type: packet.Uint, Bits: 1},
		{Name: "SPARE2", Type: packet.Uint, Bits: 1},
		{Name: "gtp_type", WS: "gtpv2.message_type", Type: packet.Uint, Bits: 8},
		{Name: "length", WS: "gtpv2.msg_length", Type: packet.Uint, Bits: 16, Auto: true},
		gtpOptField("teid", gtpOpt{4, 8, true}, "T"),
		{Name: "seq", WS: "gtpv2.seq", Type: packet.Uint, Bits: 24, Base: packet.Hex},
		{Name: "msg_priority", Type: packet.Uint, Bits: 4},
		{Name: "SPARE3", Type: packet.Uint, Bits: 4},
		{Name: "IE_list", Type: packet.Bytes, Len: func(l *packet.Layer) int {
			return 4 + (int(l.Data[2])<<8 | int(l.Data[3])) - gtpv2Last(l) - 1
		}},
	},
	Virtual: []*packet.Virtual{
		{WS: "gtpv2.flags", Type: packet.Uint, Bits: 8, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[0])}, true
		}},
		{WS: "gtpv2.teid", Type: packet.Uint, Bits: 32, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			if l.Data[0]&8 == 0 || len(l.Data) < 8 {
				return packet.Value{}, false
			}
			return packet.Value{U: uint64(binary.BigEndian.Uint32(l.Data[4:8]))}, true
		}},
		{WS: "gtpv2.spare", Type: packet.Uint, Bits: 16, Get: func(l *packet.Layer) (packet.Value, bool) {
			// With MP set, Wireshark shows the priority as a second
			// gtpv2.mp (not reproduced) and no spare.
			o := gtpv2Last(l)
			if o >= len(l.Data) || l.Data[0]&4 != 0 {
				return packet.Value{}, false
			}
			return packet.Value{U: uint64(l.Data[o])}, true
		}},
	},
	Bound: func(l *packet.Layer) int {
		if l.Data[0]&0x10 != 0 {
			return -1 // piggybacked: the next message follows
		}
		return 4 + (int(l.Data[2])<<8 | int(l.Data[3]))
	},
	Auto: func(b *packet.BuildLayer) { b.SetAuto("length", uint64(b.End-b.Start-4)) },
})

// gtpTID reads GTPv0's tunnel identifier, BCD digits low nibble first;
// Wireshark ends it at a 0xf filler and shows other non-digits as spaces.
type gtpTID struct{}

func (gtpTID) Size(*packet.Layer, []byte) int { return 8 }

func (gtpTID) Format(dst []byte, _ *packet.Layer, raw []byte) []byte {
	for _, b := range raw {
		for _, n := range [2]byte{b & 15, b >> 4} {
			switch {
			case n == 15:
				return dst
			case n > 9:
				dst = append(dst, ' ')
			default:
				dst = append(dst, '0'+n)
			}
		}
	}
	return dst
}

func (gtpTID) Parse(s string) ([]byte, error) {
	b := make([]byte, 8)
	for i := range b {
		b[i] = 0xff
	}
	for i := 0; i < len(s) && i < 16; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return nil, strconv.ErrSyntax
		}
		if i%2 == 0 {
			b[i/2] = 0xf0 | (c - '0')
		} else {
			b[i/2] = b[i/2]&15 | (c-'0')<<4
		}
	}
	return b, nil
}

// GTPv0 is the GTP version 0 header (GSM 09.60, UDP port 3386, 20 bytes
// with the flow label and tunnel identifier); a T-PDU follows a G-PDU.
// Scapy has no table for it.
var GTPv0 = packet.Register(&packet.Protocol{
	Name: "GTPv0Header", Abbrev: "gtp", Long: "GPRS Tunneling Protocol", Title: "GTP v0 Header",
	Fields: []*packet.Field{
		{Name: "version", WS: "gtp.flags.version", Type: packet.Uint, Bits: 3},
		{Name: "PT", WS: "gtp.flags.payload", Type: packet.Uint, Bits: 1, Default: 1},
		{Name: "reserved", WS: "gtp.flags.reserved", Type: packet.Uint, Bits: 3, Default: 7},
		{Name: "SNN", WS: "gtp.flags.snn", Type: packet.Uint, Bits: 1},
		{Name: "gtp_type", WS: "gtp.message", Type: packet.Uint, Bits: 8, Enum: gtpMessageTypes, Base: packet.Hex},
		{Name: "length", WS: "gtp.length", Type: packet.Uint, Bits: 16, Auto: true},
		{Name: "seq", WS: "gtp.seq_number", Type: packet.Uint, Bits: 16, Base: packet.Hex, Hex: true},
		{Name: "flow_label", WS: "gtp.flow_label", Type: packet.Uint, Bits: 16, Base: packet.Hex, Hex: true},
		{Name: "sndcp", WS: "gtp.sndcp_number", Type: packet.Uint, Bits: 8, Default: 0xff, Base: packet.Hex, Hex: true},
		{Name: "spare", Type: packet.Uint, Bits: 24, Default: 0xffffff, Hex: true},
		{Name: "tid", WS: "gtp.tid", Type: packet.Custom, Codec: gtpTID{}, DefaultBytes: make([]byte, 8), DefaultText: "0000000000000000"},
	},
	Virtual: []*packet.Virtual{{WS: "gtp.flags", Type: packet.Uint, Bits: 8, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
		return packet.Value{U: uint64(l.Data[0])}, true
	}}},
	Bound: func(l *packet.Layer) int { return 20 + (int(l.Data[2])<<8 | int(l.Data[3])) },
	Next: func(l *packet.Layer) *packet.Protocol {
		if l.Data[1] == 0xff {
			return gtpTPDU(l.Payload())
		}
		return nil
	},
	Auto: func(b *packet.BuildLayer) { b.SetAuto("length", uint64(b.End-b.Start-20)) },
})

// GTPPrime is the 6-byte header of GTP' (3GPP TS 32.295, charging data
// transfer): protocol type 0. The records are left as data.
var GTPPrime = packet.Register(&packet.Protocol{
	Name: "GTPPrimeHeader", Abbrev: "gtpprime", Long: "GPRS Tunneling Protocol Prime", Title: "GTP' Header",
	Fields: []*packet.Field{
		{Name: "version", WS: "gtp.prim.flags.version", Type: packet.Uint, Bits: 3, Default: 2},
		{Name: "PT", WS: "gtp.flags.payload", Type: packet.Uint, Bits: 1},
		{Name: "reserved", WS: "gtp.flags.reserved", Type: packet.Uint, Bits: 3, Default: 7},
		{Name: "hdr_length", Type: packet.Uint, Bits: 1},
		{Name: "gtp_type", WS: "gtp.message", Type: packet.Uint, Bits: 8, Base: packet.Hex},
		{Name: "length", WS: "gtp.length", Type: packet.Uint, Bits: 16, Auto: true},
		{Name: "seq", WS: "gtp.seq_number", Type: packet.Uint, Bits: 16, Base: packet.Hex, Hex: true},
	},
	Virtual: []*packet.Virtual{{WS: "gtp.flags", Type: packet.Uint, Bits: 8, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
		return packet.Value{U: uint64(l.Data[0])}, true
	}}},
	Bound: func(l *packet.Layer) int { return 6 + (int(l.Data[2])<<8 | int(l.Data[3])) },
	Auto:  func(b *packet.BuildLayer) { b.SetAuto("length", uint64(b.End-b.Start-6)) },
})

// gtpv2Last is the offset of the header's last byte (priority and spare).
func gtpv2Last(l *packet.Layer) int {
	if l.Data[0]&8 != 0 {
		return 11
	}
	return 7
}

// GTP extension headers (TS 29.281 section 5.2), each a layer of its own
// as in Scapy: a length in 4-byte words, the content, the next type.
func gtpExt(name, title string, typ uint64, virt []*packet.Virtual, fields ...*packet.Field) *packet.Protocol {
	fs := []*packet.Field{{Name: "length", WS: "gtp.ext_hdr.length", Type: packet.Uint, Bits: 8, Default: 1, Auto: true}}
	fs = append(fs, fields...)
	fs = append(fs, &packet.Field{Name: "next_ex", WS: "gtp.ext_hdr.next", Type: packet.Uint, Bits: 8, Enum: gtpExtTypes, Base: packet.Hex})
	p := packet.Register(&packet.Protocol{
		Name: name, Long: title, Title: title, Fields: fs, Virtual: virt,
		Check: func(l *packet.Layer) string {
			if l.Data[0] == 0 {
				return "GTP extension header length is zero"
			}
			return ""
		},
		Auto: func(b *packet.BuildLayer) {
			b.SetAuto("length", uint64(b.HdrEnd-b.Start)/4)
			if b.Over != nil {
				if t, ok := gtpExtTypeOf[b.Over.Spec.Proto]; ok {
					b.SetAuto("next_ex", t)
				}
			}
		},
	})
	if typ != 0 {
		gtpExtTypeOf[p] = typ
	}
	gtpExts = append(gtpExts, p)
	return p
}

// gtpExtContent is the Len rule of an extension header's content: its
// length in words, less the length and next-type bytes.
func gtpExtContent(less int) func(l *packet.Layer) int {
	return func(l *packet.Layer) int { return int(l.Data[0])*4 - 2 - less }
}

var (
	gtpExtTypeOf = map[*packet.Protocol]uint64{}
	gtpExts      []*packet.Protocol
)

var (
	gtpExtUDPPort = gtpExt("GTP_UDPPort_ExtensionHeader", "GTP UDP Port Extension Header", 0x40, nil,
		&packet.Field{Name: "udp_port", WS: "gtp.ext_hdr.udp_port", Type: packet.Uint, Bits: 16})
	gtpExtPDCP = gtpExt("GTP_PDCP_PDU_ExtensionHeader", "GTP PDCP PDU Extension Header", 0xc0, nil,
		&packet.Field{Name: "pdcp_pdu", WS: "gtp.ext_hdr.pdcp_sn", Type: packet.Uint, Bits: 16})
	gtpExtRAN = gtpExt("GTP_RANContainer_ExtensionHeader", "GTP RAN Container Extension Header", 0x81,
		[]*packet.Virtual{gtpExtContainer("gtp.ext_hdr.ran_cont")},
		&packet.Field{Name: "data", Type: packet.Bytes, Len: gtpExtContent(0)})
	gtpExtXwRAN = gtpExt("GTP_XwRANContainer_ExtensionHeader", "GTP Xw RAN Container Extension Header", 0x82,
		[]*packet.Virtual{gtpExtContainer("gtp.ext_hdr.xw_ran_cont")},
		&packet.Field{Name: "data", Type: packet.Bytes, Len: gtpExtContent(0)})
	gtpExtGeneric = gtpExt("GTP_ExtensionHeader", "GTP Extension Header", 0, nil,
		&packet.Field{Name: "data", Type: packet.Bytes, Len: gtpExtContent(0)})
	// GTPPDUSessionContainer is the 5G PDU session container (TS 38.415),
	// with the first two content bytes as fields and the rest as data.
	gtpExtPDUSession = gtpExt("GTPPDUSessionContainer", "GTP PDU Session Container", 0x85,
		[]*packet.Virtual{
			gtpPDUSessionDL("gtp.ext_hdr.pdu_ses_cont.ppp", 2, 0x80, false),
			gtpPDUSessionDL("gtp.ext_hdr.pdu_ses_cont.rqi", 2, 0x40, false),
			gtpPDUSessionDL("gtp.ext_hdr.pdu_ses_cont.ppi", 3, 0xe0, true),
		},
		&packet.Field{Name: "type", WS: "gtp.ext_hdr.pdu_ses_con.pdu_type", Type: packet.Uint, Bits: 4,
			Enum: map[uint64]string{0: "DL PDU SESSION INFORMATION", 1: "UL PDU SESSION INFORMATION"}},
		&packet.Field{Name: "flags", Type: packet.Uint, Bits: 4},
		&packet.Field{Name: "PPP", Type: packet.Uint, Bits: 1},
		&packet.Field{Name: "RQI", Type: packet.Uint, Bits: 1},
		&packet.Field{Name: "QFI", WS: "gtp.ext_hdr.pdu_ses_con.qos_flow_id", Type: packet.Uint, Bits: 6},
		&packet.Field{Name: "data", Type: packet.Bytes, Len: gtpExtContent(2)},
	)
)

// gtpExtContainer is a RAN container as Wireshark shows it: the content
// and the next-type byte after it.
func gtpExtContainer(ws string) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.Bytes, Get: func(l *packet.Layer) (packet.Value, bool) {
		if n := int(l.Data[0]) * 4; n <= len(l.Data) {
			return packet.Value{B: l.Data[1:n]}, true
		}
		return packet.Value{}, false
	}}
}

// gtpPDUSessionDL reads a bit of a downlink PDU session container.
func gtpPDUSessionDL(ws string, off int, mask byte, ppi bool) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.Uint, Bits: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
		if l.Data[1]>>4 != 0 || off >= len(l.Data) || (ppi && l.Data[2]&0x80 == 0) || off >= int(l.Data[0])*4-1 {
			return packet.Value{}, false
		}
		v := l.Data[off] & mask
		for m := mask; m&1 == 0; m >>= 1 {
			v >>= 1
		}
		return packet.Value{U: uint64(v)}, true
	}}
}

func gtpExtProto(t byte, b []byte) *packet.Protocol {
	var p *packet.Protocol
	switch t {
	case 0x40:
		p = gtpExtUDPPort
	case 0xc0:
		p = gtpExtPDCP
	case 0x81:
		p = gtpExtRAN
	case 0x82:
		p = gtpExtXwRAN
	case 0x85:
		p = gtpExtPDUSession
	default:
		return gtpExtGeneric
	}
	if len(b) > 0 && int(b[0])*4 < p.StaticLen() {
		return gtpExtGeneric // too short for its fields
	}
	if (t == 0x40 || t == 0xc0) && len(b) > 0 && b[0] != 1 {
		return gtpExtGeneric
	}
	return p
}

// gtpExtNext follows an extension header: another one, or the T-PDU when
// the GTP header below says G-PDU.
func gtpExtNext(l *packet.Layer) *packet.Protocol {
	if t := l.Data[l.HdrLen-1]; t != 0 {
		return gtpExtProto(t, l.Payload())
	}
	for par := l.Parent(); par != nil; par = par.Parent() {
		if par.Proto == GTPU || par.Proto == GTPC {
			if par.Data[1] == 0xff {
				return gtpTPDU(l.Payload())
			}
			return nil
		}
	}
	return nil
}

func init() {
	// Hooks that refer back to the tables are set here (no initialisation
	// cycle).
	GTPU.Next, GTPC.Next = gtpNext, gtpNext
	for _, p := range gtpExts {
		p.Next = gtpExtNext
		// Extension headers come with a G-PDU when building; the optional
		// word must be there for them (set E, S or PN).
		packet.Bind(GTPU, "gtp_type", 0xff, p)
	}
	GTPv2Header.Next = func(l *packet.Layer) *packet.Protocol {
		// Wireshark reads a piggybacked message only when its length
		// field is there.
		if l.Data[0]&0x10 != 0 && len(l.Payload()) >= 4 {
			return GTPv2Header
		}
		return nil
	}
	bindPort(UDP, 2152, GTPU)
	bindPort(UDP, 2123, GTPC)
	bindPort(TCP, 2123, GTPC) // Wireshark's GTP over TCP
	bindPort(TCP, 2152, GTPU)
	bindPort(UDP, 3386, GTPv0)
	// On GTPv0's port, v1 and v2 headers and GTP' are read as such.
	GTPv0.Dispatch = func(b []byte) *packet.Protocol {
		switch q := gtpDispatch(b); {
		case q == nil:
			return GTPC
		case q == GTPv2Header:
			return packet.Raw // Wireshark's GTP' port reads no GTPv2
		default:
			return q
		}
	}
	packet.Bind(GTPU, "gtp_type", 0xff, IP)
	if v6 := tunIPv6.get(); v6 != nil {
		packet.Bind(GTPU, "gtp_type", 0xff, v6)
	}
	packet.Alias("gtp.teid_u", "gtp.teid")
}
