package packet

import (
	"fmt"
	"io"
	"strings"
)

// title is the name show() prints for a protocol (Scapy's `name`).
func (p *Protocol) title() string {
	if p.Title != "" {
		return p.Title
	}
	return p.Name
}

// Show writes the packet's layers as Scapy's show() does: a `###[ Name ]###`
// header per layer, then its fields indented one step deeper per layer.
func (p *Packet) Show(w io.Writer) error {
	var sb strings.Builder
	ls := p.Layers()
	for i := range ls {
		showLayer(&sb, &ls[i], "", strings.Repeat("   ", i))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// ShowString returns Show's output as a string.
func (p *Packet) ShowString() string {
	var sb strings.Builder
	_ = p.Show(&sb)
	return sb.String()
}

func showLayer(sb *strings.Builder, l *Layer, label, lvl string) {
	fmt.Fprintf(sb, "%s###[ %s ]###", label, l.Proto.title())
	if err := l.Err(); err != nil {
		fmt.Fprintf(sb, " [%v]", err)
	}
	sb.WriteByte('\n')
	for _, f := range l.Proto.Fields {
		if f.Type == List {
			it := l.Elems(f)
			if !it.Next() {
				fmt.Fprintf(sb, "%s  %-10s= []\n", label+lvl, f.Name)
				continue
			}
			fmt.Fprintf(sb, "%s  \\%-10s\\\n", label+lvl, f.Name)
			for {
				showLayer(sb, it.Layer(), label+lvl+"   |", "")
				if !it.Next() {
					break
				}
			}
			if err := it.Err(); err != nil {
				fmt.Fprintf(sb, "%s   |[%v]\n", label+lvl, err)
			}
			continue
		}
		v, ok := l.Get(f)
		if !ok {
			continue
		}
		fmt.Fprintf(sb, "%s  %-10s= %s\n", label+lvl, f.Name, f.Show(l, v))
	}
}

// Summary returns Scapy's one-line summary: layer names joined by " / ",
// the innermost layer that can describe itself doing so
// ("Ether / IP / TCP 10.0.0.1:443 > 10.0.0.2:51000 PA / Raw").
func (p *Packet) Summary() string {
	return string(p.AppendSummary(nil))
}

// AppendSummary appends Summary's text to dst.
func (p *Packet) AppendSummary(dst []byte) []byte {
	ls := p.Layers()
	best := -1
	for i := range ls {
		// A quoted layer never describes the packet (Scapy's IPerror has
		// no summary of its own).
		if ls[i].Proto.Summary != nil && ls[i].errKind == 0 && !ls[i].quoted {
			best = i
		}
	}
	for i := range ls {
		if i > 0 {
			dst = append(dst, " / "...)
		}
		if i == best {
			dst = ls[i].Proto.Summary(dst, &ls[i])
		} else {
			dst = append(dst, ls[i].Proto.Name...)
		}
		if ls[i].counts() {
			if ls[i].errKind == errTruncated {
				dst = append(dst, " [truncated]"...)
			} else if ls[i].errKind == errMalformed {
				dst = append(dst, " [malformed]"...)
			}
		}
	}
	return dst
}

// Hexdump returns Scapy's hexdump layout of b: offset, 16 bytes in
// upper-case hex, and their printable characters.
func Hexdump(b []byte) string {
	var sb strings.Builder
	for i := 0; i < len(b); i += 16 {
		fmt.Fprintf(&sb, "%04x  ", i)
		for j := 0; j < 16; j++ {
			if i+j < len(b) {
				fmt.Fprintf(&sb, "%02X ", b[i+j])
			} else {
				sb.WriteString("   ")
			}
		}
		sb.WriteByte(' ')
		for j := i; j < i+16 && j < len(b); j++ {
			c := b[j]
			if c < 32 || c > 126 {
				c = '.'
			}
			sb.WriteByte(c)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}
