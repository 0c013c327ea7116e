package layers

import (
	"net/netip"
	"strconv"

	"pktkit/packet"
)

// ipv6NHNames are next-header values with Scapy's names (ipv6nh).
var ipv6NHNames = map[uint64]string{
	0: "Hop-by-Hop Option Header", 4: "IP", 6: "TCP", 17: "UDP", 41: "IPv6", 43: "Routing Header",
	44: "Fragment Header", 47: "GRE", 50: "ESP Header", 51: "AH Header", 58: "ICMPv6",
	59: "No Next Header", 60: "Destination Option Header", 112: "VRRP", 132: "SCTP", 135: "Mobility Header",
}

var loopback6 = netip.IPv6Loopback().AsSlice()

// ipv6Plen is the IPv6 field its Auto hook fills.
var ipv6Plen *packet.Field

// IPv6 is the Internet Protocol version 6 header (RFC 8200), Scapy's IPv6.
var IPv6 = packet.Register(&packet.Protocol{
	Name: "IPv6", Abbrev: "ipv6", Long: "Internet Protocol Version 6",
	Fields: []*packet.Field{
		{Name: "version", WS: "ipv6.version", Type: packet.Uint, Bits: 4, Default: 6},
		{Name: "tc", WS: "ipv6.tclass", Type: packet.Uint, Bits: 8, Base: packet.Hex, Digits: 8},
		{Name: "fl", WS: "ipv6.flow", Type: packet.Uint, Bits: 20, Base: packet.Hex, Digits: 6},
		{Name: "plen", WS: "ipv6.plen", Type: packet.Uint, Bits: 16, Auto: true},
		{Name: "nh", WS: "ipv6.nxt", Type: packet.Uint, Bits: 8, Default: 59, Enum: ipv6NHNames},
		{Name: "hlim", WS: "ipv6.hlim", Type: packet.Uint, Bits: 8, Default: 64},
		{Name: "src", WS: "ipv6.src", Type: packet.IPv6, DefaultBytes: loopback6},
		{Name: "dst", WS: "ipv6.dst", Type: packet.IPv6, DefaultBytes: loopback6},
	},
	Virtual: []*packet.Virtual{
		// Wireshark's IPv6 dissector also fills the shared ip.version.
		{WS: "ip.version", Type: packet.Uint, Bits: 4, Need: 1, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[0] >> 4)}, true
		}},
		{WS: "ipv6.tclass.dscp", Type: packet.Uint, Bits: 6, Need: 2, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: ipv6TC(l.Data) >> 2}, true
		}},
		{WS: "ipv6.tclass.ecn", Type: packet.Uint, Bits: 2, Need: 2, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: ipv6TC(l.Data) & 3}, true
		}},
	},
	Keys: []string{"nh"},
	Dispatch: func(b []byte) *packet.Protocol {
		if b[0]>>4 != 6 {
			return ipv6BadVersion
		}
		return nil
	},
	Bound: func(l *packet.Layer) int {
		n := int(l.Data[4])<<8 | int(l.Data[5])
		if n == 0 {
			if l.Data[6] == 0 {
				return -1 // a jumbogram (RFC 2675): its length is in a hop-by-hop option
			}
			return 40 // no jumbo option: Wireshark gives the payload nothing
		}
		return 40 + n
	},
	Summary: func(dst []byte, l *packet.Layer) []byte {
		dst = appendAddr6(dst, l.Data[8:24])
		dst = append(dst, " > "...)
		dst = appendAddr6(dst, l.Data[24:40])
		dst = append(dst, " ("...)
		dst = strconv.AppendUint(dst, uint64(l.Data[6]), 10)
		return append(dst, ')')
	},
	Auto: func(b *packet.BuildLayer) {
		n := b.End - b.HdrEnd
		if n > 0xffff {
			n = 0 // the length goes in a Jumbo Payload option
		}
		b.SetAutoField(ipv6Plen, uint64(n))
	},
	Pseudo: func(b *packet.BuildLayer, proto uint8, length int) uint32 {
		h := b.Header()
		src, dst := buildPseudoAddrs(b, h[8:24], h[24:40])
		return ipv6PseudoSum(src, dst, proto, length)
	},
	LayerPseudo: func(l *packet.Layer, proto uint8, length int) uint32 {
		src, dst := layerPseudoAddrs(l, l.Data[8:24], l.Data[24:40])
		return ipv6PseudoSum(src, dst, proto, length)
	},
})

// ipv6BadVersion is what an "IPv6" header whose version is not 6 dissects
// as: Wireshark shows its version and treats the rest as data.
var ipv6BadVersion = packet.Register(&packet.Protocol{
	Name: "IPv6_BadVersion", Long: "Internet Protocol Version 6 (bogus version)",
	Title: "IPv6 (bogus version)",
	Fields: []*packet.Field{
		{Name: "version", WS: "ipv6.version", Type: packet.Uint, Bits: 4},
		{Name: "bits", Type: packet.Uint, Bits: 4},
		{Name: "load", Type: packet.Bytes, Len: rest},
	},
	Virtual: []*packet.Virtual{{WS: "ip.version", Type: packet.Uint, Bits: 4, Need: 1, Get: func(l *packet.Layer) (packet.Value, bool) {
		return packet.Value{U: uint64(l.Data[0] >> 4)}, true
	}}},
	Check: func(l *packet.Layer) string { return "IPv6 version is not 6" },
})

func ipv6TC(d []byte) uint64 { return uint64(d[0]&15)<<4 | uint64(d[1]>>4) }

// appendAddr6 formats a 16-byte IPv6 address (RFC 5952).
func appendAddr6(dst, b []byte) []byte {
	if len(b) != 16 {
		return dst
	}
	return netip.AddrFrom16([16]byte(b)).AppendTo(dst)
}

// ipv6PseudoSum is the RFC 8200 section 8.1 pseudo-header: source, final
// destination, upper-layer length (32 bits) and next header.
func ipv6PseudoSum(src, dst []byte, proto uint8, length int) uint32 {
	s := packet.Sum(0, src)
	s = packet.Sum(s, dst)
	s += uint32(length>>16) + uint32(length&0xffff)
	return s + uint32(proto)
}

// ipv6IsExt reports whether p is an extension header that may sit
// between an IPv6 header and the upper layer.
func ipv6IsExt(p *packet.Protocol) bool {
	switch p {
	case IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting, IPv6ExtHdrSegmentRouting,
		ipv6RoutingUnknown, IPv6ExtHdrFragment, AH, ahZeroLen:
		return true
	}
	return false
}

// routingFinalDst returns the final destination a routing header names
// while segments remain (RFC 8200 8.1: at the originating node it is the
// last address of a type 0 or type 2 header; for a Segment Routing Header,
// RFC 8754, it is the first entry of the segment list), or nil.
func routingFinalDst(h []byte, segleft int) []byte {
	if len(h) < 8 || segleft == 0 {
		return nil
	}
	switch h[2] {
	case 0, 2:
		n := (len(h) - 8) / 16
		if n > 0 {
			return h[8+16*(n-1) : 8+16*n]
		}
	case 4:
		if len(h) >= 24 {
			return h[8:24]
		}
	}
	return nil
}

// haoAddr returns the home address of a Home Address option (RFC 6275) in
// a Destination Options header, or nil.
func haoAddr(h []byte) []byte {
	for i := 2; i < len(h); {
		if h[i] == 0 {
			i++
			continue
		}
		if i+1 >= len(h) {
			break
		}
		n := int(h[i+1])
		if h[i] == 0xc9 && n == 16 && i+18 <= len(h) {
			return h[i+2 : i+18]
		}
		i += 2 + n
	}
	return nil
}

func isRouting(p *packet.Protocol) bool {
	return p == IPv6ExtHdrRouting || p == IPv6ExtHdrSegmentRouting || p == ipv6RoutingUnknown
}

// buildPseudoAddrs returns the addresses an upper-layer checksum uses over
// a built IPv6 header: the home address of a Home Address option as source,
// the final destination of a Routing header as destination.
func buildPseudoAddrs(b *packet.BuildLayer, src, dst []byte) ([]byte, []byte) {
	routed := false
	for o := b.Over; o != nil && ipv6IsExt(o.Spec.Proto); o = o.Over {
		h := o.Header()
		switch p := o.Spec.Proto; {
		case p == IPv6ExtHdrDestOpt:
			if a := haoAddr(h); a != nil {
				src = a
			}
		case isRouting(p) && !routed && len(h) >= 8:
			routed = true
			segleft := int(h[3])
			if !o.IsSet("segleft") {
				// The auto segleft is filled after the upper checksum;
				// use the value it will take.
				segleft = routingAutoSegleft(o)
			}
			if f := routingFinalDst(h, segleft); f != nil {
				dst = f
			}
		}
	}
	return src, dst
}

// layerPseudoAddrs does buildPseudoAddrs's work on a dissected packet.
func layerPseudoAddrs(l *packet.Layer, src, dst []byte) ([]byte, []byte) {
	pkt := l.Packet()
	if pkt == nil || l.Index < 0 {
		return src, dst
	}
	ls := pkt.Layers()
	routed := false
	for i := l.Index + 1; i < len(ls) && ipv6IsExt(ls[i].Proto); i++ {
		h := ls[i].Header()
		switch p := ls[i].Proto; {
		case p == IPv6ExtHdrDestOpt:
			if a := haoAddr(h); a != nil {
				src = a
			}
		case isRouting(p) && !routed && len(h) >= 8:
			routed = true
			if f := routingFinalDst(h, int(h[3])); f != nil {
				dst = f
			}
		}
	}
	return src, dst
}

// pseudoBelow hands an upper layer's pseudo-header request down to the
// network layer under an extension header.
func pseudoBelow(b *packet.BuildLayer, proto uint8, length int) uint32 {
	s, _ := b.PseudoSum(proto, length)
	return s
}

// layerPseudoBelow is pseudoBelow for dissected layers.
func layerPseudoBelow(l *packet.Layer, proto uint8, length int) uint32 {
	s, _ := l.LayerPseudoSum(proto, length)
	return s
}

// nhCarriers are the protocols whose "nh" field names the next header.
func nhCarriers() []*packet.Protocol {
	return []*packet.Protocol{IPv6, IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting,
		IPv6ExtHdrSegmentRouting, ipv6RoutingUnknown, IPv6ExtHdrFragment, AH, ahZeroLen}
}

// bindNH binds a next-header value to upper on IPv6 and on every extension
// header (and AH), which share the IPv6 next-header space.
func bindNH(value uint64, upper ...*packet.Protocol) {
	for _, p := range nhCarriers() {
		for _, u := range upper {
			packet.Bind(p, "nh", value, u)
		}
	}
}

func init() {
	ipv6Plen = IPv6.MustField("plen")
	packet.RegisterLinkType(229, IPv6)
	packet.Bind(Ether, "type", 0x86dd, IPv6)
	packet.Bind(IP, "proto", 41, IPv6) // 6in4 (RFC 4213)
	bindNH(41, IPv6)
	bindNH(4, IP)
	bindNH(6, TCP)
	bindNH(17, UDP)
	// GRE (47) is not bound: there is no GRE table in this tree yet.
	packet.Alias("ipv6.nh", "ipv6.nxt")
	packet.Alias("ipv6.tc", "ipv6.tclass")
	packet.Alias("ipv6.fl", "ipv6.flow")
}
