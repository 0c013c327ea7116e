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
	return readAllReader(t, b).recs
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

// writeTestPcapng writes a pcapng file whose interfaces are given and
// whose records are written as they are (even longer than their
// interface's snapshot length, which the writer would cut).
func writeTestPcapng(t *testing.T, ifcs []capture.Interface, recs []capture.Record) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := capture.NewPcapngWriter(&buf, capture.PcapngOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ifc := range ifcs {
		if _, err := w.AddInterface(ifc); err != nil {
			t.Fatal(err)
		}
	}
	for i := range recs {
		b, err := capture.AppendEPB(nil, &recs[i], recs[i].Interface, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteEncoded(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "in.pcapng")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConvertFilteredFixups: what workers cannot know is settled in packet
// order by the writer: pcapng interfaces are numbered in order of first
// use (the unused one is left out), a packet longer than its interface's
// snapshot length is cut, and pcap output stops with an error, after the
// packets before it, at the first packet of another link type.
func TestConvertFilteredFixups(t *testing.T) {
	ifcs := []capture.Interface{
		{LinkType: capture.LinkType(1), Name: "unused", FCSLen: -1},
		{LinkType: capture.LinkType(1), SnapLen: 64, Name: "eth", FCSLen: -1},
		{LinkType: capture.LinkType(101), Name: "raw", FCSLen: -1},
	}
	var recs []capture.Record
	for i, ifc := range []int{1, 1, 2, 1, 2} {
		n := 60 + 20*i // the second packet on eth is longer than 64
		recs = append(recs, capture.Record{Timestamp: int64(i+1) * 1e9, Interface: ifc, Data: bytes.Repeat([]byte{byte(i)}, n), OrigLen: n})
	}
	in := writeTestPcapng(t, ifcs, recs)
	all := func() func(*packet.Packet) bool { return func(*packet.Packet) bool { return true } }
	for _, j := range []int{1, 2} {
		r, err := capture.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		got := readAllReader(t, convertWith(t, in, "pcapng", all, j))
		ifs := got.Interfaces()
		if len(ifs) != 2 || ifs[0].Name != "eth" || ifs[1].Name != "raw" {
			t.Fatalf("-j %d: interfaces %+v, want eth then raw", j, ifs)
		}
		recsOut := got.recs
		if len(recsOut) != len(recs) {
			t.Fatalf("-j %d: %d records, want %d", j, len(recsOut), len(recs))
		}
		for i, rec := range recsOut {
			wantIf, wantLen := 0, len(recs[i].Data)
			if recs[i].Interface == 2 {
				wantIf = 1
			} else {
				wantLen = min(wantLen, 64)
			}
			if rec.Interface != wantIf || len(rec.Data) != wantLen || rec.OrigLen != len(recs[i].Data) {
				t.Errorf("-j %d record %d: interface %d, %d bytes (orig %d), want %d, %d bytes (orig %d)",
					j, i+1, rec.Interface, len(rec.Data), rec.OrigLen, wantIf, wantLen, len(recs[i].Data))
			}
		}
		var out bytes.Buffer
		n, err := convertFiltered(r, &out, "pcap", false, progress.New(""), all, j)
		r.Close()
		if err == nil || n != 2 {
			t.Fatalf("-j %d pcap of two link types: %d written, err %v; want 2 and an error", j, n, err)
		}
		if k := len(readAll(t, out.Bytes())); k != 2 {
			t.Errorf("-j %d pcap of two link types: output holds %d records, want the 2 before the error", j, k)
		}
	}
}

// readRecords is a capture read whole: its interfaces and records.
type readRecords struct {
	*capture.Reader
	recs []capture.Record
}

func readAllReader(t *testing.T, b []byte) readRecords {
	t.Helper()
	r, err := capture.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out := readRecords{Reader: r}
	for {
		rec, err := r.ReadRecord()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out.recs = append(out.recs, rec)
	}
}
