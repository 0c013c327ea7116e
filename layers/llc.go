package layers

import "pktkit/packet"

// sapSNAP is the service access point of SNAP.
const sapSNAP = 0xaa

// llcControl returns the LLC control field as Wireshark reads it: one byte
// for unnumbered (U) frames, two for information and supervisory frames, the
// second byte being the more significant.
func llcControl(l *packet.Layer) (uint64, bool) {
	c := l.Data[2]
	if c&3 == 3 {
		return uint64(c), true
	}
	if len(l.Data) < 4 {
		return 0, false
	}
	return uint64(c) | uint64(l.Data[3])<<8, true
}

// LLC is the IEEE 802.2 Logical Link Control header (Scapy's LLC). Scapy
// reads one control byte; Wireshark, as here, reads a second one in I and S
// frames (ctrl_ext). DSAP and SSAP 0xaa mean SNAP follows; STP (0x42),
// NetBIOS, IPX, OSI and other SAPs are left as data.
var LLC = packet.Register(&packet.Protocol{
	Name: "LLC", Abbrev: "llc", Long: "Logical-Link Control",
	Fields: []*packet.Field{
		{Name: "dsap", WS: "llc.dsap", Type: packet.Uint, Bits: 8, Base: packet.Hex, Hex: true,
			FlagWS: []string{"llc.dsap.ig"}},
		{Name: "ssap", WS: "llc.ssap", Type: packet.Uint, Bits: 8, Base: packet.Hex, Hex: true,
			FlagWS: []string{"llc.ssap.cr"}},
		{Name: "ctrl", Type: packet.Uint, Bits: 8},
		{Name: "ctrl_ext", Type: packet.Bytes, Len: func(l *packet.Layer) int {
			if l.Data[2]&3 == 3 {
				return 0
			}
			return 1
		}},
	},
	Virtual: []*packet.Virtual{
		{WS: "llc.control", Type: packet.Uint, Bits: 16, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			c, ok := llcControl(l)
			return packet.Value{U: c}, ok
		}},
		{WS: "llc.dsap.sap", Type: packet.Uint, Bits: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[0] >> 1)}, true
		}},
		{WS: "llc.ssap.sap", Type: packet.Uint, Bits: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[1] >> 1)}, true
		}},
	},
})

func llcNext(l *packet.Layer) *packet.Protocol {
	if l.Data[0] == sapSNAP && l.Data[1] == sapSNAP {
		return SNAP
	}
	return nil
}

func init() {
	LLC.Next = llcNext
	packet.Bind(Ether, "type", 0x8870, LLC) // 802.2 in jumbo frames
	packet.Bind(LLC, "dsap", sapSNAP, SNAP)
	packet.Bind(LLC, "ssap", sapSNAP, SNAP)
	packet.Bind(LLC, "ctrl", 3, SNAP)
}
