package packet

import (
	"math/rand/v2"
	"testing"
)

// refChecksum is RFC 1071's definition: the one's complement of the one's
// complement sum of 16-bit words (an odd byte padded with zero).
func refChecksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
		s = s&0xffff + s>>16
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

func TestChecksumMatchesRFC1071(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 300; n++ {
		for _, fill := range []byte{0, 0xff, 1} {
			b := make([]byte, n)
			for i := range b {
				if fill == 1 {
					b[i] = byte(r.Uint32())
				} else {
					b[i] = fill
				}
			}
			if got, want := Checksum(b), refChecksum(b); got != want {
				t.Fatalf("len %d fill %d: %#04x, want %#04x", n, fill, got, want)
			}
			// Sums chain: a split anywhere gives the same checksum when
			// the first part has an even length.
			if n >= 2 {
				k := n / 2 &^ 1
				if got := Fold(Sum(Sum(0, b[:k]), b[k:])); got != refChecksum(b) {
					t.Fatalf("len %d split %d: %#04x", n, k, got)
				}
			}
			// Small terms added to a sum (a pseudo-header's protocol and
			// length) count as the 16-bit words they are: with all-ones
			// data a 32-bit sum would overflow and lose a carry.
			if n%2 == 0 {
				extra := []byte{0, 17, byte(n >> 8), byte(n)}
				want := refChecksum(append(append([]byte(nil), b...), extra...))
				if got := Fold(Sum(0, b) + 17 + uint32(n)); got != want {
					t.Fatalf("len %d fill %d plus terms: %#04x, want %#04x", n, fill, got, want)
				}
			}
		}
	}
}
