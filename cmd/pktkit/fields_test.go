package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pktkit/capture"
	"pktkit/internal/oracle"
	"pktkit/layers"
	"pktkit/packet"
)

// requireTshark skips a test when tshark is missing, or fails it when
// PKTKIT_REQUIRE_ORACLES=1.
func requireTshark(t testing.TB) { oracle.Require(t, "tshark") }

// tsharkFields runs tshark -T fields with the conformance tests' dissector
// options and extra arguments (-e and -E), and returns its output.
func tsharkFields(t *testing.T, path string, args ...string) string {
	t.Helper()
	a := append([]string{"-n", "-r", path, "-o", "tcp.desegment_tcp_streams:FALSE", "-o", "ip.defragment:FALSE",
		"-o", "ipv6.defragment:FALSE", "-T", "fields"}, args...)
	cmd := exec.Command("tshark", a...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %v: %v", a, err)
	}
	return string(out)
}

// withCorpus returns files followed by those corpus captures (paths
// relative to PKTKIT_CORPUS) that exist; without PKTKIT_CORPUS, files.
func withCorpus(files []string, rel ...string) []string {
	dir := os.Getenv("PKTKIT_CORPUS")
	if dir == "" {
		return files
	}
	for _, f := range rel {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			files = append(files, filepath.Join(dir, f))
		}
	}
	return files
}

// fieldsCaptures are the sample captures and, with PKTKIT_CORPUS set, a few
// corpus captures with repeated fields (DNS answers, ICMP errors, tunnels)
// and more than one batch of packets.
func fieldsCaptures(t *testing.T) []string {
	return withCorpus([]string{sample, "../../testdata/sample.pcapng"},
		"arkime/tests/pcap/dns-wiresharkrepo.pcap",
		"ndpi/tests/cfgs/default/pcap/googledns_android10.pcap",
		"arkime/tests/pcap/gre-erspan-vxlan.pcap",
		"suricata-verify/tests/bug-2769/issue_no_icmp.pcap",
		"zeek/testing/btest/Traces/ftp/cwd-navigation.pcap")
}

// Fields on which pktkit matches tshark, repeated ones among them.
var oracleFields = []string{"frame.number", "frame.time_epoch", "frame.time_relative", "frame.time_delta",
	"frame.len", "eth.src", "ip.src", "ip.dst", "ip.ttl", "ip.flags", "ipv6.src", "udp.srcport",
	"tcp.dstport", "tcp.flags", "tcp.flags.syn", "dns.qry.name", "dns.a", "dns.resp.ttl", "tcp.stream", "udp.stream"}

// TestFieldsEOptionsMatchTshark: for every combination of tshark's -E
// options, the output is tshark's byte for byte.
func TestFieldsEOptionsMatchTshark(t *testing.T) {
	requireTshark(t)
	var e []string
	for _, f := range oracleFields {
		e = append(e, "-e", f)
	}
	combos := [][]string{
		{},
		{"-E", "header=y"},
		{"-E", "separator=,", "-E", "quote=d", "-E", "header=y"},
		{"-E", "separator=/s", "-E", "quote=s"},
		{"-E", "occurrence=f"},
		{"-E", "occurrence=l", "-E", "aggregator=/s"},
		{"-E", "occurrence=a", "-E", "aggregator=;", "-E", "separator=|"},
		{"-E", "bom=y", "-E", "header=y"},
	}
	for _, f := range fieldsCaptures(t) {
		for ci, opts := range combos {
			if ci > 1 && strings.Contains(f, "cwd-navigation") {
				break // the large capture (many batches for -j 2) with the first two only
			}
			args := append(append([]string{}, e...), opts...)
			want := tsharkFields(t, f, args...)
			for _, j := range []string{"1", "2"} {
				code, got, errOut := runCLI(t, append([]string{"fields", f, "-j", j}, args...)...)
				if code != 0 {
					t.Fatalf("%s %v: exit %d: %s", f, opts, code, errOut)
				}
				if got != want {
					t.Errorf("%s %v -j %s: differs from tshark:\n%s", filepath.Base(f), opts, j, firstDiff(want, got))
				}
			}
		}
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + "\ntshark: " + a + "\npktkit: " + b
		}
	}
	return ""
}

// tsharkOccurrences returns tshark's -E occurrence=a values per packet and
// field, split on the aggregator (a character no value of these fields
// holds).
func tsharkOccurrences(t *testing.T, f string, fields []string) [][][]string {
	var args []string
	for _, x := range fields {
		args = append(args, "-e", x)
	}
	args = append(args, "-E", "occurrence=a", "-E", "aggregator=|")
	var rows [][][]string
	for _, line := range strings.Split(strings.TrimSuffix(tsharkFields(t, f, args...), "\n"), "\n") {
		var row [][]string
		for _, cell := range strings.Split(line, "\t") {
			if cell == "" {
				row = append(row, nil)
			} else {
				row = append(row, strings.Split(cell, "|"))
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// TestFieldsOccurrenceIndex: -E occurrence=N picks the N-th of tshark's
// occurrences (tshark 4.0 itself has only f, l and a).
func TestFieldsOccurrenceIndex(t *testing.T) {
	requireTshark(t)
	fields := []string{"ip.src", "dns.a", "dns.qry.name", "ip.ttl"}
	for _, f := range fieldsCaptures(t) {
		all := tsharkOccurrences(t, f, fields)
		for _, n := range []int{1, 2, 3} {
			args := []string{"fields", f, "-E", "occurrence=" + strconv.Itoa(n)}
			for _, x := range fields {
				args = append(args, "-e", x)
			}
			_, out, _ := runCLI(t, args...)
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != len(all) {
				t.Fatalf("%s: %d rows, tshark %d", f, len(lines), len(all))
			}
			for i, line := range lines {
				cells := strings.Split(line, "\t")
				for j := range fields {
					want := ""
					if n <= len(all[i][j]) {
						want = all[i][j][n-1]
					}
					if cells[j] != want {
						t.Errorf("%s packet %d %s occurrence %d: %q, tshark's occurrences %q", filepath.Base(f), i+1, fields[j], n, cells[j], all[i][j])
					}
				}
			}
		}
	}
}

// TestFieldsCSVIsRFC4180: --format csv parses with an RFC 4180 reader
// into tshark's values, also for a value holding a quote and commas.
func TestFieldsCSVIsRFC4180(t *testing.T) {
	requireTshark(t)
	files := fieldsCaptures(t)
	q := filepath.Join(t.TempDir(), "quote.pcap")
	writeDNSQuoteCapture(t, q)
	files = append(files, q)
	fields := []string{"frame.number", "ip.src", "dns.qry.name", "dns.a"}
	for _, f := range files {
		all := tsharkOccurrences(t, f, fields)
		args := []string{"fields", f, "--format", "csv", "--header"}
		for _, x := range fields {
			args = append(args, "-e", x)
		}
		_, out, _ := runCLI(t, args...)
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("%s: not CSV: %v", f, err)
		}
		if strings.Join(recs[0], ",") != strings.Join(fields, ",") || len(recs)-1 != len(all) {
			t.Fatalf("%s: header %q, %d rows, tshark %d", f, recs[0], len(recs)-1, len(all))
		}
		for i, rec := range recs[1:] {
			for j := range fields {
				if want := strings.Join(all[i][j], ","); rec[j] != want {
					t.Errorf("%s packet %d %s: %q, tshark %q", filepath.Base(f), i+1, fields[j], rec[j], want)
				}
			}
		}
	}
}

// writeDNSQuoteCapture writes one DNS query for a name with a quote and a
// comma in it, built with pktkit's builder.
func writeDNSQuoteCapture(t *testing.T, path string) {
	t.Helper()
	qd := packet.NewSpec(layers.DNSQR)
	name, err := layers.DNSQR.Field("qname").Codec.Parse(`a"b,c.example.`)
	if err != nil {
		t.Fatal(err)
	}
	qd.Set("qname", packet.Value{B: name})
	dns := packet.NewSpec(layers.DNS)
	dns.Set("qd", packet.Value{List: []*packet.Spec{qd}})
	b, err := packet.Stack{packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP), dns}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w, err := capture.NewPcapWriter(&out, capture.LinkType(1), 65535, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteRecord(&capture.Record{Data: b, CapLen: len(b), OrigLen: len(b), LinkType: 1, Timestamp: 1e18}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFieldsJSONTypes: ndjson and json values are tshark's values, typed:
// integers as numbers (hex ones converted), flag bits as booleans, times as
// numbers, text as strings; arrays of every occurrence by default, scalars
// with an occurrence selected; absent fields absent.
func TestFieldsJSONTypes(t *testing.T) {
	requireTshark(t)
	fields := []string{"frame.number", "frame.time_relative", "ip.src", "ip.ttl", "ip.flags", "tcp.flags.syn", "dns.qry.name", "dns.a"}
	for _, f := range fieldsCaptures(t) {
		all := tsharkOccurrences(t, f, fields)
		for _, occ := range []string{"a", "f", "l"} {
			for _, format := range []string{"ndjson", "json"} {
				args := []string{"fields", f, "--format", format, "-E", "occurrence=" + occ}
				for _, x := range fields {
					args = append(args, "-e", x)
				}
				_, out, _ := runCLI(t, args...)
				var objs []map[string]any
				if format == "json" {
					if err := json.Unmarshal([]byte(out), &objs); err != nil {
						t.Fatalf("%s: json: %v", f, err)
					}
				} else {
					for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
						var o map[string]any
						d := json.NewDecoder(strings.NewReader(line))
						d.UseNumber()
						if err := d.Decode(&o); err != nil {
							t.Fatalf("%s: ndjson line %q: %v", f, line, err)
						}
						objs = append(objs, o)
					}
				}
				if len(objs) != len(all) {
					t.Fatalf("%s %s: %d objects, tshark %d rows", f, format, len(objs), len(all))
				}
				for i, o := range objs {
					for j, name := range fields {
						occs := all[i][j]
						v, ok := o[name]
						if len(occs) == 0 {
							if ok {
								t.Errorf("%s packet %d: %s present (%v), tshark has none", filepath.Base(f), i+1, name, v)
							}
							continue
						}
						if !ok {
							t.Errorf("%s packet %d: %s absent, tshark %q", filepath.Base(f), i+1, name, occs)
							continue
						}
						var got []any
						if occ == "a" && !strings.HasPrefix(name, "frame.") {
							arr, isArr := v.([]any)
							if !isArr {
								t.Errorf("%s packet %d: %s is %T, want an array", filepath.Base(f), i+1, name, v)
								continue
							}
							got = arr
						} else {
							got = []any{v}
							switch occ {
							case "f":
								occs = occs[:1]
							case "l":
								occs = occs[len(occs)-1:]
							}
						}
						if len(got) != len(occs) {
							t.Errorf("%s packet %d %s: %v, tshark %q", filepath.Base(f), i+1, name, got, occs)
							continue
						}
						for k, g := range got {
							if msg := jsonMatches(name, g, occs[k]); msg != "" {
								t.Errorf("%s packet %d %s: %s", filepath.Base(f), i+1, name, msg)
							}
						}
					}
				}
			}
		}
	}
}

// jsonMatches checks one JSON value against tshark's text for it.
func jsonMatches(name string, g any, want string) string {
	switch name {
	case "frame.number", "ip.ttl", "ip.flags":
		u, err := strconv.ParseUint(strings.TrimPrefix(want, "0x"), map[bool]int{true: 16, false: 10}[strings.HasPrefix(want, "0x")], 64)
		if err != nil {
			return "tshark value " + want + " is not an integer"
		}
		var s string
		switch x := g.(type) {
		case json.Number:
			s = x.String()
		case float64:
			s = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			return "not a number: " + strconv.Quote(want)
		}
		if s != strconv.FormatUint(u, 10) {
			return "number " + s + ", tshark " + want
		}
	case "frame.time_relative":
		var s string
		switch x := g.(type) {
		case json.Number:
			s = x.String()
		case float64:
			w, _ := strconv.ParseFloat(want, 64)
			if x != w {
				return "time " + strconv.FormatFloat(x, 'f', -1, 64) + ", tshark " + want
			}
			return ""
		default:
			return "time not a number"
		}
		if s != want {
			return "time " + s + ", tshark " + want
		}
	case "tcp.flags.syn":
		b, ok := g.(bool)
		if !ok || (b != (want == "1")) {
			return "flag bit not the boolean of " + want
		}
	default:
		s, ok := g.(string)
		if !ok || s != want {
			return "string mismatch, tshark " + strconv.Quote(want)
		}
	}
	return ""
}
