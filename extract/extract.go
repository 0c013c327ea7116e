// Package extract pulls fields out of packets by Wireshark name, formatted
// as tshark formats them, into delimited rows.
package extract

import (
	"strings"

	"pktkit/packet"
)

// Columns is a compiled list of fields. A row is built in one pass over the
// packet's layers: each layer feeds the columns its protocol holds. Columns
// keeps scratch buffers, so one Columns serves one goroutine; Clone it for
// others.
type Columns struct {
	Names []string
	// Sep separates columns (tab by default); Agg separates repeated
	// occurrences of a field (comma by default).
	Sep, Agg byte

	refs    []*packet.FieldRef
	byProto [][]int32 // protocol ID → columns fed by layers of that protocol
	nested  []int32   // columns found through list elements or frame data
	bufs    [][]byte  // per-column scratch
	seen    []bool
}

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
	c.byProto = make([][]int32, packet.NumProtocols())
	c.nested = nil
	for i, r := range c.refs {
		if r.Nested() {
			c.nested = append(c.nested, int32(i))
			continue
		}
		for _, p := range r.Protocols() {
			c.byProto[p.ID()] = append(c.byProto[p.ID()], int32(i))
		}
	}
	c.bufs = make([][]byte, len(c.refs))
	for i := range c.bufs {
		c.bufs[i] = make([]byte, 0, 64)
	}
	c.seen = make([]bool, len(c.refs))
}

// Clone returns an independent copy for use in another goroutine.
func (c *Columns) Clone() *Columns {
	d := &Columns{Names: c.Names, Sep: c.Sep, Agg: c.Agg, refs: c.refs}
	d.prepare()
	return d
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

// AppendRow appends one packet's row and a newline. It does not allocate
// for fixed-width fields.
func (c *Columns) AppendRow(dst []byte, p *packet.Packet) []byte {
	for i := range c.bufs {
		c.bufs[i] = c.bufs[i][:0]
		c.seen[i] = false
	}
	ls := p.Layers()
	for li := range ls {
		l := &ls[li]
		id := l.Proto.ID()
		if id >= len(c.byProto) {
			continue
		}
		for _, col := range c.byProto[id] {
			b := c.bufs[col]
			n := len(b)
			if c.seen[col] {
				b = append(b, c.Agg)
			}
			b, ok := c.refs[col].AppendLayer(b, l)
			if !ok {
				b = b[:n]
			} else {
				c.seen[col] = true
			}
			c.bufs[col] = b
		}
	}
	for _, col := range c.nested {
		c.bufs[col] = p.AppendField(c.bufs[col], c.refs[col], c.Agg)
	}
	for i := range c.bufs {
		if i > 0 {
			dst = append(dst, c.Sep)
		}
		dst = append(dst, c.bufs[i]...)
	}
	return append(dst, '\n')
}
