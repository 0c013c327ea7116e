package layers

import "pktkit/packet"

// etherTypes are EtherType names as Scapy shows them.
var etherTypes = map[uint64]string{
	0x0800: "IPv4", 0x0806: "ARP", 0x8100: "n_802_1Q", 0x88a8: "n_802_1AD", 0x86dd: "IPv6",
	0x8847: "MPLS", 0x8848: "MPLS_MCAST", 0x88cc: "LLDP", 0x8035: "RARP", 0x888e: "EAPOL",
	0x8863: "PPPoED", 0x8864: "PPPoE", 0x88e5: "MACsec", 0x9000: "LOOP", 0x6558: "TEB",
}

// Ether is Ethernet II (Scapy's Ether).
var Ether = packet.Register(&packet.Protocol{
	Name: "Ether", Abbrev: "eth", Chain: "eth:ethertype", Long: "Ethernet II", Title: "Ethernet",
	Fields: []*packet.Field{
		{Name: "dst", WS: "eth.dst", Type: packet.MAC, DefaultBytes: []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{Name: "src", WS: "eth.src", Type: packet.MAC, DefaultBytes: make([]byte, 6)},
		{Name: "type", WS: "eth.type", Type: packet.Uint, Bits: 16, Default: 0x9000, Enum: etherTypes, Base: packet.Hex, Hex: true},
	},
	Keys: []string{"type"},
	Dispatch: func(b []byte) *packet.Protocol {
		// A type field of 1500 or less is an 802.3 length.
		if len(b) >= 14 && int(b[12])<<8|int(b[13]) <= 1500 {
			return packet.Lookup("Dot3")
		}
		// Cisco FabricPath: the outer header is FabricPath's (cfp.go).
		if isCFP(b) {
			return packet.Lookup("CFP")
		}
		return nil
	},
	Summary: func(dst []byte, l *packet.Layer) []byte {
		dst = append(dst, "Ether "...)
		dst = appendMAC(dst, l.Data[6:12])
		dst = append(dst, " > "...)
		return appendMAC(dst, l.Data[0:6])
	},
})

func appendMAC(dst, b []byte) []byte {
	const hx = "0123456789abcdef"
	for i, c := range b {
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = append(dst, hx[c>>4], hx[c&15])
	}
	return dst
}

func init() {
	packet.RegisterLinkType(1, Ether)
	packet.Alias("ether.src", "eth.src")
	packet.Alias("ether.dst", "eth.dst")
}
