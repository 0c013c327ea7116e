package layers

import (
	"strconv"

	"pktkit/packet"
)

var udpSport, udpDport *packet.Field

// udpLen and udpChksum are the UDP fields its Auto hook fills.
var udpLen, udpChksum *packet.Field

// UDP is the User Datagram Protocol (RFC 768).
var UDP = packet.Register(&packet.Protocol{
	Name: "UDP", Abbrev: "udp", Long: "User Datagram Protocol",
	Fields: []*packet.Field{
		{Name: "sport", WS: "udp.srcport", Type: packet.Uint, Bits: 16, Default: 53},
		{Name: "dport", WS: "udp.dstport", Type: packet.Uint, Bits: 16, Default: 53},
		{Name: "len", WS: "udp.length", Type: packet.Uint, Bits: 16, Auto: true},
		{Name: "chksum", Type: packet.Uint, Bits: 16, Base: packet.Hex, Hex: true, Auto: true},
	},
	Virtual: []*packet.Virtual{
		// Wireshark stops after the length when it is bogus (below 8).
		{WS: "udp.checksum", Of: "chksum", Type: packet.Uint, Bits: 16, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[6])<<8 | uint64(l.Data[7])}, int(l.Data[4])<<8|int(l.Data[5]) >= 8
		}},
	},
	Bound: func(l *packet.Layer) int {
		n := int(l.Data[4])<<8 | int(l.Data[5])
		if n < 8 {
			return -1 // a jumbogram (0) or a bogus length: keep all
		}
		return n
	},
	Next: func(l *packet.Layer) *packet.Protocol {
		if int(l.Data[4])<<8|int(l.Data[5]) < 8 {
			return nil // a bogus length: Wireshark dissects no payload
		}
		return portNext(l, udpSport, udpDport)
	},
	Summary: func(dst []byte, l *packet.Layer) []byte {
		return appendPorts(append(dst, "UDP "...), l)
	},
	Auto: func(b *packet.BuildLayer) {
		n := b.End - b.Start
		h := b.Header()
		if !b.FieldIsSet(udpLen) { // in place: this runs for every packet built
			h[4], h[5] = byte(n>>8), byte(n)
		}
		if b.FieldIsSet(udpChksum) {
			return
		}
		h[6], h[7] = 0, 0
		s, ok := b.PseudoSum(17, n)
		if !ok {
			return
		}
		c := packet.Fold(packet.Sum(s, b.Bytes()))
		if c == 0 {
			c = 0xffff
		}
		h[6], h[7] = byte(c>>8), byte(c)
	},
})

// appendPorts writes "src:sport > dst:dport" using the network layer below.
func appendPorts(dst []byte, l *packet.Layer) []byte {
	var src, dst2 string
	if par := l.Parent(); par != nil {
		if v, ok := par.Value("src"); ok {
			src = string(addrText(par, "src", v))
		}
		if v, ok := par.Value("dst"); ok {
			dst2 = string(addrText(par, "dst", v))
		}
	}
	dst = append(dst, src...)
	dst = append(dst, ':')
	dst = strconv.AppendUint(dst, uint64(l.Data[0])<<8|uint64(l.Data[1]), 10)
	dst = append(dst, " > "...)
	dst = append(dst, dst2...)
	dst = append(dst, ':')
	return strconv.AppendUint(dst, uint64(l.Data[2])<<8|uint64(l.Data[3]), 10)
}

func addrText(l *packet.Layer, name string, v packet.Value) []byte {
	f := l.Proto.Field(name)
	return f.AppendWS(nil, l, v)
}

func init() {
	udpSport, udpDport = UDP.MustField("sport"), UDP.MustField("dport")
	udpLen, udpChksum = UDP.MustField("len"), UDP.MustField("chksum")
	packet.Bind(IP, "proto", 17, UDP)
	packet.Alias("udp.sport", "udp.srcport")
	packet.Alias("udp.dport", "udp.dstport")
	packet.Alias("udp.len", "udp.length")
	packet.Alias("udp.chksum", "udp.checksum")
}
