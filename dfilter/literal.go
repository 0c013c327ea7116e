package dfilter

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// constant is a literal resolved for the kind of the field it meets.
type constant struct {
	u      uint64
	b      []byte
	prefix int // CIDR prefix length in bits for addresses (-1: whole address)
	// never marks a negative number met by an unsigned field: tshark 4.0
	// accepts it, and no value equals it or compares with it.
	never bool
}

// parseUint reads a number in Wireshark's forms: decimal, 0x hex, 0b
// binary, leading-zero octal, or a character constant.
func parseUint(t token) (uint64, bool, error) {
	if t.kind == tChar {
		return uint64(t.text[0]), false, nil
	}
	s := t.text
	if t.kind != tWord || s == "" {
		return 0, false, fmt.Errorf("%q is not a number", s)
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	} else if s[0] == '+' {
		s = s[1:]
	}
	base := 10
	switch {
	case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, s = 16, s[2:]
	case len(s) > 2 && (s[:2] == "0b" || s[:2] == "0B"):
		base, s = 2, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	u, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return 0, false, fmt.Errorf("%q is not a valid number", t.text)
	}
	return u, neg, nil
}

// maxFor is the largest value a Wireshark integer field of this width holds
// (Wireshark's fields come in 8, 16, 24, 32 and 64-bit containers).
func maxFor(bits int, mul uint64) uint64 {
	switch {
	case bits <= 0:
		return math.MaxUint64
	case bits <= 8:
		return 255
	case bits <= 16:
		return 65535
	case bits <= 24:
		return 1<<24 - 1
	case bits <= 32:
		return 1<<32 - 1
	}
	return math.MaxUint64
}

// intConst resolves a literal for an integer field.
func intConst(s *source, t token) (constant, error) {
	u, neg, err := parseUint(t)
	if err != nil {
		return constant{}, err
	}
	switch s.kind {
	case kSigned:
		lim := uint64(1) << 63
		if s.bits > 0 && s.bits < 64 {
			lim = uint64(1) << (((s.bits + 7) / 8 * 8) - 1)
		}
		if neg {
			if u > lim {
				return constant{}, fmt.Errorf("%q too small for this field, minimum -%d", t.text, lim)
			}
			return constant{u: uint64(-int64(u))}, nil
		}
		if u > lim-1 {
			return constant{}, fmt.Errorf("%q too big for this field, maximum %d", t.text, lim-1)
		}
		return constant{u: u}, nil
	case kBool:
		if neg {
			u = 1 // any non-zero value is true
		}
		if u != 0 {
			u = 1
		}
		return constant{u: u}, nil
	}
	if m := maxFor(s.bits, s.mul); u > m {
		return constant{}, fmt.Errorf("%q too big for this field, maximum %d", strings.TrimPrefix(t.text, "-"), m)
	}
	return constant{u: u, never: neg}, nil
}

// timeConst reads seconds with up to nine decimals as nanoseconds.
func timeConst(t token) (constant, error) {
	s := t.text
	if t.kind != tWord {
		return constant{}, fmt.Errorf("%q is not a valid time", s)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp, _ := strings.Cut(s, ".")
	if ip == "" && fp == "" {
		return constant{}, fmt.Errorf("%q is not a valid time", t.text)
	}
	sec := uint64(0)
	if ip != "" {
		var err error
		if sec, err = strconv.ParseUint(ip, 10, 64); err != nil || sec > math.MaxInt64/1000000000 {
			return constant{}, fmt.Errorf("%q is not a valid time", t.text)
		}
	}
	var ns uint64
	for i := 0; i < 9; i++ {
		d := uint64(0)
		if i < len(fp) {
			if fp[i] < '0' || fp[i] > '9' {
				return constant{}, fmt.Errorf("%q is not a valid time", t.text)
			}
			d = uint64(fp[i] - '0')
		}
		ns = ns*10 + d
	}
	for i := 9; i < len(fp); i++ {
		if fp[i] < '0' || fp[i] > '9' {
			return constant{}, fmt.Errorf("%q is not a valid time", t.text)
		}
	}
	v := int64(sec*1e9 + ns)
	if neg {
		v = -v
	}
	return constant{u: uint64(v)}, nil
}

// parseByteString reads bytes written as hex pairs separated by ':', '-'
// or '.', as plain hex digits, or as 0xNN for one byte.
func parseByteString(s string) ([]byte, bool) {
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") && len(s) <= 4 {
		u, err := strconv.ParseUint(s[2:], 16, 8)
		return []byte{byte(u)}, err == nil
	}
	var sep byte
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ':' || c == '-' || c == '.' {
			sep = c
			break
		}
	}
	var out []byte
	if sep == 0 {
		if len(s) == 0 || len(s) > 2 && len(s)%2 != 0 {
			return nil, false
		}
		if len(s) <= 2 {
			s = strings.Repeat("0", 2-len(s)) + s
		}
		for i := 0; i < len(s); i += 2 {
			h, l := hexVal(s[i]), hexVal(s[i+1])
			if h < 0 || l < 0 {
				return nil, false
			}
			out = append(out, byte(h<<4|l))
		}
		return out, true
	}
	if sep == '.' && len(s) == 14 && s[4] == '.' && s[9] == '.' {
		// Cisco MAC form: 0011.2233.4455.
		return parseByteString(strings.ReplaceAll(s, ".", ""))
	}
	for _, part := range strings.Split(s, string(sep)) {
		if len(part) == 0 || len(part) > 2 {
			return nil, false
		}
		v := 0
		for i := 0; i < len(part); i++ {
			d := hexVal(part[i])
			if d < 0 {
				return nil, false
			}
			v = v*16 + d
		}
		out = append(out, byte(v))
	}
	return out, true
}

// bytesConst resolves a literal for a field compared as bytes.
func bytesConst(k kind, t token) (constant, error) {
	c := constant{prefix: -1}
	switch k {
	case kString:
		if t.kind == tWord && t.text == "" {
			return c, fmt.Errorf("empty string")
		}
		c.b = []byte(t.text)
		return c, nil
	case kIPv4, kIPv6:
		if t.kind != tWord {
			return c, fmt.Errorf("%q is not a valid %s", t.text, k)
		}
		s := t.text
		if strings.Contains(s, "/") {
			pf, err := netip.ParsePrefix(s)
			if err != nil || pf.Addr().Is4() != (k == kIPv4) || pf.Addr().Zone() != "" {
				return c, fmt.Errorf("%q is not a valid %s network", s, k)
			}
			c.b, c.prefix = pf.Addr().AsSlice(), pf.Bits()
			return c, nil
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Is4() != (k == kIPv4) || a.Zone() != "" {
			if k == kIPv4 {
				return c, fmt.Errorf("%q is not a valid hostname or IPv4 address", s)
			}
			return c, fmt.Errorf("%q is not a valid hostname or IPv6 address", s)
		}
		c.b = a.AsSlice()
		return c, nil
	}
	switch t.kind {
	case tString, tChar:
		c.b = []byte(t.text)
		if k == kMAC && len(c.b) != 6 {
			return c, fmt.Errorf("%q is not a valid Ethernet address", t.text)
		}
		return c, nil
	}
	b, ok := parseByteString(t.text)
	if !ok || k == kMAC && len(b) != 6 {
		if k == kMAC {
			return c, fmt.Errorf("%q is not a valid Ethernet address", t.text)
		}
		return c, fmt.Errorf("%q is not a valid byte string", t.text)
	}
	c.b = b
	return c, nil
}
