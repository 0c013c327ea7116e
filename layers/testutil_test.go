package layers_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"pktkit/internal/oracle"
	"pktkit/packet"
)

// frame is one record of a pcap file (a test-only reader; the capture
// package is the real one).
type frame struct {
	data []byte
	link uint32
}

// corpusPath returns the path of a corpus capture, skipping the test when
// PKTKIT_CORPUS is unset (failing when PKTKIT_REQUIRE_ORACLES=1).
func corpusPath(t testing.TB, rel string) string {
	t.Helper()
	dir := os.Getenv("PKTKIT_CORPUS")
	if dir == "" {
		if os.Getenv("PKTKIT_REQUIRE_ORACLES") == "1" {
			t.Fatal("PKTKIT_CORPUS is not set")
		}
		t.Skip("PKTKIT_CORPUS is not set")
	}
	return filepath.Join(dir, rel)
}

// readPcap reads a classic pcap file (either byte order, µs or ns).
func readPcap(t testing.TB, path string) []frame {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 24 {
		t.Fatalf("%s: short file", path)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
	default:
		bo = binary.BigEndian
	}
	link := bo.Uint32(b[20:]) & 0xffff
	var out []frame
	for off := 24; off+16 <= len(b); {
		cl := int(bo.Uint32(b[off+8:]))
		if off+16+cl > len(b) {
			break
		}
		out = append(out, frame{data: b[off+16 : off+16+cl], link: link})
		off += 16 + cl
	}
	return out
}

// requireTshark skips the test when tshark is missing (fails under
// PKTKIT_REQUIRE_ORACLES=1).
func requireTshark(t testing.TB) { oracle.Require(t, "tshark") }

// tsharkRun runs tshark on a capture with the conformance tests' dissector
// options and returns one row per packet. It returns tshark's failure
// rather than failing the test; with lenient, the exit status tshark gives
// for a capture cut short in a record (2) still returns the rows read.
func tsharkRun(path string, lenient bool, fields ...string) ([][]string, error) {
	args := []string{"-n", "-r", path, "-o", "tcp.desegment_tcp_streams:FALSE", "-o", "ip.defragment:FALSE",
		"-o", "ipv6.defragment:FALSE", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	cmd := exec.Command("tshark", args...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); !lenient || !ok || ee.ExitCode() != 2 {
			return nil, err
		}
	}
	var rows [][]string
	if len(out) == 0 {
		return rows, nil
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		rows = append(rows, strings.Split(line, "\t"))
	}
	return rows, nil
}

// tsharkFields runs tshark on a capture (dissector options as in the
// conformance tests) and returns one row per packet.
func tsharkFields(t testing.TB, path string, fields ...string) [][]string {
	t.Helper()
	requireTshark(t)
	rows, err := tsharkRun(path, false, fields...)
	if err != nil {
		t.Fatalf("tshark %s: %v", path, err)
	}
	return rows
}

// ourFields extracts fields the way `pktkit fields` does.
func ourFields(t testing.TB, frames []frame, fields ...string) [][]string {
	t.Helper()
	refs := make([]*packet.FieldRef, len(fields))
	for i, f := range fields {
		r, err := packet.LookupField(f)
		if err != nil {
			t.Fatal(err)
		}
		refs[i] = r
	}
	var rows [][]string
	p := &packet.Packet{}
	for _, fr := range frames {
		p.Reset(fr.data, fr.link)
		row := make([]string, len(fields))
		for i, r := range refs {
			row[i] = string(p.AppendField(nil, r, ','))
		}
		rows = append(rows, row)
	}
	return rows
}

// compareFields checks our values against tshark's for a corpus capture and
// reports every differing cell; it returns the number of differences.
func compareFields(t *testing.T, rel string, fields ...string) int {
	t.Helper()
	path := corpusPath(t, rel)
	frames := readPcap(t, path)
	want := tsharkFields(t, path, fields...)
	got := ourFields(t, frames, fields...)
	if len(want) != len(got) {
		t.Fatalf("%s: tshark has %d rows, we have %d", rel, len(want), len(got))
	}
	diffs := 0
	for i := range want {
		for j := range fields {
			w := ""
			if j < len(want[i]) {
				w = want[i][j]
			}
			if w != got[i][j] {
				diffs++
				if diffs <= 20 {
					t.Errorf("%s packet %d %s: tshark %q, pktkit %q", rel, i+1, fields[j], w, got[i][j])
				}
			}
		}
	}
	return diffs
}

// checkRebuild requires every frame that dissects without error to rebuild
// to its exact bytes from its field values.
func checkRebuild(t *testing.T, frames []frame) {
	t.Helper()
	for i, fr := range frames {
		p := packet.New(fr.data, fr.link)
		if p.Err() != nil {
			continue
		}
		st, err := p.Specs()
		if err != nil {
			t.Errorf("packet %d: %v", i+1, err)
			continue
		}
		out, err := st.Bytes()
		if err != nil {
			t.Errorf("packet %d: build: %v", i+1, err)
			continue
		}
		if !bytes.Equal(out, fr.data) {
			t.Errorf("packet %d: rebuild differs\n got %x\nwant %x", i+1, out, fr.data)
		}
	}
}

// mustHex decodes a hex string, ignoring white space.
func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// requireRebuild fails unless the dissected packet p rebuilds from its field
// values to exactly data.
func requireRebuild(t testing.TB, p *packet.Packet, data []byte) {
	t.Helper()
	st, err := p.Specs()
	if err != nil {
		t.Fatalf("specs: %v", err)
	}
	out, err := st.Bytes()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if !bytes.Equal(out, data) {
		t.Fatalf("rebuild differs\n got %x\nwant %x", out, data)
	}
}
