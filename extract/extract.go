// Package extract pulls fields out of packets by Wireshark name, formatted
// as tshark formats them, into delimited rows.
package extract

import (
	"strings"

	"pktkit/packet"
)

// Columns is a compiled list of fields. Each column knows, as a bit set
// over protocol IDs, which layers can hold its field, so a row is built
// column by column straight into the output without per-layer lookups.
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

	buf  []byte // scratch for the general row path (per clone)
	ends []int
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
	for i, r := range c.refs {
		c.kinds[i] = kindOf(r)
		c.keys = append(c.keys, appendJSONString(nil, []byte(c.Names[i])))
		c.masks[i] = make([]uint64, words)
		c.nested[i] = r.Nested()
		for _, p := range r.Protocols() {
			c.masks[i][p.ID()/64] |= 1 << (p.ID() % 64)
		}
	}
}

// Clone returns a copy for use in another goroutine (Columns holds no
// scratch state, so this is cheap).
func (c *Columns) Clone() *Columns {
	d := *c
	d.buf, d.ends = nil, nil
	return &d
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
	if c.Occurrence != 0 || c.Quote != 0 {
		return c.appendRowSelect(dst, p)
	}
	ls := p.Layers()
	for i, r := range c.refs {
		if i > 0 {
			dst = append(dst, c.Sep)
		}
		if c.nested[i] {
			dst = p.AppendField(dst, r, c.Agg)
			continue
		}
		mask := c.masks[i]
		first := true
		for li := range ls {
			l := &ls[li]
			id := l.Proto.ID()
			if id/64 >= len(mask) || mask[id/64]&(1<<(id%64)) == 0 {
				continue
			}
			n := len(dst)
			if !first {
				dst = append(dst, c.Agg)
			}
			var ok bool
			if dst, ok = r.AppendLayer(dst, l); ok {
				first = false
			} else {
				dst = dst[:n]
			}
		}
	}
	return append(dst, '\n')
}
