//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package capture

import "os"

func mapFile(*os.File, int64) []byte { return nil }

func unmapFile([]byte) error { return nil }

func releaseMapped([]byte) {}
