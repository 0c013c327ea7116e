package layers

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"pktkit/packet"
)

// ayiyaEpoch is AYIYA's 32-bit epoch: Unix seconds, which tshark prints as
// an absolute UTC time.
type ayiyaEpoch struct{}

func (ayiyaEpoch) Size(_ *packet.Layer, b []byte) int {
	if len(b) < 4 {
		return -1
	}
	return 4
}

func (ayiyaEpoch) Format(dst []byte, _ *packet.Layer, raw []byte) []byte {
	if len(raw) != 4 {
		return dst
	}
	return appendAbsTime(dst, int64(uint32(raw[0])<<24|uint32(raw[1])<<16|uint32(raw[2])<<8|uint32(raw[3])), 0)
}

// Parse reads an RFC 3339 time or Unix seconds.
func (ayiyaEpoch) Parse(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	var sec int64
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		sec = t.Unix()
	} else if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		sec = int64(n)
	} else {
		return nil, errors.New("AYIYA epoch: want an RFC 3339 time or Unix seconds")
	}
	if sec < 0 || sec > 0xffffffff {
		return nil, errors.New("AYIYA epoch out of range")
	}
	return []byte{byte(sec >> 24), byte(sec >> 16), byte(sec >> 8), byte(sec)}, nil
}

// ayiyaIdentityLen is the identity's length: 2 to the power of the 4-bit
// identity length field.
func ayiyaIdentityLen(l *packet.Layer) int { return 1 << (l.Data[0] >> 4) }

// ayiyaSignatureLen is the signature's length: the 4-bit field counts
// 4-byte words.
func ayiyaSignatureLen(l *packet.Layer) int { return 4 * int(l.Data[1]>>4) }

// ayiyaOpcodes are AYIYA's operation codes as Wireshark names them.
var ayiyaOpcodes = map[uint64]string{0: "No Operation / Heartbeat", 1: "Forward", 2: "Echo Request",
	3: "Echo Request and Forward", 4: "Echo Response", 5: "MOTD", 6: "Query Request", 7: "Query Response"}

// AYIYA is the Anything In Anything tunnel (UDP port 5072; Wireshark's
// ayiya; Scapy 2.5 has no AYIYA layer): identity length and type,
// signature length, hash and authentication methods, operation code, next
// header (an IP protocol number), epoch, identity and signature. A packet
// whose operation is Forward carries the next header's protocol, as in
// Wireshark.
var AYIYA = packet.Register(&packet.Protocol{
	Name: "AYIYA", Abbrev: "ayiya", Long: "Anything in Anything Protocol", Title: "AYIYA",
	Fields: []*packet.Field{
		{Name: "idlen", WS: "ayiya.idlen", Type: packet.Uint, Bits: 4, Default: 4, Base: packet.Hex, Digits: 2, Auto: true},
		{Name: "idtype", WS: "ayiya.idtype", Type: packet.Uint, Bits: 4, Default: 1, Base: packet.Hex, Digits: 2},
		{Name: "siglen", WS: "ayiya.siglen", Type: packet.Uint, Bits: 4, Base: packet.Hex, Digits: 2, Auto: true},
		{Name: "hashmethod", WS: "ayiya.hashmethod", Type: packet.Uint, Bits: 4, Base: packet.Hex, Digits: 2},
		{Name: "authmethod", WS: "ayiya.authmethod", Type: packet.Uint, Bits: 4, Base: packet.Hex, Digits: 2},
		{Name: "opcode", WS: "ayiya.opcode", Type: packet.Uint, Bits: 4, Default: 1, Base: packet.Hex, Digits: 2, Enum: ayiyaOpcodes},
		{Name: "nextheader", WS: "ayiya.nextheader", Type: packet.Uint, Bits: 8, Default: 59, Base: packet.Hex, Digits: 2},
		{Name: "epoch", WS: "ayiya.epoch", Type: packet.Custom, Codec: ayiyaEpoch{}, DefaultBytes: make([]byte, 4)},
		{Name: "identity", WS: "ayiya.identity", Type: packet.Bytes, Len: ayiyaIdentityLen, DefaultBytes: make([]byte, 16)},
		{Name: "signature", WS: "ayiya.signature", Type: packet.Bytes, Len: ayiyaSignatureLen},
	},
	Next: func(l *packet.Layer) *packet.Protocol {
		if l.Data[2]&15 != 1 {
			return nil // only Forward carries a packet
		}
		return IP.BoundTo("proto", uint64(l.Data[3]))
	},
	Auto: func(b *packet.BuildLayer) {
		if n := len(b.Value("identity").B); n > 0 {
			e := uint64(0)
			for 1<<e < n && e < 15 {
				e++
			}
			b.SetAuto("idlen", e)
		}
		b.SetAuto("siglen", uint64(len(b.Value("signature").B)/4))
		if !b.IsSet("nextheader") && b.Over != nil {
			for _, bd := range IP.Bindings() {
				if bd.Field == "proto" && bd.Upper == b.Over.Spec.Proto {
					b.SetAuto("nextheader", bd.Value)
					return
				}
			}
		}
	},
	Summary: func(dst []byte, l *packet.Layer) []byte {
		dst = append(dst, "AYIYA "...)
		if n, ok := ayiyaOpcodes[uint64(l.Data[2]&15)]; ok {
			return append(dst, n...)
		}
		return strconv.AppendUint(append(dst, "opcode "...), uint64(l.Data[2]&15), 10)
	},
})

func init() {
	bindPort(UDP, 5072, AYIYA)
}
