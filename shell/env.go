// Package shell is pktkit's Scapy-like environment for scripts (`pktkit
// run`) and the interactive shell (`pktkit shell`): the crafting bindings
// of package craft/script plus Scapy's file functions (rdpcap, PcapReader,
// wrpcap, PcapWriter), packet lists, ls() and help(), and the Python habits
// Scapy scripts lean on (open, struct's pack/unpack, base64, print with
// end=, b"".join, bytes.decode, `with ... as`).
//
// Globals returns the one set of names both use; Exec runs a script.
package shell

import (
	"fmt"
	"io"
	"os"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"

	"pktkit/craft"
	"pktkit/craft/script"
	_ "pktkit/layers" // the protocol tables
)

// outKey is the thread-local key of the io.Writer print writes to.
const outKey = "pktkit.out"

// Out returns the writer a thread prints to (standard output by default).
func Out(th *starlark.Thread) io.Writer {
	if th != nil {
		if w, ok := th.Local(outKey).(io.Writer); ok {
			return w
		}
	}
	return os.Stdout
}

// NewThread returns a thread that prints to out: print(), show() and the
// other functions that print.
func NewThread(name string, out io.Writer) *starlark.Thread {
	th := &starlark.Thread{Name: name}
	th.SetLocal(outKey, out)
	th.Print = func(th *starlark.Thread, msg string) {
		io.WriteString(Out(th), msg+"\n")
	}
	return th
}

// Globals returns the environment's predeclared names: the crafting
// bindings (script.Predeclared), file functions, packet lists, Python
// habits, ls() and help(). The dict is fresh; callers may add to it.
func Globals() starlark.StringDict {
	g := script.Predeclared()
	add := func(name string, fn func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error)) {
		g[name] = starlark.NewBuiltin(name, fn)
	}
	add("print", builtinPrint)
	add("str", builtinStr)
	add("rdpcap", builtinRdpcap)
	add("PcapReader", builtinPcapReader)
	add("wrpcap", builtinWrpcap)
	add("PcapWriter", builtinPcapWriter)
	add("PacketList", builtinPacketList)
	add("open", builtinOpen)
	add("ls", builtinLs)
	add("help", builtinHelp)
	add("raw", builtinRaw)
	add("hexdump", builtinHexdump)
	add(methodCall, builtinMethod)
	add(withName, builtinWith)
	add(indexName, builtinIndex)
	add("sum", builtinSum)
	add("map", builtinMap)
	add("filter", builtinFilter)
	add("divmod", builtinDivmod)
	add("conn", builtinConn)
	add("follow", builtinFollow)
	add("tcp_timeline", builtinTCPTimeline)
	pack := starlark.NewBuiltin("pack", builtinPack)
	unpack := starlark.NewBuiltin("unpack", builtinUnpack)
	calcsize := starlark.NewBuiltin("calcsize", builtinCalcsize)
	g["pack"], g["unpack"], g["calcsize"] = pack, unpack, calcsize
	g["struct"] = &starlarkstruct.Module{Name: "struct", Members: starlark.StringDict{
		"pack": pack, "unpack": unpack, "calcsize": calcsize,
	}}
	g["base64"] = &base64Module{fn: g["base64"].(*starlark.Builtin)}
	g["b64decode"] = starlark.NewBuiltin("b64decode", builtinB64decode)
	g["b64encode"] = starlark.NewBuiltin("b64encode", builtinB64encode)
	return g
}

// FileOptions is the dialect: script.FileOptions (while loops, top-level
// control flow, global reassignment, recursion, sets).
var FileOptions = script.FileOptions

// builtinPrint is Python's print: values separated by sep, then end.
func builtinPrint(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	sep, end := " ", "\n"
	var file starlark.Value
	for _, kv := range kwargs {
		k := string(kv[0].(starlark.String))
		var s string
		switch k {
		case "sep", "end":
			if kv[1] == starlark.None {
				continue
			}
			str, ok := starlark.AsString(kv[1])
			if !ok {
				return nil, fmt.Errorf("print: %s must be a string, not %s", k, kv[1].Type())
			}
			s = str
		case "file":
			file = kv[1]
			continue
		case "flush":
			continue
		default:
			return nil, fmt.Errorf("print: unexpected keyword argument %s", k)
		}
		if k == "sep" {
			sep = s
		} else {
			end = s
		}
	}
	var sb strings.Builder
	for i, a := range args {
		if i > 0 {
			sb.WriteString(sep)
		}
		if s, ok := a.(starlark.String); ok {
			sb.WriteString(string(s))
		} else {
			sb.WriteString(pyRepr(a))
		}
	}
	sb.WriteString(end)
	if f, ok := file.(*fileValue); ok {
		return starlark.None, f.writeString(sb.String())
	}
	_, err := io.WriteString(Out(th), sb.String())
	return starlark.None, err
}

// builtinRaw is Scapy's raw(p): the packet's bytes.
func builtinRaw(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p *script.Packet
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &p); err != nil {
		return nil, err
	}
	raw, err := p.Bytes()
	if err != nil {
		return nil, err
	}
	return starlark.Bytes(raw), nil
}

// Run runs a script's source (Python habits rewritten, see Prepare)
// with the environment and argv, printing to out, then closes the files
// it left open. An evaluation error is a *starlark.EvalError (with its
// backtrace); a syntax error a syntax.Error; an unknown name a
// resolve.ErrorList.
func Run(filename string, src []byte, argv []string, out io.Writer) error {
	g := Globals()
	var av []starlark.Value
	for _, a := range argv {
		av = append(av, starlark.String(a))
	}
	g["argv"] = starlark.NewList(av)
	th := NewThread(filename, out)
	defer CloseAll(th)
	f, err := Parse(filename, string(src), 0)
	if err != nil {
		return err
	}
	prog, err := starlark.FileProgram(f, g.Has)
	if err != nil {
		return err
	}
	if _, err := prog.Init(th, g); err != nil {
		return err
	}
	return CloseAll(th)
}

// Parse parses source in the environment's dialect, with Python habits
// rewritten (see Prepare). mode is 0 for a file, syntax.RetainComments
// never; it is passed to syntax.
func Parse(filename, src string, mode syntax.Mode) (*syntax.File, error) {
	f, err := FileOptions.Parse(filename, Prepare(src), mode)
	if err != nil {
		return nil, err
	}
	rewriteMethods(f)
	return f, nil
}

// builtinHexdump is Scapy's hexdump(x, dump=False): prints the hexdump of a
// packet or bytes, or returns it as text with dump=True.
func builtinHexdump(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	var dump bool
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "x", &x, "dump?", &dump); err != nil {
		return nil, err
	}
	var raw []byte
	switch v := x.(type) {
	case starlark.String:
		raw = []byte(string(v))
	default:
		var err error
		if raw, err = bytesArg("hexdump", x); err != nil {
			return nil, err
		}
	}
	text := strings.TrimSuffix(craft.Hexdump(raw), "\n")
	if dump {
		return starlark.String(text), nil
	}
	_, err := io.WriteString(Out(th), text+"\n")
	return starlark.None, err
}
