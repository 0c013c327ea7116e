package flow_test

import (
	"strings"
	"testing"
	"time"

	"pktkit/craft"
	"pktkit/flow"
	"pktkit/packet"
)

// The expectations below come from Zeek's documentation of conn.log
// (conn_state meanings, history letters and their repetition rules), not
// from this package's output.

const (
	cli = "10.0.0.1"
	srv = "10.0.0.2"
)

// seg describes one crafted TCP segment.
type seg struct {
	fromCli  bool
	flags    string
	seq, ack uint32
	data     int    // payload length
	win      int    // window (default 8192)
	zeroWin  bool   // advertise a zero window
	at       int    // milliseconds after the start (default: 1 ms per segment)
	sport    uint16 // client port (default 40000)
	dport    uint16 // server port (default 80)
}

func kv(n string, v any) craft.KV { return craft.KV{Name: n, Value: v} }

// tcpPacket crafts an Ethernet/IPv4/TCP frame.
func tcpPacket(t testing.TB, s seg) []byte {
	t.Helper()
	sp, dp := s.sport, s.dport
	if sp == 0 {
		sp = 40000
	}
	if dp == 0 {
		dp = 80
	}
	src, dst := cli, srv
	if !s.fromCli {
		src, dst, sp, dp = srv, cli, dp, sp
	}
	win := s.win
	if win == 0 {
		win = 8192
	}
	flags := s.flags
	if flags == "" {
		flags = "A"
	}
	p := craft.Ether().Div(craft.IP(kv("src", src), kv("dst", dst))).
		Div(craft.TCP(kv("sport", int(sp)), kv("dport", int(dp)), kv("flags", flags), kv("seq", int(s.seq)), kv("ack", int(s.ack)), kv("window", win)))
	if s.data > 0 {
		p = p.Div(craft.Payload([]byte(strings.Repeat("x", s.data))))
	}
	b, err := p.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if s.zeroWin {
		b[14+20+14], b[14+20+15] = 0, 0 // the window field (the checksum goes stale: not verified by default)
	}
	return b
}

var t0 = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano()

// feed runs frames through a table (one millisecond apart unless given)
// and returns the finished connections in order of creation.
func feed(t testing.TB, cfg flow.Config, frames [][]byte, at []int) []flow.Conn {
	t.Helper()
	var out []flow.Conn
	cfg.Finished = func(c *flow.Conn) { out = append(out, *c) }
	tab := flow.New(cfg)
	p := &packet.Packet{}
	for i, b := range frames {
		ms := i
		if at != nil {
			ms = at[i]
		}
		p.SetFrame(b, 1, i+1, t0+int64(ms)*int64(time.Millisecond), len(b))
		tab.Update(p)
	}
	tab.Flush()
	// Flush finishes in creation order, but timeouts may finish earlier
	// connections later: sort.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Index < out[j-1].Index; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func runSegs(t *testing.T, segs []seg) []flow.Conn {
	t.Helper()
	var frames [][]byte
	var at []int
	for i, s := range segs {
		frames = append(frames, tcpPacket(t, s))
		if s.at != 0 {
			at = append(at, s.at)
		} else {
			at = append(at, i)
		}
	}
	return feed(t, flow.Config{}, frames, at)
}

// Client ISN 1000, server ISN 5000.
var (
	hsSYN    = seg{fromCli: true, flags: "S", seq: 1000}
	hsSYNACK = seg{flags: "SA", seq: 5000, ack: 1001}
	hsACK    = seg{fromCli: true, flags: "A", seq: 1001, ack: 5001}
)

func handshake(more ...seg) []seg { return append([]seg{hsSYN, hsSYNACK, hsACK}, more...) }

func TestConnStates(t *testing.T) {
	cases := []struct {
		name, state, history string
		segs                 []seg
	}{
		// S0: connection attempt seen, no reply.
		{"S0", "S0", "S", []seg{hsSYN}},
		// REJ: connection attempt rejected.
		{"REJ", "REJ", "Sr", []seg{hsSYN, {flags: "RA", seq: 0, ack: 1001}}},
		// S1: established, not terminated.
		{"S1", "S1", "ShA", handshake()},
		// SF: normal establishment and termination.
		{"SF", "SF", "ShADdFf", handshake(
			seg{fromCli: true, flags: "PA", seq: 1001, ack: 5001, data: 100},
			seg{flags: "PA", seq: 5001, ack: 1101, data: 200},
			seg{fromCli: true, flags: "A", seq: 1101, ack: 5201},
			seg{fromCli: true, flags: "FA", seq: 1101, ack: 5201},
			seg{flags: "FA", seq: 5201, ack: 1102},
			seg{fromCli: true, flags: "A", seq: 1102, ack: 5202})},
		// S2: established, close attempt by originator seen (no reply).
		{"S2", "S2", "ShAF", handshake(seg{fromCli: true, flags: "FA", seq: 1001, ack: 5001})},
		// S3: established, close attempt by responder seen.
		{"S3", "S3", "ShAf", handshake(seg{flags: "FA", seq: 5001, ack: 1001})},
		// RSTO: established, originator aborted.
		{"RSTO", "RSTO", "ShAR", handshake(seg{fromCli: true, flags: "R", seq: 1001})},
		// RSTR: responder sent a RST.
		{"RSTR", "RSTR", "ShAr", handshake(seg{flags: "R", seq: 5001})},
		// RSTOS0: originator sent a SYN followed by a RST, no SYN-ACK.
		{"RSTOS0", "RSTOS0", "SR", []seg{hsSYN, {fromCli: true, flags: "R", seq: 1001}}},
		// RSTRH: responder sent a SYN-ACK followed by a RST, no SYN.
		{"RSTRH", "RSTRH", "^hr", []seg{hsSYNACK, {flags: "R", seq: 5001}}},
		// SH: originator sent a SYN followed by a FIN, no SYN-ACK.
		{"SH", "SH", "SF", []seg{hsSYN, {fromCli: true, flags: "F", seq: 1001}}},
		// SHR: responder sent a SYN-ACK followed by a FIN, no SYN.
		{"SHR", "SHR", "^hf", []seg{hsSYNACK, {flags: "FA", seq: 5001, ack: 1001}}},
		// OTH: no SYN, midstream traffic (from the client's side).
		{"OTH", "OTH", "DdA", []seg{
			{fromCli: true, flags: "PA", seq: 1001, ack: 5001, data: 10},
			{flags: "PA", seq: 5001, ack: 1011, data: 10},
			{fromCli: true, flags: "A", seq: 1011, ack: 5011}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conns := runSegs(t, c.segs)
			if len(conns) != 1 {
				t.Fatalf("%d connections, want 1", len(conns))
			}
			if got := conns[0].State(); got != c.state {
				t.Errorf("conn_state %s, want %s", got, c.state)
			}
			if got := conns[0].History(); got != c.history {
				t.Errorf("history %q, want %q", got, c.history)
			}
		})
	}
}

func TestHistoryRepetition(t *testing.T) {
	// a, d once per side; s again only with a new sequence number; t and
	// w at the 1st, 10th, 100th occurrence.
	segs := []seg{hsSYN, hsSYN, {fromCli: true, flags: "S", seq: 3000}}
	conns := runSegs(t, segs)
	if h := conns[0].History(); h != "SS" {
		t.Errorf("SYN, same SYN, SYN with a new ISN: history %q, want SS", h)
	}

	segs = handshake()
	for range 12 { // the same data 12 times: 11 retransmissions
		segs = append(segs, seg{fromCli: true, flags: "PA", seq: 1001, ack: 5001, data: 50})
	}
	conns = runSegs(t, segs)
	c := conns[0]
	if h := c.History(); h != "ShADTT" {
		t.Errorf("11 retransmissions: history %q, want ShADTT", h)
	}
	if b := c.OrigBytes(); b != 50 {
		t.Errorf("orig_bytes %d with retransmissions, want 50 (counted once)", b)
	}
	if c.OrigPkts != 14 {
		t.Errorf("orig_pkts %d, want 14", c.OrigPkts)
	}

	segs = handshake()
	for range 10 {
		segs = append(segs, seg{flags: "A", seq: 5001, ack: 1001, zeroWin: true})
	}
	conns = runSegs(t, segs)
	if h := conns[0].History(); h != "ShAaww" {
		t.Errorf("10 zero windows from the responder: history %q, want ShAaww", h)
	}
}

func TestBytesAndGaps(t *testing.T) {
	segs := handshake(
		seg{fromCli: true, flags: "PA", seq: 1001, ack: 5001, data: 100},
		// 100 bytes (1101..1200) never captured.
		seg{fromCli: true, flags: "PA", seq: 1201, ack: 5001, data: 100},
		seg{flags: "A", seq: 5001, ack: 1301},
	)
	c := runSegs(t, segs)[0]
	if c.MissedBytes != 100 {
		t.Errorf("missed_bytes %d, want 100", c.MissedBytes)
	}
	if b := c.OrigBytes(); b != 300 {
		t.Errorf("orig_bytes %d, want 300 (sequence space, the gap included)", b)
	}
	if !strings.Contains(c.History(), "G") {
		t.Errorf("history %q lacks G for the originator's gap", c.History())
	}
	if c.OrigIPBytes != 2*40+2*140 {
		t.Errorf("orig_ip_bytes %d, want %d", c.OrigIPBytes, 2*40+2*140)
	}
}

func TestHandshakeRTT(t *testing.T) {
	segs := []seg{hsSYN, hsSYNACK, hsACK}
	segs[0].at, segs[1].at, segs[2].at = 1, 31, 36
	c := runSegs(t, segs)[0]
	total, server, client, ok := c.HandshakeRTT()
	if !ok || total != 35*time.Millisecond || server != 30*time.Millisecond || client != 5*time.Millisecond {
		t.Errorf("RTT %v %v %v %v, want 35ms 30ms 5ms", total, server, client, ok)
	}
}

func TestReuseAndStreams(t *testing.T) {
	// A closed connection, then a SYN with a new ISN on the same ports:
	// Zeek starts a new connection; tshark a new tcp.stream.
	segs := handshake(
		seg{fromCli: true, flags: "FA", seq: 1001, ack: 5001},
		seg{flags: "FA", seq: 5001, ack: 1002},
		seg{fromCli: true, flags: "A", seq: 1002, ack: 5002},
		seg{fromCli: true, flags: "S", seq: 9000},
	)
	conns := runSegs(t, segs)
	if len(conns) != 2 {
		t.Fatalf("%d connections, want 2", len(conns))
	}
	if conns[0].State() != "SF" || conns[1].State() != "S0" {
		t.Errorf("states %s %s, want SF S0", conns[0].State(), conns[1].State())
	}
	if conns[0].Stream != 0 || conns[1].Stream != 1 {
		t.Errorf("tcp.stream %d %d, want 0 1", conns[0].Stream, conns[1].Stream)
	}
}

func TestOriginatorFlip(t *testing.T) {
	// Midstream, the first packet from the server's port 80: the client
	// is the originator (Zeek's likely server ports).
	segs := []seg{{flags: "PA", seq: 5001, ack: 1001, data: 10}, {fromCli: true, flags: "A", seq: 1001, ack: 5011}}
	c := runSegs(t, segs)[0]
	o, r := c.Endpoints()
	if o.String() != cli || r.String() != srv || c.OrigPort != 40000 || c.RespPort != 80 {
		t.Errorf("originator %v:%d responder %v:%d, want the client", o, c.OrigPort, r, c.RespPort)
	}
	if !strings.HasPrefix(c.History(), "^") {
		t.Errorf("history %q does not mark the flip", c.History())
	}
}

func udpPacket(t testing.TB, src, dst string, sp, dp, n int, vlan int) []byte {
	t.Helper()
	var p *craft.Packet
	if vlan > 0 {
		p = craft.Ether().Div(craft.Dot1Q(kv("vlan", vlan))).Div(craft.IP(kv("src", src), kv("dst", dst)))
	} else {
		p = craft.Ether().Div(craft.IP(kv("src", src), kv("dst", dst)))
	}
	p = p.Div(craft.UDP(kv("sport", sp), kv("dport", dp))).Div(craft.Payload(make([]byte, n)))
	b, err := p.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUDP(t *testing.T) {
	frames := [][]byte{
		udpPacket(t, cli, srv, 5000, 53, 30, 0),
		udpPacket(t, srv, cli, 53, 5000, 90, 0),
		udpPacket(t, cli, srv, 5001, 53, 30, 0),
		// A reply whose query was not seen: the client still originates.
		udpPacket(t, srv, cli, 53, 5002, 90, 0),
	}
	conns := feed(t, flow.Config{}, frames, nil)
	want := []struct {
		state, hist string
		ob, rb      uint64
		stream      int32
	}{{"SF", "Dd", 30, 90, 0}, {"S0", "D", 30, 0, 1}, {"SHR", "^d", 0, 90, 2}}
	if len(conns) != len(want) {
		t.Fatalf("%d connections, want %d", len(conns), len(want))
	}
	for i, w := range want {
		c := &conns[i]
		if c.State() != w.state || c.History() != w.hist || c.OrigBytes() != w.ob || c.RespBytes() != w.rb || c.UDPStream != w.stream {
			t.Errorf("conn %d: %s %q %d %d stream %d, want %s %q %d %d stream %d", i, c.State(), c.History(),
				c.OrigBytes(), c.RespBytes(), c.UDPStream, w.state, w.hist, w.ob, w.rb, w.stream)
		}
	}
}

func TestKeyContext(t *testing.T) {
	// The same UDP tuple in VLANs 10 and 20: two connections by default,
	// one with Zeek's keying; tshark's udp.stream is one conversation.
	frames := [][]byte{udpPacket(t, cli, srv, 5000, 53, 30, 10), udpPacket(t, cli, srv, 5000, 53, 30, 20)}
	if n := len(feed(t, flow.Config{}, frames, nil)); n != 2 {
		t.Errorf("%d connections across two VLANs, want 2", n)
	}
	conns := feed(t, flow.Config{ZeekKeys: true}, frames, nil)
	if len(conns) != 1 || conns[0].OrigPkts != 2 {
		t.Errorf("Zeek keys: %d connections, want 1 with 2 packets", len(conns))
	}
	if conns[0].UDPStream != 0 {
		t.Errorf("udp.stream %d, want 0", conns[0].UDPStream)
	}
}

func icmpEcho(t testing.TB, src, dst string, typ, id int) []byte {
	t.Helper()
	b, err := craft.Ether().Div(craft.IP(kv("src", src), kv("dst", dst))).
		Div(craft.ICMP(kv("type", typ), kv("id", id))).Div(craft.Payload(make([]byte, 56))).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestICMP(t *testing.T) {
	frames := [][]byte{
		icmpEcho(t, cli, srv, 8, 1), icmpEcho(t, srv, cli, 0, 1),
		icmpEcho(t, cli, srv, 8, 2), icmpEcho(t, srv, cli, 0, 2),
	}
	conns := feed(t, flow.Config{}, frames, nil)
	if len(conns) != 2 {
		t.Fatalf("two echo identifiers: %d connections, want 2", len(conns))
	}
	c := conns[0]
	// Zeek: ICMP "ports" are the type and the counterpart type; bytes the
	// payload after the 8-byte header; conn_state OTH.
	if c.OrigPort != 8 || c.RespPort != 0 || c.OrigBytes() != 56 || c.RespBytes() != 56 || c.State() != "OTH" || c.ProtoName() != "icmp" {
		t.Errorf("echo: ports %d/%d bytes %d/%d state %s proto %s", c.OrigPort, c.RespPort, c.OrigBytes(), c.RespBytes(), c.State(), c.ProtoName())
	}
	if n := len(feed(t, flow.Config{ZeekKeys: true}, frames, nil)); n != 1 {
		t.Errorf("Zeek keys (no identifier): %d connections, want 1", n)
	}
}

func TestICMPErrorRelated(t *testing.T) {
	q, err := craft.IP(kv("src", cli), kv("dst", srv)).Div(craft.UDP(kv("sport", 5000), kv("dport", 53))).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	icmpErr, err := craft.Ether().Div(craft.IP(kv("src", srv), kv("dst", cli))).
		Div(craft.ICMP(kv("type", 3), kv("code", 3))).Div(craft.Payload(q[:28])).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	tab := flow.New(flow.Config{})
	p := &packet.Packet{}
	b := udpPacket(t, cli, srv, 5000, 53, 10, 0)
	p.SetFrame(b, 1, 1, t0, len(b))
	udp, _, _ := tab.Update(p)
	p.SetFrame(icmpErr, 1, 2, t0+1, len(icmpErr))
	c, _, isNew := tab.Update(p)
	if c == nil || !isNew || c.Proto != 1 || c.OrigPort != 3 || c.RespPort != 3 {
		t.Fatalf("ICMP error: not its own connection with type/code as ports")
	}
	if r := tab.Related(); r != udp {
		t.Errorf("Related() = %p, want the quoted UDP flow %p", r, udp)
	}
}

func TestLimits(t *testing.T) {
	var frames [][]byte
	for i := range 5 {
		frames = append(frames, udpPacket(t, cli, srv, 5000+i, 53, 10, 0))
	}
	tab := flow.New(flow.Config{MaxConns: 2, Finished: func(*flow.Conn) {}})
	p := &packet.Packet{}
	for i, b := range frames {
		p.SetFrame(b, 1, i+1, t0+int64(i), len(b))
		tab.Update(p)
	}
	st := tab.Stats()
	if st.Evicted != 3 || st.Active != 2 || st.Conns != 5 {
		t.Errorf("stats %+v, want 3 evicted, 2 active, 5 created", st)
	}
	// Idle timeout: UDP after a minute without packets.
	at := []int{0, 61_000}
	conns := feed(t, flow.Config{}, [][]byte{frames[0], frames[0]}, at)
	if len(conns) != 2 || !conns[0].Expired {
		t.Errorf("a packet 61 s later: %d connections (first expired %v), want 2", len(conns), len(conns) > 0 && conns[0].Expired)
	}
}

func TestIPv6(t *testing.T) {
	b, err := craft.Ether().Div(craft.IPv6(kv("src", "2001:db8::1"), kv("dst", "2001:db8::2"))).
		Div(craft.TCP(kv("sport", 40000), kv("dport", 443), kv("flags", "S"))).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	conns := feed(t, flow.Config{}, [][]byte{b}, nil)
	if len(conns) != 1 {
		t.Fatalf("%d connections", len(conns))
	}
	o, r := conns[0].Endpoints()
	if o.String() != "2001:db8::1" || r.String() != "2001:db8::2" || conns[0].State() != "S0" || conns[0].OrigIPBytes != 60 {
		t.Errorf("IPv6 SYN: %v -> %v %s %d", o, r, conns[0].State(), conns[0].OrigIPBytes)
	}
}

// TestLookup: Lookup finds the connection and direction Update gave each
// packet (TCP both ways, UDP in a VLAN, an ICMP echo and its reply), finds
// nothing for a flow the table does not hold, and changes nothing: the
// counters and the last packet's stream numbers stay.
func TestLookup(t *testing.T) {
	frames := [][]byte{
		udpPacket(t, cli, srv, 5000, 53, 30, 7), udpPacket(t, srv, cli, 53, 5000, 90, 7),
		icmpEcho(t, cli, srv, 8, 1), icmpEcho(t, srv, cli, 0, 1),
		tcpPacket(t, hsSYN), tcpPacket(t, hsSYNACK), tcpPacket(t, hsACK),
	}
	tab := flow.New(flow.Config{})
	type got struct {
		c   *flow.Conn
		dir flow.Direction
	}
	var want []got
	for i, b := range frames {
		p := &packet.Packet{}
		p.SetFrame(b, 1, i+1, t0+int64(i), len(b))
		c, dir, _ := tab.Update(p)
		if c == nil {
			t.Fatalf("frame %d: no connection", i+1)
		}
		want = append(want, got{c, dir})
	}
	st := tab.Stats()
	streams := append([]flow.Stream(nil), tab.Streams()...)
	for i, b := range frames {
		p := &packet.Packet{}
		p.SetFrame(b, 1, i+1, t0+int64(i), len(b))
		c, dir := tab.Lookup(p)
		if c != want[i].c || dir != want[i].dir {
			t.Errorf("frame %d: Lookup gave %p %d, Update %p %d", i+1, c, dir, want[i].c, want[i].dir)
		}
	}
	for _, b := range [][]byte{
		tcpPacket(t, seg{fromCli: true, flags: "S", seq: 1, sport: 40001}), // another port
		udpPacket(t, cli, srv, 5000, 53, 30, 8),                            // another VLAN
		icmpEcho(t, cli, srv, 8, 2),                                        // another echo id
	} {
		p := &packet.Packet{}
		p.SetFrame(b, 1, 1, t0, len(b))
		if c, _ := tab.Lookup(p); c != nil {
			t.Errorf("Lookup found connection %d for a flow never seen", c.Index)
		}
	}
	if tab.Stats() != st {
		t.Errorf("Lookup changed the counters: %+v, was %+v", tab.Stats(), st)
	}
	if s := tab.Streams(); len(streams) != 1 || len(s) != 1 || s[0] != streams[0] {
		t.Errorf("Lookup changed the last packet's streams: %v, was %v", s, streams)
	}
}

// TestStreamsForgotten: with room for two conversations, a third makes the
// numbering forget them all (Config.MaxStreams), so a packet of the first
// connection afterwards starts a new stream number (the next one), even
// though its connection is still in the table.
func TestStreamsForgotten(t *testing.T) {
	tab := flow.New(flow.Config{MaxStreams: 2})
	want := []int32{0, 1, 2, 3}
	for i, port := range []uint16{40001, 40002, 40003, 40001} {
		b := tcpPacket(t, seg{fromCli: true, flags: "A", seq: 1001, ack: 5001, sport: port})
		p := &packet.Packet{}
		p.SetFrame(b, 1, i+1, t0+int64(i), len(b))
		tab.Update(p)
		s := tab.Streams()
		if len(s) != 1 || s[0].N != want[i] {
			t.Fatalf("packet %d (port %d): streams %v, want tcp.stream %d", i+1, port, s, want[i])
		}
	}
	if st := tab.Stats(); st.StreamResets != 1 || st.Conns != 3 {
		t.Errorf("%d resets, %d connections; want 1 and 3", st.StreamResets, st.Conns)
	}
}
