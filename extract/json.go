package extract

import (
	"strconv"
	"unicode/utf8"

	"pktkit/packet"
)

// AppendJSON appends one packet as a JSON object on one line: field names
// are the keys, absent fields are left out, values are typed by Kind:
// integers as numbers (also those tshark prints in hex), flag bits as true
// or false, times as numbers of seconds with nine decimals, everything else
// (addresses, names, strings, byte strings in plain hex) as strings as
// tshark prints them. With Occurrence 0 (all), every field but the frame.*
// fields is an array of its occurrences, so a field's type does not depend
// on the packet; with an occurrence selected, every value is a scalar.
func (c *Columns) AppendJSON(dst []byte, p *packet.Packet) []byte {
	dst = append(dst, '{')
	n := 0
	for i, r := range c.refs {
		lo, hi := c.occurrences(p, i)
		if lo >= hi {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, c.keys[i]...)
		dst = append(dst, ':')
		array := c.Occurrence == 0 && r.Proto != packet.Frame
		if array {
			dst = append(dst, '[')
		}
		for k := lo; k < hi; k++ {
			if k > lo {
				dst = append(dst, ',')
			}
			dst = appendJSONValue(dst, c.kinds[i], c.value(k))
		}
		if array {
			dst = append(dst, ']')
		}
	}
	return append(dst, '}', '\n')
}

// appendJSONValue appends one occurrence's text as a JSON value of kind k.
func appendJSONValue(dst []byte, k Kind, v []byte) []byte {
	switch k {
	case KindUint, KindInt:
		if u, ok := ParseUint(v); ok {
			return strconv.AppendUint(dst, u, 10)
		}
		if isJSONNumber(v) {
			return append(dst, v...)
		}
	case KindTime:
		if isJSONNumber(v) {
			return append(dst, v...)
		}
	case KindBool:
		if len(v) == 1 && (v[0] == '0' || v[0] == '1') {
			if v[0] == '1' {
				return append(dst, "true"...)
			}
			return append(dst, "false"...)
		}
	}
	return appendJSONString(dst, v)
}

// ParseUint reads an unsigned integer as tshark prints it: decimal, or
// hexadecimal after 0x. It allocates nothing.
func ParseUint(v []byte) (uint64, bool) {
	base := uint64(10)
	if len(v) > 2 && v[0] == '0' && v[1] == 'x' {
		base, v = 16, v[2:]
	}
	if len(v) == 0 {
		return 0, false
	}
	var u uint64
	for _, b := range v {
		var d uint64
		switch {
		case b >= '0' && b <= '9':
			d = uint64(b - '0')
		case base == 16 && b >= 'a' && b <= 'f':
			d = uint64(b-'a') + 10
		case base == 16 && b >= 'A' && b <= 'F':
			d = uint64(b-'A') + 10
		default:
			return 0, false
		}
		if u > (1<<64-1-d)/base {
			return 0, false // overflow
		}
		u = u*base + d
	}
	return u, true
}

// isJSONNumber reports whether v is an optionally negative decimal number
// with an optional fraction, as JSON allows.
func isJSONNumber(v []byte) bool {
	if len(v) > 0 && v[0] == '-' {
		v = v[1:]
	}
	digits, dot := 0, -1
	for i, b := range v {
		switch {
		case b >= '0' && b <= '9':
			digits++
		case b == '.' && dot < 0 && digits > 0:
			dot = i
		default:
			return false
		}
	}
	if digits == 0 || dot == len(v)-1 {
		return false
	}
	return !(len(v) > 1 && v[0] == '0' && v[1] != '.')
}

const hexdigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Bytes that are not UTF-8
// are written as the text \xNN, as tshark shows them.
func appendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	for len(s) > 0 {
		b := s[0]
		if b < utf8.RuneSelf {
			switch {
			case b == '"' || b == '\\':
				dst = append(dst, '\\', b)
			case b < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hexdigits[b>>4], hexdigits[b&15])
			default:
				dst = append(dst, b)
			}
			s = s[1:]
			continue
		}
		r, n := utf8.DecodeRune(s)
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, '\\', '\\', 'x', hexdigits[b>>4], hexdigits[b&15])
		} else {
			dst = append(dst, s[:n]...)
		}
		s = s[n:]
	}
	return append(dst, '"')
}
