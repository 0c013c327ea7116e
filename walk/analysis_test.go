package walk_test

import (
	"strconv"
	"testing"

	"pktkit/capture"
	"pktkit/packet"
	"pktkit/walk"
)

// counter is a test analysis: its note on each packet is how many packets
// it has seen, which equals the packet's number only if it sees every
// packet, in order.
type counter struct{ n uint64 }

var countAnalysis = packet.RegisterAnalysis(&packet.Analysis{Name: "count", New: func() packet.Analyzer { return &counter{} }})

func (c *counter) Needs() *packet.Needs { return nil }
func (c *counter) Analyze(p *packet.Packet) {
	c.n++
	p.SetNote(countAnalysis, &c.n)
}

func init() {
	packet.AddVirtual(packet.Frame, &packet.Virtual{WS: "frame.test_seen", Type: packet.Uint, Bits: 64, Analysis: countAnalysis,
		Get: func(l *packet.Layer) (packet.Value, bool) {
			n, ok := l.Packet().Note(countAnalysis).(*uint64)
			if !ok {
				return packet.Value{}, false
			}
			return packet.Value{U: *n}, true
		}})
}

// TestAnalysesSeeEveryPacket: an analysis runs over every packet in file
// order, including those Skip, Want and Filter leave out, whatever the
// number of workers asked for.
func TestAnalysesSeeEveryPacket(t *testing.T) {
	ref, err := packet.LookupField("frame.test_seen")
	if err != nil {
		t.Fatal(err)
	}
	as := packet.AnalysesFor(ref)
	if len(as) != 1 || as[0] != countAnalysis {
		t.Fatalf("AnalysesFor = %v", as)
	}
	if n, _ := packet.LookupField("frame.number"); len(packet.AnalysesFor(n)) != 0 {
		t.Fatal("frame.number needs an analysis")
	}
	odd := func() func(p *packet.Packet) bool { return func(p *packet.Packet) bool { return p.Number%2 == 1 } }
	for _, opt := range []walk.Options{{}, {Skip: 5}, {Want: func(n int) bool { return n%3 == 0 }}, {Filter: odd}, {Skip: 2, Count: 9}} {
		opt.Analyses = as
		check := func(how string, p *packet.Packet, rec *capture.Record) error {
			got := string(p.AppendField(nil, ref, ','))
			if want := strconv.Itoa(rec.Number); got != want {
				t.Fatalf("%s %+v: packet %d saw %q", how, opt, rec.Number, got)
			}
			return nil
		}
		visits := 0
		if err := walk.File(sample, opt, func(p *packet.Packet, rec *capture.Record) error {
			visits++
			return check("File", p, rec)
		}); err != nil {
			t.Fatal(err)
		}
		if visits == 0 {
			t.Fatalf("%+v: nothing visited", opt)
		}
		r, err := capture.Open(sample)
		if err != nil {
			t.Fatal(err)
		}
		pv := 0
		err = walk.Pipeline(r, opt, 2, func() func(p *packet.Packet, rec *capture.Record, acc *int) error {
			return func(p *packet.Packet, rec *capture.Record, acc *int) error {
				*acc++
				return check("Pipeline", p, rec)
			}
		}, func(b *walk.Batch[int]) error { pv += b.Acc; b.Acc = 0; return nil })
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if opt.Filter == nil && pv != visits {
			t.Errorf("%+v: Pipeline visited %d packets, File %d", opt, pv, visits)
		}
	}
	// Without the analysis, the field is absent.
	p := packet.New([]byte{1, 2, 3}, 1)
	if got := p.AppendField(nil, ref, ','); len(got) != 0 {
		t.Errorf("unanalysed packet: %q", got)
	}
}
