package shell

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"go.starlark.net/starlark"

	"pktkit/craft"
	"pktkit/craft/script"
	"pktkit/packet"
)

// builtinLs is Scapy's ls(): every class without argument; a class's
// fields (name, type, default); a packet's fields with their values.
func builtinLs(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value = starlark.None
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0, &x); err != nil {
		return nil, err
	}
	w := Out(th)
	tw := tabwriter.NewWriter(w, 0, 8, 1, ' ', 0)
	defer tw.Flush()
	switch v := x.(type) {
	case starlark.NoneType:
		for _, n := range craft.ClassNames() {
			c := craft.LookupClass(n)
			fmt.Fprintf(tw, "%s\t: %s\n", n, c.Protos[0].Long)
		}
	case *script.Class:
		lsClass(tw, v.C.Protos[0])
	case starlark.String:
		c := craft.LookupClass(string(v))
		if c == nil {
			return nil, fmt.Errorf("ls: unknown class %s", v)
		}
		lsClass(tw, c.Protos[0])
	case *script.Packet:
		d := v.Dissection()
		ls := d.Layers()
		for i := range ls {
			l := &ls[i]
			if i > 0 {
				fmt.Fprintln(tw, "--")
			}
			for _, f := range l.Proto.Fields {
				val := ""
				if f.Type == packet.List {
					if fv, ok, _ := script.FieldOf(l, f); ok {
						val = fv.String()
					}
				} else if gv, ok := l.Get(f); ok {
					val = f.Show(l, gv)
				}
				fmt.Fprintf(tw, "%s\t: %s\t= %s (%s)\n", f.Name, f.TypeName(), val, f.DefaultString())
			}
		}
	default:
		return nil, fmt.Errorf("ls: want a class or a packet, not %s", x.Type())
	}
	return starlark.None, nil
}

func lsClass(tw *tabwriter.Writer, p *packet.Protocol) {
	for _, f := range p.Fields {
		fmt.Fprintf(tw, "%s\t: %s\t= (%s)\n", f.Name, f.TypeName(), f.DefaultString())
	}
}

// Differences says where the language differs from Python.
const Differences = `The language is Starlark, a dialect of Python. Differences that matter here:
  - no classes, no try/except, no generators/yield, no global/nonlocal
    statements, no chained comparisons (a < b < c), no ** on floats;
  - strings are not iterable: use s.elems() (or list(s.elems()));
  - integers are exact, / on integers gives a float, // is floor division;
  - a dict or list being iterated cannot be changed in the loop;
  - import lines are accepted and ignored (struct, base64 are always there);
    'with open(f) as x:' works and closes the file at the end of the block;
  - bytes have join, decode, hex, startswith, endswith, find, count, split,
    strip, replace; str has encode(); bytes.fromhex and int.from_bytes work;
  - while loops, top-level if/for, recursion and sets are enabled;
  - print(..., sep=, end=, file=) works; there is no input();
  - print, str() and the shell write floats as Python does (p.time is
    1795359447.135513); '%s' % x and str.format use Starlark's style
    (1.795359447135513e+09).`

// overview is help()'s text.
const overview = `pktkit shell: Scapy's names over pktkit's protocol tables.

Files     rdpcap(f, count=-1)  PcapReader(f)  wrpcap(f, pkts)  PcapWriter(f)
          (.pcapng names write pcapng; PcapReader streams in constant memory)
Crafting  IP(dst="192.0.2.1")/TCP(dport=80)   ls()  ls(TCP)  ls(pkt)
Packets   p[TCP]  TCP in p  p.haslayer(TCP)  p.getlayer(TCP)  p.layers()
          p.ttl  p[IP].ttl = 1 (lengths/checksums not set are recomputed)
          bytes(p) raw(p) len(p) p.time p.payload p.load  p.show() p.show2()
          p.summary() p.sprintf("%IP.src%:%TCP.dport%") p.command()
          hexdump(p) p.copy()
Lists     len(l) l[0] l[1:5] for p in l  l.filter(lambda p: TCP in p)
          l.filter("tcp.port == 80")  l.summary() l.nsummary() l.show()
          l.make_table(lambda p: (row, col, value))  l.sessions()
          l.conversations()  l.hexraw()  l.plot(lambda p: len(p))
Python    open() read/write/readlines, struct.pack/unpack, base64.b64decode,
          b"".join(...), chr, ord, hex, int(x, 16), sorted, enumerate, zip

help(x) describes a value; help("starlark") says how the language differs
from Python.`

// builtinHelp is help(): an overview, or a description of a value.
func builtinHelp(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value = starlark.None
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0, &x); err != nil {
		return nil, err
	}
	w := Out(th)
	io.WriteString(w, Help(x)+"\n")
	return starlark.None, nil
}

// Help returns help's text for a value.
func Help(x starlark.Value) string {
	switch v := x.(type) {
	case starlark.NoneType:
		return overview + "\n\n" + Differences
	case starlark.String:
		if s := string(v); s == "starlark" || s == "python" {
			return Differences
		}
		if c := craft.LookupClass(string(v)); c != nil {
			return classHelp(c)
		}
		return fmt.Sprintf("str: %q", string(v))
	case *script.Class:
		return classHelp(v.C)
	case *script.Packet:
		var sb strings.Builder
		fmt.Fprintf(&sb, "Packet %s\nlayers: %s\n", v.String(), strings.Join(v.Classes(), " / "))
		fmt.Fprintf(&sb, "fields of %s: %s\n", firstOr(v.Classes()), strings.Join(v.FieldNames(), ", "))
		ms := script.MethodNames()
		sort.Strings(ms)
		fmt.Fprintf(&sb, "methods: %s\nattributes: payload, name, time, wirelen; p[Class], Class in p", strings.Join(ms, ", "))
		return sb.String()
	case *PacketList:
		return fmt.Sprintf("%s\nmethods: %s\nlen(l), l[i], l[a:b], for p in l, l + l2", v.String(), strings.Join(ListMethodNames(), ", "))
	case *starlark.Builtin:
		if d, ok := builtinDocs[v.Name()]; ok {
			return v.Name() + d
		}
		return fmt.Sprintf("builtin %s", v.Name())
	case *starlark.Function:
		if d := v.Doc(); d != "" {
			return v.Name() + ": " + d
		}
		return fmt.Sprintf("function %s%s", v.Name(), params(v))
	}
	if ha, ok := x.(starlark.HasAttrs); ok {
		return fmt.Sprintf("%s %s\nattributes: %s", x.Type(), x.String(), strings.Join(ha.AttrNames(), ", "))
	}
	return fmt.Sprintf("%s %s", x.Type(), x.String())
}

func firstOr(s []string) string {
	if len(s) == 0 {
		return "?"
	}
	return s[0]
}

func params(f *starlark.Function) string {
	var ps []string
	for i := 0; i < f.NumParams(); i++ {
		n, _ := f.Param(i)
		ps = append(ps, n)
	}
	return "(" + strings.Join(ps, ", ") + ")"
}

func classHelp(c *craft.Class) string {
	p := c.Protos[0]
	var sb strings.Builder
	fmt.Fprintf(&sb, "class %s", c.Name)
	if p.Long != "" {
		fmt.Fprintf(&sb, ": %s", p.Long)
	}
	sb.WriteString("\nfields (name: type = default):\n")
	tw := tabwriter.NewWriter(&sb, 0, 8, 1, ' ', 0)
	lsClass(tw, p)
	tw.Flush()
	fmt.Fprintf(&sb, "%s(field=value, ...) crafts one; %s(bytes) dissects bytes.", c.Name, c.Name)
	return strings.TrimRight(sb.String(), "\n")
}

// builtinDocs describe the builtins for help(f).
var builtinDocs = map[string]string{
	"rdpcap":       "(filename, count=-1): the packets of a pcap or pcapng file as a packet list",
	"PcapReader":   "(filename): iterate the packets of a capture file one by one, in constant memory",
	"wrpcap":       "(filename, pkts, linktype=None, pcapng=None, nano=False): write packets (pcapng if the name ends in .pcapng)",
	"PcapWriter":   "(filename, linktype=None, pcapng=None, nano=False): a writer with write(pkts), flush(), close()",
	"PacketList":   "(pkts, name='PacketList'): a packet list",
	"open":         "(file, mode='r'): a file object (read, readline, readlines, write, close; iterate lines); 'b' in mode for bytes",
	"ls":           "(x=None): list classes, a class's fields, or a packet's fields with values",
	"help":         "(x=None): this help",
	"print":        "(*args, sep=' ', end='\\n', file=None): print values",
	"raw":          "(p): the packet's bytes",
	"bytes":        "(p): the packet's bytes; bytes(str) as in Starlark",
	"hexdump":      "(p, dump=False): print Scapy's hexdump of a packet or bytes (return it as text with dump=True)",
	"pack":         "(format, values...): struct.pack",
	"unpack":       "(format, data): struct.unpack, a tuple",
	"calcsize":     "(format): struct.calcsize",
	"b64decode":    "(s): base64.b64decode",
	"b64encode":    "(b): base64.b64encode",
	"fuzz":         "(pkt, seed=0, count=0): fuzzed packet(s)",
	"len":          "(x): length; of a packet, its length in bytes",
	"conn":         "(pkts, format='text'): the connections, with Zeek's conn.log fields, as `pktkit conn` prints them (text, tsv, json, zeek)",
	"follow":       "(pkts, stream, format='ascii', udp=False, side=-1): print a TCP (or UDP) stream reassembled, as tshark -z follow; returns (client bytes, server bytes)",
	"tcp_timeline": "(pkts, conn): print a TCP connection's timeline (conn: tcp.stream number or 'A:P,B:Q'), as `pktkit tcp`",
}
