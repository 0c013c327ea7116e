package reassembly

import (
	"hash/crc32"
	"testing"
)

// crcSink hashes every byte it receives.
type crcSink struct{ sum uint32 }

func (c *crcSink) Data(b []byte) { c.sum = crc32.Update(c.sum, crc32.IEEETable, b) }
func (c *crcSink) Gap(Gap)       {}
func (c *crcSink) End(EndReason) {}

// benchStream feeds b.N in-order 1460-byte segments through the full
// Segment path (the payloads are successive slices of a 1 MiB buffer, as
// they would be in a capture buffer).
func benchStream(b *testing.B, sink Sink, ooo bool) {
	const mss = 1460
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	per := len(buf) / mss
	s := NewStream(Config{}, sink)
	s.Segment(0, SYN, nil)
	seq := uint32(1)
	b.SetBytes(mss)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % per
		if ooo && i%8 == 0 && i+1 < b.N {
			// Swap this segment with the next: one buffered copy in eight.
			s.Segment(seq+mss, ACK, buf[(k+1)%per*mss:][:mss])
			s.Segment(seq, ACK, buf[k*mss:][:mss])
			seq += 2 * mss
			i++
			continue
		}
		s.Segment(seq, ACK, buf[k*mss:][:mss])
		seq += mss
	}
}

func BenchmarkInOrderDiscard(b *testing.B) { benchStream(b, &discard{}, false) }
func BenchmarkInOrderCRC32(b *testing.B)   { benchStream(b, &crcSink{}, false) }
func BenchmarkSwappedPairs(b *testing.B)   { benchStream(b, &discard{}, true) }
