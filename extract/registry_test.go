package extract_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pktkit/capture"
	"pktkit/extract"
	"pktkit/packet"
	"pktkit/walk"
)

// allFieldNames lists every Wireshark name in the registry and the
// Scapy-style name (Proto.field) of every field of every protocol that is a
// layer (list elements are reached through their Wireshark names).
func allFieldNames(t *testing.T) []string {
	t.Helper()
	names := packet.FieldNames()
	if len(names) < 100 {
		t.Fatalf("only %d Wireshark field names registered", len(names))
	}
	for _, p := range packet.Protocols() {
		if p.Element || p == packet.Frame {
			continue
		}
		for _, f := range p.Fields {
			names = append(names, p.Name+"."+f.Name)
			if p.Abbrev != "" {
				names = append(names, p.Abbrev+"."+f.Name)
			}
		}
	}
	return names
}

func sampleCaptures() []string {
	files := []string{"../testdata/sample.pcap", "../testdata/sample.pcapng"}
	if dir := os.Getenv("PKTKIT_CORPUS"); dir != "" {
		for _, f := range []string{
			"arkime/tests/pcap/dns-wiresharkrepo.pcap",
			"arkime/tests/pcap/gre-erspan-vxlan.pcap",
			"tcpdump/tests/icmp6-rfc8335.pcap",
			"suricata-verify/tests/bug-2769/issue_no_icmp.pcap",
		} {
			files = append(files, filepath.Join(dir, f))
		}
	}
	return files
}

// TestEveryFieldExtracts: every field of every protocol table is reachable
// by -e under its Wireshark name and its Scapy name, and extracting all of
// them from the sample captures (every occurrence, one occurrence, quoted,
// as JSON) works: TSV rows have one cell per field and JSON rows parse.
func TestEveryFieldExtracts(t *testing.T) {
	names := allFieldNames(t)
	var ok []string
	for _, n := range names {
		if _, err := packet.LookupField(n); err != nil {
			t.Errorf("-e %s: %v", n, err)
			continue
		}
		ok = append(ok, n)
	}
	cols, err := extract.Compile(ok)
	if err != nil {
		t.Fatal(err)
	}
	variants := []func(c *extract.Columns){
		func(c *extract.Columns) {},
		func(c *extract.Columns) { c.Occurrence = 1 },
		func(c *extract.Columns) { c.Occurrence = extract.Last; c.Quote = '"'; c.Escape = true; c.Sep = ',' },
		func(c *extract.Columns) { c.Occurrence = 2 },
	}
	values := 0
	for _, f := range sampleCaptures() {
		if _, err := os.Stat(f); err != nil {
			continue
		}
		for vi, v := range variants {
			c := cols.Clone()
			v(c)
			var buf []byte
			err := walk.File(f, walk.Options{}, func(p *packet.Packet, rec *capture.Record) error {
				buf = c.AppendRow(buf[:0], p)
				if c.Quote == 0 {
					cells := strings.Split(strings.TrimSuffix(string(buf), "\n"), "\t")
					if len(cells) != len(ok) {
						t.Fatalf("%s packet %d: %d cells for %d fields", f, p.Number, len(cells), len(ok))
					}
					for _, x := range cells {
						if x != "" {
							values++
						}
					}
				}
				if vi == 1 {
					// Uint reads what the text says, for every integer column.
					for i := range ok {
						if k := c.Kind(i); k != extract.KindUint && k != extract.KindBool {
							continue
						}
						var occ []int
						var txt []byte
						txt, occ = c.Occur(txt, occ, p, i)
						u, has := c.Uint(p, i)
						if has != (len(occ) > 0) {
							t.Fatalf("%s packet %d %s: Uint found %v, text has %d occurrences", f, p.Number, ok[i], has, len(occ))
						}
						if has {
							w, good := extract.ParseUint(txt[:occ[0]])
							if !good || w != u {
								t.Fatalf("%s packet %d %s: Uint %d, text %q", f, p.Number, ok[i], u, txt[:occ[0]])
							}
						}
					}
				}
				buf = c.AppendJSON(buf[:0], p)
				var m map[string]any
				if err := json.Unmarshal(buf, &m); err != nil {
					t.Fatalf("%s packet %d variant %d: bad JSON %v:\n%s", f, p.Number, vi, err, buf)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if values == 0 {
		t.Error("no field had a value in any sample packet")
	}
}
