package capture

import (
	"bytes"
	"io"
	"testing"
)

// benchFile returns an in-memory capture of n 64-byte packets.
func benchFile(pcapng bool, n int) []byte {
	var buf bytes.Buffer
	pkt := make([]byte, 64)
	for i := range pkt {
		pkt[i] = byte(i)
	}
	rec := Record{CapLen: 64, OrigLen: 64, Data: pkt}
	if pcapng {
		w, _ := NewPcapngWriter(&buf, PcapngOptions{UserAppl: "bench"})
		w.AddInterface(Interface{LinkType: LinkTypeEthernet, Name: "eth0"})
		for i := range n {
			rec.Timestamp = int64(i) * 1000
			w.WriteRecord(&rec)
		}
		w.Flush()
	} else {
		w, _ := NewPcapWriter(&buf, LinkTypeEthernet, 65535, false)
		for i := range n {
			rec.Timestamp = int64(i) * 1000
			w.WriteRecord(&rec)
		}
		w.Flush()
	}
	return buf.Bytes()
}

func benchNext(b *testing.B, pcapng bool) {
	const n = 10000
	file := benchFile(pcapng, n)
	b.ReportAllocs()
	b.SetBytes(int64(len(file) / n))
	br := bytes.NewReader(file)
	r, err := NewReader(br)
	if err != nil {
		b.Fatal(err)
	}
	var rec Record
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := r.Next(&rec)
		if err == io.EOF {
			// Start over without counting the set-up as packets.
			b.StopTimer()
			br.Reset(file)
			r, err = NewReader(br)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			err = r.Next(&rec)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNextPcap measures Next per packet over a pcap file of 10,000
// 64-byte packets (ns/op is per packet).
func BenchmarkNextPcap(b *testing.B) { benchNext(b, false) }

// BenchmarkNextPcapng measures Next per packet over a pcapng file of
// 10,000 64-byte packets (ns/op is per packet).
func BenchmarkNextPcapng(b *testing.B) { benchNext(b, true) }

// BenchmarkWritePcapng measures PcapngWriter.WriteRecord per packet.
func BenchmarkWritePcapng(b *testing.B) {
	w, _ := NewPcapngWriter(io.Discard, PcapngOptions{})
	w.AddInterface(Interface{LinkType: LinkTypeEthernet})
	rec := Record{Data: make([]byte, 64), OrigLen: 64, Flags: 1, HasFlags: true}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		rec.Timestamp = int64(i)
		if err := w.WriteRecord(&rec); err != nil {
			b.Fatal(err)
		}
	}
}
