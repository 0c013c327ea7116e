package flow

import (
	"slices"
	"testing"
)

// TestOrderer: connections go out in order of first packet, each as soon
// as every older one has finished; with Max reached the oldest held goes
// out early and is counted.
func TestOrderer(t *testing.T) {
	var out []uint64
	o := &Orderer{Emit: func(c *Conn) error { out = append(out, c.Index); return nil }}
	cs := make([]Conn, 6)
	for i := range cs {
		cs[i].Index = uint64(i)
		o.Started(&cs[i])
	}
	finish := func(i int, want ...uint64) {
		t.Helper()
		out = out[:0]
		if err := o.Finished(&cs[i]); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out, want) && !(len(out) == 0 && len(want) == 0) {
			t.Fatalf("finishing %d emitted %v, want %v", i, out, want)
		}
	}
	finish(2)       // 0 and 1 still open
	finish(0, 0)    // 1 still open: 2 waits
	finish(1, 1, 2) // now 2 may go
	finish(4)       // 3 open
	finish(3, 3, 4) //
	finish(5, 5)    // nothing older open
	if o.held.Len() != 0 || o.OutOfOrder != 0 {
		t.Fatalf("held %d, out of order %d", o.held.Len(), o.OutOfOrder)
	}

	// Max 2: a long-lived connection 10 open while 11..14 finish.
	o = &Orderer{Max: 2, Emit: func(c *Conn) error { out = append(out, c.Index); return nil }}
	cs = make([]Conn, 5)
	for i := range cs {
		cs[i].Index = uint64(10 + i)
		o.Started(&cs[i])
	}
	finish(1)
	finish(2)
	finish(3, 11) // three held: the oldest goes out ahead of 10
	if o.OutOfOrder != 1 || o.held.Len() != 2 {
		t.Fatalf("out of order %d, held %d", o.OutOfOrder, o.held.Len())
	}
	out = out[:0]
	if err := o.Flush(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out, []uint64{12, 13}) {
		t.Fatalf("Flush emitted %v", out)
	}
}
