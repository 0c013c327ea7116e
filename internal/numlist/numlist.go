// Package numlist parses packet-number lists such as "1,5,10-20".
package numlist

import (
	"fmt"
	"strconv"
	"strings"
)

// List is a set of inclusive ranges of packet numbers.
type List struct{ ranges [][2]int }

// Parse reads "N", "N-M", "N-" (to the end) items separated by commas.
func Parse(s string) (*List, error) {
	l := &List{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, fmt.Errorf("empty item in packet list %q", s)
		}
		lo, hi, isRange := strings.Cut(item, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 1 {
			return nil, fmt.Errorf("bad packet number %q in %q", lo, s)
		}
		b := a
		if isRange {
			if hi == "" {
				b = int(^uint(0) >> 1)
			} else if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("bad range %q in %q", item, s)
			}
		}
		l.ranges = append(l.ranges, [2]int{a, b})
	}
	return l, nil
}

// Has reports whether n is in the list.
func (l *List) Has(n int) bool {
	for _, r := range l.ranges {
		if n >= r[0] && n <= r[1] {
			return true
		}
	}
	return false
}

// Max returns the largest number in the list.
func (l *List) Max() int {
	m := 0
	for _, r := range l.ranges {
		m = max(m, r[1])
	}
	return m
}
