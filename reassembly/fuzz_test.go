package reassembly

import (
	"encoding/binary"
	"testing"
)

// checker is a sink that checks the stream's promises as events arrive.
type checker struct {
	t      *testing.T
	off    int64 // bytes delivered or skipped so far
	data   map[int64]byte
	ended  int
	events int
}

func (c *checker) Data(b []byte) {
	if c.ended > 0 {
		c.t.Fatal("Data after End")
	}
	if len(b) == 0 {
		c.t.Fatal("empty Data")
	}
	for i, x := range b {
		c.data[c.off+int64(i)] = x
	}
	c.off += int64(len(b))
}

func (c *checker) Gap(g Gap) {
	if c.ended > 0 {
		c.t.Fatal("Gap after End")
	}
	if g.Len <= 0 || g.Offset != c.off {
		c.t.Fatalf("gap %+v at offset %d", g, c.off)
	}
	c.off += g.Len
}

func (c *checker) End(EndReason) { c.ended++ }

// FuzzReassembly feeds arbitrary segment sequences (offsets within 64 KiB
// of a random base sequence number, so that wraparound happens) and checks:
// every delivered byte is the byte of the first segment that covered its
// offset (first copy wins), offsets are contiguous, limits are respected,
// End comes exactly once and nothing follows it.
func FuzzReassembly(f *testing.F) {
	f.Add([]byte{0xff, 0xff, 0xff, 0xf0, 0, 0x02, 0, 0, 0, 0x10, 1, 0, 10, 0x10, 20, 0, 5, 0x11, 30, 0, 0})
	f.Add([]byte{0, 0, 0, 1, 3, 0x10, 50, 0, 10, 0x10, 0, 0, 60, 0x14, 70, 0, 3, 0x80, 0, 0, 0})
	f.Add([]byte{1, 2, 3, 4, 1, 0x10, 0, 0, 40, 0x10, 30, 0, 40, 0x10, 10, 0, 40, 0x40, 90, 0, 0, 0x10, 60, 0, 40})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 5 {
			return
		}
		base := binary.BigEndian.Uint32(in)
		cfg := Config{}
		var budget *Budget
		switch in[4] & 3 {
		case 1:
			cfg.MaxBuffered = 64
		case 2:
			cfg.MaxBuffered = -1
		case 3:
			budget = &Budget{Max: 100}
			cfg.Budget = budget
		}
		max := cfg.MaxBuffered
		if max == 0 {
			max = DefaultMaxBuffered
		}
		c := &checker{t: t, data: map[int64]byte{}}
		s := NewStream(cfg, c)
		first := map[int64]int{} // offset from base -> byte value claimed (-1: claimed but not captured)
		origin, haveOrigin := int64(0), false
		ops := in[5:]
		for k := 0; k+4 <= len(ops) && k < 4*500; k += 4 {
			op, off16, n := ops[k], int64(binary.BigEndian.Uint16(ops[k+1:])), int(ops[k+3]&63)
			if op&0x80 != 0 {
				s.Ack(base + uint32(off16))
			} else {
				flags := Flags(op) & (FIN | SYN | RST | ACK)
				wire := n
				if op&0x40 != 0 {
					wire += int(op>>2) & 7 // cut short by the snap length
				}
				payload := make([]byte, n)
				for i := range payload {
					payload[i] = byte(k*31 + i*7)
				}
				start := off16
				if flags&SYN != 0 {
					start++
				}
				if !haveOrigin {
					origin, haveOrigin = start, true
				} else if flags&SYN != 0 && start != origin && s.Offset() == 0 && s.Stats().Buffered == 0 {
					// A SYN before any byte was placed starts the
					// sequence space over (see SegmentLen): nothing
					// claimed before it counts.
					origin = start
					clear(first)
				}
				for i := 0; i < wire; i++ {
					o := start + int64(i)
					if _, ok := first[o]; !ok {
						if i < n {
							first[o] = int(payload[i])
						} else {
							first[o] = -1
						}
					}
				}
				s.SegmentLen(base+uint32(off16), flags, payload, wire)
			}
			if st := s.Stats(); st.Buffered > max && max > 0 || st.Buffered < 0 {
				t.Fatalf("buffered %d over the limit %d", st.Buffered, max)
			}
			if budget != nil && (budget.Used() > budget.Max || budget.Used() < 0) {
				t.Fatalf("budget used %d of %d", budget.Used(), budget.Max)
			}
		}
		s.Close()
		if c.ended != 1 {
			t.Fatalf("End called %d times", c.ended)
		}
		if c.off != s.Offset() {
			t.Fatalf("sink saw %d bytes, stream at %d", c.off, s.Offset())
		}
		if budget != nil && budget.Used() != 0 {
			t.Fatalf("budget used %d after Close", budget.Used())
		}
		for o, x := range c.data {
			v, ok := first[o+origin]
			if !ok || v != int(x) {
				t.Fatalf("byte at offset %d is %d, first copy had %d (claimed %v)", o, x, v, ok)
			}
		}
	})
}
