package tcpanalysis

import "testing"

// FuzzTCPAnalysis feeds a tracker a sequence of segments cut from the
// input: each record is a side/stream byte, a length byte, then a header.
// The tracker must never panic, and the relative numbers it reports must
// be consistent with the raw header.
func FuzzTCPAnalysis(f *testing.F) {
	f.Add(append(append([]byte{0, 20}, header(0, fS, 1000, 0, 1000, nil)...),
		append([]byte{1, 20}, header(1, fS|fA, 5000, 1001, 1000, nil)...)...))
	f.Add(append([]byte{0, 24}, header(0, fS, 1, 0, 0, []byte{3, 3, 14, 0})...))
	f.Add(append([]byte{1, 28}, header(1, fA, 7, 9, 0, []byte{5, 10, 0, 0, 0, 1, 0, 0, 0, 9})...))
	f.Add([]byte{0, 16, 1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		tr := NewTracker(Config{MaxConns: 4, MaxUnacked: 8})
		var r Result
		frame := uint32(0)
		for len(data) >= 2 {
			ctl, n := data[0], int(data[1])
			data = data[2:]
			if n > len(data) {
				n = len(data)
			}
			h := data[:n]
			data = data[n:]
			frame++
			s := Segment{Frame: frame, Time: int64(frame) * int64(ctl), Stream: int32(ctl >> 5), Side: ctl & 1,
				Reused: ctl&2 != 0, Header: h, SegLen: uint32(ctl >> 2), HaveLen: ctl&4 != 0}
			if !tr.Track(&s, &r) {
				if len(h) >= 16 {
					t.Fatalf("a %d-byte header refused", len(h))
				}
				continue
			}
			if r.HaveLen {
				want := r.Seq + s.SegLen
				if h[13]&(thSYN|thFIN) != 0 {
					want++
				}
				if r.NxtSeq != want {
					t.Fatalf("nxtseq %d, want %d", r.NxtSeq, want)
				}
			}
			if st := tr.Stats(); st.Active > 4 {
				t.Fatalf("%d conversations held, bound 4", st.Active)
			}
		}
	})
}
