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
	"sort"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"pktkit/craft"
	"pktkit/packet"
)

// Packet is a packet (or packet set) as a Starlark value.
type Packet struct {
	P *craft.Packet
}

var (
	_ starlark.HasBinary   = (*Packet)(nil)
	_ starlark.HasSetField = (*Packet)(nil)
	_ starlark.Mapping     = (*Packet)(nil)
	_ starlark.Iterable    = (*Packet)(nil)
	_ starlark.Callable    = (*Class)(nil)
)

// String returns the packet as Scapy's repr does in spirit: its command.
func (p *Packet) String() string { return "<" + p.P.Command() + ">" }

// Type returns "Packet".
func (p *Packet) Type() string { return "Packet" }

// Freeze does nothing: packets stay mutable, as in Scapy.
func (p *Packet) Freeze() {}

// Truth is true.
func (p *Packet) Truth() starlark.Bool { return true }

// Hash fails: packets are mutable.
func (p *Packet) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: Packet") }

// Binary implements `/`: a packet over a packet, or over a string or bytes
// (a Raw payload).
func (p *Packet) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	if op != syntax.SLASH {
		return nil, nil
	}
	var other *craft.Packet
	switch v := y.(type) {
	case *Packet:
		other = v.P
	case starlark.String:
		other = craft.Payload([]byte(string(v)))
	case starlark.Bytes:
		other = craft.Payload([]byte(string(v)))
	default:
		return nil, nil
	}
	if side == starlark.Left {
		return &Packet{P: craft.Div(p.P, other)}, nil
	}
	return &Packet{P: craft.Div(other, p.P)}, nil
}

// Get implements p[Class], p["Class"] and p[i]: the packet from that layer
// on (sharing its layers, so setting fields on it changes p).
func (p *Packet) Get(k starlark.Value) (starlark.Value, bool, error) {
	idx := -1
	switch v := k.(type) {
	case *Class:
		idx = p.layerIndex(v.C.Name)
	case starlark.String:
		idx = p.layerIndex(string(v))
	case starlark.Int:
		i, ok := v.Int64()
		if !ok || i < 0 || int(i) >= len(p.P.Layers) {
			return nil, false, nil
		}
		idx = int(i)
	default:
		return nil, false, fmt.Errorf("packet index must be a class, a class name or an int, not %s", k.Type())
	}
	if idx < 0 {
		return nil, false, nil // p[X] fails with "key not found"; X in p is False
	}
	return &Packet{P: &craft.Packet{Layers: p.P.Layers[idx:]}}, true, nil
}

func (p *Packet) layerIndex(class string) int {
	for i, l := range p.P.Layers {
		if l.Proto.Name == class || craft.ClassOf(l.Proto) == class {
			return i
		}
	}
	return -1
}

// Iterate yields every packet of a packet set, in Scapy's order.
func (p *Packet) Iterate() starlark.Iterator {
	return &iter{ps: p.P.Expand()}
}

type iter struct {
	ps []*craft.Packet
	i  int
}

// Next yields the next packet of the set.
func (it *iter) Next(v *starlark.Value) bool {
	if it.i >= len(it.ps) {
		return false
	}
	*v = &Packet{P: it.ps[it.i]}
	it.i++
	return true
}

// Done releases nothing.
func (it *iter) Done() {}

var methods = map[string]func(p *Packet, thread *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error){
	"show": func(p *Packet, th *starlark.Thread, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		printOut(th, strings.TrimSuffix(p.P.Show(), "\n"))
		return starlark.None, nil
	},
	"show2": func(p *Packet, th *starlark.Thread, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		s, err := p.P.Show2()
		if err != nil {
			return nil, err
		}
		printOut(th, strings.TrimSuffix(s, "\n"))
		return starlark.None, nil
	},
	"command": func(p *Packet, _ *starlark.Thread, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		return starlark.String(p.P.Command()), nil
	},
	"summary": func(p *Packet, _ *starlark.Thread, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		s, err := p.P.Summary()
		return starlark.String(s), err
	},
	"hexdump": func(p *Packet, _ *starlark.Thread, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		b, err := p.P.Bytes()
		return starlark.String(strings.TrimSuffix(craft.Hexdump(b), "\n")), err
	},
	"hex": func(p *Packet, _ *starlark.Thread, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		b, err := p.P.Bytes()
		return starlark.String(craft.Hex(b)), err
	},
	"copy": func(p *Packet, _ *starlark.Thread, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		return &Packet{P: p.P.Clone()}, nil
	},
}

func printOut(th *starlark.Thread, s string) {
	if th != nil && th.Print != nil {
		th.Print(th, s)
		return
	}
	fmt.Println(s)
}

// Attr reads a field from the outermost layer that has it (None for an
// unset automatic field), a method, or `payload` / `name`.
func (p *Packet) Attr(name string) (starlark.Value, error) {
	if m, ok := methods[name]; ok {
		return starlark.NewBuiltin(name, func(th *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return m(p, th, args, kwargs)
		}), nil
	}
	switch name {
	case "payload":
		if len(p.P.Layers) < 2 {
			return starlark.None, nil
		}
		return &Packet{P: &craft.Packet{Layers: p.P.Layers[1:]}}, nil
	case "name":
		if len(p.P.Layers) == 0 {
			return starlark.String(""), nil
		}
		return starlark.String(craft.ClassOf(p.P.Layers[0].Proto)), nil
	}
	l := p.P.Find(name)
	if l == nil {
		return nil, nil
	}
	f := l.Proto.Field(name)
	if !l.IsSet(name) && f.Auto {
		return starlark.None, nil
	}
	v, _ := l.Value(name)
	return fromValue(f, v), nil
}

// AttrNames lists the fields of every layer and the methods.
func (p *Packet) AttrNames() []string {
	seen := map[string]bool{"payload": true, "name": true}
	for m := range methods {
		seen[m] = true
	}
	for _, l := range p.P.Layers {
		for _, f := range l.Proto.Fields {
			seen[f.Name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// SetField sets a field on the outermost layer that has it.
func (p *Packet) SetField(name string, v starlark.Value) error {
	gv, err := ToGo(v)
	if err != nil {
		return err
	}
	return p.P.Set(name, gv)
}

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
		return x.P, nil
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
