// Code written from the list of classes the crafting issue names; every
// other table is reachable through New and LookupClass.

package craft

// The functions below are constructors with Scapy's class names: each
// returns a one-layer packet with the given fields set. An error (an
// unknown field, a value of the wrong type or out of range) is kept in the
// packet and reported by Build, Bytes, Builder and All, so that layers
// chain: craft.IP(craft.KV{"dst", "10.0.0.1"}).Div(craft.TCP()).

// Ether returns an Ethernet II header (Scapy's Ether).
func Ether(kvs ...KV) *Packet { return C("Ether", kvs...) }

// Dot1Q returns an 802.1Q VLAN tag (Scapy's Dot1Q).
func Dot1Q(kvs ...KV) *Packet { return C("Dot1Q", kvs...) }

// Dot1AD returns an 802.1ad (Q-in-Q) service tag (Scapy's Dot1AD).
func Dot1AD(kvs ...KV) *Packet { return C("Dot1AD", kvs...) }

// Dot3 returns an IEEE 802.3 header (Scapy's Dot3).
func Dot3(kvs ...KV) *Packet { return C("Dot3", kvs...) }

// LLC returns an 802.2 LLC header (Scapy's LLC).
func LLC(kvs ...KV) *Packet { return C("LLC", kvs...) }

// SNAP returns a SNAP header (Scapy's SNAP).
func SNAP(kvs ...KV) *Packet { return C("SNAP", kvs...) }

// ARP returns an ARP message (Scapy's ARP).
func ARP(kvs ...KV) *Packet { return C("ARP", kvs...) }

// IP returns an IPv4 header (Scapy's IP).
func IP(kvs ...KV) *Packet { return C("IP", kvs...) }

// IPv6 returns an IPv6 header (Scapy's IPv6).
func IPv6(kvs ...KV) *Packet { return C("IPv6", kvs...) }

// IPv6ExtHdrHopByHop returns an IPv6 hop-by-hop options header (Scapy's IPv6ExtHdrHopByHop).
func IPv6ExtHdrHopByHop(kvs ...KV) *Packet { return C("IPv6ExtHdrHopByHop", kvs...) }

// IPv6ExtHdrRouting returns an IPv6 routing header (Scapy's IPv6ExtHdrRouting).
func IPv6ExtHdrRouting(kvs ...KV) *Packet { return C("IPv6ExtHdrRouting", kvs...) }

// IPv6ExtHdrFragment returns an IPv6 fragment header (Scapy's IPv6ExtHdrFragment).
func IPv6ExtHdrFragment(kvs ...KV) *Packet { return C("IPv6ExtHdrFragment", kvs...) }

// IPv6ExtHdrDestOpt returns an IPv6 destination options header (Scapy's IPv6ExtHdrDestOpt).
func IPv6ExtHdrDestOpt(kvs ...KV) *Packet { return C("IPv6ExtHdrDestOpt", kvs...) }

// ICMP returns an ICMP message (the type picks the variant) (Scapy's ICMP).
func ICMP(kvs ...KV) *Packet { return C("ICMP", kvs...) }

// ICMPv6EchoRequest returns an ICMPv6 echo request (Scapy's ICMPv6EchoRequest).
func ICMPv6EchoRequest(kvs ...KV) *Packet { return C("ICMPv6EchoRequest", kvs...) }

// ICMPv6EchoReply returns an ICMPv6 echo reply (Scapy's ICMPv6EchoReply).
func ICMPv6EchoReply(kvs ...KV) *Packet { return C("ICMPv6EchoReply", kvs...) }

// ICMPv6DestUnreach returns an ICMPv6 destination unreachable message (Scapy's ICMPv6DestUnreach).
func ICMPv6DestUnreach(kvs ...KV) *Packet { return C("ICMPv6DestUnreach", kvs...) }

// ICMPv6ND_NS returns a neighbour solicitation (Scapy's ICMPv6ND_NS).
func ICMPv6ND_NS(kvs ...KV) *Packet { return C("ICMPv6ND_NS", kvs...) }

// ICMPv6ND_NA returns a neighbour advertisement (Scapy's ICMPv6ND_NA).
func ICMPv6ND_NA(kvs ...KV) *Packet { return C("ICMPv6ND_NA", kvs...) }

// ICMPv6ND_RS returns a router solicitation (Scapy's ICMPv6ND_RS).
func ICMPv6ND_RS(kvs ...KV) *Packet { return C("ICMPv6ND_RS", kvs...) }

// ICMPv6ND_RA returns a router advertisement (Scapy's ICMPv6ND_RA).
func ICMPv6ND_RA(kvs ...KV) *Packet { return C("ICMPv6ND_RA", kvs...) }

// ICMPv6NDOptSrcLLAddr returns a source link-layer address option (Scapy's ICMPv6NDOptSrcLLAddr).
func ICMPv6NDOptSrcLLAddr(kvs ...KV) *Packet { return C("ICMPv6NDOptSrcLLAddr", kvs...) }

// ICMPv6NDOptDstLLAddr returns a target link-layer address option (Scapy's ICMPv6NDOptDstLLAddr).
func ICMPv6NDOptDstLLAddr(kvs ...KV) *Packet { return C("ICMPv6NDOptDstLLAddr", kvs...) }

// ICMPv6NDOptPrefixInfo returns a prefix information option (Scapy's ICMPv6NDOptPrefixInfo).
func ICMPv6NDOptPrefixInfo(kvs ...KV) *Packet { return C("ICMPv6NDOptPrefixInfo", kvs...) }

// TCP returns a TCP header (Scapy's TCP).
func TCP(kvs ...KV) *Packet { return C("TCP", kvs...) }

// UDP returns a UDP header (Scapy's UDP).
func UDP(kvs ...KV) *Packet { return C("UDP", kvs...) }

// DNS returns a DNS message (Scapy's DNS).
func DNS(kvs ...KV) *Packet { return C("DNS", kvs...) }

// DNSQR returns a DNS question (Scapy's DNSQR).
func DNSQR(kvs ...KV) *Packet { return C("DNSQR", kvs...) }

// DNSRR returns a DNS resource record (the type picks the variant) (Scapy's DNSRR).
func DNSRR(kvs ...KV) *Packet { return C("DNSRR", kvs...) }

// NTP returns an NTP message (Scapy's NTP).
func NTP(kvs ...KV) *Packet { return C("NTP", kvs...) }

// BOOTP returns a BOOTP message (Scapy's BOOTP).
func BOOTP(kvs ...KV) *Packet { return C("BOOTP", kvs...) }

// DHCP returns DHCP options (Scapy's DHCP).
func DHCP(kvs ...KV) *Packet { return C("DHCP", kvs...) }

// GRE returns a GRE header (Scapy's GRE).
func GRE(kvs ...KV) *Packet { return C("GRE", kvs...) }

// VXLAN returns a VXLAN header (Scapy's VXLAN).
func VXLAN(kvs ...KV) *Packet { return C("VXLAN", kvs...) }

// MPLS returns an MPLS label stack entry (Scapy's MPLS).
func MPLS(kvs ...KV) *Packet { return C("MPLS", kvs...) }

// Raw returns raw bytes (field load) (Scapy's Raw).
func Raw(kvs ...KV) *Packet { return C("Raw", kvs...) }

// Padding returns padding bytes (field load) (Scapy's Padding).
func Padding(kvs ...KV) *Packet { return C("Padding", kvs...) }

// IPOption_NOP returns an IP no-operation option (Scapy's IPOption_NOP).
func IPOption_NOP(kvs ...KV) *Packet { return C("IPOption_NOP", kvs...) }

// IPOption_EOL returns an IP end-of-options option (Scapy's IPOption_EOL).
func IPOption_EOL(kvs ...KV) *Packet { return C("IPOption_EOL", kvs...) }

// IPOption_RR returns an IP record-route option (Scapy's IPOption_RR).
func IPOption_RR(kvs ...KV) *Packet { return C("IPOption_RR", kvs...) }

// IPOption_LSRR returns an IP loose source route option (Scapy's IPOption_LSRR).
func IPOption_LSRR(kvs ...KV) *Packet { return C("IPOption_LSRR", kvs...) }

// IPOption_SSRR returns an IP strict source route option (Scapy's IPOption_SSRR).
func IPOption_SSRR(kvs ...KV) *Packet { return C("IPOption_SSRR", kvs...) }

// IPOption_Timestamp returns an IP timestamp option (Scapy's IPOption_Timestamp).
func IPOption_Timestamp(kvs ...KV) *Packet { return C("IPOption_Timestamp", kvs...) }

// IPOption_Router_Alert returns an IP router alert option (Scapy's IPOption_Router_Alert).
func IPOption_Router_Alert(kvs ...KV) *Packet { return C("IPOption_Router_Alert", kvs...) }
