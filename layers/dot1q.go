package layers

import (
	"strconv"

	"pktkit/packet"
)

// vlanType reads the type field of an 802.1Q or 802.1ad tag: an EtherType,
// or (1500 or less) the length of an 802.2 LLC payload.
func vlanType(l *packet.Layer) uint64 { return uint64(l.Data[2])<<8 | uint64(l.Data[3]) }

// vlanNext: a length means LLC follows (Novell raw IPX if it starts with
// ff ff); an EtherType is looked up in the tag's bindings, then Ether's.
func vlanNext(l *packet.Layer) *packet.Protocol {
	t := vlanType(l)
	if t <= 1500 {
		if p := l.Payload(); len(p) >= 2 && p[0] == 0xff && p[1] == 0xff {
			return nil
		}
		return LLC
	}
	return etherTypeNext(l.Proto, "type", t)
}

// vlanBound keeps an LLC payload to its length; the rest is padding.
func vlanBound(l *packet.Layer) int {
	if t := vlanType(l); t <= 1500 {
		return 4 + int(t)
	}
	return -1
}

// vlanAuto fills the type from the layer above: its EtherType, or the
// payload's length when LLC follows.
func vlanAuto(b *packet.BuildLayer) {
	if !b.IsSet("type") && b.Over != nil && b.Over.Spec.Proto == LLC {
		b.SetAuto("type", uint64(b.End-b.HdrEnd))
		return
	}
	etherTypeAuto(b, "type")
}

// vlanSummary is Scapy's: "802.1q src > dst (type) vlan N" over Ethernet.
func vlanSummary(dst []byte, l *packet.Layer) []byte {
	dst = append(dst, "802.1q "...)
	if par := l.Parent(); par != nil && par.Proto == Ether && len(par.Data) >= 12 {
		dst = appendMAC(dst, par.Data[6:12])
		dst = append(dst, " > "...)
		dst = appendMAC(dst, par.Data[0:6])
		dst = append(dst, ' ')
	}
	dst = append(dst, '(')
	t := vlanType(l)
	if n, ok := etherTypes[t]; ok {
		dst = append(dst, n...)
	} else {
		dst = append(dst, "0x"...)
		dst = strconv.AppendUint(dst, t, 16)
	}
	dst = append(dst, ") vlan "...)
	return strconv.AppendUint(dst, uint64(l.Data[0]&15)<<8|uint64(l.Data[1]), 10)
}

func vlanTCI(prio, dei string) []*packet.Field {
	return []*packet.Field{
		{Name: "prio", WS: prio, Type: packet.Uint, Bits: 3},
		{Name: "id", WS: dei, Type: packet.Uint, Bits: 1},
	}
}

// Dot1Q is an IEEE 802.1Q VLAN tag (Scapy's Dot1Q): priority, drop
// eligible indicator (Scapy's id), VLAN ID and the type of what follows.
var Dot1Q = packet.Register(&packet.Protocol{
	Name: "Dot1Q", Abbrev: "vlan", Chain: "vlan:ethertype", Long: "802.1Q Virtual LAN", Title: "802.1Q",
	Fields: append(vlanTCI("vlan.priority", "vlan.dei"),
		&packet.Field{Name: "vlan", WS: "vlan.id", Type: packet.Uint, Bits: 12, Default: 1},
		&packet.Field{Name: "type", Type: packet.Uint, Bits: 16, Enum: etherTypes, Hex: true},
	),
	Virtual: []*packet.Virtual{
		{WS: "vlan.etype", Type: packet.Uint, Bits: 16, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			t := vlanType(l)
			return packet.Value{U: t}, t > 1500
		}},
		{WS: "vlan.len", Type: packet.Uint, Bits: 16, Get: func(l *packet.Layer) (packet.Value, bool) {
			t := vlanType(l)
			return packet.Value{U: t}, t <= 1500
		}},
	},
	Next:    vlanNext,
	Bound:   vlanBound,
	Summary: vlanSummary,
	Auto:    vlanAuto,
})

// dot1adRole says how Wireshark names a service tag's VLAN ID: it reads an
// S-tag followed directly by another 0x88a8 tag as one S-VID/C-VID pair
// (ieee8021ad.svid, ieee8021ad.cvid), and a lone tag's as ieee8021ad.id.
const (
	adLone = iota
	adOuter
	adInner
)

func dot1adRole(l *packet.Layer) int {
	// Walk down the run of 802.1ad tags: pairs are taken outermost first.
	n := 0
	for p := l.Parent(); p != nil && p.Proto == l.Proto && vlanType(p) == 0x88a8; p = p.Parent() {
		n++
	}
	if n%2 == 1 {
		return adInner
	}
	if vlanType(l) == 0x88a8 {
		return adOuter
	}
	return adLone
}

func dot1adVID(role int) func(l *packet.Layer) (packet.Value, bool) {
	return func(l *packet.Layer) (packet.Value, bool) {
		return packet.Value{U: uint64(l.Data[0]&15)<<8 | uint64(l.Data[1])}, dot1adRole(l) == role
	}
}

// Dot1AD is an IEEE 802.1ad service tag, TPID 0x88a8 (Scapy's Dot1AD): the
// same layout as Dot1Q.
var Dot1AD = packet.Register(&packet.Protocol{
	Name: "Dot1AD", Abbrev: "ieee8021ad", Chain: "ieee8021ad:ethertype", Long: "802.1ad Provider Bridge (Q-in-Q)", Title: "802_1AD",
	Fields: append(vlanTCI("ieee8021ad.priority", "ieee8021ad.dei"),
		&packet.Field{Name: "vlan", Type: packet.Uint, Bits: 12, Default: 1},
		&packet.Field{Name: "type", Type: packet.Uint, Bits: 16, Enum: etherTypes, Hex: true},
	),
	Virtual: []*packet.Virtual{
		{WS: "ieee8021ad.id", Type: packet.Uint, Bits: 16, Get: dot1adVID(adLone)},
		{WS: "ieee8021ad.svid", Type: packet.Uint, Bits: 16, Get: dot1adVID(adOuter)},
		{WS: "ieee8021ad.cvid", Type: packet.Uint, Bits: 16, Get: dot1adVID(adInner)},
	},
	Next:    vlanNext,
	Bound:   vlanBound,
	Summary: vlanSummary,
	Auto:    vlanAuto,
})

func init() {
	packet.Bind(Ether, "type", 0x8100, Dot1Q)
	packet.Bind(Ether, "type", 0x88a8, Dot1AD)
	packet.Bind(Ether, "type", 0x9100, Dot1Q) // old QinQ outer tag (Wireshark's vlan.qinq_ethertype)
}
