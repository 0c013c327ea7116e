package main

import (
	"bufio"
	"fmt"
	"io"

	"pktkit/capture"
	"pktkit/internal/numlist"
	"pktkit/packet"
	"pktkit/walk"
)

func init() {
	register(&command{
		name:    "show",
		summary: "the show() tree of each packet, with a hexdump if asked",
		usage: `Usage: pktkit show FILE [-n LIST] [--hex] [-Y FILTER]

Prints each packet as Scapy's show() does: one "###[ Layer ]###" block per
layer with its fields, enum and flag names beside the values. Truncated or
malformed layers say so, with the byte offset. -Y keeps only the packets
a Wireshark display filter accepts.

Examples:
  pktkit show testdata/sample.pcap -n 1
  pktkit show capture.pcapng -n 1,5,10-20 --hex
  pktkit show testdata/sample.pcap -Y 'dns.qry.name contains "example"'
`,
		run: runShow,
	})
}

func runShow(args []string, stdout io.Writer) error {
	c := commandByName("show")
	fs := flags(c, stdout)
	list := fs.String("n", "", "packet numbers to show, like `1,5,10-20` (default all)")
	hex := fs.Bool("hex", false, "add a hexdump of each packet")
	yf := filterFlag(fs)
	files, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	match, analyses, err := compileFilter(*yf)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("show takes one capture file, got %d", len(files))
	}
	opt := walk.Options{Filter: match, Analyses: analyses}
	last := -1
	if *list != "" {
		l, err := numlist.Parse(*list)
		if err != nil {
			return usagef("%v", err)
		}
		opt.Want = func(n int) bool { return l.Has(n) || n > last }
		last = l.Max()
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	return walk.File(files[0], opt, func(p *packet.Packet, rec *capture.Record) error {
		if last >= 0 && rec.Number > last {
			return walk.ErrStop // past the last packet asked for
		}
		fmt.Fprintf(w, "Packet %d  %s  %d bytes", rec.Number, appendTime(nil, rec.Timestamp), len(rec.Data))
		if rec.OrigLen != len(rec.Data) {
			fmt.Fprintf(w, " (of %d on the wire)", rec.OrigLen)
		}
		if cs := rec.Comments(); len(cs) > 0 {
			for _, s := range cs {
				fmt.Fprintf(w, "\n  comment: %s", s)
			}
		}
		fmt.Fprintln(w)
		if err := p.Show(w); err != nil {
			return err
		}
		if *hex {
			fmt.Fprintln(w)
			fmt.Fprint(w, packet.Hexdump(p.Data))
		}
		_, err := fmt.Fprintln(w)
		return err
	})
}
