package packet

import (
	"math/rand/v2"
	"testing"
)

// TestBindTable checks the open-addressing binding table against a Go map
// over random keys, hits and misses, overwrites and values beyond 48 bits.
func TestBindTable(t *testing.T) {
	var tab bindTable
	ref := map[bindKey]*Protocol{}
	protos := []*Protocol{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	rng := rand.New(rand.NewPCG(1, 2))
	randKey := func() bindKey {
		k := bindKey{key: uint32(rng.IntN(5) + 1), value: uint64(rng.IntN(70000))}
		if rng.IntN(50) == 0 {
			k.value = 1<<48 + rng.Uint64N(1<<20)
		}
		return k
	}
	for i := 0; i < 5000; i++ {
		k, p := randKey(), protos[rng.IntN(len(protos))]
		tab.set(k, p)
		ref[k] = p
		q := randKey()
		if got, want := tab.get(q), ref[q]; got != want {
			t.Fatalf("after %d sets: get(%v) = %v, want %v", i+1, q, got, want)
		}
	}
	for k, want := range ref {
		if got := tab.get(k); got != want {
			t.Fatalf("get(%v) = %v, want %v", k, got, want)
		}
	}
	if 2*tab.n > len(tab.keys) {
		t.Errorf("table more than half full: %d of %d", tab.n, len(tab.keys))
	}
	var empty bindTable
	if empty.get(bindKey{1, 80}) != nil {
		t.Error("empty table found a key")
	}
}
