package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"pktkit/capture"
	"pktkit/internal/progress"
	"pktkit/packet"
)

// convertCaptures are pcap and pcapng captures, with several interfaces and
// link types among them, and one with several batches of packets.
func convertCaptures(t *testing.T) []string {
	return withCorpus([]string{sample, "../../testdata/sample.pcapng"},
		"pcapplusplus/Tests/Pcap++Test/PcapExamples/many_interfaces-1.pcapng",
		"pcapplusplus/Tests/Packet++Test/PacketExamples/ldap.pcapng",
		"ndpi/tests/cfgs/default/pcap/telegram_videocall.pcapng",
		"zeek/testing/btest/Traces/ftp/cwd-navigation.pcap")
}

func convertWith(t *testing.T, in, format string, keep Keep, workers int) []byte {
	t.Helper()
	r, err := capture.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out bytes.Buffer
	if _, err := convertFiltered(r, &out, format, false, progress.New(""), keep, workers); err != nil {
		t.Fatalf("%s: %v", in, err)
	}
	return out.Bytes()
}

func readAll(t *testing.T, b []byte) []capture.Record {
	t.Helper()
	r, err := capture.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var recs []capture.Record
	for {
		rec, err := r.ReadRecord()
		if err == io.EOF {
			return recs
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
}

// TestConvertFilteredParallel: with a per-packet predicate, workers decide
// in parallel and the output keeps packet order. Keeping every packet
// gives the bytes of the plain copy; keeping every other packet gives
// exactly those records of the plain copy, in order.
func TestConvertFilteredParallel(t *testing.T) {
	all := func() func(*packet.Packet) bool { return func(*packet.Packet) bool { return true } }
	odd := func() func(*packet.Packet) bool { return func(p *packet.Packet) bool { return p.Number%2 == 1 } }
	for _, f := range convertCaptures(t) {
		for _, format := range []string{"pcapng", "pcap"} {
			if format == "pcap" && filepath.Ext(f) == ".pcapng" {
				continue // may hold several link types
			}
			plain := convertWith(t, f, format, nil, 1)
			for _, j := range []int{1, 2} {
				if got := convertWith(t, f, format, all, j); !bytes.Equal(got, plain) {
					t.Errorf("%s %s -j %d: keeping every packet differs from the plain copy", filepath.Base(f), format, j)
				}
				want := readAll(t, plain)
				got := readAll(t, convertWith(t, f, format, odd, j))
				if len(got) != (len(want)+1)/2 {
					t.Fatalf("%s %s -j %d: %d records kept of %d", filepath.Base(f), format, j, len(got), len(want))
				}
				for i := range got {
					w := want[2*i]
					if !bytes.Equal(got[i].Data, w.Data) || got[i].Timestamp != w.Timestamp || got[i].OrigLen != w.OrigLen || got[i].LinkType != w.LinkType {
						t.Fatalf("%s %s -j %d: kept record %d is not input record %d", filepath.Base(f), format, j, i+1, 2*i+1)
					}
				}
			}
		}
	}
}

// BenchmarkConvertFiltered copies the packets of a capture that have a TCP
// layer (a predicate that dissects every packet) with one and two
// workers; set PKTKIT_BENCH_FILE to a large capture (default: a corpus
// capture). One op is one pass over the file.
func BenchmarkConvertFiltered(b *testing.B) {
	path := os.Getenv("PKTKIT_BENCH_FILE")
	if path == "" {
		dir := os.Getenv("PKTKIT_CORPUS")
		if dir == "" {
			b.Skip("set PKTKIT_BENCH_FILE or PKTKIT_CORPUS")
		}
		path = filepath.Join(dir, "zeek/testing/btest/Traces/ftp/cwd-navigation.pcap")
	}
	tcp := packet.Lookup("TCP")
	keep := func() func(*packet.Packet) bool {
		return func(p *packet.Packet) bool { return p.Layer(tcp) != nil }
	}
	for _, j := range []int{1, 2} {
		b.Run("j"+string(rune('0'+j)), func(b *testing.B) {
			b.ReportAllocs()
			pkts := 0
			for i := 0; i < b.N; i++ {
				r, err := capture.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := convertFiltered(r, io.Discard, "pcapng", false, progress.New(""), keep, j); err != nil {
					b.Fatal(err)
				}
				pkts += countRecords(b, path)
				r.Close()
			}
			b.ReportMetric(float64(pkts)/b.Elapsed().Seconds(), "pkts/s")
		})
	}
}

func countRecords(b *testing.B, path string) int {
	b.StopTimer()
	defer b.StartTimer()
	r, err := capture.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	n := 0
	var rec capture.Record
	for r.Next(&rec) == nil {
		n++
	}
	return n
}
