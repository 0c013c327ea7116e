package layers

import (
	"strconv"

	"pktkit/packet"
)

// VNTag is Cisco's VN-Tag (EtherType 0x8926, Wireshark's vntag): direction
// and pointer bits, destination virtual interface (or list pointer),
// looped bit, reserved bit, version, source virtual interface, then the
// EtherType of what follows. Scapy 2.5 has no VN-Tag layer; the field names
// are Wireshark's.
var VNTag = packet.Register(&packet.Protocol{
	Name: "VNTag", Abbrev: "vntag", Chain: "vntag:ethertype", Long: "VN-Tag", Title: "VN-Tag",
	Fields: []*packet.Field{
		{Name: "dir", WS: "vntag.dir", Type: packet.Uint, Bits: 1},
		{Name: "ptr", WS: "vntag.ptr", Type: packet.Uint, Bits: 1},
		{Name: "dst", WS: "vntag.dst", Type: packet.Uint, Bits: 14},
		{Name: "looped", WS: "vntag.looped", Type: packet.Uint, Bits: 1},
		{Name: "r", WS: "vntag.r", Type: packet.Uint, Bits: 1},
		{Name: "version", WS: "vntag.version", Type: packet.Uint, Bits: 2},
		{Name: "src", WS: "vntag.src", Type: packet.Uint, Bits: 12},
		{Name: "type", WS: "vntag.etype", Type: packet.Uint, Bits: 16, Enum: etherTypes, Base: packet.Hex, Hex: true},
	},
	Next: etherTypeAt(4),
	Auto: func(b *packet.BuildLayer) { etherTypeAuto(b, "type") },
	Summary: func(dst []byte, l *packet.Layer) []byte {
		dst = strconv.AppendUint(append(dst, "VN-Tag src="...), uint64(l.Data[2]&15)<<8|uint64(l.Data[3]), 10)
		return strconv.AppendUint(append(dst, " dst="...), uint64(l.Data[0]&0x3f)<<8|uint64(l.Data[1]), 10)
	},
})

func init() {
	packet.Bind(Ether, "type", 0x8926, VNTag)
}
