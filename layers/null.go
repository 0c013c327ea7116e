package layers

import (
	"encoding/binary"
	"math/bits"

	"pktkit/packet"
)

// loopbackTypes are BSD address families as Scapy names them (the BSDs
// disagree on AF_INET6: 24 on NetBSD/OpenBSD, 28 on FreeBSD, 30 on Darwin).
var loopbackTypes = map[uint64]string{
	2: "IPv4", 7: "OSI", 16: "Appletalk", 23: "Netware IPX/SPX", 24: "IPv6", 28: "IPv6", 30: "IPv6",
}

// afINET6 is the address family a built Loopback header gets for IPv6.
const afINET6 = 24

// nullFamily reads the 4-byte header of LINKTYPE_NULL the way Wireshark does
// on a little-endian host: the value is in the capturing host's byte order,
// so a value that looks byte-swapped (or a 16-bit value in either half) is
// normalised. ppp is set for PPP-in-HDLC frames (ff 03), which carry no
// family at all.
func nullFamily(b []byte) (v uint32, ppp bool) {
	if b[0] == 0xff && b[1] == 0x03 {
		return 0, true
	}
	v = binary.LittleEndian.Uint32(b)
	if v&0xffff0000 != 0 {
		if v&0xff000000 == 0 && v&0x00ff0000 < 0x00060000 {
			v >>= 16 // a 16-bit family in the upper half
		} else {
			v = bits.ReverseBytes32(v)
		}
	} else if v&0xff == 0 && v&0xff00 < 0x0600 {
		v >>= 8 // a big-endian 16-bit family
	}
	return v, false
}

// loopbackNext picks the payload of a BSD loopback header of family v.
func loopbackNext(l *packet.Layer, v uint32) *packet.Protocol {
	switch v {
	case 2:
		return IP
	case 24, 28, 30:
		return ipv6IfVersion6(l.Payload())
	}
	return nil // OSI, IPX, AppleTalk, ...: data
}

// loopbackAuto gives a built header the IPv6 family when IPv6 follows.
func loopbackAuto(b *packet.BuildLayer) {
	if !b.IsSet("type") && b.Over != nil && protoNamed(b.Over.Spec.Proto, "IPv6") {
		b.SetAuto("type", afINET6)
	}
}

// Loopback is the BSD loopback header of LINKTYPE_NULL (Scapy's Loopback):
// a 4-byte address family in the capturing host's byte order. Wireshark
// takes a value above 1500 for an EtherType (null.type).
var Loopback = packet.Register(&packet.Protocol{
	Name: "Loopback", Abbrev: "null", Long: "Null/Loopback",
	Fields: []*packet.Field{
		{Name: "type", Type: packet.Uint, Bits: 32, Little: true, Default: 2, Enum: loopbackTypes},
	},
	Virtual: []*packet.Virtual{
		{WS: "null.family", Type: packet.Uint, Bits: 32, Get: func(l *packet.Layer) (packet.Value, bool) {
			v, ppp := nullFamily(l.Data)
			return packet.Value{U: uint64(v)}, !ppp && v <= 1500
		}},
		{WS: "null.type", Type: packet.Uint, Bits: 16, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			v, ppp := nullFamily(l.Data)
			return packet.Value{U: uint64(v & 0xffff)}, !ppp && v > 1500
		}},
	},
	Next: func(l *packet.Layer) *packet.Protocol {
		v, ppp := nullFamily(l.Data)
		if ppp {
			return nil
		}
		if v > 1500 {
			return Ether.BoundTo("type", uint64(v&0xffff)) // Wireshark keeps the low 16 bits
		}
		return loopbackNext(l, v)
	},
	Auto: loopbackAuto,
})

// Loop is the OpenBSD loopback header of LINKTYPE_LOOP: the same address
// family in network byte order. Scapy reads it with its Loopback class too;
// the table is named Loop here because the byte order differs.
var Loop = packet.Register(&packet.Protocol{
	Name: "Loop", Abbrev: "null", Long: "Null/Loopback", Title: "Loopback",
	Fields: []*packet.Field{
		{Name: "type", WS: "null.family", Type: packet.Uint, Bits: 32, Default: 2, Enum: loopbackTypes},
	},
	Next: func(l *packet.Layer) *packet.Protocol {
		return loopbackNext(l, binary.BigEndian.Uint32(l.Data))
	},
	Auto: loopbackAuto,
})

func init() {
	packet.RegisterLinkType(0, Loopback)
	packet.RegisterLinkType(108, Loop)
	packet.Bind(Loopback, "type", 2, IP)
	packet.Bind(Loop, "type", 2, IP)
}
