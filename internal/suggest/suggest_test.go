package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"tcp", "", 3}, {"", "udp", 3}, {"ip.src", "ip.src", 0},
		{"ip.scr", "ip.src", 2}, {"tcp.dport", "tcp.port", 1}, {"kitten", "sitting", 3},
	} {
		if got := Distance(c.a, c.b); got != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}
