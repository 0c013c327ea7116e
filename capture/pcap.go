package capture

import (
	"encoding/binary"
	"io"
	"math"
)

// pcapHeader is what a pcap file header says, as the packet path uses it.
type pcapHeader struct {
	link    LinkType
	maxCap  uint32 // largest acceptable captured length
	fracMul int64  // nanoseconds per unit of the fraction field (1000 or 1)
	lenSwap uint8  // 0: never, 1: always, 2: when caplen > origlen (pre-2.4 files)
}

const (
	pcapFileHeaderLen   = 24
	pcapRecordHeaderLen = 16
	// pcap link-type field layout (see the pcap specification):
	// bits 0-15 link type, 16-25 reserved (zero), 26 FCS length present,
	// 27 reserved, 28-31 FCS length in 16-bit words.
	ltReserved   = 0x03FF0000
	ltFCSPresent = 0x04000000
)

func (r *Reader) readPcapHeader(be, nano bool) error {
	h := r.src.peek(pcapFileHeaderLen)
	if len(h) < pcapFileHeaderLen {
		return r.failRead(0, "pcap file header", pcapFileHeaderLen, len(h))
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if be {
		bo = binary.BigEndian
	}
	major, minor := bo.Uint16(h[4:]), bo.Uint16(h[6:])
	snap, network := bo.Uint32(h[16:]), bo.Uint32(h[20:])
	if major < 2 {
		return r.fail(0, errorf(ErrUnsupported, "pcap major version %d is not supported", major))
	}
	if network&ltReserved != 0 {
		return r.fail(0, errorf(ErrUnsupported, "pcap link-type field has reserved bits set (0x%08x)", network&ltReserved))
	}
	r.be = be
	r.format = FormatPcap
	r.fracMul = 1000
	res := ResolutionMicro
	if nano {
		r.format, r.fracMul, res = FormatPcapNano, 1, ResolutionNano
	}
	switch {
	case major == 2 && minor < 3, major == 543:
		// Before 2.3 (and in DG/UX's 543.0) caplen and origlen came in
		// the other order.
		r.lenSwap = 1
	case major == 2 && minor == 3:
		// Some 2.3 files have the old order, some the new.
		r.lenSwap = 2
	}
	r.link = LinkType(network & 0xFFFF)
	r.maxCap = uint32(r.link.MaxPacketSize())
	fcs := -1
	if network&ltFCSPresent != 0 {
		fcs = int(network>>28) * 2
	}
	r.ifaces = append(r.ifaces, Interface{
		LinkType: r.link,
		SnapLen:  int(min(snap, math.MaxInt32)),
		TSResol:  res,
		FCSLen:   fcs,
	})
	r.sections = append(r.sections, SectionInfo{
		ByteOrder: bo,
		Major:     major,
		Minor:     minor,
		Length:    -1,
	})
	r.src.advance(pcapFileHeaderLen)
	r.started = true
	return nil
}

func (r *Reader) nextPcap(rec *Record) error {
	off := r.src.off
	h := r.src.peek(pcapRecordHeaderLen)
	if len(h) < pcapRecordHeaderLen {
		if len(h) == 0 && r.src.atCleanEnd() {
			r.err = io.EOF
			return io.EOF
		}
		return r.failRead(off, "record header", pcapRecordHeaderLen, len(h))
	}
	var sec, frac, incl, orig uint32
	if r.be {
		sec = binary.BigEndian.Uint32(h)
		frac = binary.BigEndian.Uint32(h[4:])
		incl = binary.BigEndian.Uint32(h[8:])
		orig = binary.BigEndian.Uint32(h[12:])
	} else {
		sec = binary.LittleEndian.Uint32(h)
		frac = binary.LittleEndian.Uint32(h[4:])
		incl = binary.LittleEndian.Uint32(h[8:])
		orig = binary.LittleEndian.Uint32(h[12:])
	}
	if r.lenSwap != 0 && (r.lenSwap == 1 || incl > orig) {
		incl, orig = orig, incl
	}
	if incl > r.maxCap {
		return r.fail(off, errorf(ErrMalformed, "packet has a captured length of %d bytes, more than the maximum of %d for link type %s", incl, r.maxCap, r.link))
	}
	n := pcapRecordHeaderLen + int(incl)
	if rem := r.src.short(int64(n)); rem >= 0 {
		return r.fail(off, truncated("packet data", int64(incl), max(rem-pcapRecordHeaderLen, 0)))
	}
	b := r.src.peek(n)
	if len(b) < n {
		return r.failRead(off, "packet data", int(incl), len(b)-pcapRecordHeaderLen)
	}
	r.n++
	rec.Timestamp = int64(sec)*1e9 + int64(frac)*r.fracMul
	rec.CapLen = int(incl)
	rec.OrigLen = int(orig)
	rec.Interface = 0
	rec.LinkType = r.link
	rec.Data = b[pcapRecordHeaderLen:n:n]
	rec.Flags = 0
	rec.HasFlags = false
	rec.Number = r.n
	rec.Offset = off
	rec.options = nil
	rec.be = r.be
	r.src.advance(n)
	return nil
}
