package layers

import (
	"strconv"

	"pktkit/packet"
)

// u8, u16, ... declare unsigned integer fields tersely.
func u(name, ws string, bits int) *packet.Field {
	return &packet.Field{Name: name, WS: ws, Type: packet.Uint, Bits: bits}
}

// rest is a Len rule for "to the end of the layer".
func rest(*packet.Layer) int { return packet.Rest }

// portNext picks the payload of a transport layer from port bindings the way
// Wireshark does: the lower port first, then the higher one. The layer
// starts with its two 16-bit ports (sport, dport), as TCP and UDP do.
func portNext(l *packet.Layer, sport, dport *packet.Field) *packet.Protocol {
	var s, d uint64
	if b := l.Data; len(b) >= 4 {
		// TCP, UDP and the like start with the two ports.
		s, d = uint64(b[0])<<8|uint64(b[1]), uint64(b[2])<<8|uint64(b[3])
	} else {
		s, d = l.Uint(sport), l.Uint(dport)
	}
	lo, hi := s, d
	if lo > hi {
		lo, hi = hi, lo
	}
	p := l.Proto
	if lo != 0 {
		if q := p.BoundID(portKey, lo); q != nil {
			return q
		}
	}
	if hi != 0 {
		if q := p.BoundID(portKey, hi); q != nil {
			return q
		}
	}
	return nil
}

// portKey and protoKey are the interned binding keys used on hot paths.
var (
	portKey  = packet.KeyID("port")
	protoKey = packet.KeyID("proto")
)

// bindPort binds a protocol to a TCP or UDP port (both directions), and to
// dport for building.
func bindPort(lower *packet.Protocol, port uint64, upper *packet.Protocol) {
	packet.Bind(lower, "port", port, upper)
	packet.Bind(lower, "dport", port, upper)
	packet.Bind(lower, "sport", port, upper)
}

// appendAddr4 formats a 4-byte IPv4 address.
func appendAddr4(dst, b []byte) []byte {
	for i, c := range b {
		if i > 0 {
			dst = append(dst, '.')
		}
		dst = strconv.AppendUint(dst, uint64(c), 10)
	}
	return dst
}

// ipProtoNames are IANA protocol numbers with Scapy's names.
var ipProtoNames = map[uint64]string{
	0: "hopopt", 1: "icmp", 2: "igmp", 4: "ipv4", 6: "tcp", 8: "egp", 17: "udp",
	41: "ipv6", 43: "ipv6_route", 44: "ipv6_frag", 47: "gre", 50: "esp", 51: "ah",
	58: "ipv6_icmp", 59: "ipv6_nonxt", 60: "ipv6_opts", 89: "ospf", 103: "pim",
	112: "vrrp", 115: "l2tp", 132: "sctp", 137: "mpls_in_ip",
}
