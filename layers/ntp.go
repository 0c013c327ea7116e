package layers

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"pktkit/packet"
)

// ntpTime is the codec of a 64-bit NTP timestamp (seconds since 1900 and a
// 32-bit fraction), shown as tshark shows it ("May 30, 2019 20:02:36.073681418
// UTC", or "NULL" for zero). Seconds with the top bit clear belong to era 1
// (from February 2036), as RFC 4330 reads them.
type ntpTime struct{}

func (ntpTime) Size(_ *packet.Layer, b []byte) int { return 8 }

// ntpUnix converts an NTP timestamp to Unix seconds and nanoseconds.
func ntpUnix(b []byte) (sec int64, nsec int64) {
	s := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	f := uint32(b[4])<<24 | uint32(b[5])<<16 | uint32(b[6])<<8 | uint32(b[7])
	sec = int64(s) - 2208988800
	if s&0x80000000 == 0 {
		sec += 1 << 32
	}
	return sec, int64(1e9 * (float64(f) / 4294967296.0))
}

var monthAbbr = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// appendAbsTime appends a time as tshark prints an absolute UTC time.
func appendAbsTime(dst []byte, sec, nsec int64) []byte {
	t := time.Unix(sec, 0).UTC()
	y, mo, d := t.Date()
	dst = append(dst, monthAbbr[mo-1]...)
	dst = append(dst, ' ')
	if d < 10 {
		dst = append(dst, ' ')
	}
	dst = strconv.AppendInt(dst, int64(d), 10)
	dst = append(dst, ", "...)
	dst = strconv.AppendInt(dst, int64(y), 10)
	dst = append(dst, ' ')
	dst = appendPad(dst, int64(t.Hour()), 2)
	dst = append(dst, ':')
	dst = appendPad(dst, int64(t.Minute()), 2)
	dst = append(dst, ':')
	dst = appendPad(dst, int64(t.Second()), 2)
	dst = append(dst, '.')
	dst = appendPad(dst, nsec, 9)
	return append(dst, " UTC"...)
}

func appendPad(dst []byte, v int64, n int) []byte {
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], v, 10)
	for i := len(s); i < n; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

func (ntpTime) Format(dst []byte, _ *packet.Layer, raw []byte) []byte {
	if len(raw) != 8 {
		return dst
	}
	sec, nsec := ntpUnix(raw)
	// Wireshark reads a zero seconds field as no time, and shows the
	// zero time as NULL.
	if nsec == 0 && (raw[0]|raw[1]|raw[2]|raw[3] == 0 || sec == 0) {
		return append(dst, "NULL"...)
	}
	return appendAbsTime(dst, sec, nsec)
}

// Parse reads a timestamp as an RFC 3339 time, as Unix seconds (with a
// fraction), or as the raw 64-bit NTP value in hex ("0x...").
func (ntpTime) Parse(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	var raw uint64
	if strings.HasPrefix(s, "0x") {
		u, err := strconv.ParseUint(s[2:], 16, 64)
		if err != nil {
			return nil, err
		}
		raw = u
	} else if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		raw = ntpFromUnix(t.Unix(), int64(t.Nanosecond()))
	} else if f, err := strconv.ParseFloat(s, 64); err == nil {
		sec := int64(f)
		raw = ntpFromUnix(sec, int64((f-float64(sec))*1e9))
	} else {
		return nil, errors.New("NTP timestamp: want an RFC 3339 time, Unix seconds or 0x-hex")
	}
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = byte(raw)
		raw >>= 8
	}
	return b, nil
}

// ntpFromUnix converts Unix time to a raw NTP timestamp.
func ntpFromUnix(sec, nsec int64) uint64 {
	s := uint64(sec+2208988800) & 0xffffffff
	f := uint64(float64(nsec) / 1e9 * 4294967296.0)
	return s<<32 | f&0xffffffff
}

var ntpModes = map[uint64]string{
	0: "reserved", 1: "symmetric active", 2: "symmetric passive", 3: "client", 4: "server",
	5: "broadcast", 6: "NTP control message", 7: "reserved for private use",
}

var ntpLeap = map[uint64]string{
	0: "no warning", 1: "last minute of the day has 61 seconds",
	2: "last minute of the day has 59 seconds", 3: "unknown (clock unsynchronized)",
}

func ntpTS(name, ws string) *packet.Field {
	return &packet.Field{Name: name, WS: ws, Type: packet.Custom, Codec: ntpTime{}, DefaultBytes: make([]byte, 8)}
}

// ntpByteVirtual is a whole flags byte shown in hex (ntp.flags).
func ntpByteVirtual(ws string, off int) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.Uint, Bits: 8, Base: packet.Hex,
		Get: func(l *packet.Layer) (packet.Value, bool) { return packet.Value{U: uint64(l.Data[off])}, true }}
}

// ntpTail splits what follows the 48-byte header into extension fields
// (RFC 7822) and the MAC, as Wireshark does: an extension field is taken
// when it is well formed (length at least 16, a multiple of 4, within the
// data) and what follows it can be read too (nothing, 20 bytes or more of
// MAC, or further extension fields). It returns the extension bytes' length.
func ntpTail(b []byte) int {
	off := 0
	for off < len(b) && ntpExtOK(b[off:]) {
		n := ntpExtLen(b[off:])
		if !ntpRestOK(b[off+n:]) {
			break
		}
		off += n
	}
	return off
}

func ntpExtLen(b []byte) int { return int(b[2])<<8 | int(b[3]) }

func ntpExtOK(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	n := ntpExtLen(b)
	return n >= 16 && n%4 == 0 && n <= len(b)
}

func ntpRestOK(b []byte) bool {
	for {
		if len(b) == 0 || len(b) >= 20 {
			return true
		}
		if !ntpExtOK(b) {
			return false
		}
		b = b[ntpExtLen(b):]
	}
}

// ntpHeaderLen is the bytes of the header and its extension fields; the
// rest up to the end of the datagram is the key identifier and MAC.
func ntpExtBytes(l *packet.Layer) int {
	if len(l.Data) < 48 {
		return 0
	}
	return ntpTail(l.Data[48:])
}

// ntpMACStart returns where the key identifier starts.
func ntpMACStart(l *packet.Layer) int { return 48 + ntpExtBytes(l) }

// ntpMACLen is the Len rule of the key identifier (n = 4) and the MAC
// (n < 0: the rest), present when at least 4 bytes follow the extensions.
func ntpMACLen(n int) func(l *packet.Layer) int {
	return func(l *packet.Layer) int {
		r := len(l.Data) - ntpMACStart(l)
		if r < 4 {
			return 0
		}
		if n < 0 {
			return r - 4
		}
		return n
	}
}

// NTPHeader is an NTP message of modes 0 to 5 (RFC 5905), Scapy's
// NTPHeader: the 48-byte header, then any extension fields, key identifier
// and MAC. NTP control (mode 6) and private (mode 7) messages have tables
// of their own, picked by mode.
var NTPHeader = packet.Register(&packet.Protocol{
	Name: "NTPHeader", Abbrev: "ntp", Long: "Network Time Protocol", Terminal: true,
	Fields: []*packet.Field{
		{Name: "leap", WS: "ntp.flags.li", Type: packet.Uint, Bits: 2, Enum: ntpLeap},
		{Name: "version", WS: "ntp.flags.vn", Type: packet.Uint, Bits: 3, Default: 4},
		{Name: "mode", WS: "ntp.flags.mode", Type: packet.Uint, Bits: 3, Default: 3, Enum: ntpModes},
		{Name: "stratum", WS: "ntp.stratum", Type: packet.Uint, Bits: 8, Default: 2},
		{Name: "poll", WS: "ntp.ppoll", Type: packet.Uint, Bits: 8, Default: 10},
		{Name: "precision", WS: "ntp.precision", Type: packet.Uint, Bits: 8},
		{Name: "delay", WS: "ntp.rootdelay", Type: packet.Uint, Bits: 32},
		{Name: "dispersion", WS: "ntp.rootdispersion", Type: packet.Uint, Bits: 32},
		{Name: "id", Type: packet.IPv4, DefaultBytes: []byte{127, 0, 0, 1}},
		ntpTS("ref", "ntp.reftime"),
		ntpTS("orig", "ntp.org"),
		ntpTS("recv", "ntp.rec"),
		ntpTS("sent", "ntp.xmt"),
		{Name: "ext", Type: packet.List, Elems: []*packet.Protocol{ntpExtension},
			Elem: func([]byte) *packet.Protocol { return ntpExtension }, Len: ntpExtBytes},
		{Name: "key_id", WS: "ntp.keyid", Type: packet.Bytes, Len: ntpMACLen(4)},
		{Name: "dgst", WS: "ntp.mac", Type: packet.Bytes, Len: ntpMACLen(-1)},
		// pad holds up to 3 bytes too few for a key identifier.
		{Name: "pad", Type: packet.Bytes, Len: rest},
	},
	Virtual: []*packet.Virtual{
		ntpByteVirtual("ntp.flags", 0),
		{WS: "ntp.refid", Type: packet.Bytes, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{B: l.Data[12:16]}, true
		}},
	},
	Summary: ntpSummary,
})

// ntpExtension is an NTPv4 extension field (RFC 7822).
var ntpExtension = packet.Register(&packet.Protocol{
	Name: "NTPExtension", Title: "NTPv4 extension", Element: true,
	Fields: []*packet.Field{
		{Name: "type", WS: "ntp.ext.type", Type: packet.Uint, Bits: 16, Base: packet.Hex, Hex: true},
		{Name: "len", WS: "ntp.ext.length", Type: packet.Uint, Bits: 16, Auto: true},
		{Name: "value", WS: "ntp.ext.value", Type: packet.Bytes, Len: func(l *packet.Layer) int {
			return max(0, ntpExtLen(l.Data)-4)
		}},
	},
	Auto: func(b *packet.BuildLayer) { b.SetAuto("len", uint64(b.HdrEnd-b.Start)) },
})

var ntpOpcodes = map[uint64]string{
	0: "CTL_OP_UNSPEC", 1: "CTL_OP_READSTAT", 2: "CTL_OP_READVAR", 3: "CTL_OP_WRITEVAR", 4: "CTL_OP_READCLOCK",
	5: "CTL_OP_WRITECLOCK", 6: "CTL_OP_SETTRAP", 7: "CTL_OP_ASYNCMSG", 8: "CTL_OP_CONFIGURE",
	9: "CTL_OP_SAVECONFIG", 10: "CTL_OP_READ_MRU", 11: "CTL_OP_READ_ORDLIST_A", 12: "CTL_OP_REQ_NONCE",
	31: "CTL_OP_UNSETTRAP",
}

// NTPControl is an NTP control message (mode 6, RFC 1305 appendix B),
// Scapy's NTPControl; the data is kept as bytes.
var NTPControl = packet.Register(&packet.Protocol{
	Name: "NTPControl", Abbrev: "ntp", Long: "Network Time Protocol", Title: "Control message", Terminal: true,
	Fields: []*packet.Field{
		{Name: "zeros", WS: "ntp.flags.li", Type: packet.Uint, Bits: 2},
		{Name: "version", WS: "ntp.flags.vn", Type: packet.Uint, Bits: 3, Default: 2},
		{Name: "mode", WS: "ntp.flags.mode", Type: packet.Uint, Bits: 3, Default: 6, Enum: ntpModes},
		{Name: "response", WS: "ntp.ctrl.flags2.r", Type: packet.Uint, Bits: 1},
		{Name: "err", WS: "ntp.ctrl.flags2.error", Type: packet.Uint, Bits: 1},
		{Name: "more", WS: "ntp.ctrl.flags2.more", Type: packet.Uint, Bits: 1},
		{Name: "op_code", WS: "ntp.ctrl.flags2.opcode", Type: packet.Uint, Bits: 5, Enum: ntpOpcodes},
		{Name: "sequence", WS: "ntp.ctrl.sequence", Type: packet.Uint, Bits: 16},
		{Name: "status", WS: "ntp.ctrl.status", Type: packet.Uint, Bits: 16, Base: packet.Hex},
		{Name: "association_id", WS: "ntp.ctrl.associd", Type: packet.Uint, Bits: 16},
		{Name: "offset", WS: "ntp.ctrl.offset", Type: packet.Uint, Bits: 16},
		{Name: "count", WS: "ntp.ctrl.count", Type: packet.Uint, Bits: 16, Auto: true},
		{Name: "data", Type: packet.Bytes, Len: func(l *packet.Layer) int { return int(l.Data[10])<<8 | int(l.Data[11]) }},
		{Name: "authenticator", Type: packet.Bytes, Len: rest},
	},
	Virtual: []*packet.Virtual{ntpByteVirtual("ntp.flags", 0), ntpByteVirtual("ntp.ctrl.flags2", 1)},
	Summary: ntpSummary,
	Auto:    func(b *packet.BuildLayer) { b.SetAuto("count", uint64(len(b.Value("data").B))) },
})

// ntpXNTPD returns a mode 7 field that Wireshark shows only for the XNTPD
// implementation (3).
func ntpXNTPD(ws string, bitOff, bits int, base packet.Base) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.Uint, Bits: 8, Base: base, Digits: 2,
		Get: func(l *packet.Layer) (packet.Value, bool) {
			u := (uint64(l.Data[4])<<24 | uint64(l.Data[5])<<16 | uint64(l.Data[6])<<8 | uint64(l.Data[7])) >> (32 - bitOff - bits)
			return packet.Value{U: u & (1<<bits - 1)}, l.Data[2] == 3
		}}
}

// NTPPrivate is an NTP private message (mode 7, ntpd's ntpdc protocol),
// Scapy's NTPPrivate; the data items are kept as bytes.
var NTPPrivate = packet.Register(&packet.Protocol{
	Name: "NTPPrivate", Abbrev: "ntp", Long: "Network Time Protocol", Title: "Private (mode 7)", Terminal: true,
	Fields: []*packet.Field{
		{Name: "response", WS: "ntp.priv.flags.r", Type: packet.Uint, Bits: 1},
		{Name: "more", WS: "ntp.priv.flags.more", Type: packet.Uint, Bits: 1},
		{Name: "version", WS: "ntp.flags.vn", Type: packet.Uint, Bits: 3, Default: 2},
		{Name: "mode", WS: "ntp.flags.mode", Type: packet.Uint, Bits: 3, Default: 7, Enum: ntpModes},
		{Name: "auth", WS: "ntp.priv.auth", Type: packet.Uint, Bits: 1},
		{Name: "seq", WS: "ntp.priv.seq", Type: packet.Uint, Bits: 7},
		{Name: "implementation", WS: "ntp.priv.impl", Type: packet.Uint, Bits: 8,
			Enum: map[uint64]string{0: "IMPL_UNIV", 2: "IMPL_XNTPD_OLD", 3: "XNTPD"}},
		{Name: "request_code", WS: "ntp.priv.reqcode", Type: packet.Uint, Bits: 8},
		{Name: "err", Type: packet.Uint, Bits: 4},
		{Name: "nb_items", Type: packet.Uint, Bits: 12},
		{Name: "mbz", Type: packet.Uint, Bits: 4},
		{Name: "data_item_size", Type: packet.Uint, Bits: 12},
		{Name: "data", Type: packet.Bytes, Len: rest},
	},
	Virtual: []*packet.Virtual{
		ntpByteVirtual("ntp.flags", 0),
		{WS: "ntp.priv.auth_seq", Type: packet.Uint, Bits: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[1])}, true
		}},
		ntpXNTPD("ntp.priv.err", 0, 4, packet.Hex), ntpXNTPD("ntp.priv.numitems", 4, 12, packet.Dec),
		ntpXNTPD("ntp.priv.reserved", 16, 4, packet.Hex), ntpXNTPD("ntp.priv.itemsize", 20, 12, packet.Dec),
	},
	Summary: ntpSummary,
})

// ntpSummary is Scapy's "NTP v4, client".
func ntpSummary(dst []byte, l *packet.Layer) []byte {
	dst = append(dst, "NTP v"...)
	dst = strconv.AppendUint(dst, uint64(l.Data[0]>>3&7), 10)
	dst = append(dst, ", "...)
	return append(dst, ntpModes[uint64(l.Data[0]&7)]...)
}

func init() {
	NTPHeader.Dispatch = func(b []byte) *packet.Protocol {
		if len(b) == 0 {
			return nil
		}
		switch b[0] & 7 {
		case 6:
			return NTPControl
		case 7:
			return NTPPrivate
		}
		return NTPHeader
	}
	for _, p := range []*packet.Protocol{NTPHeader, NTPControl, NTPPrivate} {
		bindPort(UDP, 123, p)
	}
}
