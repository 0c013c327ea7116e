package craft

import (
	"sort"
	"strings"
	"sync"

	"pktkit/packet"
)

// Class is a Scapy class: the protocol table (or tables, for variants that
// share a name, such as DNS resource records by type) it builds.
type Class struct {
	Name   string
	Protos []*packet.Protocol
}

// scapyNames maps Scapy class names to table names where they differ.
var scapyNames = map[string]string{
	"NTP": "NTPHeader",
}

var (
	classOnce sync.Once
	classes   map[string]*Class
	elemOf    map[*packet.Protocol]func([]byte) *packet.Protocol // variant chooser of list elements
)

func initClasses() {
	classes = map[string]*Class{}
	elemOf = map[*packet.Protocol]func([]byte) *packet.Protocol{}
	for _, p := range packet.Protocols() {
		if p.Name == "Frame" {
			continue
		}
		name := ident(p.Name)
		c := classes[name]
		if c == nil {
			c = &Class{Name: name}
			classes[name] = c
		}
		c.Protos = append(c.Protos, p)
		for _, f := range p.Fields {
			if f.Type == packet.List && f.Elem != nil {
				for _, e := range f.Elems {
					if elemOf[e] == nil {
						elemOf[e] = f.Elem
					}
				}
			}
		}
	}
	// Registration order decides between variants; Protocols sorts by
	// name stably, so variants of one name keep it.
	for alias, name := range scapyNames {
		if c := classes[name]; c != nil && classes[alias] == nil {
			classes[alias] = &Class{Name: alias, Protos: c.Protos}
		}
	}
}

// LookupClass returns the Scapy class with this name, or nil.
func LookupClass(name string) *Class {
	classOnce.Do(initClasses)
	return classes[name]
}

// ClassNames returns every class name, sorted.
func ClassNames() []string {
	classOnce.Do(initClasses)
	out := make([]string, 0, len(classes))
	for n := range classes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ClassOf returns the Scapy class name of a table: its name, or the class
// whose variant it is (ICMP for ICMP_DestUnreach), or Scapy's name where it
// differs (NTP for NTPHeader).
func ClassOf(p *packet.Protocol) string { return className(p) }

// ident makes a table name a valid identifier ("DHCPOption_message-type"
// is the class DHCPOption_message_type).
func ident(name string) string { return strings.ReplaceAll(name, "-", "_") }

func className(p *packet.Protocol) string {
	for alias, name := range scapyNames {
		if p.Name == name {
			return alias
		}
	}
	if i := strings.IndexByte(p.Name, '_'); i > 0 && !p.Element {
		if base := packet.Lookup(p.Name[:i]); base != nil && base.Dispatch != nil && base.Name == p.Name[:i] {
			return base.Name
		}
	}
	return ident(p.Name)
}

// New returns a one-layer packet of the class with the given fields set.
func (c *Class) New(kvs ...KV) (*Packet, error) {
	p := c.Protos[0]
	if len(c.Protos) > 1 {
		p = bestCandidate(c.Protos, kvs)
	}
	l, err := NewLayer(p, kvs...)
	if err != nil {
		return nil, err
	}
	return &Packet{Layers: []*Layer{l}}, nil
}

// bestCandidate picks among variants sharing a class name the one whose
// defaults agree with the most integer fields set, that has every field
// set and accepts every value.
func bestCandidate(ps []*packet.Protocol, kvs []KV) *packet.Protocol {
	best, bestScore := ps[0], -1<<30
	for _, p := range ps {
		score := 0
		for _, kv := range kvs {
			f := fieldOf(p, kv.Name)
			if f == nil {
				score = -1 << 20
				break
			}
			vals, _, err := convert(p, f, kv.Value)
			if err != nil {
				score = -1 << 20
				break
			}
			if f.IsInt() && len(vals) > 0 && vals[0].U == f.Default {
				score += 2
			}
			if _, isStr := kv.Value.(string); isStr && (f.Type == packet.IPv4 || f.Type == packet.IPv6 || f.Type == packet.MAC || f.Type == packet.Custom) {
				score++
			}
			if _, isRaw := kv.Value.(RawVal); isRaw && f.Type == packet.Bytes {
				score++ // wire bytes go best where they are bytes
			}
		}
		// Between equals, the most structured variant (fewest raw byte
		// fields): DNSRR() is an A record with address 0.0.0.0.
		score = score*64 - rawFields(p)
		if score > bestScore {
			best, bestScore = p, score
		}
	}
	return best
}

// resolveVariant returns the variant of p that the fields select: p's
// integer fields are set on a trial spec, which is built and handed to the
// table's Dispatch (or to the chooser of the list that holds p's elements).
func resolveVariant(p *packet.Protocol, kvs []KV) *packet.Protocol {
	classOnce.Do(initClasses)
	choose := p.Dispatch
	if p.Element {
		choose = elemOf[p]
	}
	if choose == nil {
		return p
	}
	s := packet.NewSpec(p)
	for _, kv := range kvs {
		f := fieldOf(p, kv.Name)
		if f == nil || f.Type == packet.List {
			continue
		}
		if vals, _, err := convert(p, f, kv.Value); err == nil && len(vals) > 0 {
			s.SetField(f, vals[0])
		}
	}
	b, err := packet.Stack{s}.Build(nil)
	if err != nil || len(b) == 0 {
		return p
	}
	q := safeChoose(choose, b)
	if q == nil || q == p {
		return q0(q, p)
	}
	if p.Element && !strings.EqualFold(q.Name, p.Name) {
		return p
	}
	// Every field given must exist in the variant; otherwise keep p and let
	// Set report the unknown field.
	for _, kv := range kvs {
		if q.Field(kv.Name) == nil && p.Field(kv.Name) != nil {
			return p
		}
	}
	return q
}

func q0(q, p *packet.Protocol) *packet.Protocol {
	if q == nil {
		return p
	}
	return q
}

// safeChoose calls a variant chooser, which may expect more bytes than a
// default layer has; a panic there means "no variant".
func safeChoose(choose func([]byte) *packet.Protocol, b []byte) (q *packet.Protocol) {
	defer func() {
		if recover() != nil {
			q = nil
		}
	}()
	return choose(b)
}

// rawFields counts a table's fields of raw bytes.
func rawFields(p *packet.Protocol) int {
	n := 0
	for _, f := range p.Fields {
		if f.Type == packet.Bytes {
			n++
		}
	}
	return n
}
