package craft

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"pktkit/packet"
)

// maxSet bounds how many values one field may expand to (they are held in
// memory): a /12 IPv4 network, a range of a million.
const maxSet = 1 << 20

// convert turns a user value into field values: one, or several for a
// packet set (multi).
func convert(p *packet.Protocol, f *packet.Field, v any) (vals []packet.Value, multi bool, err error) {
	cls := className(p)
	if f.Type == packet.List {
		l, err := convertList(p, f, v)
		if err != nil {
			return nil, false, err
		}
		return []packet.Value{{List: l}}, false, nil
	}
	switch x := v.(type) {
	case RawVal:
		if f.IsInt() {
			if len(x)*8 != f.Bits {
				return nil, false, errf(cls, f.Name, "RawVal of %d bytes for a %d-bit field", len(x), f.Bits)
			}
			var u uint64
			for _, c := range x {
				u = u<<8 | uint64(c)
			}
			return []packet.Value{{U: u}}, false, nil
		}
		n := map[packet.Type]int{packet.MAC: 6, packet.IPv4: 4, packet.IPv6: 16}[f.Type]
		if n == 0 && f.Size > 0 {
			n = f.Size
		}
		if n > 0 && len(x) != n {
			return nil, false, errf(cls, f.Name, "RawVal of %d bytes for a field of %d", len(x), n)
		}
		return []packet.Value{{B: clone(x)}}, false, nil
	case []any:
		if len(x) > maxSet {
			return nil, false, errf(cls, f.Name, "set of %d values is too large (at most %d)", len(x), maxSet)
		}
		for _, e := range x {
			vs, _, err := convert(p, f, e)
			if err != nil {
				return nil, false, err
			}
			vals = append(vals, vs...)
			if len(vals) > maxSet {
				return nil, false, errf(cls, f.Name, "set too large (at most %d values)", maxSet)
			}
		}
		return vals, true, nil
	case Range:
		return convertRange(cls, f, x.Lo, x.Hi)
	case Tuple:
		if len(x) == 2 && f.IsInt() {
			lo, ok1 := toInt(x[0])
			hi, ok2 := toInt(x[1])
			if ok1 && ok2 {
				return convertRange(cls, f, lo, hi)
			}
		}
		return convert(p, f, []any(x))
	}
	switch f.Type {
	case packet.Uint, packet.Int:
		u, err := convertInt(cls, f, v)
		if err != nil {
			return nil, false, err
		}
		return []packet.Value{{U: u}}, false, nil
	case packet.MAC:
		switch x := v.(type) {
		case string:
			hw, err := net.ParseMAC(x)
			if err != nil || len(hw) != 6 {
				return nil, false, errf(cls, f.Name, "%q is not a MAC address (like \"00:11:22:33:44:55\")", x)
			}
			return []packet.Value{{B: []byte(hw)}}, false, nil
		case []byte:
			if len(x) != 6 {
				return nil, false, errf(cls, f.Name, "a MAC address needs 6 bytes, have %d", len(x))
			}
			return []packet.Value{{B: clone(x)}}, false, nil
		}
	case packet.IPv4, packet.IPv6:
		switch x := v.(type) {
		case string:
			return convertAddr(cls, f, x)
		case []byte:
			n := 4
			if f.Type == packet.IPv6 {
				n = 16
			}
			if len(x) != n {
				return nil, false, errf(cls, f.Name, "an address needs %d bytes, have %d", n, len(x))
			}
			return []packet.Value{{B: clone(x)}}, false, nil
		}
	case packet.Bytes, packet.String:
		switch x := v.(type) {
		case string:
			return []packet.Value{{B: []byte(x)}}, false, nil
		case []byte:
			return []packet.Value{{B: clone(x)}}, false, nil
		}
	case packet.Custom:
		switch x := v.(type) {
		case string:
			b, err := f.Codec.Parse(x)
			if err != nil {
				return nil, false, errf(cls, f.Name, "%q: %v", x, err)
			}
			return []packet.Value{{B: b}}, false, nil
		case []byte:
			// Wire bytes are taken as they are; other bytes are text.
			if codecSize(f, x) != len(x) {
				if b, err := f.Codec.Parse(string(x)); err == nil {
					return []packet.Value{{B: b}}, false, nil
				}
			}
			return []packet.Value{{B: clone(x)}}, false, nil
		}
		// An integer for a custom numeric field (a GRE key, an NTP
		// timestamp's raw value) goes through the codec as hex.
		if n, ok := toInt(v); ok && n >= 0 {
			b, err := f.Codec.Parse(fmt.Sprintf("0x%x", n))
			if err != nil {
				return nil, false, errf(cls, f.Name, "%d: %v", n, err)
			}
			return []packet.Value{{B: b}}, false, nil
		}
	}
	return nil, false, errf(cls, f.Name, "%s is the wrong type for this %s field%s", describe(v), f.TypeName(), typeHint(f))
}

func typeHint(f *packet.Field) string {
	switch f.Type {
	case packet.Uint, packet.Int:
		return " (an integer or a name)"
	case packet.MAC:
		return " (a string like \"00:11:22:33:44:55\")"
	case packet.IPv4:
		return " (a string like \"10.0.0.1\" or \"10.0.0.0/24\")"
	case packet.IPv6:
		return " (a string like \"2001:db8::1\")"
	case packet.Bytes, packet.String, packet.Custom:
		return " (a string or bytes)"
	}
	return ""
}

func clone(b []byte) []byte { return append([]byte{}, b...) }

// describe names a value's type as a Python user knows it.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return fmt.Sprintf("str %q", x)
	case []byte:
		return "bytes"
	case bool:
		return "bool"
	case int, int64, uint64, int32, uint32, uint16, uint8:
		return fmt.Sprintf("int %v", x)
	case float64:
		return "float"
	case *Packet:
		return "packet " + x.Name()
	case []any:
		return "list"
	case Tuple:
		return "tuple"
	}
	return fmt.Sprintf("%T", v)
}

// toInt converts Go integer types.
func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		if x > math.MaxInt64 {
			return 0, false
		}
		return int64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// fieldRange returns the smallest and largest values an integer field
// holds.
func fieldRange(f *packet.Field) (lo *big.Int, hi *big.Int) {
	if f.Type == packet.Int {
		lo = new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), uint(f.Bits-1)))
		hi = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(f.Bits-1)), big.NewInt(1))
		return
	}
	return big.NewInt(0), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(f.Bits)), big.NewInt(1))
}

func checkRange(cls string, f *packet.Field, n *big.Int) (uint64, error) {
	lo, hi := fieldRange(f)
	if n.Cmp(lo) < 0 || n.Cmp(hi) > 0 {
		return 0, errf(cls, f.Name, "%s is out of range %s..%s", n, lo, hi)
	}
	if n.Sign() < 0 {
		return uint64(n.Int64()), nil
	}
	return n.Uint64(), nil
}

func convertInt(cls string, f *packet.Field, v any) (uint64, error) {
	switch x := v.(type) {
	case uint64:
		return checkRange(cls, f, new(big.Int).SetUint64(x))
	case *big.Int:
		return checkRange(cls, f, x)
	case string:
		return parseIntName(cls, f, x)
	}
	if n, ok := toInt(v); ok {
		return checkRange(cls, f, big.NewInt(n))
	}
	return 0, errf(cls, f.Name, "%s is the wrong type for this %s field (an integer%s)", describe(v), f.TypeName(), nameHint(f))
}

func nameHint(f *packet.Field) string {
	switch {
	case f.Flags != nil:
		return " or flag names like " + strconv.Quote(flagExample(f))
	case f.Enum != nil:
		return " or a name"
	}
	return ""
}

func flagExample(f *packet.Field) string {
	var b strings.Builder
	for i, n := range f.Flags {
		if n == "" {
			continue
		}
		if b.Len() > 0 && len(n) > 1 {
			b.WriteByte('+')
		}
		b.WriteString(n)
		if i >= 1 {
			break
		}
	}
	return b.String()
}

// parseIntName reads an integer given as text: an enum name, flag names
// ("SA", "DF+MF") or a number.
func parseIntName(cls string, f *packet.Field, s string) (uint64, error) {
	if f.Flags != nil {
		return parseFlags(cls, f, s)
	}
	if f.Enum != nil {
		for u, n := range f.Enum {
			if n == s {
				return u, nil
			}
		}
		var found []uint64
		for u, n := range f.Enum {
			if strings.EqualFold(n, s) {
				found = append(found, u)
			}
		}
		if len(found) > 0 {
			sort.Slice(found, func(i, j int) bool { return found[i] < found[j] })
			return found[0], nil
		}
	}
	if n, ok := new(big.Int).SetString(s, 0); ok {
		return checkRange(cls, f, n)
	}
	if f.Enum == nil {
		lo, hi := fieldRange(f)
		return 0, errf(cls, f.Name, "%q is not a number (an integer %s..%s)", s, lo, hi)
	}
	return 0, errf(cls, f.Name, "unknown name %q; valid names: %s", s, enumNames(f))
}

func enumNames(f *packet.Field) string {
	us := make([]uint64, 0, len(f.Enum))
	for u := range f.Enum {
		us = append(us, u)
	}
	sort.Slice(us, func(i, j int) bool { return us[i] < us[j] })
	var ns []string
	for _, u := range us {
		ns = append(ns, fmt.Sprintf("%s (%d)", f.Enum[u], u))
	}
	if len(ns) > 40 {
		ns = append(ns[:40], fmt.Sprintf("... %d more", len(ns)-40))
	}
	return strings.Join(ns, ", ")
}

// parseFlags reads flag names: one letter each when every flag name is one
// letter ("SA"), else names joined by '+' ("DF+MF"); a number is taken too.
func parseFlags(cls string, f *packet.Field, s string) (uint64, error) {
	if n, ok := new(big.Int).SetString(s, 0); ok {
		return checkRange(cls, f, n)
	}
	single := true
	for _, n := range f.Flags {
		if len(n) > 1 {
			single = false
		}
	}
	var parts []string
	if single && !strings.Contains(s, "+") {
		for _, r := range s {
			parts = append(parts, string(r))
		}
	} else {
		parts = strings.Split(s, "+")
	}
	var u uint64
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		bit := -1
		for i, n := range f.Flags {
			if n == part {
				bit = i
				break
			}
		}
		if bit < 0 {
			var valid []string
			for _, n := range f.Flags {
				if n != "" {
					valid = append(valid, n)
				}
			}
			return 0, errf(cls, f.Name, "unknown flag %q in %q; valid flags: %s", part, s, strings.Join(valid, ", "))
		}
		u |= 1 << bit
	}
	return u, nil
}

func convertRange(cls string, f *packet.Field, lo, hi int64) ([]packet.Value, bool, error) {
	if !f.IsInt() {
		return nil, false, errf(cls, f.Name, "a (low, high) range needs an integer field, not %s", f.TypeName())
	}
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi-lo >= maxSet {
		return nil, false, errf(cls, f.Name, "range (%d, %d) is too large (at most %d values)", lo, hi, maxSet)
	}
	if _, err := checkRange(cls, f, big.NewInt(lo)); err != nil {
		return nil, false, err
	}
	if _, err := checkRange(cls, f, big.NewInt(hi)); err != nil {
		return nil, false, err
	}
	vals := make([]packet.Value, 0, hi-lo+1)
	for n := lo; n <= hi; n++ {
		vals = append(vals, packet.Value{U: uint64(n)})
	}
	return vals, true, nil
}

// convertAddr reads an IPv4 or IPv6 address, or a CIDR network that
// expands to every address in it (Scapy's Net), lowest first.
func convertAddr(cls string, f *packet.Field, s string) ([]packet.Value, bool, error) {
	want := "IPv4"
	if f.Type == packet.IPv6 {
		want = "IPv6"
	}
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(s)
		if err != nil || (f.Type == packet.IPv4) != pfx.Addr().Is4() {
			return nil, false, errf(cls, f.Name, "%q is not an %s network (like \"10.0.0.0/30\")", s, want)
		}
		host := pfx.Addr().BitLen() - pfx.Bits()
		if 1<<min(host, 62) > maxSet {
			return nil, false, errf(cls, f.Name, "network %q is too large (at most /%d)", s, pfx.Addr().BitLen()-20)
		}
		n := 1 << host
		a := pfx.Masked().Addr()
		vals := make([]packet.Value, 0, n)
		for i := 0; i < n; i++ {
			vals = append(vals, packet.Value{B: a.AsSlice()})
			a = a.Next()
		}
		return vals, true, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil && isHostname(s) {
		return resolveHost(cls, f, s)
	}
	if err != nil || (f.Type == packet.IPv4 && !a.Is4()) || (f.Type == packet.IPv6 && a.Is4()) {
		if f.Type == packet.IPv6 && err == nil && a.Is4() {
			return []packet.Value{{B: netip.AddrFrom16(a.As16()).AsSlice()}}, false, nil
		}
		return nil, false, errf(cls, f.Name, "%q is not an %s address", s, want)
	}
	return []packet.Value{{B: a.AsSlice()}}, false, nil
}

// isHostname reports whether s is spelled like a host name (RFC 1123
// labels), so that it is worth resolving.
func isHostname(s string) bool {
	if s == "" || len(s) > 253 || strings.HasPrefix(s, ".") {
		return false
	}
	letter := false
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
				letter = true
			case c >= '0' && c <= '9', c == '-':
			default:
				return false
			}
		}
	}
	return letter
}

// resolveTimeout bounds a host name lookup.
const resolveTimeout = 3 * time.Second

// LookupHost resolves host names given for address fields (network is
// "ip4" or "ip6"). It is the system's resolver; a program may replace it
// before crafting, for example to resolve from a fixed table or to refuse
// names (fuzzing does, so that no input waits on DNS).
var LookupHost = net.DefaultResolver.LookupNetIP

// resolveHost resolves a host name as Scapy does for an address field:
// the system's resolver (the hosts file, then DNS), its first IPv4 address
// for an IPv4 field, its first IPv6 address for an IPv6 field.
func resolveHost(cls string, f *packet.Field, s string) ([]packet.Value, bool, error) {
	network, want := "ip4", "IPv4"
	if f.Type == packet.IPv6 {
		network, want = "ip6", "IPv6"
	}
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	as, err := LookupHost(ctx, network, s)
	if err != nil || len(as) == 0 {
		if err == nil {
			err = errors.New("no address")
		}
		return nil, false, errf(cls, f.Name, "%q is not an %s address, and resolving it as a host name failed: %v", s, want, err)
	}
	a := as[0]
	if f.Type == packet.IPv4 {
		a = a.Unmap()
	}
	return []packet.Value{{B: a.AsSlice()}}, false, nil
}

// codecSize is the codec's Size of b alone, -1 if it cannot tell.
func codecSize(f *packet.Field, b []byte) (n int) {
	defer func() {
		if recover() != nil {
			n = -1
		}
	}()
	return f.Codec.Size(nil, b)
}
