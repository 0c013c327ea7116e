// Package oracle is for tests that compare pktkit with other tools
// (tshark, tcpdump, Scapy, DuckDB) or read the shared corpus: such a test
// skips cleanly when what it needs is missing, unless the environment sets
// PKTKIT_REQUIRE_ORACLES=1 (as CI does), which turns the skip into a
// failure.
package oracle

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Required reports whether missing oracles fail tests (PKTKIT_REQUIRE_ORACLES=1).
func Required() bool { return os.Getenv("PKTKIT_REQUIRE_ORACLES") == "1" }

// Missing skips the test with the message, or fails it when oracles are
// required.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Require skips (or fails, see Missing) the test when the command is not
// installed.
func Require(t testing.TB, command string) {
	t.Helper()
	if _, err := exec.LookPath(command); err != nil {
		Missing(t, "%s not installed", command)
	}
}
