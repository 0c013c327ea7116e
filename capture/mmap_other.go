//go:build !linux

package capture

import "os"

func mapFile(*os.File, int64) []byte { return nil }

func unmapFile([]byte) error { return nil }

func releaseMapped([]byte) {}

func populateMapped([]byte) {}
