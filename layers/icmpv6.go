package layers

import (
	"strconv"

	"pktkit/packet"
)

// icmp6Types are ICMPv6 message types with Scapy's names (icmp6types).
var icmp6Types = map[uint64]string{
	1: "Destination unreachable", 2: "Packet too big", 3: "Time exceeded", 4: "Parameter problem",
	100: "Private Experimentation", 101: "Private Experimentation", 128: "Echo Request", 129: "Echo Reply",
	130: "MLD Query", 131: "MLD Report", 132: "MLD Done", 133: "Router Solicitation",
	134: "Router Advertisement", 135: "Neighbor Solicitation", 136: "Neighbor Advertisement",
	137: "Redirect Message", 138: "Router Renumbering", 139: "ICMP Node Information Query",
	140: "ICMP Node Information Response", 141: "Inverse Neighbor Discovery Solicitation Message",
	142: "Inverse Neighbor Discovery Advertisement Message", 143: "MLD Report Version 2",
	144: "Home Agent Address Discovery Request Message", 145: "Home Agent Address Discovery Reply Message",
	146: "Mobile Prefix Solicitation", 147: "Mobile Prefix Advertisement",
	148: "Certification Path Solicitation", 149: "Certification Path Advertisement",
	151: "Multicast Router Advertisement", 152: "Multicast Router Solicitation",
	153: "Multicast Router Termination", 155: "RPL Control Message",
	200: "Private Experimentation", 201: "Private Experimentation",
}

// Code names of the error messages, as Scapy has them.
var (
	icmp6UnreachCodes = map[uint64]string{0: "No route to destination",
		1: "Communication with destination administratively prohibited", 2: "Beyond scope of source address",
		3: "Address unreachable", 4: "Port unreachable"}
	icmp6TimeExCodes    = map[uint64]string{0: "hop limit exceeded in transit", 1: "fragment reassembly time exceeded"}
	icmp6ParamProbCodes = map[uint64]string{0: "erroneous header field encountered",
		1: "unrecognized Next Header type encountered", 2: "unrecognized IPv6 option encountered",
		3: "first fragment has incomplete header chain"}
)

// icmp6Header returns the type, code and checksum fields every ICMPv6
// message starts with.
func icmp6Header(typ uint64, codeName string, codes map[uint64]string) []*packet.Field {
	return []*packet.Field{
		{Name: "type", WS: "icmpv6.type", Type: packet.Uint, Bits: 8, Default: typ, Enum: icmp6Types},
		{Name: codeName, WS: "icmpv6.code", Type: packet.Uint, Bits: 8, Enum: codes},
		{Name: "cksum", WS: "icmpv6.checksum", Type: packet.Uint, Bits: 16, Base: packet.Hex, Hex: true, Auto: true},
	}
}

// icmp6 completes and registers an ICMPv6 message table: the common header
// before fields, the checksum, the long name.
func icmp6(p *packet.Protocol, typ uint64, fields ...*packet.Field) *packet.Protocol {
	return icmp6Code(p, typ, "code", nil, fields...)
}

func icmp6Code(p *packet.Protocol, typ uint64, codeName string, codes map[uint64]string, fields ...*packet.Field) *packet.Protocol {
	p.Fields = append(icmp6Header(typ, codeName, codes), fields...)
	if p.Long == "" {
		p.Long = "Internet Control Message Protocol v6"
	}
	if p.Auto == nil {
		p.Auto = icmp6ChecksumAuto
	}
	if p.Abbrev == "" && p.Chain == "" {
		p.Chain = "icmpv6" // each message type is one protocol in frame.protocols
	}
	return packet.Register(p)
}

// icmp6ChecksumAuto fills the checksum over the message and the IPv6
// pseudo-header (next header 58).
func icmp6ChecksumAuto(b *packet.BuildLayer) {
	if b.IsSet("cksum") {
		return
	}
	h := b.Header()
	h[2], h[3] = 0, 0
	n := b.End - b.Start
	s, ok := b.PseudoSum(58, n)
	if !ok {
		return
	}
	b.SetAuto("cksum", uint64(packet.Fold(packet.Sum(s, b.Bytes()))))
}

// icmp6Reserved is the Wireshark icmpv6.reserved field, a byte string at a
// fixed place of the message.
func icmp6Reserved(from, to int) *packet.Virtual {
	return &packet.Virtual{WS: "icmpv6.reserved", Type: packet.Bytes, Need: to, Get: func(l *packet.Layer) (packet.Value, bool) {
		return packet.Value{B: l.Data[from:to]}, true
	}}
}

// icmp6Handled are the types Wireshark decodes; the body of any other type
// is icmpv6.data.
func icmp6Handled(t byte) bool { return t >= 1 && t <= 4 || t >= 128 && t <= 161 }

// ICMPv6Unknown is the base ICMPv6 table (Scapy's fallback class): it is
// bound under IPv6 next header 58 and picks the message variant by type.
var ICMPv6Unknown = icmp6(&packet.Protocol{
	Name: "ICMPv6Unknown", Abbrev: "icmpv6", Title: "Scapy6 ICMPv6 fallback class",
	Virtual: []*packet.Virtual{{WS: "icmpv6.data", Type: packet.Bytes, Need: 1, Get: func(l *packet.Layer) (packet.Value, bool) {
		if icmp6Handled(l.Data[0]) || len(l.Data) <= 4 {
			return packet.Value{}, false
		}
		return packet.Value{B: l.Data[4:]}, true
	}}},
	Dispatch: func(b []byte) *packet.Protocol {
		if b[0] == 130 && len(b) >= 28 {
			return icmp6MLQuery2
		}
		return icmp6Variants[b[0]]
	},
}, 1, &packet.Field{Name: "msgbody", Type: packet.Bytes, Len: rest})

// icmp6Variants maps a type to its message table (filled by init).
var icmp6Variants = map[byte]*packet.Protocol{}

// icmp6QuoteNext dissects the invoking packet an error message quotes as
// IPv6 when it looks like one (Wireshark's check), else as data.
func icmp6QuoteNext(l *packet.Layer) *packet.Protocol {
	if p := l.Payload(); len(p) > 0 && p[0]>>4 == 6 {
		return IPv6
	}
	return nil
}

// icmp6ErrVirtual are the RFC 4884 length and the reserved bytes of
// Destination Unreachable and Time Exceeded as Wireshark shows them.
func icmp6ErrVirtual() []*packet.Virtual {
	return []*packet.Virtual{
		{WS: "icmpv6.length", Type: packet.Uint, Bits: 8, Need: 5, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[4])}, l.Data[4] != 0
		}},
		{WS: "icmpv6.reserved", Type: packet.Bytes, Need: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
			if l.Data[4] != 0 {
				return packet.Value{B: l.Data[5:8]}, true
			}
			return packet.Value{B: l.Data[4:8]}, true
		}},
	}
}

// ICMPv6 error messages (RFC 4443 section 3): each quotes the invoking
// packet, dissected as IPv6.
var (
	// ICMPv6DestUnreach is Destination Unreachable (type 1).
	ICMPv6DestUnreach = icmp6Code(&packet.Protocol{
		Name: "ICMPv6DestUnreach", Title: "ICMPv6 Destination Unreachable",
		Virtual: icmp6ErrVirtual(), Next: icmp6QuoteNext,
	}, 1, "code", icmp6UnreachCodes,
		&packet.Field{Name: "length", Type: packet.Uint, Bits: 8},
		&packet.Field{Name: "unused", Type: packet.Uint, Bits: 24, Hex: true})
	// ICMPv6PacketTooBig is Packet Too Big (type 2).
	ICMPv6PacketTooBig = icmp6(&packet.Protocol{
		Name: "ICMPv6PacketTooBig", Title: "ICMPv6 Packet Too Big", Next: icmp6QuoteNext,
	}, 2, &packet.Field{Name: "mtu", WS: "icmpv6.mtu", Type: packet.Uint, Bits: 32, Default: 1280})
	// ICMPv6TimeExceeded is Time Exceeded (type 3).
	ICMPv6TimeExceeded = icmp6Code(&packet.Protocol{
		Name: "ICMPv6TimeExceeded", Title: "ICMPv6 Time Exceeded",
		Virtual: icmp6ErrVirtual(), Next: icmp6QuoteNext,
	}, 3, "code", icmp6TimeExCodes,
		&packet.Field{Name: "length", Type: packet.Uint, Bits: 8},
		&packet.Field{Name: "unused", Type: packet.Uint, Bits: 24, Hex: true})
	// ICMPv6ParamProblem is Parameter Problem (type 4).
	ICMPv6ParamProblem = icmp6Code(&packet.Protocol{
		Name: "ICMPv6ParamProblem", Title: "ICMPv6 Parameter Problem", Next: icmp6QuoteNext,
	}, 4, "code", icmp6ParamProbCodes,
		&packet.Field{Name: "ptr", WS: "icmpv6.pointer", Type: packet.Uint, Bits: 32, Default: 6})
)

// echoVirtual shows an echo message's data as Wireshark's data dissector
// does.
func echoVirtual() []*packet.Virtual {
	return []*packet.Virtual{
		{WS: "data.data", Type: packet.Bytes, Need: 1, Get: func(l *packet.Layer) (packet.Value, bool) {
			b := l.Data[min(8, len(l.Data)):]
			return packet.Value{B: b}, len(b) > 0
		}},
		{WS: "data.len", Type: packet.Uint, Bits: 32, Need: 1, Get: func(l *packet.Layer) (packet.Value, bool) {
			n := len(l.Data) - 8
			return packet.Value{U: uint64(max(n, 0))}, n > 0
		}},
	}
}

func echoSummary(dst []byte, l *packet.Layer) []byte {
	dst = append(dst, l.Proto.Title...)
	dst = append(dst, " (id: 0x"...)
	dst = strconv.AppendUint(dst, uint64(l.Data[4])<<8|uint64(l.Data[5]), 16)
	dst = append(dst, " seq: 0x"...)
	dst = strconv.AppendUint(dst, uint64(l.Data[6])<<8|uint64(l.Data[7]), 16)
	return append(dst, ')')
}

func echoFields() []*packet.Field {
	return []*packet.Field{
		{Name: "id", WS: "icmpv6.echo.identifier", Type: packet.Uint, Bits: 16, Base: packet.Hex, Hex: true},
		{Name: "seq", WS: "icmpv6.echo.sequence_number", Type: packet.Uint, Bits: 16, Hex: true},
		{Name: "data", Type: packet.Bytes, Len: rest},
	}
}

var (
	// ICMPv6EchoRequest is Echo Request (type 128).
	ICMPv6EchoRequest = icmp6(&packet.Protocol{
		Name: "ICMPv6EchoRequest", Title: "ICMPv6 Echo Request", Virtual: echoVirtual(), Summary: echoSummary,
	}, 128, echoFields()...)
	// ICMPv6EchoReply is Echo Reply (type 129).
	ICMPv6EchoReply = icmp6(&packet.Protocol{
		Name: "ICMPv6EchoReply", Title: "ICMPv6 Echo Reply", Virtual: echoVirtual(), Summary: echoSummary,
	}, 129, echoFields()...)
)

// icmp6AllVariants lists every message table (for bindings and Elems).
func icmp6AllVariants() []*packet.Protocol {
	return []*packet.Protocol{ICMPv6Unknown, ICMPv6DestUnreach, ICMPv6PacketTooBig, ICMPv6TimeExceeded,
		ICMPv6ParamProblem, ICMPv6EchoRequest, ICMPv6EchoReply, ICMPv6MLQuery, ICMPv6MLReport, ICMPv6MLDone,
		ICMPv6MLQuery2, ICMPv6MLReport2, ICMPv6ND_RS, ICMPv6ND_RA, ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6ND_Redirect}
}

// icmp6MLQuery2 is ICMPv6MLQuery2, set by init so that the base table does
// not depend on its variants at initialisation.
var icmp6MLQuery2 *packet.Protocol

func init() {
	icmp6MLQuery2 = ICMPv6MLQuery2
	for _, p := range icmp6AllVariants()[1:] {
		if p == ICMPv6MLQuery2 {
			continue
		}
		icmp6Variants[byte(p.Field("type").Default)] = p
	}
	// The base table first: it is the one dissection finds.
	bindNH(58, icmp6AllVariants()...)
	for _, p := range icmp6AllVariants() {
		packet.Bind(IP, "proto", 58, p) // Wireshark decodes ICMPv6 over IPv4 too
	}
	packet.Alias("icmpv6.cksum", "icmpv6.checksum")
	packet.Alias("icmpv6.id", "icmpv6.echo.identifier")
	packet.Alias("icmpv6.seq", "icmpv6.echo.sequence_number")
}
