package conformance

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pktkit/packet"
)

// entry is one row of the corpus INDEX.tsv.
type entry struct {
	Path      string
	Format    string
	LinkTypes []uint32
	Packets   int // -1 when capinfos fails on the file
}

func corpusDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("PKTKIT_CORPUS")
	if dir == "" {
		if os.Getenv("PKTKIT_REQUIRE_ORACLES") == "1" {
			t.Fatal("PKTKIT_CORPUS is not set")
		}
		t.Skip("PKTKIT_CORPUS is not set")
	}
	return dir
}

func readIndex(t testing.TB, dir string) []entry {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []entry
	sc := bufio.NewScanner(f)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 6 {
			continue
		}
		e := entry{Path: c[0], Format: c[3], Packets: -1}
		for _, l := range strings.Split(c[4], ",") {
			if n, err := strconv.Atoi(l); err == nil {
				e.LinkTypes = append(e.LinkTypes, uint32(n))
			}
		}
		if n, err := strconv.Atoi(c[5]); err == nil {
			e.Packets = n
		}
		out = append(out, e)
	}
	return out
}

// supported reports whether pktkit dissects every link type of the capture.
func (e entry) supported() bool {
	if len(e.LinkTypes) == 0 {
		return false
	}
	for _, l := range e.LinkTypes {
		if packet.LinkProtocol(l) == nil {
			return false
		}
	}
	return true
}
