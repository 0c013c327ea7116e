package packet

import (
	"math/rand/v2"
	"net/netip"
	"strconv"
	"testing"
)

// TestAppendIPv4 checks the IPv4 formatter against net/netip on every
// value of each byte, after prefixes of several lengths and capacities.
func TestAppendIPv4(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 4096; i++ {
		var a [4]byte
		for j := range a {
			a[j] = byte(rng.IntN(256))
		}
		a[i%4] = byte(i / 4 % 256)
		prefix := make([]byte, i%7, i%7+i%17)
		for j := range prefix {
			prefix[j] = 'x'
		}
		got := string(appendIPv4(prefix, a[0], a[1], a[2], a[3]))
		want := string(prefix) + netip.AddrFrom4(a).String()
		if got != want {
			t.Fatalf("appendIPv4(%q, %v) = %q, want %q", prefix, a, got, want)
		}
	}
	for k, p := 0, uint64(1); k < 19; k, p = k+1, p*10 {
		for _, u := range []uint64{p - 1, p, p + 1, 2*p - 1, 9*p + p - 1} {
			if got, want := string(appendDec(nil, u)), strconv.FormatUint(u, 10); got != want {
				t.Fatalf("appendDec(%d) = %q, want %q", u, got, want)
			}
		}
	}
	// Every number below 1,100,000, and samples above up to 2^40.
	for u := uint64(0); u < 1<<40; u++ {
		if u > 1100000 {
			u += u / 4096
		}
		if got, want := string(appendDec([]byte("="), u)), "="+strconv.FormatUint(u, 10); got != want {
			t.Fatalf("appendDec(%d) = %q, want %q", u, got, want)
		}
	}
}
