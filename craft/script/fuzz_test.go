package script

import (
	"bufio"
	"context"
	"errors"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"testing"

	"pktkit/craft"
)

// bigLiteral matches integer literals of a million or more.
var bigLiteral = regexp.MustCompile(`[0-9]{7,}|0[xX][0-9a-fA-F]{6,}|0[oO]?[0-7]{8,}`)

// FuzzEval evaluates arbitrary expressions: errors are fine, panics and
// hangs are not, and what evaluates builds (small sets only).
func FuzzEval(f *testing.F) {
	fh, err := os.Open("../testdata/scapy/expected.tsv")
	if err != nil {
		f.Fatal(err)
	}
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		expr, _, _ := strings.Cut(sc.Text(), "\t")
		f.Add(expr)
	}
	fh.Close()
	f.Add(`IP(options=[IPOption_Timestamp(flg=0)])/TCP(options=[("SAck", (1,)), 5])`)
	f.Add(`DHCP(options=[("client_id", b"\x01"), (250, b"xx"), "pad"])`)
	f.Add(`TCP(options=())/IP(options=((),))/DNS(an=[])`)
	// No input waits on DNS: names resolve nowhere.
	craft.LookupHost = func(context.Context, string, string) ([]netip.Addr, error) {
		return nil, errors.New("no resolver while fuzzing")
	}
	f.Fuzz(func(t *testing.T, expr string) {
		// Starlark lets one repeat allocate up to 1 GiB ("x"*(1<<29),
		// [IP()]*10**8): legal requests for huge values, which take
		// seconds and gigabytes by design. They are outside what this
		// target checks (panics and hangs in pktkit's bindings), so
		// inputs that can ask for more than a few megabytes (long
		// inputs, big integer literals, shifts, chained repeats) are
		// skipped.
		if len(expr) > 400 || bigLiteral.MatchString(expr) || strings.Contains(expr, "<<") || strings.Count(expr, "*") > 1 {
			return
		}
		ps, err := Eval(expr)
		if err != nil {
			return
		}
		for _, p := range ps {
			if p.Count() > 256 {
				continue
			}
			_, _ = p.All()
			_ = p.Command()
			_ = p.Show()
			_, _ = p.Show2()
		}
	})
}
