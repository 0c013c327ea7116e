package reassembly_test

import (
	"fmt"

	"pktkit/reassembly"
)

// printer prints what a stream delivers.
type printer struct{}

func (printer) Data(b []byte) { fmt.Printf("data %q\n", b) }
func (printer) Gap(g reassembly.Gap) {
	fmt.Printf("gap of %d bytes at offset %d (%s)\n", g.Len, g.Offset, g.Reason)
}
func (printer) End(r reassembly.EndReason) { fmt.Println("end:", r) }

// One direction of a connection: a SYN, a segment out of order, a
// retransmission with other bytes (the first copy wins), a lost segment and
// a FIN. Close at the end of the capture gives up on the hole.
func Example() {
	s := reassembly.NewStream(reassembly.Config{MaxBuffered: 1 << 20}, printer{})
	s.Segment(100, reassembly.SYN, nil)
	s.Segment(107, reassembly.ACK, []byte("world"))
	s.Segment(101, reassembly.ACK, []byte("hello "))
	s.Segment(101, reassembly.ACK, []byte("HELLO "))
	s.Segment(120, reassembly.ACK|reassembly.FIN, []byte("bye"))
	s.Close()
	st := s.Stats()
	fmt.Println(st.Delivered, "bytes delivered,", st.Duplicate, "duplicate,", st.GapBytes, "missing")
	// Output:
	// data "hello "
	// data "world"
	// gap of 8 bytes at offset 11 (closed)
	// data "bye"
	// end: fin
	// 14 bytes delivered, 6 duplicate, 8 missing
}
