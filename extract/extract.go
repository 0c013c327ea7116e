// Package extract pulls fields out of packets by Wireshark name, formatted
// as tshark formats them, into delimited rows.
package extract

import (
	"strings"

	"pktkit/packet"
)

// Columns is a compiled list of fields.
type Columns struct {
	Names []string
	refs  []*packet.FieldRef
	// Sep separates columns (tab by default); Agg separates repeated
	// occurrences of a field (comma by default).
	Sep, Agg byte
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
	return c, nil
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
	for i, r := range c.refs {
		if i > 0 {
			dst = append(dst, c.Sep)
		}
		dst = p.AppendField(dst, r, c.Agg)
	}
	return append(dst, '\n')
}
