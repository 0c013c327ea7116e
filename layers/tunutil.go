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
