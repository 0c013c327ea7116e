package capture

import (
	"bufio"
	"encoding/binary"
	"io"
	"math"
)

// PcapWriter writes a pcap file: little-endian, version 2.4, with
// microsecond or nanosecond time stamps. Output is buffered: call Flush
// when done.
type PcapWriter struct {
	w       *bufio.Writer
	link    LinkType
	snapLen int
	nano    bool
	hdr     [pcapRecordHeaderLen]byte
}

// NewPcapWriter writes a pcap file header to w and returns a writer for
// the records. snaplen is the snapshot length to record, and the length at
// which packets are cut; 0 means the link type's MaxPacketSize. nano
// chooses nanosecond rather than microsecond time stamps.
func NewPcapWriter(w io.Writer, link LinkType, snaplen int, nano bool) (*PcapWriter, error) {
	if snaplen < 0 || int64(snaplen) > math.MaxInt32 {
		return nil, errorf(ErrWriter, "capture: invalid snapshot length %d", snaplen)
	}
	if snaplen == 0 {
		snaplen = link.MaxPacketSize()
	}
	pw := &PcapWriter{w: bufio.NewWriterSize(w, 64<<10), link: link, snapLen: snaplen, nano: nano}
	var h [pcapFileHeaderLen]byte
	magic := uint32(magicMicro)
	if nano {
		magic = magicNano
	}
	le := binary.LittleEndian
	le.PutUint32(h[0:], magic)
	le.PutUint16(h[4:], 2)
	le.PutUint16(h[6:], 4)
	le.PutUint32(h[16:], uint32(snaplen))
	le.PutUint32(h[20:], uint32(link))
	if _, err := pw.w.Write(h[:]); err != nil {
		return nil, err
	}
	return pw, nil
}

// WriteRecord writes one packet: rec.Data (cut to the snapshot length),
// rec.OrigLen (raised to len(rec.Data) if smaller) and rec.Timestamp
// (truncated to the file's resolution; it must lie between 1970 and 2106).
// rec's other fields are not written: a pcap file has one link type and
// no per-packet options.
func (pw *PcapWriter) WriteRecord(rec *Record) error {
	data, err := pcapRecordHeader(&pw.hdr, rec, pw.snapLen, pw.nano)
	if err != nil {
		return err
	}
	if _, err := pw.w.Write(pw.hdr[:]); err != nil {
		return err
	}
	_, err = pw.w.Write(data)
	return err
}

// WriteEncoded writes records encoded by AppendPcapRecord with this
// writer's snapshot length and resolution, as they are.
func (pw *PcapWriter) WriteEncoded(b []byte) error {
	_, err := pw.w.Write(b)
	return err
}

// AppendPcapRecord appends rec to dst as PcapWriter.WriteRecord writes it
// (little-endian, data cut to snaplen, microsecond or nanosecond time
// stamps), so that records can be encoded in parallel and written in order
// with WriteEncoded.
func AppendPcapRecord(dst []byte, rec *Record, snaplen int, nano bool) ([]byte, error) {
	var h [pcapRecordHeaderLen]byte
	data, err := pcapRecordHeader(&h, rec, snaplen, nano)
	if err != nil {
		return dst, err
	}
	return append(append(dst, h[:]...), data...), nil
}

// pcapTime splits a time stamp into a pcap record's seconds and fraction
// (microseconds, or nanoseconds with nano). Past the last second a uint32
// holds, the fraction carries the rest, as it does in files whose writers
// did not normalise it (readers add it to the seconds, so the time read
// back is the same); ok is false when even that does not fit.
func pcapTime(ts int64, nano bool) (sec, frac uint32, ok bool) {
	s, ns := splitTime(ts)
	if s < 0 {
		return 0, 0, false
	}
	unit := int64(1000)
	if nano {
		unit = 1
	}
	if s <= math.MaxUint32 {
		return uint32(s), uint32(ns / unit), true
	}
	extra := s - math.MaxUint32
	if extra > 1<<32 { // (and extra*1e9 cannot overflow)
		return 0, 0, false
	}
	f := (extra*1e9 + ns) / unit
	if f > math.MaxUint32 {
		return 0, 0, false
	}
	return math.MaxUint32, uint32(f), true
}

// pcapRecordHeader encodes rec's record header into h and returns the data
// to follow it (cut to snaplen when that is positive).
func pcapRecordHeader(h *[pcapRecordHeaderLen]byte, rec *Record, snaplen int, nano bool) ([]byte, error) {
	data := rec.Data
	if snaplen > 0 && len(data) > snaplen {
		data = data[:snaplen]
	}
	orig := max(rec.OrigLen, len(rec.Data))
	if int64(orig) > math.MaxUint32 {
		return nil, errorf(ErrWriter, "capture: original length %d does not fit in a pcap record", orig)
	}
	sec, frac, ok := pcapTime(rec.Timestamp, nano)
	if !ok {
		return nil, errorf(ErrWriter, "capture: time stamp %d is outside the range of a pcap file", rec.Timestamp)
	}
	le := binary.LittleEndian
	le.PutUint32(h[0:], uint32(sec))
	le.PutUint32(h[4:], frac)
	le.PutUint32(h[8:], uint32(len(data)))
	le.PutUint32(h[12:], uint32(orig))
	return data, nil
}

// Flush writes any buffered data to the underlying io.Writer.
func (pw *PcapWriter) Flush() error { return pw.w.Flush() }

// splitTime splits nanoseconds since the epoch into seconds and a
// non-negative nanosecond remainder.
func splitTime(ns int64) (sec, nsec int64) {
	sec, nsec = ns/1e9, ns%1e9
	if nsec < 0 {
		sec, nsec = sec-1, nsec+1e9
	}
	return sec, nsec
}

// byteOrder is binary.LittleEndian or binary.BigEndian.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// PcapngOptions are the section-level settings of a pcapng file.
type PcapngOptions struct {
	Comments  []string // opt_comment values of the section header
	Hardware  string   // shb_hardware
	OS        string   // shb_os
	UserAppl  string   // shb_userappl: the writing application
	BigEndian bool     // write the section big-endian (default little-endian)
}

// PcapngWriter writes a pcapng file with a single section. Interfaces are
// declared with AddInterface before packets that use them are written.
// Output is buffered: call Flush when done.
type PcapngWriter struct {
	w      *bufio.Writer
	bo     byteOrder
	ifaces []LinkType
	snaps  []int
	buf    []byte
}

// NewPcapngWriter writes a section header block with the given options to
// w and returns a writer for the rest of the file.
func NewPcapngWriter(w io.Writer, opts PcapngOptions) (*PcapngWriter, error) {
	pw := &PcapngWriter{w: bufio.NewWriterSize(w, 64<<10), bo: binary.LittleEndian}
	if opts.BigEndian {
		pw.bo = binary.BigEndian
	}
	b := pw.start(blockSHB)
	b = pw.bo.AppendUint32(b, byteOrderMagic)
	b = pw.bo.AppendUint16(b, 1)
	b = pw.bo.AppendUint16(b, 0)
	b = pw.bo.AppendUint64(b, math.MaxUint64) // section length not specified
	var err error
	for _, c := range opts.Comments {
		if b, err = pw.appendOption(b, optComment, []byte(c)); err != nil {
			return nil, err
		}
	}
	for _, o := range []struct {
		code uint16
		v    string
	}{{shbHardware, opts.Hardware}, {shbOS, opts.OS}, {shbUserAppl, opts.UserAppl}} {
		if o.v != "" {
			if b, err = pw.appendOption(b, o.code, []byte(o.v)); err != nil {
				return nil, err
			}
		}
	}
	if err := pw.finish(b, true); err != nil {
		return nil, err
	}
	return pw, nil
}

// start begins a block of type typ in the scratch buffer, with its length
// to be filled in by finish.
func (pw *PcapngWriter) start(typ uint32) []byte {
	b := pw.buf[:0]
	b = pw.bo.AppendUint32(b, typ)
	b = pw.bo.AppendUint32(b, 0)
	return b
}

// finish ends the options (with opt_endofopt if any were written), sets
// the block's lengths and writes it.
func (pw *PcapngWriter) finish(b []byte, endOpts bool) error {
	if endOpts {
		b = pw.bo.AppendUint32(b, 0)
	}
	n := len(b) + 4
	if n > MaxBlockSize {
		return errorf(ErrWriter, "capture: block of %d bytes is larger than the maximum of %d", n, MaxBlockSize)
	}
	pw.bo.PutUint32(b[4:], uint32(n))
	b = pw.bo.AppendUint32(b, uint32(n))
	pw.buf = b
	_, err := pw.w.Write(b)
	return err
}

// appendOption appends one option, padded to 4 bytes.
func (pw *PcapngWriter) appendOption(b []byte, code uint16, v []byte) ([]byte, error) {
	return appendOption(pw.bo, b, code, v)
}

// appendOption appends one option in byte order bo, padded to 4 bytes.
func appendOption(bo byteOrder, b []byte, code uint16, v []byte) ([]byte, error) {
	if len(v) > math.MaxUint16 {
		return b, errorf(ErrWriter, "capture: option %d of %d bytes is longer than 65535 bytes", code, len(v))
	}
	b = bo.AppendUint16(b, code)
	b = bo.AppendUint16(b, uint16(len(v)))
	b = append(b, v...)
	return appendPad(b, len(v)), nil
}

func appendPad(b []byte, n int) []byte {
	for range pad4(n) - n {
		b = append(b, 0)
	}
	return b
}

// AddInterface writes an interface description block for ifc and returns
// the interface's index, to be used in Record.Interface. It writes the
// link type, snapshot length (0: no limit), if_name, if_description,
// if_filter, if_os, if_hardware, if_fcslen (when FCSLen >= 0) and comments
// from ifc, and if_tsresol 9: time stamps are written in nanoseconds, so
// they are exact. ifc.TSResol, TSOffset and Section are not used.
func (pw *PcapngWriter) AddInterface(ifc Interface) (int, error) {
	if ifc.SnapLen < 0 || int64(ifc.SnapLen) > math.MaxUint32 {
		return 0, errorf(ErrWriter, "capture: invalid snapshot length %d", ifc.SnapLen)
	}
	if ifc.FCSLen > 31 {
		return 0, errorf(ErrWriter, "capture: FCS length %d is too large", ifc.FCSLen)
	}
	b := pw.start(blockIDB)
	b = pw.bo.AppendUint16(b, uint16(ifc.LinkType))
	b = pw.bo.AppendUint16(b, 0)
	b = pw.bo.AppendUint32(b, uint32(ifc.SnapLen))
	var err error
	for _, o := range []struct {
		code uint16
		v    string
	}{{ifName, ifc.Name}, {ifDescription, ifc.Description}, {ifOS, ifc.OS}, {ifHardware, ifc.Hardware}} {
		if o.v != "" {
			if b, err = pw.appendOption(b, o.code, []byte(o.v)); err != nil {
				return 0, err
			}
		}
	}
	if ifc.Filter != "" {
		if b, err = pw.appendOption(b, ifFilter, append([]byte{0}, ifc.Filter...)); err != nil {
			return 0, err
		}
	}
	if ifc.FCSLen >= 0 {
		b, _ = pw.appendOption(b, ifFCSLen, []byte{byte(ifc.FCSLen * 8)})
	}
	b, _ = pw.appendOption(b, ifTSResol, []byte{byte(ResolutionNano)})
	for _, c := range ifc.Comments {
		if b, err = pw.appendOption(b, optComment, []byte(c)); err != nil {
			return 0, err
		}
	}
	if err := pw.finish(b, true); err != nil {
		return 0, err
	}
	pw.ifaces = append(pw.ifaces, ifc.LinkType)
	pw.snaps = append(pw.snaps, ifc.SnapLen)
	return len(pw.ifaces) - 1, nil
}

// WriteRecord writes rec as an enhanced packet block on interface
// rec.Interface: its time stamp (which must not be before 1970), data (cut
// to the interface's snapshot length), original length, epb_flags if
// rec.HasFlags, and the comments rec carries (Record.Comments) if it was
// read from a pcapng file.
func (pw *PcapngWriter) WriteRecord(rec *Record) error {
	return pw.writeEPB(rec, nil, true)
}

// WriteRecordWithComments is WriteRecord with the given comments instead
// of those rec carries.
func (pw *PcapngWriter) WriteRecordWithComments(rec *Record, comments ...string) error {
	return pw.writeEPB(rec, comments, false)
}

func (pw *PcapngWriter) writeEPB(rec *Record, comments []string, own bool) error {
	if rec.Interface < 0 || rec.Interface >= len(pw.ifaces) {
		return errorf(ErrWriter, "capture: record for interface %d, but %d interface(s) were added", rec.Interface, len(pw.ifaces))
	}
	b, err := appendEPB(pw.bo, pw.buf[:0], rec, rec.Interface, pw.snaps[rec.Interface], comments, own)
	pw.buf = b
	if err != nil {
		return err
	}
	_, err = pw.w.Write(b)
	return err
}

// WriteEncoded writes blocks encoded by AppendEPB as they are. The caller
// has added the interfaces they name; the writer must be little-endian.
func (pw *PcapngWriter) WriteEncoded(b []byte) error {
	_, err := pw.w.Write(b)
	return err
}

// AppendEPB appends rec to dst as the enhanced packet block that
// PcapngWriter.WriteRecord writes into a little-endian section, on
// interface ifIndex whose snapshot length is snaplen (0: no limit), so
// that records can be encoded in parallel and written in order with
// WriteEncoded. The interface index is the 4 bytes at offset 8 of the
// block.
func AppendEPB(dst []byte, rec *Record, ifIndex, snaplen int) ([]byte, error) {
	return appendEPB(binary.LittleEndian, dst, rec, ifIndex, snaplen, nil, true)
}

// appendEPB encodes an enhanced packet block for rec with the comments
// rec carries (own) or those given.
func appendEPB(bo byteOrder, b []byte, rec *Record, ifIndex, snaplen int, comments []string, own bool) ([]byte, error) {
	if rec.Timestamp < 0 {
		return b, errorf(ErrWriter, "capture: negative time stamp %d", rec.Timestamp)
	}
	data := rec.Data
	if snaplen > 0 && len(data) > snaplen {
		data = data[:snaplen]
	}
	orig := max(rec.OrigLen, len(rec.Data))
	if int64(orig) > math.MaxUint32 {
		return b, errorf(ErrWriter, "capture: original length %d does not fit in a pcapng block", orig)
	}
	if len(data) > MaxBlockSize-minEPBLen {
		return b, errorf(ErrWriter, "capture: packet of %d bytes is too large", len(data))
	}
	start := len(b)
	b = bo.AppendUint32(b, blockEPB)
	b = bo.AppendUint32(b, 0)
	b = bo.AppendUint32(b, uint32(ifIndex))
	ts := uint64(rec.Timestamp)
	b = bo.AppendUint32(b, uint32(ts>>32))
	b = bo.AppendUint32(b, uint32(ts))
	b = bo.AppendUint32(b, uint32(len(data)))
	b = bo.AppendUint32(b, uint32(orig))
	b = append(b, data...)
	b = appendPad(b, len(data))
	nopts := 0
	if rec.HasFlags {
		b = bo.AppendUint16(b, epbFlags)
		b = bo.AppendUint16(b, 4)
		b = bo.AppendUint32(b, rec.Flags)
		nopts++
	}
	var err error
	if own {
		for code, v := range optionsOf(rec.options, rec.be) {
			if code == optComment {
				b, _ = appendOption(bo, b, optComment, v)
				nopts++
			}
		}
	} else {
		for _, c := range comments {
			if b, err = appendOption(bo, b, optComment, []byte(c)); err != nil {
				return b[:start], err
			}
			nopts++
		}
	}
	if nopts > 0 {
		b = bo.AppendUint32(b, 0)
	}
	n := len(b) - start + 4
	if n > MaxBlockSize {
		return b[:start], errorf(ErrWriter, "capture: block of %d bytes is larger than the maximum of %d", n, MaxBlockSize)
	}
	bo.PutUint32(b[start+4:], uint32(n))
	return bo.AppendUint32(b, uint32(n)), nil
}

// Flush writes any buffered data to the underlying io.Writer.
func (pw *PcapngWriter) Flush() error { return pw.w.Flush() }
