package craft

import (
	"strings"

	"pktkit/packet"
)

// convertList turns a list field's value into element specs. Elements come
// as packets (DNSQR(...), IPOption_NOP(), a chain DNSQR()/DNSQR()), as
// Scapy's option tuples (("MSS", 1460), ("message-type", "discover")), as
// option names ("NOP", "end"), or, for lists of one-field elements
// (addresses, parameter codes), as plain values.
func convertList(p *packet.Protocol, f *packet.Field, v any) ([]*packet.Spec, error) {
	cls := className(p)
	var items []any
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		items = x
	case Tuple:
		if len(x) == 0 {
			return nil, nil
		}
		if _, isName := x[0].(string); isName {
			items = []any{x}
		} else {
			items = []any(x)
		}
	default:
		items = []any{v}
	}
	var out []*packet.Spec
	for _, it := range items {
		specs, err := convertElem(cls, f, it)
		if err != nil {
			return nil, err
		}
		out = append(out, specs...)
	}
	if (p.Name == "IP" || p.Name == "TCP") && f.Name == "options" {
		out = padOptions(f, out)
	}
	return out, nil
}

// elemFor returns the element table of list f with the given name.
func elemFor(f *packet.Field, name string) *packet.Protocol {
	for _, e := range f.Elems {
		if e.Name == name || ident(e.Name) == name {
			return e
		}
	}
	return nil
}

func elemNames(f *packet.Field) string {
	var ns []string
	seen := map[string]bool{}
	for _, e := range f.Elems {
		if !seen[e.Name] {
			seen[e.Name] = true
			ns = append(ns, e.Name)
		}
	}
	return strings.Join(ns, ", ")
}

func convertElem(cls string, f *packet.Field, it any) ([]*packet.Spec, error) {
	switch x := it.(type) {
	case *Packet:
		var out []*packet.Spec
		for _, l := range x.Layers {
			if elemFor(f, l.Proto.Name) == nil {
				return nil, errf(cls, f.Name, "%s cannot be an element here; valid elements: %s", className(l.Proto), elemNames(f))
			}
			out = append(out, cloneSpec(l.spec))
		}
		return out, nil
	case Tuple:
		if e := singleElem(f); e != nil {
			return valueElem(cls, f, e, []any(x))
		}
		if len(x) > 0 {
			if _, named := x[0].(string); named || isInt(x[0]) {
				return optionSpec(cls, f, x[0], x[1:])
			}
		}
	case string:
		if e := findOption(f, x); e != nil && singleElem(f) == nil {
			return optionSpec(cls, f, x, nil)
		}
	}
	if e := singleElem(f); e != nil {
		return valueElem(cls, f, e, []any{it})
	}
	return nil, errf(cls, f.Name, "%s is not a valid element; give %s", describe(it), elemHint(f))
}

func isInt(v any) bool { _, ok := toInt(v); return ok }

func elemHint(f *packet.Field) string {
	var opts []string
	for _, e := range f.Elems {
		if n := optionName(e); n != "" {
			opts = append(opts, n)
		}
	}
	s := "packets of " + elemNames(f)
	if len(opts) > 0 {
		s += ", or (name, value) tuples with names " + strings.Join(opts, ", ")
	}
	return s
}

// singleElem returns the element table of a list that holds one kind of
// element, or nil.
func singleElem(f *packet.Field) *packet.Protocol {
	var one *packet.Protocol
	for _, e := range f.Elems {
		if isFallback(e) {
			continue
		}
		if one != nil {
			return nil
		}
		one = e
	}
	return one
}

// isFallback reports whether an element table only holds bytes its list's
// chooser could not place (malformed or trailing).
func isFallback(e *packet.Protocol) bool {
	i := strings.LastIndexByte(e.Name, '_')
	if i < 0 {
		return false
	}
	switch e.Name[i+1:] {
	case "Malformed", "Rest", "rest", "cut", "Short":
		return true
	}
	return false
}

// valueFields returns an element's fields the user gives values for: all
// but automatic ones.
func valueFields(e *packet.Protocol, skipFirst bool) []*packet.Field {
	var out []*packet.Field
	for i, fl := range e.Fields {
		if (skipFirst && i == 0) || fl.Auto {
			continue
		}
		out = append(out, fl)
	}
	return out
}

// valueElem builds an element of e from values given positionally.
func valueElem(cls string, f *packet.Field, e *packet.Protocol, vals []any) ([]*packet.Spec, error) {
	fs := valueFields(e, false)
	if len(vals) > len(fs) {
		return nil, errf(cls, f.Name, "%d values for %s, which has %d fields", len(vals), e.Name, len(fs))
	}
	s := packet.NewSpec(e)
	for i, v := range vals {
		if err := setOne(s, fs[i], v); err != nil {
			return nil, err
		}
	}
	return []*packet.Spec{s}, nil
}

func setOne(s *packet.Spec, f *packet.Field, v any) error {
	vals, multi, err := convert(s.Proto, f, v)
	if err != nil {
		return err
	}
	if multi || len(vals) != 1 {
		return errf(className(s.Proto), f.Name, "a list element takes one value, not a set")
	}
	s.SetField(f, vals[0])
	return nil
}

// optionName is the name Scapy gives an option element: its kind's enum
// name (TCP's "MSS"), or the table name after its prefix
// ("DHCPOption_message-type" gives "message-type").
func optionName(e *packet.Protocol) string {
	if len(e.Fields) > 0 && e.Fields[0].Enum != nil {
		if n, ok := e.Fields[0].Enum[e.Fields[0].Default]; ok {
			return n
		}
	}
	if i := strings.IndexByte(e.Name, '_'); i >= 0 {
		n := e.Name[i+1:]
		switch n {
		case "Malformed", "Unknown", "generic", "Rest", "cut", "empty", "param", "rest", "Short":
			return ""
		}
		return n
	}
	return ""
}

func findOption(f *packet.Field, name string) *packet.Protocol {
	for _, e := range f.Elems {
		if optionName(e) == name {
			return e
		}
	}
	for _, e := range f.Elems {
		if strings.EqualFold(optionName(e), name) {
			return e
		}
	}
	return nil
}

// genericOption returns a list's catch-all element: a kind, an automatic
// length and raw data.
func genericOption(f *packet.Field) *packet.Protocol {
	for _, e := range f.Elems {
		fs := e.Fields
		if len(fs) == 3 && fs[0].IsInt() && fs[1].Auto && fs[2].Type == packet.Bytes {
			if optionName(e) == "" || strings.Contains(e.Name, "Unknown") || strings.Contains(e.Name, "generic") {
				return e
			}
		}
	}
	return nil
}

// optionSpec builds an option element from Scapy's (name, value...) tuple.
func optionSpec(cls string, f *packet.Field, name any, vals []any) ([]*packet.Spec, error) {
	var e *packet.Protocol
	var kind int64 = -1
	switch n := name.(type) {
	case string:
		e = findOption(f, n)
		if e == nil {
			return nil, errf(cls, f.Name, "unknown option %q; valid options: %s", n, optionNames(f))
		}
	default:
		kind, _ = toInt(n)
		for _, c := range f.Elems {
			if len(c.Fields) > 0 && c.Fields[0].IsInt() && int64(c.Fields[0].Default) == kind && optionName(c) != "" {
				e = c
				break
			}
		}
		if e == nil {
			e = genericOption(f)
		}
		if e == nil {
			return nil, errf(cls, f.Name, "unknown option %d; valid options: %s", kind, optionNames(f))
		}
	}
	s := packet.NewSpec(e)
	if kind >= 0 {
		if err := setOne(s, e.Fields[0], kind); err != nil {
			return nil, err
		}
	}
	fs := valueFields(e, true)
	if raw, ok := firstOf(vals).([]byte); ok && len(raw) > 0 && !(len(fs) == 1 && !fs[0].IsInt() && fs[0].Type != packet.List) {
		// Raw bytes for an option whose value is structured (Scapy's
		// (2, b"\x05\xb4")): the generic element with its kind.
		if g := genericOption(f); g != nil && len(e.Fields) > 0 {
			gs := packet.NewSpec(g)
			gs.SetField(g.Fields[0], packet.Value{U: e.Fields[0].Default})
			if kind >= 0 {
				gs.SetField(g.Fields[0], packet.Value{U: uint64(kind)})
			}
			gs.SetField(g.Fields[2], packet.Value{B: clone(raw)})
			return []*packet.Spec{gs}, nil
		}
	}
	if len(vals) == 1 {
		v := vals[0]
		if v == nil {
			return []*packet.Spec{s}, nil
		}
		if b, ok := v.([]byte); ok && len(b) == 0 && len(fs) == 0 {
			return []*packet.Spec{s}, nil
		}
		if len(fs) == 1 {
			if err := setElemValue(s, fs[0], v); err != nil {
				return nil, err
			}
			return []*packet.Spec{s}, nil
		}
		if t, ok := v.(Tuple); ok {
			vals = []any(t)
		} else if raw, ok := rawBytes(v); ok {
			// A value given as raw bytes for a structured option: the
			// generic element with this option's kind carries it.
			if g := genericOption(f); g != nil && len(e.Fields) > 0 {
				gs := packet.NewSpec(g)
				gs.SetField(g.Fields[0], packet.Value{U: e.Fields[0].Default})
				gs.SetField(g.Fields[2], packet.Value{B: raw})
				return []*packet.Spec{gs}, nil
			}
		}
	}
	if len(vals) > len(fs) {
		return nil, errf(cls, f.Name, "option %s takes %d values, have %d", optionName(e), len(fs), len(vals))
	}
	for i, v := range vals {
		if err := setElemValue(s, fs[i], v); err != nil {
			return nil, err
		}
	}
	return []*packet.Spec{s}, nil
}

func rawBytes(v any) ([]byte, bool) {
	switch x := v.(type) {
	case []byte:
		return x, true
	case string:
		return []byte(x), true
	}
	return nil, false
}

// setElemValue sets an option's value field; a list field takes a single
// value or a flat tuple grouped by its element's field count (SACK blocks).
func setElemValue(s *packet.Spec, f *packet.Field, v any) error {
	if f.Type == packet.List {
		switch x := v.(type) {
		case []any:
		case Tuple:
			if e := singleElem(f); e != nil {
				n := len(valueFields(e, false))
				if n > 1 && len(x)%n == 0 {
					var items []any
					for i := 0; i < len(x); i += n {
						items = append(items, Tuple(x[i:i+n]))
					}
					v = items
				} else {
					v = []any(x)
				}
			}
		default:
			v = []any{x}
		}
	}
	return setOne(s, f, v)
}

func optionNames(f *packet.Field) string {
	var ns []string
	for _, e := range f.Elems {
		if n := optionName(e); n != "" {
			ns = append(ns, n)
		}
	}
	return strings.Join(ns, ", ")
}

// padOptions pads IP and TCP options with zero bytes to a multiple of
// four, as Scapy does (an end-of-list element carrying the zeros).
func padOptions(f *packet.Field, opts []*packet.Spec) []*packet.Spec {
	if len(opts) == 0 {
		return opts
	}
	b, err := packet.Stack(opts).Build(nil)
	if err != nil || len(b)%4 == 0 {
		return opts
	}
	var eol *packet.Protocol
	for _, e := range f.Elems {
		if strings.HasSuffix(e.Name, "_EOL") {
			eol = e
		}
	}
	if eol == nil {
		return opts
	}
	// The type fields are zero, the last field holds the padding.
	s := packet.NewSpec(eol)
	for _, ef := range eol.Fields[:len(eol.Fields)-1] {
		s.SetField(ef, packet.Value{U: 0})
	}
	s.SetField(eol.Fields[len(eol.Fields)-1], packet.Value{B: make([]byte, 3-len(b)%4)})
	return append(opts, s)
}

func firstOf(vals []any) any {
	if len(vals) == 1 {
		return vals[0]
	}
	return nil
}
