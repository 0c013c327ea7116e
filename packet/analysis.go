package packet

import "fmt"

// An Analysis computes per-packet values that depend on earlier packets of
// the same capture: a conversation's stream number, relative sequence
// numbers, retransmission flags. Such values are Wireshark fields like any
// other (tcp.stream, tcp.analysis.retransmission): the analysis declares
// them as Virtual fields of a protocol (AddVirtual) whose Get reads the
// analysis's note on the packet (Packet.Note).
//
// The engine knows no analysis. A package registers one (RegisterAnalysis),
// and whoever walks a capture asks which analyses the fields it reads need
// (AnalysesFor), makes one Analyzer of each per walk, and hands it every
// packet in file order, filtered out or not, before any field of the
// packet is read.
type Analysis struct {
	Name string          // short name, for messages ("tcp", "flow")
	New  func() Analyzer // a fresh analyzer, for one walk over one capture
	id   int
}

// Analyzer is the state of one analysis over one walk.
type Analyzer interface {
	// Needs returns the protocols Analyze reads (for Packet.LayersFor).
	Needs() *Needs
	// Analyze looks at the next packet in file order and leaves its
	// results on it with Packet.SetNote. The note stays valid until the
	// next call.
	Analyze(p *Packet)
}

// maxAnalyses bounds the registered analyses (a packet keeps one note
// slot per analysis).
const maxAnalyses = 8

var analyses []*Analysis

// RegisterAnalysis registers an analysis at init time and returns it.
func RegisterAnalysis(a *Analysis) *Analysis {
	regMu.Lock()
	defer regMu.Unlock()
	if a.Name == "" || a.New == nil {
		panic("packet: an analysis needs a name and New")
	}
	if len(analyses) == maxAnalyses {
		panic(fmt.Sprintf("packet: more than %d analyses", maxAnalyses))
	}
	a.id = len(analyses)
	analyses = append(analyses, a)
	return a
}

// AddVirtual adds computed fields to a registered protocol, from a package
// other than the protocol's own: an analysis presents its results as
// fields of the protocol it analyses (Virtual.Analysis names it). Call it
// at init time.
func AddVirtual(p *Protocol, vs ...*Virtual) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, v := range vs {
		if v.Get == nil || v.WS == "" {
			panic("packet: " + p.Name + ": an added field needs a Wireshark name and Get")
		}
		v.proto = p
		p.Virtual = append(p.Virtual, v)
		addWS(v.WS, &FieldRef{Proto: p, Virtual: v})
	}
}

// SetNote leaves analysis a's result for this packet (a pointer the
// analyzer reuses, so that nothing is allocated per packet). Reset clears
// the notes.
func (p *Packet) SetNote(a *Analysis, v any) {
	p.notes[a.id] = v
	p.noted = true
}

// Note returns analysis a's result for this packet, or nil if it was not
// analysed.
func (p *Packet) Note(a *Analysis) any {
	return p.notes[a.id]
}

// Analysis returns the analysis whose result the field reads, or nil for
// a field read from the packet alone.
func (r *FieldRef) Analysis() *Analysis {
	if r.Virtual != nil {
		return r.Virtual.Analysis
	}
	return nil
}

// AnalysesFor returns the analyses the fields need, each once, in
// registration order.
func AnalysesFor(refs ...*FieldRef) []*Analysis {
	var seen [maxAnalyses]bool
	for _, r := range refs {
		for _, a := range append([]*FieldRef{r}, r.alts...) {
			if x := a.Analysis(); x != nil {
				seen[x.id] = true
			}
		}
	}
	var out []*Analysis
	regMu.RLock()
	defer regMu.RUnlock()
	for i, a := range analyses {
		if seen[i] {
			out = append(out, a)
		}
	}
	return out
}

// Analyzers is a set of analyzers run together over one walk.
type Analyzers struct {
	list  []Analyzer
	needs *Needs
}

// NewAnalyzers makes one analyzer of each analysis, once each whatever the
// repeats (nil when there are none, which Run accepts).
func NewAnalyzers(as []*Analysis) *Analyzers {
	if len(as) == 0 {
		return nil
	}
	z := &Analyzers{}
	var seen [maxAnalyses]bool
	for _, a := range as {
		if seen[a.id] {
			continue
		}
		seen[a.id] = true
		an := a.New()
		z.list = append(z.list, an)
		if n := an.Needs(); n != nil {
			if z.needs == nil {
				z.needs = n
			} else {
				z.needs = z.needs.union(n)
			}
		}
	}
	return z
}

// Run hands p, the next packet in file order, to every analyzer.
func (z *Analyzers) Run(p *Packet) {
	if z == nil {
		return
	}
	p.LayersFor(z.needs)
	for _, a := range z.list {
		a.Analyze(p)
	}
}
