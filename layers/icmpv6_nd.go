package layers

import (
	"errors"
	"strconv"
	"strings"

	"pktkit/packet"
)

// Neighbor Discovery (RFC 4861): messages 133-137 and their options.

// ndOptHeader returns an ND option's type and length (in 8-octet units)
// fields.
func ndOptHeader(typ uint64) []*packet.Field {
	return []*packet.Field{
		{Name: "type", WS: "icmpv6.opt.type", Type: packet.Uint, Bits: 8, Default: typ},
		{Name: "len", WS: "icmpv6.opt.length", Type: packet.Uint, Bits: 8, Auto: true},
	}
}

// ndOpt declares an ND option element table.
func ndOpt(p *packet.Protocol, typ uint64, fields ...*packet.Field) *packet.Protocol {
	p.Element = true
	p.Fields = append(ndOptHeader(typ), fields...)
	if p.Auto == nil {
		p.Auto = ndOptLenAuto
	}
	return packet.Register(p)
}

func ndOptLenAuto(b *packet.BuildLayer) { b.SetAuto("len", uint64((b.HdrEnd-b.Start+7)/8)) }

// ndOptBody is the Len rule for an option's bytes after its first n.
func ndOptBody(n int) func(l *packet.Layer) int {
	return func(l *packet.Layer) int { return int(l.Data[1])*8 - n }
}

func llAddrOpt(name, title string, typ uint64, ws string) *packet.Protocol {
	return ndOpt(&packet.Protocol{
		Name: name, Title: title,
		Virtual: []*packet.Virtual{{WS: ws, Type: packet.MAC, Need: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{B: l.Data[2:8]}, true
		}}},
	}, typ, &packet.Field{Name: "lladdr", WS: "icmpv6.opt.linkaddr", Type: packet.MAC, DefaultBytes: make([]byte, 6)})
}

var (
	rdnssAddr = addr6Elem("ICMPv6NDOptRDNSSAddress", "icmpv6.opt.rdnss")

	// ICMPv6NDOptSrcLLAddr is the Source Link-Layer Address option (1),
	// 8 bytes long (an Ethernet address).
	ICMPv6NDOptSrcLLAddr = llAddrOpt("ICMPv6NDOptSrcLLAddr",
		"ICMPv6 Neighbor Discovery Option - Source Link-Layer Address", 1, "icmpv6.opt.src_linkaddr")
	// ICMPv6NDOptDstLLAddr is the Target Link-Layer Address option (2).
	ICMPv6NDOptDstLLAddr = llAddrOpt("ICMPv6NDOptDstLLAddr",
		"ICMPv6 Neighbor Discovery Option - Destination Link-Layer Address", 2, "icmpv6.opt.target_linkaddr")
	// ICMPv6NDOptPrefixInfo is the Prefix Information option (3).
	ICMPv6NDOptPrefixInfo = ndOpt(&packet.Protocol{
		Name: "ICMPv6NDOptPrefixInfo", Title: "ICMPv6 Neighbor Discovery Option - Prefix Information",
		Virtual: []*packet.Virtual{{WS: "icmpv6.opt.prefix.flag", Type: packet.Uint, Bits: 8, Base: packet.Hex,
			Need: 4, Get: func(l *packet.Layer) (packet.Value, bool) { return packet.Value{U: uint64(l.Data[3])}, true }}},
	}, 3,
		&packet.Field{Name: "prefixlen", WS: "icmpv6.opt.prefix.length", Type: packet.Uint, Bits: 8, Default: 64},
		&packet.Field{Name: "L", WS: "icmpv6.opt.prefix.flag.l", Type: packet.Uint, Bits: 1, Default: 1},
		&packet.Field{Name: "A", WS: "icmpv6.opt.prefix.flag.a", Type: packet.Uint, Bits: 1, Default: 1},
		&packet.Field{Name: "R", WS: "icmpv6.opt.prefix.flag.r", Type: packet.Uint, Bits: 1},
		&packet.Field{Name: "res1", WS: "icmpv6.opt.prefix.flag.reserved", Type: packet.Uint, Bits: 5},
		&packet.Field{Name: "validlifetime", WS: "icmpv6.opt.prefix.valid_lifetime", Type: packet.Uint, Bits: 32,
			Default: 0xffffffff, Hex: true},
		&packet.Field{Name: "preferredlifetime", WS: "icmpv6.opt.prefix.preferred_lifetime", Type: packet.Uint,
			Bits: 32, Default: 0xffffffff, Hex: true},
		&packet.Field{Name: "res2", Type: packet.Uint, Bits: 32, Hex: true},
		&packet.Field{Name: "prefix", WS: "icmpv6.opt.prefix", Type: packet.IPv6, DefaultBytes: make([]byte, 16)})
	// ICMPv6NDOptRedirectedHdr is the Redirected Header option (4); the
	// quoted packet is kept as bytes.
	ICMPv6NDOptRedirectedHdr = ndOpt(&packet.Protocol{
		Name: "ICMPv6NDOptRedirectedHdr", Title: "ICMPv6 Neighbor Discovery Option - Redirected Header",
	}, 4,
		&packet.Field{Name: "res", Type: packet.Bytes, Size: 6, DefaultBytes: make([]byte, 6)},
		&packet.Field{Name: "pkt", Type: packet.Bytes, Len: ndOptBody(8)})
	// ICMPv6NDOptMTU is the MTU option (5).
	ICMPv6NDOptMTU = ndOpt(&packet.Protocol{
		Name: "ICMPv6NDOptMTU", Title: "ICMPv6 Neighbor Discovery Option - MTU",
	}, 5,
		&packet.Field{Name: "res", Type: packet.Uint, Bits: 16, Hex: true},
		&packet.Field{Name: "mtu", WS: "icmpv6.opt.mtu", Type: packet.Uint, Bits: 32, Default: 1280})
	// ICMPv6NDOptRDNSS is the Recursive DNS Server option (25, RFC 8106).
	ICMPv6NDOptRDNSS = ndOpt(&packet.Protocol{
		Name: "ICMPv6NDOptRDNSS", Title: "ICMPv6 Neighbor Discovery Option - Recursive DNS Server Option",
	}, 25,
		&packet.Field{Name: "res", Type: packet.Uint, Bits: 16},
		&packet.Field{Name: "lifetime", WS: "icmpv6.opt.rdnss.lifetime", Type: packet.Uint, Bits: 32, Default: 0xffffffff},
		addr6List("dns", rdnssAddr, ndOptBody(8), nil))
	// ICMPv6NDOptDNSSL is the DNS Search List option (31, RFC 8106).
	ICMPv6NDOptDNSSL = ndOpt(&packet.Protocol{
		Name: "ICMPv6NDOptDNSSL", Title: "ICMPv6 Neighbor Discovery Option - DNS Search List Option",
	}, 31,
		&packet.Field{Name: "res", Type: packet.Uint, Bits: 16},
		&packet.Field{Name: "lifetime", WS: "icmpv6.opt.dnssl.lifetime", Type: packet.Uint, Bits: 32, Default: 0xffffffff},
		&packet.Field{Name: "searchlist", Type: packet.List, Len: ndOptBody(8), Elem: dnsslElem,
			Elems: []*packet.Protocol{dnsslName, dnsslPad}})
	// ICMPv6NDOptRouteInfo is the Route Information option (24, RFC 4191);
	// its prefix takes 0, 8 or 16 bytes as the length says.
	ICMPv6NDOptRouteInfo = ndOpt(&packet.Protocol{
		Name: "ICMPv6NDOptRouteInfo", Title: "ICMPv6 Neighbor Discovery Option - Route Information Option",
		Virtual: []*packet.Virtual{
			{WS: "icmpv6.opt.route_info.flag", Type: packet.Uint, Bits: 8, Base: packet.Hex,
				Need: 4, Get: func(l *packet.Layer) (packet.Value, bool) { return packet.Value{U: uint64(l.Data[3])}, true }},
			// Wireshark's reserved mask (0xe7) spans both reserved runs.
			{WS: "icmpv6.opt.route_info.flag.reserved", Type: packet.Uint, Bits: 8,
				Need: 4, Get: func(l *packet.Layer) (packet.Value, bool) { return packet.Value{U: uint64(l.Data[3] & 0xe7)}, true }},
			{WS: "icmpv6.opt.prefix", Type: packet.IPv6, Need: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
				n := int(l.Data[1])*8 - 8
				if n != 8 && n != 16 {
					return packet.Value{}, false
				}
				a := make([]byte, 16)
				copy(a, l.Data[8:8+n])
				return packet.Value{B: a}, true
			}}},
	}, 24,
		&packet.Field{Name: "plen", WS: "icmpv6.opt.prefix.length", Type: packet.Uint, Bits: 8},
		&packet.Field{Name: "res1", Type: packet.Uint, Bits: 3},
		&packet.Field{Name: "prf", WS: "icmpv6.opt.route_info.flag.route_preference", Type: packet.Uint, Bits: 2,
			Enum: raPrefNames},
		&packet.Field{Name: "res2", Type: packet.Uint, Bits: 3},
		&packet.Field{Name: "rtlifetime", WS: "icmpv6.opt.route_lifetime", Type: packet.Uint, Bits: 32, Default: 0xffffffff},
		&packet.Field{Name: "prefix", Type: packet.Bytes, Len: ndOptBody(8)})
	// ICMPv6NDOptUnknown is any other option: type, length and data.
	ICMPv6NDOptUnknown = ndOpt(&packet.Protocol{
		Name: "ICMPv6NDOptUnknown", Title: "ICMPv6 Neighbor Discovery Option - Scapy Unimplemented",
	}, 0, &packet.Field{Name: "data", Type: packet.Bytes, Len: ndOptBody(2)})
	// ndOptBad holds an option whose length is zero or runs past the
	// message; Wireshark stops reading options there.
	ndOptBad = packet.Register(&packet.Protocol{
		Name: "ICMPv6NDOpt_Malformed", Title: "ICMPv6 Neighbor Discovery Option (malformed)", Element: true,
		Fields: append(ndOptHeader(0)[:2:2], &packet.Field{Name: "load", Type: packet.Bytes, Len: rest}),
	})
	ndOptTiny = packet.Register(&packet.Protocol{
		Name: "ICMPv6NDOpt_Short", Title: "ICMPv6 Neighbor Discovery Option (truncated)", Element: true,
		Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
	})
)

// ndDNSName is the codec of an uncompressed DNS name (DNSSL entries).
type ndDNSName struct{}

func (ndDNSName) Size(_ *packet.Layer, b []byte) int { return dnsNameLen(b) }

// dnsNameLen returns the length of the uncompressed name at the start of b,
// or -1.
func dnsNameLen(b []byte) int {
	for i := 0; i < len(b); {
		n := int(b[i])
		if n == 0 {
			return i + 1
		}
		if n > 63 {
			return -1
		}
		i += 1 + n
	}
	return -1
}

func (ndDNSName) Format(dst []byte, _ *packet.Layer, raw []byte) []byte {
	first := true
	for i := 0; i < len(raw); {
		n := int(raw[i])
		if n == 0 || i+1+n > len(raw) {
			break
		}
		if !first {
			dst = append(dst, '.')
		}
		first = false
		dst = append(dst, raw[i+1:i+1+n]...)
		i += 1 + n
	}
	if first {
		dst = append(dst, "<Root>"...)
	}
	return dst
}

func (ndDNSName) Parse(s string) ([]byte, error) {
	var out []byte
	for _, lab := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if lab == "" {
			continue
		}
		if len(lab) > 63 {
			return nil, errors.New("label longer than 63 bytes: " + strconv.Quote(lab))
		}
		out = append(out, byte(len(lab)))
		out = append(out, lab...)
	}
	return append(out, 0), nil
}

var (
	dnsslName = packet.Register(&packet.Protocol{
		Name: "ICMPv6NDOptDNSSLName", Title: "Domain Name", Element: true,
		Fields: []*packet.Field{{Name: "name", WS: "icmpv6.opt.dnssl", Type: packet.Custom, Codec: ndDNSName{}}},
	})
	dnsslPad = packet.Register(&packet.Protocol{
		Name: "ICMPv6NDOptDNSSLPadding", Title: "Padding", Element: true,
		Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
	})
)

// dnsslElem reads a name, or the zero padding that ends the list (also any
// bytes that do not form a name).
func dnsslElem(b []byte) *packet.Protocol {
	if b[0] == 0 || dnsNameLen(b) < 0 {
		return dnsslPad
	}
	return dnsslName
}

var ndOptElems = []*packet.Protocol{ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr, ICMPv6NDOptPrefixInfo,
	ICMPv6NDOptRedirectedHdr, ICMPv6NDOptMTU, ICMPv6NDOptRouteInfo, ICMPv6NDOptRDNSS, ICMPv6NDOptDNSSL, ICMPv6NDOptUnknown,
	ndOptBad, ndOptTiny}

func ndOptElem(b []byte) *packet.Protocol {
	if len(b) < 2 {
		return ndOptTiny
	}
	n := int(b[1]) * 8
	if n == 0 || n > len(b) {
		return ndOptBad
	}
	switch b[0] {
	case 1:
		if n == 8 {
			return ICMPv6NDOptSrcLLAddr
		}
	case 2:
		if n == 8 {
			return ICMPv6NDOptDstLLAddr
		}
	case 3:
		if n == 32 {
			return ICMPv6NDOptPrefixInfo
		}
	case 4:
		return ICMPv6NDOptRedirectedHdr
	case 5:
		if n == 8 {
			return ICMPv6NDOptMTU
		}
	case 24:
		if n <= 24 {
			return ICMPv6NDOptRouteInfo
		}
	case 25:
		return ICMPv6NDOptRDNSS
	case 31:
		return ICMPv6NDOptDNSSL
	}
	return ICMPv6NDOptUnknown
}

// ndOptions is the options list that ends every ND message.
func ndOptions() *packet.Field {
	return &packet.Field{Name: "options", Type: packet.List, Len: rest, Elem: ndOptElem, Elems: ndOptElems}
}

func tgtSummary(dst []byte, l *packet.Layer) []byte {
	dst = append(dst, l.Proto.Title...)
	dst = append(dst, " (tgt: "...)
	if len(l.Data) >= 24 {
		dst = appendAddr6(dst, l.Data[8:24])
	}
	return append(dst, ')')
}

var raPrefNames = map[uint64]string{0: "Medium (default)", 1: "High", 2: "Reserved", 3: "Low"}

// ND messages.
var (
	// ICMPv6ND_RS is Router Solicitation (type 133).
	ICMPv6ND_RS = icmp6(&packet.Protocol{
		Name: "ICMPv6ND_RS", Title: "ICMPv6 Neighbor Discovery - Router Solicitation",
		Virtual: []*packet.Virtual{icmp6Reserved(4, 8)},
	}, 133, &packet.Field{Name: "res", Type: packet.Uint, Bits: 32}, ndOptions())
	// ICMPv6ND_RA is Router Advertisement (type 134).
	ICMPv6ND_RA = icmp6(&packet.Protocol{
		Name: "ICMPv6ND_RA", Title: "ICMPv6 Neighbor Discovery - Router Advertisement",
		Virtual: []*packet.Virtual{{WS: "icmpv6.nd.ra.flag", Type: packet.Uint, Bits: 8, Base: packet.Hex,
			Need: 6, Get: func(l *packet.Layer) (packet.Value, bool) { return packet.Value{U: uint64(l.Data[5])}, true }}},
		Summary: func(dst []byte, l *packet.Layer) []byte {
			d := l.Data
			dst = append(dst, l.Proto.Title...)
			dst = append(dst, " Lifetime "...)
			dst = strconv.AppendUint(dst, uint64(d[6])<<8|uint64(d[7]), 10)
			dst = append(dst, " Hop Limit "...)
			dst = strconv.AppendUint(dst, uint64(d[4]), 10)
			dst = append(dst, " Preference "...)
			dst = append(dst, raPrefNames[uint64(d[5]>>3&3)]...)
			dst = append(dst, " Managed "...)
			dst = strconv.AppendUint(dst, uint64(d[5]>>7), 10)
			dst = append(dst, " Other "...)
			dst = strconv.AppendUint(dst, uint64(d[5]>>6&1), 10)
			dst = append(dst, " Home "...)
			return strconv.AppendUint(dst, uint64(d[5]>>5&1), 10)
		},
	}, 134,
		&packet.Field{Name: "chlim", WS: "icmpv6.nd.ra.cur_hop_limit", Type: packet.Uint, Bits: 8},
		&packet.Field{Name: "M", WS: "icmpv6.nd.ra.flag.m", Type: packet.Uint, Bits: 1},
		&packet.Field{Name: "O", WS: "icmpv6.nd.ra.flag.o", Type: packet.Uint, Bits: 1},
		&packet.Field{Name: "H", WS: "icmpv6.nd.ra.flag.h", Type: packet.Uint, Bits: 1},
		&packet.Field{Name: "prf", WS: "icmpv6.nd.ra.flag.prf", Type: packet.Uint, Bits: 2, Default: 1, Enum: raPrefNames},
		&packet.Field{Name: "P", WS: "icmpv6.nd.ra.flag.p", Type: packet.Uint, Bits: 1},
		&packet.Field{Name: "res", WS: "icmpv6.nd.ra.flag.rsv", Type: packet.Uint, Bits: 2},
		&packet.Field{Name: "routerlifetime", WS: "icmpv6.nd.ra.router_lifetime", Type: packet.Uint, Bits: 16, Default: 1800},
		&packet.Field{Name: "reachabletime", WS: "icmpv6.nd.ra.reachable_time", Type: packet.Uint, Bits: 32},
		&packet.Field{Name: "retranstimer", WS: "icmpv6.nd.ra.retrans_timer", Type: packet.Uint, Bits: 32},
		ndOptions())
	// ICMPv6ND_NS is Neighbor Solicitation (type 135).
	ICMPv6ND_NS = icmp6(&packet.Protocol{
		Name: "ICMPv6ND_NS", Title: "ICMPv6 Neighbor Discovery - Neighbor Solicitation",
		Virtual: []*packet.Virtual{icmp6Reserved(4, 8)}, Summary: tgtSummary,
	}, 135,
		&packet.Field{Name: "res", Type: packet.Uint, Bits: 32},
		&packet.Field{Name: "tgt", WS: "icmpv6.nd.ns.target_address", Type: packet.IPv6, DefaultBytes: make([]byte, 16)},
		ndOptions())
	// ICMPv6ND_NA is Neighbor Advertisement (type 136).
	ICMPv6ND_NA = icmp6(&packet.Protocol{
		Name: "ICMPv6ND_NA", Title: "ICMPv6 Neighbor Discovery - Neighbor Advertisement",
		Virtual: []*packet.Virtual{{WS: "icmpv6.nd.na.flag", Type: packet.Uint, Bits: 32, Base: packet.Hex,
			Need: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
				d := l.Data
				return packet.Value{U: uint64(d[4])<<24 | uint64(d[5])<<16 | uint64(d[6])<<8 | uint64(d[7])}, true
			}}},
		Summary: tgtSummary,
	}, 136,
		&packet.Field{Name: "R", WS: "icmpv6.nd.na.flag.r", Type: packet.Uint, Bits: 1, Default: 1},
		&packet.Field{Name: "S", WS: "icmpv6.nd.na.flag.s", Type: packet.Uint, Bits: 1},
		&packet.Field{Name: "O", WS: "icmpv6.nd.na.flag.o", Type: packet.Uint, Bits: 1, Default: 1},
		&packet.Field{Name: "res", WS: "icmpv6.nd.na.flag.rsv", Type: packet.Uint, Bits: 29, Hex: true},
		&packet.Field{Name: "tgt", WS: "icmpv6.nd.na.target_address", Type: packet.IPv6, DefaultBytes: make([]byte, 16)},
		ndOptions())
	// ICMPv6ND_Redirect is Redirect (type 137).
	ICMPv6ND_Redirect = icmp6(&packet.Protocol{
		Name: "ICMPv6ND_Redirect", Title: "ICMPv6 Neighbor Discovery - Redirect",
		Virtual: []*packet.Virtual{icmp6Reserved(4, 8)},
	}, 137,
		&packet.Field{Name: "res", Type: packet.Uint, Bits: 32, Hex: true},
		&packet.Field{Name: "tgt", WS: "icmpv6.nd.rd.target_address", Type: packet.IPv6, DefaultBytes: make([]byte, 16)},
		&packet.Field{Name: "dst", WS: "icmpv6.rd.na.destination_address", Type: packet.IPv6, DefaultBytes: make([]byte, 16)},
		ndOptions())
)

func init() {
	packet.Alias("icmpv6.tgt", "icmpv6.nd.ns.target_address")
}
