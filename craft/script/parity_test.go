package script

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"pktkit/craft"
	_ "pktkit/layers"
)

// TestScapyParity evaluates every expression of the parity list and
// compares the bytes with Scapy 2.5's (testdata/scapy/expected.tsv, written
// by gen.py; CI regenerates it and fails on any difference).
func TestScapyParity(t *testing.T) {
	f, err := os.Open("../testdata/scapy/expected.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	n := 0
	for sc.Scan() {
		expr, want, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			t.Fatalf("malformed line %q", sc.Text())
		}
		n++
		ps, err := Eval(expr)
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		var got []string
		for _, p := range ps {
			all, err := p.All()
			if err != nil {
				t.Errorf("%s: %v", expr, err)
				continue
			}
			for _, b := range all {
				got = append(got, craft.Hex(b))
			}
		}
		if g := strings.Join(got, ","); g != want {
			t.Errorf("%s:\n got %s\nwant %s", expr, g, want)
		}
	}
	if n < 80 {
		t.Fatalf("only %d expressions", n)
	}
}
