package layers

import (
	"encoding/hex"
	"errors"
	"net"
	"strconv"
	"strings"

	"pktkit/packet"
)

// arpHardwareTypes are ARP hardware types as Scapy names them.
var arpHardwareTypes = map[uint64]string{
	1: "Ethernet (10Mb)", 2: "Ethernet (3Mb)", 3: "AX.25", 4: "Proteon ProNET Token Ring", 5: "Chaos",
	6: "IEEE 802 Networks", 7: "ARCNET", 8: "Hyperchannel", 9: "Lanstar", 10: "Autonet Short Address",
	11: "LocalTalk", 12: "LocalNet", 13: "Ultra link", 14: "SMDS", 15: "Frame relay", 16: "ATM",
	17: "HDLC", 18: "Fibre Channel", 19: "ATM", 20: "Serial Line", 21: "ATM",
}

// arpOps are ARP operation codes as Scapy names them.
var arpOps = map[uint64]string{
	1: "who-has", 2: "is-at", 3: "RARP-req", 4: "RARP-rep", 5: "Dyn-RARP-req", 6: "Dyn-RAR-rep",
	7: "Dyn-RARP-err", 8: "InARP-req", 9: "InARP-rep",
}

// arpAddrs locates the four addresses of an ARP packet: hardware and
// protocol address lengths come from the header.
func arpAddrs(l *packet.Layer) (hwsrc, psrc, hwdst, pdst []byte, ok bool) {
	d := l.Data
	hl, pl := int(d[4]), int(d[5])
	if len(d) < 8+2*(hl+pl) {
		return nil, nil, nil, nil, false
	}
	o := 8
	hwsrc, o = d[o:o+hl], o+hl
	psrc, o = d[o:o+pl], o+pl
	hwdst, o = d[o:o+hl], o+hl
	pdst = d[o : o+pl]
	return hwsrc, psrc, hwdst, pdst, true
}

func arpHWType(l *packet.Layer) uint16 { return uint16(l.Data[0])<<8 | uint16(l.Data[1]) }
func arpPType(l *packet.Layer) uint16  { return uint16(l.Data[2])<<8 | uint16(l.Data[3]) }

// arpHWIsEther is Wireshark's test for MAC-typed hardware addresses.
func arpHWIsEther(l *packet.Layer) bool {
	t := arpHWType(l)
	return (t == 1 || t == 6) && l.Data[4] == 6
}

// arpHWIsAX25 marks AX.25 addresses, which Wireshark shows under other names.
func arpHWIsAX25(l *packet.Layer) bool { return arpHWType(l) == 3 && l.Data[4] == 7 }

// arpProtoIsIPv4 is Wireshark's test for IPv4-typed protocol addresses
// (0xcc is IP over AX.25).
func arpProtoIsIPv4(l *packet.Layer) bool {
	t := arpPType(l)
	return (t == 0x0800 || t == 0xcc) && l.Data[5] == 4
}

// arpAddrCodec reads an address whose length is in the header (hwlen at
// byte 4, plen at byte 5) and shows it as Scapy does: a MAC for Ethernet
// hardware addresses, an IP address for IPv4 or IPv6, else bytes.
type arpAddrCodec struct{ proto bool }

func (c arpAddrCodec) Size(l *packet.Layer, b []byte) int {
	if c.proto {
		return int(l.Data[5])
	}
	return int(l.Data[4])
}

func (c arpAddrCodec) Format(dst []byte, l *packet.Layer, raw []byte) []byte {
	switch {
	case !c.proto && len(raw) == 6 && len(l.Data) >= 2 && arpHWType(l) == 1:
		return appendMAC(dst, raw)
	case c.proto && len(raw) == 4 && len(l.Data) >= 4 && arpPType(l) == 0x0800:
		return appendAddr4(dst, raw)
	case c.proto && len(raw) == 16 && len(l.Data) >= 4 && arpPType(l) == 0x86dd:
		return append(dst, net.IP(raw).String()...)
	}
	return appendPyBytes(dst, raw)
}

func (c arpAddrCodec) Parse(s string) ([]byte, error) { return parseAddrBytes(s) }

// parseAddrBytes turns user text into address bytes: a MAC, an IP address,
// or hex digits.
func parseAddrBytes(s string) ([]byte, error) {
	if ip := net.ParseIP(s); ip != nil {
		if v4 := ip.To4(); v4 != nil && !strings.Contains(s, ":") {
			return v4, nil
		}
		return ip.To16(), nil
	}
	if m, err := net.ParseMAC(s); err == nil {
		return m, nil
	}
	b, err := hex.DecodeString(strings.TrimPrefix(strings.ReplaceAll(s, ":", ""), "0x"))
	if err != nil {
		return nil, errors.New("not a MAC, IP address or hex bytes: " + s)
	}
	return b, nil
}

// appendPyBytes appends b as a Python bytes literal, as Scapy shows raw
// strings.
func appendPyBytes(dst, b []byte) []byte {
	const hx = "0123456789abcdef"
	dst = append(dst, 'b', '\'')
	for _, c := range b {
		switch {
		case c == '\\' || c == '\'':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c >= 0x20 && c < 0x7f:
			dst = append(dst, c)
		default:
			dst = append(dst, '\\', 'x', hx[c>>4], hx[c&15])
		}
	}
	return append(dst, '\'')
}

// arpAddrVirtual declares one of Wireshark's typed views of an address:
// which picks the address (0 hwsrc, 1 psrc, 2 hwdst, 3 pdst) and when tells
// whether this view applies.
func arpAddrVirtual(ws string, typ packet.Type, which int, when func(l *packet.Layer) bool) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: typ, Get: func(l *packet.Layer) (packet.Value, bool) {
		a := [4][]byte{}
		var ok bool
		a[0], a[1], a[2], a[3], ok = arpAddrs(l)
		if !ok || len(a[which]) == 0 || !when(l) {
			return packet.Value{}, false
		}
		return packet.Value{B: a[which]}, true
	}}
}

func notARP(f func(l *packet.Layer) bool) func(l *packet.Layer) bool {
	return func(l *packet.Layer) bool { return !f(l) }
}

func arpHWOther(l *packet.Layer) bool { return !arpHWIsEther(l) && !arpHWIsAX25(l) }

// ARP is the Address Resolution Protocol (RFC 826), Scapy's ARP. The
// address fields take the lengths the header gives; Wireshark's typed
// fields (arp.src.hw_mac, arp.src.proto_ipv4...) appear when the types and
// lengths are Ethernet's and IPv4's, its byte fields (arp.src.hw,
// arp.src.proto...) otherwise. Bytes after the addresses are padding.
var ARP = packet.Register(&packet.Protocol{
	Name: "ARP", Abbrev: "arp", Long: "Address Resolution Protocol",
	Fields: []*packet.Field{
		{Name: "hwtype", WS: "arp.hw.type", Type: packet.Uint, Bits: 16, Default: 1, Enum: arpHardwareTypes, Hex: true},
		{Name: "ptype", WS: "arp.proto.type", Type: packet.Uint, Bits: 16, Default: 0x0800, Enum: etherTypes, Base: packet.Hex, Hex: true},
		{Name: "hwlen", WS: "arp.hw.size", Type: packet.Uint, Bits: 8, Auto: true},
		{Name: "plen", WS: "arp.proto.size", Type: packet.Uint, Bits: 8, Auto: true},
		{Name: "op", WS: "arp.opcode", Type: packet.Uint, Bits: 16, Default: 1, Enum: arpOps},
		{Name: "hwsrc", Type: packet.Custom, Codec: arpAddrCodec{}, DefaultBytes: make([]byte, 6)},
		{Name: "psrc", Type: packet.Custom, Codec: arpAddrCodec{proto: true}, DefaultBytes: make([]byte, 4)},
		{Name: "hwdst", Type: packet.Custom, Codec: arpAddrCodec{}, DefaultBytes: make([]byte, 6)},
		{Name: "pdst", Type: packet.Custom, Codec: arpAddrCodec{proto: true}, DefaultBytes: make([]byte, 4)},
	},
	Virtual: []*packet.Virtual{
		arpAddrVirtual("arp.src.hw_mac", packet.MAC, 0, arpHWIsEther),
		arpAddrVirtual("arp.src.hw", packet.Bytes, 0, arpHWOther),
		arpAddrVirtual("arp.src.proto_ipv4", packet.IPv4, 1, arpProtoIsIPv4),
		arpAddrVirtual("arp.src.proto", packet.Bytes, 1, notARP(arpProtoIsIPv4)),
		arpAddrVirtual("arp.dst.hw_mac", packet.MAC, 2, arpHWIsEther),
		arpAddrVirtual("arp.dst.hw", packet.Bytes, 2, arpHWOther),
		arpAddrVirtual("arp.dst.proto_ipv4", packet.IPv4, 3, arpProtoIsIPv4),
		arpAddrVirtual("arp.dst.proto", packet.Bytes, 3, notARP(arpProtoIsIPv4)),
	},
	Dispatch: func(b []byte) *packet.Protocol {
		if len(b) >= 2 && b[0] == 0 && b[1] == arphrdATM {
			return ATMARP
		}
		return nil
	},
	Bound: func(l *packet.Layer) int { return 8 + 2*(int(l.Data[4])+int(l.Data[5])) },
	Next:  func(*packet.Layer) *packet.Protocol { return nil },
	Summary: func(dst []byte, l *packet.Layer) []byte {
		hwsrc, psrc, _, pdst, ok := arpAddrs(l)
		if !ok {
			return append(dst, "ARP"...)
		}
		var c arpAddrCodec
		p := arpAddrCodec{proto: true}
		switch op := uint64(l.Data[6])<<8 | uint64(l.Data[7]); op {
		case 1:
			dst = append(dst, "ARP who has "...)
			dst = p.Format(dst, l, pdst)
			dst = append(dst, " says "...)
			return p.Format(dst, l, psrc)
		case 2:
			dst = append(dst, "ARP is at "...)
			dst = c.Format(dst, l, hwsrc)
			dst = append(dst, " says "...)
			return p.Format(dst, l, psrc)
		default:
			dst = append(dst, "ARP "...)
			if n, ok := arpOps[op]; ok {
				dst = append(dst, n...)
			} else {
				dst = strconv.AppendUint(dst, op, 10)
			}
			dst = append(dst, ' ')
			dst = p.Format(dst, l, psrc)
			dst = append(dst, " > "...)
			return p.Format(dst, l, pdst)
		}
	},
	Auto: func(b *packet.BuildLayer) {
		b.SetAuto("hwlen", uint64(len(b.Value("hwsrc").B)))
		b.SetAuto("plen", uint64(len(b.Value("psrc").B)))
	},
})

// arphrdATM is the hardware type of ATM ARP (RFC 2225).
const arphrdATM = 19

// atmLen is the Len rule of an ATM ARP address whose type-and-length byte
// (or plain length byte) sits at offset off.
func atmLen(off int, mask byte) func(l *packet.Layer) int {
	return func(l *packet.Layer) int { return int(l.Data[off] & mask) }
}

// ATMARP is ATM ARP (RFC 2225), which the ARP hardware type 19 selects: its
// addresses have a type-and-length byte each (ATM number and subaddress)
// and come in a different order. Wireshark dissects it as atmarp; this
// table reads the layout without Wireshark field names.
var ATMARP = packet.Register(&packet.Protocol{
	Name: "ATMARP", Abbrev: "arp", Chain: "arp:atmarp", Long: "ATM Address Resolution Protocol",
	Fields: []*packet.Field{
		{Name: "hwtype", Type: packet.Uint, Bits: 16, Default: arphrdATM, Enum: arpHardwareTypes, Hex: true},
		{Name: "ptype", Type: packet.Uint, Bits: 16, Default: 0x0800, Enum: etherTypes, Hex: true},
		{Name: "shtl", Type: packet.Uint, Bits: 8},
		{Name: "sstl", Type: packet.Uint, Bits: 8},
		{Name: "op", Type: packet.Uint, Bits: 16, Default: 1, Enum: arpOps},
		{Name: "spln", Type: packet.Uint, Bits: 8},
		{Name: "thtl", Type: packet.Uint, Bits: 8},
		{Name: "tstl", Type: packet.Uint, Bits: 8},
		{Name: "tpln", Type: packet.Uint, Bits: 8},
		{Name: "sha", Type: packet.Bytes, Len: atmLen(4, 0x3f)},
		{Name: "ssa", Type: packet.Bytes, Len: atmLen(5, 0x3f)},
		{Name: "spa", Type: packet.Bytes, Len: atmLen(8, 0xff)},
		{Name: "tha", Type: packet.Bytes, Len: atmLen(9, 0x3f)},
		{Name: "tsa", Type: packet.Bytes, Len: atmLen(10, 0x3f)},
		{Name: "tpa", Type: packet.Bytes, Len: atmLen(11, 0xff)},
	},
	Bound: func(l *packet.Layer) int {
		d := l.Data
		return 12 + int(d[4]&0x3f) + int(d[5]&0x3f) + int(d[8]) + int(d[9]&0x3f) + int(d[10]&0x3f) + int(d[11])
	},
	Next: func(*packet.Layer) *packet.Protocol { return nil },
})

func init() {
	packet.Bind(Ether, "type", 0x0806, ARP)
	packet.Bind(Ether, "type", 0x8035, ARP) // RARP
}
