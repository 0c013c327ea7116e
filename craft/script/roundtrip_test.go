package script

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pktkit/capture"
	"pktkit/craft"
	"pktkit/packet"
	"pktkit/walk"
)

// TestCorpusRoundTrip takes every corpus packet that dissects cleanly,
// turns it into a crafted packet with every field set from its dissected
// value, and requires its original bytes from building it, and again from
// evaluating its command() (the Scapy expression that recreates it).
func TestCorpusRoundTrip(t *testing.T) {
	dir := os.Getenv("PKTKIT_CORPUS")
	if dir == "" {
		if os.Getenv("PKTKIT_REQUIRE_ORACLES") == "1" {
			t.Fatal("PKTKIT_CORPUS is not set")
		}
		t.Skip("PKTKIT_CORPUS is not set")
	}
	f, err := os.Open(filepath.Join(dir, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var paths []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		path, _, _ := strings.Cut(sc.Text(), "\t")
		if path != "" && path != "path" {
			paths = append(paths, path)
		}
	}
	var clean, built, commanded, fails int
	report := func(format string, args ...any) {
		fails++
		if fails <= 20 {
			t.Errorf(format, args...)
		}
	}
	pre := Predeclared()
	for _, path := range paths {
		_ = walk.File(filepath.Join(dir, path), walk.Options{}, func(p *packet.Packet, rec *capture.Record) error {
			if p.Malformed() {
				return nil
			}
			clean++
			cp, err := craft.FromPacket(p)
			if err != nil {
				report("%s packet %d: %v", path, rec.Number, err)
				return nil
			}
			b, err := cp.Bytes()
			if err != nil || !bytes.Equal(b, p.Data) {
				report("%s packet %d (%s): build differs (err %v)\n got %x\nwant %x", path, rec.Number, p.Summary(), err, b, p.Data)
				return nil
			}
			built++
			if testing.Short() && clean%50 != 0 {
				return nil // -short: command() of every 50th packet
			}
			cmd := cp.Command()
			ps, err := evalWith(pre, cmd)
			if err != nil || len(ps) != 1 {
				report("%s packet %d (%s): command does not evaluate: %v\n%.300s", path, rec.Number, p.Summary(), err, cmd)
				return nil
			}
			b, err = ps[0].Bytes()
			if err != nil || !bytes.Equal(b, p.Data) {
				report("%s packet %d (%s): command() gives other bytes (err %v)\n%.300s\n got %.200x\nwant %.200x", path, rec.Number, p.Summary(), err, cmd, b, p.Data)
				return nil
			}
			commanded++
			return nil
		})
	}
	t.Logf("%d packets dissect cleanly, %d rebuilt from their fields, %d from their command(), %d failed", clean, built, commanded, fails)
	if clean == 0 {
		t.Fatal("no packets")
	}
}
