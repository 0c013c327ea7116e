package flow_test

import "testing"

// Zeek's conn.log missed_bytes: acknowledged bytes never seen.

// A run of segments above a gap is held however long it is: only the
// bytes never captured are missed.
func TestMissedBytesLongRun(t *testing.T) {
	segs := handshake(seg{fromCli: true, flags: "PA", seq: 1001, ack: 5001, data: 100})
	// 100 bytes (1101..1200) never captured, then 12 segments in a row.
	for i := 0; i < 12; i++ {
		segs = append(segs, seg{fromCli: true, flags: "PA", seq: uint32(1201 + 100*i), ack: 5001, data: 100})
	}
	segs = append(segs, seg{flags: "A", seq: 5001, ack: 1201 + 1200})
	c := runSegs(t, segs)[0]
	if c.MissedBytes != 100 {
		t.Errorf("missed_bytes %d, want 100", c.MissedBytes)
	}
}

// Acknowledged bytes never seen are missed (Zeek's conn.log
// missed_bytes), across a wrap of the sequence numbers and over a gap of
// more than 2^30 bytes: the server's ISN is 4,000,000,000, its segments
// at relative 1, 400,000,001 and 2,000,000,001 (past the wrap) carry 100
// bytes each, and the client acknowledges 1,000 bytes past the last one.
func TestMissedBytesWrap(t *testing.T) {
	const isn = 4000000000
	rel := func(r uint32) uint32 { return isn + r }
	segs := []seg{
		{fromCli: true, flags: "S", seq: 1000},
		{flags: "SA", seq: isn, ack: 1001},
		{fromCli: true, flags: "A", seq: 1001, ack: rel(1)},
		{flags: "PA", seq: rel(1), ack: 1001, data: 100},
		{flags: "PA", seq: rel(400000001), ack: 1001, data: 100},
		{flags: "PA", seq: rel(2000000001), ack: 1001, data: 100},
		{fromCli: true, flags: "A", seq: 1001, ack: rel(2000000101 + 1000)},
	}
	c := runSegs(t, segs)[0]
	if want := uint64(2000000101 + 1000 - 1 - 300); c.MissedBytes != want {
		t.Errorf("missed_bytes %d, want %d", c.MissedBytes, want)
	}
}

// A segment whose sequence number lies before the initial one is not part
// of the stream (Zeek: TCP_seq_underflow_or_misorder, no data delivered):
// it leaves no gap behind.
func TestMissedBytesSeqUnderflow(t *testing.T) {
	segs := handshake(
		seg{fromCli: true, flags: "PA", seq: 900, ack: 5001, data: 50},
		seg{fromCli: true, flags: "PA", seq: 1001, ack: 5001, data: 100},
		seg{flags: "A", seq: 5001, ack: 1101},
	)
	c := runSegs(t, segs)[0]
	if c.MissedBytes != 0 {
		t.Errorf("missed_bytes %d, want 0", c.MissedBytes)
	}
}
