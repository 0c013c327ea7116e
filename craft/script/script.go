// Package script is the Scapy-syntax expression language of pktkit, on
// go.starlark.net: every Scapy class is a builtin constructor taking its
// fields as keyword arguments, packets stack with `/`, index by layer
// (p[TCP]), read and set fields as attributes (p.ttl, p.dport = 443) and
// turn into bytes with bytes(p).
//
// Predeclared returns the builtins; `pktkit craft` evaluates one
// expression with them, and an interactive shell can keep them in its
// globals across statements. Packet values are mutable even when
// Starlark freezes the module (Scapy's packets are), so a packet must not
// be shared between threads.
package script

import (
	"fmt"
	"math/big"

	"go.starlark.net/starlark"

	"pktkit/craft"
	"pktkit/packet"
)

// fromValue converts a field value to Starlark.
func fromValue(f *packet.Field, v packet.Value) starlark.Value {
	switch x := craft.ValueAny(f, v).(type) {
	case uint64:
		return starlark.MakeUint64(x)
	case int64:
		return starlark.MakeInt64(x)
	case string:
		return starlark.String(x)
	case []byte:
		return starlark.Bytes(x)
	case craft.RawVal:
		return starlark.Bytes(x)
	case []any:
		var l []starlark.Value
		for _, e := range x {
			if cp, ok := e.(*craft.Packet); ok {
				l = append(l, &Packet{P: cp})
			}
		}
		return starlark.NewList(l)
	}
	return starlark.None
}

// ToGo converts a Starlark value to the Go value craft's constructors
// take.
func ToGo(v starlark.Value) (any, error) {
	switch x := v.(type) {
	case starlark.NoneType:
		return nil, nil
	case starlark.Bool:
		return bool(x), nil
	case starlark.Int:
		if i, ok := x.Int64(); ok {
			return i, nil
		}
		if u, ok := x.Uint64(); ok {
			return u, nil
		}
		return new(big.Int).Set(x.BigInt()), nil
	case starlark.String:
		return string(x), nil
	case starlark.Bytes:
		return []byte(string(x)), nil
	case *starlark.List:
		out := make([]any, x.Len())
		for i := range out {
			e, err := ToGo(x.Index(i))
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case starlark.Tuple:
		out := make(craft.Tuple, len(x))
		for i := range x {
			e, err := ToGo(x[i])
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case *Packet:
		return x.Craft()
	case rawVal:
		return craft.RawVal(x), nil
	}
	return nil, fmt.Errorf("a %s cannot be a field value", v.Type())
}

// Class is a Scapy class as a Starlark builtin: calling it with keyword
// arguments makes a packet; with one bytes argument it dissects them.
type Class struct {
	C *craft.Class
}

// Name returns the class name.
func (c *Class) Name() string { return c.C.Name }

// String returns "<class Name>".
func (c *Class) String() string { return "<class " + c.C.Name + ">" }

// Type returns "class".
func (c *Class) Type() string { return "class" }

// Freeze does nothing.
func (c *Class) Freeze() {}

// Truth is true.
func (c *Class) Truth() starlark.Bool { return true }

// Hash hashes the name.
func (c *Class) Hash() (uint32, error) { return starlark.String(c.C.Name).Hash() }

// CallInternal builds a packet of the class.
func (c *Class) CallInternal(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) > 1 {
		return nil, fmt.Errorf("%s() takes keyword arguments (and at most one bytes argument to dissect)", c.C.Name)
	}
	if len(args) == 1 {
		var b []byte
		switch x := args[0].(type) {
		case starlark.Bytes:
			b = []byte(string(x))
		case starlark.String:
			b = []byte(string(x))
		default:
			return nil, fmt.Errorf("%s(): the positional argument is the bytes to dissect, not a %s", c.C.Name, args[0].Type())
		}
		p, err := craft.Import(c.C.Name, b)
		if err != nil {
			return nil, err
		}
		if len(p.Layers) == 0 && len(kwargs) > 0 {
			return nil, fmt.Errorf("%s(): no bytes to dissect, so no fields to set", c.C.Name)
		}
		for _, kv := range kwargs {
			v, err := ToGo(kv[1])
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %v", c.C.Name, kv[0].(starlark.String), err)
			}
			if err := p.Layers[0].Set(string(kv[0].(starlark.String)), v); err != nil {
				return nil, err
			}
		}
		return &Packet{P: p}, nil
	}
	kvs := make([]craft.KV, len(kwargs))
	for i, kv := range kwargs {
		name := string(kv[0].(starlark.String))
		v, err := ToGo(kv[1])
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %v", c.C.Name, name, err)
		}
		kvs[i] = craft.KV{Name: name, Value: v}
	}
	p, err := c.C.New(kvs...)
	if err != nil {
		return nil, err
	}
	return &Packet{P: p}, nil
}
