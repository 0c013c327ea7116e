package main

import (
	"bufio"
	"errors"
	"io"
	"runtime"

	"pktkit/capture"
	"pktkit/extract"
	"pktkit/internal/progress"
	"pktkit/packet"
	"pktkit/walk"
)

func init() {
	register(&command{
		name:    "fields",
		summary: "fields by Wireshark name, one TSV row per packet",
		usage: `Usage: pktkit fields FILE -e FIELD [-e FIELD ...] [--header] [-Y FILTER]

Prints one tab-separated row per packet with the values of the fields named
by -e, formatted as tshark -T fields formats them, so the two outputs diff
cleanly: integers in decimal, the fields tshark shows in hex (eth.type,
ip.flags, tcp.flags, checksums, dns.id ...) in the same hex form, booleans
as 1/0, repeated occurrences (an ICMP error's quoted IP header, a tunnel's
inner header) joined with commas in packet order. Fields take Wireshark
names (ip.src, tcp.dstport, tcp.flags.syn); Scapy's short names are
accepted as aliases (tcp.dport, ip.ttl). 'pktkit ls PROTO' lists fields.
-Y prints only the packets a Wireshark display filter accepts.

Examples:
  pktkit fields testdata/sample.pcap -e frame.number -e ip.src -e ip.dst -e tcp.dstport
  pktkit fields big.pcapng --header -e frame.time_epoch -e dns.qry.name -e dns.a
  pktkit fields big.pcap -Y 'tcp.port in {80, 443} && ip.addr == 10.0.0.0/8' -e frame.number -e ip.src
`,
		run: runFields,
	})
}

func runFields(args []string, stdout io.Writer) error {
	c := commandByName("fields")
	fs := flags(c, stdout)
	var names multi
	fs.Var(&names, "e", "a `FIELD` to print (repeatable)")
	header := fs.Bool("header", false, "print a header row of field names")
	jobs := fs.Int("j", runtime.GOMAXPROCS(0), "dissect with `N` parallel workers (output keeps packet order)")
	yf := filterFlag(fs)
	files, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("no capture file given")
	}
	match, err := compileFilter(*yf)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return usagef("no field given: use -e FIELD")
	}
	cols, err := extract.Compile(names)
	if err != nil {
		var ue *packet.UnknownFieldError
		if errors.As(err, &ue) {
			return usagef("%v", err)
		}
		return err
	}
	w := bufio.NewWriterSize(stdout, 1<<16)
	defer w.Flush()
	if *header {
		w.Write(cols.AppendHeader(nil))
	}
	for _, f := range files {
		bar := progress.New(f)
		err := walk.Parallel(f, walk.Options{Progress: bar.Update, Filter: match}, *jobs, func() walk.Worker {
			c := cols.Clone()
			return func(p *packet.Packet, rec *capture.Record, out []byte) ([]byte, error) {
				return c.AppendRow(out, p), nil
			}
		}, w)
		bar.Done()
		if err != nil {
			w.Flush()
			return err
		}
	}
	return nil
}
