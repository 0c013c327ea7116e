package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = "../../testdata/sample.pcap"

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestHelpEverywhere(t *testing.T) {
	for _, c := range commands {
		code, out, _ := runCLI(t, c.name, "-h")
		if code != 0 {
			t.Errorf("%s -h: exit %d", c.name, code)
		}
		if !strings.Contains(out, "Usage: pktkit "+c.name) || !strings.Contains(out, "Examples:") {
			t.Errorf("%s -h lacks usage or examples:\n%s", c.name, out)
		}
	}
	if code, out, _ := runCLI(t, "help"); code != 0 || !strings.Contains(out, "Commands:") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	cases := [][]string{
		{"nosuchcommand"},
		{"read"},
		{"fields", sample},
		{"fields", sample, "-e", "ip.srcc"},
		{"show", sample, "-n", "5-3"},
		{"read", "--bogus", sample},
		{"convert", sample},
		{"ls", "NoSuchProto"},
	}
	for _, args := range cases {
		code, _, errOut := runCLI(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, errOut)
		}
		if errOut == "" {
			t.Errorf("%v: no message on stderr", args)
		}
	}
	_, _, errOut := runCLI(t, "fields", sample, "-e", "ip.srcc")
	if !strings.Contains(errOut, "ip.src") {
		t.Errorf("unknown field does not suggest ip.src: %q", errOut)
	}
}

func TestErrorsExit1(t *testing.T) {
	code, _, errOut := runCLI(t, "read", "/nonexistent.pcap")
	if code != 1 || !strings.Contains(errOut, "/nonexistent.pcap") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	notCap := filepath.Join(t.TempDir(), "x.pcap")
	os.WriteFile(notCap, []byte("hello, this is not a capture file"), 0o644)
	code, _, errOut = runCLI(t, "info", notCap)
	if code != 1 || !strings.Contains(errOut, "not a pcap or pcapng file") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestReadAndFields(t *testing.T) {
	code, out, errOut := runCLI(t, "read", sample, "-c", "3", "--skip", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "2 ") || !strings.HasPrefix(lines[2], "4 ") {
		t.Errorf("read -c 3 --skip 1:\n%s", out)
	}
	code, out, _ = runCLI(t, "fields", sample, "--header", "-e", "frame.number", "-e", "tcp.dport", "-e", "ip.dst")
	if code != 0 {
		t.Fatal(code)
	}
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if rows[0] != "frame.number\ttcp.dport\tip.dst" {
		t.Errorf("header %q", rows[0])
	}
	if len(rows) < 50 {
		t.Errorf("only %d rows", len(rows))
	}
	tcp := 0
	for _, r := range rows[1:] {
		c := strings.Split(r, "\t")
		if len(c) != 3 {
			t.Fatalf("row %q has %d columns", r, len(c))
		}
		if c[1] != "" {
			tcp++
		}
	}
	if tcp == 0 {
		t.Error("no TCP port in the sample")
	}
}

func TestStdinAndConvertRoundTrip(t *testing.T) {
	dir := t.TempDir()
	ng := filepath.Join(dir, "s.pcapng")
	if code, _, e := runCLI(t, "convert", sample, "-w", ng); code != 0 {
		t.Fatalf("convert: %d %s", code, e)
	}
	back := filepath.Join(dir, "s.pcap")
	if code, _, e := runCLI(t, "convert", ng, "-w", back, "--format", "pcap"); code != 0 {
		t.Fatalf("convert back: %d %s", code, e)
	}
	_, a, _ := runCLI(t, "read", sample)
	_, b, _ := runCLI(t, "read", ng)
	_, c, _ := runCLI(t, "read", back)
	if a != b || a != c || a == "" {
		t.Errorf("read differs after pcap → pcapng → pcap")
	}
	// '-' reads standard input.
	f, err := os.Open(sample)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	old := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = old }()
	_, d, _ := runCLI(t, "read", "-")
	if d != a {
		t.Errorf("read - differs from read FILE")
	}
}

func TestShowAndLs(t *testing.T) {
	code, out, _ := runCLI(t, "show", sample, "-n", "17", "--hex")
	if code != 0 || !strings.Contains(out, "###[ Ethernet ]###") || !strings.Contains(out, "###[ IP ]###") || !strings.Contains(out, "0000  ") {
		t.Errorf("show -n 17 --hex:\n%s", out)
	}
	if strings.Contains(out, "Packet 18") {
		t.Error("show printed a packet not asked for")
	}
	code, out, _ = runCLI(t, "ls", "TCP")
	if code != 0 || !strings.Contains(out, "tcp.srcport") || !strings.Contains(out, "sport") {
		t.Errorf("ls TCP:\n%s", out)
	}
}

func TestInfo(t *testing.T) {
	code, out, _ := runCLI(t, "info", "../../testdata/sample.pcapng")
	if code != 0 || !strings.Contains(out, "pcapng") || !strings.Contains(out, "EN10MB (1)") || !strings.Contains(out, "Packets:") {
		t.Errorf("info:\n%s", out)
	}
	code, out, _ = runCLI(t, "info", "--format", "json", sample)
	if code != 0 || !strings.Contains(out, `"packets":`) {
		t.Errorf("info json:\n%s", out)
	}
}
