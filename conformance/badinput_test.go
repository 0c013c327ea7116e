package conformance

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pktkit/capture"
	"pktkit/extract"
	"pktkit/packet"
	"pktkit/walk"
)

// TestEveryCaptureEveryPath sends every corpus capture, the malformed ones
// included, through the paths of read, show and fields (summary, show tree,
// every registered field) and requires no panic; damaged files must end in
// a *capture.Error naming the file, packet and offset.
func TestEveryCaptureEveryPath(t *testing.T) {
	dir := corpusDir(t)
	names := packet.FieldNames()
	cols, err := extract.Compile(names)
	if err != nil {
		t.Fatal(err)
	}
	var buf []byte
	for _, e := range readIndex(t, dir) {
		path := filepath.Join(dir, e.Path)
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic: %v", e.Path, r)
				}
			}()
			n := 0
			err := walk.File(path, walk.Options{}, func(p *packet.Packet, rec *capture.Record) error {
				n++
				buf = p.AppendSummary(buf[:0])
				buf = cols.AppendRow(buf[:0], p)
				if n <= 200 {
					_ = p.ShowString()
				}
				return nil
			})
			if err != nil {
				var ce *capture.Error
				if !errors.As(err, &ce) {
					t.Errorf("%s: error is not a *capture.Error: %v", e.Path, err)
				} else if ce.File == "" {
					t.Errorf("%s: error does not name the file: %v", e.Path, err)
				}
			}
		}()
	}
}

// TestTruncatedFileCLI cuts a capture in the middle of a packet and checks
// that `pktkit read` prints every packet before the damage, then an error
// naming the file, the packet number and the byte offset, and exits 1.
func TestTruncatedFileCLI(t *testing.T) {
	dir := corpusDir(t)
	src, err := os.ReadFile(filepath.Join(dir, "arkime/tests/pcap/http-post-upload.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	// Find where packet 10 starts and cut 5 bytes into its data.
	r, err := capture.NewReader(strings.NewReader(string(src)))
	if err != nil {
		t.Fatal(err)
	}
	var rec capture.Record
	var cut int64
	for i := 0; i < 10; i++ {
		if err := r.Next(&rec); err != nil {
			t.Fatal(err)
		}
		cut = rec.Offset
	}
	bad := filepath.Join(t.TempDir(), "cut.pcap")
	if err := os.WriteFile(bad, src[:cut+16+5], 0o644); err != nil {
		t.Fatal(err)
	}
	bin := buildCLI(t)
	cmd := exec.Command(bin, "read", bad)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1", err)
	}
	if n := strings.Count(stdout.String(), "\n"); n != 9 {
		t.Errorf("printed %d packets before the damage, want 9:\n%s", n, stdout.String())
	}
	msg := stderr.String()
	for _, want := range []string{bad, "packet 10", "byte offset " + itoa(cut)} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pktkit")
	out, err := exec.Command("go", "build", "-o", bin, "pktkit/cmd/pktkit").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}
