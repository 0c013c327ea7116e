package layers

import (
	"strconv"

	"pktkit/packet"
)

// IPOption is one IPv4 option; the variants share its element table and
// are picked by option type.
var (
	ipOptEOL = packet.Register(&packet.Protocol{
		Name: "IPOption_EOL", Title: "IP Option End of Options List", Element: true,
		Fields:  append(ipOptType(0), &packet.Field{Name: "pad", Type: packet.Bytes, Len: rest}),
		Virtual: ipOptTypeByte(),
	})
	ipOptNOP = packet.Register(&packet.Protocol{
		Name: "IPOption_NOP", Title: "IP Option No Operation", Element: true,
		Fields:  ipOptType(1),
		Virtual: ipOptTypeByte(),
	})
	ipOptGeneric = packet.Register(&packet.Protocol{
		Name: "IPOption", Title: "IP Option", Element: true,
		Fields: append(ipOptHead(0, 0),
			&packet.Field{Name: "value", Type: packet.Bytes, Len: func(l *packet.Layer) int { return int(l.Data[1]) - 2 }}),
		Virtual: ipOptTypeByte(),
		Auto:    ipOptLenAuto,
	})
	ipOptBad = packet.Register(&packet.Protocol{
		Name: "IPOption_Malformed", Title: "IP Option (malformed)", Element: true,
		Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
	})
)

// ipOptionVariants lets other files register option variants by type.
var ipOptionVariants = map[byte]*packet.Protocol{}

func ipOptElem(b []byte) *packet.Protocol {
	switch b[0] {
	case 0:
		return ipOptEOL
	case 1:
		return ipOptNOP
	}
	if len(b) < 2 || b[1] < 2 || int(b[1]) > len(b) {
		return ipOptBad
	}
	if p := ipOptionVariants[b[0]]; p != nil {
		return p
	}
	return ipOptGeneric
}

var ipFlags = []string{"MF", "DF", "evil"}

// IP is IPv4 (RFC 791), Scapy's IP.
var IP = packet.Register(&packet.Protocol{
	Name: "IP", Abbrev: "ip", Long: "Internet Protocol Version 4",
	Fields: []*packet.Field{
		{Name: "version", WS: "ip.version", Type: packet.Uint, Bits: 4, Default: 4},
		{Name: "ihl", WS: "ip.hdr_len", Type: packet.Uint, Bits: 4, WSMul: 4, Auto: true},
		{Name: "tos", WS: "ip.dsfield", Type: packet.Uint, Bits: 8, Base: packet.Hex, Hex: true},
		{Name: "len", Type: packet.Uint, Bits: 16, Auto: true},
		{Name: "id", WS: "ip.id", Type: packet.Uint, Bits: 16, Default: 1, Base: packet.Hex},
		{Name: "flags", WS: "ip.flags", Type: packet.Uint, Bits: 3, Flags: ipFlags, Base: packet.Hex,
			FlagWS: []string{"ip.flags.mf", "ip.flags.df", "ip.flags.rb"}},
		{Name: "frag", WS: "ip.frag_offset", Type: packet.Uint, Bits: 13},
		{Name: "ttl", WS: "ip.ttl", Type: packet.Uint, Bits: 8, Default: 64},
		{Name: "proto", WS: "ip.proto", Type: packet.Uint, Bits: 8, Enum: ipProtoNames},
		{Name: "chksum", WS: "ip.checksum", Type: packet.Uint, Bits: 16, Base: packet.Hex, Hex: true, Auto: true},
		{Name: "src", WS: "ip.src", Type: packet.IPv4, DefaultBytes: []byte{127, 0, 0, 1}},
		{Name: "dst", Type: packet.IPv4, DefaultBytes: []byte{127, 0, 0, 1}},
		{Name: "options", Type: packet.List, Elem: ipOptElem,
			Elems: []*packet.Protocol{ipOptEOL, ipOptNOP, ipOptGeneric, ipOptBad},
			Len:   func(l *packet.Layer) int { return int(l.Data[0]&15)*4 - 20 }},
	},
	Virtual: []*packet.Virtual{
		// With TCP segmentation offload the length is left 0 on the wire;
		// Wireshark shows the length the packet really has.
		{WS: "ip.len", Of: "len", Type: packet.Uint, Bits: 16, Need: 4, Get: func(l *packet.Layer) (packet.Value, bool) {
			n := uint64(l.Data[2])<<8 | uint64(l.Data[3])
			if n == 0 {
				n = uint64(l.Reported)
			}
			return packet.Value{U: n}, true
		}},
		// Wireshark's ip.dst is the final destination: the last hop of an
		// unfinished source route, with the header's address as ip.cur_rt.
		{WS: "ip.dst", Of: "dst", Type: packet.IPv4, Need: 20, Get: func(l *packet.Layer) (packet.Value, bool) {
			if d := IPOptionRouteDst(l); d != nil {
				return packet.Value{B: d}, true
			}
			return packet.Value{B: l.Data[16:20]}, true
		}},
		// The DS field's parts (RFC 2474, RFC 3168).
		{WS: "ip.dsfield.dscp", Type: packet.Uint, Bits: 6, Need: 2, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[1] >> 2)}, true
		}},
		{WS: "ip.dsfield.ecn", Type: packet.Uint, Bits: 2, Need: 2, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[1] & 3)}, true
		}},
		{WS: "ip.cur_rt", Type: packet.IPv4, Need: 20, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{B: l.Data[16:20]}, IPOptionRouteDst(l) != nil
		}},
	},
	Keys: []string{"proto"},
	Check: func(l *packet.Layer) string {
		if l.Data[0]>>4 != 4 {
			return "IP version is not 4"
		}
		return ""
	},
	Bound: func(l *packet.Layer) int {
		n := int(l.Data[2])<<8 | int(l.Data[3])
		if n == 0 {
			return -1 // TCP segmentation offload: the length is left zero
		}
		return n
	},
	Next: func(l *packet.Layer) *packet.Protocol {
		// Only a first fragment carries the upper header.
		if (uint16(l.Data[6])<<8|uint16(l.Data[7]))&0x1fff != 0 {
			return nil
		}
		return l.Proto.BoundID(protoKey, uint64(l.Data[9]))
	},
	Partial: func(l *packet.Layer) bool { return l.Data[6]&0x20 != 0 }, // more fragments
	Summary: func(dst []byte, l *packet.Layer) []byte {
		dst = appendAddr4(dst, l.Data[12:16])
		dst = append(dst, " > "...)
		dst = appendAddr4(dst, l.Data[16:20])
		dst = append(dst, ' ')
		if n, ok := ipProtoNames[uint64(l.Data[9])]; ok {
			return append(dst, n...)
		}
		return strconv.AppendUint(dst, uint64(l.Data[9]), 10)
	},
	Auto: func(b *packet.BuildLayer) {
		h := b.Header()
		// Written in place: this hook runs for every packet built.
		if !b.FieldIsSet(ipIHL) {
			h[0] = h[0]&0xf0 | byte(len(h)/4)&0x0f
		}
		if !b.FieldIsSet(ipLen) {
			n := b.End - b.Start
			h[2], h[3] = byte(n>>8), byte(n)
		}
		if !b.FieldIsSet(ipChksum) {
			h[10], h[11] = 0, 0
			c := packet.Checksum(h)
			h[10], h[11] = byte(c>>8), byte(c)
		}
	},
	Pseudo: func(b *packet.BuildLayer, proto uint8, length int) uint32 {
		// As Scapy builds it: the length is the IP length (when set)
		// less the header, and the destination the last hop of a source
		// route.
		h := b.Header()
		if b.FieldIsSet(ipLen) {
			ihl := len(h) / 4 // the IP layer's own auto fields come later
			if b.FieldIsSet(ipIHL) {
				ihl = int(b.FieldValue(ipIHL).U)
			}
			length = max(int(b.FieldValue(ipLen).U)-4*ihl, 0)
		}
		var s uint32
		if d := ipBuildRouteDst(h); d != nil {
			s = packet.Sum(packet.Sum(0, h[12:16]), d)
		} else {
			s = packet.Sum(0, h[12:20])
		}
		return s + uint32(proto) + uint32(length)
	},
	LayerPseudo: func(l *packet.Layer, proto uint8, length int) uint32 {
		s := packet.Sum(0, l.Data[12:20])
		return s + uint32(proto) + uint32(length)
	},
})

// ipIHL, ipLen and ipChksum are the IP fields its Auto hook fills.
var ipIHL, ipLen, ipChksum *packet.Field

func init() {
	ipIHL, ipLen, ipChksum = IP.MustField("ihl"), IP.MustField("len"), IP.MustField("chksum")
	packet.RegisterLinkType(228, IP)
	packet.Bind(Ether, "type", 0x0800, IP)
	packet.Bind(IP, "proto", 4, IP)
	packet.Alias("ip.ihl", "ip.hdr_len")
	packet.Alias("ip.tos", "ip.dsfield")
	packet.Alias("ip.frag", "ip.frag_offset")
	packet.Alias("ip.chksum", "ip.checksum")
}

// ipBuildRouteDst returns the last address of the header's one loose or
// strict source route option (the final destination Scapy's checksums
// use), or nil when there is none or more than one.
func ipBuildRouteDst(h []byte) []byte {
	var dst []byte
	n := 0
	for i := 20; i+1 < len(h); {
		switch h[i] {
		case 0:
			i = len(h)
			continue
		case 1:
			i++
			continue
		}
		l := int(h[i+1])
		if l < 2 || i+l > len(h) {
			break
		}
		// By option number, whatever the copied flag and class say, as
		// Scapy tells the route options by class.
		if h[i]&31 == 3 || h[i]&31 == 9 {
			n++
			if l >= 7 {
				last := i + 3 + (l-3)/4*4 - 4
				dst = h[last : last+4]
			}
		}
		i += l
	}
	if n != 1 {
		return nil
	}
	return dst
}
