package shell

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"pktkit/craft"
	"pktkit/craft/script"
)

// methodCall and withName are the hidden builtins Python habits are
// rewritten to.
const (
	methodCall = "__method__"
	withName   = "__with__"
	indexName  = "__idx__"
)

var (
	importLine = regexp.MustCompile(`^(\s*)(import\s+[\w., ]+|from\s+[\w.]+\s+import\s+.+)\s*(#.*)?$`)
	withLine   = regexp.MustCompile(`^(\s*)with\s+(.+?)\s+as\s+(\w+)\s*:(.*)$`)
)

// Prepare rewrites Python habits that Starlark's grammar rejects into
// equivalents, line by line so that line numbers stay: `import x` and
// `from x import *` lines become `pass` (every module a script may import
// is already there: struct, base64), `with EXPR as NAME:` becomes a loop
// over EXPR alone that closes it at the end, and Scapy's keyword field
// names (load) get through (script.Rewrite).
func Prepare(src string) string {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if m := importLine.FindStringSubmatch(l); m != nil {
			lines[i] = m[1] + "pass"
			continue
		}
		if m := withLine.FindStringSubmatch(l); m != nil {
			lines[i] = m[1] + "for " + m[3] + " in " + withName + "(" + m[2] + "):" + m[4]
		}
	}
	return script.Rewrite(strings.Join(lines, "\n"))
}

// rewrittenMethods are the methods whose calls go through __method__ so
// that bytes and strings get Python's methods Starlark lacks.
var rewrittenMethods = map[string]bool{
	"join": true, "decode": true, "encode": true, "hex": true, "startswith": true, "endswith": true,
	"find": true, "count": true, "split": true, "strip": true, "replace": true, "fromhex": true,
	"from_bytes": true, "to_bytes": true, "index": true, "upper": true, "lower": true,
}

// rewriteMethods turns x.m(args) for the methods above into
// __method__(x, "m", args), which calls x's own method when it has one,
// and x[i] into __idx__(x)[i], which indexes bytes as Python does (an
// int); p[Class] and x["key"] are left alone.
func rewriteMethods(f *syntax.File) {
	syntax.Walk(f, func(n syntax.Node) bool {
		if ix, ok := n.(*syntax.IndexExpr); ok {
			switch y := ix.Y.(type) {
			case *syntax.Ident:
				if craft.LookupClass(y.Name) != nil {
					return true
				}
			case *syntax.Literal:
				if y.Token == syntax.STRING {
					return true
				}
			}
			start, _ := ix.X.Span()
			ix.X = &syntax.CallExpr{Fn: &syntax.Ident{NamePos: start, Name: indexName}, Lparen: start, Args: []syntax.Expr{ix.X}, Rparen: ix.Lbrack}
			return true
		}
		ce, ok := n.(*syntax.CallExpr)
		if !ok {
			return true
		}
		dot, ok := ce.Fn.(*syntax.DotExpr)
		if !ok || !rewrittenMethods[dot.Name.Name] {
			return true
		}
		name := &syntax.Literal{Token: syntax.STRING, TokenPos: dot.Name.NamePos, Raw: strconv.Quote(dot.Name.Name), Value: dot.Name.Name}
		ce.Fn = &syntax.Ident{NamePos: dot.Dot, Name: methodCall}
		ce.Args = append([]syntax.Expr{dot.X, name}, ce.Args...)
		return true
	})
}

// builtinMethod is __method__(x, name, args...): Python's bytes and str
// methods that Starlark lacks, else x's own method.
func builtinMethod(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) < 2 {
		return nil, fmt.Errorf("%s: internal error", methodCall)
	}
	recv, name := args[0], string(args[1].(starlark.String))
	rest := args[2:]
	switch x := recv.(type) {
	case starlark.Bytes:
		if v, ok, err := bytesMethod(x, name, rest, kwargs); ok {
			return v, err
		}
	case starlark.String:
		if name == "encode" {
			return starlark.Bytes(x), nil
		}
	case *starlark.Builtin:
		switch {
		case x.Name() == "bytes" && name == "fromhex" && len(rest) == 1:
			s, ok := starlark.AsString(rest[0])
			if !ok {
				return nil, fmt.Errorf("bytes.fromhex: want a string")
			}
			raw, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
			if err != nil {
				return nil, fmt.Errorf("bytes.fromhex: %v", err)
			}
			return starlark.Bytes(raw), nil
		case x.Name() == "int" && name == "from_bytes":
			var data starlark.Bytes
			order := "big"
			if err := starlark.UnpackArgs("int.from_bytes", rest, kwargs, "bytes", &data, "byteorder?", &order); err != nil {
				return nil, err
			}
			d := []byte(string(data))
			if order == "little" {
				d = reversed(d)
			}
			return starlark.MakeBigInt(new(big.Int).SetBytes(d)), nil
		}
	case starlark.Int:
		if name == "to_bytes" {
			var n int
			order := "big"
			if err := starlark.UnpackArgs("int.to_bytes", rest, kwargs, "length", &n, "byteorder?", &order); err != nil {
				return nil, err
			}
			if n < 0 || n > 1<<16 {
				return nil, fmt.Errorf("to_bytes: length %d out of range", n)
			}
			bi := x.BigInt()
			if bi.Sign() < 0 || (bi.BitLen()+7)/8 > n {
				return nil, fmt.Errorf("to_bytes: int too big to convert")
			}
			d := bi.FillBytes(make([]byte, n))
			if order == "little" {
				d = reversed(d)
			}
			return starlark.Bytes(d), nil
		}
	}
	fn, err := starlark.Call(th, starlark.Universe["getattr"], starlark.Tuple{recv, starlark.String(name)}, nil)
	if err != nil {
		return nil, err
	}
	return starlark.Call(th, fn, rest, kwargs)
}

func reversed(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[len(b)-1-i] = c
	}
	return out
}

// bytesArg reads a bytes argument.
func bytesArg(fn string, v starlark.Value) ([]byte, error) {
	switch x := v.(type) {
	case starlark.Bytes:
		return []byte(string(x)), nil
	case *script.Packet:
		return x.Bytes()
	}
	return nil, fmt.Errorf("%s: want bytes, not %s", fn, v.Type())
}

// bytesMethod implements Python's bytes methods on b.
func bytesMethod(b starlark.Bytes, name string, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, bool, error) {
	s := []byte(string(b))
	one := func() ([]byte, error) {
		if len(args) != 1 {
			return nil, fmt.Errorf("bytes.%s takes one argument", name)
		}
		return bytesArg("bytes."+name, args[0])
	}
	switch name {
	case "join":
		if len(args) != 1 {
			return nil, true, fmt.Errorf("bytes.join takes one argument")
		}
		it, ok := args[0].(starlark.Iterable)
		if !ok {
			return nil, true, fmt.Errorf("bytes.join: want an iterable, not %s", args[0].Type())
		}
		var out []byte
		iter := it.Iterate()
		defer iter.Done()
		var v starlark.Value
		for i := 0; iter.Next(&v); i++ {
			e, err := bytesArg("bytes.join", v)
			if err != nil {
				return nil, true, err
			}
			if i > 0 {
				out = append(out, s...)
			}
			out = append(out, e...)
		}
		return starlark.Bytes(out), true, nil
	case "decode":
		enc := "utf-8"
		var errs string
		if err := starlark.UnpackArgs("bytes.decode", args, kwargs, "encoding?", &enc, "errors?", &errs); err != nil {
			return nil, true, err
		}
		switch strings.ToLower(strings.ReplaceAll(enc, "_", "-")) {
		case "latin-1", "latin1", "iso-8859-1":
			rs := make([]rune, len(s))
			for i, c := range s {
				rs[i] = rune(c)
			}
			return starlark.String(string(rs)), true, nil
		case "ascii", "utf-8", "utf8":
			return starlark.String(strings.ToValidUTF8(string(s), "\uFFFD")), true, nil
		}
		return nil, true, fmt.Errorf("bytes.decode: unknown encoding %q (utf-8, ascii, latin-1)", enc)
	case "hex":
		return starlark.String(hex.EncodeToString(s)), true, nil
	case "startswith", "endswith", "find", "count", "index":
		x, err := one()
		if err != nil {
			return nil, true, err
		}
		switch name {
		case "startswith":
			return starlark.Bool(bytes.HasPrefix(s, x)), true, nil
		case "endswith":
			return starlark.Bool(bytes.HasSuffix(s, x)), true, nil
		case "count":
			return starlark.MakeInt(bytes.Count(s, x)), true, nil
		}
		i := bytes.Index(s, x)
		if i < 0 && name == "index" {
			return nil, true, fmt.Errorf("bytes.index: subsection not found")
		}
		return starlark.MakeInt(i), true, nil
	case "split":
		var parts [][]byte
		if len(args) == 0 {
			parts = bytes.Fields(s)
		} else {
			x, err := one()
			if err != nil {
				return nil, true, err
			}
			if len(x) == 0 {
				return nil, true, fmt.Errorf("bytes.split: empty separator")
			}
			parts = bytes.Split(s, x)
		}
		out := make([]starlark.Value, len(parts))
		for i, p := range parts {
			out[i] = starlark.Bytes(p)
		}
		return starlark.NewList(out), true, nil
	case "strip":
		return starlark.Bytes(bytes.TrimSpace(s)), true, nil
	case "upper":
		return starlark.Bytes(bytes.ToUpper(s)), true, nil
	case "lower":
		return starlark.Bytes(bytes.ToLower(s)), true, nil
	case "replace":
		if len(args) != 2 {
			return nil, true, fmt.Errorf("bytes.replace takes two arguments")
		}
		old, err := bytesArg("bytes.replace", args[0])
		if err != nil {
			return nil, true, err
		}
		nw, err := bytesArg("bytes.replace", args[1])
		if err != nil {
			return nil, true, err
		}
		return starlark.Bytes(bytes.ReplaceAll(s, old, nw)), true, nil
	}
	return nil, false, nil
}

// base64Module is base64: callable as before (base64(p) is the text of a
// packet's or bytes' base64) and a module with Python's functions.
type base64Module struct{ fn *starlark.Builtin }

// String returns "<module base64>".
func (m *base64Module) String() string { return "<module base64>" }

// Type returns "module".
func (m *base64Module) Type() string { return "module" }

// Freeze does nothing.
func (m *base64Module) Freeze() {}

// Truth is true.
func (m *base64Module) Truth() starlark.Bool { return true }

// Hash fails.
func (m *base64Module) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable: module") }

// Name returns "base64".
func (m *base64Module) Name() string { return "base64" }

// CallInternal calls base64(x).
func (m *base64Module) CallInternal(th *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return starlark.Call(th, m.fn, args, kwargs)
}

// Attr returns the module's functions.
func (m *base64Module) Attr(name string) (starlark.Value, error) {
	switch name {
	case "b64decode", "standard_b64decode", "decodebytes":
		return starlark.NewBuiltin("base64."+name, builtinB64decode), nil
	case "b64encode", "standard_b64encode", "encodebytes":
		return starlark.NewBuiltin("base64."+name, builtinB64encode), nil
	case "urlsafe_b64decode":
		return starlark.NewBuiltin("base64."+name, urlsafeDecode), nil
	case "urlsafe_b64encode":
		return starlark.NewBuiltin("base64."+name, urlsafeEncode), nil
	}
	return nil, nil
}

// AttrNames lists the module's functions.
func (m *base64Module) AttrNames() []string {
	return []string{"b64decode", "b64encode", "decodebytes", "encodebytes", "standard_b64decode", "standard_b64encode", "urlsafe_b64decode", "urlsafe_b64encode"}
}

func b64Arg(fn string, args starlark.Tuple, kwargs []starlark.Tuple) ([]byte, error) {
	var x starlark.Value
	if err := starlark.UnpackPositionalArgs(fn, args, kwargs, 1, &x); err != nil {
		return nil, err
	}
	if s, ok := x.(starlark.String); ok {
		return []byte(string(s)), nil
	}
	return bytesArg(fn, x)
}

func b64decode(enc *base64.Encoding, fn string, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	in, err := b64Arg(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, string(in))
	out, err := enc.DecodeString(clean)
	if err != nil {
		if out, err2 := enc.WithPadding(base64.NoPadding).DecodeString(strings.TrimRight(clean, "=")); err2 == nil {
			return starlark.Bytes(out), nil
		}
		return nil, fmt.Errorf("%s: %v", fn, err)
	}
	return starlark.Bytes(out), nil
}

func builtinB64decode(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return b64decode(base64.StdEncoding, b.Name(), args, kwargs)
}

func urlsafeDecode(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return b64decode(base64.URLEncoding, b.Name(), args, kwargs)
}

func builtinB64encode(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	in, err := b64Arg(b.Name(), args, kwargs)
	if err != nil {
		return nil, err
	}
	return starlark.Bytes(base64.StdEncoding.EncodeToString(in)), nil
}

func urlsafeEncode(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	in, err := b64Arg(b.Name(), args, kwargs)
	if err != nil {
		return nil, err
	}
	return starlark.Bytes(base64.URLEncoding.EncodeToString(in)), nil
}

// builtinIndex is __idx__(x): x, or for bytes a view whose elements are
// ints (Python's b[i]).
func builtinIndex(_ *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("%s: internal error", indexName)
	}
	if b, ok := args[0].(starlark.Bytes); ok {
		return intBytes(b), nil
	}
	return args[0], nil
}

// intBytes is bytes being indexed: b[i] is an int, b[i:j] bytes.
type intBytes string

// String shows the bytes.
func (b intBytes) String() string { return starlark.Bytes(b).String() }

// Type returns "bytes".
func (b intBytes) Type() string { return "bytes" }

// Freeze does nothing: bytes are immutable.
func (b intBytes) Freeze() {}

// Truth is whether there are bytes.
func (b intBytes) Truth() starlark.Bool { return len(b) > 0 }

// Hash hashes the bytes.
func (b intBytes) Hash() (uint32, error) { return starlark.Bytes(b).Hash() }

// Len returns the number of bytes.
func (b intBytes) Len() int { return len(b) }

// Index returns the i-th byte as an int.
func (b intBytes) Index(i int) starlark.Value { return starlark.MakeInt(int(b[i])) }

// builtinSum is Python's sum(iterable, start=0).
func builtinSum(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var it starlark.Iterable
	var acc starlark.Value = starlark.MakeInt(0)
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "iterable", &it, "start?", &acc); err != nil {
		return nil, err
	}
	iter := it.Iterate()
	defer iter.Done()
	var v starlark.Value
	for iter.Next(&v) {
		var err error
		if acc, err = starlark.Binary(syntax.PLUS, acc, v); err != nil {
			return nil, fmt.Errorf("sum: %v", err)
		}
	}
	return acc, nil
}

// builtinMap is Python's map(f, iterable): a list here.
func builtinMap(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fn starlark.Callable
	var it starlark.Iterable
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 2, &fn, &it); err != nil {
		return nil, err
	}
	var out []starlark.Value
	iter := it.Iterate()
	defer iter.Done()
	var v starlark.Value
	for iter.Next(&v) {
		r, err := starlark.Call(th, fn, starlark.Tuple{v}, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return starlark.NewList(out), nil
}

// builtinFilter is Python's filter(f, iterable) (f None keeps true
// values): a list, or a packet list for a packet list.
func builtinFilter(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fn starlark.Value
	var it starlark.Iterable
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 2, &fn, &it); err != nil {
		return nil, err
	}
	if l, ok := it.(*PacketList); ok {
		return l.filter(th, fn)
	}
	var out []starlark.Value
	iter := it.Iterate()
	defer iter.Done()
	var v starlark.Value
	for iter.Next(&v) {
		keep := v.Truth()
		if fn != starlark.None {
			r, err := starlark.Call(th, fn, starlark.Tuple{v}, nil)
			if err != nil {
				return nil, err
			}
			keep = r.Truth()
		}
		if keep {
			out = append(out, v)
		}
	}
	return starlark.NewList(out), nil
}

// builtinDivmod is Python's divmod(a, b).
func builtinDivmod(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x, y starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 2, &x, &y); err != nil {
		return nil, err
	}
	q, err := starlark.Binary(syntax.SLASHSLASH, x, y)
	if err != nil {
		return nil, err
	}
	r, err := starlark.Binary(syntax.PERCENT, x, y)
	if err != nil {
		return nil, err
	}
	return starlark.Tuple{q, r}, nil
}

// pyFloat formats a float as Python's repr does: the shortest digits that
// read back the same, positional from 1e-4 up to 1e16 (1795359447.135513,
// 3.0), with an exponent outside (1e+16, 1.5e-05). Starlark writes an
// exponent from 1e6 on (1.795359447135513e+09), which hides packet times.
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// pyRepr is v.String() with floats, also inside lists, tuples and dicts,
// written as Python writes them (pyFloat).
func pyRepr(v starlark.Value) string {
	var sb strings.Builder
	writeRepr(&sb, v, 0)
	return sb.String()
}

func writeRepr(sb *strings.Builder, v starlark.Value, depth int) {
	if depth > 32 {
		sb.WriteString(v.String())
		return
	}
	seq := func(open, close string, it starlark.Iterable, n int) {
		sb.WriteString(open)
		iter := it.Iterate()
		defer iter.Done()
		var x starlark.Value
		for i := 0; iter.Next(&x); i++ {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeRepr(sb, x, depth+1)
		}
		if n == 1 && open == "(" {
			sb.WriteString(",")
		}
		sb.WriteString(close)
	}
	switch x := v.(type) {
	case starlark.Float:
		sb.WriteString(pyFloat(float64(x)))
	case *starlark.List:
		seq("[", "]", x, x.Len())
	case starlark.Tuple:
		seq("(", ")", x, x.Len())
	case *starlark.Dict:
		sb.WriteString("{")
		for i, kv := range x.Items() {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeRepr(sb, kv[0], depth+1)
			sb.WriteString(": ")
			writeRepr(sb, kv[1], depth+1)
		}
		sb.WriteString("}")
	default:
		sb.WriteString(v.String())
	}
}

// builtinStr is str() with Python's float digits (pyRepr).
func builtinStr(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) == 1 && len(kwargs) == 0 {
		switch args[0].(type) {
		case starlark.Float, *starlark.List, starlark.Tuple, *starlark.Dict:
			return starlark.String(pyRepr(args[0])), nil
		}
	}
	return starlark.Call(th, starlark.Universe["str"], args, kwargs)
}
