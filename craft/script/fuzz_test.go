package script

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

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
	f.Fuzz(func(t *testing.T, expr string) {
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
