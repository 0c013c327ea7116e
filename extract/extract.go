// Package extract pulls fields out of packets by Wireshark name, formatted
// as tshark formats them, into delimited rows.
package extract

import (
	"math/bits"
	"strings"

	"pktkit/packet"
)

// Columns is a compiled list of fields. Each protocol knows which columns
// its layers can fill, so one pass over a packet's layers finds every
// column's occurrences, and the row is then built column by column straight
// into the output.
type Columns struct {
	Names []string
	// Sep separates columns (tab by default); Agg separates repeated
	// occurrences of a field (comma by default).
	Sep, Agg byte
	// Quote, if not zero, is put around each non-empty column (tshark's
	// -E quote); with Escape set, a Quote inside a value is doubled as
	// RFC 4180 CSV wants (tshark 4.0 leaves it alone).
	Quote  byte
	Escape bool
	// Occurrence selects which occurrences of a repeated field a row
	// shows: 0 all (joined by Agg), n > 0 the n-th, Last the last.
	Occurrence int

	refs   []*packet.FieldRef
	masks  [][]uint64 // per column: protocol IDs whose layers hold the field
	nested []bool     // per column: found through list elements or frame data
	kinds  []Kind
	keys   [][]byte // per column: its name as a JSON string
	// byProto lists, per protocol ID, the (not nested) columns whose field
	// a layer of that protocol can hold.
	byProto [][]uint16
	// needs says which protocols the index must reach.
	needs *packet.Needs
	// plan says, per column, how AppendRow fills it. Direct columns find
	// their layers through slots, one per protocol they read: slotOf maps
	// a protocol ID to its slot (-1 for none).
	plan       []column
	slotOf     []int8
	nslots     int
	anyGeneral bool // some column is neither direct nor nested
	allDirect  bool // every column is direct

	// Scratch space, per clone.
	lay  *slots // per slot, for one row: the positions of its layers
	buf  []byte // the general row path's values
	ends []int
	// occ holds, for one row, per column, the positions of the layers that
	// can hold its field, as a bit set.
	occ []uint64
}

// Last is the Occurrence value that selects a field's last occurrence.
const Last = -1

// Compile resolves field names (Wireshark names, Scapy-style aliases such as
// tcp.dport). An unknown name gives a *packet.UnknownFieldError with
// suggestions.
func Compile(names []string) (*Columns, error) {
	c := &Columns{Names: names, Sep: '\t', Agg: ','}
	for _, n := range names {
		r, err := packet.LookupField(strings.TrimSpace(n))
		if err != nil {
			return nil, err
		}
		c.refs = append(c.refs, r)
	}
	c.prepare()
	return c, nil
}

func (c *Columns) prepare() {
	words := (packet.NumProtocols() + 63) / 64
	c.masks = make([][]uint64, len(c.refs))
	c.nested = make([]bool, len(c.refs))
	c.keys = c.keys[:0]
	c.kinds = make([]Kind, len(c.refs))
	c.plan = make([]column, len(c.refs))
	c.slotOf = make([]int8, packet.NumProtocols())
	for i := range c.slotOf {
		c.slotOf[i] = -1
	}
	c.nslots, c.anyGeneral = 0, false
	for i, r := range c.refs {
		c.kinds[i] = kindOf(r)
		c.keys = append(c.keys, appendJSONString(nil, []byte(c.Names[i])))
		c.masks[i] = make([]uint64, words)
		c.nested[i] = r.Nested()
		pl := &c.plan[i]
		pl.ref, pl.nested = r, c.nested[i]
		if d, ok := r.Direct(); ok && c.nslots < 64 {
			pl.direct = d
			if d.Kind != packet.DirectFrameNumber {
				id := d.Proto.ID()
				if c.slotOf[id] < 0 {
					c.slotOf[id] = int8(c.nslots)
					c.nslots++
				}
				pl.slot = int(c.slotOf[id])
			}
		} else if !pl.nested {
			c.anyGeneral = true
		}
		for _, p := range r.Protocols() {
			c.masks[i][p.ID()/64] |= 1 << (p.ID() % 64)
			if !pl.nested && pl.direct.Kind == packet.DirectNone {
				for p.ID() >= len(c.byProto) {
					c.byProto = append(c.byProto, nil)
				}
				c.byProto[p.ID()] = append(c.byProto[p.ID()], uint16(i))
			}
		}
	}
	c.allDirect = true
	for _, pl := range c.plan {
		c.allDirect = c.allDirect && pl.direct.Kind != packet.DirectNone
	}
	c.occ, c.lay = scratch(len(c.refs)), new(slots)
	c.needs = packet.NeedsFor(c.refs)
}

// Clone returns a copy for use in another goroutine: it shares the
// compiled tables and has its own scratch space.
func (c *Columns) Clone() *Columns {
	d := *c
	d.buf, d.ends = nil, nil
	d.occ, d.lay = scratch(len(c.refs)), new(slots)
	return &d
}

// scratch returns n words of per-row scratch space, alone in their cache
// lines: clones made one after the other for parallel workers would get
// neighbouring small allocations, and every row's writes would then move
// the shared line from processor to processor (a third of the benchmark
// job's row time).
func scratch(n int) []uint64 {
	const line = 8 // words in a cache line
	return make([]uint64, n, (n+2*line-1)/line*line+line)[:n]
}

// AppendHeader appends the header row (field names) and a newline.
func (c *Columns) AppendHeader(dst []byte) []byte {
	for i, n := range c.Names {
		if i > 0 {
			dst = append(dst, c.Sep)
		}
		dst = append(dst, n...)
	}
	return append(dst, '\n')
}

// Analyses returns the analyses the columns' fields need run over every
// packet before rows are made (walk.Options.Analyses).
func (c *Columns) Analyses() []*packet.Analysis { return packet.AnalysesFor(c.refs...) }

// AppendRow appends one packet's row and a newline. It does not allocate
// for fixed-width fields.
func (c *Columns) AppendRow(dst []byte, p *packet.Packet) []byte {
	if c.Occurrence != 0 || c.Quote != 0 {
		return c.appendRowSelect(dst, p)
	}
	ls := p.LayersFor(c.needs)
	if len(ls) > 64 {
		// Only damaged or hostile input has this many layers: take the
		// general path, field by field.
		for i, r := range c.refs {
			if i > 0 {
				dst = append(dst, c.Sep)
			}
			dst = p.AppendField(dst, r, c.Agg)
		}
		return append(dst, '\n')
	}
	// One pass over the layers notes which columns each can fill, as bit
	// sets of layer positions: per slot for direct columns, per column for
	// the others.
	occ, lay := c.occ, c.lay
	for li := range ls {
		id := uint(ls[li].Proto.ID())
		if id < uint(len(c.slotOf)) {
			if s := c.slotOf[id]; s >= 0 {
				lay[s&63] |= 1 << li
			}
		}
		if c.anyGeneral && id < uint(len(c.byProto)) {
			for _, ci := range c.byProto[id] {
				occ[ci] |= 1 << li
			}
		}
	}
	if c.allDirect {
		return c.appendDirectRow(dst, p, ls)
	}
	for i := range c.plan {
		pl := &c.plan[i]
		if i > 0 {
			dst = append(dst, c.Sep)
		}
		switch pl.direct.Kind {
		case packet.DirectNone:
		case packet.DirectFrameNumber:
			dst = packet.AppendDec(dst, uint64(p.Number))
			continue
		default:
			first := true
			for m := lay[pl.slot&63]; m != 0; m &= m - 1 {
				l := &ls[bits.TrailingZeros64(m)]
				n := len(dst)
				if !first {
					dst = append(dst, c.Agg)
				}
				var ok bool
				if dst, ok = pl.direct.Append(dst, l); ok {
					first = false
				} else {
					dst = dst[:n]
				}
			}
			continue
		}
		if pl.nested {
			dst = p.AppendField(dst, pl.ref, c.Agg)
			continue
		}
		m := occ[i]
		occ[i] = 0
		first := true
		for m != 0 {
			l := &ls[bits.TrailingZeros64(m)]
			m &= m - 1
			n := len(dst)
			if !first {
				dst = append(dst, c.Agg)
			}
			var ok bool
			if dst, ok = pl.ref.AppendLayer(dst, l); ok {
				first = false
			} else {
				dst = dst[:n]
			}
		}
	}
	lay.clear(c.nslots)
	return append(dst, '\n')
}

// slots holds, per slot, the positions of a row's layers of the slot's
// protocol. It fills whole cache lines (see scratch).
type slots [64]uint64

// clear empties the first n slots (a few words: no memclr call).
func (s *slots) clear(n int) {
	for i := n - 1; i >= 0; i-- {
		s[i&63] = 0
	}
}

// appendDirectRow is the rest of AppendRow when every column is direct
// (the common field lists): fewer variables live across its calls.
func (c *Columns) appendDirectRow(dst []byte, p *packet.Packet, ls []packet.Layer) []byte {
	lay := c.lay
	for i := range c.plan {
		pl := &c.plan[i]
		if i > 0 {
			dst = append(dst, c.Sep)
		}
		if pl.direct.Kind == packet.DirectFrameNumber {
			dst = packet.AppendDec(dst, uint64(p.Number))
			continue
		}
		m := lay[pl.slot&63]
		if m == 0 {
			continue
		}
		if m&(m-1) == 0 { // one layer: the common case
			dst, _ = pl.direct.Append(dst, &ls[bits.TrailingZeros64(m)&63])
			continue
		}
		first := true
		for ; m != 0; m &= m - 1 {
			n := len(dst)
			if !first {
				dst = append(dst, c.Agg)
			}
			var ok bool
			if dst, ok = pl.direct.Append(dst, &ls[bits.TrailingZeros64(m)&63]); ok {
				first = false
			} else {
				dst = dst[:n]
			}
		}
	}
	lay.clear(c.nslots)
	return append(dst, '\n')
}

// column is how AppendRow fills one column.
type column struct {
	direct packet.Direct // Kind DirectNone: the general path
	slot   int           // direct: the slot of direct.Proto
	nested bool
	ref    *packet.FieldRef
}
