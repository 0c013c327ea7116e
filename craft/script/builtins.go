package script

import (
	"fmt"
	"pktkit/internal/suggest"
	"strings"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"pktkit/craft"
)

// Predeclared returns the language's builtins: a constructor per Scapy
// class, bytes()/raw() that also take packets, len() of a packet (its
// length in bytes), fuzz(pkt, seed=0, count=0) (one fuzzed packet, or a
// list of count of them with seeds seed, seed+1, ...), hexdump(), import_hexdump(), import_hex(),
// import_base64(), hex() and base64() of packets or bytes.
// The result is a fresh dict; callers may add to it.
func Predeclared() starlark.StringDict {
	d := starlark.StringDict{}
	for _, n := range craft.ClassNames() {
		d[n] = &Class{C: craft.LookupClass(n)}
	}
	d["RawVal"] = starlark.NewBuiltin("RawVal", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var x starlark.Value
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &x); err != nil {
			return nil, err
		}
		raw, err := toBytes(x)
		if err != nil {
			return nil, fmt.Errorf("RawVal: %v", err)
		}
		return rawVal(raw), nil
	})
	d["bytes"] = starlark.NewBuiltin("bytes", builtinBytes)
	d["raw"] = starlark.NewBuiltin("raw", builtinBytes)
	d["len"] = starlark.NewBuiltin("len", builtinLen)
	d["fuzz"] = starlark.NewBuiltin("fuzz", builtinFuzz)
	d["hexdump"] = starlark.NewBuiltin("hexdump", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var x starlark.Value
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &x); err != nil {
			return nil, err
		}
		raw, err := toBytes(x)
		if err != nil {
			return nil, err
		}
		return starlark.String(craft.Hexdump(raw)), nil
	})
	d["hex"] = bytesFunc("hex", func(b []byte) starlark.Value { return starlark.String(craft.Hex(b)) })
	d["base64"] = bytesFunc("base64", func(b []byte) starlark.Value { return starlark.String(craft.Base64(b)) })
	d["import_hexdump"] = importFunc("import_hexdump", craft.ParseHexdump)
	d["import_hex"] = importFunc("import_hex", craft.ParseHex)
	d["import_base64"] = importFunc("import_base64", craft.ParseBase64)
	return d
}

func toBytes(x starlark.Value) ([]byte, error) {
	switch v := x.(type) {
	case *Packet:
		return v.Bytes()
	case starlark.Bytes:
		return []byte(string(v)), nil
	case starlark.String:
		return []byte(string(v)), nil
	}
	return nil, fmt.Errorf("want a packet or bytes, not %s", x.Type())
}

func bytesFunc(name string, fn func([]byte) starlark.Value) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var x starlark.Value
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &x); err != nil {
			return nil, err
		}
		if i, ok := x.(starlark.Int); ok && name == "hex" {
			return starlark.String(fmt.Sprintf("%#x", i.BigInt())), nil
		}
		raw, err := toBytes(x)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		return fn(raw), nil
	})
}

// importFunc makes import_hexdump(text) and friends: the bytes, or, with
// a class as second argument, the packet dissected from them.
func importFunc(name string, parse func(string) ([]byte, error)) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var text string
		var cls starlark.Value = starlark.None
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &text, &cls); err != nil {
			return nil, err
		}
		raw, err := parse(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		c, ok := cls.(*Class)
		if !ok {
			return starlark.Bytes(raw), nil
		}
		p, err := craft.Import(c.C.Name, raw)
		if err != nil {
			return nil, err
		}
		return &Packet{P: p}, nil
	})
}

func builtinBytes(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) == 1 && len(kwargs) == 0 {
		if p, ok := args[0].(*Packet); ok {
			raw, err := p.Bytes()
			if err != nil {
				return nil, err
			}
			return starlark.Bytes(raw), nil
		}
	}
	return starlark.Call(th, starlark.Universe["bytes"], args, kwargs)
}

func builtinLen(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) == 1 && len(kwargs) == 0 {
		if p, ok := args[0].(*Packet); ok {
			raw, err := p.Bytes()
			if err != nil {
				return nil, err
			}
			return starlark.MakeInt(len(raw)), nil
		}
	}
	return starlark.Call(th, starlark.Universe["len"], args, kwargs)
}

func builtinFuzz(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p *Packet
	seed, count := int64(0), 0
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "pkt", &p, "seed?", &seed, "count?", &count); err != nil {
		return nil, err
	}
	cp, err := p.Craft()
	if err != nil {
		return nil, err
	}
	if count == 0 {
		return &Packet{P: craft.Fuzz(cp, uint64(seed))}, nil
	}
	if count < 0 || count > 1<<20 {
		return nil, fmt.Errorf("fuzz: count %d out of range 1..%d", count, 1<<20)
	}
	// count packets, seeds seed, seed+1, ...
	out := make([]starlark.Value, count)
	for i := range out {
		out[i] = &Packet{P: craft.Fuzz(cp, uint64(seed)+uint64(i))}
	}
	return starlark.NewList(out), nil
}

// MaxSteps bounds the Starlark steps one Eval may take, so that no
// expression runs forever.
const MaxSteps = 10_000_000

// FileOptions are the Starlark dialect the language uses: sets, while
// loops, top-level control flow and global reassignment allowed.
var FileOptions = &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, GlobalReassign: true, Recursion: true}

// Eval evaluates one expression with the builtins and returns its packets:
// a packet (or packet set) or a list of them.
func Eval(expr string) ([]*craft.Packet, error) { return evalWith(Predeclared(), expr) }

func evalWith(pre starlark.StringDict, expr string) ([]*craft.Packet, error) {
	th := &starlark.Thread{Name: "craft", Print: func(_ *starlark.Thread, msg string) { fmt.Println(msg) }}
	th.SetMaxExecutionSteps(MaxSteps)
	v, err := starlark.EvalOptions(FileOptions, th, "<expr>", Rewrite(expr), pre)
	if el, ok := err.(resolve.ErrorList); ok && len(el) > 0 {
		return nil, undefinedError(el[0])
	}
	if err != nil {
		if ee, ok := err.(*starlark.EvalError); ok {
			return nil, fmt.Errorf("%s", ee.Msg)
		}
		return nil, err
	}
	return Packets(v)
}

// Packets returns the packets a value holds: a packet, or a list or tuple
// of packets.
func Packets(v starlark.Value) ([]*craft.Packet, error) {
	switch x := v.(type) {
	case *Packet:
		cp, err := x.Craft()
		if err != nil {
			return nil, err
		}
		return []*craft.Packet{cp}, nil
	case starlark.String:
		return []*craft.Packet{craft.Payload([]byte(string(x)))}, nil
	case starlark.Bytes:
		return []*craft.Packet{craft.Payload([]byte(string(x)))}, nil
	case starlark.Iterable:
		var out []*craft.Packet
		it := x.Iterate()
		defer it.Done()
		var e starlark.Value
		for it.Next(&e) {
			p, ok := e.(*Packet)
			if !ok {
				return nil, fmt.Errorf("the expression gives a list holding a %s, not packets", e.Type())
			}
			cp, err := p.Craft()
			if err != nil {
				return nil, err
			}
			out = append(out, cp)
		}
		return out, nil
	}
	return nil, fmt.Errorf("the expression gives a %s, not a packet", v.Type())
}

// rawVal is RawVal(b): bytes a field takes as they are.
type rawVal string

// String shows RawVal(b"...").
func (r rawVal) String() string { return "RawVal(" + starlark.Bytes(r).String() + ")" }

// Type is "RawVal".
func (r rawVal) Type() string { return "RawVal" }

// Freeze does nothing: a RawVal is immutable.
func (r rawVal) Freeze() {}

// Truth is whether it holds bytes.
func (r rawVal) Truth() starlark.Bool { return len(r) > 0 }

// Hash hashes the bytes.
func (r rawVal) Hash() (uint32, error) { return starlark.String(r).Hash() }

// undefinedError turns Starlark's "undefined: Foo" into an error naming
// the unknown class and listing the valid ones, closest first.
func undefinedError(e resolve.Error) error {
	name, ok := strings.CutPrefix(e.Msg, "undefined: ")
	if !ok {
		return fmt.Errorf("%s: %s", e.Pos, e.Msg)
	}
	names := craft.ClassNames()
	var close []string
	for _, n := range names {
		if strings.EqualFold(n, name) || suggest.Distance(strings.ToLower(n), strings.ToLower(name)) <= 2 ||
			(len(name) >= 3 && strings.Contains(strings.ToLower(n), strings.ToLower(name))) {
			close = append(close, n)
		}
	}
	msg := fmt.Sprintf("unknown class %s", name)
	if len(close) > 0 && len(close) <= 10 {
		msg += " (did you mean " + strings.Join(close, ", ") + "?)"
	}
	return fmt.Errorf("%s; valid classes: %s", msg, strings.Join(names, ", "))
}
