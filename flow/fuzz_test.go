package flow_test

import (
	"encoding/binary"
	"slices"
	"testing"

	"pktkit/flow"
	"pktkit/packet"
)

// FuzzFlow feeds arbitrary frames through a small table: a frame list is
// encoded as repeated (2-byte length, bytes); every packet goes through
// Update, Streams, Related, Lookup and the connection's accessors. Nothing may
// panic, and the table's counts must stay consistent.
func FuzzFlow(f *testing.F) {
	seeds := [][][]byte{
		{tcpPacket(f, hsSYN), tcpPacket(f, hsSYNACK), tcpPacket(f, hsACK), tcpPacket(f, seg{fromCli: true, flags: "FA", seq: 1001, ack: 5001})},
		{udpPacket(f, cli, srv, 5000, 53, 30, 10), udpPacket(f, srv, cli, 53, 5000, 90, 10)},
		{icmpEcho(f, cli, srv, 8, 1), icmpEcho(f, srv, cli, 0, 1)},
		{tcpPacket(f, seg{fromCli: true, flags: "SFRA", seq: 7, data: 3})},
	}
	for _, frames := range seeds {
		var enc []byte
		for _, b := range frames {
			enc = binary.BigEndian.AppendUint16(enc, uint16(len(b)))
			enc = append(enc, b...)
		}
		f.Add(enc, uint8(0))
		f.Add(enc, uint8(3))
	}
	f.Fuzz(func(t *testing.T, enc []byte, mode uint8) {
		finished := 0
		p := &packet.Packet{}
		var tab *flow.Table
		cfg := flow.Config{MaxConns: 3, ZeekKeys: mode&1 != 0, Checksums: mode&2 != 0,
			Finished: func(c *flow.Conn) {
				finished++
				_ = c.State() + c.History() + c.UID() + c.ProtoName()
				c.HandshakeRTT()
				c.OrigBytes()
				c.RespBytes()
				tab.Lookup(p) // in the middle of an Update: must change nothing
			}}
		tab = flow.New(cfg)
		// twin is the same table without the Lookups from the callback.
		cfg.Finished = nil
		twin := flow.New(cfg)
		n := 0
		for len(enc) >= 2 {
			l := int(binary.BigEndian.Uint16(enc))
			enc = enc[2:]
			l = min(l, len(enc))
			b := enc[:l]
			enc = enc[l:]
			n++
			p.SetFrame(b, 1, n, int64(n)*int64(mode+1)*7e9, len(b))
			c, dir, isNew := tab.Update(p)
			c2, dir2, isNew2 := twin.Update(p)
			if (c == nil) != (c2 == nil) || c != nil && (c.Index != c2.Index || dir != dir2 || isNew != isNew2) ||
				!slices.Equal(tab.Streams(), twin.Streams()) {
				t.Fatalf("packet %d: a Lookup from the Finished callback changed Update's result", n)
			}
			tab.Related()
			if c != nil {
				_ = c.State()
				// The lookup alone finds the connection Update accounted
				// (the direction may differ: the packet may have flipped
				// the roles).
				if l, _ := tab.Lookup(p); l != c {
					t.Fatalf("packet %d: Lookup gave %p, Update %p", n, l, c)
				}
			}
		}
		st := tab.Stats()
		tab.Flush()
		if uint64(finished) != st.Conns {
			t.Fatalf("%d connections created, %d finished", st.Conns, finished)
		}
	})
}
