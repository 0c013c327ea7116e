package shell

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pktkit/craft"
)

func TestComplete(t *testing.T) {
	g := Globals()
	dir := t.TempDir()
	path := filepath.Join(dir, "c.pcap")
	writeCapture(t, path, 0, ether().Div(craft.IP()).Div(craft.TCP()))
	s, err := NewSession(&bytes.Buffer{}, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	g = s.Globals
	for _, tc := range []struct {
		line, want string
		has        []string
	}{
		{"rdp", "rdpcap", nil},
		{"PcapR", "PcapReader", nil},
		{"pkts[0][TCP].dp", "pkts[0][TCP].dport", nil},
		{"pkts[0][TCP].", "pkts[0][TCP].", []string{"sport", "dport", "seq", "ack", "dataofs", "reserved", "flags", "window", "chksum", "urgptr", "options", "show", "summary"}},
		{"IP(ds", "IP(dst=", nil},
		{"IP(dst=1, tt", "IP(dst=1, ttl=", nil},
		{"pkts.nsu", "pkts.nsummary", nil},
		{"rdpcap(x).su", "rdpcap(x).su", nil}, // no call is run to complete
	} {
		nl, _, list := Complete(g, tc.line, len(tc.line))
		if nl != tc.want {
			t.Errorf("Complete(%q) = %q, want %q (candidates %v)", tc.line, nl, tc.want, list)
		}
		for _, h := range tc.has {
			found := false
			for _, c := range list {
				found = found || c == h
			}
			if !found {
				t.Errorf("Complete(%q): %s not among %v", tc.line, h, list)
			}
		}
	}
}

func TestNeedMore(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		more  bool
	}{
		{[]string{"x = 1"}, false},
		{[]string{"x = (1,"}, true},
		{[]string{"x = (1,", "2)"}, false},
		{[]string{"for i in x:"}, true},
		{[]string{"for i in x:", "    print(i)"}, true},
		{[]string{"for i in x:", "    print(i)", ""}, false},
		{[]string{`s = """abc`}, true},
		{[]string{`s = "(" # (`}, false},
	} {
		if got := needMore(tc.lines); got != tc.more {
			t.Errorf("needMore(%q) = %v, want %v", tc.lines, got, tc.more)
		}
	}
}

func TestSessionPiped(t *testing.T) {
	s, err := NewSession(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	s.Out = &out
	in := "x = 2\nx * 21\n_ + 1\nfor i in range(2):\n    print(i)\nprint('after')\n1/0\nnosuch\nIP(dst=\"192.0.2.1\").dst\n"
	if n := s.RunPiped(strings.NewReader(in), &out, &errs); n != 2 {
		t.Errorf("%d failures, want 2; errors:\n%s", n, errs.String())
	}
	if want := "42\n43\n0\n1\nafter\n\"192.0.2.1\"\n"; out.String() != want {
		t.Errorf("output\n%s\nwant\n%s", out.String(), want)
	}
	if !strings.Contains(errs.String(), "division by zero") || !strings.Contains(errs.String(), "undefined: nosuch") {
		t.Errorf("errors:\n%s", errs.String())
	}
}

func TestHelpLsPlotWriter(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pcap")
	writeCapture(t, in, 1e18,
		ether().Div(craft.IP(kv("src", "192.0.2.1"), kv("dst", "192.0.2.2"))).Div(craft.UDP(kv("dport", 7))),
		ether().Div(craft.IP(kv("src", "192.0.2.1"), kv("dst", "192.0.2.2"))).Div(craft.UDP(kv("dport", 9))))
	svg := filepath.Join(dir, "p.svg")
	out := run(t, `
help()
ls(UDP)
pkts = rdpcap(argv[1])
path = pkts.plot(lambda p: p[UDP].dport, file=argv[2])
w = PcapWriter(argv[3])
for p in pkts:
    w.write(p)
w.close()
print(len(rdpcap(argv[3])), [p.dport for p in rdpcap(argv[3])])
`, in, svg, filepath.Join(dir, "out.pcap"))
	for _, want := range []string{"Starlark", "no classes", "rdpcap", "sport", "dport", "len", "chksum", svg + "\n", "2 [7, 9]"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// ls(UDP) lists the fields in wire order (RFC 768).
	lsOut := out[strings.Index(out, "there is no input()"):]
	i, j, k, l := strings.Index(lsOut, "sport"), strings.Index(lsOut, "dport"), strings.Index(lsOut, "len "), strings.Index(lsOut, "chksum")
	if !(i < j && j < k && k < l) {
		t.Errorf("ls(UDP) order wrong:\n%s", out)
	}
	b, err := os.ReadFile(svg)
	if err != nil || !bytes.HasPrefix(b, []byte("<svg")) || !bytes.Contains(b, []byte("<polyline")) {
		t.Errorf("plot file: %v\n%.200s", err, b)
	}
}

// FuzzInput feeds arbitrary input to what the shell does with a line:
// the continuation test, the rewriting and parsing, and completion.
func FuzzInput(f *testing.F) {
	for _, s := range []string{"x = (1,", "for i in x:", `with open("f") as g:`, "import struct", "b\"\".join(x)", "p[TCP].", "IP(ds", `s = """`, "x[1:2][0]", "a.b.c(", "[[[", "]]]"} {
		f.Add(s)
	}
	g := Globals()
	f.Fuzz(func(t *testing.T, line string) {
		needMore([]string{line})
		if f, err := Parse("<fuzz>", line, 0); err == nil && f == nil {
			t.Fatal("nil file without error")
		}
		if !strings.Contains(line, "(") {
			Complete(g, line, len(line))
		}
	})
}

func TestSessionFiles(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.pcap"), filepath.Join(dir, "b.pcapng")
	writeCapture(t, a, 0, ether().Div(craft.IP()).Div(craft.UDP()))
	writeCapture(t, b, 0, ether().Div(craft.IP()), ether().Div(craft.IP()))
	s, err := NewSession(nil, []string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	s.Out = &out
	s.RunPiped(strings.NewReader("[len(l) for l in pkts]\nlen(pkts0), len(pkts1)\n1e9 + 0.5\n"), &out, &errs)
	if out.String() != "[1, 2]\n(1, 2)\n1000000000.5\n" || errs.Len() > 0 {
		t.Errorf("got %q, errors %q", out.String(), errs.String())
	}
	if _, err := NewSession(nil, []string{filepath.Join(dir, "missing.pcap")}); err == nil {
		t.Error("no error for a missing file")
	}
}
