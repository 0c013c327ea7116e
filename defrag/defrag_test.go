package defrag

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
)

// frag4 builds an IPv4 fragment from 10.0.0.1 to 10.0.0.2 (20-byte header,
// checksum left zero: the defragmenter does not check it).
func frag4(id uint16, proto uint8, off int, more bool, data []byte) []byte {
	b := make([]byte, 20, 20+len(data))
	b[0] = 0x45
	binary.BigEndian.PutUint16(b[2:], uint16(20+len(data)))
	binary.BigEndian.PutUint16(b[4:], id)
	fo := uint16(off / 8)
	if more {
		fo |= 0x2000
	}
	binary.BigEndian.PutUint16(b[6:], fo)
	b[8], b[9] = 64, proto
	copy(b[12:], []byte{10, 0, 0, 1})
	copy(b[16:], []byte{10, 0, 0, 2})
	return append(b, data...)
}

// frag6 builds an IPv6 fragment from 2001:db8::1 to 2001:db8::2 with a
// Destination Options header (8 bytes) before the Fragment header.
func frag6(id uint32, nh uint8, off int, more bool, data []byte) []byte {
	b := make([]byte, 40+8+8, 56+len(data))
	b[0] = 0x60
	binary.BigEndian.PutUint16(b[4:], uint16(16+len(data)))
	b[6], b[7] = nhDestOpts, 64
	b[8], b[9], b[23] = 0x20, 0x01, 1
	b[24], b[25], b[39] = 0x20, 0x01, 2
	b[40], b[41], b[42], b[43] = nhFragment, 0, 1, 4 // PadN option filling the header
	fo := uint16(off)
	if more {
		fo |= 1
	}
	b[48] = nh
	binary.BigEndian.PutUint16(b[50:], fo)
	binary.BigEndian.PutUint32(b[52:], id)
	return append(b, data...)
}

func seqBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return b
}

func add(t *testing.T, d *Defragmenter, pkt []byte, want Status) Result {
	t.Helper()
	r := d.Add(0, pkt, 0)
	if r.Status != want {
		t.Fatalf("status %d (reason %s), want %d", r.Status, r.Reason, want)
	}
	return r
}

// check4 verifies a reassembled IPv4 datagram: header fields and data.
func check4(t *testing.T, r Result, data []byte) {
	t.Helper()
	out := r.Data
	if r.HdrLen != 20 || len(out) != 20+len(data) {
		t.Fatalf("datagram of %d bytes (header %d), want %d", len(out), r.HdrLen, 20+len(data))
	}
	if got := int(binary.BigEndian.Uint16(out[2:])); got != len(out) {
		t.Fatalf("total length %d, want %d", got, len(out))
	}
	if out[6]&0x3f != 0 || out[7] != 0 {
		t.Fatalf("fragment fields left: %#x %#x", out[6], out[7])
	}
	if checksum(out[:20]) != 0 {
		t.Fatal("header checksum does not verify")
	}
	if !bytes.Equal(out[20:], data) {
		t.Fatalf("data\n got  %x\n want %x", out[20:], data)
	}
}

func TestInOrder4(t *testing.T) {
	d := New(Config{})
	data := seqBytes(40, 0)
	add(t, d, frag4(7, 17, 0, true, data[:16]), Held)
	add(t, d, frag4(7, 17, 16, true, data[16:32]), Held)
	r := add(t, d, frag4(7, 17, 32, false, data[32:]), Complete)
	check4(t, r, data)
	if r.Fragments != 3 {
		t.Fatalf("%d fragments", r.Fragments)
	}
	if st := d.Stats(); st.InProgress != 0 || st.Bytes != 0 || st.Complete != 1 || st.Fragments != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestOutOfOrder4(t *testing.T) {
	d := New(Config{})
	data := seqBytes(40, 0)
	add(t, d, frag4(7, 17, 32, false, data[32:]), Held)
	add(t, d, frag4(7, 17, 0, true, data[:16]), Held)
	// Another datagram in between (other id) does not mix in.
	add(t, d, frag4(8, 17, 0, true, seqBytes(16, 100)), Held)
	r := add(t, d, frag4(7, 17, 16, true, data[16:32]), Complete)
	check4(t, r, data)
	if st := d.Stats(); st.InProgress != 1 {
		t.Fatalf("in progress %d", st.InProgress)
	}
}

func TestNotFragment(t *testing.T) {
	d := New(Config{})
	add(t, d, frag4(1, 17, 0, false, []byte("whole")), NotFragment)
	add(t, d, []byte{0x45, 0}, NotFragment) // too short to say: the dissector's business
	add(t, d, nil, NotFragment)
	if st := d.Stats(); st.Fragments != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestDuplicate4(t *testing.T) {
	d := New(Config{})
	data := seqBytes(24, 0)
	add(t, d, frag4(7, 17, 0, true, data[:16]), Held)
	add(t, d, frag4(7, 17, 0, true, data[:16]), Held)
	r := add(t, d, frag4(7, 17, 16, false, data[16:]), Complete)
	check4(t, r, data)
	if st := d.Stats(); st.Duplicates != 1 || st.Overlaps != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// overlapCases are fragment sets with overlaps: each fragment's bytes are
// its index+1; want gives, per 8-byte block, the index+1 of the fragment
// whose byte each policy keeps (reasoned from the policy).
var overlapCases = []struct {
	name              string
	frags             [][2]int // offset, length
	lowest, firstWins []byte
}{
	// B overlaps the right part of A, arriving later: A's bytes stay.
	{"right", [][2]int{{0, 16}, {8, 16}, {24, 8}}, []byte{1, 1, 2, 3}, []byte{1, 1, 2, 3}},
	// B starts before A and runs into it: B has the lower offset, A came first.
	{"left", [][2]int{{8, 16}, {0, 16}, {24, 8}}, []byte{2, 2, 1, 3}, []byte{2, 1, 1, 3}},
	// B inside A adds nothing.
	{"inside", [][2]int{{0, 24}, {8, 8}, {24, 8}}, []byte{1, 1, 1, 3}, []byte{1, 1, 1, 3}},
	// B around A: lower offset than A; first wins fills only both sides.
	{"around", [][2]int{{8, 8}, {0, 24}, {24, 8}}, []byte{2, 2, 2, 3}, []byte{2, 1, 2, 3}},
	// Same offset: the first wins under both policies.
	{"same", [][2]int{{0, 16}, {0, 16}, {16, 8}}, []byte{1, 1, 3}, []byte{1, 1, 3}},
	{"same, longer", [][2]int{{0, 8}, {0, 16}, {16, 8}}, []byte{1, 2, 3}, []byte{1, 2, 3}},
	{"same, shorter", [][2]int{{0, 16}, {0, 8}, {16, 8}}, []byte{1, 1, 3}, []byte{1, 1, 3}},
	{"middle", [][2]int{{8, 8}, {8, 16}, {0, 8}, {24, 8}}, []byte{3, 1, 2, 4}, []byte{3, 1, 2, 4}},
	// A later fragment at a lower offset across two held ones.
	{"span", [][2]int{{8, 8}, {24, 8}, {16, 8}, {0, 32}, {32, 8}}, []byte{4, 4, 4, 4, 5}, []byte{4, 1, 3, 2, 5}},
}

// overlapFrag is fragment i of an overlap case as an IPv4 packet.
func overlapFrag(id uint16, frags [][2]int, i int) []byte {
	total := 0
	for _, f := range frags {
		total = max(total, f[0]+f[1])
	}
	f := frags[i]
	return frag4(id, 17, f[0], f[0]+f[1] < total, bytes.Repeat([]byte{byte(i + 1)}, f[1]))
}

func blocks(owners []byte) []byte {
	var data []byte
	for _, w := range owners {
		data = append(data, bytes.Repeat([]byte{w}, 8)...)
	}
	return data
}

func TestOverlapPolicies(t *testing.T) {
	for _, c := range overlapCases {
		for _, pol := range []Policy{LowestOffset, FirstWins} {
			t.Run(fmt.Sprintf("%s/%d", c.name, pol), func(t *testing.T) {
				d := New(Config{Overlap: pol})
				var r Result
				for i := range c.frags {
					r = d.Add(0, overlapFrag(9, c.frags, i), 0)
					if want := i == len(c.frags)-1; (r.Status == Complete) != want {
						t.Fatalf("fragment %d: status %d", i, r.Status)
					}
				}
				want := c.lowest
				if pol == FirstWins {
					want = c.firstWins
				}
				check4(t, r, blocks(want))
			})
		}
	}
}

func TestDropOverlap(t *testing.T) {
	d := New(Config{Overlap: DropOverlap})
	data := seqBytes(32, 0)
	add(t, d, frag4(7, 17, 0, true, data[:16]), Held)
	add(t, d, frag4(7, 17, 0, true, data[:16]), Held)                          // an exact duplicate is fine
	add(t, d, frag4(7, 17, 8, true, data[8:24]), Held)                         // same bytes: fine too
	add(t, d, frag4(7, 17, 8, true, bytes.Repeat([]byte{0xff}, 8)), Discarded) // different bytes: the datagram goes
	if st := d.Stats(); st.InProgress != 0 || st.Discarded != 1 || st.Bytes != 0 {
		t.Fatalf("stats %+v", st)
	}
	// The last fragment now starts a new datagram that never completes.
	add(t, d, frag4(7, 17, 24, false, data[24:]), Held)
}

func TestRejected(t *testing.T) {
	d := New(Config{})
	cases := []struct {
		name string
		pkt  []byte
		why  Reason
	}{
		{"empty", frag4(1, 17, 8, true, nil), Tiny},
		{"misaligned", frag4(1, 17, 0, true, seqBytes(10, 0)), Misaligned},
		{"tcp offset 8", frag4(1, 6, 8, false, seqBytes(12, 0)), Tiny},
		{"past 65535", frag4(1, 17, 65528, false, seqBytes(16, 0)), TooBig},
		{"truncated", frag4(1, 17, 0, true, seqBytes(16, 0))[:30], Truncated},
		{"short header", func() []byte { b := frag4(1, 17, 0, true, seqBytes(16, 0)); b[0] = 0x44; return b }(), Malformed},
		{"length below header", func() []byte { b := frag4(1, 17, 0, true, seqBytes(16, 0)); b[2], b[3] = 0, 10; return b }(), Malformed},
		{"v6 jumbo", func() []byte { b := frag6(1, 17, 0, true, seqBytes(16, 0)); b[4], b[5] = 0, 0; return b }(), TooBig},
		{"v6 past 65535", frag6(1, 17, 65520, false, seqBytes(16, 0)), TooBig},
		{"v6 truncated", frag6(1, 17, 0, true, seqBytes(16, 0))[:60], Truncated},
	}
	for i, c := range cases {
		r := d.Add(0, c.pkt, 0)
		if r.Status != Rejected || r.Reason != c.why {
			t.Errorf("%s: status %d reason %s, want rejected %s", c.name, r.Status, r.Reason, c.why)
		}
		if st := d.Stats(); st.RejectedTotal() != int64(i+1) || st.InProgress != 0 {
			t.Fatalf("%s: stats %+v", c.name, st)
		}
	}
}

func TestConflictingEnds(t *testing.T) {
	d := New(Config{})
	data := seqBytes(32, 0)
	add(t, d, frag4(3, 17, 16, false, data[16:]), Held)
	r := add(t, d, frag4(3, 17, 16, false, data[16:24]), Rejected) // a second last fragment ending elsewhere
	if r.Reason != Conflict {
		t.Fatalf("reason %s", r.Reason)
	}
	r = add(t, d, frag4(3, 17, 32, true, data[:8]), Rejected) // past the end
	if r.Reason != Conflict {
		t.Fatalf("reason %s", r.Reason)
	}
	check4(t, add(t, d, frag4(3, 17, 0, true, data[:16]), Complete), data)
	// A last fragment ending before bytes already held conflicts too.
	add(t, d, frag4(4, 17, 16, true, data[16:]), Held)
	if r := add(t, d, frag4(4, 17, 8, false, data[8:16]), Rejected); r.Reason != Conflict {
		t.Fatalf("reason %s", r.Reason)
	}
}

func TestLimits(t *testing.T) {
	d := New(Config{MaxDatagrams: 2})
	for id := uint16(1); id <= 3; id++ {
		add(t, d, frag4(id, 17, 0, true, seqBytes(8, 0)), Held)
	}
	if st := d.Stats(); st.InProgress != 2 || st.Evicted != 1 {
		t.Fatalf("stats %+v", st)
	}
	// Datagram 1 was the oldest and went: its last fragment starts anew.
	add(t, d, frag4(1, 17, 8, false, seqBytes(8, 8)), Held)
	add(t, d, frag4(3, 17, 8, false, seqBytes(8, 8)), Complete)

	d = New(Config{MaxBytes: 100})
	add(t, d, frag4(1, 17, 0, true, seqBytes(64, 0)), Held) // 64 data + 20 header = 84
	add(t, d, frag4(2, 17, 0, true, seqBytes(32, 0)), Held) // would be 136: datagram 1 goes
	if st := d.Stats(); st.InProgress != 1 || st.Evicted != 1 || st.Bytes != 52 {
		t.Fatalf("stats %+v", st)
	}

	d = New(Config{Timeout: 10})
	d.Add(0, frag4(1, 17, 0, true, seqBytes(8, 0)), 100)
	d.Add(0, frag4(2, 17, 0, true, seqBytes(8, 0)), 105)
	if r := d.Add(0, frag4(1, 17, 8, false, seqBytes(8, 8)), 111); r.Status != Held {
		t.Fatalf("status %d: datagram 1 should have expired", r.Status)
	}
	if st := d.Stats(); st.Expired != 1 || st.InProgress != 2 {
		t.Fatalf("stats %+v", st)
	}
	if n := d.Flush(); n != 2 {
		t.Fatalf("flushed %d", n)
	}
	if st := d.Stats(); st.InProgress != 0 || st.Bytes != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestZones(t *testing.T) {
	d := New(Config{})
	d.Add(1, frag4(5, 17, 0, true, seqBytes(8, 0)), 0)
	if r := d.Add(2, frag4(5, 17, 8, false, seqBytes(8, 8)), 0); r.Status != Held {
		t.Fatalf("fragments of different zones joined: status %d", r.Status)
	}
	if r := d.Add(1, frag4(5, 17, 8, false, seqBytes(8, 8)), 0); r.Status != Complete {
		t.Fatalf("status %d", r.Status)
	}
}

func TestIPv6(t *testing.T) {
	d := New(Config{})
	data := seqBytes(40, 0)
	add(t, d, frag6(0x11223344, 17, 16, true, data[16:32]), Held)
	add(t, d, frag6(0x11223344, 17, 0, true, data[:16]), Held)
	r := add(t, d, frag6(0x11223344, 17, 32, false, data[32:]), Complete)
	out := r.Data
	if r.HdrLen != 48 || len(out) != 48+40 {
		t.Fatalf("datagram of %d bytes, header %d", len(out), r.HdrLen)
	}
	if plen := binary.BigEndian.Uint16(out[4:]); plen != 8+40 {
		t.Fatalf("payload length %d, want 48", plen)
	}
	if out[6] != nhDestOpts || out[40] != 17 {
		t.Fatalf("next headers %d, %d; want 60 then 17", out[6], out[40])
	}
	if !bytes.Equal(out[48:], data) {
		t.Fatalf("data %x", out[48:])
	}
	// An atomic fragment (offset 0, no more) is a datagram on its own.
	r = add(t, d, frag6(9, 58, 0, false, []byte{128, 0, 1, 2}), Complete)
	if len(r.Data) != 52 || r.Data[40] != 58 || binary.BigEndian.Uint16(r.Data[4:]) != 12 {
		t.Fatalf("atomic fragment gave %x", r.Data)
	}
	// Same identification from IPv4 does not mix with IPv6.
	add(t, d, frag4(0x3344, 17, 0, true, data[:16]), Held)
	add(t, d, frag6(0x3344, 17, 16, false, data[16:24]), Held)
	if st := d.Stats(); st.InProgress != 2 {
		t.Fatalf("stats %+v", st)
	}
}
