package shell

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pktkit/capture"
	"pktkit/craft"
)

// writeCapture writes crafted packets (Ethernet) to a pcap file with
// time stamps 1 s apart from ts0 (ns).
func writeCapture(t testing.TB, path string, ts0 int64, pkts ...*craft.Packet) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := capture.NewPcapWriter(f, capture.LinkType(1), 0, true)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pkts {
		b, err := p.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		rec := capture.Record{Timestamp: ts0 + int64(i)*1e9, Data: b, CapLen: len(b), OrigLen: len(b)}
		if err := w.WriteRecord(&rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func kv(name string, v any) craft.KV { return craft.KV{Name: name, Value: v} }

func ether() *craft.Packet {
	return craft.Ether(kv("src", "02:00:00:00:00:01"), kv("dst", "02:00:00:00:00:02"))
}

// run runs src with argv and returns what it printed.
func run(t *testing.T, src string, argv ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := Run("test.star", []byte(src), append([]string{"test.star"}, argv...), &out); err != nil {
		t.Fatalf("%v\noutput so far:\n%s", err, out.String())
	}
	return out.String()
}

func TestFilesAndPackets(t *testing.T) {
	dir := t.TempDir()
	capPath := filepath.Join(dir, "in.pcap")
	writeCapture(t, capPath, 1_700_000_000_000_000_000,
		ether().Div(craft.IP(kv("src", "192.0.2.1"), kv("dst", "192.0.2.2"), kv("ttl", 64))).Div(craft.TCP(kv("sport", 1234), kv("dport", 80), kv("flags", "S"))),
		ether().Div(craft.IP(kv("src", "192.0.2.2"), kv("dst", "192.0.2.1"))).Div(craft.TCP(kv("sport", 80), kv("dport", 1234), kv("flags", "SA"))),
		ether().Div(craft.IP(kv("src", "192.0.2.1"), kv("dst", "192.0.2.9"))).Div(craft.UDP(kv("sport", 5000), kv("dport", 53))).Div(craft.Payload([]byte("hello"))),
	)
	out := run(t, `
pkts = rdpcap(argv[1])
print(len(pkts), TCP in pkts[0], UDP in pkts[0], pkts[2].haslayer(UDP))
p = pkts[0]
print(p[TCP].dport, p.sport, p[IP].src, p.time)
print(p.sprintf("%IP.src%:%TCP.sport% > %IP.dst%:%TCP.dport% %TCP.flags%"))
print([c.__str__() if False else str(c) for c in p.layers()])
print(pkts[2].load, raw(pkts[2])[-5:], len(pkts[2]))
n = 0
for q in PcapReader(argv[1]):
    if TCP in q:
        n += q[TCP].dport
print(n)
print(len(pkts.filter(lambda p: TCP in p)), len(pkts.filter("udp.dstport == 53")), len(pkts[1:]))
s = pkts.sessions()
print(sorted(s.keys()))
print(len(s["TCP 192.0.2.1:1234 > 192.0.2.2:80"]))
`, capPath)
	want := []string{
		"3 True False True",
		"80 1234 192.0.2.1 1700000000.0",
		"192.0.2.1:1234 > 192.0.2.2:80 S",
		`["<class Ether>", "<class IP>", "<class TCP>"]`,
		`b"hello" b"hello" 47`, // 14 + 20 + 8 + 5
		"1314",                 // 80 + 1234
		"2 1 2",
		`["TCP 192.0.2.1:1234 > 192.0.2.2:80", "UDP 192.0.2.1:5000 > 192.0.2.9:53"]`,
		"2",
	}
	got := strings.Split(strings.TrimSpace(out), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(got), len(want), out)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %q, want %q", i+1, got[i], want[i])
		}
	}
}

// TestRewriteDissected: a dissected packet changed recomputes the
// checksum it had right, keeps the lengths, and writes back to a file.
func TestRewriteDissected(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pcap"), filepath.Join(dir, "out.pcapng")
	p := ether().Div(craft.IP(kv("src", "192.0.2.1"), kv("dst", "192.0.2.2"), kv("ttl", 64))).Div(craft.UDP(kv("sport", 1), kv("dport", 2))).Div(craft.Payload([]byte("abc")))
	writeCapture(t, in, 1e18, p)
	// The expected bytes: the same packet crafted with ttl=1.
	want, err := ether().Div(craft.IP(kv("src", "192.0.2.1"), kv("dst", "192.0.2.2"), kv("ttl", 1))).Div(craft.UDP(kv("sport", 1), kv("dport", 2))).Div(craft.Payload([]byte("abc"))).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	run(t, `
pkts = rdpcap(argv[1])
p = pkts[0]
p[IP].ttl = 1
wrpcap(argv[2], pkts)
`, in, out)
	r, err := capture.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Format() != capture.FormatPcapng {
		t.Errorf("format %v, want pcapng for a .pcapng name", r.Format())
	}
	var rec capture.Record
	if err := r.Next(&rec); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rec.Data, want) {
		t.Errorf("rewritten packet\n got %x\nwant %x", rec.Data, want)
	}
	if rec.Timestamp != 1e18 {
		t.Errorf("time stamp %d, want 1e18", rec.Timestamp)
	}
}

func TestPythonHabits(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.bin")
	out := run(t, `
import struct
from scapy.all import *
with open(argv[1], "wb") as f:
    f.write(b"".join([b"ab", bytes([0, 255])]))
data = open(argv[1], "rb").read()
print(data, data[2], data[1:3], len(data))
print(struct.pack(">HI", 1, 2), unpack("<hB", b"\xfe\xff\x07"), calcsize("!4sH"))
print(base64.b64decode("aGk="), b64encode(b"hi"), chr(104) + chr(105), ord("h"), hex(255), int("ff", 16))
print(b"hi".decode(), "hi".encode(), b"hi".hex(), bytes.fromhex("6869"), int.from_bytes(b"\x01\x00", "big"))
for i, (a, b) in enumerate(zip([3, 1], "xy".elems())):
    print(i, a, b, end=";")
print(sorted([3, 1, 2]))
with open(argv[1] + ".txt", "w") as f:
    f.write("one\ntwo\n")
print([l.strip() for l in open(argv[1] + ".txt")], open(argv[1] + ".txt").readlines())
i = 0
while i < 3:
    i += 1
print(i)
`, path)
	want := `b"ab\x00\xff" 0 b"b\x00" 4
b"\x00\x01\x00\x00\x00\x02" (-2, 7) 6
b"hi" b"aGk=" hi 104 0xff 255
hi b"hi" 6869 b"hi" 256
0 3 x;1 1 y;[1, 2, 3]
["one", "two"] ["one\n", "two\n"]
3
`
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	// Python's struct module gives these bytes.
	if got := binary.BigEndian.AppendUint32([]byte{0, 1}, 2); !bytes.Contains([]byte(out), []byte("b\"\\x00\\x01\\x00\\x00\\x00\\x02\"")) || len(got) != 6 {
		t.Errorf("pack(>HI) mismatch")
	}
}

func TestErrorsHaveLines(t *testing.T) {
	var out bytes.Buffer
	err := Run("bad.star", []byte("x = 1\ny = x + None\n"), nil, &out)
	if err == nil || !strings.Contains(err.Error(), "unknown binary op") {
		t.Fatalf("err = %v", err)
	}
	type bt interface{ Backtrace() string }
	b, ok := err.(bt)
	if !ok || !strings.Contains(b.Backtrace(), "bad.star:2:") {
		t.Errorf("no file:line in the backtrace: %v", err)
	}
}

func TestStructFormats(t *testing.T) {
	for _, tc := range []struct {
		format string
		size   int
		ok     bool
	}{
		{">HI", 6, true}, {"<4sBx", 6, true}, {"!q?d", 17, true}, {"3", 0, false}, {"Z", 0, false}, {"@2h", 4, true},
	} {
		_, _, n, err := parseStruct(tc.format)
		if (err == nil) != tc.ok || (tc.ok && n != tc.size) {
			t.Errorf("parseStruct(%q) = %d, %v; want %d ok=%v", tc.format, n, err, tc.size, tc.ok)
		}
	}
}

func FuzzStruct(f *testing.F) {
	for _, s := range []string{">HI", "<4sBx", "!q?d", "@2h", "10s", "", "3", "999999999b"} {
		f.Add(s, []byte("\x01\x02\x03\x04\x05\x06\x07\x08"))
	}
	f.Fuzz(func(t *testing.T, format string, data []byte) {
		_, _, n, err := parseStruct(format)
		if err != nil {
			return
		}
		if n > maxStructSize {
			t.Fatalf("size %d over the bound", n)
		}
		if len(data) >= n {
			vals, err := unpack(format, data[:n])
			if err == nil {
				b, err := pack(format, vals)
				if err == nil && len(b) != n {
					t.Fatalf("pack(unpack) gave %d bytes, want %d", len(b), n)
				}
			}
		}
	})
}

// TestPythonFloats checks that print, str and the shell's echo write floats
// as Python's repr does (the expectations are CPython's), packet times
// included, where Starlark would switch to an exponent at 1e6.
func TestPythonFloats(t *testing.T) {
	got := run(t, `
p = Ether()/IP()
p.time = 1795359447.135513
print(p.time, 3.0, 1e16, 9999999999999998.0, 0.0001, 0.00001, -2.5e-7, 0.1 + 0.2, float("-inf"), -0.0, 123456789012345680.0)
print([p.time, (1.5,), {"k": 2.0}])
print(str(p.time) + "|" + str(7) + "|" + str("s"))
`)
	want := "1795359447.135513 3.0 1e+16 9999999999999998.0 0.0001 1e-05 -2.5e-07 0.30000000000000004 -inf -0.0 1.2345678901234568e+17\n" +
		"[1795359447.135513, (1.5,), {\"k\": 2.0}]\n" +
		"1795359447.135513|7|s\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
