package layers

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"pktkit/packet"
)

// teredoObf is an obfuscated field of the origin indication (RFC 4380
// section 5.1.1): the port or IPv4 address with every bit inverted. It
// reads and prints as the real value, as Wireshark shows it.
type teredoObf struct{ size int }

func (c teredoObf) Size(*packet.Layer, []byte) int { return c.size }

func (c teredoObf) Format(dst []byte, _ *packet.Layer, raw []byte) []byte {
	if len(raw) != c.size {
		return dst
	}
	if c.size == 2 {
		return strconv.AppendUint(dst, uint64(^binary.BigEndian.Uint16(raw)), 10)
	}
	for i, b := range raw {
		if i > 0 {
			dst = append(dst, '.')
		}
		dst = strconv.AppendUint(dst, uint64(^b), 10)
	}
	return dst
}

func (c teredoObf) Parse(s string) ([]byte, error) {
	if c.size == 2 {
		u, err := strconv.ParseUint(s, 0, 16)
		if err != nil {
			return nil, err
		}
		return []byte{^byte(u >> 8), ^byte(u)}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return nil, &strconv.NumError{Func: "Parse", Num: s, Err: strconv.ErrSyntax}
	}
	b := a.As4()
	for i := range b {
		b[i] = ^b[i]
	}
	return b[:], nil
}

// teredoNext follows a Teredo indication: an origin indication, or the
// IPv6 packet (Wireshark reads whatever follows as IPv6).
func teredoNext(l *packet.Layer) *packet.Protocol {
	pay := l.Payload()
	if len(pay) >= 2 && pay[0] == 0 && pay[1] == 0 && l.Proto != TeredoOrigin {
		return TeredoOrigin
	}
	return tunIPv6.get()
}

// TeredoAuth is the authentication indication of Teredo (RFC 4380,
// IPv6 over UDP port 3544): client identifier, authentication value,
// nonce and confirmation byte. A Teredo packet without it starts with the
// origin indication, or directly with IPv6.
var TeredoAuth = packet.Register(&packet.Protocol{
	Name: "TeredoAuth", Abbrev: "teredo", Long: "Teredo IPv6 over UDP tunneling", Title: "Teredo Authentication",
	Fields: []*packet.Field{
		{Name: "indicator", Type: packet.Uint, Bits: 16, Default: 1, Hex: true},
		{Name: "idlen", WS: "teredo.auth.idlen", Type: packet.Uint, Bits: 8, Auto: true},
		{Name: "aulen", WS: "teredo.auth.aulen", Type: packet.Uint, Bits: 8, Auto: true},
		{Name: "id", WS: "teredo.auth.id", Type: packet.Bytes, Len: func(l *packet.Layer) int { return int(l.Data[2]) }},
		{Name: "value", WS: "teredo.auth.value", Type: packet.Bytes, Len: func(l *packet.Layer) int { return int(l.Data[3]) }},
		{Name: "nonce", WS: "teredo.auth.nonce", Type: packet.Bytes, Len: func(*packet.Layer) int { return 8 },
			DefaultBytes: make([]byte, 8)},
		{Name: "conf", WS: "teredo.auth.conf", Type: packet.Bytes, Len: func(*packet.Layer) int { return 1 },
			DefaultBytes: []byte{0}},
	},
	Auto: func(b *packet.BuildLayer) {
		b.SetAuto("idlen", uint64(len(b.Value("id").B)))
		b.SetAuto("aulen", uint64(len(b.Value("value").B)))
	},
})

// TeredoOrigin is Teredo's origin indication: the client's mapped port and
// IPv4 address, obfuscated on the wire.
var TeredoOrigin = packet.Register(&packet.Protocol{
	Name: "TeredoOrigin", Abbrev: "teredo", Long: "Teredo IPv6 over UDP tunneling", Title: "Teredo Origin Indication",
	Fields: []*packet.Field{
		{Name: "indicator", Type: packet.Uint, Bits: 16, Hex: true},
		{Name: "port", WS: "teredo.orig.port", Type: packet.Custom, Codec: teredoObf{2}, DefaultBytes: []byte{0xff, 0xff}, DefaultText: "0"},
		{Name: "addr", WS: "teredo.orig.addr", Type: packet.Custom, Codec: teredoObf{4},
			DefaultBytes: []byte{0xff, 0xff, 0xff, 0xff}, DefaultText: "0.0.0.0"},
	},
})

func init() {
	TeredoAuth.Next, TeredoOrigin.Next = teredoNext, teredoNext
	// The bound table starts with the indication the bytes show.
	TeredoAuth.Dispatch = func(b []byte) *packet.Protocol {
		switch {
		case len(b) >= 2 && b[0] == 0 && b[1] == 1:
			return nil
		case len(b) >= 2 && b[0] == 0 && b[1] == 0:
			return TeredoOrigin
		}
		if v6 := tunIPv6.get(); v6 != nil {
			return v6
		}
		return packet.Raw
	}
	bindPort(UDP, 3544, TeredoAuth)
	bindPort(UDP, 3544, TeredoOrigin) // building UDP / TeredoOrigin
}
