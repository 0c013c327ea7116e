package conformance

import (
	"bytes"
	"path/filepath"
	"testing"

	"pktkit/capture"
	"pktkit/packet"
	"pktkit/walk"
)

// TestRebuildCorpus rebuilds every corpus packet that dissects without error
// from its field values, re-encoding every field through its protocol
// table, and requires the exact original bytes.
func TestRebuildCorpus(t *testing.T) {
	dir := corpusDir(t)
	var total, clean, rebuilt int
	fails := 0
	for _, e := range readIndex(t, dir) {
		_ = walk.File(filepath.Join(dir, e.Path), walk.Options{}, func(p *packet.Packet, rec *capture.Record) error {
			total++
			if p.Malformed() {
				return nil
			}
			clean++
			st, err := p.Specs()
			if err != nil {
				fails++
				if fails <= 20 {
					t.Errorf("%s packet %d: %v", e.Path, rec.Number, err)
				}
				return nil
			}
			out, err := st.Build(nil)
			if err != nil || !bytes.Equal(out, p.Data) {
				fails++
				if fails <= 20 {
					t.Errorf("%s packet %d (%s): rebuild differs (err %v)\n got %x\nwant %x", e.Path, rec.Number, p.Summary(), err, out, p.Data)
				}
				return nil
			}
			rebuilt++
			return nil
		})
	}
	t.Logf("%d packets, %d dissect without error, %d rebuilt byte-exactly, %d failed", total, clean, rebuilt, fails)
	if clean == 0 {
		t.Fatal("nothing rebuilt")
	}
}
