// Package examples holds pktkit scripts (pktkit run examples/NAME.star);
// this test runs each on a capture it crafts.
package examples

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pktkit/capture"
	"pktkit/craft"
	"pktkit/shell"
)

func kv(n string, v any) craft.KV { return craft.KV{Name: n, Value: v} }

func eth() *craft.Packet {
	return craft.Ether(kv("src", "02:00:00:00:00:01"), kv("dst", "02:00:00:00:00:02"))
}

func ip(src, dst string) *craft.Packet { return craft.IP(kv("src", src), kv("dst", dst)) }

// write writes packets to a pcap file and returns its path and the
// frames' bytes.
func write(t *testing.T, pkts ...*craft.Packet) (string, [][]byte) {
	t.Helper()
	var buf bytes.Buffer
	w, err := capture.NewPcapWriter(&buf, 1, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	var frames [][]byte
	for i, p := range pkts {
		b, err := p.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, b)
		if err := w.WriteRecord(&capture.Record{Timestamp: int64(i+1) * 1e9, Data: b, CapLen: len(b), OrigLen: len(b)}); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	path := filepath.Join(t.TempDir(), "in.pcap")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, frames
}

// runExample runs examples/NAME with args and returns its output.
func runExample(t *testing.T, name string, args ...string) string {
	t.Helper()
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := shell.Run(name, src, append([]string{name}, args...), &out); err != nil {
		t.Fatalf("%s: %s", name, shell.FormatError(err))
	}
	return out.String()
}

func TestCount(t *testing.T) {
	var pkts []*craft.Packet
	for i := 0; i < 37; i++ {
		pkts = append(pkts, eth().Div(ip("192.0.2.1", "192.0.2.2")).Div(craft.UDP(kv("dport", 1000+i))))
	}
	path, _ := write(t, pkts...)
	if got := runExample(t, "count.star", path); got != "37\n" {
		t.Errorf("count: %q, want 37", got)
	}
}

func TestTCPChecksums(t *testing.T) {
	path, frames := write(t,
		eth().Div(ip("192.0.2.1", "192.0.2.2")).Div(craft.TCP(kv("dport", 80), kv("flags", "S"))),
		eth().Div(ip("192.0.2.1", "192.0.2.2")).Div(craft.UDP()),
		eth().Div(ip("192.0.2.2", "192.0.2.1")).Div(craft.TCP(kv("sport", 80), kv("flags", "SA"))).Div(craft.Payload([]byte("x"))),
		eth().Div(ip("192.0.2.2", "192.0.2.1")).Div(craft.TCP(kv("chksum", 0x1234))),
	)
	// The checksum is at TCP offset 16, after Ethernet (14) and IPv4 (20).
	var want strings.Builder
	for i, f := range frames {
		if i == 1 {
			continue
		}
		fmt.Fprintf(&want, "%d %#x\n", i+1, binary.BigEndian.Uint16(f[14+20+16:]))
	}
	if got := runExample(t, "tcp_checksums.star", path); got != want.String() {
		t.Errorf("checksums:\n%s\nwant\n%s", got, want.String())
	}
}

func TestPortMessage(t *testing.T) {
	const msg = "Meet at 10!"
	var pkts []*craft.Packet
	for i, c := range msg {
		pkts = append(pkts, eth().Div(ip("192.0.2.1", "192.0.2.2")).Div(craft.TCP(kv("sport", 40000), kv("dport", int(c)), kv("seq", i))))
		if i%3 == 0 { // noise: UDP packets do not carry the message
			pkts = append(pkts, eth().Div(ip("192.0.2.1", "192.0.2.2")).Div(craft.UDP(kv("dport", 7))))
		}
	}
	path, _ := write(t, pkts...)
	if got := runExample(t, "port_message.star", path); got != msg+"\n" {
		t.Errorf("message %q, want %q", got, msg)
	}
}

func TestICMPExfil(t *testing.T) {
	secret := []byte("The quick brown fox jumps over the lazy dog; 0123456789abcdef!!?") // 4 chunks of 16
	var pkts []*craft.Packet
	for i := 0; i < len(secret); i += 16 {
		payload := append(bytes.Repeat([]byte{'P'}, 16), secret[i:min(i+16, len(secret))]...)
		payload = append(payload, []byte("trailer")...)
		pkts = append(pkts,
			eth().Div(ip("192.0.2.1", "192.0.2.2")).Div(craft.ICMP(kv("type", 8), kv("id", 7), kv("seq", i/16))).Div(craft.Payload(payload)),
			// The reply echoes it; it must not be counted twice.
			eth().Div(ip("192.0.2.2", "192.0.2.1")).Div(craft.ICMP(kv("type", 0), kv("id", 7), kv("seq", i/16))).Div(craft.Payload(payload)))
	}
	path, _ := write(t, pkts...)
	out := filepath.Join(t.TempDir(), "out.bin")
	msg := runExample(t, "icmp_exfil.star", path, out)
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, secret) {
		t.Errorf("rebuilt %q, want %q", got, secret)
	}
	if want := fmt.Sprintf("wrote %d bytes to %s\n", len(secret), out); msg != want {
		t.Errorf("printed %q, want %q", msg, want)
	}
}

func TestTelnetOptions(t *testing.T) {
	tcp := func(sport, dport int, payload string) *craft.Packet {
		p := eth().Div(ip("192.0.2.1", "192.0.2.2")).Div(craft.TCP(kv("sport", sport), kv("dport", dport), kv("flags", "PA")))
		if payload != "" {
			p = p.Div(craft.Payload([]byte(payload)))
		}
		return p
	}
	path, _ := write(t,
		tcp(23, 50000, "\xff\xfb\x01\xff\xfd\x03"), // IAC WILL ECHO, IAC DO SUPPRESS-GO-AHEAD
		tcp(50000, 23, "login: "),
		tcp(50000, 23, "\xff\x41\x42"), // 0xff not followed by an option command
		tcp(50000, 23, ""),
		eth().Div(ip("192.0.2.1", "192.0.2.2")).Div(craft.UDP(kv("dport", 23))).Div(craft.Payload([]byte("\xff\xfc\x18"))), // UDP: not TCP
		tcp(50000, 23, "ab\xff\xfe\x1f"), // IAC DONT NAWS
	)
	want := "1 192.0.2.1:23 > 192.0.2.2:50000 WILL 1, DO 3\n" +
		"6 192.0.2.1:50000 > 192.0.2.2:23 DONT 31\n"
	if got := runExample(t, "telnet_options.star", path); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestTimeline(t *testing.T) {
	c, s := "192.0.2.1", "192.0.2.2"
	tcp := func(src, dst string, sport, dport, seq, ack int, flags string, load string) *craft.Packet {
		p := eth().Div(ip(src, dst)).Div(craft.TCP(kv("sport", sport), kv("dport", dport), kv("seq", seq), kv("ack", ack), kv("flags", flags)))
		if load != "" {
			p = p.Div(craft.Payload([]byte(load)))
		}
		return p
	}
	req, resp := "GET /x\r\n\r\n", "HTTP/1.0 200 OK\r\n\r\nhi"
	path, _ := write(t,
		tcp(c, s, 40000, 80, 100, 0, "S", ""),
		tcp(s, c, 80, 40000, 500, 101, "SA", ""),
		tcp(c, s, 40000, 80, 101, 501, "A", ""),
		tcp(c, s, 40000, 80, 101, 501, "PA", req),
		tcp(s, c, 80, 40000, 501, 101+len(req), "PA", resp),
		tcp(s, c, 80, 40000, 501+len(resp), 101+len(req), "FA", ""),
		tcp(c, s, 40000, 80, 101+len(req), 502+len(resp), "FA", ""),
		tcp(s, c, 80, 40000, 502+len(resp), 102+len(req), "A", ""),
		// another connection, not asked for
		tcp(c, s, 40001, 80, 7, 0, "S", ""),
	)
	for _, arg := range []string{"0", "192.0.2.2:80,192.0.2.1:40000"} {
		out := runExample(t, "timeline.star", path, arg)
		for _, want := range []string{
			"client " + c + ":40000, server " + s + ":80",
			fmt.Sprintf("client sent %d bytes in 4 packets (0 retransmitted), server %d bytes in 4 packets", len(req), len(resp)),
			"ended: closed, FIN first from the server (frame 6)",
			"handshake RTT 2s", // the packets are a second apart
		} {
			if !strings.Contains(out, want) {
				t.Errorf("timeline %s lacks %q:\n%s", arg, want, out)
			}
		}
		// Relative numbers: the request starts at seq 1 and the server's
		// FIN at its response's length + 1.
		var lines []string
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) >= 8 && (f[2] == "-->" || f[2] == "<--") {
				lines = append(lines, strings.Join(f[:7], " "))
			}
		}
		wantLines := []string{
			"4 3.000000 --> PA 1 1 " + fmt.Sprint(len(req)),
			fmt.Sprintf("6 5.000000 <-- FA %d %d 0", 1+len(resp), 1+len(req)),
		}
		if len(lines) != 8 || lines[3] != wantLines[0] || lines[5] != wantLines[1] {
			t.Errorf("timeline %s: packet lines %q, want 8 with %q", arg, lines, wantLines)
		}
	}
}
