package layers

import "pktkit/packet"

// ESP is the IP Encapsulating Security Payload (RFC 4303), Scapy's ESP:
// SPI and sequence number in clear, then the encrypted payload, padding and
// ICV, which stay opaque without the security association.
var ESP = packet.Register(&packet.Protocol{
	Name: "ESP", Abbrev: "esp", Long: "Encapsulating Security Payload",
	Fields: []*packet.Field{
		{Name: "spi", WS: "esp.spi", Type: packet.Uint, Bits: 32, Default: 1, Base: packet.Hex, Hex: true},
		{Name: "seq", WS: "esp.sequence", Type: packet.Uint, Bits: 32},
		{Name: "data", Type: packet.Bytes, Len: rest},
	},
})

func init() {
	packet.Bind(IP, "proto", 50, ESP)
	bindNH(50, ESP)
	packet.Alias("esp.seq", "esp.sequence")
}
