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
// index, for several field sets, on the sample captures and, with
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
		for _, f := range files {
			full := &packet.Packet{}
			err := walk.File(f, walk.Options{}, func(p *packet.Packet, rec *capture.Record) error {
				got := string(cols.AppendRow(nil, p))
				if len(p.LayersFor(nil)) != len(p.Layers()) {
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
