package extract_test

import (
	"strconv"
	"strings"
	"testing"

	"pktkit/extract"
)

// FuzzParseUint: ParseUint agrees with strconv on decimal and 0x-prefixed
// hexadecimal text, and rejects everything else.
func FuzzParseUint(f *testing.F) {
	for _, s := range []string{"0", "65535", "0x0002", "0xffffffffffffffff", "0x10000000000000000",
		"18446744073709551615", "18446744073709551616", "", "0x", "-1", "1.5", "0xAbC", "00012"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := extract.ParseUint([]byte(s))
		var want uint64
		var err error
		if h, isHex := strings.CutPrefix(s, "0x"); isHex && len(s) > 2 {
			want, err = strconv.ParseUint(h, 16, 64)
		} else {
			want, err = strconv.ParseUint(s, 10, 64)
		}
		if ok != (err == nil) || ok && got != want {
			t.Fatalf("ParseUint(%q) = %d, %v; strconv %d, %v", s, got, ok, want, err)
		}
	})
}
