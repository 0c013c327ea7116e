package tcpanalysis

import "testing"

// BenchmarkTrack is the analysis of a bulk transfer: data segments one
// way, an ACK every second segment the other way, over 1000 conversations
// in turn (headers prebuilt; no dissection).
func BenchmarkTrack(b *testing.B) {
	const conns = 1000
	tr := NewTracker(Config{})
	type st struct{ seq, ack uint32 }
	state := make([]st, conns)
	data := header(0, thACK, 0, 0, 1000, nil)
	ack := header(1, thACK, 0, 0, 1000, nil)
	put := func(h []byte, seq, a uint32) {
		h[4], h[5], h[6], h[7] = byte(seq>>24), byte(seq>>16), byte(seq>>8), byte(seq)
		h[8], h[9], h[10], h[11] = byte(a>>24), byte(a>>16), byte(a>>8), byte(a)
	}
	var r Result
	s := Segment{HaveLen: true}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c := int32(i % conns)
		x := &state[c]
		s.Frame, s.Time, s.Stream = uint32(i+1), int64(i)*1000, c
		if (i/conns)%3 == 2 {
			put(ack, 5000, 1000+x.seq)
			s.Side, s.Header, s.SegLen = 1, ack, 0
		} else {
			put(data, 1000+x.seq, 5000)
			s.Side, s.Header, s.SegLen = 0, data, 1400
			x.seq += 1400
		}
		tr.Track(&s, &r)
	}
}
