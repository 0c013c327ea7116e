package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"pktkit/packet"
)

func init() {
	register(&command{
		name:    "ls",
		summary: "the protocols, or one protocol's fields",
		usage: `Usage: pktkit ls [PROTO]

Without an argument, lists every protocol table: Scapy name, Wireshark name
and description. With one, lists that protocol's fields in wire order: Scapy
name, Wireshark name, type and default (like Scapy's ls()), then the
Wireshark fields computed from the layer, then its list elements' tables.

Examples:
  pktkit ls
  pktkit ls TCP
  pktkit ls ip
`,
		run: runLs,
	})
}

func runLs(args []string, stdout io.Writer) error {
	c := commandByName("ls")
	fs := flags(c, stdout)
	pos, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	defer tw.Flush()
	if len(pos) == 0 {
		fmt.Fprintln(tw, "PROTOCOL\tWIRESHARK\tDESCRIPTION")
		for _, p := range packet.Protocols() {
			if p.Element {
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, p.Abbrev, p.Long)
		}
		return nil
	}
	if len(pos) > 1 {
		return usagef("ls takes at most one protocol")
	}
	p := packet.Lookup(pos[0])
	if p == nil {
		var names []string
		for _, q := range packet.Protocols() {
			if !q.Element {
				names = append(names, q.Name)
			}
		}
		return usagef("unknown protocol %q; known: %s", pos[0], strings.Join(names, " "))
	}
	lsProto(tw, p, map[*packet.Protocol]bool{})
	return nil
}

func lsProto(tw *tabwriter.Writer, p *packet.Protocol, seen map[*packet.Protocol]bool) {
	if seen[p] {
		return
	}
	seen[p] = true
	title := p.Name
	if p.Long != "" {
		title += " (" + p.Long + ")"
	}
	fmt.Fprintf(tw, "%s\n", title)
	fmt.Fprintln(tw, "  FIELD\tWIRESHARK\tTYPE\tDEFAULT")
	var elems []*packet.Protocol
	for _, f := range p.Fields {
		ws := p.WSName(f)
		if ws == "" {
			ws = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", f.Name, ws, f.TypeName(), f.DefaultString())
		for i, name := range f.FlagWS {
			if name != "" && i < len(f.Flags) {
				fmt.Fprintf(tw, "    %s\t%s\tbool\t\n", f.Flags[i], name)
			}
		}
		elems = append(elems, f.Elems...)
	}
	for _, v := range p.Virtual {
		if v.Of == "" {
			fmt.Fprintf(tw, "  (computed)\t%s\t%s\t\n", v.WS, v.Type)
		}
	}
	tw.Flush()
	for _, e := range elems {
		fmt.Fprintln(tw)
		lsProto(tw, e, seen)
	}
}
