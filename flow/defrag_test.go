package flow_test

import (
	"encoding/binary"
	"testing"
	"time"

	"pktkit/craft"
	"pktkit/defrag"
	"pktkit/flow"
	"pktkit/packet"
)

// udpFragments crafts a UDP datagram of n payload bytes from cli to srv
// (IPv4 id) and splits it at IP payload offset 1480 into two Ethernet
// frames: a first fragment (MF set) and the last one.
func udpFragments(t testing.TB, id, n int) [][]byte {
	t.Helper()
	b, err := craft.Ether().Div(craft.IP(kv("src", cli), kv("dst", srv), kv("id", id))).
		Div(craft.UDP(kv("sport", 5000), kv("dport", 53))).Div(craft.Payload(make([]byte, n))).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	eth, hdr, data := b[:14], b[14:34], b[34:]
	frame := func(off int, more bool, part []byte) []byte {
		f := append(append(append([]byte(nil), eth...), hdr...), part...)
		binary.BigEndian.PutUint16(f[14+2:], uint16(20+len(part)))
		fo := uint16(off / 8)
		if more {
			fo |= 0x2000
		}
		binary.BigEndian.PutUint16(f[14+6:], fo)
		return f
	}
	return [][]byte{frame(0, true, data[:1480]), frame(1480, false, data[1480:])}
}

// With reassembly, a fragmented datagram counts once with its whole length
// and the fragments of a datagram never completed not at all (Zeek
// reassembles before its connection analysis); without it, each first
// fragment counts with its own length.
func TestDefragUDP(t *testing.T) {
	whole := udpFragments(t, 7, 2000)
	lone := udpFragments(t, 8, 2000)[:1] // its last fragment is never captured
	frames := [][]byte{whole[0], lone[0], whole[1]}

	run := func(df *flow.Defrag) flow.Conn {
		var out []flow.Conn
		tab := flow.New(flow.Config{ZeekKeys: true, Finished: func(c *flow.Conn) { out = append(out, *c) }})
		p := &packet.Packet{}
		for i, b := range frames {
			p.SetFrame(b, 1, i+1, t0+int64(i)*int64(time.Millisecond), len(b))
			q := p
			if df != nil {
				if q = df.Packet(p); q == nil {
					continue
				}
			}
			tab.Update(q)
		}
		tab.Flush()
		if len(out) != 1 {
			t.Fatalf("%d connections, want 1", len(out))
		}
		return out[0]
	}

	c := run(flow.NewDefrag(defrag.Config{}))
	if c.OrigPkts != 1 || c.OrigIPBytes != 20+8+2000 || c.OrigBytes() != 2000 {
		t.Errorf("reassembled: orig_pkts %d, orig_ip_bytes %d, orig_bytes %d; want 1, 2028, 2000", c.OrigPkts, c.OrigIPBytes, c.OrigBytes())
	}
	// The datagram arrives when its last fragment does (the third frame).
	if c.Start != t0+2*int64(time.Millisecond) {
		t.Errorf("start %d, want the completing fragment's time %d", c.Start, t0+2*int64(time.Millisecond))
	}
	c = run(nil)
	if c.OrigPkts != 2 || c.OrigIPBytes != 2*1500 {
		t.Errorf("fragments: orig_pkts %d, orig_ip_bytes %d; want 2, 3000", c.OrigPkts, c.OrigIPBytes)
	}
}

// BenchmarkDefragPassThrough is the cost Defrag adds to a packet that is
// no fragment (a TCP segment with 100 bytes of data).
func BenchmarkDefragPassThrough(b *testing.B) {
	frame := tcpPacket(b, seg{fromCli: true, flags: "PA", seq: 1, ack: 1, data: 100})
	df := flow.NewDefrag(defrag.Config{})
	p := &packet.Packet{}
	b.ReportAllocs()
	for b.Loop() {
		p.SetFrame(frame, 1, 1, t0, len(frame))
		if df.Packet(p) != p {
			b.Fatal("not passed through")
		}
	}
}

// BenchmarkDefragUDP reassembles a UDP datagram of two fragments.
func BenchmarkDefragUDP(b *testing.B) {
	frames := udpFragments(b, 7, 2000)
	df := flow.NewDefrag(defrag.Config{})
	p := &packet.Packet{}
	b.ReportAllocs()
	for b.Loop() {
		for i, f := range frames {
			p.SetFrame(f, 1, i+1, t0, len(f))
			df.Packet(p)
		}
	}
}
