package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pktkit/capture"
	"pktkit/craft"
)

// tmuxScreen drives a program in a detached tmux session on its own
// server and reads back the screen tmux renders.
type tmuxScreen struct {
	t      *testing.T
	socket string
}

func requireTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("PKTKIT_REQUIRE_ORACLES") == "1" {
			t.Fatal("tmux not installed")
		}
		t.Skip("tmux not installed")
	}
}

func (s *tmuxScreen) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// send types keys (tmux key names: Enter, Tab, Up, C-d...).
func (s *tmuxScreen) send(keys ...string) {
	s.tmux(append([]string{"send-keys", "-t", "t"}, keys...)...)
}

// sendText types text literally.
func (s *tmuxScreen) sendText(text string) { s.tmux("send-keys", "-t", "t", "-l", text) }

func (s *tmuxScreen) screen() string { return s.tmux("capture-pane", "-p", "-t", "t") }

// waitFor waits until the screen contains want (at most 10 s) and returns
// the screen.
func (s *tmuxScreen) waitFor(want string) string {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		sc := s.screen()
		if strings.Contains(sc, want) {
			return sc
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never showed %q; it shows:\n%s", want, sc)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lastLine returns the screen's last non-empty line.
func lastLine(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n "), "\n")
	return lines[len(lines)-1]
}

// TestShellOnTerminal uses the shell as a person would, on a terminal
// (tmux): typing, Tab completion, history recall with the up arrow, a
// syntax error, a runtime error, Ctrl-C (a line, a computation), Ctrl-D.
func TestShellOnTerminal(t *testing.T) {
	requireTmux(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "pktkit")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	// A capture with known content: one TCP segment to port 8080.
	p := craft.Ether(craft.KV{Name: "src", Value: "02:00:00:00:00:01"}, craft.KV{Name: "dst", Value: "02:00:00:00:00:02"}).
		Div(craft.IP(craft.KV{Name: "src", Value: "192.0.2.1"}, craft.KV{Name: "dst", Value: "192.0.2.2"})).
		Div(craft.TCP(craft.KV{Name: "sport", Value: 4321}, craft.KV{Name: "dport", Value: 8080}))
	b, err := p.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	capPath := filepath.Join(dir, "one.pcap")
	var buf bytes.Buffer
	w, _ := capture.NewPcapWriter(&buf, 1, 0, false)
	w.WriteRecord(&capture.Record{Timestamp: 1e18, Data: b, CapLen: len(b), OrigLen: len(b)})
	w.Flush()
	if err := os.WriteFile(capPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	hist := filepath.Join(dir, "history")
	s := &tmuxScreen{t: t, socket: filepath.Join(dir, "tmux.sock")}
	cmd := fmt.Sprintf("PKTKIT_HISTORY=%s %s shell %s; echo EXIT=$?; sleep 60", hist, bin, capPath)
	s.tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "50", cmd)
	defer s.tmux("kill-server")

	s.waitFor("pkts = ")
	s.waitFor(">>>")

	// Typing an expression prints its value.
	s.sendText("len(pkts)")
	s.send("Enter")
	s.waitFor("\n1\n>>>")

	// Completion of a field after p[TCP].: the prefix completes to dport.
	s.sendText("pkts[0][TCP].dp")
	s.send("Tab")
	if sc := s.waitFor("pkts[0][TCP].dport"); !strings.HasSuffix(lastLine(sc), "pkts[0][TCP].dport") {
		t.Errorf("completion did not extend the line:\n%s", sc)
	}
	s.send("Enter")
	s.waitFor("\n8080\n")
	// Listing: after the dot, Tab lists TCP's fields.
	s.sendText("pkts[0][TCP].")
	s.send("Tab")
	sc := s.waitFor("window")
	for _, f := range []string{"sport", "dport", "seq", "ack", "dataofs", "flags", "chksum", "urgptr", "options"} {
		if !strings.Contains(sc, f) {
			t.Errorf("completion list lacks TCP field %s:\n%s", f, sc)
		}
	}
	s.send("C-u")
	// A class's fields inside its call.
	s.sendText("IP(ds")
	s.send("Tab")
	s.waitFor("IP(dst=")
	s.sendText(`"192.0.2.9").dst`)
	s.send("Enter")
	s.waitFor(`"192.0.2.9"` + "\n>>>")

	// History: two ups recall len(pkts)... three: the list was abandoned.
	s.send("Up", "Up", "Up")
	if sc := s.waitFor(">>> len(pkts)"); !strings.HasSuffix(lastLine(sc), ">>> len(pkts)") {
		t.Errorf("up arrow did not recall len(pkts):\n%s", sc)
	}
	s.send("Enter")

	// A syntax error and a runtime error are reported; the session goes on.
	s.sendText("x = = 1")
	s.send("Enter")
	s.waitFor("syntax error")
	s.sendText("pkts[5]")
	s.send("Enter")
	s.waitFor("out of range")
	s.sendText("_ + 1")
	s.send("Enter") // _ is still 1 (len(pkts) recalled)
	s.waitFor("\n2\n>>>")

	// A block over several lines.
	s.sendText("for i in range(3):")
	s.send("Enter")
	s.waitFor("...")
	s.sendText("    print(i * 10, end=';')")
	s.send("Enter", "Enter")
	s.waitFor("0;10;20;")

	// Ctrl-C stops a computation that would not end.
	s.sendText("while True:")
	s.send("Enter")
	s.sendText("    pass")
	s.send("Enter", "Enter")
	time.Sleep(300 * time.Millisecond)
	s.send("C-c")
	s.waitFor("cancelled: KeyboardInterrupt")
	s.sendText("6 * 7")
	s.send("Enter")
	s.waitFor("\n42\n>>>")

	// Ctrl-C abandons the line; Ctrl-D leaves.
	s.sendText("abandoned")
	s.send("C-c")
	s.waitFor("KeyboardInterrupt")
	s.send("C-d")
	s.waitFor("EXIT=0")

	h, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(h), "len(pkts)\n") || !strings.Contains(string(h), "pkts[0][TCP].dport\n") {
		t.Errorf("history file:\n%s", h)
	}
}
