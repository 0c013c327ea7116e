package capture

import (
	"io"
	"os"
	"unsafe"
)

const (
	// initialBuffer is the size of a Reader's buffer when it starts.
	initialBuffer = 64 << 10
	// MaxBlockSize is the largest pcap record or pcapng block a Reader
	// accepts. A larger length field is taken as corruption and reported
	// without reading or allocating anything for it.
	MaxBlockSize = 256 << 20

	// maxEmptyReads bounds how many (0, nil) results of an io.Reader are
	// tolerated in a row before reading fails with io.ErrNoProgress.
	maxEmptyReads = 100
)

// source is a forward-only buffered reader over the capture stream. Unlike
// bufio.Reader it lets a caller see a whole record at once: peek(n) grows the
// buffer to n bytes if it must, but only as data actually arrives (doubling
// each time the buffer is full), so that a bogus length in a file never
// causes an allocation larger than about twice the data really present.
type source struct {
	rd    io.Reader
	buf   []byte
	r, w  int      // unread data is buf[r:w]
	off   int64    // stream offset of buf[r]
	err   error    // sticky error from rd (io.EOF at end)
	cut   bool     // rd ended with io.ErrUnexpectedEOF (a cut-short compressed stream)
	end   int64    // stream offset of the end of the data, or -1 if unknown
	file  *os.File // rd, when it is a regular file (whose size may grow)
	empty int      // consecutive empty reads
	// In a mapped source, released is where the pages still resident in
	// this process begin, and release is the read position at which the
	// pages behind the read position are given back next.
	mapped            bool
	released, release int
}

// mappedWindow is how much of a mapped file behind the read position stays
// resident: consumers such as parallel workers still look at recent records
// (if they look further back, the pages simply fault in again).
const mappedWindow = 8 << 20

// hugePageSize is the size of the huge pages (PMD mappings) that the
// kernel may map a file with on amd64 and arm64, and which released parts
// of a mapped file are aligned to.
const hugePageSize = 2 << 20

// pageSize is the memory page size.
var pageSize = os.Getpagesize()

// initMapped makes the source serve a whole file mapped in memory: every
// peek is a view of the mapping, nothing is copied, and views stay valid
// until the mapping is released. The size is the file's size when it was
// mapped; data appended later is not seen.
func (s *source) initMapped(m []byte) {
	s.buf, s.r, s.w, s.off = m, 0, len(m), 0
	s.mapped, s.released, s.release = true, 0, 2*mappedWindow
	s.end = int64(len(m))
	s.err = io.EOF
}

func (s *source) init(rd io.Reader, prefix []byte) {
	s.rd = rd
	s.buf = make([]byte, max(initialBuffer, len(prefix)))
	s.w = copy(s.buf, prefix)
	s.end = -1
	if n, ok := remainingSize(rd); ok {
		s.end = int64(len(prefix)) + n
		s.file, _ = rd.(*os.File)
	}
}

// remainingSize tells how many bytes rd still holds, when that can be known
// without reading: for regular files and for in-memory readers.
func remainingSize(rd io.Reader) (int64, bool) {
	switch v := rd.(type) {
	case *os.File:
		fi, err := v.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return 0, false
		}
		pos, err := v.Seek(0, io.SeekCurrent)
		if err != nil || pos > fi.Size() {
			return 0, false
		}
		return fi.Size() - pos, true
	case interface{ Len() int }:
		return int64(v.Len()), true
	}
	return 0, false
}

// short checks whether n bytes can still come from the stream. It returns
// -1 if they can, or if that is not known, and otherwise how many bytes are
// left from the read position to the end of the stream. A file that looks
// too short is measured again, in case it has grown since it was opened.
func (s *source) short(n int64) int64 {
	if s.end < 0 || n <= s.end-s.off {
		return -1
	}
	if s.file != nil {
		if size, ok := remainingSize(s.file); ok {
			s.end = s.off + int64(s.w-s.r) + size
			if n <= s.end-s.off {
				return -1
			}
		}
	}
	return s.end - s.off
}

// atCleanEnd reports whether the stream is exhausted exactly at the read
// position, with nothing buffered, no read error and no sign of truncation.
func (s *source) atCleanEnd() bool {
	return s.r == s.w && s.err == io.EOF && !s.cut
}

// peek returns the next n bytes without consuming them. If fewer than n
// bytes remain before the end of the stream or a read error, it returns
// what there is; s.err then says why.
func (s *source) peek(n int) []byte {
	if s.w-s.r >= n {
		return s.buf[s.r : s.r+n]
	}
	s.fill(n)
	if s.w-s.r >= n {
		return s.buf[s.r : s.r+n]
	}
	return s.buf[s.r:s.w]
}

// fill reads until n bytes are buffered or reading fails.
func (s *source) fill(n int) {
	for s.w-s.r < n && s.err == nil {
		if len(s.buf)-s.r < n {
			// The n bytes cannot fit from the read position: move the
			// unread data to the front, or, if it fills the whole buffer,
			// into one twice as large (but no larger than needed).
			avail := s.w - s.r
			if avail == len(s.buf) {
				nb := make([]byte, min(2*len(s.buf), roundUp(n, 4096)))
				copy(nb, s.buf[s.r:s.w])
				s.buf = nb
			} else if s.r > 0 {
				copy(s.buf, s.buf[s.r:s.w])
			}
			s.r, s.w = 0, avail
		}
		m, err := s.rd.Read(s.buf[s.w:])
		if m < 0 || m > len(s.buf)-s.w {
			m, err = 0, io.ErrNoProgress
		}
		s.w += m
		if err != nil {
			if err == io.ErrUnexpectedEOF {
				// A decompressor reports a cut-short stream this way;
				// for the reader it is the end of the data.
				err = io.EOF
				s.cut = true
			}
			s.err = err
		} else if m == 0 {
			s.empty++
			if s.empty >= maxEmptyReads {
				s.err = io.ErrNoProgress
			}
		} else {
			s.empty = 0
		}
	}
}

// advance consumes n buffered bytes.
func (s *source) advance(n int) {
	s.r += n
	s.off += int64(n)
	if s.mapped && s.r >= s.release {
		s.releaseBehind()
	}
}

// advanceHeld is advance leaving the release of the pages behind to the
// caller: it returns the part of the mapping to release (see
// releaseMapped; empty for none).
func (s *source) advanceHeld(n int) (from, to int) {
	s.r += n
	s.off += int64(n)
	if s.mapped && s.r >= s.release {
		return s.behind()
	}
	return 0, 0
}

// releaseBehind gives back the pages of a mapped file more than
// mappedWindow bytes behind the read position, so that the process's
// resident memory stays bounded whatever the file's size. The released
// range ends on a huge-page boundary of the address space: the kernel maps
// a large file's page cache with huge pages where it can, and releasing
// part of one splits it, each split flushing the translation buffers of
// every processor running the program (a tenth of the benchmark job's
// time before).
func (s *source) releaseBehind() {
	if from, to := s.behind(); to > from {
		releaseMapped(s.buf[from:to])
	}
}

// behind returns the part of the mapping that releaseBehind releases, and
// counts it released.
func (s *source) behind() (from, to int) {
	base := int(uintptr(unsafe.Pointer(unsafe.SliceData(s.buf))))
	end := (base+s.r-mappedWindow)&^(hugePageSize-1) - base
	s.release = s.r + mappedWindow
	if end > s.released {
		from, s.released = s.released, end
		return from, end
	}
	return 0, 0
}

// skip consumes n bytes, reading through them in buffer-sized pieces
// without growing the buffer. It returns how many bytes it consumed, which
// is less than n only at the end of the stream or on a read error.
func (s *source) skip(n int64) int64 {
	var done int64
	for done < n {
		if s.r == s.w {
			if s.err != nil {
				break
			}
			s.r, s.w = 0, 0
			s.fill(1)
			continue
		}
		k := int64(s.w - s.r)
		if k > n-done {
			k = n - done
		}
		s.advance(int(k))
		done += k
	}
	return done
}

func roundUp(n, m int) int {
	return (n + m - 1) / m * m
}

// pad4 rounds n up to a multiple of 4.
func pad4(n int) int { return (n + 3) &^ 3 }

// minMapSize is the smallest regular file Open maps into memory instead of
// reading: below it, copying costs less than mapping.
const minMapSize = 1 << 20
