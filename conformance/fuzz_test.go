package conformance

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"pktkit/capture"
	"pktkit/extract"
	"pktkit/packet"
	"pktkit/walk"
)

// FuzzDissect feeds arbitrary bytes to every dissector: the first two bytes
// pick the link type, the rest is the frame. Whatever the bytes, indexing,
// summary, show, every registered field and rebuilding must not panic, and
// a frame that dissects without error must rebuild to its exact bytes.
func FuzzDissect(f *testing.F) {
	links := []uint32{1, 0, 108, 101, 12, 14, 113, 276, 228, 229}
	seed := func(link uint32, data []byte) {
		f.Add(append([]byte{byte(link >> 8), byte(link)}, data...))
	}
	seed(1, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 0, 0x45, 0, 0, 20, 0, 1, 0, 0, 64, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8})
	if dir := os.Getenv("PKTKIT_CORPUS"); dir != "" {
		// A few packets from captures of every supported link type.
		perLink := map[uint32]int{}
		for _, e := range readIndex(f, dir) {
			if !e.supported() || len(e.LinkTypes) != 1 || perLink[e.LinkTypes[0]] >= 8 {
				continue
			}
			perLink[e.LinkTypes[0]]++
			_ = walk.File(filepath.Join(dir, e.Path), walk.Options{Count: 4}, func(p *packet.Packet, rec *capture.Record) error {
				seed(uint32(rec.LinkType), append([]byte(nil), rec.Data...))
				return nil
			})
		}
	}
	cols, err := extract.Compile(packet.FieldNames())
	if err != nil {
		f.Fatal(err)
	}
	_ = links
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 2 {
			return
		}
		link := uint32(in[0])<<8 | uint32(in[1])
		data := in[2:]
		p := packet.New(data, link)
		_ = p.Summary()
		_ = p.ShowString()
		_ = cols.AppendRow(nil, p)
		_ = packet.Hexdump(data)
		if p.Malformed() {
			return
		}
		st, err := p.Specs()
		if err != nil {
			t.Fatalf("clean packet does not convert to specs: %v\n%s", err, p.Summary())
		}
		out, err := st.Build(nil)
		if err != nil {
			t.Fatalf("build: %v", err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("rebuild differs (%s)\n got %x\nwant %x", p.Summary(), out, data)
		}
	})
}
