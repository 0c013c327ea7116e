package extract_test

import (
	"bytes"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pktkit/capture"
	"pktkit/extract"
	_ "pktkit/layers"
	"pktkit/packet"
)

// benchCapture loads a real capture into memory (or skips): the pcap named
// by PKTKIT_BENCH_PCAP if set (for instance a prefix of bench/out/big.pcap,
// a mix of the whole corpus), else one corpus capture repeated.
func benchCapture(b *testing.B) []byte {
	if path := os.Getenv("PKTKIT_BENCH_PCAP"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	dir := os.Getenv("PKTKIT_CORPUS")
	if dir == "" {
		b.Skip("PKTKIT_CORPUS is not set")
	}
	data, err := os.ReadFile(filepath.Join(dir, "arkime/tests/pcap/http-post-upload.pcap"))
	if err != nil {
		b.Skip(err)
	}
	// Repeat its packets into a larger in-memory capture so that one reader
	// serves many iterations.
	r, err := capture.NewReader(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	var recs []capture.Record
	for {
		rec, err := r.ReadRecord()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		recs = append(recs, rec)
	}
	var out bytes.Buffer
	w, err := capture.NewPcapWriter(&out, capture.LinkType(1), 262144, false)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 3000; i++ {
		for j := range recs {
			if err := w.WriteRecord(&recs[j]); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	return out.Bytes()
}

var benchFields = []string{"frame.number", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport"}

// BenchmarkStreamFields is the streaming path of `pktkit fields`: read a
// record without copying, index its layers, format seven fields. One op is
// one packet; it must not allocate.
func BenchmarkStreamFields(b *testing.B) {
	benchStream(b, (*extract.Columns).AppendRow)
}

// benchStream reads the benchmark capture record by record, without
// copying, and formats each packet with row.
func benchStream(b *testing.B, row func(c *extract.Columns, dst []byte, p *packet.Packet) []byte) {
	data := benchCapture(b)
	cols, err := extract.Compile(benchFields)
	if err != nil {
		b.Fatal(err)
	}
	src := bytes.NewReader(data)
	r, err := capture.NewReader(src)
	if err != nil {
		b.Fatal(err)
	}
	var rec capture.Record
	p := &packet.Packet{}
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := r.Next(&rec)
		if err == io.EOF {
			b.StopTimer()
			src.Reset(data)
			r, _ = capture.NewReader(src)
			b.StartTimer()
			err = r.Next(&rec)
		}
		if err != nil {
			b.Fatal(err)
		}
		p.SetFrame(rec.Data, uint32(rec.LinkType), rec.Number, rec.Timestamp, rec.OrigLen)
		buf = row(cols, buf[:0], p)
	}
}

// BenchmarkIndex measures building the layer index of one Ethernet/IPv4/TCP
// packet.
func BenchmarkIndex(b *testing.B) {
	data := benchCapture(b)
	r, _ := capture.NewReader(bytes.NewReader(data))
	rec, err := r.ReadRecord()
	if err != nil {
		b.Fatal(err)
	}
	p := &packet.Packet{}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.Reset(rec.Data, uint32(rec.LinkType))
		if len(p.Layers()) < 3 {
			b.Fatal("not dissected")
		}
	}
}

// TestStreamFieldsAllocs keeps the streaming path free of allocations.
func TestStreamFieldsAllocs(t *testing.T) {
	cols, err := extract.Compile(benchFields)
	if err != nil {
		t.Fatal(err)
	}
	pkt := synPacket
	p := &packet.Packet{}
	buf := make([]byte, 0, 4096)
	n := testing.AllocsPerRun(1000, func() {
		p.SetFrame(pkt, 1, 1, 0, len(pkt))
		buf = cols.AppendRow(buf[:0], p)
	})
	if n != 0 {
		t.Errorf("%.1f allocations per packet, want 0", n)
	}
	if got := string(cols.AppendRow(nil, p)); got != "1\t192.168.8.97\t192.168.57.14\t11371\t8080\t\t\n" {
		t.Errorf("row = %q", got)
	}
}

// BenchmarkAppendRow formats the seven benchmark fields of an indexed
// Ethernet/IPv4/TCP packet (the index is built once, outside the loop).
func BenchmarkAppendRow(b *testing.B) {
	pkt := synPacket
	cols, err := extract.Compile(benchFields)
	if err != nil {
		b.Fatal(err)
	}
	p := packet.New(pkt, 1)
	p.Layers()
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = cols.AppendRow(buf[:0], p)
	}
}

// TestNestedFieldsAllocs checks that fields found inside list elements (TCP
// options, DNS questions and answers) are extracted without allocating.
func TestNestedFieldsAllocs(t *testing.T) {
	cols, err := extract.Compile([]string{"tcp.options.mss_val", "tcp.options.wscale.shift", "dns.qry.name", "dns.qry.type", "dns.a", "dns.resp.ttl"})
	if err != nil {
		t.Fatal(err)
	}
	syn := synPacket
	// Ethernet/IPv4/UDP/DNS: a response for example.com, A 93.184.216.34.
	dns, err := hex.DecodeString("0000000000020000000000010800450000490001000040110000080808080a00000100359c40" +
		"00350000123481800001000100000000076578616d706c6503636f6d0000010001c00c000100010000012c00045db8d822")
	if err != nil {
		t.Fatal(err)
	}
	p := &packet.Packet{}
	buf := make([]byte, 0, 4096)
	for _, tc := range []struct {
		name string
		pkt  []byte
		want string
	}{
		{"tcp", syn, "1460\t1\t\t\t\t\n"},
		{"dns", dns, "\t\texample.com\t1\t93.184.216.34\t300\n"},
	} {
		n := testing.AllocsPerRun(1000, func() {
			p.SetFrame(tc.pkt, 1, 1, 0, len(tc.pkt))
			buf = cols.AppendRow(buf[:0], p)
		})
		if n != 0 {
			t.Errorf("%s: %.1f allocations per packet, want 0", tc.name, n)
		}
		if got := string(cols.AppendRow(nil, p)); got != tc.want {
			t.Errorf("%s: row = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// synPacket is an Ethernet/IPv4/TCP SYN with options (MSS 1460, window
// scale 1, SACK permitted).
var synPacket = []byte{0, 0x1c, 0x54, 0x38, 0x1a, 0x4b, 0xce, 0x62, 0x91, 0xee, 0x0b, 0x98, 8, 0,
	0x45, 0, 0, 0x34, 0x78, 0xeb, 0x40, 0, 0x40, 6, 0xff, 0x18, 192, 168, 8, 97, 192, 168, 57, 14,
	0x2c, 0x6b, 0x1f, 0x90, 7, 0xc0, 0xb6, 0x70, 0, 0, 0, 0, 0x80, 2, 0xff, 0xff, 0xa2, 0x2b, 0, 0,
	2, 4, 5, 0xb4, 1, 3, 3, 1, 1, 1, 4, 2}

// TestManyLayers checks rows of packets with few and with more than 64
// layers (802.1Q tags stacked N deep over IPv4/UDP): every tag's VLAN ID in
// order, and the IPv4 source only when the index got that far (it stops
// at 64 layers and keeps the rest as Raw).
func TestManyLayers(t *testing.T) {
	cols, err := extract.Compile([]string{"vlan.id", "ip.src", "udp.dstport"})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{10, 70} {
		pkt := []byte{0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1}
		var ids []string
		for i := 1; i <= n; i++ {
			pkt = append(pkt, 0x81, 0, byte(i>>8), byte(i))
			ids = append(ids, strconv.Itoa(i))
		}
		pkt = append(pkt, 8, 0, 0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
			0, 53, 0, 99, 0, 8, 0, 0)
		want := strings.Join(ids, ",") + "\t10.0.0.1\t99\n"
		if n > 63 {
			want = strings.Join(ids[:63], ",") + "\t\t\n"
		}
		p := packet.New(pkt, 1)
		if got := string(cols.AppendRow(nil, p)); got != want {
			t.Errorf("%d tags: row %q, want %q", n, got, want)
		}
	}
}

// TestSelectAndJSONAllocs keeps the occurrence-selecting, quoting and JSON
// paths free of allocations once their scratch buffers have grown, for
// fields of layers (fields inside list elements, such as TCP options, cost
// an element iterator, on the TSV path too).
func TestSelectAndJSONAllocs(t *testing.T) {
	pkt := synPacket
	cols, err := extract.Compile(append(benchFields, "tcp.flags", "tcp.flags.syn", "frame.time_epoch"))
	if err != nil {
		t.Fatal(err)
	}
	p := &packet.Packet{}
	buf := make([]byte, 0, 4096)
	for name, f := range map[string]func(){
		"first": func() { cols.Occurrence = 1; cols.Quote = 0; buf = cols.AppendRow(buf[:0], p) },
		"quote": func() { cols.Occurrence = 0; cols.Quote = '"'; buf = cols.AppendRow(buf[:0], p) },
		"json":  func() { cols.Occurrence = 0; cols.Quote = 0; buf = cols.AppendJSON(buf[:0], p) },
	} {
		n := testing.AllocsPerRun(1000, func() {
			p.SetFrame(pkt, 1, 1, 0, len(pkt))
			f()
		})
		if n != 0 {
			t.Errorf("%s: %.1f allocations per packet, want 0", name, n)
		}
	}
}

// BenchmarkStreamJSON is BenchmarkStreamFields writing NDJSON rows.
func BenchmarkStreamJSON(b *testing.B) {
	benchStream(b, (*extract.Columns).AppendJSON)
}
