package defrag

import (
	"bufio"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pktkit/capture"
	"pktkit/layers"
	"pktkit/packet"
	"pktkit/walk"
)

// fragmentCaptures lists the corpus captures holding IP fragments, from
// the precomputed tshark fields (ip.flags with MF, a fragment offset, or
// an IPv6 Fragment header right after the IPv6 header).
func fragmentCaptures(t *testing.T, dir string) []string {
	root := filepath.Join(dir, "_expected", "tshark-fields")
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".tsv") {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return nil
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<24)
		col := map[string]int{}
		if sc.Scan() {
			for i, h := range strings.Split(sc.Text(), "\t") {
				col[h] = i
			}
		}
		fl, fo, nx := col["ip.flags"], col["ip.frag_offset"], col["ipv6.nxt"]
		for sc.Scan() {
			c := strings.Split(sc.Text(), "\t")
			if len(c) <= max(fl, fo, nx) {
				continue
			}
			if strings.Contains(c[fl], "0x20") || strings.Trim(c[fo], "0,") != "" || strings.Contains(","+c[nx]+",", ",44,") {
				rel, _ := filepath.Rel(root, strings.TrimSuffix(p, ".tsv"))
				out = append(out, rel)
				break
			}
		}
		return nil
	})
	return out
}

// ourReassembled walks a capture and returns, per frame number, the hex
// of the data of the innermost datagram reassembled at that frame.
func ourReassembled(path string) (map[int]string, error) {
	d := New(Config{Timeout: -1})
	got := map[int]string{}
	var feed func(n int, p *packet.Packet, depth int)
	feed = func(n int, p *packet.Packet, depth int) {
		ls := p.Layers()
		for i := range ls {
			l := &ls[i]
			if i == 0 && depth > 0 || l.Quoted() || l.Proto != layers.IP && l.Proto != layers.IPv6 {
				continue
			}
			if r := d.Add(0, l.Data, p.Timestamp); r.Status == Complete {
				got[n] = hex.EncodeToString(r.Data[r.HdrLen:])
				if depth < 3 {
					first := layers.IP
					if r.Data[0]>>4 == 6 {
						first = layers.IPv6
					}
					feed(n, packet.NewFrom(append([]byte(nil), r.Data...), first), depth+1)
				}
				return
			}
		}
	}
	err := walk.File(path, walk.Options{}, func(p *packet.Packet, rec *capture.Record) error {
		feed(p.Number, p, 0)
		return nil
	})
	return got, err
}

// TestCorpusAgainstTshark reassembles the fragments of every corpus
// capture that has some and compares each reassembled datagram (frame and
// bytes) with tshark's, reporting the agreement.
func TestCorpusAgainstTshark(t *testing.T) {
	dir := os.Getenv("PKTKIT_CORPUS")
	if dir == "" {
		if os.Getenv("PKTKIT_REQUIRE_ORACLES") == "1" {
			t.Fatal("PKTKIT_CORPUS is not set")
		}
		t.Skip("PKTKIT_CORPUS is not set")
	}
	requireTshark(t)
	caps := fragmentCaptures(t, dir)
	if len(caps) < 10 {
		t.Fatalf("only %d captures with fragments found", len(caps))
	}
	total, agree, onlyOurs := 0, 0, 0
	for _, c := range caps {
		path := filepath.Join(dir, c)
		want := tsharkReassembled(t, path)
		got, _ := ourReassembled(path) // a damaged capture: compare what was read
		for n, w := range want {
			total++
			if got[n] == w {
				agree++
				continue
			}
			g := got[n]
			t.Logf("%s frame %d: ours %d bytes, tshark %d bytes", c, n, len(g)/2, len(w)/2)
		}
		for n := range got {
			if _, ok := want[n]; !ok {
				onlyOurs++
				t.Logf("%s frame %d: reassembled by us only (%d bytes)", c, n, len(got[n])/2)
			}
		}
	}
	t.Logf("%d captures with fragments: %d/%d datagrams reassembled by tshark agree; %d reassembled only by us",
		len(caps), agree, total, onlyOurs)
	if total == 0 || float64(agree) < 0.9*float64(total) {
		t.Errorf("agreement %d/%d is below 90%%", agree, total)
	}
}
