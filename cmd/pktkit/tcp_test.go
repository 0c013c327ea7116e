package main

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// checkTCPTruth: `tcp --slow` and `tcp --conn` on the scenarios' capture
// report what the programs did: the slow server's delay before its first
// response byte and its stall, who reset which connection, the SYN nobody
// answered, and each side's bytes.
func checkTCPTruth(t *testing.T, pcap string, rows []truthRow) {
	code, out, errOut := runCLI(t, "tcp", pcap, "--slow", "-n", "0")
	if code != 0 {
		t.Fatalf("tcp --slow: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	byClient := map[string][]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) < 8 {
			t.Fatalf("tcp --slow row %q", l)
		}
		byClient[f[1]+" "+f[2]] = f
	}
	dur := func(s string) time.Duration {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("duration %q: %v", s, err)
		}
		return d
	}
	for _, r := range rows {
		f := byClient[r["orig"]+" "+r["resp"]]
		if f == nil {
			t.Errorf("%s: no row in tcp --slow", r["scenario"])
			continue
		}
		ended := strings.Join(f[7:], " ")
		premature := strings.HasPrefix(ended, "!")
		switch r["conn_state"] {
		case "RSTR", "REJ":
			if !strings.HasPrefix(ended, "! reset by the server") {
				t.Errorf("%s: ended %q, want a reset by the server", r["scenario"], ended)
			}
		case "RSTO":
			if !strings.HasPrefix(ended, "! reset by the client") {
				t.Errorf("%s: ended %q, want a reset by the client", r["scenario"], ended)
			}
		case "S0":
			if ended != "! no answer to the SYN" {
				t.Errorf("%s: ended %q, want no answer to the SYN", r["scenario"], ended)
			}
		case "SF":
			if premature {
				t.Errorf("%s: ended %q, flagged as cut short", r["scenario"], ended)
			}
		}
		if (f[3] != "-") != (r["handshake"] == "1") {
			t.Errorf("%s: handshake RTT %q, truth handshake %s", r["scenario"], f[3], r["handshake"])
		}
		if d, err := strconv.ParseFloat(r["resp_delay_ms"], 64); err == nil {
			// The server waited d before its first byte: the time to it
			// is at least that, and not far more on a local link.
			got := dur(f[4])
			want := time.Duration(d * float64(time.Millisecond))
			if got < want || got > want+50*time.Millisecond {
				t.Errorf("%s: first response byte after %v, the server waited %v", r["scenario"], got, want)
			}
		}
		if d, err := strconv.ParseFloat(r["stall_ms"], 64); err == nil {
			got := dur(f[5])
			want := time.Duration(d * float64(time.Millisecond))
			if got < want || got > want+50*time.Millisecond {
				t.Errorf("%s: longest stall %v, the server paused %v", r["scenario"], got, want)
			}
		}
	}
	// The slow server ranks above the plain download.
	rank := map[string]int{}
	for i, l := range lines[1:] {
		for _, r := range rows {
			if f := strings.Fields(l); len(f) > 2 && f[1] == r["orig"] && f[2] == r["resp"] {
				rank[r["scenario"]] = i
			}
		}
	}
	if rank["slow"] >= rank["http"] {
		t.Errorf("tcp --slow ranks the slow server %d, the plain download %d", rank["slow"], rank["http"])
	}
	for _, r := range rows {
		if r["scenario"] != "http" {
			continue
		}
		code, out, errOut := runCLI(t, "tcp", pcap, "--conn", r["orig"]+","+r["resp"])
		if code != 0 {
			t.Fatalf("tcp --conn: exit %d: %s", code, errOut)
		}
		want := "client sent " + r["orig_bytes"] + " bytes in "
		if !strings.Contains(out, want) || !strings.Contains(out, "server "+r["resp_bytes"]+" bytes in ") {
			t.Errorf("http timeline footer lacks %q / server %s bytes:\n%s", want, r["resp_bytes"], out)
		}
		if !strings.Contains(out, "ended: closed, FIN first from the server") {
			t.Errorf("http timeline: not closed by the server first:\n%s", out)
		}
	}
}

// TestTCPTimelineMatchesFields: each line of a timeline shows the frame's
// tcp.seq, tcp.ack and tcp.len as `fields` gives them (so as tshark does),
// and a missing stream is an error.
func TestTCPTimelineMatchesFields(t *testing.T) {
	code, out, errOut := runCLI(t, "tcp", connsPcap, "--stream", "5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, want, _ := runCLI(t, "fields", connsPcap, "-Y", "tcp.stream == 5", "-e", "frame.number", "-e", "tcp.seq", "-e", "tcp.ack", "-e", "tcp.len")
	wl := strings.Split(strings.TrimSpace(want), "\n")
	var got []string
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 8 && (f[2] == "-->" || f[2] == "<--") {
			got = append(got, f[0]+"\t"+f[4]+"\t"+f[5]+"\t"+f[6])
		}
	}
	if len(got) != len(wl) {
		t.Fatalf("timeline has %d packets, fields %d", len(got), len(wl))
	}
	for i := range got {
		if got[i] != wl[i] {
			t.Fatalf("line %d: timeline %q, fields %q", i, got[i], wl[i])
		}
	}
	if code, _, errOut := runCLI(t, "tcp", connsPcap, "--stream", "999"); code != 1 || !strings.Contains(errOut, "no TCP stream 999") {
		t.Errorf("missing stream: exit %d, %q", code, errOut)
	}
	if code, _, _ := runCLI(t, "tcp", connsPcap); code != 2 {
		t.Errorf("no mode: exit %d, want 2", code)
	}
}
