package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tsharkFrames returns the frame numbers tshark selects with -Y, or skips
// the test when tshark is missing (unless PKTKIT_REQUIRE_ORACLES=1).
func tsharkFrames(t *testing.T, file, filter string) []string {
	t.Helper()
	if _, err := exec.LookPath("tshark"); err != nil {
		if os.Getenv("PKTKIT_REQUIRE_ORACLES") == "1" {
			t.Fatal("tshark not installed")
		}
		t.Skip("tshark not installed")
	}
	out, err := exec.Command("tshark", "-n", "-r", file, "-Y", filter, "-T", "fields", "-e", "frame.number").Output()
	if err != nil {
		t.Fatalf("tshark -Y %q: %v", filter, err)
	}
	return strings.Fields(string(out))
}

// -Y on every command selects the frames tshark selects, keeping the
// file's numbering; fields gives the same rows with one or two workers.
func TestFilterFlag(t *testing.T) {
	const flt = `tcp.flags.syn == 1 or dns.qry.name contains "www" or frame.time_delta > 0.1`
	want := tsharkFrames(t, sample, flt)
	if len(want) == 0 {
		t.Fatal("tshark selects nothing: pick another filter")
	}
	wantLines := strings.Join(want, "\n") + "\n"
	for _, j := range []string{"1", "2"} {
		code, out, errs := runCLI(t, "fields", sample, "-j", j, "-Y", flt, "-e", "frame.number")
		if code != 0 || out != wantLines {
			t.Errorf("fields -j %s -Y: exit %d, %q\n got %q\nwant %q", j, code, errs, out, wantLines)
		}
	}
	code, out, _ := runCLI(t, "read", sample, "-Y", flt)
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		got = append(got, strings.Fields(l)[0])
	}
	if code != 0 || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("read -Y: exit %d, frames %v, want %v", code, got, want)
	}
	if code, out, _ := runCLI(t, "show", sample, "-Y", flt); code != 0 || strings.Count(out, "\nPacket ")+1 != len(want) {
		t.Errorf("show -Y: exit %d, %d packets, want %d", code, strings.Count(out, "\nPacket ")+1, len(want))
	}
	dst := filepath.Join(t.TempDir(), "out.pcapng")
	if code, _, errs := runCLI(t, "convert", sample, "-w", dst, "-Y", flt); code != 0 {
		t.Fatalf("convert -Y: exit %d: %s", code, errs)
	}
	// The written file holds the selected packets, renumbered from 1.
	all := tsharkFrames(t, dst, "frame")
	if len(all) != len(want) {
		t.Errorf("convert -Y wrote %d packets, want %d", len(all), len(want))
	}
}

func TestFilterErrors(t *testing.T) {
	for _, c := range []struct{ filter, want string }{
		{"tcp.port in {80 443}", "    tcp.port in {80 443}\n                    ^~~"},
		{"tcp.flgs.syn == 1", "did you mean tcp.flags.syn"},
		{"ip.ttl == 300", "maximum 255"},
	} {
		for _, cmd := range []string{"read", "show", "fields", "convert"} {
			args := []string{cmd, sample, "-Y", c.filter}
			if cmd == "fields" {
				args = append(args, "-e", "frame.number")
			}
			if cmd == "convert" {
				args = append(args, "-w", filepath.Join(t.TempDir(), "x.pcap"))
			}
			code, _, errs := runCLI(t, args...)
			if code != 2 || !strings.Contains(errs, c.want) {
				t.Errorf("%s -Y %q: exit %d, stderr %q lacks %q", cmd, c.filter, code, errs, c.want)
			}
		}
	}
}
