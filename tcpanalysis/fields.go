package tcpanalysis

import (
	"pktkit/flow"
	"pktkit/layers"
	"pktkit/packet"
)

// Analysis is the TCP analysis as a packet analysis: walkers run it over
// every packet when a field below is read (packet.AnalysesFor).
var Analysis = packet.RegisterAnalysis(&packet.Analysis{Name: "tcp", New: newAnalyzer})

// LayerResult is the analysis of one TCP layer of a packet.
type LayerResult struct {
	Layer int // index of the TCP layer in the packet's layers
	Result
}

// Note is what the analysis leaves on a packet (Packet.Note(Analysis)):
// one result per analysed TCP layer, in layer order.
type Note struct {
	Layers []LayerResult
}

// Get returns the result of the TCP layer at index i, or nil.
func (n *Note) Get(i int) *Result {
	for k := range n.Layers {
		if n.Layers[k].Layer == i {
			return &n.Layers[k].Result
		}
	}
	return nil
}

// Analyzer runs the analysis over one walk: the stream numbering of
// package flow, then a Tracker.
type Analyzer struct {
	streams packet.Analyzer
	needs   *packet.Needs
	t       *Tracker
	note    Note
	seg     Segment
}

func newAnalyzer() packet.Analyzer { return NewAnalyzer(Config{}) }

// NewAnalyzer returns an analyzer with the given bounds.
func NewAnalyzer(cfg Config) *Analyzer {
	s := flow.StreamAnalysis.New()
	return &Analyzer{streams: s, needs: s.Needs(), t: NewTracker(cfg)}
}

// Needs returns the protocols the analysis reads.
func (a *Analyzer) Needs() *packet.Needs { return a.needs }

// Tracker returns the analyzer's tracker (for its Stats).
func (a *Analyzer) Tracker() *Tracker { return a.t }

// Analyze analyses the TCP layers of the next packet in file order and
// leaves a *Note on it.
func (a *Analyzer) Analyze(p *packet.Packet) {
	a.streams.Analyze(p)
	a.note.Layers = a.note.Layers[:0]
	ss, _ := p.Note(flow.StreamAnalysis).(*[]flow.Stream)
	if ss == nil {
		p.SetNote(Analysis, &a.note)
		return
	}
	ls := p.LayersFor(a.needs)
	for _, st := range *ss {
		if !st.TCP || st.Layer < 0 || st.Layer >= len(ls) {
			continue
		}
		l := &ls[st.Layer]
		s := &a.seg
		*s = Segment{Frame: uint32(p.Number), Time: p.Timestamp, Stream: st.N, Side: st.Side, Reused: st.Reused,
			Header: l.Data}
		if len(l.Data) >= 13 && !inErrorPacket(l) && !l.Partial() {
			hlen := int(l.Data[12]>>4) * 4
			if l.Reported >= hlen {
				s.SegLen, s.HaveLen = uint32(l.Reported-hlen), true
			}
		}
		a.note.Layers = append(a.note.Layers, LayerResult{Layer: st.Layer})
		r := &a.note.Layers[len(a.note.Layers)-1]
		if !a.t.Track(s, &r.Result) {
			a.note.Layers = a.note.Layers[:len(a.note.Layers)-1]
		}
	}
	p.SetNote(Analysis, &a.note)
}

// inErrorPacket reports whether l lies in the packet an ICMP or ICMPv6
// error quotes: tshark numbers such a header in its conversation but does
// not analyse it (no relative numbers, no length, no flags). ICMP layers
// mark what they quote (Layer.Quoted); the ICMPv6 error tables do not, so
// their layers are recognised here.
func inErrorPacket(l *packet.Layer) bool {
	if l.Quoted() {
		return true
	}
	for p := l.Parent(); p != nil; p = p.Parent() {
		switch p.Proto {
		case layers.ICMPv6DestUnreach, layers.ICMPv6PacketTooBig, layers.ICMPv6TimeExceeded, layers.ICMPv6ParamProblem:
			return true
		}
	}
	return false
}

// result returns the analysis of TCP layer l, or nil.
func result(l *packet.Layer) *Result {
	n, ok := l.Packet().Note(Analysis).(*Note)
	if !ok {
		return nil
	}
	return n.Get(l.Index)
}

func uintField(ws string, bits int, get func(r *Result) (uint64, bool)) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.Uint, Bits: bits, Analysis: Analysis,
		Get: func(l *packet.Layer) (packet.Value, bool) {
			r := result(l)
			if r == nil {
				return packet.Value{}, false
			}
			v, ok := get(r)
			return packet.Value{U: v}, ok
		}}
}

func timeField(ws string, get func(r *Result) (int64, bool)) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.Time, Analysis: Analysis,
		Get: func(l *packet.Layer) (packet.Value, bool) {
			r := result(l)
			if r == nil {
				return packet.Value{}, false
			}
			v, ok := get(r)
			return packet.Value{U: uint64(v)}, ok
		}}
}

// flagField is an analysis flag: present (value 1) or absent.
func flagField(ws string, mask uint16) *packet.Virtual {
	return uintField(ws, 8, func(r *Result) (uint64, bool) { return 1, r.Analysis && r.Flags&mask != 0 })
}

// FlagFields maps each tcp.analysis.* flag field to the flags that set it
// (tcp.analysis.retransmission is set by the fast and spurious kinds too).
var FlagFields = []struct {
	WS   string
	Mask uint16
}{
	{"tcp.analysis.retransmission", Retransmission | FastRetransmission | SpuriousRetransmission},
	{"tcp.analysis.fast_retransmission", FastRetransmission},
	{"tcp.analysis.spurious_retransmission", SpuriousRetransmission},
	{"tcp.analysis.out_of_order", OutOfOrder},
	{"tcp.analysis.lost_segment", LostSegment},
	{"tcp.analysis.ack_lost_segment", AckLostSegment},
	{"tcp.analysis.duplicate_ack", DuplicateAck},
	{"tcp.analysis.zero_window", ZeroWindow},
	{"tcp.analysis.zero_window_probe", ZeroWindowProbe},
	{"tcp.analysis.zero_window_probe_ack", ZeroWindowProbeAck},
	{"tcp.analysis.window_full", WindowFull},
	{"tcp.analysis.window_update", WindowUpdate},
	{"tcp.analysis.keep_alive", KeepAlive},
	{"tcp.analysis.keep_alive_ack", KeepAliveAck},
	{"tcp.analysis.reused_ports", ReusedPorts},
}

func init() {
	vs := []*packet.Virtual{
		{WS: "tcp.seq", Type: packet.Uint, Bits: 32, Need: 8, Analysis: Analysis, Get: func(l *packet.Layer) (packet.Value, bool) {
			if r := result(l); r != nil {
				return packet.Value{U: uint64(r.Seq)}, true
			}
			// A header quoted in an ICMP error too short to be numbered:
			// tshark still shows its (raw) sequence number.
			if l.Quoted() && len(l.Data) >= 8 {
				return packet.Value{U: uint64(be32(l.Data[4:]))}, true
			}
			return packet.Value{}, false
		}},
		uintField("tcp.ack", 32, func(r *Result) (uint64, bool) { return uint64(r.Ack), r.HaveAck }),
		uintField("tcp.nxtseq", 32, func(r *Result) (uint64, bool) { return uint64(r.NxtSeq), r.HaveLen }),
		uintField("tcp.completeness", 8, func(r *Result) (uint64, bool) { return uint64(r.Completeness), r.HaveAck || r.Bogus }),
		uintField("tcp.window_size", 32, func(r *Result) (uint64, bool) { return uint64(r.Window), !r.Bogus }),
		timeField("tcp.time_relative", func(r *Result) (int64, bool) { return r.TimeRelative, !r.Bogus }),
		timeField("tcp.time_delta", func(r *Result) (int64, bool) { return r.TimeDelta, !r.Bogus }),
		uintField("tcp.analysis", 8, func(r *Result) (uint64, bool) { return 1, r.Analysis }),
		uintField("tcp.analysis.flags", 8, func(r *Result) (uint64, bool) { return 1, r.Analysis && r.Flags != 0 }),
		uintField("tcp.analysis.duplicate_ack_num", 32, func(r *Result) (uint64, bool) {
			return uint64(r.DupAckNum), r.Analysis && r.DupAckNum != 0
		}),
		uintField("tcp.analysis.duplicate_ack_frame", 32, func(r *Result) (uint64, bool) {
			return uint64(r.DupAckFrame), r.Analysis && r.DupAckNum != 0
		}),
		uintField("tcp.analysis.acks_frame", 32, func(r *Result) (uint64, bool) {
			return uint64(r.AcksFrame), r.Analysis && r.AcksFrame != 0
		}),
		timeField("tcp.analysis.ack_rtt", func(r *Result) (int64, bool) {
			return r.AckRTT, r.Analysis && r.AcksFrame != 0 && r.AckRTT != 0
		}),
		timeField("tcp.analysis.initial_rtt", func(r *Result) (int64, bool) {
			return r.InitialRTT, r.Analysis && r.InitialRTT != 0
		}),
		uintField("tcp.analysis.bytes_in_flight", 32, func(r *Result) (uint64, bool) {
			return uint64(r.BytesInFlight), r.Analysis && r.BytesInFlight != 0
		}),
	}
	for _, f := range FlagFields {
		vs = append(vs, flagField(f.WS, f.Mask))
	}
	packet.AddVirtual(layers.TCP, vs...)
}
