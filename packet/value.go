package packet

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Value is a field's value: an integer in U, or bytes in B (a view into the
// packet for dissected layers), or elements in List for built layers.
type Value struct {
	U    uint64
	B    []byte
	List []*Spec
}

const hexdigits = "0123456789abcdef"

// appendAddr formats an address field.
func appendAddr(dst []byte, t Type, b []byte) []byte {
	switch t {
	case MAC:
		for i, c := range b {
			if i > 0 {
				dst = append(dst, ':')
			}
			dst = append(dst, hexdigits[c>>4], hexdigits[c&15])
		}
		return dst
	case IPv4:
		if len(b) != 4 {
			return appendHexBytes(dst, b)
		}
		for i, c := range b {
			if i > 0 {
				dst = append(dst, '.')
			}
			dst = strconv.AppendUint(dst, uint64(c), 10)
		}
		return dst
	case IPv6:
		if len(b) != 16 {
			return appendHexBytes(dst, b)
		}
		a := netip.AddrFrom16([16]byte(b))
		return a.AppendTo(dst)
	}
	return appendHexBytes(dst, b)
}

func appendHexBytes(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, hexdigits[c>>4], hexdigits[c&15])
	}
	return dst
}

func appendHexPadded(dst []byte, u uint64, digits int) []byte {
	dst = append(dst, '0', 'x')
	var buf [16]byte
	i := len(buf)
	for u != 0 || i == len(buf) {
		i--
		buf[i] = hexdigits[u&15]
		u >>= 4
	}
	for n := len(buf) - i; n < digits; n++ {
		dst = append(dst, '0')
	}
	return append(dst, buf[i:]...)
}

// AppendWS appends the value as tshark prints field f (-T fields).
func (f *Field) AppendWS(dst []byte, l *Layer, v Value) []byte {
	switch f.Type {
	case Uint, Int:
		u := v.U
		if f.WSMul > 1 {
			u *= f.WSMul
		}
		if f.Base == Hex {
			d := f.Digits
			if d == 0 {
				d = (f.Bits + 7) / 8 * 2
			}
			return appendHexPadded(dst, u, d)
		}
		if f.Type == Int {
			return strconv.AppendInt(dst, int64(u), 10)
		}
		return appendDec(dst, u)
	case MAC, IPv4, IPv6:
		return appendAddr(dst, f.Type, v.B)
	case String:
		return appendPrintable(dst, v.B)
	case Custom:
		return f.Codec.Format(dst, l, v.B)
	case List:
		return dst
	}
	// tshark 4.0 prints FT_BYTES as plain hex, without separators.
	return appendHexBytes(dst, v.B)
}

// appendPrintable appends text with non-printable bytes escaped as tshark
// does (\xNN).
func appendPrintable(dst, b []byte) []byte {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 || r < 0x20 || r == 0x7f {
			switch b[0] {
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'x', hexdigits[b[0]>>4], hexdigits[b[0]&15])
			}
			b = b[1:]
			continue
		}
		dst = append(dst, b[:n]...)
		b = b[n:]
	}
	return dst
}

// AppendWS appends a virtual field's value as tshark prints it.
func (v *Virtual) AppendWS(dst []byte, val Value) []byte {
	switch v.Type {
	case timeType:
		return appendEpoch(dst, int64(val.U))
	case Uint:
		if v.Base == Hex {
			d := v.Digits
			if d == 0 {
				d = (v.Bits + 7) / 8 * 2
			}
			return appendHexPadded(dst, val.U, d)
		}
		return appendDec(dst, val.U)
	case IPv4:
		if len(val.B) == 4 {
			return appendIPv4(dst, val.B[0], val.B[1], val.B[2], val.B[3])
		}
		return appendAddr(dst, v.Type, val.B)
	case Int:
		return strconv.AppendInt(dst, int64(val.U), 10)
	case MAC, IPv6:
		return appendAddr(dst, v.Type, val.B)
	case String:
		return appendPrintable(dst, val.B)
	}
	return appendHexBytes(dst, val.B)
}

// showInt renders an integer the way Scapy's show() does: enum name with the
// number beside it, flag names with the number beside them, or the number
// (hex where Scapy uses hex).
func (f *Field) showInt(u uint64) string {
	num := strconv.FormatUint(u, 10)
	if f.Type == Int {
		num = strconv.FormatInt(int64(u), 10)
	}
	if f.Hex {
		num = "0x" + strconv.FormatUint(u, 16)
	}
	if f.Flags != nil {
		if u == 0 {
			return "0"
		}
		return f.FlagString(u) + " (" + "0x" + strconv.FormatUint(u, 16) + ")"
	}
	if name, ok := f.Enum[u]; ok {
		return name + " (" + num + ")"
	}
	return num
}

// FlagString renders flag bits with Scapy's names ("SA", "DF+MF").
func (f *Field) FlagString(u uint64) string {
	if u == 0 {
		return ""
	}
	single := true
	for _, n := range f.Flags {
		if len(n) > 1 {
			single = false
		}
	}
	var parts []string
	for i := 0; i < 64 && u>>i != 0; i++ {
		if u>>i&1 == 0 {
			continue
		}
		if i < len(f.Flags) && f.Flags[i] != "" {
			parts = append(parts, f.Flags[i])
		} else {
			parts = append(parts, "bit"+strconv.Itoa(i))
			single = false
		}
	}
	if single {
		return strings.Join(parts, "")
	}
	return strings.Join(parts, "+")
}

// Show renders a field value as Scapy's show() does.
func (f *Field) Show(l *Layer, v Value) string {
	switch f.Type {
	case Uint, Int:
		return f.showInt(v.U)
	case MAC, IPv4, IPv6:
		return string(appendAddr(nil, f.Type, v.B))
	case Custom:
		return string(f.Codec.Format(nil, l, v.B))
	case String:
		return strconv.Quote(string(v.B))
	case Bytes:
		return pyBytes(v.B)
	}
	return ""
}

// pyBytes renders bytes as a Python bytes literal (b'...'), like Scapy.
func pyBytes(b []byte) string {
	var sb strings.Builder
	sb.WriteString("b'")
	for _, c := range b {
		switch {
		case c == '\\':
			sb.WriteString(`\\`)
		case c == '\'':
			sb.WriteString(`\'`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c >= 0x20 && c < 0x7f:
			sb.WriteByte(c)
		default:
			sb.WriteString(`\x`)
			sb.WriteByte(hexdigits[c>>4])
			sb.WriteByte(hexdigits[c&15])
		}
	}
	sb.WriteString("'")
	return sb.String()
}

// fastKind says how AppendLayer may format a field straight from its
// bytes: one of the fixed Direct kinds (DirectIPv4, DirectU8, DirectU16,
// DirectU32) or DirectNone.
type fastKind = DirectKind

const (
	fastNone = DirectNone
	fastIPv4 = DirectIPv4
	fastU8   = DirectU8
	fastU16  = DirectU16
	fastU32  = DirectU32
)

// fastKindOf decides a field's fast path once, at registration.
func fastKindOf(f *Field) fastKind {
	if f.bitOff < 0 || f.bitOff&7 != 0 || f.Little {
		return fastNone
	}
	switch f.Type {
	case IPv4:
		return fastIPv4
	case Uint:
		if f.Base != Dec || f.WSMul > 1 {
			return fastNone
		}
		switch f.Bits {
		case 8:
			return fastU8
		case 16:
			return fastU16
		case 32:
			return fastU32
		}
	}
	return fastNone
}

// decTable holds the decimal digits of 0..999, three per number.
var decTable = func() (t [3000]byte) {
	for i := 0; i < 1000; i++ {
		t[3*i], t[3*i+1], t[3*i+2] = byte('0'+i/100), byte('0'+i/10%10), byte('0'+i%10)
	}
	return
}()

// appendByteDec appends 0..255 in decimal.
func appendByteDec(dst []byte, c byte) []byte {
	i := 3 * int(c)
	switch {
	case c >= 100:
		return append(dst, decTable[i], decTable[i+1], decTable[i+2])
	case c >= 10:
		return append(dst, decTable[i+1], decTable[i+2])
	}
	return append(dst, decTable[i+2])
}

func appendIPv4(dst []byte, a, b, c, d byte) []byte {
	n := len(dst)
	if cap(dst)-n < 20 {
		dst = append(dst, "000.000.000.000.0000"...)[:n]
	}
	// Each octet's table entry is stored whole (its digits, a dot and
	// padding): the next octet overwrites what is past the dot. (The
	// buffer is an array of 20 and the offsets masked below 16, so that
	// the stores need no bounds checks.)
	buf := (*[20]byte)(dst[n : n+20])
	e := octetDot[a]
	binary.LittleEndian.PutUint32(buf[:], uint32(e))
	i := e >> 56
	e = octetDot[b]
	binary.LittleEndian.PutUint32(buf[i&15:], uint32(e))
	i += e >> 56
	e = octetDot[c]
	binary.LittleEndian.PutUint32(buf[i&15:], uint32(e))
	i += e >> 56
	e = octetDot[d]
	binary.LittleEndian.PutUint32(buf[i&15:], uint32(e))
	i += e>>56 - 1 // (no dot after the last)
	return dst[:n+int(i)]
}

// octetDot holds, for each byte value, its decimal digits and a dot in the
// low four bytes (little-endian) and their count in the top byte.
var octetDot = func() (t [256]uint64) {
	for i := range t {
		s := strconv.Itoa(i) + "."
		var w [8]byte
		copy(w[:4], s)
		w[7] = byte(len(s))
		t[i] = binary.LittleEndian.Uint64(w[:])
	}
	return t
}()

// appendDec appends u in decimal (a fast path for small numbers).
func appendDec(dst []byte, u uint64) []byte {
	if u < 1000 {
		i := 3 * int(u)
		switch {
		case u >= 100:
			return append(dst, decTable[i], decTable[i+1], decTable[i+2])
		case u >= 10:
			return append(dst, decTable[i+1], decTable[i+2])
		}
		return append(dst, decTable[i+2])
	}
	if u < 1000000 {
		hi, lo := 3*int(u/1000), 3*int(u%1000)
		switch {
		case u >= 100000:
			return append(dst, decTable[hi], decTable[hi+1], decTable[hi+2], decTable[lo], decTable[lo+1], decTable[lo+2])
		case u >= 10000:
			return append(dst, decTable[hi+1], decTable[hi+2], decTable[lo], decTable[lo+1], decTable[lo+2])
		}
		return append(dst, decTable[hi+2], decTable[lo], decTable[lo+1], decTable[lo+2])
	}
	if u < 1000000000 {
		// (frame numbers of large files)
		top, mid, lo := u/1000000, 3*int(u/1000%1000), 3*int(u%1000)
		dst = appendDec(dst, top)
		return append(dst, decTable[mid], decTable[mid+1], decTable[mid+2], decTable[lo], decTable[lo+1], decTable[lo+2])
	}
	return strconv.AppendUint(dst, u, 10)
}
