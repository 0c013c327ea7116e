package layers_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pktkit/packet"
)

// Test helpers for the link-layer and tunnel tables: captures by absolute
// path (crafted ones, converted pcapng), corpus captures by link type, and
// field comparison reporting agreement counts.

// hexFrame decodes hex with optional spaces; it panics on bad hex (test
// data is constant).
func hexFrame(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// writePcap writes frames as a little-endian pcap of a link type into a
// temporary file and returns its path.
func writePcap(t testing.TB, link uint32, frames ...[]byte) string {
	t.Helper()
	var b bytes.Buffer
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 262144)
	binary.LittleEndian.PutUint32(hdr[20:], link)
	b.Write(hdr)
	for i, f := range frames {
		rec := make([]byte, 16)
		binary.LittleEndian.PutUint32(rec[0:], uint32(i+1))
		binary.LittleEndian.PutUint32(rec[8:], uint32(len(f)))
		binary.LittleEndian.PutUint32(rec[12:], uint32(len(f)))
		b.Write(rec)
		b.Write(f)
	}
	p := filepath.Join(t.TempDir(), "crafted.pcap")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// agreement counts the cells compared with tshark and those that differed.
type agreement struct{ cells, diffs, rows int }

func (a *agreement) add(b agreement) {
	a.cells += b.cells
	a.diffs += b.diffs
	a.rows += b.rows
}

// sameValue compares one cell. Until the engine prints byte fields as
// tshark 4.0 does (plain hex, a change pending on another branch), a value
// that differs only by the colons between bytes counts as equal when
// tshark's has no colon at all (so MAC addresses are still compared
// exactly).
func sameValue(tshark, ours string) bool {
	if tshark == ours {
		return true
	}
	return tshark != "" && !strings.Contains(tshark, ":") && strings.ReplaceAll(ours, ":", "") == tshark
}

// compareFile compares our field values with tshark's for every packet of a
// pcap file, reporting up to 20 differing cells as test errors.
func compareFile(t *testing.T, path string, fields ...string) agreement {
	return compareFileFirst(t, path, fields, nil)
}

// compareFileFirst is compareFile where the fields of first are compared
// on their first occurrence only (the link layer decides the outer IP
// header; tunnels further in belong to other tables).
func compareFileFirst(t *testing.T, path string, all, first []string) agreement {
	t.Helper()
	fields := append(append([]string(nil), all...), first...)
	frames := readPcap(t, path)
	if len(frames) == 0 {
		return agreement{}
	}
	requireTshark(t)
	want, err := tsharkRun(path, false, fields...)
	if err != nil {
		t.Logf("%s: tshark cannot read it (%v); skipped", filepath.Base(path), err)
		return agreement{}
	}
	got := ourFields(t, frames, fields...)
	if len(want) != len(got) {
		t.Fatalf("%s: tshark has %d rows, we have %d", path, len(want), len(got))
	}
	a := agreement{rows: len(got)}
	for i := range want {
		for j := range fields {
			w, g := "", got[i][j]
			if j < len(want[i]) {
				w = want[i][j]
			}
			if j >= len(all) {
				w, _, _ = strings.Cut(w, ",")
				g, _, _ = strings.Cut(g, ",")
			}
			a.cells++
			if !sameValue(w, g) {
				a.diffs++
				if a.diffs <= 20 {
					t.Errorf("%s packet %d %s: tshark %q, pktkit %q", filepath.Base(path), i+1, fields[j], w, g)
				}
			}
		}
	}
	return a
}

// nonEmpty counts the cells our side filled in (to be sure a comparison
// exercised the fields, not just agreed on blanks).
func nonEmpty(t *testing.T, path string, fields ...string) int {
	t.Helper()
	n := 0
	for _, row := range ourFields(t, readPcap(t, path), fields...) {
		for _, c := range row {
			if c != "" {
				n++
			}
		}
	}
	return n
}

// corpusCaptures lists the corpus's classic pcap captures whose only link
// type is one of links.
func corpusCaptures(t testing.TB, links ...uint32) []string {
	t.Helper()
	dir := corpusPath(t, "")
	f, err := os.Open(filepath.Join(dir, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]bool{}
	for _, l := range links {
		want[strconv.FormatUint(uint64(l), 10)] = true
	}
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 6 || !strings.HasPrefix(c[3], "pcap-") || !want[c[4]] {
			continue
		}
		out = append(out, filepath.Join(dir, c[0]))
	}
	return out
}

// fuzzLayers runs every read path over one packet: the layer index,
// summary, show, each of the given fields, and a rebuild when it dissects
// cleanly, which must give back the same bytes.
func fuzzLayers(t *testing.T, data []byte, link uint32, refs []*packet.FieldRef) {
	p := packet.New(data, link)
	p.Layers()
	_ = p.Summary()
	_ = p.ShowString()
	var buf []byte
	for _, r := range refs {
		buf = p.AppendField(buf[:0], r, ',')
	}
	if p.Err() != nil {
		return
	}
	requireRebuild(t, p, data)
}

// fieldRefs looks up Wireshark fields for the fuzzers.
func fieldRefs(t testing.TB, names ...string) []*packet.FieldRef {
	t.Helper()
	var out []*packet.FieldRef
	for _, n := range names {
		r, err := packet.LookupField(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// buildBack builds a stack and dissects the result as link.
func buildBack(t *testing.T, link uint32, st packet.Stack) *packet.Packet {
	t.Helper()
	b, err := st.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	p := packet.New(b, link)
	if err := p.Err(); err != nil {
		t.Fatalf("built packet %x: %v", b, err)
	}
	return p
}

// spec makes a layer spec with fields set by Scapy name.
func spec(t testing.TB, p *packet.Protocol, kv ...any) *packet.Spec {
	t.Helper()
	s := packet.NewSpec(p)
	for i := 0; i+1 < len(kv); i += 2 {
		name := kv[i].(string)
		var v packet.Value
		switch x := kv[i+1].(type) {
		case int:
			v.U = uint64(x)
		case uint64:
			v.U = x
		case []byte:
			v.B = x
		case string:
			v.B = hexFrame(x)
		}
		if err := s.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// known keeps the field names that are registered.
func known(names ...string) []string {
	var out []string
	for _, n := range names {
		if _, err := packet.LookupField(n); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// layerNames lists a packet's layer protocol names.
func layerNames(p *packet.Packet) string {
	var names []string
	for _, l := range p.Layers() {
		names = append(names, l.Proto.Name)
	}
	return strings.Join(names, "/")
}

// field returns one field's tshark-formatted value(s) for a packet.
func field(t testing.TB, p *packet.Packet, name string) string {
	t.Helper()
	r, err := packet.LookupField(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(p.AppendField(nil, r, ','))
}

func hexString(b []byte) string { return hex.EncodeToString(b) }

// compareExpected compares fields with the corpus's precomputed tshark
// output (_expected/tshark-fields, made with the same options as
// tsharkFields) for a capture given by its corpus path, without running
// tshark. Fields in first are compared on their first occurrence only.
// ok is false when there is no precomputed output for the capture.
func compareExpected(t *testing.T, path string, all, first []string) (a agreement, ok bool) {
	t.Helper()
	dir := corpusPath(t, "")
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "_expected", "tshark-fields", rel+".tsv"))
	if err != nil {
		return a, false
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines[0]) == 0 {
		return a, false // no packets
	}
	col := map[string]int{}
	for i, h := range strings.Split(lines[0], "\t") {
		col[h] = i
	}
	fields := append(append([]string(nil), all...), first...)
	for _, f := range fields {
		if _, ok := col[f]; !ok {
			t.Fatalf("%s: %s is not among the precomputed fields", rel, f)
		}
	}
	frames := readPcap(t, path)
	got := ourFields(t, frames, fields...)
	want := lines[1:]
	if len(want) != len(got) {
		// The test's pcap reader stops at a record longer than the file
		// (the capture package is the real reader).
		t.Logf("%s: tshark has %d rows, the test reader %d; skipped", rel, len(want), len(got))
		return a, false
	}
	a.rows = len(got)
	for i, line := range want {
		cells := strings.Split(line, "\t")
		for j, f := range fields {
			w, g := "", got[i][j]
			if c := col[f]; c < len(cells) {
				w = cells[c]
			}
			if j >= len(all) {
				w, _, _ = strings.Cut(w, ",")
				g, _, _ = strings.Cut(g, ",")
			}
			a.cells++
			if !sameValue(w, g) {
				a.diffs++
				if a.diffs <= 10 {
					t.Errorf("%s packet %d %s: tshark %q, pktkit %q", rel, i+1, f, w, g)
				}
			}
		}
	}
	return a, true
}

// corpusDirOrEmpty returns the corpus directory, or "" when unset (fuzz
// seeds from the corpus are optional).
func corpusDirOrEmpty() string { return os.Getenv("PKTKIT_CORPUS") }

// TestL2ReadPathAllocs checks that indexing and extracting the fields of
// these tables allocates nothing.
func TestL2ReadPathAllocs(t *testing.T) {
	frames := []frame{
		{sll1(0, 1, 6, "001122334455", 0x0800, testIP4), 113},
		{sll2(0x0800, 3, 778, 4, 4, "c0a80001", testIP4), 276},
		{hexFrame("02000000" + testIP4), 0},
		{hexFrame("00000002" + testIP4), 108},
		{hexFrame(testIP4), 101},
		{craftedVLAN()[7], 1},
		{craftedARP()[0], 1},
		{craftedLLC()[1], 1},
		{craftedMPLS()[2], 1},
		{craftedGRE(t)[5], 1},
		{craftedVXLAN(t)[0], 1},
	}
	refs := fieldRefs(t, append(append(append(append(append(append(append([]string{}, sllFields...), nullFields...),
		vlanFields...), arpFields...), llcFields...), mplsFields...), append(greFields, vxlanFields...)...)...)
	checkNoAllocs(t, frames, refs)
}

// checkNoAllocs requires that indexing each frame and extracting every
// field of refs allocates nothing.
func checkNoAllocs(t *testing.T, frames []frame, refs []*packet.FieldRef) {
	t.Helper()
	p := &packet.Packet{}
	buf := make([]byte, 0, 4096)
	for _, fr := range frames {
		allocs := testing.AllocsPerRun(20, func() {
			p.Reset(fr.data, fr.link)
			for _, r := range refs {
				buf = p.AppendField(buf[:0], r, ',')
			}
		})
		if allocs != 0 {
			t.Errorf("link %d %x: %v allocations", fr.link, fr.data[:8], allocs)
		}
	}
}
