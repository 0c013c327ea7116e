package layers

import (
	"strconv"

	"pktkit/packet"
)

// SPBM is the IEEE 802.1ah provider backbone bridging service tag
// (EtherType 0x88e7, Wireshark's ieee8021ah; Scapy's contrib SPBM for the
// I-TAG): priority, drop eligibility, no-customer-addresses bit, two
// reserved fields and the service instance ID, then the customer
// destination and source addresses and the EtherType of what follows.
// Scapy puts an Ether layer after its 4-byte SPBM for the customer
// addresses; this table holds them, as Wireshark's ieee8021ah does (it
// shows no eth field for them), so the payload is the customer EtherType's.
var SPBM = packet.Register(&packet.Protocol{
	Name: "SPBM", Abbrev: "ieee8021ah", Chain: "ieee8021ah:ethertype", Long: "IEEE 802.1ah", Title: "SPBM",
	Fields: []*packet.Field{
		{Name: "prio", WS: "ieee8021ah.priority", Type: packet.Uint, Bits: 3},
		{Name: "dei", WS: "ieee8021ah.drop", Type: packet.Uint, Bits: 1},
		{Name: "nca", WS: "ieee8021ah.nca", Type: packet.Uint, Bits: 1},
		{Name: "res1", WS: "ieee8021ah.res1", Type: packet.Uint, Bits: 1},
		{Name: "res2", WS: "ieee8021ah.res2", Type: packet.Uint, Bits: 2},
		{Name: "isid", WS: "ieee8021ah.isid", Type: packet.Uint, Bits: 24},
		{Name: "dst", WS: "ieee8021ah.cdst", Type: packet.MAC, DefaultBytes: []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{Name: "src", WS: "ieee8021ah.csrc", Type: packet.MAC, DefaultBytes: make([]byte, 6)},
		{Name: "type", WS: "ieee8021ah.etype", Type: packet.Uint, Bits: 16, Default: 0x9000, Enum: etherTypes, Base: packet.Hex, Hex: true},
	},
	Next: etherTypeAt(16),
	Auto: func(b *packet.BuildLayer) { etherTypeAuto(b, "type") },
	Summary: func(dst []byte, l *packet.Layer) []byte {
		// Scapy's mysummary is "SPBM (isid=N" (sic); the parenthesis is closed here.
		return append(strconv.AppendUint(append(dst, "SPBM (isid="...), uint64(l.Data[1])<<16|uint64(l.Data[2])<<8|uint64(l.Data[3]), 10), ')')
	},
})

// etherTypeAt returns a Next hook reading the EtherType of the layer's
// "type" field at byte off (within the static header).
func etherTypeAt(off int) func(l *packet.Layer) *packet.Protocol {
	return func(l *packet.Layer) *packet.Protocol {
		return etherTypeNext(l.Proto, "type", uint64(l.Data[off])<<8|uint64(l.Data[off+1]))
	}
}

func init() {
	packet.Bind(Ether, "type", 0x88e7, SPBM)
}
