package layers

import (
	"strconv"
	"strings"

	"pktkit/packet"
)

// pppProtoCodec reads PPP's protocol field, one byte long when its low bit
// is set (protocol field compression, RFC 1661 section 6.5) and two bytes
// otherwise. Wireshark shows it as a 16-bit number either way.
type pppProtoCodec struct{}

func (pppProtoCodec) Size(_ *packet.Layer, b []byte) int {
	if len(b) > 0 && b[0]&1 != 0 {
		return 1
	}
	return 2
}

func (pppProtoCodec) Format(dst []byte, _ *packet.Layer, raw []byte) []byte {
	u := tunUint(raw)
	dst = append(dst, "0x"...)
	for i := 12; i >= 0; i -= 4 {
		dst = append(dst, "0123456789abcdef"[u>>i&15])
	}
	return dst
}

// Parse takes a number; like Scapy it is written in one byte when below
// 0x100, unless written with more than two hex digits ("0x0021").
func (pppProtoCodec) Parse(s string) ([]byte, error) {
	u, err := strconv.ParseUint(s, 0, 16)
	if err != nil {
		return nil, err
	}
	if u < 0x100 && !(strings.HasPrefix(strings.ToLower(s), "0x") && len(s) > 4) {
		return []byte{byte(u)}, nil
	}
	return []byte{byte(u >> 8), byte(u)}, nil
}

// pppProto returns the protocol number of a PPP layer (either width).
func pppProto(l *packet.Layer) uint64 {
	if l.Data[0]&1 != 0 {
		return uint64(l.Data[0])
	}
	if len(l.Data) < 2 {
		return 0
	}
	return uint64(l.Data[0])<<8 | uint64(l.Data[1])
}

// PPP is the Point-to-Point Protocol's protocol field (RFC 1661), Scapy's
// PPP: one or two bytes naming the payload (0x0021 IPv4, 0x0057 IPv6,
// 0x0281 MPLS). Built with the default, it is one byte (0x21), as Scapy
// writes it, and takes the number of the layer built above when that fits
// one byte (0x57 under IPv6); set it to "0x0021" for the two-byte form, and
// set it for a protocol numbered above 0xff (MPLS).
var PPP = packet.Register(&packet.Protocol{
	Name: "PPP", Abbrev: "ppp", Long: "Point-to-Point Protocol", Title: "PPP Link Layer",
	Fields: []*packet.Field{
		{Name: "proto", WS: "ppp.protocol", Type: packet.Custom, Codec: pppProtoCodec{},
			DefaultBytes: []byte{0x21}, DefaultText: "0x0021"},
	},
	Next: func(l *packet.Layer) *packet.Protocol { return l.Proto.BoundTo("proto", pppProto(l)) },
	Auto: func(b *packet.BuildLayer) {
		// The protocol of the layer above, when it fits the field's width.
		if b.IsSet("proto") || b.Over == nil {
			return
		}
		w := len(b.Value("proto").B)
		for _, bd := range b.Spec.Proto.Bindings() {
			if bd.Field == "proto" && bd.Upper == b.Over.Spec.Proto {
				if (w == 1 && bd.Value < 0x100 && bd.Value&1 != 0) || w == 2 {
					b.SetAuto("proto", bd.Value)
				}
				return
			}
		}
	},
})

// HDLC is the address and control bytes of PPP in HDLC-like framing (RFC
// 1662), Scapy's HDLC; PPP follows. A PPP frame whose first byte is not
// 0xff has them compressed away (a capture of link type PPP, or PPP in
// GRE), and is dissected as PPP directly, as Wireshark does.
var HDLC = packet.Register(&packet.Protocol{
	Name: "HDLC", Long: "PPP in HDLC-like framing",
	Fields: []*packet.Field{
		{Name: "address", WS: "ppp.address", Type: packet.Uint, Bits: 8, Default: 0xff, Base: packet.Hex, Hex: true},
		{Name: "control", WS: "ppp.control", Type: packet.Uint, Bits: 8, Default: 0x03, Base: packet.Hex, Hex: true},
	},
	Dispatch: func(b []byte) *packet.Protocol {
		if b[0] != 0xff {
			return PPP
		}
		return nil
	},
	Next: func(*packet.Layer) *packet.Protocol { return PPP },
})

// pppInPPTP picks PPP after enhanced GRE with protocol type 0x880b, when
// the GRE header as dissected ends where its flags say: 8 bytes, 4 more
// with a sequence number (S) and 4 more with an acknowledgment number (A,
// second byte). A header that leaves the acknowledgment number in the
// payload would put PPP 4 bytes early: the payload then stays data.
func pppInPPTP(l *packet.Layer, _ []byte) *packet.Protocol {
	if len(l.Data) < 4 || l.Data[2] != 0x88 || l.Data[3] != 0x0b {
		return nil
	}
	n := 8
	if l.Data[0]&0x10 != 0 {
		n += 4
	}
	if l.Data[1]&0x80 != 0 {
		n += 4
	}
	if l.HdrLen != n {
		return nil
	}
	return HDLC
}

func init() {
	packet.Bind(PPP, "proto", 0x0021, IP)
	if v6 := tunIPv6.get(); v6 != nil {
		packet.Bind(PPP, "proto", 0x0057, v6)
	}
	if mpls := tunMPLS.get(); mpls != nil {
		packet.Bind(PPP, "proto", 0x0281, mpls)
		packet.Bind(PPP, "proto", 0x0283, mpls)
	}
	// Link types PPP (9) and PPP_HDLC (50): address and control bytes
	// when the frame starts with 0xff.
	packet.RegisterLinkType(9, HDLC)
	packet.RegisterLinkType(50, HDLC)
	// PPP in GRE (PPTP's enhanced GRE, version 1, or plain GRE) with
	// protocol type 0x880b. Enhanced GRE picks no payload of its own, so
	// PPP comes from a heuristic that checks the protocol type.
	if gre := tunGRE.get(); gre != nil {
		packet.Bind(gre, "proto", 0x880b, HDLC)
		packet.Bind(gre, "proto", 0x880b, PPP) // building GRE / PPP
	}
	if pptp := tunGREPPTP.get(); pptp != nil {
		packet.AddHeuristic(pptp, packet.Heuristic{Name: "ppp", Guess: pppInPPTP})
	}
	packet.Alias("ppp.proto", "ppp.protocol")
}
