package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"

	"pktkit/capture"
	"pktkit/extract"
	"pktkit/internal/progress"
	"pktkit/packet"
	"pktkit/walk"
)

func init() {
	register(&command{
		name:    "fields",
		summary: "fields by Wireshark name, one row per packet (TSV, CSV, JSON)",
		usage: `Usage: pktkit fields FILE... -e FIELD [-e FIELD ...] [--format tsv|csv|json|ndjson]
                     [--header] [-E OPTION=VALUE ...] [-Y FILTER] [-j N]

Prints one row per packet with the values of the fields named by -e.

tsv (the default) is formatted as tshark -T fields formats it, so the two
outputs diff cleanly: integers in decimal, the fields tshark shows in hex
(eth.type, ip.flags, tcp.flags, checksums, dns.id ...) in the same hex form,
booleans as 1/0, repeated occurrences (an ICMP error's quoted IP header, a
tunnel's inner header, DNS answers) joined with commas in packet order.
The -E options are tshark's:
  header=y|n            a first line of field names (same as --header)
  separator=/t|/s|C     column separator: tab, space or the character C
  quote=d|s|n           put double or single quotes (or none) around values
  occurrence=f|l|a|N    which occurrences of a repeated field: first, last,
                        all, or the N-th (1-based; N is pktkit's addition)
  aggregator=,|/s|C     what joins occurrences when all are shown
  bom=y|n               start with a UTF-8 byte order mark
csv is tsv with -E separator=, -E quote=d, and a double quote inside a
value doubled as RFC 4180 wants (tshark 4.0 leaves it alone, the one
difference).

ndjson prints one JSON object per packet and per line, json the same
objects as one JSON array. Keys are the field names as given to -e; a field
the packet lacks is left out. Integers are numbers (also those tshark shows
in hex), flag bits true/false, frame.time_* numbers of seconds with nine
decimals, everything else strings as tshark prints them (addresses, names;
byte strings in plain lowercase hex). With occurrence=a (the default) every
field but the frame.* ones is an array of its occurrences, whatever the
packet, so its type never changes; with f, l or N every value is a scalar.

Fields take Wireshark names (ip.src, tcp.dstport, tcp.flags.syn) and Scapy's
short names as aliases (tcp.dport, ip.ttl); frame.number, frame.time_epoch,
frame.time_relative, frame.time_delta, frame.len, frame.cap_len and
frame.protocols describe the record. 'pktkit ls PROTO' lists the fields.
Large files are dissected by -j workers in parallel; output keeps packet
order. -Y prints only the packets a Wireshark display filter accepts.

Examples:
  pktkit fields testdata/sample.pcap -e frame.number -e ip.src -e ip.dst -e tcp.dstport
  pktkit fields big.pcapng --header -e frame.time_epoch -e dns.qry.name -e dns.a
  pktkit fields dns.pcap --format csv --header -e dns.qry.name -e dns.a -E occurrence=f
  pktkit fields dns.pcap --format ndjson -e frame.time_relative -e ip.src -e dns.a
  pktkit fields big.pcap -Y 'tcp.port in {80, 443} && ip.addr == 10.0.0.0/8' -e frame.number -e ip.src
`,
		run: runFields,
	})
}

// fieldsOutput is the parsed output options of fields.
type fieldsOutput struct {
	format string
	header bool
	bom    bool
}

// applyE applies one tshark -E option to the columns.
func applyE(cols *extract.Columns, out *fieldsOutput, opt string) error {
	k, v, ok := strings.Cut(opt, "=")
	if !ok {
		return usagef("-E %q: want OPTION=VALUE", opt)
	}
	char := func() (byte, error) {
		switch {
		case v == "/t":
			return '\t', nil
		case v == "/s":
			return ' ', nil
		case len(v) == 1:
			return v[0], nil
		}
		return 0, usagef("-E %s=%q: want /t, /s or one character", k, v)
	}
	yes := func() (bool, error) {
		switch strings.ToLower(v) {
		case "y", "yes", "t", "true", "1":
			return true, nil
		case "n", "no", "f", "false", "0":
			return false, nil
		}
		return false, usagef("-E %s=%q: want y or n", k, v)
	}
	var err error
	switch k {
	case "header":
		out.header, err = yes()
	case "bom":
		out.bom, err = yes()
	case "separator":
		cols.Sep, err = char()
	case "aggregator":
		cols.Agg, err = char()
	case "quote":
		switch v {
		case "d":
			cols.Quote = '"'
		case "s":
			cols.Quote = '\''
		case "n":
			cols.Quote = 0
		default:
			return usagef("-E quote=%q: want d, s or n", v)
		}
	case "occurrence":
		n, ok := parseOccurrence(v, true)
		if !ok {
			return usagef("-E occurrence=%q: want f, l, a or a number from 1", v)
		}
		cols.Occurrence = n
	default:
		return usagef("unknown -E option %q (header, separator, quote, occurrence, aggregator, bom)", k)
	}
	return err
}

// parseOccurrence reads an occurrence choice as extract.Columns.Occurrence
// takes it: f (1), l (extract.Last), a (0, when all is allowed) or N >= 1.
func parseOccurrence(v string, all bool) (int, bool) {
	switch v {
	case "f":
		return 1, true
	case "l":
		return extract.Last, true
	case "a":
		return 0, all
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 1
}

// compileFields compiles -e names, reporting unknown names as usage errors.
func compileFields(names []string) (*extract.Columns, error) {
	cols, err := extract.Compile(names)
	if err != nil {
		var ue *packet.UnknownFieldError
		if errors.As(err, &ue) {
			return nil, usagef("%v", err)
		}
		return nil, err
	}
	return cols, nil
}

func runFields(args []string, stdout io.Writer) error {
	c := commandByName("fields")
	fs := flags(c, stdout)
	var names, eopts multi
	fs.Var(&names, "e", "a `FIELD` to print (repeatable)")
	fs.Var(&eopts, "E", "tshark output `OPTION=VALUE` (repeatable; see above)")
	var out fieldsOutput
	fs.BoolVar(&out.header, "header", false, "print a header row of field names (tsv, csv)")
	fs.StringVar(&out.format, "format", "tsv", "output `format`: tsv, csv, json or ndjson")
	jobs := fs.Int("j", runtime.GOMAXPROCS(0), "dissect with `N` parallel workers (output keeps packet order)")
	yf := filterFlag(fs)
	files, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("no capture file given")
	}
	match, analyses, err := compileFilter(*yf)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return usagef("no field given: use -e FIELD")
	}
	cols, err := compileFields(names)
	if err != nil {
		return err
	}
	switch out.format {
	case "tsv", "json", "ndjson":
	case "csv":
		cols.Sep, cols.Quote, cols.Escape = ',', '"', true
	default:
		return usagef("unknown format %q (tsv, csv, json, ndjson)", out.format)
	}
	for _, o := range eopts {
		if err := applyE(cols, &out, o); err != nil {
			return err
		}
	}
	bw := bufio.NewWriterSize(stdout, 1<<16)
	defer bw.Flush()
	var w io.Writer = bw
	if out.bom {
		bw.WriteString("\ufeff")
	}
	// Rows are AppendRow's or, as JSON, AppendJSON's, each worker
	// applying it to its own copy of the columns.
	json := false
	var arr *jsonArray
	switch out.format {
	case "json":
		json = true
		arr = &jsonArray{w: bw}
		w = arr
	case "ndjson":
		json = true
	default:
		if out.header {
			bw.Write(cols.AppendHeader(nil))
		}
	}
	for _, f := range files {
		bar := progress.New(f)
		opt := walk.Options{Progress: bar.Update, Filter: match, Analyses: append(analyses, cols.Analyses()...)}
		err := walk.Parallel(f, opt, *jobs, func() walk.Worker {
			c := cols.Clone()
			if !json {
				// (a direct call: the common case, millions of times)
				return func(p *packet.Packet, rec *capture.Record, out *[]byte) error {
					if cap(*out) == 0 {
						// A batch's rows, at once: growing them in
						// steps allocated as much again, and the
						// collector ran through the walk for it.
						*out = make([]byte, 0, 256<<10)
					}
					*out = c.AppendRow(*out, p)
					return nil
				}
			}
			return func(p *packet.Packet, rec *capture.Record, out *[]byte) error {
				*out = c.AppendJSON(*out, p)
				return nil
			}
		}, w)
		bar.Done()
		if err != nil {
			bw.Flush()
			return err
		}
	}
	if arr != nil {
		return arr.close()
	}
	return nil
}

// jsonArray turns a stream of one JSON object per line into one JSON
// array, an element per line.
type jsonArray struct {
	w       *bufio.Writer
	started bool
}

func (a *jsonArray) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i+1], b[i+1:]
		} else {
			b = nil
		}
		if a.started {
			a.w.WriteString(",\n")
		} else {
			a.w.WriteString("[\n")
			a.started = true
		}
		a.w.Write(bytes.TrimSuffix(line, []byte("\n")))
	}
	return n, nil
}

func (a *jsonArray) close() error {
	if !a.started {
		a.w.WriteString("[")
	}
	_, err := a.w.WriteString("\n]\n")
	return err
}
