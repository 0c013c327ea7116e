package defrag

import (
	"bytes"
	"encoding/hex"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pktkit/capture"
	"pktkit/internal/oracle"
	"pktkit/layers"
	"pktkit/packet"
)

func requireTshark(t testing.TB) { oracle.Require(t, "tshark") }

// tsharkReassembled runs tshark with IP reassembly on and returns, per
// frame number, the hex of the reassembled data (IPv4 or IPv6).
func tsharkReassembled(t *testing.T, path string) map[int]string {
	t.Helper()
	cmd := exec.Command("tshark", "-n", "-r", path, "-o", "ip.defragment:TRUE", "-o", "ipv6.defragment:TRUE",
		"-T", "fields", "-e", "frame.number", "-e", "ip.reassembled.data", "-e", "ipv6.reassembled.data")
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
			t.Fatalf("tshark on %s: %v", path, err)
		}
	}
	m := map[int]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 3 {
			continue
		}
		n, _ := strconv.Atoi(f[0])
		// With nesting, the innermost reassembly comes last.
		if v := f[2]; v != "" {
			m[n] = v[strings.LastIndexByte(v, ',')+1:]
		} else if v := f[1]; v != "" {
			m[n] = v[strings.LastIndexByte(v, ',')+1:]
		}
	}
	return m
}

func writePcap(t *testing.T, path string, link capture.LinkType, pkts [][]byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := capture.NewPcapWriter(f, link, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pkts {
		if err := w.WriteRecord(&capture.Record{Data: p, Timestamp: int64(i+1) * 1e6}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}

// randomDatagram returns the fragments of one datagram with random
// overlapping fragments of random bytes, holes filled by more fragments,
// and the only last fragment (MF clear) at the end.
func randomDatagram(rng *rand.Rand, id uint16) [][]byte {
	blocks := 2 + rng.Intn(10)
	total := blocks * 8
	type fr struct{ off, n int }
	var frs []fr
	for k := rng.Intn(6); k > 0; k-- {
		off := rng.Intn(blocks) * 8
		n := (1 + rng.Intn((total-off)/8)) * 8
		if off+n == total {
			n -= 8 // only the last fragment reaches the end
		}
		if n > 0 {
			frs = append(frs, fr{off, n})
		}
	}
	last := fr{total - 8*(1+rng.Intn(min(2, blocks-1))), 0} // never at 0: that would be no fragment
	last.n = total - last.off
	covered := make([]bool, blocks)
	for _, f := range append(frs, last) {
		for b := f.off / 8; b < (f.off+f.n)/8; b++ {
			covered[b] = true
		}
	}
	for b := 0; b < blocks; b++ {
		if !covered[b] {
			frs = append(frs, fr{b * 8, 8})
		}
	}
	rng.Shuffle(len(frs), func(i, j int) { frs[i], frs[j] = frs[j], frs[i] })
	var out [][]byte
	for _, f := range append(frs, last) {
		data := make([]byte, f.n)
		rng.Read(data)
		out = append(out, frag4(id, 17, f.off, f != last, data))
	}
	return out
}

// TestAgainstTshark compares reassembled datagrams with tshark's on the
// crafted overlap cases and on random overlapping fragments: the same
// frames complete a datagram, with the same bytes (LowestOffset policy).
func TestAgainstTshark(t *testing.T) {
	requireTshark(t)
	var pkts [][]byte
	for k, c := range overlapCases {
		for i := range c.frags {
			pkts = append(pkts, overlapFrag(uint16(100+k), c.frags, i))
		}
	}
	rng := rand.New(rand.NewSource(5))
	for id := uint16(1000); id < 1300; id++ {
		pkts = append(pkts, randomDatagram(rng, id)...)
	}
	// IPv6 fragments in and out of order, with a duplicate.
	data := seqBytes(48, 3)
	pkts = append(pkts, frag6(77, 17, 16, true, data[16:32]), frag6(77, 17, 32, false, data[32:]),
		frag6(77, 17, 16, true, data[16:32]), frag6(77, 17, 0, true, data[:16]))
	path := filepath.Join(t.TempDir(), "frags.pcap")
	writePcap(t, path, capture.LinkTypeRaw, pkts)
	want := tsharkReassembled(t, path)

	d := New(Config{})
	got := map[int]string{}
	for i, p := range pkts {
		if r := d.Add(0, p, 0); r.Status == Complete {
			got[i+1] = hex.EncodeToString(r.Data[r.HdrLen:])
			checkDissects(t, r.Data)
		}
	}
	if len(want) != len(overlapCases)+300+1 {
		t.Fatalf("tshark reassembled only %d datagrams", len(want))
	}
	for n, w := range want {
		if got[n] != w {
			t.Errorf("frame %d: got %q, tshark %q", n, got[n], w)
		}
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			t.Errorf("frame %d: we complete a datagram, tshark does not", n)
		}
	}
	t.Logf("%d datagrams agree with tshark (%d ours)", len(want), len(got))
}

// checkDissects makes sure the engine reads a reassembled datagram as one
// whole IP packet without complaint.
func checkDissects(t *testing.T, dgram []byte) {
	t.Helper()
	first := layers.IP
	if dgram[0]>>4 == 6 {
		first = layers.IPv6
	}
	p := packet.NewFrom(bytes.Clone(dgram), first)
	ls := p.Layers()
	if len(ls) < 2 || ls[0].Proto != first || ls[0].Partial() {
		t.Fatalf("reassembled datagram dissects as %d layers", len(ls))
	}
	if first == layers.IP {
		r, err := packet.LookupField("ip.flags.mf")
		if err != nil {
			t.Fatal(err)
		}
		var mf []uint64
		p.Occurrences(r, func(_ *packet.Layer, v packet.Value) bool { mf = append(mf, v.U); return true })
		if len(mf) != 1 || mf[0] != 0 {
			t.Fatalf("ip.flags.mf = %v", mf)
		}
	}
}
