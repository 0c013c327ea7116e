package main

import (
	"slices"
	"strings"
	"testing"
)

// expertTCPRows returns the TCP rows of a `-z expert` style report, each
// as "section|frequency|group|summary", sorted.
func expertTCPRows(out string) []string {
	var rows []string
	section := ""
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) == 2 && strings.HasPrefix(f[1], "(") && strings.HasSuffix(f[1], ")"):
			section = f[0]
		case strings.HasPrefix(l, "By connection"):
			section = "" // pktkit's own table
		case section != "" && len(f) >= 4 && f[2] == "TCP":
			rows = append(rows, section+"|"+f[0]+"|"+f[1]+"|"+strings.Join(f[3:], " "))
		}
	}
	slices.Sort(rows)
	return rows
}

// TestExpertMatchesTshark: the TCP items of `pktkit expert`, section by
// section with their counts, are those of `tshark -q -z expert`.
func TestExpertMatchesTshark(t *testing.T) {
	requireTshark(t)
	for _, f := range []string{connsPcap, sample} {
		code, out, errOut := runCLI(t, "expert", f)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, errOut)
		}
		got := expertTCPRows(out)
		want := expertTCPRows(tsharkOut(t, "-r", f, "-q", "-z", "expert"))
		if len(want) == 0 {
			t.Fatalf("%s: tshark lists no TCP item", f)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: TCP expert items differ\npktkit: %q\ntshark: %q", f, got, want)
		}
	}
}
