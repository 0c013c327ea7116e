package capture

import (
	"encoding/binary"
	"io"
	"math"
)

// pcapng block types.
const (
	blockIDB        = 0x00000001
	blockPB         = 0x00000002 // obsolete Packet Block
	blockSPB        = 0x00000003
	blockNRB        = 0x00000004
	blockISB        = 0x00000005
	blockEPB        = 0x00000006
	blockDSB        = 0x0000000A
	blockCustom     = 0x00000BAD
	blockCustomNoCp = 0x40000BAD
)

// Minimum total lengths of the blocks this package reads: 12 bytes of
// block header and trailer plus the fixed part of the body.
const (
	minBlockLen = 12
	minSHBLen   = minBlockLen + 16
	minIDBLen   = minBlockLen + 8
	minEPBLen   = minBlockLen + 20
	minPBLen    = minBlockLen + 20
	minSPBLen   = minBlockLen + 4
	minISBLen   = minBlockLen + 12
	minNRBLen   = minBlockLen + 4
	minDSBLen   = minBlockLen + 8
)

func (r *Reader) u16(b []byte) uint16 {
	if r.be {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (r *Reader) u32(b []byte) uint32 {
	if r.be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *Reader) u64(b []byte) uint64 {
	if r.be {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}

func blockName(typ uint32) string {
	switch typ {
	case blockSHB:
		return "section header block"
	case blockIDB:
		return "interface description block"
	case blockPB:
		return "packet block"
	case blockSPB:
		return "simple packet block"
	case blockNRB:
		return "name resolution block"
	case blockISB:
		return "interface statistics block"
	case blockEPB:
		return "enhanced packet block"
	case blockDSB:
		return "decryption secrets block"
	case blockCustom, blockCustomNoCp:
		return "custom block"
	}
	return "block"
}

func minLenOf(typ uint32) int {
	switch typ {
	case blockSHB:
		return minSHBLen
	case blockIDB:
		return minIDBLen
	case blockPB:
		return minPBLen
	case blockSPB:
		return minSPBLen
	case blockNRB:
		return minNRBLen
	case blockISB:
		return minISBLen
	case blockEPB:
		return minEPBLen
	case blockDSB:
		return minDSBLen
	}
	return minBlockLen
}

// checkLen validates the total length of a block of type typ at offset
// off before anything is read or allocated for it, and returns the length
// to use: like Wireshark, and unlike libpcap, a length that is not a
// multiple of 4 (which the specification forbids) is taken to leave out
// the final padding, and rounded up.
func (r *Reader) checkLen(off int64, typ, length uint32) (uint32, error) {
	switch {
	case length < uint32(minLenOf(typ)):
		return 0, r.fail(off, errorf(ErrMalformed, "%s length %d is less than the minimum of %d", blockName(typ), length, minLenOf(typ)))
	case length > MaxBlockSize:
		return 0, r.fail(off, errorf(ErrMalformed, "%s length %d is larger than the maximum of %d", blockName(typ), length, MaxBlockSize))
	}
	length = (length + 3) &^ 3
	if rem := r.src.short(int64(length)); rem >= 0 {
		return 0, r.fail(off, truncated(blockName(typ), int64(length), rem))
	}
	return length, nil
}

// checkTrailer compares the length in a block's trailer with the (rounded)
// length from its header.
func (r *Reader) checkTrailer(off int64, typ, length, trailer uint32) error {
	if trailer > MaxBlockSize || (trailer+3)&^3 != length {
		return r.fail(off, errorf(ErrMalformed, "%s trailer length %d does not match its header length %d", blockName(typ), trailer, length))
	}
	return nil
}

// block returns the whole block of the given length at the read position
// (not consumed), after checking its trailer.
func (r *Reader) block(off int64, typ, length uint32) ([]byte, error) {
	b := r.src.peek(int(length))
	if len(b) < int(length) {
		return nil, r.failRead(off, blockName(typ), int(length), len(b))
	}
	if err := r.checkTrailer(off, typ, length, r.u32(b[length-4:])); err != nil {
		return nil, err
	}
	return b, nil
}

// skipBlock consumes a block without keeping it in memory, checking its
// trailer.
func (r *Reader) skipBlock(off int64, typ, length uint32) error {
	body := int64(length) - 4
	if got := r.src.skip(body); got < body {
		return r.failRead(off, blockName(typ), int(length), int(got))
	}
	t := r.src.peek(4)
	if len(t) < 4 {
		return r.failRead(off, blockName(typ), int(length), int(body)+len(t))
	}
	if err := r.checkTrailer(off, typ, length, r.u32(t)); err != nil {
		return err
	}
	r.src.advance(4)
	return nil
}

// readSHB reads a section header block at the read position, starting a
// new section.
func (r *Reader) readSHB() error {
	off := r.src.off
	first := !r.started
	h := r.src.peek(12)
	if len(h) < 12 {
		if first && r.src.err == io.EOF {
			// "\n\r\r\n" alone does not make a pcapng file.
			return r.fail(off, errorf(ErrNotCapture, "not a pcap or pcapng file (pcapng section header cut short)"))
		}
		return r.failRead(off, blockName(blockSHB), 12, len(h))
	}
	switch {
	case binary.LittleEndian.Uint32(h[8:]) == byteOrderMagic:
		r.be = false
	case binary.BigEndian.Uint32(h[8:]) == byteOrderMagic:
		r.be = true
	default:
		if first {
			return r.fail(off, errorf(ErrNotCapture, "not a pcap or pcapng file (unknown pcapng byte-order magic 0x%08x)", binary.BigEndian.Uint32(h[8:])))
		}
		return r.fail(off, errorf(ErrMalformed, "section header block has an unknown byte-order magic 0x%08x", binary.BigEndian.Uint32(h[8:])))
	}
	length, err := r.checkLen(off, blockSHB, r.u32(h[4:]))
	if err != nil {
		return err
	}
	b, err := r.block(off, blockSHB, length)
	if err != nil {
		return err
	}
	major, minor := r.u16(b[12:]), r.u16(b[14:])
	if major != 1 || (minor != 0 && minor != 2) {
		return r.fail(off, errorf(ErrUnsupported, "pcapng version %d.%d is not supported", major, minor))
	}
	s := SectionInfo{
		Index:     len(r.sections),
		Offset:    off,
		ByteOrder: order(r.be),
		Major:     major,
		Minor:     minor,
		Length:    int64(r.u64(b[16:])),
	}
	opts := b[24 : length-4]
	if err := checkOptions(opts, r.be); err != nil {
		return r.fail(off, errorf(ErrMalformed, "section header block: %v", err))
	}
	for code, v := range optionsOf(opts, r.be) {
		switch code {
		case optComment:
			s.Comments = append(s.Comments, string(v))
		case shbHardware:
			s.Hardware = string(v)
		case shbOS:
			s.OS = string(v)
		case shbUserAppl:
			s.UserAppl = string(v)
		}
	}
	r.sections = append(r.sections, s)
	r.section = s.Index
	r.secIfStart = len(r.ifaces)
	r.started = true
	r.src.advance(int(length))
	return nil
}

// readIDB reads an interface description block.
func (r *Reader) readIDB(off int64, b []byte) error {
	length := len(b)
	ifc := Interface{
		LinkType: LinkType(r.u16(b[8:])),
		SnapLen:  int(min(r.u32(b[12:]), math.MaxInt32)),
		TSResol:  ResolutionMicro,
		FCSLen:   -1,
		Section:  r.section,
	}
	opts := b[16 : length-4]
	if err := checkOptions(opts, r.be); err != nil {
		return r.fail(off, errorf(ErrMalformed, "interface description block: %v", err))
	}
	for code, v := range optionsOf(opts, r.be) {
		switch code {
		case optComment:
			ifc.Comments = append(ifc.Comments, string(v))
		case ifName:
			ifc.Name = string(v)
		case ifDescription:
			ifc.Description = string(v)
		case ifOS:
			ifc.OS = string(v)
		case ifHardware:
			ifc.Hardware = string(v)
		case ifFilter:
			if len(v) >= 1 && v[0] == 0 {
				ifc.Filter = string(v[1:])
			}
		// Like Wireshark, options of the wrong size are ignored.
		case ifTSResol:
			if len(v) == 1 {
				ifc.TSResol = Resolution(v[0])
			}
		case ifTSOffset:
			if len(v) == 8 {
				ifc.TSOffset = int64(r.u64(v))
			}
		case ifFCSLen:
			if len(v) == 1 {
				ifc.FCSLen = int(v[0]) / 8
			}
		}
	}
	r.ifaces = append(r.ifaces, ifc)
	r.convs = append(r.convs, ifaceState{
		conv:    newTSConv(ifc.TSResol, ifc.TSOffset),
		link:    ifc.LinkType,
		snapLen: ifc.SnapLen,
		maxCap:  ifc.LinkType.MaxPacketSize(),
	})
	return nil
}

// iface returns the state of interface id of the current section.
func (r *Reader) iface(id uint32) *ifaceState {
	if uint64(id) >= uint64(len(r.convs)-r.secIfStart) {
		return nil
	}
	return &r.convs[r.secIfStart+int(id)]
}

// nextPcapng reads blocks until it has read a packet into rec. If rec is
// nil it reads ahead only as far as the next packet block, and returns nil
// at the end of the file.
func (r *Reader) nextPcapng(rec *Record) error {
	for {
		off := r.src.off
		h := r.src.peek(8)
		if len(h) < 8 {
			if len(h) == 0 && r.src.atCleanEnd() {
				if rec == nil {
					return nil
				}
				r.err = io.EOF
				return io.EOF
			}
			return r.failRead(off, "block header", 8, len(h))
		}
		typ := r.u32(h)
		if typ == blockSHB {
			if err := r.readSHB(); err != nil {
				return err
			}
			continue
		}
		length := r.u32(h[4:])
		if rec == nil && (typ == blockEPB || typ == blockSPB || typ == blockPB) {
			return nil
		}
		length, err := r.checkLen(off, typ, length)
		if err != nil {
			return err
		}
		switch typ {
		case blockEPB, blockPB, blockSPB, blockIDB, blockNRB, blockISB, blockDSB:
		default:
			// Custom blocks (0x00000BAD, 0x40000BAD), systemd journal
			// and other blocks this package does not interpret.
			if err := r.skipBlock(off, typ, length); err != nil {
				return err
			}
			continue
		}
		b, err := r.block(off, typ, length)
		if err != nil {
			return err
		}
		switch typ {
		case blockEPB:
			err = r.readEPB(off, b, rec)
		case blockSPB:
			err = r.readSPB(off, b, rec)
		case blockPB:
			err = r.readPB(off, b, rec)
		case blockIDB:
			err = r.readIDB(off, b)
		case blockNRB:
			err = r.readNRB(off, b)
		case blockISB:
			err = r.readISB(off, b)
		case blockDSB:
			err = r.readDSB(off, b)
		}
		if err != nil {
			return err
		}
		r.src.advance(int(length))
		if typ == blockEPB || typ == blockSPB || typ == blockPB {
			return nil
		}
	}
}

func (r *Reader) noInterface(off int64, typ uint32, id uint32) error {
	return r.fail(off, errorf(ErrMalformed, "%s refers to interface %d, but its section has %d interface(s)", blockName(typ), id, len(r.convs)-r.secIfStart))
}

// readEPB decodes an enhanced packet block into rec.
func (r *Reader) readEPB(off int64, b []byte, rec *Record) error {
	length := len(b)
	id := r.u32(b[8:])
	ifc := r.iface(id)
	if ifc == nil {
		return r.noInterface(off, blockEPB, id)
	}
	ts := uint64(r.u32(b[12:]))<<32 | uint64(r.u32(b[16:]))
	caplen, origlen := r.u32(b[20:]), r.u32(b[24:])
	return r.packet(off, blockEPB, b, 28, length, ifc, int(id), ts, caplen, origlen, rec)
}

// readPB decodes an obsolete packet block into rec.
func (r *Reader) readPB(off int64, b []byte, rec *Record) error {
	length := len(b)
	id := uint32(r.u16(b[8:]))
	ifc := r.iface(id)
	if ifc == nil {
		return r.noInterface(off, blockPB, id)
	}
	ts := uint64(r.u32(b[12:]))<<32 | uint64(r.u32(b[16:]))
	caplen, origlen := r.u32(b[20:]), r.u32(b[24:])
	return r.packet(off, blockPB, b, 28, length, ifc, int(id), ts, caplen, origlen, rec)
}

// packet finishes decoding an EPB or PB whose packet data starts at
// b[start:].
func (r *Reader) packet(off int64, typ uint32, b []byte, start, length int, ifc *ifaceState, id int, ts uint64, caplen, origlen uint32, rec *Record) error {
	if caplen > uint32(ifc.maxCap) {
		return r.fail(off, errorf(ErrMalformed, "%s has a captured length of %d bytes, more than the maximum of %d for link type %s", blockName(typ), caplen, ifc.maxCap, ifc.link))
	}
	room := length - 4 - start
	if int(caplen) > room {
		return r.fail(off, errorf(ErrMalformed, "%s of %d bytes is too small for %d bytes of packet data", blockName(typ), length, caplen))
	}
	end := start + int(caplen)
	opts := b[min(start+pad4(int(caplen)), length-4) : length-4]
	flags, hasFlags, err := r.packetOptions(opts)
	if err != nil {
		return r.fail(off, err)
	}
	r.n++
	rec.Timestamp = ifc.conv.ns(ts)
	rec.CapLen = int(caplen)
	rec.OrigLen = int(origlen)
	rec.Interface = id
	rec.LinkType = ifc.link
	rec.Data = b[start:end:end]
	rec.Flags = flags
	rec.HasFlags = hasFlags
	rec.Number = r.n
	rec.Offset = off
	rec.options = opts
	rec.be = r.be
	return nil
}

// packetOptions checks the options of a packet block as Wireshark does and
// returns its flags.
func (r *Reader) packetOptions(opts []byte) (flags uint32, hasFlags bool, err error) {
	for b := opts; len(b) >= 4; {
		code, n := optHeader(b, r.be)
		if code == optEnd {
			break
		}
		if 4+n > len(b) {
			return 0, false, errorf(ErrMalformed, "option %d of length %d does not fit in the %d bytes left in its block", code, n, len(b)-4)
		}
		switch {
		case code == epbFlags && n != 4:
			return 0, false, errorf(ErrMalformed, "epb_flags option length %d is not 4", n)
		case code == epbFlags && !hasFlags:
			flags, hasFlags = r.u32(b[4:]), true
		case code == epbDropCount && n != 8:
			return 0, false, errorf(ErrMalformed, "epb_dropcount option length %d is not 8", n)
		}
		b = b[min(4+pad4(n), len(b)):]
	}
	return flags, hasFlags, nil
}

// readSPB decodes a simple packet block into rec.
func (r *Reader) readSPB(off int64, b []byte, rec *Record) error {
	length := len(b)
	ifc := r.iface(0)
	if ifc == nil {
		return r.fail(off, errorf(ErrMalformed, "simple packet block appears before any interface description block in its section"))
	}
	origlen := r.u32(b[8:])
	caplen := origlen
	if ifc.snapLen > 0 && caplen > uint32(ifc.snapLen) {
		caplen = uint32(ifc.snapLen)
	}
	if room := uint32(length - 16); caplen > room {
		caplen = room
	}
	if caplen > uint32(ifc.maxCap) {
		return r.fail(off, errorf(ErrMalformed, "simple packet block has a captured length of %d bytes, more than the maximum of %d for link type %s", caplen, ifc.maxCap, ifc.link))
	}
	r.n++
	end := 12 + int(caplen)
	rec.Timestamp = 0
	rec.CapLen = int(caplen)
	rec.OrigLen = int(origlen)
	rec.Interface = 0
	rec.LinkType = ifc.link
	rec.Data = b[12:end:end]
	rec.Flags = 0
	rec.HasFlags = false
	rec.Number = r.n
	rec.Offset = off
	rec.options = nil
	rec.be = r.be
	return nil
}

// readNRB decodes a name resolution block.
func (r *Reader) readNRB(off int64, b []byte) error {
	body := b[8 : len(b)-4]
	var entries []NameEntry
	for len(body) > 0 {
		if len(body) < 4 {
			return r.fail(off, errorf(ErrMalformed, "name resolution block: %d bytes left, too few for a record header", len(body)))
		}
		typ, n := r.u16(body), int(r.u16(body[2:]))
		body = body[4:]
		if pad4(n) > len(body) {
			return r.fail(off, errorf(ErrMalformed, "name resolution block: record of %d bytes does not fit in the %d bytes left", n, len(body)))
		}
		val := body[:n]
		body = body[pad4(n):]
		if typ == 0 {
			break
		}
		alen := 0
		switch typ {
		case 1:
			alen = 4
		case 2:
			alen = 16
		case 3:
			alen = 6
		case 4:
			alen = 8
		default:
			continue
		}
		if n < alen {
			return r.fail(off, errorf(ErrMalformed, "name resolution block: record type %d of %d bytes is too short for its address", typ, n))
		}
		e := NameEntry{Section: r.section, Addr: append([]byte(nil), val[:alen]...)}
		if typ <= 2 {
			for rest := val[alen:]; len(rest) > 0; {
				i := indexZero(rest)
				if i < 0 {
					return r.fail(off, errorf(ErrMalformed, "name resolution block: name is not NUL-terminated"))
				}
				e.Names = append(e.Names, string(rest[:i]))
				rest = rest[i+1:]
			}
		}
		entries = append(entries, e)
	}
	if err := checkOptions(body, r.be); err != nil {
		return r.fail(off, errorf(ErrMalformed, "name resolution block: %v", err))
	}
	r.names = append(r.names, entries...)
	return nil
}

func indexZero(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

// readISB decodes an interface statistics block.
func (r *Reader) readISB(off int64, b []byte) error {
	id := r.u32(b[8:])
	ts := uint64(r.u32(b[12:]))<<32 | uint64(r.u32(b[16:]))
	st := InterfaceStats{Section: r.section, Interface: int(id)}
	conv := newTSConv(ResolutionMicro, 0)
	if ifc := r.iface(id); ifc != nil {
		conv = ifc.conv
	}
	st.Timestamp = conv.ns(ts)
	opts := b[20 : len(b)-4]
	if err := checkOptions(opts, r.be); err != nil {
		return r.fail(off, errorf(ErrMalformed, "interface statistics block: %v", err))
	}
	for code, v := range optionsOf(opts, r.be) {
		if code == optComment {
			st.Comments = append(st.Comments, string(v))
			continue
		}
		if code < isbStartTime || code > isbUsrDeliv || len(v) != 8 {
			continue
		}
		var x uint64
		if code == isbStartTime || code == isbEndTime {
			x = uint64(r.u32(v))<<32 | uint64(r.u32(v[4:]))
		} else {
			x = r.u64(v)
		}
		switch code {
		case isbStartTime:
			st.StartTime, st.Present = conv.ns(x), st.Present|StatStartTime
		case isbEndTime:
			st.EndTime, st.Present = conv.ns(x), st.Present|StatEndTime
		case isbIfRecv:
			st.IfRecv, st.Present = x, st.Present|StatIfRecv
		case isbIfDrop:
			st.IfDrop, st.Present = x, st.Present|StatIfDrop
		case isbFilterAccept:
			st.FilterAccept, st.Present = x, st.Present|StatFilterAccept
		case isbOSDrop:
			st.OSDrop, st.Present = x, st.Present|StatOSDrop
		case isbUsrDeliv:
			st.UsrDeliv, st.Present = x, st.Present|StatUsrDeliv
		}
	}
	r.stats = append(r.stats, st)
	return nil
}

// readDSB decodes a decryption secrets block.
func (r *Reader) readDSB(off int64, b []byte) error {
	typ := SecretsType(r.u32(b[8:]))
	n := r.u32(b[12:])
	room := uint32(len(b) - minDSBLen)
	if n > room {
		return r.fail(off, errorf(ErrMalformed, "decryption secrets block of %d bytes is too small for %d bytes of secrets", len(b), n))
	}
	opts := b[16+pad4(int(n)) : len(b)-4]
	if err := checkOptions(opts, r.be); err != nil {
		return r.fail(off, errorf(ErrMalformed, "decryption secrets block: %v", err))
	}
	r.secrets = append(r.secrets, Secret{
		Section: r.section,
		Type:    typ,
		Data:    append([]byte(nil), b[16:16+n]...),
	})
	return nil
}
