package main

import (
	"flag"

	"pktkit/dfilter"
	"pktkit/packet"
)

// filterHelp documents -Y in each command's flags.
const filterHelp = "display only packets matching the Wireshark display `FILTER` (as tshark -Y), e.g. 'tcp.port == 443 and ip.ttl > 32'"

// filterFlag adds -Y to a command's flags.
func filterFlag(fs *flag.FlagSet) *string {
	return fs.String("Y", "", filterHelp)
}

// compileFilter compiles a -Y filter into a walk.Options.Filter factory
// (nil for an empty filter) and the analyses its fields need
// (walk.Options.Analyses). A bad filter is a usage error that shows the
// filter with a caret under the problem, and suggests close field names.
func compileFilter(expr string) (func() func(*packet.Packet) bool, []*packet.Analysis, error) {
	if expr == "" {
		return nil, nil, nil
	}
	f, err := dfilter.Compile(expr)
	if err != nil {
		return nil, nil, usagef("invalid filter: %v", err)
	}
	return func() func(*packet.Packet) bool { return f.Clone().Match }, f.Analyses(), nil
}
