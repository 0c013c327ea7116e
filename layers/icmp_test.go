package layers_test

import (
	"bufio"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

// icmpExpected reads a capture's precomputed tshark output
// (_expected/tshark-fields/<path>.tsv in the corpus): column indexes by
// field name and one row per packet; nil if there is none.
func icmpExpected(t testing.TB, rel string) (map[string]int, [][]string) {
	t.Helper()
	b, err := os.ReadFile(corpusPath(t, filepath.Join("_expected", "tshark-fields", rel+".tsv")))
	if err != nil {
		return nil, nil
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	cols := map[string]int{}
	for i, h := range strings.Split(lines[0], "\t") {
		cols[h] = i
	}
	var rows [][]string
	for _, l := range lines[1:] {
		rows = append(rows, strings.Split(l, "\t"))
	}
	return cols, rows
}

// icmpCorpusCaptures lists the corpus's classic pcap captures of a link type.
func icmpCorpusCaptures(t testing.TB, link string) []string {
	t.Helper()
	f, err := os.Open(corpusPath(t, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) > 4 && (c[3] == "pcap-le" || c[3] == "pcap-be") && c[4] == link {
			out = append(out, c[0])
		}
	}
	return out
}

// cmpCrafted compares our fields with tshark's on a capture at any path
// (crafted test data); known lists "packet:field" cells where a difference
// is expected (explained where it is used). It returns the number of cells
// compared.
func cmpCrafted(t *testing.T, path string, known map[string]bool, fields ...string) int {
	t.Helper()
	frames := readPcap(t, path)
	want := tsharkFields(t, path, fields...)
	got := ourFields(t, frames, fields...)
	if len(want) != len(got) {
		t.Fatalf("%s: tshark has %d rows, we have %d", path, len(want), len(got))
	}
	n := 0
	for i := range want {
		for j, f := range fields {
			w := ""
			if j < len(want[i]) {
				w = want[i][j]
			}
			k := strings.Join([]string{numStr(i + 1), f}, ":")
			if known[k] {
				if w == got[i][j] {
					t.Errorf("%s packet %d %s: expected difference is gone (%q); update the test", path, i+1, f, w)
				}
				continue
			}
			n++
			if w != got[i][j] {
				t.Errorf("%s packet %d %s: tshark %q, pktkit %q", filepath.Base(path), i+1, f, w, got[i][j])
			}
		}
	}
	return n
}

func numStr(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return numStr(i/10) + string(rune('0'+i%10))
}

// rebuildCap checks that every packet of a capture that dissects without
// error rebuilds exactly, and that the count of such packets is not zero.
func rebuildCap(t *testing.T, path string) {
	t.Helper()
	frames := readPcap(t, path)
	checkRebuild(t, frames)
	ok := 0
	for _, fr := range frames {
		if packet.New(fr.data, fr.link).Err() == nil {
			ok++
		}
	}
	if ok == 0 {
		t.Errorf("%s: no packet dissects without error", path)
	}
}

// TestICMPCorpus compares ICMP and the quoted headers of ICMP errors with
// tshark on every Ethernet pcap capture of the corpus that holds ICMP
// (tshark's values precomputed in the corpus). Every packet we dissect as
// ICMP must agree on every field; packets whose ICMP lies in a tunnel no
// table decodes yet are counted, not failed.
func TestICMPCorpus(t *testing.T) {
	fields := []string{"icmp.type", "icmp.code", "icmp.checksum", "ip.src", "ip.dst", "udp.srcport", "tcp.srcport"}
	// An unfinished source route makes its last address Wireshark's ip.dst
	// and the header's destination ip.cur_rt; the IP table does not do that
	// yet (see layers.IPOptionRouteDst).
	known := map[string]bool{
		"pcapplusplus/Tests/Packet++Test/PacketExamples/ipv4-options.pcap:6:ip.dst": true,
		"pcapplusplus/Tests/Packet++Test/PacketExamples/ipv4-options.pcap:7:ip.dst": true,
	}
	var files, pkts, agree, unreached int
	for _, rel := range icmpCorpusCaptures(t, "1") {
		cols, rows := icmpExpected(t, rel)
		if cols == nil {
			continue
		}
		has := false
		for _, r := range rows {
			if c := cols["icmp.type"]; c < len(r) && r[c] != "" {
				has = true
				break
			}
		}
		if !has {
			continue
		}
		files++
		frames := readPcap(t, corpusPath(t, rel))
		got := ourFields(t, frames, fields...)
		if len(got) != len(rows) {
			t.Errorf("%s: tshark has %d rows, we have %d", rel, len(rows), len(got))
			continue
		}
		p := &packet.Packet{}
		for i, r := range rows {
			want := func(f string) string {
				if c, ok := cols[f]; ok && c < len(r) {
					return r[c]
				}
				return ""
			}
			p.Reset(frames[i].data, frames[i].link)
			ours := false
			for _, l := range p.Layers() {
				ours = ours || l.Proto.Abbrev == "icmp"
			}
			theirs := want("icmp.type") != ""
			switch {
			case theirs && !ours:
				unreached++
				continue
			case ours && !theirs:
				t.Errorf("%s packet %d: we see ICMP, tshark does not", rel, i+1)
				continue
			case !theirs:
				continue
			}
			pkts++
			ok := true
			for j, f := range fields {
				if w := want(f); w != got[i][j] && !known[rel+":"+numStr(i+1)+":"+f] {
					ok = false
					t.Errorf("%s packet %d %s: tshark %q, pktkit %q", rel, i+1, f, w, got[i][j])
				}
			}
			if ok {
				agree++
			}
		}
	}
	t.Logf("ICMP corpus: %d captures, %d ICMP packets compared, %d agree on all of %v; %d in tunnels not decoded yet",
		files, pkts, agree, fields, unreached)
	if files > 0 && pkts == 0 {
		t.Error("no ICMP packet compared")
	}
}

// icmpFields are every ICMP field we declare, plus the quoted headers'.
var icmpFields = []string{"icmp.type", "icmp.code", "icmp.checksum", "icmp.ident", "icmp.ident_le", "icmp.seq",
	"icmp.seq_le", "icmp.ext.echo.seq", "icmp.mtu", "icmp.redir_gw", "icmp.pointer", "icmp.unused", "icmp.length",
	"icmp.length.original_datagram", "icmp.originate_timestamp", "icmp.receive_timestamp",
	"icmp.transmit_timestamp", "icmp.address_mask", "icmp.num_addrs", "icmp.addr_entry_size", "icmp.lifetime",
	"icmp.router_address", "icmp.pref_level", "ip.src", "ip.dst", "ip.len", "ip.checksum", "udp.srcport",
	"udp.length", "tcp.srcport", "tcp.dstport"}

// TestICMPCrafted compares every ICMP field with tshark on crafted messages
// of every type (testdata/crafted/*.py made them with Scapy 2.5).
func TestICMPCrafted(t *testing.T) {
	n := cmpCrafted(t, "testdata/crafted-icmp.pcap", nil, icmpFields...)
	n += cmpCrafted(t, "testdata/crafted-icmp2.pcap", nil, icmpFields...)
	// With an RFC 4884 length, Wireshark shows a second icmp.unused after
	// it for types 3 and 11; we show the first only.
	n += cmpCrafted(t, "testdata/crafted-icmp3.pcap", map[string]bool{"1:icmp.unused": true, "2:icmp.unused": true,
		"4:icmp.unused": true}, icmpFields...)
	// Packet 23 quotes an IPv6 header, which Wireshark hands from its IP
	// dissector to IPv6; we leave it raw.
	n += cmpCrafted(t, "testdata/crafted-icmp4.pcap", map[string]bool{"23:data.data": true},
		append(icmpFields, "data.data")...)
	t.Logf("%d cells agree", n)
}

func TestICMPRebuild(t *testing.T) {
	for _, f := range []string{"testdata/crafted-icmp.pcap", "testdata/crafted-icmp2.pcap", "testdata/crafted-icmp3.pcap",
		"testdata/crafted-icmp4.pcap"} {
		rebuildCap(t, f)
	}
	for _, rel := range []string{"zeek/testing/btest/Traces/icmp/5-pings.pcap", "ndpi/tests/cfgs/default/pcap/nintendo.pcap",
		"tcpdump/tests/afs.pcap", "ndpi/tests/cfgs/default/pcap/whatsapp_login_call.pcap",
		"zeek/testing/btest/Traces/icmp/icmp-destunreach-udp.pcap", "arkime/tests/pcap/arkime_synthetic.pcap"} {
		rebuildCap(t, corpusPath(t, rel))
	}
}

func hexPkt(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A port unreachable quoting a UDP datagram: the quote is dissected as IP
// and UDP, fields occur twice, and the quoted headers do not make the
// packet malformed.
func TestICMPQuotedHex(t *testing.T) {
	b := hexPkt(t, "66778899aabb001122334455 0800 4500003800010000400166c20a0000010a000002"+
		"03031748 00000000 4500003c000100004011609f0a00000208080808 14e900350028d06e")
	p := packet.New(b, 1)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Summary(), "Ether / IP / ICMP 10.0.0.1 > 10.0.0.2 dest-unreach port-unreachable / IP / UDP"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	show := p.ShowString()
	for _, s := range []string{"###[ ICMP ]###", "type      = dest-unreach (3)", "code      = port-unreachable (3)",
		"chksum    = 0x1748", "nexthopmtu= 0", "dst       = 8.8.8.8", "sport     = 5353"} {
		if !strings.Contains(show, s) {
			t.Errorf("show lacks %q:\n%s", s, show)
		}
	}
	for f, want := range map[string]string{"ip.src": "10.0.0.1,10.0.0.2", "udp.srcport": "5353", "icmp.unused": "00000000",
		"ip.proto": "1,17"} {
		r, err := packet.LookupField(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(p.AppendField(nil, r, ',')); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
	checkRebuild(t, []frame{{b, 1}})

	// A quoted TCP header of 8 bytes is cut short, as expected: the
	// packet is not malformed, and it still rebuilds.
	b = hexPkt(t, "66778899aabb001122334455 0800 4500003800010000400166c20a0000010a000002"+
		"0303e2f0 00000000 4500003c000100004006609f0a00000208080808 115c005000000063")
	p = packet.New(b, 1)
	if err := p.Err(); err != nil {
		t.Fatalf("quoted TCP: %v", err)
	}
	ls := p.Layers()
	if last := ls[len(ls)-1]; last.Proto != layers.TCP || !last.Truncated() || !last.Quoted() {
		t.Errorf("last layer %s truncated=%v quoted=%v", last.Proto, last.Truncated(), last.Quoted())
	}
	for _, f := range []string{"tcp.srcport", "tcp.flags", "tcp.len", "icmp.unused"} {
		r, _ := packet.LookupField(f)
		p.AppendField(nil, r, ',') // must not panic on the short header
	}
	if got := p.Summary(); got != "Ether / IP / ICMP 10.0.0.1 > 10.0.0.2 dest-unreach port-unreachable / IP / TCP" {
		t.Errorf("summary %q", got)
	}
	checkRebuild(t, []frame{{b, 1}})
}

// An echo request: identifier and sequence, little-endian readings, data.
func TestICMPEchoHex(t *testing.T) {
	b := hexPkt(t, "66778899aabb001122334455 0800 4500002400010000400166d60a0000010a000002"+
		"0800542f12340007 6162636465666768")
	p := packet.New(b, 1)
	if got, want := p.Summary(), "Ether / IP / ICMP 10.0.0.1 > 10.0.0.2 echo-request 0 / Raw"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	for f, want := range map[string]string{"icmp.ident": "4660", "icmp.ident_le": "13330", "icmp.seq": "7",
		"icmp.seq_le": "1792", "icmp.checksum": "0x542f", "data.data": "6162636465666768", "icmp.id": "4660"} {
		r, err := packet.LookupField(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(p.AppendField(nil, r, ',')); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
	if s := p.ShowString(); !strings.Contains(s, "id        = 0x1234") || !strings.Contains(s, "seq       = 0x7") {
		t.Errorf("show:\n%s", s)
	}
}

// build stacks specs and dissects the result.
func buildPkt(t *testing.T, specs ...*packet.Spec) *packet.Packet {
	t.Helper()
	b, err := packet.Stack(specs).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	p := packet.New(b, 1)
	if err := p.Err(); err != nil {
		t.Fatalf("built packet: %v\n%x", err, b)
	}
	return p
}

func setF(t *testing.T, s *packet.Spec, name string, v packet.Value) *packet.Spec {
	t.Helper()
	if err := s.Set(name, v); err != nil {
		t.Fatal(err)
	}
	return s
}

// Building with defaults: IP's protocol number comes from the binding, the
// checksum and the router advertisement's count are computed, and the
// dissected checksum verifies.
func TestICMPBuild(t *testing.T) {
	p := buildPkt(t, packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), packet.NewSpec(layers.ICMP),
		setF(t, packet.NewSpec(packet.Raw), "load", packet.Value{B: []byte("hello")}))
	icmp := p.Layer(layers.ICMP)
	if icmp == nil {
		t.Fatal("no ICMP layer")
	}
	if packet.Checksum(icmp.Data) != 0 {
		t.Errorf("ICMP checksum does not verify: %x", icmp.Data)
	}
	if ip := p.Layer(layers.IP); ip.Data[9] != 1 {
		t.Errorf("IP proto %d", ip.Data[9])
	}
	if icmp.Data[0] != 8 {
		t.Errorf("default type %d, want 8 (echo-request)", icmp.Data[0])
	}

	// A time exceeded message quoting an IP/UDP header built from tables.
	p = buildPkt(t, packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), packet.NewSpec(layers.ICMPTimeExceeded),
		packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP))
	ls := p.Layers()
	if len(ls) != 5 || ls[2].Proto != layers.ICMPTimeExceeded || ls[3].Proto != layers.IP || ls[4].Proto != layers.UDP {
		t.Fatalf("layers %v", p.Summary())
	}
	if packet.Checksum(ls[2].Data) != 0 {
		t.Error("time exceeded checksum does not verify")
	}

	// A router advertisement with two entries.
	entry := func(addr []byte, pref uint64) *packet.Spec {
		s := packet.NewSpec(packet.Lookup("ICMP_RouterAddr"))
		if s.Proto == nil {
			t.Fatal("no ICMP_RouterAddr")
		}
		setF(t, s, "router_addr", packet.Value{B: addr})
		return setF(t, s, "pref", packet.Value{U: pref})
	}
	ra := setF(t, packet.NewSpec(layers.ICMPRouterAdvert), "addrs", packet.Value{List: []*packet.Spec{
		entry([]byte{10, 0, 0, 1}, 1), entry([]byte{10, 0, 0, 2}, 0xffffffff)}})
	p = buildPkt(t, packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), ra)
	r, _ := packet.LookupField("icmp.pref_level")
	if got := string(p.AppendField(nil, r, ',')); got != "1,-1" {
		t.Errorf("pref levels %q", got)
	}
	r, _ = packet.LookupField("icmp.num_addrs")
	if got := string(p.AppendField(nil, r, ',')); got != "2" {
		t.Errorf("num_addrs %q", got)
	}
	if ip := p.Layer(layers.IP); ip.Data[9] != 1 {
		t.Errorf("IP proto %d for a variant table", ip.Data[9])
	}
}

// Every ICMP table answers to icmp.type, and the protocol looks up by name.
func TestICMPLookup(t *testing.T) {
	if packet.Lookup("icmp") != layers.ICMP || packet.Lookup("ICMP") != layers.ICMP {
		t.Error("Lookup does not find the base ICMP table")
	}
	for _, f := range []string{"icmp.type", "icmp.redir_gw", "icmp.gw", "icmp.ts_ori", "ICMP.seq", "icmp.nexthopmtu"} {
		if _, err := packet.LookupField(f); err != nil {
			t.Error(err)
		}
	}
}

func icmpSeeds(f *testing.F) {
	for _, path := range []string{"testdata/crafted-icmp.pcap", "testdata/crafted-icmp4.pcap", "testdata/crafted-ipopt.pcap"} {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, fr := range readPcap(f, path) {
			if len(fr.data) > 14 {
				f.Add(fr.data[14:])
			}
		}
		_ = b
	}
}

// fuzzPkt exercises a packet the way the tools do.
func fuzzPkt(t *testing.T, data []byte, link uint32, fields []string) {
	p := packet.New(data, link)
	p.Layers()
	p.Summary()
	_ = p.ShowString()
	for _, f := range fields {
		r, err := packet.LookupField(f)
		if err != nil {
			t.Fatal(err)
		}
		p.AppendField(nil, r, ',')
	}
	if p.Err() != nil {
		return
	}
	requireRebuild(t, p, data)
}

// FuzzICMP feeds arbitrary bytes as an IPv4 packet (raw IP link type)
// carrying ICMP, IP options and quoted headers.
func FuzzICMP(f *testing.F) {
	icmpSeeds(f)
	fields := append(append([]string(nil), icmpFields...), ipOptFields...)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzPkt(t, data, 228, fields)
	})
}
