package layers

import "pktkit/packet"

// Helpers for the EtherType-keyed protocols (Linux cooked capture, 802.1Q,
// 802.1ad, SNAP, GRE): their protocol fields hold EtherType values, so a
// protocol bound under Ether (IPv6, from its own file) also follows them
// without each file binding it everywhere.

// etherTypeNext returns the protocol for EtherType v carried in field of p:
// p's own bindings first, then Ether's "type" bindings.
func etherTypeNext(p *packet.Protocol, field string, v uint64) *packet.Protocol {
	if q := p.BoundTo(field, v); q != nil {
		return q
	}
	return Ether.BoundTo("type", v)
}

// etherTypeAuto fills an EtherType field the user left unset from the layer
// built above it, through Ether's bindings, when p has no binding of its own
// for that protocol (building SLL / IPv6 sets the SLL protocol to 0x86dd).
func etherTypeAuto(b *packet.BuildLayer, field string) {
	if b.IsSet(field) || b.Over == nil {
		return
	}
	up := b.Over.Spec.Proto
	for _, bd := range b.Spec.Proto.Bindings() {
		if bd.Field == field && bd.Upper == up {
			return // encoded from the binding already
		}
	}
	for _, bd := range Ether.Bindings() {
		if bd.Field == "type" && bd.Upper == up {
			b.SetAuto(field, bd.Value)
			return
		}
	}
}

// ipv6Proto returns the IPv6 table if it is registered (it lives in its own
// file, looked up lazily so that these tables do not depend on it).
func ipv6Proto() *packet.Protocol { return packet.Lookup("IPv6") }

// ipByVersion picks IPv4 or IPv6 from the version nibble of b (raw IP link
// types, MPLS payloads), or nil.
func ipByVersion(b []byte) *packet.Protocol {
	if len(b) == 0 {
		return nil
	}
	switch b[0] >> 4 {
	case 4:
		return IP
	case 6:
		return ipv6Proto()
	}
	return nil
}

// ipv6IfVersion6 returns the IPv6 table when b starts like an IPv6 header:
// Wireshark's IPv6 dissector refuses other versions and the bytes become data.
func ipv6IfVersion6(b []byte) *packet.Protocol {
	if len(b) == 0 || b[0]>>4 != 6 {
		return nil
	}
	return ipv6Proto()
}

// protoNamed reports whether p is the protocol registered under name (for
// protocols these tables cannot reference statically, such as IPv6).
func protoNamed(p *packet.Protocol, name string) bool { return p != nil && p.Name == name }
