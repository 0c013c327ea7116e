package numlist

import "testing"

func TestParse(t *testing.T) {
	l, err := Parse("1,5,10-20,30-")
	if err != nil {
		t.Fatal(err)
	}
	for n, want := range map[int]bool{1: true, 2: false, 5: true, 10: true, 15: true, 20: true, 21: false, 30: true, 1000: true} {
		if l.Has(n) != want {
			t.Errorf("Has(%d) = %v", n, !want)
		}
	}
	for _, bad := range []string{"", "0", "a", "5-3", "1,,2", "-3"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}
