//go:build linux

package capture

import (
	"os"
	"syscall"
)

// mapFile maps a regular file read-only, or returns nil if it cannot (not
// a regular file, empty, too large for the address space, or mmap fails);
// the caller then reads the file normally.
func mapFile(f *os.File, minSize int64) []byte {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	size := fi.Size()
	if minSize < 0 || size < minSize || size == 0 || size != int64(int(size)) {
		return nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	// The file is read once, front to back.
	_ = syscall.Madvise(b, syscall.MADV_SEQUENTIAL)
	return b
}

func unmapFile(b []byte) error { return syscall.Munmap(b) }

// releaseMapped tells the kernel this process no longer needs the pages of
// b (a page-aligned part of a mapping) resident. The data stays valid: a
// later access faults the pages in again from the page cache.
func releaseMapped(b []byte) { _ = syscall.Madvise(b, syscall.MADV_DONTNEED) }

// madvPopulateRead is MADV_POPULATE_READ (Linux 5.14).
const madvPopulateRead = 22

// populateMapped maps the pages of b (a page-aligned part of a mapping) in
// one call, ahead of their use; on a kernel without MADV_POPULATE_READ it
// does nothing, and the pages fault in when used.
func populateMapped(b []byte) { _ = syscall.Madvise(b, madvPopulateRead) }
