package shell

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"pktkit/capture"
	"pktkit/flow"
	"pktkit/follow"
	"pktkit/packet"
	"pktkit/reassembly"
	"pktkit/walk"
)

const sampleCapture = "../testdata/sample.pcap"

// TestConnAndFollow: conn(pkts) and follow(pkts, n) print what the
// library prints for the same capture read from its file (the commands
// print the same), and follow returns each side's bytes.
func TestConnAndFollow(t *testing.T) {
	// The connections and stream 0, straight from the file.
	var conns []flow.Conn
	tb := flow.New(flow.Config{Finished: func(c *flow.Conn) { conns = append(conns, *c) }})
	var first, last int64
	err := walk.File(sampleCapture, walk.Options{}, func(p *packet.Packet, rec *capture.Record) error {
		if first == 0 {
			first = p.Timestamp
		}
		last = max(last, p.Timestamp)
		tb.Update(p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tb.Flush()
	var want bytes.Buffer
	if err := flow.WriteLog(&want, conns, flow.LogTSV, first, last); err != nil {
		t.Fatal(err)
	}
	var c *follow.Conv
	if err := follow.Walk(sampleCapture, follow.Limits{}, nil, func(p *packet.Packet, s follow.Segment) {
		if !s.UDP && s.Stream == 0 {
			if c == nil {
				c = follow.NewConv(s, reassembly.Config{}, nil)
			}
			c.Add(p, s)
		}
	}); err != nil || c == nil {
		t.Fatalf("follow.Walk: %v", err)
	}
	c.Close()
	var wantFollow bytes.Buffer
	c.Print(&wantFollow, "hex", -1)
	if len(c.Bytes(0)) == 0 || len(c.Bytes(1)) == 0 {
		t.Fatal("stream 0 carries no data")
	}

	got := run(t, `pkts = rdpcap("`+sampleCapture+`")
conn(pkts, format="tsv")
c, s = follow(pkts, 0, format="hex")
print(len(c), len(s))
`)
	rest, ok := strings.CutPrefix(got, want.String())
	if !ok {
		t.Fatalf("conn(pkts) printed:\n%.400s\nwant:\n%.400s", got, want.String())
	}
	rest, ok = strings.CutPrefix(rest, wantFollow.String())
	if !ok {
		t.Fatalf("follow(pkts, 0) printed:\n%.400s\nwant:\n%.400s", rest, wantFollow.String())
	}
	if want := strconv.Itoa(len(c.Bytes(0))) + " " + strconv.Itoa(len(c.Bytes(1))); strings.TrimSpace(rest) != want {
		t.Errorf("follow returned sides of %q bytes, want %q", strings.TrimSpace(rest), want)
	}
	var out bytes.Buffer
	err = Run("t.star", []byte(`follow(rdpcap("`+sampleCapture+`"), 999)`), nil, &out)
	if err == nil || !strings.Contains(err.Error(), "no TCP stream 999") {
		t.Errorf("follow of a missing stream: %v", err)
	}
}
