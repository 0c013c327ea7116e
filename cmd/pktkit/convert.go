package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"pktkit/capture"
	"pktkit/internal/progress"
	"pktkit/packet"
)

func init() {
	register(&command{
		name:    "convert",
		summary: "rewrite a capture as pcap or pcapng",
		usage: `Usage: pktkit convert IN -w OUT [--format pcap|pcapng] [--nano] [-Y FILTER]

Copies every packet of IN to OUT. The format defaults to pcapng when OUT ends
in .pcapng and to pcap otherwise. pcapng output keeps interfaces (names,
descriptions, link types, snap lengths), section and packet comments, and
nanosecond time stamps; pcap output needs a single link type. IN may be
gzip-compressed; '-' reads standard input or writes standard output.
-Y writes only the packets a Wireshark display filter accepts.

Examples:
  pktkit convert old.pcap -w new.pcapng
  pktkit convert capture.pcapng.gz -w - --format pcap | tcpdump -r -
  pktkit convert big.pcapng -w dns.pcap -Y 'udp.port == 53'
`,
		run: runConvert,
	})
}

func runConvert(args []string, stdout io.Writer) error {
	c := commandByName("convert")
	fs := flags(c, stdout)
	out := fs.String("w", "", "output `FILE` ('-' for standard output)")
	format := fs.String("format", "", "output `format`: pcap or pcapng")
	nano := fs.Bool("nano", false, "pcap output: nanosecond time stamps")
	yf := filterFlag(fs)
	files, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	newMatch, err := compileFilter(*yf)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("convert takes one input file, got %d", len(files))
	}
	if *out == "" {
		return usagef("no output file: use -w FILE")
	}
	if *format == "" {
		*format = "pcap"
		if strings.HasSuffix(*out, ".pcapng") {
			*format = "pcapng"
		}
	}
	if *format != "pcap" && *format != "pcapng" {
		return usagef("unknown format %q (pcap, pcapng)", *format)
	}
	r, err := capture.Open(files[0])
	if err != nil {
		return err
	}
	defer r.Close()
	var w io.Writer = stdout
	var file *os.File
	if *out != "-" {
		if file, err = os.Create(*out); err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	var match func(*packet.Packet) bool
	if newMatch != nil {
		match = newMatch()
	}
	n, err := convert(r, bw, *format, *nano, progress.New(files[0]), match)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("%w (%d packets written)", err, n)
	}
	return nil
}

// recordWriter is what both writers offer.
type recordWriter interface {
	WriteRecord(*capture.Record) error
	Flush() error
}

// convert copies the records match accepts (all if match is nil).
func convert(r *capture.Reader, w io.Writer, format string, nano bool, bar *progress.Bar, match func(*packet.Packet) bool) (int, error) {
	defer bar.Done()
	var rec capture.Record
	var p packet.Packet
	var first, prev int64
	var pw recordWriter
	var ng *capture.PcapngWriter
	var pcapLink capture.LinkType
	type ifKey struct{ section, index int }
	ifmap := map[ifKey]int{}
	n := 0
	for {
		err := r.Next(&rec)
		if err == io.EOF {
			break
		}
		if err != nil {
			if pw != nil {
				pw.Flush()
			}
			return n, err
		}
		if rec.Number&4095 == 0 {
			bar.Update(rec.Offset, 0)
		}
		if rec.Number == 1 {
			first, prev = rec.Timestamp, rec.Timestamp
		}
		p.SetFrame(rec.Data, uint32(rec.LinkType), rec.Number, rec.Timestamp, rec.OrigLen)
		p.FirstTime, p.PrevTime, prev = first, prev, rec.Timestamp
		if match != nil && !match(&p) {
			continue
		}
		if pw == nil {
			if format == "pcapng" {
				opts := capture.PcapngOptions{UserAppl: "pktkit"}
				secs := r.Sections()
				if len(secs) > 0 {
					s := secs[len(secs)-1]
					opts.Comments, opts.Hardware, opts.OS = s.Comments, s.Hardware, s.OS
				}
				if ng, err = capture.NewPcapngWriter(w, opts); err != nil {
					return n, err
				}
				pw = ng
			} else {
				snap := r.SnapLen()
				if snap <= 0 {
					snap = 262144
				}
				pcapLink = rec.LinkType
				if pw, err = capture.NewPcapWriter(w, rec.LinkType, snap, nano); err != nil {
					return n, err
				}
			}
		}
		if ng != nil {
			section := len(r.Sections()) - 1
			k := ifKey{section, rec.Interface}
			idx, ok := ifmap[k]
			if !ok {
				ifc := capture.Interface{LinkType: rec.LinkType, SnapLen: 0}
				i := 0
				for _, x := range r.Interfaces() {
					if x.Section == max(section, 0) || r.Format() != capture.FormatPcapng {
						if i == rec.Interface {
							ifc = x
							break
						}
						i++
					}
				}
				if idx, err = ng.AddInterface(ifc); err != nil {
					return n, err
				}
				ifmap[k] = idx
			}
			out := rec
			out.Interface = idx
			if err := ng.WriteRecordWithComments(&out, rec.Comments()...); err != nil {
				return n, err
			}
		} else {
			if rec.LinkType != pcapLink {
				return n, fmt.Errorf("packet %d has link type %s but pcap holds one link type (%s): write pcapng", rec.Number, rec.LinkType, pcapLink)
			}
			if err := pw.WriteRecord(&rec); err != nil {
				return n, err
			}
		}
		n++
	}
	if pw == nil {
		// An empty capture still gets a valid header.
		var err error
		if format == "pcapng" {
			pw, err = capture.NewPcapngWriter(w, capture.PcapngOptions{UserAppl: "pktkit"})
		} else {
			pw, err = capture.NewPcapWriter(w, r.LinkType(), max(r.SnapLen(), 0), nano)
		}
		if err != nil {
			return n, err
		}
	}
	return n, pw.Flush()
}
