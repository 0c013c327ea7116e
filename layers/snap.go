package layers

import "pktkit/packet"

// Organisation codes with a meaning for the SNAP protocol ID.
const (
	ouiEncapEther = 0x000000 // RFC 1042: the PID is an EtherType
	ouiCisco90    = 0x0000f8 // 802.1H bridge tunnel: an EtherType too
	ouiCisco      = 0x00000c
	ouiAppleATalk = 0x080007
)

// snapInfo reports whether the LLC frame under a SNAP header carries
// information (an I frame or a UI frame): only then does Wireshark hand an
// RFC 1042 payload to its EtherType.
func snapInfo(l *packet.Layer) bool {
	par := l.Parent()
	if par == nil || par.Proto != LLC {
		return true
	}
	c, ok := llcControl(par)
	return ok && (c&1 == 0 || c == 3)
}

func snapOUI(l *packet.Layer) uint32 {
	return uint32(l.Data[0])<<16 | uint32(l.Data[1])<<8 | uint32(l.Data[2])
}

func snapEtherType(l *packet.Layer) bool {
	o := snapOUI(l)
	return o == ouiEncapEther || o == ouiCisco90
}

// snapPID declares one of Wireshark's names for the protocol ID, used when
// the organisation code is oui (or any other code, for llc.pid).
func snapPID(ws string, match func(oui uint32) bool) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.Uint, Bits: 16, Base: packet.Hex,
		Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[3])<<8 | uint64(l.Data[4])}, match(snapOUI(l))
		}}
}

// SNAP is the Subnetwork Access Protocol header after an LLC header with
// SAPs 0xaa (Scapy's SNAP): an organisation code and a protocol ID, an
// EtherType under the RFC 1042 and 802.1H codes. Wireshark shows it as part
// of LLC, naming the protocol ID after the organisation.
var SNAP = packet.Register(&packet.Protocol{
	Name: "SNAP", Long: "Subnetwork Access Protocol",
	Fields: []*packet.Field{
		{Name: "OUI", WS: "llc.oui", Type: packet.Uint, Bits: 24, Hex: true},
		{Name: "code", Type: packet.Uint, Bits: 16, Enum: etherTypes, Hex: true},
	},
	Virtual: []*packet.Virtual{
		{WS: "llc.type", Type: packet.Uint, Bits: 16, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[3])<<8 | uint64(l.Data[4])}, snapEtherType(l) && snapInfo(l)
		}},
		snapPID("llc.cisco_pid", func(o uint32) bool { return o == ouiCisco }),
		snapPID("llc.apple_atalk_pid", func(o uint32) bool { return o == ouiAppleATalk }),
		snapPID("llc.pid", func(o uint32) bool {
			return o != ouiEncapEther && o != ouiCisco90 && o != ouiCisco && o != ouiAppleATalk
		}),
	},
	Next: func(l *packet.Layer) *packet.Protocol {
		code := uint64(l.Data[3])<<8 | uint64(l.Data[4])
		switch snapOUI(l) {
		case ouiEncapEther, ouiCisco90:
			if !snapInfo(l) {
				return nil
			}
			return etherTypeNext(l.Proto, "code", code)
		}
		// Bridged frames (0x0080c2: a 2-byte pad, then a MAC frame), CDP,
		// AppleTalk and the rest: data.
		return nil
	},
	Auto: func(b *packet.BuildLayer) { etherTypeAuto(b, "code") },
})
