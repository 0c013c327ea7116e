package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"pktkit/shell"
)

func init() {
	register(&command{
		name:    "shell",
		summary: "interactive Scapy-like shell (Starlark)",
		usage: `Usage: pktkit shell [FILE...]

An interactive session in pktkit's Scapy-like language (Starlark, a Python
dialect): craft packets (IP(dst="192.0.2.1")/TCP()), read captures
(rdpcap, PcapReader), explore them (pkts[0].show(), p[TCP].dport,
pkts.filter("tcp.port == 80"), pkts.sessions()), write them (wrpcap).
FILE arguments are loaded as pkts (one file) or as a list pkts of packet
lists (several; also pkts0, pkts1, ...).

On a terminal: line editing, history (up arrow; kept in $PKTKIT_HISTORY,
default ~/.pktkit_history), Tab completion of names, classes, fields
(pkts[0][TCP].<Tab>) and methods, multi-line input (a line ending with ':'
or open brackets continues; an empty line ends a block), _ is the last
result, Ctrl-C abandons a line or stops a computation, Ctrl-D leaves.
help() lists the environment and how Starlark differs from Python.

Without a terminal, standard input is read as lines and evaluated the same
way, results printed; the exit status is 1 if any input failed.

Examples:
  pktkit shell capture.pcap
  echo 'len(pkts)' | pktkit shell capture.pcap
  printf 'p = IP(dst="192.0.2.1")/TCP()\nhexdump(p)\n' | pktkit shell
`,
		run: runShell,
	})
}

func runShell(args []string, stdout io.Writer) error {
	c := commandByName("shell")
	fs := flags(c, stdout)
	files, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	s, err := shell.NewSession(stdout, files)
	if err != nil {
		return err
	}
	defer s.Close()
	if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(f.Fd())) {
		return s.RunTerminal(os.Stdin, f, shell.HistoryPath())
	}
	if n := s.RunPiped(os.Stdin, stdout, os.Stderr); n > 0 {
		return fmt.Errorf("%d input(s) failed", n)
	}
	return nil
}
