package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"

	"pktkit/capture"
	"pktkit/internal/progress"
	"pktkit/packet"
	"pktkit/walk"
)

func init() {
	register(&command{
		name:    "read",
		summary: "one line per packet: number, time, summary",
		usage: `Usage: pktkit read FILE... [-c N] [--skip N] [-Y FILTER]

Prints one line per packet: its number in the file, its time (UTC) and a
Scapy-style summary of its layers. With several files, each file's packets
follow a "==> FILE <==" line. -Y keeps only the packets a Wireshark
display filter accepts (numbers stay those of the file; -c counts them).

Examples:
  pktkit read testdata/sample.pcap
  pktkit read -c 10 --skip 100 big.pcapng.gz
  pktkit read testdata/sample.pcap -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0'
  tcpdump -w - -c 5 | pktkit read -
`,
		run: runRead,
	})
}

func runRead(args []string, stdout io.Writer) error {
	c := commandByName("read")
	fs := flags(c, stdout)
	count := fs.Int("c", 0, "stop after `N` packets (0 = all)")
	skip := fs.Int("skip", 0, "skip the first `N` packets")
	yf := filterFlag(fs)
	files, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	match, analyses, err := compileFilter(*yf)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("no capture file given")
	}
	w := bufio.NewWriterSize(stdout, 1<<16)
	defer w.Flush()
	var line []byte
	for _, f := range files {
		if len(files) > 1 {
			fmt.Fprintf(w, "==> %s <==\n", f)
		}
		bar := progress.New(f)
		err := walk.File(f, walk.Options{Skip: *skip, Count: *count, Progress: bar.Update, Filter: match, Analyses: analyses}, func(p *packet.Packet, rec *capture.Record) error {
			line = strconv.AppendInt(line[:0], int64(rec.Number), 10)
			line = append(line, ' ')
			line = appendTime(line, rec.Timestamp)
			line = append(line, ' ')
			line = p.AppendSummary(line)
			line = append(line, '\n')
			_, err := w.Write(line)
			return err
		})
		bar.Done()
		if err != nil {
			w.Flush()
			return err
		}
	}
	return nil
}

// appendTime formats a timestamp as "2006-01-02 15:04:05.000000000" in UTC.
func appendTime(dst []byte, ns int64) []byte {
	return time.Unix(0, ns).UTC().AppendFormat(dst, "2006-01-02 15:04:05.000000000")
}

func commandByName(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	panic("no command " + name)
}
