package layers_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"pktkit/packet"
)

// Test helpers of the tunnel tables (PPP, PPPoE, GTP, Geneve, NSH,
// Teredo).

// tunBase are the common fields compared with tshark on every tunnel
// capture: repeated ones (ip.src "outer,inner") only agree when the inner
// packet is dissected.
var tunBase = []string{"eth.src", "eth.dst", "eth.type", "ip.src", "ip.dst", "ip.len", "ip.id", "ip.proto",
	"ip.checksum", "udp.srcport", "udp.dstport", "udp.length", "udp.checksum", "tcp.srcport", "tcp.dstport",
	"tcp.seq_raw", "tcp.len", "icmp.type"}

// tunNeeds maps protocols of tshark's frame.protocols to the tables (in
// other files) pktkit needs to follow them. A packet going through one
// that is not registered is counted, not compared.
var tunNeeds = map[string]string{"ipv6": "IPv6", "mpls": "MPLS", "vlan": "Dot1Q", "gre": "GRE",
	"sll": "CookedLinux", "vxlan": "VXLAN"}

// tunPcap returns a classic pcap for path, converting a pcapng file with
// editcap.
func tunPcap(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 4 || !bytes.Equal(b[:4], []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		return path
	}
	if _, err := exec.LookPath("editcap"); err != nil {
		t.Skip("editcap not installed")
	}
	out := filepath.Join(t.TempDir(), filepath.Base(path)+".pcap")
	if msg, err := exec.Command("editcap", "-F", "pcap", path, out).CombinedOutput(); err != nil {
		t.Fatalf("editcap %s: %v %s", path, err, msg)
	}
	return out
}

// tunResult counts what tunCompare compared.
type tunResult struct {
	pkts, skipped, cells, known int
}

// tunCompare compares our fields with tshark's on a capture, cell by cell,
// and checks that every packet dissecting without error rebuilds exactly.
// known lists the cells whose difference is explained where it is used,
// as "packet:field", "*:field" or "packet:*". Packets that go through a protocol whose
// table is missing here are skipped (see tunNeeds).
func tunCompare(t *testing.T, path string, known map[string]bool, fields ...string) tunResult {
	t.Helper()
	path = tunPcap(t, path)
	frames := readPcap(t, path)
	want := tsharkFields(t, path, append(append([]string(nil), fields...), "frame.protocols")...)
	got := ourFields(t, frames, fields...)
	if len(want) != len(got) {
		t.Fatalf("%s: tshark has %d rows, we have %d", path, len(want), len(got))
	}
	var r tunResult
	name := filepath.Base(path)
	for i := range want {
		protos := ""
		if len(want[i]) > len(fields) {
			protos = want[i][len(fields)]
		}
		if tunMissing(protos) {
			r.skipped++
			continue
		}
		r.pkts++
		for j, f := range fields {
			w := ""
			if j < len(want[i]) {
				w = want[i][j]
			}
			if known[fmt.Sprintf("%d:%s", i+1, f)] || known["*:"+f] || known[fmt.Sprintf("%d:*", i+1)] {
				r.known++
				continue
			}
			r.cells++
			if w != got[i][j] {
				t.Errorf("%s packet %d %s: tshark %q, pktkit %q", name, i+1, f, w, got[i][j])
			}
		}
	}
	checkRebuild(t, frames)
	t.Logf("%s: %d packets compared (%d cells, %d known differences), %d skipped (tables in other files)",
		name, r.pkts, r.cells, r.known, r.skipped)
	return r
}

// tunMissing reports whether tshark's protocol chain goes through a
// protocol whose table is not registered.
func tunMissing(protos string) bool {
	for _, p := range strings.Split(protos, ":") {
		if n, ok := tunNeeds[p]; ok && packet.Lookup(n) == nil {
			return true
		}
	}
	return false
}

// tunCorpus compares a list of corpus captures and returns the total.
func tunCorpus(t *testing.T, rels []string, known map[string]map[string]bool, fields ...string) tunResult {
	t.Helper()
	var tot tunResult
	for _, rel := range rels {
		r := tunCompare(t, corpusPath(t, rel), known[rel], fields...)
		tot.pkts += r.pkts
		tot.skipped += r.skipped
		tot.cells += r.cells
		tot.known += r.known
	}
	t.Logf("total: %d packets compared (%d cells agree, %d known differences), %d skipped", tot.pkts, tot.cells,
		tot.known, tot.skipped)
	if tot.pkts == 0 {
		t.Error("no packet compared")
	}
	return tot
}

// tunFields joins field lists.
func tunFields(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// tunField returns one field of a packet as `pktkit fields` prints it.
func tunField(t *testing.T, p *packet.Packet, name string) string {
	t.Helper()
	r, err := packet.LookupField(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(p.AppendField(nil, r, ','))
}

// tunExpect checks fields of a packet.
func tunExpect(t *testing.T, p *packet.Packet, want map[string]string) {
	t.Helper()
	for f, w := range want {
		if got := tunField(t, p, f); got != w {
			t.Errorf("%s = %q, want %q", f, got, w)
		}
	}
}

// tunShow checks that show() holds every line given.
func tunShow(t *testing.T, p *packet.Packet, lines ...string) {
	t.Helper()
	s := p.ShowString()
	for _, l := range lines {
		if !strings.Contains(s, l) {
			t.Errorf("show lacks %q:\n%s", l, s)
		}
	}
}

// tunSeeds adds the frames of capture files as fuzz seeds, with the bytes
// before offset cut (the fuzz target puts its own prefix back).
func tunSeeds(f *testing.F, offset int, paths ...string) {
	for _, path := range paths {
		for _, fr := range readPcap(f, path) {
			if len(fr.data) > offset {
				f.Add(fr.data[offset:])
			}
		}
	}
}

// tunSpec returns a spec of p with the given fields set.
func tunSpec(t *testing.T, p *packet.Protocol, vals map[string]packet.Value) *packet.Spec {
	t.Helper()
	s := packet.NewSpec(p)
	for k, v := range vals {
		if err := s.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	return s
}
