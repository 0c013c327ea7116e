package shell

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.starlark.net/starlark"

	"pktkit/capture"
	"pktkit/craft/script"
)

// slab hands out copies of record bytes from shared chunks, so that a
// packet read from a file costs no allocation of its own.
type slab struct{ buf []byte }

const slabSize = 256 << 10

func (s *slab) copy(b []byte) []byte {
	if len(b) > slabSize/4 {
		return append([]byte(nil), b...)
	}
	if cap(s.buf)-len(s.buf) < len(b) {
		s.buf = make([]byte, 0, slabSize)
	}
	start := len(s.buf)
	s.buf = append(s.buf, b...)
	return s.buf[start:len(s.buf):len(s.buf)]
}

// readAll reads up to count packets (all if count < 0) of a capture file.
func readAll(path string, count int) (*PacketList, error) {
	r, err := capture.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var rec capture.Record
	var sl slab
	l := &PacketList{name: path}
	for count < 0 || len(l.pkts) < count {
		if err := r.Next(&rec); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, err
		}
		l.pkts = append(l.pkts, script.Frame(sl.copy(rec.Data), uint32(rec.LinkType), rec.Timestamp, rec.OrigLen))
	}
	return l, nil
}

// builtinRdpcap is rdpcap(filename, count=-1): the file's packets as a
// packet list.
func builtinRdpcap(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var path string
	count := -1
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "filename", &path, "count?", &count); err != nil {
		return nil, err
	}
	return readAll(path, count)
}

// pcapReader is PcapReader(filename): the file's packets one at a time,
// in constant memory.
type pcapReader struct {
	path string
	r    *capture.Reader
	err  error
}

func builtinPcapReader(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var path string
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "filename", &path); err != nil {
		return nil, err
	}
	r, err := capture.Open(path)
	if err != nil {
		return nil, err
	}
	pr := &pcapReader{path: path, r: r}
	track(th, pr)
	return pr, nil
}

// String returns "<PcapReader FILE>".
func (pr *pcapReader) String() string { return fmt.Sprintf("<PcapReader %q>", pr.path) }

// Type returns "PcapReader".
func (pr *pcapReader) Type() string { return "PcapReader" }

// Freeze does nothing.
func (pr *pcapReader) Freeze() {}

// Truth is true.
func (pr *pcapReader) Truth() starlark.Bool { return true }

// Hash fails.
func (pr *pcapReader) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable: PcapReader") }

// Close closes the file.
func (pr *pcapReader) Close() error {
	if pr.r == nil {
		return nil
	}
	err := pr.r.Close()
	pr.r = nil
	return err
}

// Attr returns the reader's methods: close(), read_all(count=-1),
// read_packet().
func (pr *pcapReader) Attr(name string) (starlark.Value, error) {
	switch name {
	case "close":
		return starlark.NewBuiltin(name, func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			return starlark.None, pr.Close()
		}), nil
	case "read_all":
		return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			count := -1
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "count?", &count); err != nil {
				return nil, err
			}
			l := &PacketList{name: pr.path}
			it := pr.Iterate().(*readerIter)
			defer it.Done()
			var v starlark.Value
			for (count < 0 || len(l.pkts) < count) && it.next(&v, false) {
				l.pkts = append(l.pkts, v.(*script.Packet))
			}
			return l, pr.err
		}), nil
	case "read_packet":
		return starlark.NewBuiltin(name, func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			it := pr.Iterate().(*readerIter)
			var v starlark.Value
			if !it.next(&v, false) {
				return starlark.None, pr.err
			}
			return v, nil
		}), nil
	}
	return nil, nil
}

// AttrNames lists the methods.
func (pr *pcapReader) AttrNames() []string { return []string{"close", "read_all", "read_packet"} }

// Iterate yields the next packets of the file.
func (pr *pcapReader) Iterate() starlark.Iterator {
	return &readerIter{pr: pr, st: script.NewStream()}
}

type readerIter struct {
	pr  *pcapReader
	st  *script.Stream
	rec capture.Record
	sl  slab
}

// Next yields the next packet (sharing one dissection with the previous:
// see script.Stream).
func (it *readerIter) Next(v *starlark.Value) bool { return it.next(v, true) }

func (it *readerIter) next(v *starlark.Value, stream bool) bool {
	pr := it.pr
	if pr.r == nil || pr.err != nil {
		return false
	}
	if err := pr.r.Next(&it.rec); err != nil {
		if !errors.Is(err, io.EOF) {
			pr.err = err
			fmt.Fprintf(os.Stderr, "PcapReader: %v\n", err)
		}
		return false
	}
	data := it.sl.copy(it.rec.Data)
	if stream {
		*v = it.st.Next(data, uint32(it.rec.LinkType), it.rec.Timestamp, it.rec.OrigLen, it.rec.Number)
	} else {
		*v = script.Frame(data, uint32(it.rec.LinkType), it.rec.Timestamp, it.rec.OrigLen)
	}
	return true
}

// Done does nothing: the file stays open for further loops.
func (it *readerIter) Done() {}

// writer is PcapWriter(filename): packets appended to a pcap, or pcapng
// when the name ends in .pcapng (or pcapng=True).
type writer struct {
	path  string
	f     *os.File
	pcap  *capture.PcapWriter
	ng    *capture.PcapngWriter
	link  int64 // pcap's link type, -1 until the first packet
	links map[uint32]int
	nano  bool
}

func newWriter(path string, ng bool, link int64, nano bool) (*writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := &writer{path: path, f: f, link: link, links: map[uint32]int{}, nano: nano}
	if ng {
		w.ng, err = capture.NewPcapngWriter(f, capture.PcapngOptions{UserAppl: "pktkit"})
		if err != nil {
			f.Close()
			return nil, err
		}
	}
	return w, nil
}

// write writes packets: a packet (each of a set), a list of them.
func (w *writer) write(v starlark.Value) error {
	if w.f == nil {
		return fmt.Errorf("%s: writer is closed", w.path)
	}
	if p, ok := v.(*script.Packet); ok {
		if p.P == nil {
			return w.writePacket(p)
		}
		it := p.Iterate()
		defer it.Done()
		var e starlark.Value
		for it.Next(&e) {
			if err := w.writePacket(e.(*script.Packet)); err != nil {
				return err
			}
		}
		return nil
	}
	it, ok := v.(starlark.Iterable)
	if !ok {
		return fmt.Errorf("write: want packets, not %s", v.Type())
	}
	iter := it.Iterate()
	defer iter.Done()
	var e starlark.Value
	for iter.Next(&e) {
		if err := w.write(e); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) writePacket(p *script.Packet) error {
	b, err := p.Bytes()
	if err != nil {
		return err
	}
	ts, ok := p.Time()
	if !ok {
		ts = time.Now().UnixNano()
	}
	link := p.LinkType()
	rec := capture.Record{Timestamp: ts, Data: b, CapLen: len(b), OrigLen: len(b), LinkType: capture.LinkType(link)}
	if w.ng != nil {
		idx, ok := w.links[link]
		if !ok {
			idx, err = w.ng.AddInterface(capture.Interface{LinkType: capture.LinkType(link), FCSLen: -1})
			if err != nil {
				return err
			}
			w.links[link] = idx
		}
		rec.Interface = idx
		return w.ng.WriteRecord(&rec)
	}
	if w.pcap == nil {
		if w.link < 0 {
			w.link = int64(link)
		}
		w.pcap, err = capture.NewPcapWriter(w.f, capture.LinkType(w.link), 0, w.nano)
		if err != nil {
			return err
		}
	} else if int64(link) != w.link {
		return fmt.Errorf("%s: a pcap file has one link type (%d); this packet's is %d (write a .pcapng)", w.path, w.link, link)
	}
	return w.pcap.WriteRecord(&rec)
}

// Close flushes and closes the file.
func (w *writer) Close() error {
	if w.f == nil {
		return nil
	}
	var err error
	if w.ng != nil {
		err = w.ng.Flush()
	} else {
		if w.pcap == nil {
			link := w.link
			if link < 0 {
				link = 1
			}
			w.pcap, err = capture.NewPcapWriter(w.f, capture.LinkType(link), 0, w.nano)
		}
		if err == nil {
			err = w.pcap.Flush()
		}
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	return err
}

func (w *writer) flush() error {
	if w.ng != nil {
		return w.ng.Flush()
	}
	if w.pcap != nil {
		return w.pcap.Flush()
	}
	return nil
}

// String returns "<PcapWriter FILE>".
func (w *writer) String() string { return fmt.Sprintf("<PcapWriter %q>", w.path) }

// Type returns "PcapWriter".
func (w *writer) Type() string { return "PcapWriter" }

// Freeze does nothing.
func (w *writer) Freeze() {}

// Truth is true.
func (w *writer) Truth() starlark.Bool { return true }

// Hash fails.
func (w *writer) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable: PcapWriter") }

// Attr returns write(pkts), flush(), close().
func (w *writer) Attr(name string) (starlark.Value, error) {
	switch name {
	case "write":
		return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var v starlark.Value
			if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &v); err != nil {
				return nil, err
			}
			return starlark.None, w.write(v)
		}), nil
	case "flush":
		return starlark.NewBuiltin(name, func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			return starlark.None, w.flush()
		}), nil
	case "close":
		return starlark.NewBuiltin(name, func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			return starlark.None, w.Close()
		}), nil
	}
	return nil, nil
}

// AttrNames lists the methods.
func (w *writer) AttrNames() []string { return []string{"close", "flush", "write"} }

// writerArgs reads PcapWriter's and wrpcap's options.
func writerArgs(path string, linktype starlark.Value, pcapng starlark.Value, nano bool) (*writer, error) {
	ng := strings.HasSuffix(path, ".pcapng") || strings.HasSuffix(path, ".ntar")
	if b, ok := pcapng.(starlark.Bool); ok {
		ng = bool(b)
	}
	link := int64(-1)
	if linktype != starlark.None && linktype != nil {
		n, err := starlark.AsInt32(linktype)
		if err != nil || n < 0 || n > 0xffff {
			return nil, fmt.Errorf("linktype must be a link-type number")
		}
		link = int64(n)
	}
	return newWriter(path, ng, link, nano)
}

// builtinPcapWriter is PcapWriter(filename, linktype=None, pcapng=None,
// nano=False).
func builtinPcapWriter(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var path string
	var linktype, pcapng starlark.Value = starlark.None, starlark.None
	var nano, appendFlag, sync bool
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "filename", &path, "linktype?", &linktype, "pcapng?", &pcapng, "nano?", &nano, "append?", &appendFlag, "sync?", &sync); err != nil {
		return nil, err
	}
	if appendFlag {
		return nil, fmt.Errorf("PcapWriter: append=True is not supported")
	}
	w, err := writerArgs(path, linktype, pcapng, nano)
	if err != nil {
		return nil, err
	}
	track(th, w)
	return w, nil
}

// builtinWrpcap is wrpcap(filename, pkts, linktype=None, pcapng=None,
// nano=False).
func builtinWrpcap(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var path string
	var pkts starlark.Value
	var linktype, pcapng starlark.Value = starlark.None, starlark.None
	var nano bool
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "filename", &path, "pkt", &pkts, "linktype?", &linktype, "pcapng?", &pcapng, "nano?", &nano); err != nil {
		return nil, err
	}
	w, err := writerArgs(path, linktype, pcapng, nano)
	if err != nil {
		return nil, err
	}
	if err := w.write(pkts); err != nil {
		w.Close()
		return nil, err
	}
	return starlark.None, w.Close()
}
