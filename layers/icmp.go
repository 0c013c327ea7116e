package layers

import (
	"strconv"

	"pktkit/packet"
)

// icmpTypes are ICMP message types with Scapy's names.
var icmpTypes = map[uint64]string{
	0: "echo-reply", 3: "dest-unreach", 4: "source-quench", 5: "redirect", 8: "echo-request",
	9: "router-advertisement", 10: "router-solicitation", 11: "time-exceeded", 12: "parameter-problem",
	13: "timestamp-request", 14: "timestamp-reply", 15: "information-request", 16: "information-response",
	17: "address-mask-request", 18: "address-mask-reply", 30: "traceroute", 31: "datagram-conversion-error",
	32: "mobile-host-redirect", 33: "ipv6-where-are-you", 34: "ipv6-i-am-here",
	35: "mobile-registration-request", 36: "mobile-registration-reply", 37: "domain-name-request",
	38: "domain-name-reply", 39: "skip", 40: "photuris",
	// RFC 8335, which Scapy 2.5 does not name; named in its style.
	42: "extended-echo-request", 43: "extended-echo-reply",
}

// icmpCodes are the code names per type, as Scapy names them.
var icmpCodes = map[uint64]map[uint64]string{
	3: {0: "network-unreachable", 1: "host-unreachable", 2: "protocol-unreachable", 3: "port-unreachable",
		4: "fragmentation-needed", 5: "source-route-failed", 6: "network-unknown", 7: "host-unknown",
		9: "network-prohibited", 10: "host-prohibited", 11: "TOS-network-unreachable",
		12: "TOS-host-unreachable", 13: "communication-prohibited", 14: "host-precedence-violation",
		15: "precedence-cutoff"},
	5:  {0: "network-redirect", 1: "host-redirect", 2: "TOS-network-redirect", 3: "TOS-host-redirect"},
	11: {0: "ttl-zero-during-transit", 1: "ttl-zero-during-reassembly"},
	12: {0: "ip-header-bad", 1: "required-option-missing"},
	40: {0: "bad-spi", 1: "authentication-failed", 2: "decompression-failed", 3: "decryption-failed",
		4: "need-authentification", 5: "need-authorization"},
}

// icmpHead returns the fields every ICMP message starts with; typ is the
// table's default type.
func icmpHead(typ uint64) []*packet.Field {
	return []*packet.Field{
		{Name: "type", WS: "icmp.type", Type: packet.Uint, Bits: 8, Default: typ, Enum: icmpTypes},
		{Name: "code", WS: "icmp.code", Type: packet.Uint, Bits: 8, Enum: icmpCodes[typ]},
		{Name: "chksum", WS: "icmp.checksum", Type: packet.Uint, Bits: 16, Base: packet.Hex, Hex: true, Auto: true},
	}
}

// icmpIDSeq returns the identifier and sequence fields of the query
// messages; ws says whether Wireshark shows them for the type.
func icmpIDSeq(ws bool) []*packet.Field {
	id := &packet.Field{Name: "id", Type: packet.Uint, Bits: 16, Hex: true}
	seq := &packet.Field{Name: "seq", Type: packet.Uint, Bits: 16, Hex: true}
	if ws {
		id.WS, seq.WS = "icmp.ident", "icmp.seq"
	}
	return []*packet.Field{id, seq}
}

// icmpLE are Wireshark's little-endian readings of the identifier and
// sequence number (icmp.ident_le, icmp.seq_le).
func icmpLE() []*packet.Virtual {
	le := func(off int) func(l *packet.Layer) (packet.Value, bool) {
		return func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[off]) | uint64(l.Data[off+1])<<8}, true
		}
	}
	return []*packet.Virtual{
		{WS: "icmp.ident_le", Type: packet.Uint, Bits: 16, Get: le(4)},
		{WS: "icmp.seq_le", Type: packet.Uint, Bits: 16, Get: le(6)},
	}
}

// icmpLength returns Wireshark's RFC 4884 length fields, shown only when the
// length byte (at offset 5) is set.
func icmpLength() []*packet.Virtual {
	return []*packet.Virtual{
		{WS: "icmp.length", Type: packet.Uint, Bits: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[5])}, l.Data[5] != 0
		}},
		{WS: "icmp.length.original_datagram", Type: packet.Uint, Bits: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[5]) * 4}, l.Data[5] != 0
		}},
	}
}

// icmpUnused is Wireshark's icmp.unused for the error messages: the bytes
// after the code-specific fields, which depend on whether the RFC 4884
// length is set. (With a length, Wireshark shows a second unused field
// after it for types 3 and 11; only the first is given here.)
func icmpUnused(l *packet.Layer) (packet.Value, bool) {
	d := l.Data
	switch d[0] {
	case 3:
		if d[5] != 0 {
			return packet.Value{B: d[4:5]}, true
		}
		if d[1] == 4 {
			return packet.Value{B: d[4:6]}, true
		}
		return packet.Value{B: d[4:8]}, true
	case 11:
		if d[5] != 0 {
			return packet.Value{B: d[4:5]}, true
		}
		return packet.Value{B: d[4:8]}, true
	case 12:
		if d[5] != 0 {
			return packet.Value{B: d[6:8]}, true
		}
		return packet.Value{B: d[5:8]}, true
	}
	return packet.Value{}, false
}

func icmpVirtuals(extra ...*packet.Virtual) []*packet.Virtual {
	return append(extra, &packet.Virtual{WS: "icmp.unused", Type: packet.Bytes, Get: icmpUnused})
}

// icmpProto registers one ICMP table: the common head, then fields.
func icmpProto(name string, typ uint64, fields []*packet.Field, virt []*packet.Virtual) *packet.Protocol {
	return packet.Register(&packet.Protocol{
		Name: name, Abbrev: "icmp", Long: "Internet Control Message Protocol", Title: "ICMP",
		Fields:  append(icmpHead(typ), fields...),
		Virtual: virt,
		Next:    icmpNext,
		Bound:   icmpBound,
		Summary: icmpSummary,
		Auto:    icmpAuto,
		Quotes:  true,
	})
}

// ICMP is the Internet Control Message Protocol (RFC 792), Scapy's ICMP.
// This table is the echo and information layout (type, code, checksum,
// identifier, sequence number), the one Scapy builds by default; the other
// message types have their own tables (ICMPDestUnreach, ICMPRedirect, ...),
// all shown as "ICMP", which dissection picks by type. An error message's
// payload (types 3, 4, 5, 11, 12) is the quoted offending datagram,
// dissected as IP.
var ICMP = icmpProto("ICMP", 8, icmpIDSeq(true), icmpLE())

// ICMP message tables by type.
var (
	// ICMPDestUnreach is a destination unreachable message (type 3).
	ICMPDestUnreach = icmpProto("ICMP_DestUnreach", 3, []*packet.Field{
		u("reserved", "", 8),
		u("length", "", 8),
		u("nexthopmtu", "", 16),
	}, icmpVirtuals(append(icmpLength(), &packet.Virtual{WS: "icmp.mtu", Type: packet.Uint, Bits: 16,
		Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[6])<<8 | uint64(l.Data[7])}, l.Data[1] == 4
		}})...))
	// ICMPSourceQuench is a source quench message (type 4), also the
	// layout of router solicitations and of types without a table of their
	// own: four unused bytes.
	ICMPSourceQuench = icmpProto("ICMP_SourceQuench", 4, []*packet.Field{u("unused", "", 32)}, nil)
	// ICMPRedirect is a redirect message (type 5).
	ICMPRedirect = icmpProto("ICMP_Redirect", 5, []*packet.Field{
		{Name: "gw", WS: "icmp.redir_gw", Type: packet.IPv4, DefaultBytes: []byte{0, 0, 0, 0}},
	}, nil)
	// ICMPTimeExceeded is a time exceeded message (type 11).
	ICMPTimeExceeded = icmpProto("ICMP_TimeExceeded", 11, []*packet.Field{
		u("reserved", "", 8),
		u("length", "", 8),
		u("unused", "", 16),
	}, icmpVirtuals(icmpLength()...))
	// ICMPParamProblem is a parameter problem message (type 12).
	ICMPParamProblem = icmpProto("ICMP_ParamProblem", 12, []*packet.Field{
		u("ptr", "icmp.pointer", 8),
		u("length", "", 8),
		u("unused", "", 16),
	}, icmpVirtuals(icmpLength()...))
	// ICMPTimestamp is a timestamp request or reply (types 13, 14); the
	// timestamps are milliseconds since midnight UT.
	ICMPTimestamp = icmpProto("ICMP_Timestamp", 13, append(icmpIDSeq(true),
		u("ts_ori", "icmp.originate_timestamp", 32),
		u("ts_rx", "icmp.receive_timestamp", 32),
		u("ts_tx", "icmp.transmit_timestamp", 32),
	), icmpLE())
	// ICMPAddrMask is an address mask request or reply (types 17, 18).
	ICMPAddrMask = icmpProto("ICMP_AddrMask", 17, append(icmpIDSeq(true),
		&packet.Field{Name: "addr_mask", WS: "icmp.address_mask", Type: packet.IPv4, DefaultBytes: []byte{0, 0, 0, 0}},
	), icmpLE())
	// ICMPRouterAdvert is a router advertisement (type 9, RFC 1256).
	ICMPRouterAdvert = icmpProto("ICMP_RouterAdvert", 9, []*packet.Field{
		{Name: "num_addrs", WS: "icmp.num_addrs", Type: packet.Uint, Bits: 8, Auto: true},
		{Name: "addr_entry_size", WS: "icmp.addr_entry_size", Type: packet.Uint, Bits: 8, Default: 2},
		{Name: "lifetime", WS: "icmp.lifetime", Type: packet.Uint, Bits: 16, Default: 1800},
		{Name: "addrs", Type: packet.List, Elem: func([]byte) *packet.Protocol { return icmpRouterAddr },
			Elems: []*packet.Protocol{icmpRouterAddr},
			Count: func(l *packet.Layer) int {
				if l.Data[5] != 2 {
					return 0 // entries of another size are left as payload, as Wireshark does
				}
				return int(l.Data[4])
			}},
	}, nil)
	// ICMPTraceroute is a traceroute message (type 30, RFC 1393).
	ICMPTraceroute = icmpProto("ICMP_Traceroute", 30, []*packet.Field{
		u("id", "", 16), u("unused", "", 16), u("ohc", "", 16), u("rhc", "", 16),
		u("speed", "", 32), u("mtu", "", 32),
	}, nil)
	// ICMPDomainName is a domain name request or reply (types 37, 38, RFC
	// 1788); a reply's TTL and names follow as payload.
	ICMPDomainName = icmpProto("ICMP_DomainName", 37, icmpIDSeq(false), nil)

	// ICMPExtEcho is an extended echo request or reply (types 42, 43, RFC
	// 8335); the interface identification object follows as padding.
	ICMPExtEcho = icmpProto("ICMP_ExtEcho", 42, []*packet.Field{
		{Name: "id", WS: "icmp.ident", Type: packet.Uint, Bits: 16, Hex: true},
		{Name: "seq", WS: "icmp.ext.echo.seq", Type: packet.Uint, Bits: 8},
		{Name: "flags", Type: packet.Uint, Bits: 8, Hex: true},
	}, icmpLE()[:1])

	icmpRouterAddr = packet.Register(&packet.Protocol{
		Name: "ICMP_RouterAddr", Title: "Router Address", Element: true,
		Fields: []*packet.Field{
			{Name: "router_addr", WS: "icmp.router_address", Type: packet.IPv4, DefaultBytes: []byte{0, 0, 0, 0}},
			{Name: "pref", WS: "icmp.pref_level", Type: packet.Int, Bits: 32},
		},
	})
)

// icmpDispatch picks the table for a message's type.
func icmpDispatch(b []byte) *packet.Protocol {
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case 0, 8, 15, 16:
		return ICMP
	case 3:
		return ICMPDestUnreach
	case 5:
		return ICMPRedirect
	case 9:
		return ICMPRouterAdvert
	case 11:
		return ICMPTimeExceeded
	case 12:
		return ICMPParamProblem
	case 13, 14:
		return ICMPTimestamp
	case 17, 18:
		return ICMPAddrMask
	case 30:
		if len(b) >= 20 {
			return ICMPTraceroute
		}
	case 37, 38:
		return ICMPDomainName
	case 42, 43:
		return ICMPExtEcho
	}
	return ICMPSourceQuench
}

// icmpNext dissects an error message's payload as the quoted IP datagram.
func icmpNext(l *packet.Layer) *packet.Protocol {
	switch l.Data[0] {
	case 3, 4, 5, 11, 12:
		if p := l.Payload(); len(p) > 0 && p[0]>>4 == 4 {
			return IP
		}
	}
	return nil
}

// icmpBound says which bytes the message covers, as Wireshark reads it:
// an echo's data and an error's quoted datagram are payload; a redirect
// quotes only the IP header and 8 bytes; the other types end with their
// fields (a router advertisement with its entries), and any bytes after
// them are padding.
func icmpBound(l *packet.Layer) int {
	switch l.Data[0] {
	case 0, 8, 3, 4, 11, 12:
		return -1
	case 5:
		p := l.Payload()
		if len(p) == 0 {
			return -1
		}
		return l.HdrLen + int(p[0]&15)*4 + 8
	case 9:
		if l.Data[5] != 2 {
			return -1
		}
	}
	return l.HdrLen
}

// icmpSummary is Scapy's "ICMP src > dst type code".
func icmpSummary(dst []byte, l *packet.Layer) []byte {
	dst = append(dst, "ICMP "...)
	if par := l.Parent(); par != nil && par.Proto == IP {
		dst = appendAddr4(dst, par.Data[12:16])
		dst = append(dst, " > "...)
		dst = appendAddr4(dst, par.Data[16:20])
		dst = append(dst, ' ')
	}
	t, c := uint64(l.Data[0]), uint64(l.Data[1])
	if n, ok := icmpTypes[t]; ok {
		dst = append(dst, n...)
	} else {
		dst = strconv.AppendUint(dst, t, 10)
	}
	dst = append(dst, ' ')
	if n, ok := icmpCodes[t][c]; ok {
		return append(dst, n...)
	}
	return strconv.AppendUint(dst, c, 10)
}

// icmpAuto fills the router advertisement's address count and the checksum
// over the whole message.
func icmpAuto(b *packet.BuildLayer) {
	if v, ok := b.Spec.Get("addrs"); ok {
		b.SetAuto("num_addrs", uint64(len(v.List)))
	}
	if b.IsSet("chksum") {
		return
	}
	h := b.Header()
	h[2], h[3] = 0, 0
	b.SetAuto("chksum", uint64(packet.Checksum(b.Bytes())))
}

func init() {
	ICMP.Dispatch = icmpDispatch
	// The first binding is the one dissection uses; the others let a stack
	// built with any ICMP table fill IP's protocol number.
	for _, p := range []*packet.Protocol{ICMP, ICMPDestUnreach, ICMPSourceQuench, ICMPRedirect, ICMPTimeExceeded,
		ICMPParamProblem, ICMPTimestamp, ICMPAddrMask, ICMPRouterAdvert, ICMPTraceroute, ICMPDomainName, ICMPExtEcho} {
		packet.Bind(IP, "proto", 1, p)
	}
	packet.Alias("icmp.chksum", "icmp.checksum")
	packet.Alias("icmp.id", "icmp.ident")
	packet.Alias("icmp.gw", "icmp.redir_gw")
	packet.Alias("icmp.ptr", "icmp.pointer")
	packet.Alias("icmp.nexthopmtu", "icmp.mtu")
	packet.Alias("icmp.ts_ori", "icmp.originate_timestamp")
	packet.Alias("icmp.ts_rx", "icmp.receive_timestamp")
	packet.Alias("icmp.ts_tx", "icmp.transmit_timestamp")
	packet.Alias("icmp.addr_mask", "icmp.address_mask")
}
