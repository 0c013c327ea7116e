package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunScriptAndCode(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "count.star")
	if err := os.WriteFile(script, []byte("print(argv[1:], len(rdpcap(argv[1])))\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// testdata/README: sample.pcap holds 125 packets (capinfos agrees).
	code, out, errs := runCLI(t, "run", script, sample)
	if code != 0 || out != "[\""+sample+"\"] 125\n" {
		t.Errorf("run script: exit %d, out %q, err %q", code, out, errs)
	}
	code, out, _ = runCLI(t, "run", "-c", "print(argv)", "a", "b")
	if code != 0 || out != "[\"-c\", \"a\", \"b\"]\n" {
		t.Errorf("run -c: exit %d, out %q", code, out)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "bad.star")
	if err := os.WriteFile(script, []byte("x = 1\nprint('before')\ny = x[0]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "run", script)
	if code != 1 || !strings.Contains(errs, script+":3:") || out != "before\n" {
		t.Errorf("runtime error: exit %d, out %q, stderr %q", code, out, errs)
	}
	code, _, errs = runCLI(t, "run", "-c", "x = (")
	if code != 1 || !strings.Contains(errs, "<string>:1:") {
		t.Errorf("syntax error: exit %d, stderr %q", code, errs)
	}
	code, _, errs = runCLI(t, "run", "-c", "print(nosuchname)")
	if code != 1 || !strings.Contains(errs, "<string>:1:7: undefined: nosuchname") {
		t.Errorf("undefined name: exit %d, stderr %q", code, errs)
	}
	if code, _, _ := runCLI(t, "run"); code != 2 {
		t.Errorf("run without arguments: exit %d, want 2", code)
	}
}
