package reassembly

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// recorder is a sink that writes down every event.
type recorder struct {
	ev  []string
	buf []byte
}

func (r *recorder) Data(b []byte) {
	r.ev = append(r.ev, "D:"+string(b))
	r.buf = append(r.buf, b...)
}
func (r *recorder) Gap(g Gap) {
	r.ev = append(r.ev, fmt.Sprintf("G:%d@%d/%d:%s", g.Len, g.Offset, g.Seq, g.Reason))
}
func (r *recorder) End(e EndReason) { r.ev = append(r.ev, "E:"+e.String()) }

func newRec(cfg Config) (*Stream, *recorder) {
	r := &recorder{}
	return NewStream(cfg, r), r
}

func expect(t *testing.T, r *recorder, want ...string) {
	t.Helper()
	if !reflect.DeepEqual(r.ev, want) && !(len(r.ev) == 0 && len(want) == 0) {
		t.Fatalf("events:\n got  %q\n want %q", r.ev, want)
	}
}

const isn = 1000 // SYN at 1000: the first data byte is 1001

func TestInOrder(t *testing.T) {
	s, r := newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+1, ACK, []byte("hello"))
	s.Segment(isn+6, ACK, []byte(" world"))
	s.Segment(isn+12, FIN|ACK, nil)
	expect(t, r, "D:hello", "D: world", "E:fin")
	st := s.Stats()
	if st.Delivered != 11 || st.MidStream || st.Gaps != 0 || st.Duplicate != 0 || st.PeakBuffered != 0 {
		t.Fatalf("stats %+v", st)
	}
	if !s.Ended() {
		t.Fatal("not ended after FIN")
	}
}

func TestOutOfOrder(t *testing.T) {
	s, r := newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+11, ACK, []byte("!"))
	s.Segment(isn+6, ACK, []byte("world"))
	expect(t, r)
	if st := s.Stats(); st.Buffered != 6 {
		t.Fatalf("buffered %d, want 6", st.Buffered)
	}
	s.Segment(isn+1, ACK, []byte("hello"))
	expect(t, r, "D:hello", "D:world", "D:!")
	if st := s.Stats(); st.Buffered != 0 || st.PeakBuffered != 6 {
		t.Fatalf("stats %+v", st)
	}
}

func TestDuplicate(t *testing.T) {
	s, r := newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+1, ACK, []byte("hello"))
	s.Segment(isn+1, ACK, []byte("HELLO")) // a retransmission with other bytes: the first copy wins
	s.Segment(isn+6, ACK, []byte("abc"))
	expect(t, r, "D:hello", "D:abc")
	if st := s.Stats(); st.Duplicate != 5 {
		t.Fatalf("duplicate %d, want 5", st.Duplicate)
	}
	// A duplicate of buffered data.
	s.Segment(isn+20, ACK, []byte("xyz"))
	s.Segment(isn+20, ACK, []byte("XYZ"))
	if st := s.Stats(); st.Duplicate != 8 || st.Buffered != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestOverlapLeft(t *testing.T) {
	// A segment starting inside delivered bytes: only its new part counts.
	s, r := newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+1, ACK, []byte("hello"))
	s.Segment(isn+4, ACK, []byte("XXworld"))
	expect(t, r, "D:hello", "D:world")
	if st := s.Stats(); st.Duplicate != 2 {
		t.Fatalf("duplicate %d", st.Duplicate)
	}
}

func TestOverlapRight(t *testing.T) {
	// A segment whose end runs into buffered bytes: the buffered ones win.
	s, r := newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+6, ACK, []byte("world"))
	s.Segment(isn+1, ACK, []byte("helloWOR"))
	expect(t, r, "D:hello", "D:world")
	if st := s.Stats(); st.Duplicate != 3 {
		t.Fatalf("duplicate %d", st.Duplicate)
	}
}

func TestOverlapInside(t *testing.T) {
	// A segment inside buffered bytes adds nothing; a segment around them
	// fills both sides.
	s, r := newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+4, ACK, []byte("def"))
	s.Segment(isn+5, ACK, []byte("E"))
	s.Segment(isn+1, ACK, []byte("ABCDEFGHI"))
	expect(t, r, "D:ABC", "D:def", "D:GHI")
	if st := s.Stats(); st.Duplicate != 4 || st.Delivered != 9 {
		t.Fatalf("stats %+v", st)
	}
}

func TestOverlapBufferedBoth(t *testing.T) {
	// Two buffered pieces and a segment spanning the hole between them.
	s, r := newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+3, ACK, []byte("cd"))
	s.Segment(isn+7, ACK, []byte("gh"))
	s.Segment(isn+4, ACK, []byte("DEFG")) // new bytes: e, f (offsets 4, 5)
	s.Segment(isn+1, ACK, []byte("ab"))
	expect(t, r, "D:ab", "D:cd", "D:EF", "D:gh")
}

func TestGapThenFill(t *testing.T) {
	s, r := newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+1, ACK, []byte("aa"))
	s.Segment(isn+5, ACK, []byte("cc"))
	s.Segment(isn+3, ACK, []byte("bb"))
	s.Close()
	expect(t, r, "D:aa", "D:bb", "D:cc", "E:close")
	if st := s.Stats(); st.Gaps != 0 {
		t.Fatalf("gaps %d", st.Gaps)
	}
}

func TestGapNeverFilled(t *testing.T) {
	s, r := newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+1, ACK, []byte("aa"))
	s.Segment(isn+8, ACK, []byte("cc"))
	s.Segment(isn+20, ACK, []byte("dd"))
	s.Close()
	expect(t, r, "D:aa", "G:5@2/1003:closed", "D:cc", "G:10@9/1010:closed", "D:dd", "E:close")
	if st := s.Stats(); st.Gaps != 2 || st.GapBytes != 15 || st.Buffered != 0 {
		t.Fatalf("stats %+v", st)
	}
	s.Close() // closing twice does nothing
	if len(r.ev) != 6 {
		t.Fatal("second Close delivered events")
	}
}

func TestAckSkipsHole(t *testing.T) {
	s, r := newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+1, ACK, []byte("aa"))
	s.Segment(isn+5, ACK, []byte("cc"))
	s.Ack(isn + 5) // acknowledges the hole but not the buffered bytes: keep waiting
	expect(t, r, "D:aa")
	s.Ack(isn + 6) // acknowledges into the buffered bytes: the hole was lost in the capture
	expect(t, r, "D:aa", "G:2@2/1003:acked", "D:cc")
	s.Segment(isn+7, ACK, []byte("dd"))
	expect(t, r, "D:aa", "G:2@2/1003:acked", "D:cc", "D:dd")
}

func TestWraparound(t *testing.T) {
	s, r := newRec(Config{})
	const start = 0xfffffffa // data starts at 0xfffffffb, 5 bytes before the wrap
	s.Segment(start, SYN, nil)
	s.Segment(0x00000003, ACK, []byte("world")) // after the wrap, out of order
	s.Segment(0xfffffffb, ACK, []byte("hello!!!"))
	s.Segment(0x00000008, FIN|ACK, nil)
	expect(t, r, "D:hello!!!", "D:world", "E:fin")
	if s.NextSeq() != 8 || s.Offset() != 13 {
		t.Fatalf("next seq %d offset %d", s.NextSeq(), s.Offset())
	}
}

func TestWraparoundGap(t *testing.T) {
	s, r := newRec(Config{})
	s.Segment(0xfffffff0, ACK, []byte("ab")) // mid-stream start just before the wrap
	s.Segment(0x00000005, ACK, []byte("z"))
	s.Close()
	// From 0xfffffff2 to 0x00000005: 14 + 5 = 19 missing bytes.
	expect(t, r, "D:ab", "G:19@2/4294967282:closed", "D:z", "E:close")
}

func TestMidStream(t *testing.T) {
	s, r := newRec(Config{})
	s.Segment(5000, ACK, []byte("middle"))
	s.Segment(4990, ACK, []byte("0123456789")) // before the start: old data
	s.Segment(4998, ACK, []byte("xxmiddle!"))  // overlaps the start, adds "!"
	expect(t, r, "D:middle", "D:!")
	st := s.Stats()
	if !st.MidStream || st.Duplicate != 18 {
		t.Fatalf("stats %+v", st)
	}
}

func TestSYNData(t *testing.T) {
	// Data on a SYN (TCP Fast Open) starts after the SYN's sequence number.
	s, r := newRec(Config{})
	s.Segment(isn, SYN, []byte("GET"))
	s.Segment(isn+4, ACK, []byte(" /"))
	s.Segment(isn, SYN, []byte("GET")) // retransmitted SYN
	expect(t, r, "D:GET", "D: /")
	if st := s.Stats(); st.Duplicate != 3 || st.MidStream {
		t.Fatalf("stats %+v", st)
	}
}

func TestFIN(t *testing.T) {
	s, r := newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+6, FIN|ACK, []byte("end")) // FIN out of order: the stream waits for the hole
	expect(t, r)
	s.Segment(isn+1, ACK, []byte("12345"))
	expect(t, r, "D:12345", "D:end", "E:fin")
	s.Segment(isn+10, ACK, []byte("late")) // after the end
	s.Segment(isn+9, FIN|ACK, nil)         // FIN retransmitted
	if st := s.Stats(); st.AfterEnd != 4 {
		t.Fatalf("after end %d", st.AfterEnd)
	}
	expect(t, r, "D:12345", "D:end", "E:fin")
}

func TestDataAfterFIN(t *testing.T) {
	// Bytes past the FIN's sequence number are not part of the stream,
	// whether they arrive before the FIN is reached or in the FIN segment's
	// position.
	s, r := newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+6, ACK, []byte("xxxx")) // buffered, beyond the FIN that comes next
	s.Segment(isn+4, FIN|ACK, []byte("de"))
	if st := s.Stats(); st.AfterEnd != 4 || st.Buffered != 2 {
		t.Fatalf("stats %+v", st)
	}
	s.Segment(isn+1, ACK, []byte("abcXY")) // X and Y fall on the buffered "de"
	expect(t, r, "D:abc", "D:de", "E:fin")
	if st := s.Stats(); st.Duplicate != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFINWithHoleClosed(t *testing.T) {
	s, r := newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+1, ACK, []byte("ab"))
	s.Segment(isn+10, FIN|ACK, nil)
	s.Close()
	expect(t, r, "D:ab", "G:7@2/1003:closed", "E:fin")
}

func TestRST(t *testing.T) {
	s, r := newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+1, ACK, []byte("ab"))
	s.Segment(isn+6, ACK, []byte("zz"))
	// A RST is noted and its data placed; the stream goes on taking data
	// (as tshark's follow does) and ends, as reset, when closed.
	s.Segment(isn+3, RST|ACK, []byte("c"))
	expect(t, r, "D:ab", "D:c")
	s.Segment(isn+4, ACK, []byte("de"))
	s.Segment(isn+8, ACK, []byte("more"))
	s.Close()
	expect(t, r, "D:ab", "D:c", "D:de", "D:zz", "D:more", "E:rst")
	if st := s.Stats(); st.AfterEnd != 0 || st.Buffered != 0 {
		t.Fatalf("stats %+v", st)
	}
	// A FIN still ends the stream: a RST after it changes nothing.
	s, r = newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+1, FIN|ACK, []byte("x"))
	s.Segment(isn+3, RST, nil)
	s.Close()
	expect(t, r, "D:x", "E:fin")
}

func TestTruncated(t *testing.T) {
	s, r := newRec(Config{})
	s.Segment(isn, SYN, nil)
	s.SegmentLen(isn+1, ACK, []byte("abc"), 10)
	s.Segment(isn+1, ACK, []byte("abcdefghij")) // the full copy comes too late
	s.SegmentLen(isn+20, ACK, []byte("u"), 3)   // out of order, cut short
	s.Segment(isn+11, ACK, []byte("123456789"))
	expect(t, r, "D:abc", "G:7@3/1004:truncated", "D:123456789", "D:u", "G:2@20/1021:truncated")
	if st := s.Stats(); st.Duplicate != 10 || st.Delivered != 13 {
		t.Fatalf("stats %+v", st)
	}
}

func TestStreamLimit(t *testing.T) {
	s, r := newRec(Config{MaxBuffered: 10})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+1, ACK, []byte("a"))
	s.Segment(isn+5, ACK, []byte("bbbbbb")) // 6 buffered
	s.Segment(isn+20, ACK, []byte("cccc"))  // 10 buffered: at the limit
	expect(t, r, "D:a")
	s.Segment(isn+30, ACK, []byte("dd")) // 12 > 10: the oldest hole is given up
	expect(t, r, "D:a", "G:3@1/1002:overflow", "D:bbbbbb")
	st := s.Stats()
	if st.Buffered != 6 || st.OverflowGaps != 1 || st.OverflowBytes != 3 || st.PeakBuffered != 10 {
		t.Fatalf("stats %+v", st)
	}
	// A segment larger than the limit on its own: skip straight to it.
	s.Segment(isn+50, ACK, []byte(strings.Repeat("e", 11)))
	expect(t, r, "D:a", "G:3@1/1002:overflow", "D:bbbbbb",
		"G:9@10/1011:overflow", "D:cccc", "G:6@23/1024:overflow", "D:dd", "G:18@31/1032:overflow", "D:eeeeeeeeeee")
	if st := s.Stats(); st.Buffered != 0 || st.OverflowGaps != 4 || st.OverflowBytes != 36 {
		t.Fatalf("stats %+v", st)
	}
}

func TestNoBuffering(t *testing.T) {
	s, r := newRec(Config{MaxBuffered: -1})
	s.Segment(isn, SYN, nil)
	s.Segment(isn+3, ACK, []byte("b"))
	expect(t, r, "G:2@0/1001:overflow", "D:b")
}

func TestBudget(t *testing.T) {
	b := &Budget{Max: 8}
	s1, r1 := newRec(Config{Budget: b})
	s2, r2 := newRec(Config{Budget: b})
	s1.Segment(isn, SYN, nil)
	s2.Segment(isn, SYN, nil)
	s1.Segment(isn+3, ACK, []byte("11111"))
	s2.Segment(isn+3, ACK, []byte("222"))
	if b.Used() != 8 {
		t.Fatalf("used %d", b.Used())
	}
	s2.Segment(isn+9, ACK, []byte("x")) // the budget is spent: s2 flushes its own buffer, then holds x
	expect(t, r2, "G:2@0/1001:overflow", "D:222")
	expect(t, r1)
	if b.Used() != 6 || b.Refusals() != 1 {
		t.Fatalf("used %d refusals %d", b.Used(), b.Refusals())
	}
	s1.Close()
	if b.Used() != 1 {
		t.Fatalf("used %d after close", b.Used())
	}
	// Init gives a stream's buffer back to the budget.
	s2.Segment(isn+20, ACK, []byte("yy"))
	s2.Init(Config{Budget: b}, r2)
	if b.Used() != 0 {
		t.Fatalf("used %d after Init", b.Used())
	}
}

// discard is a sink that drops everything.
type discard struct{ n int64 }

func (d *discard) Data(b []byte) { d.n += int64(len(b)) }
func (d *discard) Gap(Gap)       {}
func (d *discard) End(EndReason) {}

func TestInOrderAllocs(t *testing.T) {
	d := &discard{}
	s := NewStream(Config{}, d)
	s.Segment(0, SYN, nil)
	seg := make([]byte, 1460)
	seq := uint32(1)
	n := testing.AllocsPerRun(1000, func() {
		s.Segment(seq, ACK, seg)
		seq += 1460
	})
	if n != 0 {
		t.Fatalf("%v allocations per in-order segment", n)
	}
}

func TestSYNNewISN(t *testing.T) {
	// A repeated SYN-ACK with a new ISN before any data: the new one counts.
	s, r := newRec(Config{})
	s.Segment(5000, SYN|ACK, nil)
	s.Segment(9000, SYN|ACK, nil)
	s.Segment(9001, ACK, []byte("data"))
	s.Segment(7000, SYN|ACK, nil) // after data: an old or stray SYN, ignored
	s.Segment(9005, ACK, []byte("!"))
	expect(t, r, "D:data", "D:!")
	if st := s.Stats(); st.Gaps != 0 || st.MidStream {
		t.Fatalf("stats %+v", st)
	}
}
