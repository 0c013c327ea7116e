package layers

import "pktkit/packet"

// cookedPacketTypes are the Linux packet types as Scapy names them.
var cookedPacketTypes = map[uint64]string{
	0: "unicast", 1: "broadcast", 2: "multicast", 3: "unicast-to-another-host", 4: "sent-by-us",
}

// ARPHRD_ values with a meaning for the protocol field.
const (
	arphrdIPGRE   = 778 // the protocol field is a GRE protocol type
	arphrdNetlink = 824 // the frame is a netlink message
)

// sllHeader locates the fields a cooked header's dissection needs; SLL and
// SLL2 order them differently.
type sllHeader struct {
	hatype, halen, addr, proto int // byte offsets
	halenBytes                 int // width of the address length field
}

var (
	sllV1 = sllHeader{hatype: 2, halen: 4, addr: 6, proto: 14, halenBytes: 2}
	sllV2 = sllHeader{hatype: 8, halen: 11, addr: 12, proto: 0, halenBytes: 1}
)

func (h sllHeader) get(b []byte) (hatype, halen int, addr []byte, proto uint64) {
	hatype = int(b[h.hatype])<<8 | int(b[h.hatype+1])
	halen = int(b[h.halen])
	if h.halenBytes == 2 {
		halen = halen<<8 | int(b[h.halen+1])
	}
	return hatype, halen, b[h.addr : h.addr+8], uint64(b[h.proto])<<8 | uint64(b[h.proto+1])
}

// sllVirtual declares Wireshark's computed cooked-header fields: the source
// address typed by its length, the unused rest of the 8-byte address field,
// and the protocol under the name that says how it was interpreted
// (sll.ltype for Linux protocol numbers up to 1536, sll.gretype on GRE
// tunnels, sll.etype otherwise).
func sllVirtual(h sllHeader) []*packet.Virtual {
	addr := func(want func(n int) bool) func(l *packet.Layer) (packet.Value, bool) {
		return func(l *packet.Layer) (packet.Value, bool) {
			ht, n, a, _ := h.get(l.Data)
			if ht == arphrdNetlink || !want(n) {
				return packet.Value{}, false
			}
			return packet.Value{B: a[:min(n, 8)]}, true
		}
	}
	proto := func(kind int) func(l *packet.Layer) (packet.Value, bool) {
		return func(l *packet.Layer) (packet.Value, bool) {
			ht, _, _, p := h.get(l.Data)
			return packet.Value{U: p}, ht != arphrdNetlink && sllProtoKind(ht, p) == kind
		}
	}
	return []*packet.Virtual{
		{WS: "sll.src.eth", Type: packet.MAC, Get: addr(func(n int) bool { return n == 6 })},
		{WS: "sll.src.ipv4", Type: packet.IPv4, Get: addr(func(n int) bool { return n == 4 })},
		{WS: "sll.src.other", Type: packet.Bytes, Get: addr(func(n int) bool { return n != 0 && n != 4 && n != 6 })},
		{WS: "sll.unused", Type: packet.Bytes, Get: func(l *packet.Layer) (packet.Value, bool) {
			ht, n, a, _ := h.get(l.Data)
			if ht == arphrdNetlink || n >= 8 {
				return packet.Value{}, false
			}
			return packet.Value{B: a[n:]}, true
		}},
		{WS: "sll.ltype", Type: packet.Uint, Bits: 16, Base: packet.Hex, Get: proto(sllLinux)},
		{WS: "sll.gretype", Type: packet.Uint, Bits: 16, Base: packet.Hex, Get: proto(sllGRE)},
		{WS: "sll.etype", Type: packet.Uint, Bits: 16, Base: packet.Hex, Get: proto(sllEther)},
	}
}

const (
	sllLinux = iota // a Linux protocol number (ETH_P_802_2, ...)
	sllGRE          // a GRE protocol type
	sllEther        // an EtherType
)

func sllProtoKind(hatype int, proto uint64) int {
	switch {
	case proto <= 1536: // sic: Linux treats 1536 as a length too
		return sllLinux
	case hatype == arphrdIPGRE:
		return sllGRE
	}
	return sllEther
}

// sllNext picks a cooked header's payload from its protocol field.
func sllNext(h sllHeader) func(l *packet.Layer) *packet.Protocol {
	return func(l *packet.Layer) *packet.Protocol {
		ht, _, _, p := h.get(l.Data)
		if ht == arphrdNetlink {
			return nil
		}
		switch sllProtoKind(ht, p) {
		case sllLinux:
			switch p {
			case 0x0003: // ETH_P_ALL: a whole Ethernet frame
				return Ether
			case 0x0004: // ETH_P_802_2
				return LLC
			}
			return nil // 802.3 Novell IPX (0x0001), CAN, ...: data
		case sllGRE:
			return greNext(p)
		}
		return etherTypeNext(l.Proto, "proto", p)
	}
}

func sllAuto(b *packet.BuildLayer) { etherTypeAuto(b, "proto") }

// CookedLinux is the Linux "cooked" capture header of LINKTYPE_LINUX_SLL
// (Scapy's CookedLinux).
var CookedLinux = packet.Register(&packet.Protocol{
	Name: "CookedLinux", Abbrev: "sll", Chain: "sll:ethertype", Long: "Linux cooked capture v1", Title: "cooked linux",
	Fields: []*packet.Field{
		{Name: "pkttype", WS: "sll.pkttype", Type: packet.Uint, Bits: 16, Enum: cookedPacketTypes},
		{Name: "lladdrtype", WS: "sll.hatype", Type: packet.Uint, Bits: 16, Default: 512, Hex: true},
		{Name: "lladdrlen", WS: "sll.halen", Type: packet.Uint, Bits: 16},
		{Name: "src", Type: packet.Bytes, Size: 8, DefaultBytes: make([]byte, 8)},
		{Name: "proto", Type: packet.Uint, Bits: 16, Default: 0x0800, Enum: etherTypes, Hex: true},
	},
	Virtual: sllVirtual(sllV1),
	Next:    sllNext(sllV1),
	Auto:    sllAuto,
})

// CookedLinuxV2 is the version 2 cooked header of LINKTYPE_LINUX_SLL2, with
// the interface index (Scapy's CookedLinuxV2).
var CookedLinuxV2 = packet.Register(&packet.Protocol{
	Name: "CookedLinuxV2", Abbrev: "sll", Chain: "sll:ethertype", Long: "Linux cooked capture v2", Title: "cooked linux v2",
	Fields: []*packet.Field{
		{Name: "proto", Type: packet.Uint, Bits: 16, Default: 0x0800, Enum: etherTypes, Hex: true},
		{Name: "reserved", Type: packet.Uint, Bits: 16},
		{Name: "ifindex", WS: "sll.ifindex", Type: packet.Uint, Bits: 32},
		{Name: "lladdrtype", WS: "sll.hatype", Type: packet.Uint, Bits: 16, Default: 512, Hex: true},
		{Name: "pkttype", WS: "sll.pkttype", Type: packet.Uint, Bits: 8, Enum: cookedPacketTypes},
		{Name: "lladdrlen", WS: "sll.halen", Type: packet.Uint, Bits: 8},
		{Name: "src", Type: packet.Bytes, Size: 8, DefaultBytes: make([]byte, 8)},
	},
	Virtual: sllVirtual(sllV2),
	Next:    sllNext(sllV2),
	Auto:    sllAuto,
})

func init() {
	packet.RegisterLinkType(113, CookedLinux)
	packet.RegisterLinkType(276, CookedLinuxV2)
	for _, p := range []*packet.Protocol{CookedLinux, CookedLinuxV2} {
		packet.Bind(p, "proto", 0x0800, IP)
		packet.Bind(p, "proto", 0x0004, LLC)
		packet.Bind(p, "proto", 0x0003, Ether)
	}
	packet.Alias("sll.proto", "sll.etype")
}
