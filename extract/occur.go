package extract

import "pktkit/packet"

// Kind is how a column's values are typed in structured output (JSON,
// Parquet).
type Kind uint8

// Column kinds.
const (
	KindUint  Kind = iota // unsigned integer (tshark may print it in hex)
	KindInt               // signed integer
	KindBool              // a flag bit, 1 or 0
	KindTime              // seconds with nine decimals (frame.time_*)
	KindText              // addresses, names, strings: text as tshark prints it
	KindBytes             // byte strings, printed as plain hex
)

func kindOf(r *packet.FieldRef) Kind {
	if r.Bit > 0 {
		return KindBool
	}
	if r.IsTime() {
		return KindTime
	}
	var t packet.Type
	switch {
	case r.Virtual != nil:
		t = r.Virtual.Type
	case r.Field != nil:
		t = r.Field.Type
	default:
		return KindText
	}
	switch t {
	case packet.Uint:
		return KindUint
	case packet.Int:
		return KindInt
	case packet.Bytes:
		return KindBytes
	}
	return KindText
}

// Kind returns column i's kind.
func (c *Columns) Kind(i int) Kind { return c.kinds[i] }

// Ref returns column i's field.
func (c *Columns) Ref(i int) *packet.FieldRef { return c.refs[i] }

// Frame reports whether column i is a frame.* field, which every packet has
// exactly once.
func (c *Columns) Frame(i int) bool { return c.refs[i].Proto == packet.Frame }

// Occur appends the text of every occurrence of column i in p to buf, in
// packet order and formatted as tshark prints it, and appends the end
// offset in buf of each occurrence to ends. An occurrence starts where the
// previous one ends (at the len(buf) passed in, for the first).
func (c *Columns) Occur(buf []byte, ends []int, p *packet.Packet, i int) ([]byte, []int) {
	r := c.refs[i]
	if c.nested[i] {
		return p.AppendOccurrences(buf, ends, r)
	}
	mask := c.masks[i]
	d := &c.plan[i].direct
	ls := p.LayersFor(c.needs)
	for li := range ls {
		l := &ls[li]
		id := l.Proto.ID()
		if u := uint(id); u/64 >= uint(len(mask)) || mask[u/64]&(1<<(u%64)) == 0 {
			continue
		}
		var ok bool
		if d.Kind != packet.DirectNone {
			buf, ok = d.Append(buf, l)
		} else {
			buf, ok = r.AppendLayer(buf, l)
		}
		if ok {
			ends = append(ends, len(buf))
		}
	}
	return buf, ends
}

// pick returns the range [lo, hi) of occurrence indices that occurrence
// selects among n.
func pick(n, occurrence int) (lo, hi int) {
	switch {
	case occurrence == 0:
		return 0, n
	case occurrence == Last:
		return max(n-1, 0), n
	case occurrence > 0 && occurrence <= n:
		return occurrence - 1, occurrence
	}
	return 0, 0
}

// occurrences fills the scratch buffers with column i's occurrences and
// returns the selected range.
func (c *Columns) occurrences(p *packet.Packet, i int) (lo, hi int) {
	c.buf, c.ends = c.Occur(c.buf[:0], c.ends[:0], p, i)
	return pick(len(c.ends), c.Occurrence)
}

// value returns the k-th occurrence collected by occurrences.
func (c *Columns) value(k int) []byte {
	s := 0
	if k > 0 {
		s = c.ends[k-1]
	}
	return c.buf[s:c.ends[k]]
}

// appendRowSelect is AppendRow with occurrence selection and quoting.
func (c *Columns) appendRowSelect(dst []byte, p *packet.Packet) []byte {
	for i := range c.refs {
		if i > 0 {
			dst = append(dst, c.Sep)
		}
		lo, hi := c.occurrences(p, i)
		if lo >= hi {
			continue
		}
		if c.Quote != 0 {
			dst = append(dst, c.Quote)
		}
		for k := lo; k < hi; k++ {
			if k > lo {
				dst = append(dst, c.Agg)
			}
			v := c.value(k)
			if c.Quote == 0 || !c.Escape {
				dst = append(dst, v...)
				continue
			}
			for _, b := range v {
				if b == c.Quote {
					dst = append(dst, b)
				}
				dst = append(dst, b)
			}
		}
		if c.Quote != 0 {
			dst = append(dst, c.Quote)
		}
	}
	return append(dst, '\n')
}

// Uint returns the selected occurrence (Occurrence 0 means the first) of
// column i, a KindUint or KindBool column, as an integer; ok is false if
// the packet has none. It reads the value without formatting it.
func (c *Columns) Uint(p *packet.Packet, i int) (u uint64, ok bool) {
	r := c.refs[i]
	occ := c.Occurrence
	if occ == 0 {
		occ = 1
	}
	if c.nested[i] || (c.kinds[i] != KindUint && c.kinds[i] != KindBool) {
		c.buf, c.ends = c.Occur(c.buf[:0], c.ends[:0], p, i)
		lo, hi := pick(len(c.ends), occ)
		if lo >= hi {
			return 0, false
		}
		return ParseUint(c.value(lo))
	}
	mask := c.masks[i]
	ls := p.LayersFor(c.needs)
	n := 0
	for li := range ls {
		l := &ls[li]
		id := l.Proto.ID()
		if u := uint(id); u/64 >= uint(len(mask)) || mask[u/64]&(1<<(u%64)) == 0 {
			continue
		}
		v, found := r.UintLayer(l)
		if !found {
			continue
		}
		n++
		if occ == Last {
			u, ok = v, true
			continue
		}
		if n == occ {
			return v, true
		}
	}
	return u, ok
}
