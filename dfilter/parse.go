package dfilter

import (
	"fmt"
	"strings"
)

// tokKind is a lexical token's kind.
type tokKind uint8

const (
	tEOF      tokKind = iota
	tWord             // field name or unquoted literal
	tString           // "quoted" (text holds the decoded bytes)
	tChar             // 'c' (text holds the decoded byte)
	tLParen           // (
	tRParen           // )
	tLBrace           // {
	tRBrace           // }
	tSlice            // [...] (text holds what is between the brackets)
	tComma            // ,
	tDotDot           // ..
	tCmp              // == != === ~= > >= < <= and their word forms
	tAnd              // and &&
	tOr               // or ||
	tNot              // not !
	tAmp              // & (bitwise and)
	tContains         // contains
	tMatches          // matches
	tIn               // in
)

type token struct {
	kind     tokKind
	text     string // source text, or decoded text for strings
	op       string // canonical comparison operator for tCmp
	pos, end int
}

// cmpWords maps the word forms of comparison operators to their symbols.
var cmpWords = map[string]string{
	"eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<=",
	"any_eq": "==", "all_ne": "!=", "all_eq": "===", "any_ne": "~=",
}

// punct maps one-character tokens to their kinds.
var punct = [256]tokKind{'!': tNot, '&': tAmp, '(': tLParen, ')': tRParen, '{': tLBrace, '}': tRBrace, ',': tComma}

// keywords maps the word operators to their kinds.
var keywords = map[string]tokKind{"and": tAnd, "or": tOr, "not": tNot, "contains": tContains, "matches": tMatches, "in": tIn}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '.' || c == ':' || c == '-' || c == '/'
}

// lex splits the expression into tokens.
func lex(s string) ([]token, error) {
	toks := make([]token, 0, len(s)/3+2)
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		if i >= len(s) {
			toks = append(toks, token{kind: tEOF, pos: i, end: i})
			return toks, nil
		}
		start := i
		c := s[i]
		two := ""
		if i+1 < len(s) {
			two = s[i : i+2]
		}
		emit := func(k tokKind, n int, op string) {
			toks = append(toks, token{kind: k, text: s[start : start+n], op: op, pos: start, end: start + n})
			i = start + n
		}
		switch {
		case two == "==" && i+2 < len(s) && s[i+2] == '=':
			emit(tCmp, 3, "===")
		case two == "==", two == "!=", two == ">=", two == "<=", two == "~=":
			emit(tCmp, 2, two)
		case two == "&&":
			emit(tAnd, 2, "")
		case two == "||":
			emit(tOr, 2, "")
		case two == "..":
			emit(tDotDot, 2, "")
		case c == '>' || c == '<':
			emit(tCmp, 1, string(c))
		case punct[c] != tEOF:
			emit(punct[c], 1, "")
		case c == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return nil, &SyntaxError{Expr: s, Pos: i, End: len(s), Msg: "unterminated slice: missing ]"}
			}
			toks = append(toks, token{kind: tSlice, text: s[i+1 : i+j], pos: i, end: i + j + 1})
			i += j + 1
		case c == '"':
			text, n, err := unquote(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tString, text: text, pos: i, end: n})
			i = n
		case c == '\'':
			text, n, err := charLit(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tChar, text: text, pos: i, end: n})
			i = n
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				if s[j] == '.' && j+1 < len(s) && s[j+1] == '.' {
					break // a range: 80..90
				}
				j++
			}
			w := s[i:j]
			t := token{kind: tWord, text: w, pos: i, end: j}
			if k, ok := keywords[w]; ok {
				t.kind = k
			} else if op, ok := cmpWords[w]; ok {
				t.kind, t.op = tCmp, op
			}
			toks = append(toks, t)
			i = j
		default:
			return nil, &SyntaxError{Expr: s, Pos: i, End: i + 1, Msg: fmt.Sprintf("unexpected character %q", c)}
		}
	}
}

// unquote decodes the string literal starting at s[i] (a double quote) and
// returns its bytes and the index past the closing quote.
func unquote(s string, i int) (string, int, error) {
	var b []byte
	j := i + 1
	for j < len(s) {
		c := s[j]
		switch {
		case c == '"':
			return string(b), j + 1, nil
		case c == '\\':
			if j+1 >= len(s) {
				break
			}
			e := s[j+1]
			switch {
			case e == 'x' || e == 'X':
				k, v := j+2, 0
				for k < len(s) && k < j+4 && hexVal(s[k]) >= 0 {
					v = v*16 + hexVal(s[k])
					k++
				}
				if k == j+2 {
					return "", 0, &SyntaxError{Expr: s, Pos: j, End: k, Msg: "\\x needs hexadecimal digits"}
				}
				b = append(b, byte(v))
				j = k
				continue
			case e >= '0' && e <= '7':
				k, v := j+1, 0
				for k < len(s) && k < j+4 && s[k] >= '0' && s[k] <= '7' {
					v = v*8 + int(s[k]-'0')
					k++
				}
				if v > 255 {
					return "", 0, &SyntaxError{Expr: s, Pos: j, End: k, Msg: "octal escape larger than \\377"}
				}
				b = append(b, byte(v))
				j = k
				continue
			}
			r, ok := simpleEscape(e)
			if !ok {
				return "", 0, &SyntaxError{Expr: s, Pos: j, End: j + 2, Msg: fmt.Sprintf("invalid escape \\%c", e)}
			}
			b = append(b, r)
			j += 2
			continue
		}
		b = append(b, c)
		j++
	}
	return "", 0, &SyntaxError{Expr: s, Pos: i, End: len(s), Msg: "unterminated string: missing \""}
}

func simpleEscape(e byte) (byte, bool) {
	switch e {
	case 'n':
		return '\n', true
	case 't':
		return '\t', true
	case 'r':
		return '\r', true
	case 'a':
		return 7, true
	case 'b':
		return 8, true
	case 'f':
		return 12, true
	case 'v':
		return 11, true
	case '\\', '"', '\'':
		return e, true
	}
	return 0, false
}

// charLit decodes a character constant ('a', '\n', '\x41').
func charLit(s string, i int) (string, int, error) {
	end := strings.IndexByte(s[i+1:], '\'')
	if end >= 0 && end == 1 && s[i+1] == '\\' {
		// '\'' : the quote after the backslash is escaped.
		if n := strings.IndexByte(s[i+3:], '\''); n >= 0 {
			end = n + 2
		}
	}
	if end < 0 {
		return "", 0, &SyntaxError{Expr: s, Pos: i, End: len(s), Msg: "unterminated character constant"}
	}
	body := s[i+1 : i+1+end]
	bad := &SyntaxError{Expr: s, Pos: i, End: i + end + 2, Msg: "invalid character constant"}
	if len(body) == 1 && body != "\\" {
		return body, i + end + 2, nil
	}
	if len(body) < 2 || body[0] != '\\' {
		return "", 0, bad
	}
	dec, n, err := unquote("\""+body+"\"", 0)
	if err != nil || n != len(body)+2 || len(dec) != 1 {
		return "", 0, bad
	}
	return dec, i + end + 2, nil
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// The syntax tree.

type node interface{ span() (int, int) }

type logicNode struct {
	op   tokKind // tAnd or tOr
	l, r node
}

func (n *logicNode) span() (int, int) { a, _ := n.l.span(); _, b := n.r.span(); return a, b }

type notNode struct {
	x   node
	pos int
}

func (n *notNode) span() (int, int) { _, b := n.x.span(); return n.pos, b }

// operand is one side of a relation: a field (possibly sliced or masked)
// or a literal.
type operand struct {
	tok   token  // the word, string or character token
	slice *token // [..] after a field
	mask  *token // & MASK after a field
	end   int
}

func (o *operand) span() (int, int) { return o.tok.pos, o.end }

// relNode is a test: existence (op == ""), a comparison, contains, matches
// or membership.
type relNode struct {
	lhs   *operand
	op    string // "==", "!=", "===", "~=", ">", ">=", "<", "<=", "contains", "matches", "in"
	opTok token
	rhs   *operand
	set   []setItem
	end   int
}

func (n *relNode) span() (int, int) { return n.lhs.tok.pos, n.end }

type setItem struct {
	lo, hi *operand // hi is nil for a single value
}

type parser struct {
	src  string
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) errAt(t token, format string, args ...any) error {
	end := t.end
	if end <= t.pos {
		end = t.pos + 1
	}
	return &SyntaxError{Expr: p.src, Pos: t.pos, End: end, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) unexpected(t token) error {
	if t.kind == tEOF {
		return p.errAt(t, "unexpected end of filter")
	}
	return p.errAt(t, "%q was unexpected in this context", p.src[t.pos:t.end])
}

// parse builds the syntax tree: or binds loosest, then and, then not.
func parse(src string) (node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	if p.peek().kind == tEOF {
		return nil, p.errAt(p.peek(), "empty filter")
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.unexpected(t)
	}
	return n, nil
}

func (p *parser) or() (node, error) { return p.binary(tOr, p.and) }

func (p *parser) and() (node, error) { return p.binary(tAnd, p.unary) }

// binary parses operands joined by a left-associative logical operator.
func (p *parser) binary(op tokKind, operand func() (node, error)) (node, error) {
	l, err := operand()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == op {
		p.next()
		r, err := operand()
		if err != nil {
			return nil, err
		}
		l = &logicNode{op: op, l: l, r: r}
	}
	return l, nil
}

func (p *parser) unary() (node, error) {
	t := p.peek()
	switch t.kind {
	case tNot:
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &notNode{x: x, pos: t.pos}, nil
	case tLParen:
		p.next()
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.peek(); c.kind != tRParen {
			if c.kind == tEOF {
				return nil, p.errAt(t, "unbalanced parenthesis: missing )")
			}
			return nil, p.unexpected(c)
		}
		p.next()
		return x, nil
	}
	return p.relation()
}

func (p *parser) operand() (*operand, error) {
	t := p.next()
	switch t.kind {
	case tWord, tString, tChar:
	default:
		return nil, p.unexpected(t)
	}
	o := &operand{tok: t, end: t.end}
	if t.kind == tWord && p.peek().kind == tSlice && p.peek().pos == t.end {
		s := p.next()
		o.slice, o.end = &s, s.end
	}
	if p.peek().kind == tAmp {
		p.next()
		m := p.next()
		if m.kind != tWord && m.kind != tChar {
			return nil, p.unexpected(m)
		}
		o.mask, o.end = &m, m.end
	}
	return o, nil
}

func (p *parser) relation() (node, error) {
	lhs, err := p.operand()
	if err != nil {
		return nil, err
	}
	n := &relNode{lhs: lhs, end: lhs.end}
	t := p.peek()
	switch t.kind {
	case tCmp, tContains, tMatches:
		p.next()
		n.op, n.opTok = t.op, t
		if t.kind == tContains {
			n.op = "contains"
		} else if t.kind == tMatches {
			n.op = "matches"
		}
		if n.rhs, err = p.operand(); err != nil {
			return nil, err
		}
		n.end = n.rhs.end
	case tIn, tNot:
		neg := false
		if t.kind == tNot {
			if p.toks[p.i+1].kind != tIn {
				return n, nil // "a not b": let the caller complain
			}
			p.next()
			neg = true
		}
		p.next()
		n.op, n.opTok = "in", t
		if err := p.set(n); err != nil {
			return nil, err
		}
		if neg {
			return &notNode{x: n, pos: t.pos}, nil
		}
	}
	return n, nil
}

func (p *parser) set(n *relNode) error {
	if t := p.next(); t.kind != tLBrace {
		return p.unexpected(t)
	}
	for {
		lo, err := p.operand()
		if err != nil {
			return err
		}
		it := setItem{lo: lo}
		if p.peek().kind == tDotDot {
			p.next()
			if it.hi, err = p.operand(); err != nil {
				return err
			}
		}
		n.set = append(n.set, it)
		t := p.next()
		switch t.kind {
		case tComma:
			continue
		case tRBrace:
			n.end = t.end
			return nil
		}
		return p.unexpected(t)
	}
}

// SyntaxError is a filter that does not parse or does not make sense (an
// unknown field, a literal of the wrong type). Error shows the filter with
// a caret line under the problem.
type SyntaxError struct {
	Expr     string
	Pos, End int    // byte offsets of the problem in Expr
	Msg      string // what is wrong
	Err      error  // the cause, such as a *packet.UnknownFieldError
}

// Error returns the message, the filter, and carets under the problem.
func (e *SyntaxError) Error() string {
	pos := min(max(e.Pos, 0), len(e.Expr))
	end := min(max(e.End, pos+1), len(e.Expr)+1)
	return e.Msg + "\n    " + e.Expr + "\n    " + strings.Repeat(" ", pos) + "^" + strings.Repeat("~", end-pos-1)
}

// Unwrap returns the cause.
func (e *SyntaxError) Unwrap() error { return e.Err }
