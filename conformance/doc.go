// Package conformance holds pktkit's corpus-wide tests: field values against
// tshark, display filters against tshark (the frames each filter selects),
// rebuilding every packet from its field values, and bad input through
// every command path. It has no code of its own; the tests need
// PKTKIT_CORPUS (the shared capture corpus) and skip without it, unless
// PKTKIT_REQUIRE_ORACLES=1 (as in CI) turns the skip into a failure.
package conformance
