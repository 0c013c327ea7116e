package script

import (
	"fmt"
	"strconv"
	"strings"

	"go.starlark.net/starlark"

	"pktkit/craft"
	"pktkit/packet"
)

// method is a packet method: p.name(args).
type method func(p *Packet, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

// methods are the packet methods, by name (Scapy's).
var methods map[string]method

// MethodNames lists the packet methods, for completion and help.
func MethodNames() []string {
	out := make([]string, 0, len(methods))
	for n := range methods {
		out = append(out, n)
	}
	return out
}

// printShow prints a packet's tree: a dissected frame's own (unchanged
// bytes rebuild the same, so show and show2 agree), else show's of the
// crafted packet.
func printShow(p *Packet, th *starlark.Thread, show func(*craft.Packet) (string, error)) error {
	if p.live() {
		printOut(th, strings.TrimSuffix(p.dissectView().ShowString(), "\n"))
		return nil
	}
	cp, err := p.Craft()
	if err != nil {
		return err
	}
	s, err := show(cp)
	if err != nil {
		return err
	}
	printOut(th, strings.TrimSuffix(s, "\n"))
	return nil
}

func init() {
	methods = map[string]method{
		"show": func(p *Packet, th *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			return starlark.None, printShow(p, th, func(cp *craft.Packet) (string, error) { return cp.Show(), nil })
		},
		"show2": func(p *Packet, th *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			return starlark.None, printShow(p, th, (*craft.Packet).Show2)
		},
		"command": func(p *Packet, _ *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			cp, err := p.Craft()
			if err != nil {
				return nil, err
			}
			return starlark.String(cp.Command()), nil
		},
		"summary": func(p *Packet, _ *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			return starlark.String(p.summary()), nil
		},
		"hexdump": func(p *Packet, _ *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			b, err := p.Bytes()
			return starlark.String(strings.TrimSuffix(craft.Hexdump(b), "\n")), err
		},
		"hex": func(p *Packet, _ *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			b, err := p.Bytes()
			return starlark.String(craft.Hex(b)), err
		},
		"copy": func(p *Packet, _ *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			return p.Copy()
		},
		"haslayer": func(p *Packet, _ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var cls starlark.Value
			if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &cls); err != nil {
				return nil, err
			}
			name, err := className(cls)
			if err != nil {
				return nil, err
			}
			return starlark.Bool(p.classIndex(name) >= 0), nil
		},
		"getlayer": func(p *Packet, _ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var cls starlark.Value
			nb := 1
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "cls", &cls, "nb?", &nb); err != nil {
				return nil, err
			}
			if i, ok := cls.(starlark.Int); ok {
				v, found, err := p.Get(i)
				if !found || err != nil {
					return starlark.None, err
				}
				return v, nil
			}
			name, err := className(cls)
			if err != nil {
				return nil, err
			}
			for i, c := range p.Classes() {
				if c == name {
					nb--
					if nb == 0 {
						return p.view(i), nil
					}
				}
			}
			return starlark.None, nil
		},
		"layers": func(p *Packet, _ *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			var out []starlark.Value
			for _, c := range p.Classes() {
				if cl := craft.LookupClass(c); cl != nil {
					out = append(out, &Class{C: cl})
				} else {
					out = append(out, starlark.String(c))
				}
			}
			return starlark.NewList(out), nil
		},
		"lastlayer": func(p *Packet, _ *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			n := p.numLayers()
			if n == 0 {
				return p, nil
			}
			return p.view(n - 1), nil
		},
		"sprintf": func(p *Packet, _ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var format string
			if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &format); err != nil {
				return nil, err
			}
			s, err := p.Sprintf(format)
			return starlark.String(s), err
		},
	}
}

// className reads a class argument: a class or its name.
func className(v starlark.Value) (string, error) {
	switch x := v.(type) {
	case *Class:
		return x.C.Name, nil
	case starlark.String:
		return string(x), nil
	}
	return "", fmt.Errorf("want a layer class, not %s", v.Type())
}

// Copy returns a deep copy of the packet (a dissected one stays
// dissected: its bytes are shared, they are never changed).
func (p *Packet) Copy() (*Packet, error) {
	if p.live() {
		f := *p.f
		f.dp = nil
		return &Packet{f: &f, off: p.off}, nil
	}
	cp, err := p.Craft()
	if err != nil {
		return nil, err
	}
	q := &Packet{P: cp.Clone()}
	if p.f != nil {
		q.f = &frame{ts: p.f.ts, hasTS: p.f.hasTS, link: p.f.link, origLen: p.f.origLen}
	}
	return q, nil
}

// dissectView returns a dissection whose first layer is the view's: the
// frame's own, or the view's bytes dissected again; for a crafted packet,
// its bytes as built, dissected.
func (p *Packet) dissectView() *packet.Packet {
	if p.live() && p.off == 0 {
		return p.f.dissection()
	}
	b, err := p.Bytes()
	if err != nil {
		return packet.NewFrom(nil, packet.Raw)
	}
	if p.live() {
		ls := p.layers()
		if len(ls) == 0 {
			return packet.NewFrom(nil, packet.Raw)
		}
		return packet.NewFrom(b, ls[0].Proto)
	}
	cp, _ := p.Craft()
	return cp.Dissect(b)
}

func printOut(th *starlark.Thread, s string) {
	if th != nil && th.Print != nil {
		th.Print(th, s)
		return
	}
	fmt.Println(s)
}

// Sprintf formats the packet as Scapy's sprintf does: "%IP.src%" is the
// field's value as show() prints it, "%TCP.dport%"..., "%field%" reads the
// outermost layer that has it, "%Class:2.field%" the second layer of the
// class, "%fmt,Class.field%" formats with a Python %-format ("%-15s,IP.src%",
// "%04x,TCP.sport%"; a trailing r in fmt uses the raw number rather than
// its name), "%%" is a percent sign. A field of a missing layer gives "??".
func (p *Packet) Sprintf(format string) (string, error) {
	dp := p.dissectView()
	var sb strings.Builder
	for i := 0; i < len(format); {
		c := format[i]
		if c != '%' {
			sb.WriteByte(c)
			i++
			continue
		}
		j := strings.IndexByte(format[i+1:], '%')
		if j < 0 {
			return "", fmt.Errorf("sprintf: unterminated %% directive at byte %d", i)
		}
		spec := format[i+1 : i+1+j]
		i += j + 2
		if spec == "" {
			sb.WriteByte('%')
			continue
		}
		s, err := sprintfOne(dp, spec)
		if err != nil {
			return "", err
		}
		sb.WriteString(s)
	}
	return sb.String(), nil
}

// sprintfOne formats one directive (without its percent signs).
func sprintfOne(dp *packet.Packet, spec string) (string, error) {
	var pyfmt string
	if k := strings.IndexByte(spec, ','); k >= 0 {
		pyfmt, spec = spec[:k], spec[k+1:]
	}
	raw := strings.HasSuffix(pyfmt, "r")
	pyfmt = strings.TrimSuffix(pyfmt, "r")
	cls, field, nb := "", spec, 1
	if k := strings.LastIndexByte(spec, '.'); k >= 0 {
		cls, field = spec[:k], spec[k+1:]
		if c := strings.IndexByte(cls, ':'); c >= 0 {
			n, err := strconv.Atoi(cls[c+1:])
			if err != nil || n < 1 {
				return "", fmt.Errorf("sprintf: bad layer number in %q", spec)
			}
			cls, nb = cls[:c], n
		}
	}
	if field == "" {
		return "", fmt.Errorf("sprintf: no field in %q", spec)
	}
	ls := dp.Layers()
	for i := range ls {
		l := &ls[i]
		if cls != "" && l.Proto.Name != cls && classOf(l.Proto) != cls {
			continue
		}
		f := l.Proto.Field(field)
		if f == nil {
			if cls != "" {
				return "", fmt.Errorf("sprintf: %s has no field %s", cls, field)
			}
			continue
		}
		if nb--; nb > 0 {
			continue
		}
		var text string
		var num any
		if f.Type == packet.List {
			text = fmt.Sprint(fromValue(f, packet.Value{}))
			if s, err := l.Spec(); err == nil {
				text = fromValue(f, s.Vals[f.Index()]).String()
			}
		} else {
			v, ok := l.Get(f)
			if !ok {
				return "??", nil
			}
			text = f.Show(l, v)
			if f.Flags != nil {
				// Scapy's flag letters, without the number.
				if k := strings.Index(text, " ("); k >= 0 {
					text = text[:k]
				}
			}
			if f.IsInt() {
				num = v.U
				if raw {
					text = strconv.FormatUint(v.U, 10)
				}
			}
		}
		if pyfmt == "" {
			return text, nil
		}
		return pyFormat(pyfmt, text, num)
	}
	return "??", nil
}

// MaxSprintfWidth bounds the width and precision of a Sprintf directive.
const MaxSprintfWidth = 1024

// pyFormat applies a Python %-format (without the %) to a field: its text
// for s, its number for d, i, x, X, o, c, f, e, g.
func pyFormat(pyfmt, text string, num any) (string, error) {
	if pyfmt == "" || strings.ContainsAny(pyfmt[:len(pyfmt)-1], "%*abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		return "", fmt.Errorf("sprintf: bad format %q", pyfmt)
	}
	flags := pyfmt[:len(pyfmt)-1]
	for _, r := range flags {
		if !strings.ContainsRune("-+ #0.123456789", r) {
			return "", fmt.Errorf("sprintf: bad format %q", pyfmt)
		}
	}
	if len(flags) > 8 {
		return "", fmt.Errorf("sprintf: format %q is too wide", pyfmt)
	}
	// Width and precision are bounded: a format is no way to ask for
	// megabytes of padding.
	for _, part := range strings.FieldsFunc(flags, func(r rune) bool { return r < '0' || r > '9' }) {
		if n, err := strconv.Atoi(part); err == nil && n > MaxSprintfWidth {
			return "", fmt.Errorf("sprintf: width or precision %d in %q is over %d", n, pyfmt, MaxSprintfWidth)
		}
	}
	verb := pyfmt[len(pyfmt)-1]
	switch verb {
	case 's':
		return fmt.Sprintf("%"+pyfmt, text), nil
	case 'd', 'i', 'x', 'X', 'o', 'c', 'f', 'e', 'g':
		n, ok := num.(uint64)
		if !ok {
			return "", fmt.Errorf("sprintf: %%%s needs a number field", pyfmt)
		}
		switch verb {
		case 'i':
			return fmt.Sprintf("%"+flags+"d", n), nil
		case 'f', 'e', 'g':
			return fmt.Sprintf("%"+pyfmt, float64(n)), nil
		}
		return fmt.Sprintf("%"+pyfmt, n), nil
	}
	return "", fmt.Errorf("sprintf: unknown format %q", pyfmt)
}
