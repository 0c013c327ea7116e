package capture

import (
	"encoding/binary"
	"iter"
)

// pcapng option codes.
const (
	optEnd     = 0
	optComment = 1

	shbHardware = 2
	shbOS       = 3
	shbUserAppl = 4

	ifName        = 2
	ifDescription = 3
	ifTSResol     = 9
	ifFilter      = 11
	ifOS          = 12
	ifFCSLen      = 13
	ifTSOffset    = 14
	ifHardware    = 15

	epbFlags     = 2
	epbHash      = 3
	epbDropCount = 4

	isbStartTime    = 2
	isbEndTime      = 3
	isbIfRecv       = 4
	isbIfDrop       = 5
	isbFilterAccept = 6
	isbOSDrop       = 7
	isbUsrDeliv     = 8
)

// optionsOf iterates over the options in b (code, value), stopping at
// opt_endofopt or at the first option that does not fit.
func optionsOf(b []byte, be bool) iter.Seq2[uint16, []byte] {
	return func(yield func(uint16, []byte) bool) {
		for len(b) >= 4 {
			code, n := optHeader(b, be)
			if code == optEnd || 4+n > len(b) {
				return
			}
			if !yield(code, b[4:4+n]) {
				return
			}
			b = b[min(4+pad4(n), len(b)):]
		}
	}
}

func optHeader(b []byte, be bool) (code uint16, n int) {
	if be {
		return binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
	}
	return binary.LittleEndian.Uint16(b), int(binary.LittleEndian.Uint16(b[2:]))
}

// checkOptions verifies that the options in b are well formed: each one
// fits in what remains of the block.
func checkOptions(b []byte, be bool) error {
	for len(b) >= 4 {
		code, n := optHeader(b, be)
		if code == optEnd {
			return nil
		}
		if 4+n > len(b) {
			return errorf(ErrMalformed, "option %d of length %d does not fit in the %d bytes left in its block", code, n, len(b)-4)
		}
		b = b[min(4+pad4(n), len(b)):]
	}
	return nil
}
