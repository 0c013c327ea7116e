package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"pktkit/shell"
)

func init() {
	register(&command{
		name:    "run",
		summary: "run a Scapy-style script (Starlark)",
		usage: `Usage: pktkit run SCRIPT [ARGS...]
       pktkit run -c CODE [ARGS...]

Runs a script in pktkit's Scapy-like language (Starlark, a Python dialect)
with the shell's environment: rdpcap, PcapReader, wrpcap, PcapWriter, the
Scapy classes (IP, TCP, ...), packet lists, open(), struct, base64 and
print. argv holds the script's path (or "-c") then ARGS. An error prints
its traceback (file:line) and exits 1. 'pktkit shell' then help() lists
the environment and how the language differs from Python.

Examples:
  pktkit run count.star capture.pcap
  pktkit run -c 'print(len(rdpcap(argv[1])))' capture.pcap
  pktkit run -c 'for p in PcapReader(argv[1]):
    if TCP in p: print(p.sprintf("%IP.src%:%TCP.sport% > %IP.dst%:%TCP.dport%"))' capture.pcap
`,
		run: runRun,
	})
}

func runRun(args []string, stdout io.Writer) error {
	c := commandByName("run")
	if len(args) == 0 {
		return usagef("run takes a script file or -c CODE")
	}
	var name string
	var src []byte
	var argv []string
	switch args[0] {
	case "-h", "--help", "-help":
		fmt.Fprint(stdout, c.usage)
		return nil
	case "-c":
		if len(args) < 2 {
			return usagef("-c takes the code to run")
		}
		name, src, argv = "<string>", []byte(args[1]), append([]string{"-c"}, args[2:]...)
	default:
		var err error
		name = args[0]
		if src, err = os.ReadFile(name); err != nil {
			return err
		}
		argv = args
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	err := shell.Run(name, src, argv, out)
	out.Flush()
	return scriptError(err)
}

// scriptError turns a Starlark error into the message run prints: the
// traceback of an evaluation error, file:line:col of a syntax error or an
// unknown name.
func scriptError(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(shell.FormatError(err))
}
