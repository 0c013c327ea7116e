package layers

import "pktkit/packet"

// Raw IP link types carry an IP packet with no link-layer header at all:
// LINKTYPE_RAW (101), and DLT_RAW as it appears in pcap files written on the
// BSDs (12 on most of them, 14 on OpenBSD), which Wireshark and Scapy read as
// raw IP too. The version nibble says IPv4 or IPv6 (Scapy's IPv46); any other
// version is data, as in Wireshark. LINKTYPE_IPV4 (228) is IPv4's own;
// LINKTYPE_IPV6 (229) is always IPv6, whatever the version nibble says, as
// in Wireshark.
func init() {
	for _, lt := range []uint32{101, 12, 14} {
		packet.RegisterLinkTypeFunc(lt, ipByVersion)
	}
	packet.RegisterLinkTypeFunc(229, func([]byte) *packet.Protocol { return ipv6Proto() })
}
