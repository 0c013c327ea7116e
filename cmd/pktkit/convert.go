package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"

	"pktkit/capture"
	"pktkit/internal/progress"
	"pktkit/packet"
	"pktkit/walk"
)

func init() {
	register(&command{
		name:    "convert",
		summary: "rewrite a capture as pcap or pcapng",
		usage: `Usage: pktkit convert IN -w OUT [--format pcap|pcapng] [--nano] [-Y FILTER] [-j N]

Copies every packet of IN to OUT. The format defaults to pcapng when OUT ends
in .pcapng and to pcap otherwise. pcapng output keeps interfaces (names,
descriptions, link types, snap lengths), section and packet comments, and
nanosecond time stamps; pcap output needs a single link type. IN may be
gzip-compressed; '-' reads standard input or writes standard output.
-Y writes only the packets a Wireshark display filter accepts; -j workers
dissect and test them in parallel, and the output keeps packet order.

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
	jobs := fs.Int("j", runtime.GOMAXPROCS(0), "with -Y, test packets with `N` parallel workers")
	files, err := parse(c, fs, args, stdout)
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
	match, analyses, err := compileFilter(*yf)
	if err != nil {
		return err
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
	n, err := convertFiltered(r, bw, *format, *nano, progress.New(files[0]), Keep(match), *jobs, analyses...)
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
	WriteEncoded([]byte) error
	Flush() error
}

// origin is what the output needs to know about where a record came from,
// taken from the reader when the record is read (the reader may be ahead
// when the record is written).
type origin struct {
	section capture.SectionInfo // the record's section (pcapng output options)
	hasSec  bool
	ifc     capture.Interface // its interface (pcapng output)
	key     ifKey
}

type ifKey struct{ section, index int }

// origins maps records to their origin; the reader side adds, the writer
// side reads.
type origins struct {
	mu   sync.Mutex
	list []origin
	idx  map[ifKey]int32
}

// tag returns the index of rec's origin, recording it on first sight. It
// runs where r is read.
func (o *origins) tag(r *capture.Reader, rec *capture.Record) int32 {
	secs := r.Sections()
	k := ifKey{len(secs) - 1, rec.Interface}
	if i, ok := o.idx[k]; ok {
		return i
	}
	og := origin{key: k, ifc: capture.Interface{LinkType: rec.LinkType}}
	if len(secs) > 0 {
		og.section, og.hasSec = secs[len(secs)-1], true
	}
	i := 0
	for _, x := range r.Interfaces() {
		if x.Section == max(k.section, 0) || r.Format() != capture.FormatPcapng {
			if i == rec.Interface {
				og.ifc = x
				break
			}
			i++
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.idx == nil {
		o.idx = map[ifKey]int32{}
	}
	n := int32(len(o.list))
	o.list = append(o.list, og)
	o.idx[k] = n
	return n
}

func (o *origins) get(i int32) origin {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.list[i]
}

// converter writes records in the output format, in order.
type converter struct {
	w        io.Writer
	format   string
	nano     bool
	snap     int
	pw       recordWriter
	ng       *capture.PcapngWriter
	pcapLink capture.LinkType
	ifmap    map[ifKey]int
	n        int
}

func (c *converter) write(rec *capture.Record, og origin) error {
	if err := c.open(rec, og); err != nil {
		return err
	}
	if c.ng != nil {
		idx, err := c.iface(og)
		if err != nil {
			return err
		}
		out := *rec
		out.Interface = idx
		if err := c.ng.WriteRecordWithComments(&out, rec.Comments()...); err != nil {
			return err
		}
	} else {
		if err := c.sameLink(rec); err != nil {
			return err
		}
		if err := c.pw.WriteRecord(rec); err != nil {
			return err
		}
	}
	c.n++
	return nil
}

// open makes the output writer for the first record written.
func (c *converter) open(rec *capture.Record, og origin) error {
	if c.pw != nil {
		return nil
	}
	var err error
	if c.format == "pcapng" {
		opts := capture.PcapngOptions{UserAppl: "pktkit"}
		if og.hasSec {
			opts.Comments, opts.Hardware, opts.OS = og.section.Comments, og.section.Hardware, og.section.OS
		}
		if c.ng, err = capture.NewPcapngWriter(c.w, opts); err != nil {
			return err
		}
		c.pw = c.ng
		return nil
	}
	c.pcapLink = rec.LinkType
	c.pw, err = capture.NewPcapWriter(c.w, rec.LinkType, c.snap, c.nano)
	return err
}

// iface returns the pcapng output's index of og's interface, declaring it
// on first use.
func (c *converter) iface(og origin) (int, error) {
	idx, ok := c.ifmap[og.key]
	if !ok {
		var err error
		if idx, err = c.ng.AddInterface(og.ifc); err != nil {
			return 0, err
		}
		c.ifmap[og.key] = idx
	}
	return idx, nil
}

// sameLink checks that a record fits pcap output's one link type.
func (c *converter) sameLink(rec *capture.Record) error {
	if rec.LinkType != c.pcapLink {
		return fmt.Errorf("packet %d has link type %s but pcap holds one link type (%s): write pcapng", rec.Number, rec.LinkType, c.pcapLink)
	}
	return nil
}

// encoded is a batch's output made by a worker: the blocks (pcapng) or
// records (pcap) of the packets it kept, encoded in the output format.
type encoded struct {
	keep []bool // per record of the batch: whether the filter kept it
	ends []int  // per kept record: where its encoding ends in buf
	buf  []byte
}

// writeEncoded writes a batch encoded by workers. Most of it goes out as
// it is; the writer fixes what only it knows, in packet order: pcapng
// interface numbers (declaring interfaces on first use), pcap's single
// link type, and a packet longer than its interface's snapshot length
// (rare: encoded again, cut).
func (c *converter) writeEncoded(b *walk.Batch[encoded], og *origins) error {
	e := &b.Acc
	from, k := 0, 0 // bytes of buf written or queued; kept records seen
	flush := func(to int) error {
		if to > from {
			if err := c.pw.WriteEncoded(e.buf[from:to]); err != nil {
				return err
			}
		}
		from = to
		return nil
	}
	lastTag, last, lastIdx := int32(-1), origin{}, -1 // lastIdx: last's output interface, -1 until known
	for i := range e.keep {
		if !e.keep[i] {
			continue
		}
		rec := &b.Recs[i]
		start, end := 0, e.ends[k]
		if k > 0 {
			start = e.ends[k-1]
		}
		k++
		if b.Tags[i] != lastTag {
			lastTag, last, lastIdx = b.Tags[i], og.get(b.Tags[i]), -1
		}
		if c.pw == nil {
			if err := c.open(rec, last); err != nil {
				return err
			}
		}
		if c.ng == nil {
			if err := c.sameLink(rec); err != nil {
				flush(start)
				return err
			}
			c.n++
			continue
		}
		if s := last.ifc.SnapLen; s > 0 && len(rec.Data) > s {
			if err := flush(start); err != nil {
				return err
			}
			from = end
			if err := c.write(rec, last); err != nil {
				return err
			}
			continue
		}
		if lastIdx < 0 {
			idx, ok := c.ifmap[last.key]
			if !ok {
				if err := flush(start); err != nil { // the block comes after the interface
					return err
				}
				var err error
				if idx, err = c.iface(last); err != nil {
					return err
				}
			}
			lastIdx = idx
		}
		if idx := lastIdx; idx != rec.Interface {
			binary.LittleEndian.PutUint32(e.buf[start+8:], uint32(idx))
		}
		c.n++
	}
	return flush(len(e.buf))
}

// finish writes the header of an empty output and flushes.
func (c *converter) finish(r *capture.Reader) error {
	if c.pw == nil {
		// An empty capture still gets a valid header.
		var err error
		if c.format == "pcapng" {
			c.pw, err = capture.NewPcapngWriter(c.w, capture.PcapngOptions{UserAppl: "pktkit"})
		} else {
			c.pw, err = capture.NewPcapWriter(c.w, r.LinkType(), max(r.SnapLen(), 0), c.nano)
		}
		if err != nil {
			return err
		}
	}
	return c.pw.Flush()
}

// Keep makes, for each worker, a predicate that says which packets convert
// copies (the hook for display filters: nil copies every packet without
// dissecting it).
type Keep func() func(p *packet.Packet) bool

func convert(r *capture.Reader, w io.Writer, format string, nano bool, bar *progress.Bar) (int, error) {
	return convertFiltered(r, w, format, nano, bar, nil, 1)
}

// convertFiltered copies the records of r that keep accepts to w. With a
// predicate, packets are dissected and tested by workers in parallel and
// written in packet order.
func convertFiltered(r *capture.Reader, w io.Writer, format string, nano bool, bar *progress.Bar, keep Keep, workers int, analyses ...*packet.Analysis) (int, error) {
	defer bar.Done()
	snap := r.SnapLen()
	if snap <= 0 {
		snap = 262144
	}
	c := &converter{w: w, format: format, nano: nano, snap: snap, ifmap: map[ifKey]int{}}
	var og origins
	fail := func(err error) (int, error) {
		if c.pw != nil {
			c.pw.Flush()
		}
		return c.n, err
	}
	if keep == nil {
		var rec capture.Record
		for {
			err := r.Next(&rec)
			if err == io.EOF {
				break
			}
			if err != nil {
				return fail(err)
			}
			if c.n&4095 == 0 {
				bar.Update(rec.Offset, 0)
			}
			if err := c.write(&rec, og.get(og.tag(r, &rec))); err != nil {
				return c.n, err
			}
		}
		return c.n, c.finish(r)
	}
	opt := walk.Options{Progress: bar.Update, Tag: og.tag, TagByInterface: true, Analyses: analyses}
	snap = c.snap
	err := walk.Pipeline(r, opt, workers, func() func(p *packet.Packet, rec *capture.Record, acc *encoded) error {
		k := keep()
		return func(p *packet.Packet, rec *capture.Record, acc *encoded) error {
			if !k(p) {
				acc.keep = append(acc.keep, false)
				return nil
			}
			var err error
			if format == "pcapng" {
				// The interface number and the snapshot length are the
				// writer's to settle (writeEncoded).
				acc.buf, err = capture.AppendEPB(acc.buf, rec, rec.Interface, 0)
			} else {
				acc.buf, err = capture.AppendPcapRecord(acc.buf, rec, snap, nano)
			}
			if err != nil {
				return err
			}
			acc.keep = append(acc.keep, true)
			acc.ends = append(acc.ends, len(acc.buf))
			return nil
		}
	}, func(b *walk.Batch[encoded]) error {
		err := c.writeEncoded(b, &og)
		b.Acc.keep, b.Acc.ends, b.Acc.buf = b.Acc.keep[:0], b.Acc.ends[:0], b.Acc.buf[:0]
		return err
	})
	if err != nil {
		return fail(err)
	}
	return c.n, c.finish(r)
}
