// Command pktkit reads, explores and dissects packet captures.
//
// Usage:
//
//	pktkit COMMAND [ARGS]
//
// Run `pktkit help` for the commands and `pktkit COMMAND -h` for each one's
// flags and examples.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strings"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	usage   string // synopsis and examples
	run     func(args []string, stdout io.Writer) error
}

var commands []*command

func register(c *command) { commands = append(commands, c) }

// usageError is a bad invocation: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

func main() {
	// PKTKIT_CPUPROFILE=FILE writes a CPU profile (for performance work).
	if path := os.Getenv("PKTKIT_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				code := run(os.Args[1:], os.Stdout, os.Stderr)
				pprof.StopCPUProfile()
				f.Close()
				os.Exit(code)
			}
		}
	}
	// PKTKIT_TRACE=FILE writes an execution trace (go tool trace).
	if path := os.Getenv("PKTKIT_TRACE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if trace.Start(f) == nil {
				code := run(os.Args[1:], os.Stdout, os.Stderr)
				trace.Stop()
				f.Close()
				os.Exit(code)
			}
		}
	}
	// PKTKIT_MEMPROFILE=FILE writes a profile of what was allocated.
	if path := os.Getenv("PKTKIT_MEMPROFILE"); path != "" {
		runtime.MemProfileRate = 4096
		code := run(os.Args[1:], os.Stdout, os.Stderr)
		if f, err := os.Create(path); err == nil {
			pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
		os.Exit(code)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			for _, c := range commands {
				if c.name == args[1] {
					fmt.Fprint(stdout, c.usage)
					return 0
				}
			}
		}
		mainUsage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(args[1:], stdout)
		if err == nil || errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "pktkit %s: %v\nRun 'pktkit %s -h' for usage.\n", c.name, err, c.name)
			return 2
		}
		fmt.Fprintf(stderr, "pktkit %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(stderr, "pktkit: unknown command %q\n", args[0])
	mainUsage(stderr)
	return 2
}

func mainUsage(w io.Writer) {
	fmt.Fprint(w, `pktkit: read, explore and dissect packet captures.

Usage: pktkit COMMAND [ARGS]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'pktkit COMMAND -h' for a command's flags and examples.
Files may be pcap or pcapng, gzip-compressed or not; '-' reads standard input.
`)
}

// flags makes a flag set whose -h prints the command's usage.
func flags(c *command, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	_ = stdout
	return fs
}

// parse parses flags interspersed with positional arguments.
func parse(c *command, fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, c.usage)
				fmt.Fprintln(stdout, "\nFlags:")
				fs.SetOutput(stdout)
				fs.PrintDefaults()
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	return pos, nil
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }
