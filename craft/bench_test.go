package craft

import (
	"testing"

	_ "pktkit/layers"
	"pktkit/packet"
)

// BenchmarkBuildEtherIPTCP builds Ether/IP/TCP with a 100-byte payload,
// every auto field computed (lengths, checksums, EtherType, protocol),
// into a reused buffer.
func BenchmarkBuildEtherIPTCP(b *testing.B) {
	bl := benchBuilder(b)
	buf := make([]byte, 0, 256)
	var err error
	b.ReportAllocs()
	b.SetBytes(154)
	for b.Loop() {
		buf, err = bl.Rebuild(buf[:0])
		if err != nil {
			b.Fatal(err)
		}
	}
	if len(buf) != 154 {
		b.Fatalf("built %d bytes", len(buf))
	}
}

// BenchmarkBuildSet builds the packets of a 65,536-packet set.
func BenchmarkBuildSet(b *testing.B) {
	p := Div(MustNew("IP", KV{"src", "192.0.2.1"}, KV{"dst", "10.0.0.0/16"}), MustNew("TCP"))
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		bl, err := p.Builder()
		if err != nil {
			b.Fatal(err)
		}
		for {
			var ok bool
			buf, ok, err = bl.Next(buf[:0])
			if err != nil {
				b.Fatal(err)
			}
			if !ok {
				break
			}
		}
	}
}

// BenchmarkEncodeEtherIPTCP is BenchmarkBuildEtherIPTCP without the
// builder's template: every field encoded from the specs for every packet.
func BenchmarkEncodeEtherIPTCP(b *testing.B) {
	bl := benchBuilder(b)
	var pb packet.Builder
	st := bl.Stack()
	buf := make([]byte, 0, 256)
	var err error
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = pb.Build(buf[:0], st); err != nil {
			b.Fatal(err)
		}
	}
}

// benchBuilder is the benchmarks' packet: Ether/IP/TCP with a 100-byte
// payload.
func benchBuilder(b *testing.B) *Builder {
	p := Div(Div(Div(
		MustNew("Ether", KV{"dst", "00:11:22:33:44:55"}, KV{"src", "66:77:88:99:aa:bb"}),
		MustNew("IP", KV{"src", "192.0.2.1"}, KV{"dst", "198.51.100.2"})),
		MustNew("TCP", KV{"sport", 1234}, KV{"dport", 80}, KV{"flags", "PA"})),
		Payload(make([]byte, 100)))
	bl, err := p.Builder()
	if err != nil {
		b.Fatal(err)
	}
	return bl
}
