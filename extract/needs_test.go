package extract_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pktkit/capture"
	"pktkit/extract"
	"pktkit/packet"
	"pktkit/walk"
)

// TestRowsMatchFullIndex checks that rows built on an index cut short for
// the columns' needs (it stops in front of protocols no column wants, such
// as DNS or trailing data) equal rows built field by field on the complete
// index, for several field sets (the first and last all direct: see
// packet.FieldRef.Direct), on the sample captures and, with
// PKTKIT_CORPUS set, on every corpus pcap under arkime/ and tcpdump/.
func TestRowsMatchFullIndex(t *testing.T) {
	files := []string{"../testdata/sample.pcap", "../testdata/sample.pcapng"}
	if dir := os.Getenv("PKTKIT_CORPUS"); dir != "" {
		for _, pat := range []string{"arkime/tests/pcap/*.pcap", "tcpdump/tests/*.pcap"} {
			m, _ := filepath.Glob(filepath.Join(dir, pat))
			files = append(files, m...)
		}
	}
	sets := [][]string{
		{"frame.number", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport"},
		{"eth.src", "ipv6.src", "icmp.type", "udp.length"},
		{"dns.qry.name", "dns.a", "ip.ttl"},
		{"tcp.options.mss_val", "ntp.stratum", "data.data"},
		{"Padding.load", "arp.opcode"},
		// all direct (AppendRow's own path), repeated in ICMP errors and tunnels
		{"ip.dst", "ip.ttl", "udp.length", "icmp.type", "tcp.seq_raw", "frame.number"},
	}
	cut := 0
	for _, names := range sets {
		cols, err := extract.Compile(names)
		if err != nil {
			t.Fatal(err)
		}
		var refs []*packet.FieldRef
		for _, n := range names {
			r, err := packet.LookupField(n)
			if err != nil {
				t.Fatal(err)
			}
			refs = append(refs, r)
		}
		needs := packet.NeedsFor(refs)
		for _, f := range files {
			full := &packet.Packet{}
			err := walk.File(f, walk.Options{}, func(p *packet.Packet, rec *capture.Record) error {
				got := string(cols.AppendRow(nil, p))
				if len(p.LayersFor(needs)) != len(p.Layers()) {
					cut++
				}
				full.SetFrame(rec.Data, uint32(rec.LinkType), rec.Number, rec.Timestamp, rec.OrigLen)
				full.Layers()
				var want []byte
				for i, r := range refs {
					if i > 0 {
						want = append(want, '\t')
					}
					want = full.AppendField(want, r, ',')
				}
				if w := string(want) + "\n"; got != w {
					t.Errorf("%s packet %d, fields %s:\n got %q\nwant %q", filepath.Base(f), rec.Number,
						strings.Join(names, ","), got, w)
				}
				return nil
			})
			var ce *capture.Error
			if err != nil && !errors.As(err, &ce) {
				t.Fatalf("%s: %v", f, err)
			}
		}
	}
	if cut == 0 {
		t.Error("no index was ever cut short: the test checks nothing")
	}
}

// TestLayersForOtherNeeds checks that an index cut short for one reader is
// completed for a reader that needs more.
func TestLayersForOtherNeeds(t *testing.T) {
	// Ethernet/IPv4/UDP/DNS: a response for example.com.
	dns := []byte{0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 8, 0,
		0x45, 0, 0, 0x49, 0, 1, 0, 0, 0x40, 0x11, 0, 0, 8, 8, 8, 8, 10, 0, 0, 1,
		0, 0x35, 0x9c, 0x40, 0, 0x35, 0, 0,
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
		0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4, 93, 184, 216, 34}
	need := func(names ...string) *packet.Needs {
		var refs []*packet.FieldRef
		for _, n := range names {
			r, err := packet.LookupField(n)
			if err != nil {
				t.Fatal(err)
			}
			refs = append(refs, r)
		}
		return packet.NeedsFor(refs)
	}
	p := packet.New(dns, 1)
	if n := len(p.LayersFor(need("ip.src"))); n != 3 {
		t.Fatalf("index for ip.src has %d layers, want 3 (Ether, IP, UDP)", n)
	}
	if n := len(p.LayersFor(need("udp.srcport"))); n != 3 {
		t.Errorf("index for udp.srcport has %d layers, want the same 3", n)
	}
	if n := len(p.LayersFor(need("dns.qry.name"))); n != 4 {
		t.Errorf("index for dns.qry.name has %d layers, want 4", n)
	}
	// The packet remembers its readers' needs: on the next packet the
	// first reader's index already serves the second.
	p.Reset(dns, 1)
	if n := len(p.LayersFor(need("ip.src"))); n != 4 {
		t.Errorf("next packet, index for ip.src after a reader of DNS: %d layers, want 4", n)
	}
	p = packet.New(dns, 1)
	p.LayersFor(need("ip.src"))
	if n := len(p.Layers()); n != 4 {
		t.Errorf("Layers after a cut index: %d layers, want 4", n)
	}
}
