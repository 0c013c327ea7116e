package layers

import (
	"sync"

	"pktkit/packet"
)

// Helpers shared by the tunnel tables (PPP, PPPoE, GTP, Geneve, NSH,
// ERSPAN, Teredo). Their inner packets may be of protocols whose tables
// live in other files (IPv6, MPLS, GRE, VXLAN-GPE): those are looked up by
// name, never referenced, so that these tables build without them.
//
// Every table registers itself in a package-level variable, and Go
// initialises all package-level variables before it runs any init
// function, whatever the file names: a lookup made from an init function
// or from a hook therefore sees every table of the package.

// tunLazy is a protocol table looked up by name on first use and then
// remembered (nil if no file registers it).
type tunLazy struct {
	name string
	once sync.Once
	p    *packet.Protocol
}

func (z *tunLazy) get() *packet.Protocol {
	z.once.Do(func() { z.p = packet.Lookup(z.name) })
	return z.p
}

var (
	tunIPv6     = &tunLazy{name: "IPv6"}
	tunMPLS     = &tunLazy{name: "MPLS"}
	tunGRE      = &tunLazy{name: "GRE"}
	tunGREPPTP  = &tunLazy{name: "GRE_PPTP"}
	tunVXLANGPE = &tunLazy{name: "VXLAN_GPE"}
)

// tunIPByVersion picks IPv4 or IPv6 by the version nibble of b, or nil.
func tunIPByVersion(b []byte) *packet.Protocol {
	if len(b) == 0 {
		return nil
	}
	switch b[0] >> 4 {
	case 4:
		return IP
	case 6:
		return tunIPv6.get()
	}
	return nil
}

// tunEtherType returns the protocol an EtherType-valued field names: the
// table's own bindings first, then Ether's (IPv6, ARP, 802.1Q, bound under
// Ether in their own files), as Wireshark's ethertype table does.
func tunEtherType(p *packet.Protocol, field string, v uint64) *packet.Protocol {
	if q := p.BoundTo(field, v); q != nil {
		return q
	}
	return Ether.BoundTo("type", v)
}

// tunEtherTypeAuto fills an EtherType-valued field the user left unset from
// the layer built above when the table has no binding of its own for it
// (Ether's bindings: IPv6 above Geneve gives 0x86dd).
func tunEtherTypeAuto(b *packet.BuildLayer, field string) {
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

// tunUint reads a big-endian integer of len(b) bytes.
func tunUint(b []byte) uint64 {
	var u uint64
	for _, c := range b {
		u = u<<8 | uint64(c)
	}
	return u
}

// tunBits is a virtual field reading bits under mask from the big-endian
// integer of width bytes at off, shifted down (a Wireshark bitmask field).
func tunBits(ws string, off, width int, mask uint64, base packet.Base, digits int) *packet.Virtual {
	shift := 0
	for mask != 0 && mask>>shift&1 == 0 {
		shift++
	}
	return &packet.Virtual{WS: ws, Type: packet.Uint, Bits: width * 8, Base: base, Digits: digits,
		Get: func(l *packet.Layer) (packet.Value, bool) {
			if off+width > len(l.Data) {
				return packet.Value{}, false
			}
			return packet.Value{U: tunUint(l.Data[off:off+width]) & mask >> shift}, true
		}}
}

// tunFlag is a Wireshark boolean: 1 if any bit under mask is set.
func tunFlag(ws string, off, width int, mask uint64) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.Uint, Bits: 1,
		Get: func(l *packet.Layer) (packet.Value, bool) {
			if off+width > len(l.Data) {
				return packet.Value{}, false
			}
			if tunUint(l.Data[off:off+width])&mask != 0 {
				return packet.Value{U: 1}, true
			}
			return packet.Value{}, true
		}}
}
