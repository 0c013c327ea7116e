package capture

import (
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// Reader reads packets from a pcap or pcapng capture file, gzip-compressed
// or not, in a single forward pass and in constant memory: it holds one
// buffer, which grows only to the size of the largest record it has had to
// hold.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	touched byte // (what Skip read ahead)
	src     source
	name    string
	closer  io.Closer
	mapped  []byte // the file mapped in memory, if Open could map it
	gz      *gzip.Reader
	gzipped bool
	format  Format
	be      bool // byte order of the file (pcap) or of the current section (pcapng)
	n       int  // packets returned so far
	err     error
	started bool // the file or first section header was accepted

	pcapHeader // pcap only

	ifaces     []Interface   // pcap: the one implicit interface
	sections   []SectionInfo // pcap: one
	ng         bool          // pcapng
	section    int           // index of the current section
	secIfStart int           // index in ifaces of the current section's first interface
	convs      []ifaceState  // parallel to ifaces (pcapng only)
	names      []NameEntry
	secrets    []Secret
	stats      []InterfaceStats
}

// ifaceState is what the packet path needs to know about an interface.
type ifaceState struct {
	conv    tsConv
	link    LinkType
	snapLen int
	maxCap  int
}

// Open opens the named capture file for reading; "-" means standard input.
// The format (pcap in any of its four magics, pcapng) is found from the
// file's first bytes, after gzip decompression if the file is gzipped.
//
// A regular, uncompressed file of some size is mapped into memory rather
// than read, so that records are views of the file and nothing is copied
// (see Stable); the file must then not be truncated while it is open.
func Open(path string) (*Reader, error) { return open(path, minMapSize) }

// open is Open mapping regular files of at least mapMin bytes (never if
// mapMin < 0).
func open(path string, mapMin int64) (*Reader, error) {
	var f *os.File
	if path == "-" {
		f = os.Stdin
	} else {
		var err error
		f, err = os.Open(path)
		if err != nil {
			return nil, &Error{File: path, Err: err}
		}
	}
	var r *Reader
	var err error
	if m := mapIfFile(f, path, mapMin); m != nil && !(len(m) >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
		r, err = newMappedReader(m, path)
		if err != nil {
			unmapFile(m)
		}
	} else {
		if m != nil {
			unmapFile(m)
		}
		r, err = newReader(f, path)
	}
	if err != nil {
		if f != os.Stdin {
			f.Close()
		}
		return nil, err
	}
	if f != os.Stdin {
		r.closer = f
	}
	return r, nil
}

// NewReader returns a Reader that reads a capture file from rd, detecting
// its format, and gzip compression, as Open does. The file header is read
// before NewReader returns.
func NewReader(rd io.Reader) (*Reader, error) {
	return newReader(rd, "")
}

// newMappedReader reads a whole uncompressed file mapped in memory.
func newMappedReader(m []byte, name string) (*Reader, error) {
	r := &Reader{name: name, mapped: m}
	r.src.initMapped(m)
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	return r, nil
}

func newReader(rd io.Reader, name string) (*Reader, error) {
	r := &Reader{name: name}
	var magic [4]byte
	n, err := readPrefix(rd, magic[:])
	if err != nil {
		return nil, &Error{File: name, Err: err}
	}
	if n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(io.MultiReader(&byteReader{b: magic[:n]}, rd))
		if err != nil {
			return nil, &Error{File: name, Err: fmt.Errorf("%w: gzip: %w", ErrMalformed, err)}
		}
		r.gz, r.gzipped = gz, true
		r.src.init(gz, nil)
	} else {
		r.src.init(rd, magic[:n])
	}
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	return r, nil
}

// readPrefix reads up to len(p) bytes, fewer only at the end of the
// stream; unlike io.ReadFull it gives up on a reader that keeps returning
// nothing.
func readPrefix(rd io.Reader, p []byte) (int, error) {
	n, empty := 0, 0
	for n < len(p) {
		m, err := rd.Read(p[n:])
		if m < 0 || m > len(p)-n {
			return n, io.ErrNoProgress
		}
		n += m
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if m == 0 {
			if empty++; empty >= maxEmptyReads {
				return n, io.ErrNoProgress
			}
		}
	}
	return n, nil
}

// byteReader reads a small byte slice; unlike bytes.Reader it has no Len
// method, so that the source does not mistake it for the whole stream.
type byteReader struct{ b []byte }

func (b *byteReader) Read(p []byte) (int, error) {
	if len(b.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, b.b)
	b.b = b.b[n:]
	return n, nil
}

const (
	magicMicro     = 0xa1b2c3d4
	magicNano      = 0xa1b23c4d
	magicModified  = 0xa1b2cd34
	blockSHB       = 0x0A0D0D0A
	byteOrderMagic = 0x1A2B3C4D
)

func (r *Reader) readHeader() error {
	m := r.src.peek(4)
	if len(m) < 4 {
		if r.src.err != nil && r.src.err != io.EOF {
			return r.fail(0, r.readErr("file header"))
		}
		return r.fail(0, errorf(ErrNotCapture, "not a pcap or pcapng file (only %d bytes)", len(m)))
	}
	le, be := binary.LittleEndian.Uint32(m), binary.BigEndian.Uint32(m)
	switch {
	case le == magicMicro || le == magicNano:
		return r.readPcapHeader(false, le == magicNano)
	case be == magicMicro || be == magicNano:
		return r.readPcapHeader(true, be == magicNano)
	case le == magicModified || be == magicModified:
		return r.fail(0, errorf(ErrUnsupported, "modified (Kuznetzov) pcap format is not supported"))
	case le == blockSHB:
		r.ng = true
		r.format = FormatPcapng
		if err := r.readSHB(); err != nil {
			return err
		}
		// Read the blocks up to the first packet, so that Interfaces,
		// LinkType and SnapLen are known at once. An error met on the way
		// is kept, and returned by the first call to Next.
		_ = r.nextPcapng(nil)
		return nil
	}
	return r.fail(0, ErrNotCapture)
}

// fail records err as the reader's sticky error, wrapped in an *Error for
// the given offset and the packet being read, and returns it.
func (r *Reader) fail(off int64, err error) error {
	e := &Error{File: r.name, Packet: 0, Offset: off, Err: err}
	if r.started {
		e.Packet = r.n + 1
	}
	r.err = e
	return e
}

// failRead reports the failure to read need bytes of what at offset off,
// of which have were there: a truncation, or the read error behind it.
func (r *Reader) failRead(off int64, what string, need, have int) error {
	if r.src.err != nil && r.src.err != io.EOF {
		return r.fail(off, r.readErr(what))
	}
	return r.fail(off, truncated(what, int64(need), int64(have)))
}

// readErr describes the read error that stopped the reading of what. An
// error from the decompressor means corrupt compressed data.
func (r *Reader) readErr(what string) error {
	if r.gzipped {
		return fmt.Errorf("%w: reading %s: gzip: %w", ErrMalformed, what, r.src.err)
	}
	return fmt.Errorf("reading %s: %w", what, r.src.err)
}

// Next reads the next packet into rec. rec.Data points into the reader's
// buffer and stays valid until the following call to Next; nothing is
// allocated. Next returns io.EOF at the clean end of the file, and an
// *Error for malformed data, after returning every packet before the
// damage; it then returns the same error on every later call.
func (r *Reader) Next(rec *Record) error {
	if r.err != nil {
		return r.err
	}
	if r.ng {
		return r.nextPcapng(rec)
	}
	return r.nextPcap(rec)
}

// ReadRecord reads the next packet and returns a copy of it that does not
// share memory with the reader.
func (r *Reader) ReadRecord() (Record, error) {
	var rec Record
	if err := r.Next(&rec); err != nil {
		return Record{}, err
	}
	return rec.Clone(), nil
}

// Close releases the file opened by Open (standard input is left open) and
// the decompressor. It does not close an io.Reader given to NewReader.
func (r *Reader) Close() error {
	var err error
	if r.gz != nil {
		err = r.gz.Close()
		r.gz = nil
	}
	if r.closer != nil {
		if cerr := r.closer.Close(); err == nil {
			err = cerr
		}
		r.closer = nil
	}
	if r.err == nil {
		r.err = &Error{File: r.name, Err: fmt.Errorf("%w: reader closed", os.ErrClosed)}
	}
	r.src.buf = nil
	if r.mapped != nil {
		if uerr := unmapFile(r.mapped); err == nil {
			err = uerr
		}
		r.mapped = nil
	}
	return err
}

// Stable reports whether the bytes of the records Next returns stay valid
// until Close, rather than only until the next call (true when Open could
// map the file into memory). Callers that hand records to other goroutines
// may then skip copying them.
func (r *Reader) Stable() bool { return r.mapped != nil }

// Format returns the format of the file.
func (r *Reader) Format() Format { return r.format }

// Gzip reports whether the file is gzip-compressed.
func (r *Reader) Gzip() bool { return r.gzipped }

// ByteOrder returns the byte order of the file (pcap) or of the current
// section (pcapng).
func (r *Reader) ByteOrder() binary.ByteOrder { return order(r.be) }

// Name returns the name given to Open, or "" for NewReader.
func (r *Reader) Name() string { return r.name }

// Interfaces returns the interfaces seen so far, in all sections (each
// with its Section index); a pcap file has exactly one. The slice belongs
// to the reader and grows as reading goes on; do not modify it.
func (r *Reader) Interfaces() []Interface { return r.ifaces }

// Sections returns the sections seen so far; a pcap file has one.
func (r *Reader) Sections() []SectionInfo { return r.sections }

// SectionComments returns the opt_comment values of all section headers
// seen so far, in file order.
func (r *Reader) SectionComments() []string {
	var out []string
	for _, s := range r.sections {
		out = append(out, s.Comments...)
	}
	return out
}

// NameResolution returns the address-to-name entries of the Name
// Resolution Blocks seen so far.
func (r *Reader) NameResolution() []NameEntry { return r.names }

// Secrets returns the contents of the Decryption Secrets Blocks seen so far.
func (r *Reader) Secrets() []Secret { return r.secrets }

// Stats returns the contents of the Interface Statistics Blocks seen so far.
func (r *Reader) Stats() []InterfaceStats { return r.stats }

// SnapLen returns the snapshot length from the pcap file header, or, for
// pcapng, that of the first interface (0 if there is none yet).
func (r *Reader) SnapLen() int {
	if len(r.ifaces) == 0 {
		return 0
	}
	return r.ifaces[0].SnapLen
}

// LinkType returns the link type from the pcap file header, or, for
// pcapng, that of the first interface (LinkTypeNull if there is none yet).
func (r *Reader) LinkType() LinkType {
	if len(r.ifaces) == 0 {
		return LinkTypeNull
	}
	return r.ifaces[0].LinkType
}

// Packets returns how many packets Next has returned so far.
func (r *Reader) Packets() int { return r.n }

// Offset returns the offset in the (decompressed) stream of the next byte
// the reader will consume.
func (r *Reader) Offset() int64 { return r.src.off }

// mapIfFile maps f if it was opened by name (standard input may already be
// partly read) and is at least mapMin bytes long.
func mapIfFile(f *os.File, path string, mapMin int64) []byte {
	if path == "-" {
		return nil
	}
	return mapFile(f, mapMin)
}
