package dfilter

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"pktkit/packet"
)

// pred is a compiled test of one packet.
type pred func(p *packet.Packet, st *state) bool

// test is a compiled test of one occurrence of a value.
type test func(v val) bool

// xform turns an occurrence into the value compared (a slice, a bit mask);
// ok is false when the value has no such part (a slice past its end).
type xform func(st *state, v val) (val, bool)

type compiler struct {
	src     string
	sources []*source // every field and protocol the filter reads
}

func (c *compiler) errTok(t token, err error) error {
	var ue *packet.UnknownFieldError
	msg := err.Error()
	if errors.As(err, &ue) {
		msg = "unknown field or protocol " + strconv.Quote(ue.Name)
		if len(ue.Suggest) > 0 {
			msg += "; did you mean " + strings.Join(ue.Suggest, ", ") + "?"
		}
	}
	end := t.end
	if end <= t.pos {
		end = t.pos + 1
	}
	return &SyntaxError{Expr: c.src, Pos: t.pos, End: end, Msg: msg, Err: err}
}

func (c *compiler) errf(t token, format string, args ...any) error {
	return c.errTok(t, fmt.Errorf(format, args...))
}

func (c *compiler) node(n node) (pred, error) {
	switch n := n.(type) {
	case *logicNode:
		l, err := c.node(n.l)
		if err != nil {
			return nil, err
		}
		r, err := c.node(n.r)
		if err != nil {
			return nil, err
		}
		if n.op == tAnd {
			return func(p *packet.Packet, st *state) bool { return l(p, st) && r(p, st) }, nil
		}
		return func(p *packet.Packet, st *state) bool { return l(p, st) || r(p, st) }, nil
	case *notNode:
		x, err := c.node(n.x)
		if err != nil {
			return nil, err
		}
		return func(p *packet.Packet, st *state) bool { return !x(p, st) }, nil
	case *relNode:
		return c.rel(n)
	}
	return nil, errors.New("dfilter: unknown node")
}

// field resolves an operand that must be a field, with its slice and mask.
func (c *compiler) field(o *operand) (*source, xform, kind, error) {
	if o.tok.kind != tWord {
		return nil, nil, 0, c.errf(o.tok, "left side of a test must be a field, not the literal %s", c.src[o.tok.pos:o.tok.end])
	}
	s, err := resolve(o.tok.text)
	if err != nil {
		return nil, nil, 0, c.errTok(o.tok, err)
	}
	c.sources = append(c.sources, s)
	k := s.kind
	var xf xform
	if o.slice != nil {
		if !k.bytesLike() {
			return nil, nil, 0, c.errf(*o.slice, "%s is a %s and cannot be sliced", s.name, k)
		}
		rs, err := parseRanges(o.slice.text)
		if err != nil {
			return nil, nil, 0, c.errTok(*o.slice, err)
		}
		xf, k = sliceXform(rs), kBytes
	}
	if o.mask != nil {
		if k != kInt && k != kSigned && k != kBool {
			return nil, nil, 0, c.errf(*o.mask, "bitwise & needs an integer field; %s is a %s", s.name, k)
		}
		m, err := intConst(s, *o.mask)
		if err != nil {
			return nil, nil, 0, c.errTok(*o.mask, err)
		}
		mask := m.u
		xf = func(st *state, v val) (val, bool) { v.u &= mask; return v, true }
	}
	return s, xf, k, nil
}

func (c *compiler) rel(n *relNode) (pred, error) {
	src, xf, k, err := c.field(n.lhs)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "":
		if xf != nil && n.lhs.mask != nil {
			// "tcp.flags & 0x02": true when some occurrence has a bit set.
			return anyOf(src, xf, func(v val) bool { return v.u != 0 }), nil
		}
		return anyOf(src, xf, func(val) bool { return true }), nil
	case "contains":
		if !k.bytesLike() {
			return nil, c.errf(n.opTok, "%s is a %s: contains needs a string or byte field", src.name, k)
		}
		lit, err := c.literal(src, kBytes, n.rhs)
		if err != nil {
			return nil, err
		}
		if lit.src != nil {
			return c.pairs(src, xf, lit.src, lit.xf, func(a, b val) bool { return bytes.Contains(a.b, b.b) }, false), nil
		}
		needle := lit.c.b
		return anyOf(src, xf, func(v val) bool { return bytes.Contains(v.b, needle) }), nil
	case "matches":
		if !k.bytesLike() {
			return nil, c.errf(n.opTok, "%s is a %s: matches needs a string or byte field", src.name, k)
		}
		if n.rhs.tok.kind != tString {
			return nil, c.errf(n.rhs.tok, "matches needs a quoted regular expression")
		}
		re, err := regexp.Compile("(?is)" + latin1Pattern(n.rhs.tok.text))
		if err != nil {
			return nil, c.errf(n.rhs.tok, "invalid regular expression: %v", err)
		}
		// The pattern applies to bytes: each byte is one character
		// (Latin-1), so binary values match as tshark's PCRE matches them.
		return func(p *packet.Packet, st *state) bool {
			found := false
			src.each(p, st, func(v val) bool {
				v, ok := apply(st, xf, v)
				if !ok {
					return true
				}
				found = re.Match(latin1(st, v.b))
				return !found
			})
			return found
		}, nil
	case "in":
		var tests []test
		for _, it := range n.set {
			lo, err := c.literal(src, k, it.lo)
			if err != nil {
				return nil, err
			}
			if lo.src != nil {
				return nil, c.errf(it.lo.tok, "set members must be literals")
			}
			if it.hi == nil {
				tests = append(tests, constTest(k, "==", lo.c))
				continue
			}
			hi, err := c.literal(src, k, it.hi)
			if err != nil {
				return nil, err
			}
			if hi.src != nil {
				return nil, c.errf(it.hi.tok, "set members must be literals")
			}
			if k == kBool || k == kString {
				return nil, c.errf(it.lo.tok, "a range needs an ordered field; %s is a %s", src.name, k)
			}
			ge, le := constTest(k, ">=", lo.c), constTest(k, "<=", hi.c)
			tests = append(tests, func(v val) bool { return ge(v) && le(v) })
		}
		return anyOf(src, xf, func(v val) bool {
			for _, t := range tests {
				if t(v) {
					return true
				}
			}
			return false
		}), nil
	}
	// Comparisons.
	if k == kNone {
		return nil, c.errf(n.opTok, "%s can only be tested for presence", src.name)
	}
	lit, err := c.literal(src, k, n.rhs)
	if err != nil {
		return nil, err
	}
	op := n.op
	base := op
	switch op {
	case "!=":
		base = "=="
	case "===":
		base = "=="
	case "~=":
		base = "!="
	}
	if lit.src != nil {
		cmp := func(a, b val) bool { return cmpOK(base, compare(k, a, b)) }
		switch op {
		case "!=":
			// All pairs differ (and there are some), as with a constant.
			return c.pairs(src, xf, lit.src, lit.xf, func(a, b val) bool { return !cmp(a, b) }, true), nil
		case "===":
			return c.pairs(src, xf, lit.src, lit.xf, cmp, true), nil
		}
		return c.pairs(src, xf, lit.src, lit.xf, cmp, false), nil
	}
	t := constTest(k, base, lit.c)
	switch op {
	case "!=":
		// tshark 4.0: a != b is "all not equal": some occurrence exists
		// and none equals b.
		eq := t
		return allOf(src, xf, func(v val) bool { return !eq(v) }), nil
	case "===":
		return allOf(src, xf, t), nil
	}
	if xf == nil && !lit.c.never && len(src.refs) == 1 && src.direct[0] != nil && src.refs[0].Proto != packet.Frame {
		if fp := fastInt(src, k, base, lit.c); fp != nil {
			return fp, nil
		}
	}
	return anyOf(src, xf, t), nil
}

// latin1Pattern writes the bytes of a pattern above 0x7f as \x{..}
// characters, so that each byte of the pattern is one character.
func latin1Pattern(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 {
			fmt.Fprintf(&b, `\x{%02x}`, c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// latin1 re-encodes bytes as UTF-8 with one character per byte (into
// state scratch space) for the regular expression engine.
func latin1(st *state, b []byte) []byte {
	i := 0
	for i < len(b) && b[i] < 0x80 {
		i++
	}
	if i == len(b) {
		return b
	}
	st.re = append(st.re[:0], b[:i]...)
	for _, c := range b[i:] {
		if c < 0x80 {
			st.re = append(st.re, c)
		} else {
			st.re = append(st.re, 0xc0|c>>6, 0x80|c&0x3f)
		}
	}
	return st.re
}

// rhs is a resolved right-hand side: a constant or another field.
type rhs struct {
	c   constant
	src *source
	xf  xform
}

// literal resolves the right-hand operand for a field of kind k: a literal
// of that kind, or else another field.
func (c *compiler) literal(lhs *source, k kind, o *operand) (rhs, error) {
	var cst constant
	var err error
	t := o.tok
	if o.slice == nil && o.mask == nil {
		switch k {
		case kInt, kSigned:
			cst, err = intConst(lhs, t)
		case kBool:
			switch t.text {
			case "True", "TRUE", "true":
				if t.kind == tWord {
					return rhs{c: constant{u: 1}}, nil
				}
			case "False", "FALSE", "false":
				if t.kind == tWord {
					return rhs{c: constant{u: 0}}, nil
				}
			}
			cst, err = intConst(lhs, t)
		case kTime:
			cst, err = timeConst(t)
		default:
			cst, err = bytesConst(k, t)
		}
		if err == nil {
			return rhs{c: cst}, nil
		}
	}
	if t.kind == tWord && err != nil || o.slice != nil || o.mask != nil {
		if s, _ := resolve(t.text); s != nil {
			src, xf, k2, ferr := c.field(o)
			if ferr != nil {
				return rhs{}, ferr
			}
			if !compatible(k, k2) {
				return rhs{}, c.errf(t, "%s is a %s and cannot be compared with a %s", src.name, k2, k)
			}
			src.slot = 1
			return rhs{src: src, xf: xf}, nil
		}
	}
	if err == nil {
		err = fmt.Errorf("%q is not a valid %s", t.text, k)
	}
	return rhs{}, c.errTok(t, err)
}

func compatible(a, b kind) bool {
	if a == b {
		return true
	}
	num := func(k kind) bool { return k == kInt || k == kSigned || k == kBool }
	if num(a) && num(b) {
		return true
	}
	return a.bytesLike() && b.bytesLike() && (a == kBytes || b == kBytes)
}

// apply transforms an occurrence if there is a transformation.
func apply(st *state, xf xform, v val) (val, bool) {
	if xf == nil {
		return v, true
	}
	return xf(st, v)
}

// anyOf is true when some occurrence passes t.
func anyOf(src *source, xf xform, t test) pred {
	if xf == nil {
		return func(p *packet.Packet, st *state) bool {
			found := false
			src.each(p, st, func(v val) bool {
				if t(v) {
					found = true
					return false
				}
				return true
			})
			return found
		}
	}
	return func(p *packet.Packet, st *state) bool {
		found := false
		src.each(p, st, func(v val) bool {
			v, ok := xf(st, v)
			if ok && t(v) {
				found = true
				return false
			}
			return true
		})
		return found
	}
}

// allOf is true when some occurrence exists and every one passes t.
func allOf(src *source, xf xform, t test) pred {
	return func(p *packet.Packet, st *state) bool {
		seen := false
		all := src.each(p, st, func(v val) bool {
			v, ok := apply(st, xf, v)
			if !ok {
				return true
			}
			seen = true
			return t(v)
		})
		return seen && all
	}
}

// pairs is true when some pair of an occurrence of a and one of b passes
// cmp, or with all, when there are pairs and every one passes.
func (c *compiler) pairs(a *source, ax xform, b *source, bx xform, cmp func(a, b val) bool, all bool) pred {
	return func(p *packet.Packet, st *state) bool {
		seen, res := false, all
		a.each(p, st, func(v val) bool {
			v, ok := apply(st, ax, v)
			if !ok {
				return true
			}
			b.each(p, st, func(w val) bool {
				w, ok := apply(st, bx, w)
				if !ok {
					return true
				}
				seen = true
				res = cmp(v, w)
				return res == all
			})
			return res == all
		})
		return seen && res
	}
}

func cmpOK(op string, c int) bool {
	switch op {
	case "==":
		return c == 0
	case "!=":
		return c != 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	}
	return false
}

func compare(k kind, a, b val) int {
	switch k {
	case kInt:
		return cmp.Compare(a.u, b.u)
	case kSigned, kTime:
		return cmp.Compare(int64(a.u), int64(b.u))
	case kBool:
		return cmp.Compare(min(a.u, 1), min(b.u, 1))
	}
	return bytes.Compare(a.b, b.b)
}

// constTest compiles "occurrence OP constant" for a kind.
func constTest(k kind, op string, c constant) test {
	if c.never {
		ne := op == "!="
		return func(val) bool { return ne }
	}
	switch k {
	case kInt:
		u := c.u
		switch op {
		case "==":
			return func(v val) bool { return v.u == u }
		case "!=":
			return func(v val) bool { return v.u != u }
		case ">":
			return func(v val) bool { return v.u > u }
		case ">=":
			return func(v val) bool { return v.u >= u }
		case "<":
			return func(v val) bool { return v.u < u }
		case "<=":
			return func(v val) bool { return v.u <= u }
		}
	case kSigned, kTime, kBool:
		cv := val{u: c.u}
		return func(v val) bool { return cmpOK(op, compare(k, v, cv)) }
	}
	b := c.b
	if c.prefix >= 0 && (op == "==" || op == "!=") {
		bits := c.prefix
		eq := op == "=="
		return func(v val) bool { return prefixMatch(v.b, b, bits) == eq }
	}
	if op == "==" {
		return func(v val) bool { return bytes.Equal(v.b, b) }
	}
	return func(v val) bool { return cmpOK(op, bytes.Compare(v.b, b)) }
}

// prefixMatch reports whether a lies in the network b/bits.
func prefixMatch(a, b []byte, bits int) bool {
	if len(a) != len(b) {
		return false
	}
	n := bits / 8
	if !bytes.Equal(a[:n], b[:n]) {
		return false
	}
	if r := bits % 8; r != 0 {
		m := byte(0xff << (8 - r))
		return a[n]&m == b[n]&m
	}
	return true
}

// sliceRange is one part of a slice: start (negative from the end) and
// length (-1: to the end).
type sliceRange struct{ start, n int }

// parseRanges reads a slice: "i:j" (j bytes from i), "i-j" (i to j
// inclusive), "i" (one byte), ":j", "i:" and comma-separated lists of them.
func parseRanges(s string) ([]sliceRange, error) {
	var out []sliceRange
	atoi := func(x string) (int, error) {
		v, err := strconv.Atoi(strings.TrimSpace(x))
		if err != nil || v > 1<<30 || v < -(1<<30) {
			return 0, fmt.Errorf("invalid slice [%s]", s)
		}
		return v, nil
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		var r sliceRange
		var err error
		if a, b, ok := strings.Cut(part, ":"); ok {
			if a != "" {
				if r.start, err = atoi(a); err != nil {
					return nil, err
				}
			}
			r.n = -1
			if b != "" {
				if r.n, err = atoi(b); err != nil || r.n < 0 {
					return nil, fmt.Errorf("invalid slice [%s]", s)
				}
			}
		} else if i := strings.Index(part[min(1, len(part)):], "-"); i >= 0 {
			i += min(1, len(part))
			var e int
			if r.start, err = atoi(part[:i]); err != nil {
				return nil, err
			}
			if e, err = atoi(part[i+1:]); err != nil {
				return nil, err
			}
			if (r.start < 0) != (e < 0) || e < r.start {
				return nil, fmt.Errorf("invalid slice [%s]", s)
			}
			r.n = e - r.start + 1
		} else {
			if r.start, err = atoi(part); err != nil {
				return nil, err
			}
			r.n = 1
		}
		out = append(out, r)
	}
	return out, nil
}

// sliceXform compiles a slice.
func sliceXform(rs []sliceRange) xform {
	// A range past the captured bytes has no value; offsets from the end
	// count from the end of the captured bytes, as in tshark.
	cut := func(v val, r sliceRange) ([]byte, bool) {
		b := v.b
		n := len(b)
		s := r.start
		if s < 0 {
			s += n
			if s < 0 {
				return nil, false
			}
		}
		end := n
		if r.n >= 0 {
			end = s + r.n
		}
		if s > len(b) || end > len(b) {
			return nil, false
		}
		return b[s:end], true
	}
	if len(rs) == 1 {
		r := rs[0]
		return func(st *state, v val) (val, bool) {
			b, ok := cut(v, r)
			return val{b: b}, ok
		}
	}
	return func(st *state, v val) (val, bool) {
		st.slice = st.slice[:0]
		for _, r := range rs {
			b, ok := cut(v, r)
			if !ok {
				return val{}, false
			}
			st.slice = append(st.slice, b...)
		}
		return val{b: st.slice}, true
	}
}
