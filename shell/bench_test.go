package shell

import (
	"io"
	"path/filepath"
	"testing"

	"go.starlark.net/starlark"

	"pktkit/craft"
)

// BenchmarkPcapReaderLoop times the loop over a crafted capture of
// TCP and UDP packets; ns/op is per packet.
func BenchmarkPcapReaderLoop(b *testing.B) {
	const n = 20000
	dir := b.TempDir()
	path := filepath.Join(dir, "bench.pcap")
	var pkts []*craft.Packet
	for i := 0; i < n; i++ {
		l4 := craft.TCP(kv("sport", 40000+i%1000), kv("dport", 80+i%7), kv("flags", "PA"))
		if i%4 == 3 {
			l4 = craft.UDP(kv("dport", 53))
		}
		pkts = append(pkts, ether().Div(craft.IP(kv("src", "192.0.2.1"), kv("dst", "192.0.2.2"))).Div(l4).Div(craft.Payload(make([]byte, 64))))
	}
	writeCapture(b, path, 1e18, pkts...)
	src := `
n = 0
for p in PcapReader(path):
    if TCP in p:
        n += p[TCP].dport
`
	g := Globals()
	g["path"] = starlark.String(path)
	f, err := Parse("bench.star", src, 0)
	if err != nil {
		b.Fatal(err)
	}
	prog, err := starlark.FileProgram(f, g.Has)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += n {
		th := NewThread("bench", io.Discard)
		out, err := prog.Init(th, g)
		if err != nil {
			b.Fatal(err)
		}
		CloseAll(th)
		if out["n"].(starlark.Int).Sign() <= 0 {
			b.Fatal("no TCP packets counted")
		}
	}
}
