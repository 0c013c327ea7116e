package tcpanalysis

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"pktkit/capture"
	"pktkit/internal/oracle"
)

// checkTshark writes the segments of c as a raw IPv4 capture (side 0 is
// 10.0.0.1, side 1 10.0.0.2; payloads are zero bytes) and checks that
// tshark 4.0 sets, frame by frame, the same analysis flags as the tracker
// did. It skips (see package oracle) when tshark is missing.
func checkTshark(t *testing.T, c *conv) {
	t.Helper()
	if _, err := exec.LookPath("tshark"); err != nil {
		oracle.Missing(t, "tshark not installed")
		return
	}
	var buf bytes.Buffer
	w, err := capture.NewPcapWriter(&buf, capture.LinkTypeRaw, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.sent {
		total := 20 + len(s.header) + int(s.n)
		ip := make([]byte, 20, total)
		ip[0], ip[2], ip[3], ip[8], ip[9] = 0x45, byte(total>>8), byte(total), 64, 6
		src, dst := byte(1), byte(2)
		if s.side == 1 {
			src, dst = dst, src
		}
		copy(ip[12:], []byte{10, 0, 0, src, 10, 0, 0, dst})
		pkt := append(append(ip, s.header...), make([]byte, s.n)...)
		if err := w.WriteRecord(&capture.Record{Timestamp: s.time, Data: pkt, CapLen: len(pkt), OrigLen: len(pkt)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "crafted.pcap")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-n", "-r", path, "-o", "tcp.desegment_tcp_streams:FALSE", "-T", "fields", "-E", "occurrence=f"}
	for _, f := range FlagFields {
		args = append(args, "-e", f.WS)
	}
	out, err := exec.Command("tshark", args...).Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	rows := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(rows) != len(c.sent) {
		t.Fatalf("tshark shows %d frames, %d written", len(rows), len(c.sent))
	}
	for i, row := range rows {
		cols := strings.Split(row, "\t")
		var theirs uint16
		for k, f := range FlagFields {
			if k < len(cols) && cols[k] != "" {
				if f.WS == "tcp.analysis.retransmission" {
					theirs |= Retransmission
				} else {
					theirs |= f.Mask
				}
			}
		}
		// tcp.analysis.retransmission is shown for the fast and spurious
		// kinds too: the plain kind is set only when neither is.
		if theirs&(FastRetransmission|SpuriousRetransmission) != 0 {
			theirs &^= Retransmission
		}
		if ours := c.sent[i].flags; ours != theirs {
			t.Errorf("frame %d: tracker flags %#x, tshark %#x", i+1, ours, theirs)
		}
	}
}
