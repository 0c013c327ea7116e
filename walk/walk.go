// Package walk streams the packets of capture files through the engine: it
// opens each file, reads records without copying, points one reused
// packet.Packet at each, and reports damage with the file, packet number and
// byte offset. Every command that walks packets uses it.
package walk

import (
	"errors"
	"io"

	"pktkit/capture"
	_ "pktkit/layers" // protocol tables
	"pktkit/packet"
)

func init() {
	packet.SetLinkTypeNames(func(l uint32) string { return capture.LinkType(l).String() })
}

// Options select which packets a walk visits.
type Options struct {
	Skip  int              // skip this many packets first
	Count int              // stop after visiting this many (0 = all)
	Want  func(n int) bool // visit only packet numbers it accepts (nil = all)
	// Progress, if set, is called now and then with bytes read so far and
	// the file size (0 if unknown).
	Progress func(done, total int64)
	// Tag, if set, is called on each visited record in file order, in the
	// goroutine that reads the file (so it may look at the reader's state,
	// such as its interfaces); Pipeline hands the results to its consumer
	// in Batch.Tags. File and Reader ignore it.
	Tag func(r *capture.Reader, rec *capture.Record) int32
	// TagByInterface says that Tag's result depends only on the record's
	// interface (and on the reader's state): Pipeline may then call it
	// once for a run of records of one interface, such as a pcap file's
	// span (see Pipeline).
	TagByInterface bool
	// NoRecords says that Pipeline's consumer reads only Batch.Acc, not
	// Recs or Tags: workers that decode spans of a mapped file then keep
	// no records, only their output (less memory traffic per packet).
	NoRecords bool
	// BatchRecords and BatchBytes bound Pipeline's batches (0 for the
	// defaults, 4096 records and 2 MiB): a batch is sent to a worker when
	// either is reached.
	BatchRecords, BatchBytes int
	// Filter, if set, makes a packet test for each goroutine that dissects
	// packets (a display filter's Clone().Match); only packets it accepts
	// are visited, keeping their numbers in the file. Count then counts
	// accepted packets.
	Filter func() func(p *packet.Packet) bool
	// Analyses, if set, run over every packet of the file in order (the
	// ones Skip, Want and Filter leave out too) before the packet is
	// visited or filtered, for fields that depend on earlier packets
	// (packet.AnalysesFor). Pipeline then dissects in one worker, which
	// takes batches in file order.
	Analyses []*packet.Analysis

	total int64
}

// ErrStop may be returned by a visit function to end the walk early
// without error.
var ErrStop = errors.New("stop")

// Func is called for each packet. The packet and record are reused: copy
// what must outlive the call.
type Func func(p *packet.Packet, rec *capture.Record) error

// File walks one capture file ("-" for standard input). It returns the
// reader's error (a *capture.Error naming file, packet and offset) after
// visiting every packet before the damage.
func File(path string, opt Options, fn Func) error {
	r, err := capture.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	setTotal(path, r, &opt)
	return Reader(r, opt, fn)
}

// selects reports whether the options' Skip and Want keep packet n.
func (o *Options) selects(n int) bool {
	return n > o.Skip && (o.Want == nil || o.Want(n))
}

// Reader walks an open capture reader.
func Reader(r *capture.Reader, opt Options, fn Func) error {
	var rec capture.Record
	p := &packet.Packet{}
	var match func(*packet.Packet) bool
	if opt.Filter != nil {
		match = opt.Filter()
	}
	visited := 0
	total := opt.total
	var tm times
	z := packet.NewAnalyzers(opt.Analyses)
	for n := 0; ; n++ {
		err := r.Next(&rec)
		if err == io.EOF {
			if opt.Progress != nil {
				opt.Progress(total, total)
			}
			return nil
		}
		if err != nil {
			return err
		}
		if opt.Progress != nil && n&4095 == 0 {
			opt.Progress(rec.Offset, total)
		}
		first, prev := tm.next(rec.Timestamp)
		if z != nil {
			p.SetFrame(rec.Data, uint32(rec.LinkType), rec.Number, rec.Timestamp, rec.OrigLen)
			p.SetTimes(first, prev)
			z.Run(p)
		}
		if !opt.selects(rec.Number) {
			continue
		}
		if z == nil {
			p.SetFrame(rec.Data, uint32(rec.LinkType), rec.Number, rec.Timestamp, rec.OrigLen)
			p.SetTimes(first, prev)
		}
		if match != nil && !match(p) {
			continue
		}
		if err := fn(p, &rec); err != nil {
			if err == ErrStop {
				return nil
			}
			return err
		}
		visited++
		if opt.Count > 0 && visited >= opt.Count {
			return nil
		}
	}
}
