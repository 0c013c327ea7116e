package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"pktkit/capture"
)

func TestCraftHexAndPcap(t *testing.T) {
	// Bytes from Scapy 2.5: bytes(IP(src="192.0.2.1", dst=...)/TCP(dport=...)).
	code, out, errOut := runCLI(t, "craft", `IP(src="192.0.2.1", dst="10.0.0.0/31")/TCP(dport=[80, 443], flags="S")`, "--hex")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 4 packets, got %d:\n%s", len(lines), out)
	}
	for _, l := range lines {
		if len(l) != 80 || strings.ToLower(l) != l {
			t.Errorf("not a 40-byte lowercase hex line: %q", l)
		}
	}
	path := filepath.Join(t.TempDir(), "out.pcap")
	if code, _, errOut := runCLI(t, "craft", `IP(src="192.0.2.1", dst="10.0.0.0/30")/TCP(dport=[80, 443])`, "-w", path); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	r, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	var rec capture.Record
	for r.Next(&rec) == nil {
		n++
		if rec.LinkType != 228 {
			t.Errorf("link type %v, want raw IPv4 (228)", rec.LinkType)
		}
	}
	if n != 8 {
		t.Errorf("%d packets written, want 8", n)
	}
	if _, err := exec.LookPath("capinfos"); err == nil {
		out, err := exec.Command("capinfos", "-c", "-M", path).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "8") {
			t.Errorf("capinfos: %v\n%s", err, out)
		}
	}
}

func TestCraftErrorsWriteNothing(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		expr string
		want []string // the message names the class, the field and the valid names or range
	}{
		{`IP(ttl=300)/TCP()`, []string{"IP.ttl", "0..255"}},
		{`IP(ttll=3)`, []string{"IP", "ttll", "valid fields", "ttl"}},
		{`IPP()/TCP()`, []string{"unknown class IPP", "IP"}},
		{`TCP(flags="SX")`, []string{"TCP.flags", "X", "valid flags", "S, R"}},
		{`ICMP(type="echo")`, []string{"ICMP.type", "echo-request (8)"}},
		{`IP(dst=5)`, []string{"IP.dst", "int 5", "ipv4"}},
		{`TCP(options=[("MSSS", 1)])`, []string{"TCP.options", "MSSS", "MSS", "WScale"}},
		{`IP(options=[TCPOpt_MSS()])`, []string{"IP.options", "TCPOpt_MSS", "IPOption_NOP"}},
		{`DNS(qd=DNSQR(qtype="AAAAA"))`, []string{"DNSQR.qtype", "AAAA (28)"}},
		// Fails after the first packet was written to the temporary file.
		{`[IP(src="192.0.2.1", dst="192.0.2.2")/TCP(), Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")/IP()]`, []string{"expression 2", "link"}},
	}
	for _, c := range cases {
		path := filepath.Join(dir, "x.pcap")
		code, _, errOut := runCLI(t, "craft", c.expr, "-w", path)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1", c.expr, code)
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%s: message lacks %q: %s", c.expr, w, errOut)
			}
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s: a file was written", c.expr)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("leftover files: %v", entries)
	}
	if code, _, _ := runCLI(t, "craft"); code != 2 {
		t.Errorf("no expression: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, "craft", "IP()", "--hex", "--show"); code != 2 {
		t.Errorf("two modes: exit %d, want 2", code)
	}
}

func TestCraftMixedIPVersions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mix.pcap")
	if code, _, errOut := runCLI(t, "craft", `[IP(src="192.0.2.1", dst="192.0.2.2")/UDP(), IPv6(src="2001:db8::1", dst="2001:db8::2")/UDP()]`, "-w", path); code != 0 {
		t.Fatal(errOut)
	}
	r, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rec capture.Record
	n := 0
	for r.Next(&rec) == nil {
		n++
		if rec.LinkType != 101 {
			t.Errorf("packet %d: link type %v, want raw IP (101)", n, rec.LinkType)
		}
	}
	if n != 2 {
		t.Errorf("%d packets", n)
	}
}

func TestCraftHexdumpMatchesScapy(t *testing.T) {
	// Scapy 2.5: hexdump(IP(src="192.0.2.1", dst="192.0.2.2")/ICMP()/b"ping")
	want := "0000  45 00 00 20 00 01 00 00 40 01 F6 D8 C0 00 02 01  E.. ....@.......\n" +
		"0010  C0 00 02 02 08 00 19 2F 00 00 00 00 70 69 6E 67  ......./....ping\n"
	code, out, errOut := runCLI(t, "craft", `IP(src="192.0.2.1", dst="192.0.2.2")/ICMP()/b"ping"`, "--hexdump")
	if code != 0 {
		t.Fatal(errOut)
	}
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}
