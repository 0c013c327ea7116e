package capture

import (
	"errors"
	"fmt"
	"strconv"
)

// Error reports malformed or unreadable capture data. Every error a Reader
// returns for the content of a file, other than io.EOF at its clean end, is
// an *Error; errors.Is matches it against ErrNotCapture, ErrTruncated,
// ErrMalformed and ErrUnsupported, and errors.As reaches any I/O error below.
type Error struct {
	File   string // the file's name as given to Open; "" for NewReader
	Packet int    // 1-based number of the packet being read; 0 if in the file header
	Offset int64  // byte offset of the damaged record or block in the (decompressed) stream
	Err    error  // what is wrong
}

// Error formats the error as
// "capture: FILE: packet N at byte offset X: what is wrong".
func (e *Error) Error() string {
	b := make([]byte, 0, 96)
	b = append(b, "capture: "...)
	if e.File != "" {
		b = append(b, e.File...)
		b = append(b, ": "...)
	}
	if e.Packet > 0 {
		b = append(b, "packet "...)
		b = strconv.AppendInt(b, int64(e.Packet), 10)
		b = append(b, " at "...)
	}
	b = append(b, "byte offset "...)
	b = strconv.AppendInt(b, e.Offset, 10)
	b = append(b, ": "...)
	if e.Err != nil {
		b = append(b, e.Err.Error()...)
	} else {
		b = append(b, "unknown error"...)
	}
	return string(b)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Kinds of error, to be tested with errors.Is.
var (
	// ErrNotCapture: the data starts with neither a pcap magic number nor a
	// pcapng section header (after gzip decompression, if gzipped).
	ErrNotCapture = errors.New("not a pcap or pcapng file")
	// ErrTruncated: the file ends in the middle of a record; it appears to
	// have been cut short in the middle of a packet.
	ErrTruncated = errors.New("file appears to have been cut short in the middle of a packet")
	// ErrMalformed: a header, record, block or option is inconsistent
	// (bad lengths, impossible values).
	ErrMalformed = errors.New("malformed capture data")
	// ErrUnsupported: a well-formed header announces a version or feature
	// this package does not read (pcap major version 1, pcapng 2.0, ...).
	ErrUnsupported = errors.New("unsupported capture format")
	// ErrWriter: a writer was asked to write something the format cannot
	// represent.
	ErrWriter = errors.New("cannot write record")
)

// detail is a precise description that unwraps to one of the kinds above.
type detail struct {
	kind error
	msg  string
}

func (d *detail) Error() string { return d.msg }
func (d *detail) Unwrap() error { return d.kind }

func errorf(kind error, format string, args ...any) error {
	return &detail{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// truncated describes a short read of what bytes of a record or block.
func truncated(what string, need, have int64) error {
	return &detail{kind: ErrTruncated, msg: "truncated " + what + " (need " +
		strconv.FormatInt(need, 10) + " bytes, have " + strconv.FormatInt(have, 10) + ")"}
}
