package flow

import (
	"pktkit/layers"
	"pktkit/packet"
)

// StreamAnalysis numbers TCP and UDP conversations as tshark does, for the
// fields tcp.stream and udp.stream: usable in `pktkit fields`, display
// filters and export like any field. Walkers run it over every packet
// (packet.AnalysesFor tells them when).
var StreamAnalysis = packet.RegisterAnalysis(&packet.Analysis{Name: "flow", New: newStreamAnalyzer})

// streamAnalyzer runs a connection table over a walk and notes each
// packet's stream numbers.
type streamAnalyzer struct {
	t    *Table
	note []Stream
}

func newStreamAnalyzer() packet.Analyzer {
	// Streams only: the table's connections are bounded as usual, and
	// its numbering needs nothing else.
	return &streamAnalyzer{t: New(Config{})}
}

func (a *streamAnalyzer) Needs() *packet.Needs {
	initKinds()
	return needs
}

func (a *streamAnalyzer) Analyze(p *packet.Packet) {
	a.t.Update(p)
	a.note = a.t.Streams()
	p.SetNote(StreamAnalysis, &a.note)
}

// streamField is tcp.stream or udp.stream: the number of the layer's own
// conversation.
func streamField(ws string, tcp bool) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.Uint, Bits: 32, Analysis: StreamAnalysis,
		Get: func(l *packet.Layer) (packet.Value, bool) {
			ss, ok := l.Packet().Note(StreamAnalysis).(*[]Stream)
			if !ok {
				return packet.Value{}, false
			}
			for _, s := range *ss {
				if s.Layer == l.Index && s.TCP == tcp {
					return packet.Value{U: uint64(s.N)}, true
				}
			}
			return packet.Value{}, false
		}}
}

func init() {
	packet.AddVirtual(layers.TCP, streamField("tcp.stream", true))
	packet.AddVirtual(layers.UDP, streamField("udp.stream", false))
}
