package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"slices"
	"testing"
)

var orders = []struct {
	name string
	bo   byteOrder
}{{"le", le}, {"be", be}}

func TestPcapngBasic(t *testing.T) {
	for _, o := range orders {
		t.Run(o.name, func(t *testing.T) {
			g := &ng{bo: o.bo}
			g.shb(sopt(optComment, "first comment"), sopt(shbHardware, "x86_64"),
				sopt(shbOS, "Linux"), sopt(shbUserAppl, "test"), sopt(optComment, "second comment"))
			g.idb(LinkTypeEthernet, 65535, sopt(ifName, "eth0"), sopt(ifDescription, "wired"),
				opt{ifFilter, append([]byte{0}, "tcp port 80"...)}, sopt(ifOS, "Linux 6"),
				opt{ifFCSLen, []byte{32}}, opt{ifTSResol, []byte{9}}, sopt(ifHardware, "nic"))
			g.idb(LinkTypeIEEE80211Radio, 0)
			g.epb(0, 1700000000123456789, 3, 100, []byte{1, 2, 3},
				sopt(optComment, "hello"), opt{epbFlags, g.u32(0x1 | 3<<2 | 4<<5)},
				opt{epbHash, []byte{2, 0xde, 0xad, 0xbe, 0xef}}, opt{epbDropCount, g.u64(7)},
				sopt(optComment, "world"))
			g.epb(1, 1700000000123456, 0, 0, nil)
			recs, r := mustRead(t, g.b)
			if r.Format() != FormatPcapng || r.ByteOrder() != o.bo {
				t.Errorf("format %v order %v", r.Format(), r.ByteOrder())
			}
			if len(recs) != 2 {
				t.Fatalf("%d records", len(recs))
			}
			p := recs[0]
			if p.Timestamp != 1700000000123456789 || p.CapLen != 3 || p.OrigLen != 100 ||
				!bytes.Equal(p.Data, []byte{1, 2, 3}) || p.Interface != 0 ||
				p.LinkType != LinkTypeEthernet || !p.HasFlags || p.Number != 1 {
				t.Errorf("record 1 %+v", p)
			}
			if p.Direction() != DirectionInbound || p.ReceptionType() != ReceptionBroadcast {
				t.Errorf("flags %#x: %v %v", p.Flags, p.Direction(), p.ReceptionType())
			}
			if n, ok := p.FCSLen(); !ok || n != 4 {
				t.Errorf("fcs %d %v", n, ok)
			}
			if c := p.Comments(); !slices.Equal(c, []string{"hello", "world"}) {
				t.Errorf("comments %q", c)
			}
			if n, ok := p.DropCount(); !ok || n != 7 {
				t.Errorf("drop count %d %v", n, ok)
			}
			if alg, h, ok := p.Hash(); !ok || alg != 2 || !bytes.Equal(h, []byte{0xde, 0xad, 0xbe, 0xef}) {
				t.Errorf("hash %d %x %v", alg, h, ok)
			}
			q := recs[1]
			if q.Timestamp != 1700000000123456000 || q.Interface != 1 || q.LinkType != LinkTypeIEEE80211Radio ||
				q.HasFlags || q.Comments() != nil || q.Number != 2 {
				t.Errorf("record 2 %+v", q)
			}
			if _, ok := q.DropCount(); ok {
				t.Error("drop count on a block without one")
			}
			ifs := r.Interfaces()
			want := Interface{LinkType: LinkTypeEthernet, SnapLen: 65535, Name: "eth0", Description: "wired",
				Filter: "tcp port 80", OS: "Linux 6", Hardware: "nic", TSResol: 9, FCSLen: 4}
			if len(ifs) != 2 || !equalInterface(ifs[0], want) {
				t.Errorf("interface 0 %+v", ifs[0])
			}
			if ifs[1].TSResol != 6 || ifs[1].FCSLen != -1 || ifs[1].SnapLen != 0 {
				t.Errorf("interface 1 %+v", ifs[1])
			}
			if r.LinkType() != LinkTypeEthernet || r.SnapLen() != 65535 {
				t.Errorf("link %v snap %d", r.LinkType(), r.SnapLen())
			}
			secs := r.Sections()
			if len(secs) != 1 || secs[0].Hardware != "x86_64" || secs[0].OS != "Linux" ||
				secs[0].UserAppl != "test" || secs[0].Length != -1 || secs[0].ByteOrder != o.bo {
				t.Errorf("sections %+v", secs)
			}
			if c := r.SectionComments(); !slices.Equal(c, []string{"first comment", "second comment"}) {
				t.Errorf("section comments %q", c)
			}
		})
	}
}

func equalInterface(a, b Interface) bool {
	return a.LinkType == b.LinkType && a.SnapLen == b.SnapLen && a.Name == b.Name &&
		a.Description == b.Description && a.Filter == b.Filter && a.OS == b.OS &&
		a.Hardware == b.Hardware && a.TSResol == b.TSResol && a.TSOffset == b.TSOffset &&
		a.FCSLen == b.FCSLen && a.Section == b.Section && slices.Equal(a.Comments, b.Comments)
}

func TestPcapngResolutions(t *testing.T) {
	for _, tc := range []struct {
		res    byte
		offset int64
		ts     uint64
		want   int64
	}{
		{6, 0, 1500000000_000001, 1500000000_000001000},
		{9, 0, 1500000000_000000001, 1500000000_000000001},
		{3, 0, 1500000000_123, 1500000000_123000000},
		{0, 0, 1500000000, 1500000000_000000000},
		{12, 0, 1_500000000_999, 1_500000000},
		{0x80 | 10, 0, 1500000000<<10 | 512, 1500000000_500000000},   // 2^-10: 512/1024 s
		{0x80 | 32, 0, 1500000000<<32 | 1<<31, 1500000000_500000000}, // 2^-32
		{0x80 | 20, 0, 1<<20 | 1, 1_000000953},                       // 1/2^20 s = 953.67 ns
		{0x80, 0, 1500000000, 1500000000_000000000},                  // 2^0
		{6, 1000, 500_000001, 1500_000001000},                        // if_tsoffset
		{6, -100, 1000_000000, 900_000000000},                        // negative offset
		{0x80 | 63, 0, 1 << 62, 500000000},                           // 2^-63
		{19, 0, 10_000000000_000000000, 1_000000000},                 // 10^-19
		{9, 1 << 20, 0, (1 << 20) * 1_000000000},                     // offset only
		{6, 0, 0xFFFFFFFF_FFFFFFFF, -1000},                           // wraps around, no panic
	} {
		for _, o := range orders {
			g := &ng{bo: o.bo}
			g.shb().idb(LinkTypeRaw, 0, opt{ifTSResol, []byte{tc.res}}, opt{ifTSOffset, g.u64(uint64(tc.offset))})
			g.epb(0, tc.ts, 1, 1, []byte{0x45})
			recs, r := mustRead(t, g.b)
			if recs[0].Timestamp != tc.want {
				t.Errorf("%s resol %#x offset %d ts %d: got %d want %d", o.name, tc.res, tc.offset, tc.ts, recs[0].Timestamp, tc.want)
			}
			if ifc := r.Interfaces()[0]; ifc.TSResol != Resolution(tc.res) || ifc.TSOffset != tc.offset {
				t.Errorf("interface %+v", ifc)
			}
		}
	}
	// Resolutions finer than any 64-bit count can express are accepted,
	// as Wireshark 4.0 does; every count is then less than a nanosecond.
	for _, tc := range []struct {
		res  byte
		want int64
	}{{20, 3e9 + 92233720}, {127, 3e9}, {0x80 | 64, 3.5e9}, {0x80 | 127, 3e9}} {
		res := tc.res
		g := &ng{bo: le}
		g.shb().idb(LinkTypeRaw, 0, opt{ifTSResol, []byte{res}}, opt{ifTSOffset, g.u64(3)})
		g.epb(0, 1<<63, 1, 1, []byte{0x45})
		recs, _ := mustRead(t, g.b)
		if recs[0].Timestamp != tc.want {
			t.Errorf("resolution %#x: %d", res, recs[0].Timestamp)
		}
	}
	if Resolution(6).UnitsPerSecond() != 1e6 || Resolution(0x8a).UnitsPerSecond() != 1024 ||
		Resolution(20).UnitsPerSecond() != 0 || Resolution(9).String() != "10^-9 s" || Resolution(0x8a).String() != "2^-10 s" {
		t.Error("Resolution methods")
	}
}

func TestPcapngSections(t *testing.T) {
	// Three sections: little-endian, big-endian, little-endian. Interfaces
	// restart in each section.
	var file []byte
	for i, bo := range []byteOrder{le, be, le} {
		g := &ng{bo: bo}
		g.shb(sopt(optComment, "section "+string(rune('A'+i))))
		g.idb(LinkType(100+i), 0)
		g.idb(LinkType(200+i), 0)
		g.epb(1, uint64(i), 1, 1, []byte{byte(i)})
		g.epb(0, uint64(i), 1, 1, []byte{byte(i)})
		file = append(file, g.b...)
	}
	recs, r := mustRead(t, file)
	if len(recs) != 6 {
		t.Fatalf("%d records", len(recs))
	}
	for i, rec := range recs {
		sec := i / 2
		want := LinkType(200 + sec)
		if i%2 == 1 {
			want = LinkType(100 + sec)
		}
		if rec.LinkType != want || rec.Data[0] != byte(sec) || rec.Interface != 1-i%2 {
			t.Errorf("record %d: %+v", i, rec)
		}
	}
	ifs := r.Interfaces()
	if len(ifs) != 6 || ifs[4].Section != 2 || ifs[4].LinkType != 102 {
		t.Errorf("interfaces %+v", ifs)
	}
	if c := r.SectionComments(); !slices.Equal(c, []string{"section A", "section B", "section C"}) {
		t.Errorf("comments %q", c)
	}
	if s := r.Sections(); len(s) != 3 || s[1].ByteOrder != binary.BigEndian || s[2].Index != 2 {
		t.Errorf("sections %+v", s)
	}
	if r.ByteOrder() != binary.LittleEndian {
		t.Error("byte order of the last section")
	}
	// A packet may not refer to an interface of an earlier section.
	g := &ng{bo: le}
	g.shb().idb(LinkTypeEthernet, 0).idb(LinkTypeEthernet, 0).shb().idb(LinkTypeEthernet, 0).epb(1, 0, 0, 0, nil)
	recs, _, err := readAllBytes(t, g.b)
	wantError(t, err, ErrMalformed)
	if len(recs) != 0 {
		t.Errorf("%d records", len(recs))
	}
}

func TestPcapngSPB(t *testing.T) {
	for _, o := range orders {
		g := &ng{bo: o.bo}
		g.shb().idb(LinkTypeEthernet, 4)
		g.spb(10, []byte{1, 2, 3, 4})      // snaplen cuts
		g.spb(3, []byte{1, 2, 3})          // origlen < snaplen
		g.spb(1000, []byte{1, 2})          // block room cuts (padded to 4)
		g.spb(0, nil)                      // empty
		g.block(blockSPB, g.u32(100))      // no data at all
		g.idb(LinkTypeRaw, 0)              // a second interface does not matter
		g.spb(6, []byte{1, 2, 3, 4, 5, 6}) // interface 0's snaplen still applies
		recs, _ := mustRead(t, g.b)
		want := []struct{ cap, orig int }{{4, 10}, {3, 3}, {4, 1000}, {0, 0}, {0, 100}, {4, 6}}
		if len(recs) != len(want) {
			t.Fatalf("%d records", len(recs))
		}
		for i, w := range want {
			if recs[i].CapLen != w.cap || recs[i].OrigLen != w.orig || recs[i].Interface != 0 ||
				recs[i].LinkType != LinkTypeEthernet || recs[i].Timestamp != 0 {
				t.Errorf("%s SPB %d: %+v", o.name, i, recs[i])
			}
		}
	}
	g := &ng{bo: le}
	g.shb().spb(4, []byte{1, 2, 3, 4})
	_, _, err := readAllBytes(t, g.b)
	wantError(t, err, ErrMalformed)
}

func TestPcapngPB(t *testing.T) {
	for _, o := range orders {
		g := &ng{bo: o.bo}
		g.shb().idb(LinkTypeEthernet, 0).idb(LinkTypeRaw, 0)
		g.pb(1, 5, 1_000001, 2, 80, []byte{9, 8}, sopt(optComment, "old"), opt{epbFlags, g.u32(2)})
		recs, _ := mustRead(t, g.b)
		p := recs[0]
		if p.Interface != 1 || p.LinkType != LinkTypeRaw || p.Timestamp != 1_000001000 ||
			p.CapLen != 2 || p.OrigLen != 80 || !p.HasFlags || p.Direction() != DirectionOutbound ||
			!slices.Equal(p.Comments(), []string{"old"}) {
			t.Errorf("%s: %+v", o.name, p)
		}
	}
}

func TestPcapngMetadataBlocks(t *testing.T) {
	for _, o := range orders {
		g := &ng{bo: o.bo}
		g.shb().idb(LinkTypeEthernet, 0, opt{ifTSResol, []byte{9}})
		// Name resolution block: IPv4 with two names, IPv6 with one, an
		// EUI-48 record, an unknown record type, then options.
		var nrb []byte
		rec := func(typ uint16, v []byte) {
			nrb = g.bo.AppendUint16(nrb, typ)
			nrb = g.bo.AppendUint16(nrb, uint16(len(v)))
			nrb = pad(append(nrb, v...))
		}
		rec(1, append([]byte{192, 0, 2, 1}, "a.example\x00b.example\x00"...))
		v6 := []byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}
		rec(2, append(append([]byte(nil), v6...), "six.example\x00"...))
		rec(3, append([]byte{1, 2, 3, 4, 5, 6}, "mac\x00"...))
		rec(99, []byte("whatever"))
		rec(0, nil)
		nrb = append(nrb, g.opts(sopt(2, "dns.example"))...)
		g.block(blockNRB, nrb)
		// Interface statistics.
		isb := g.u32(0)
		isb = append(isb, g.ts64(5_000000000)...)
		isb = append(isb, g.opts(opt{isbStartTime, g.ts64(1_000000000)}, opt{isbEndTime, g.ts64(5_000000000)},
			opt{isbIfRecv, g.u64(100)}, opt{isbIfDrop, g.u64(3)}, opt{isbOSDrop, g.u64(2)},
			sopt(optComment, "stats"))...)
		g.block(blockISB, isb)
		// Decryption secrets.
		dsb := g.u32(uint32(SecretsTLSKeyLog))
		dsb = append(dsb, g.u32(5)...)
		dsb = pad(append(dsb, "keys\n"...))
		g.block(blockDSB, dsb)
		// Custom blocks and an unknown block, all skipped.
		g.block(blockCustom, append(g.u32(32473), "custom data"...))
		g.block(blockCustomNoCp, append(g.u32(32473), "more"...))
		g.block(0x12345678, []byte("unknown block"))
		g.block(0x80000001, nil)
		g.epb(0, 42, 1, 1, []byte{7})
		recs, r := mustRead(t, g.b)
		if len(recs) != 1 || recs[0].Timestamp != 42 {
			t.Fatalf("%s: records %+v", o.name, recs)
		}
		names := r.NameResolution()
		if len(names) != 3 ||
			!bytes.Equal(names[0].Addr, []byte{192, 0, 2, 1}) || !slices.Equal(names[0].Names, []string{"a.example", "b.example"}) ||
			!bytes.Equal(names[1].Addr, v6) || !slices.Equal(names[1].Names, []string{"six.example"}) ||
			!bytes.Equal(names[2].Addr, []byte{1, 2, 3, 4, 5, 6}) {
			t.Errorf("%s: names %+v", o.name, names)
		}
		st := r.Stats()
		if len(st) != 1 || st[0].Timestamp != 5_000000000 || st[0].StartTime != 1_000000000 ||
			st[0].IfRecv != 100 || st[0].IfDrop != 3 || st[0].OSDrop != 2 || st[0].FilterAccept != 0 ||
			!st[0].Has(StatIfRecv|StatIfDrop|StatStartTime|StatEndTime|StatOSDrop) || st[0].Has(StatUsrDeliv) ||
			!slices.Equal(st[0].Comments, []string{"stats"}) {
			t.Errorf("%s: stats %+v", o.name, st)
		}
		sec := r.Secrets()
		if len(sec) != 1 || sec[0].Type != SecretsTLSKeyLog || string(sec[0].Data) != "keys\n" {
			t.Errorf("%s: secrets %+v", o.name, sec)
		}
	}
	if SecretsTLSKeyLog.String() != "TLS key log" || SecretsType(0xabc).String() != "0xabc" {
		t.Error("SecretsType.String")
	}
}

// TestPcapngMalformed checks that each kind of damage gives an *Error of
// the right kind after the packets before it.
func TestPcapngMalformed(t *testing.T) {
	good := func() *ng {
		g := &ng{bo: le}
		return g.shb().idb(LinkTypeEthernet, 0).epb(0, 1, 1, 1, []byte{1})
	}
	raw := func(g *ng, words ...uint32) []byte {
		b := g.b
		for _, w := range words {
			b = le.AppendUint32(b, w)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		file []byte
		kind error
	}{
		{"length below 12", raw(good(), 0x99, 8, 8), ErrMalformed},
		{"length not a multiple of 4", raw(good(), 0x99, 13, 0, 0), ErrMalformed},
		{"EPB below its minimum", raw(good(), blockEPB, 16, 0, 16), ErrMalformed},
		{"trailer mismatch", raw(good(), 0x99, 16, 0, 20), ErrMalformed},
		{"huge length", raw(good(), 0x99, 0xFFFFFFF0, 0), ErrMalformed},
		{"length beyond the file", raw(good(), 0x99, 1024, 0), ErrTruncated},
		{"cut block header", append(good().b, 1, 0, 0), ErrTruncated},
		{"cut block", func() []byte { b := good().epb(0, 0, 1, 1, []byte{2}).b; return b[:len(b)-1] }(), ErrTruncated},
		{"unknown interface", good().epb(1, 0, 0, 0, nil).b, ErrMalformed},
		{"caplen beyond block", raw(good(), blockEPB, 32, 0, 0, 0, 4, 4, 32), ErrMalformed},
		{"caplen over maximum", good().epb(0, 0, 300000, 300000, nil).b, ErrMalformed},
		{"option overflows", raw(good(), blockEPB, 36, 0, 0, 0, 0, 0, 0x00640001, 36), ErrMalformed},
		{"epb_flags of 2 bytes", good().epb(0, 0, 0, 0, nil, opt{epbFlags, []byte{1, 2}}).b, ErrMalformed},
		{"epb_dropcount of 4 bytes", good().epb(0, 0, 0, 0, nil, opt{epbDropCount, []byte{1, 2, 3, 4}}).b, ErrMalformed},
		{"SHB version 2.0", good().block(blockSHB, []byte{0x4d, 0x3c, 0x2b, 0x1a, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}).b, ErrUnsupported},
		{"SHB bad byte-order magic", good().block(blockSHB, make([]byte, 16)).b, ErrMalformed},
		{"NRB record overflows", good().block(blockNRB, []byte{1, 0, 200, 0}).b, ErrMalformed},
		{"NRB name without NUL", good().block(blockNRB, []byte{1, 0, 5, 0, 1, 2, 3, 4, 'x', 0, 0, 0, 0, 0, 0, 0}).b, ErrMalformed},
		{"DSB secrets overflow", good().block(blockDSB, []byte{1, 2, 3, 4, 100, 0, 0, 0}).b, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, hide := range []bool{false, true} {
				var src io.Reader = bytes.NewReader(tc.file)
				if hide {
					src = onlyReader{src}
				}
				r, err := NewReader(src)
				if err != nil {
					t.Fatal(err)
				}
				var rec Record
				n := 0
				for err = r.Next(&rec); err == nil; err = r.Next(&rec) {
					n++
				}
				if !hide || tc.kind != ErrTruncated || n == 1 {
					e := wantError(t, err, tc.kind)
					if n != 1 || e.Packet != 2 || e.Offset != int64(len(good().b)) {
						t.Errorf("hide %v: %d packets, error %v", hide, n, e)
					}
				}
			}
		})
	}
	// An option longer than its block, in the section header.
	g := &ng{bo: le}
	shb := g.bo.AppendUint32(nil, byteOrderMagic)
	shb = append(shb, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	shb = append(shb, 1, 0, 0x30, 0x30, 'a', 'b', 'c', 'd')
	g.block(blockSHB, shb)
	_, err := NewReader(bytes.NewReader(g.b))
	e := wantError(t, err, ErrMalformed)
	if e.Packet != 0 {
		t.Errorf("packet %d", e.Packet)
	}
	// A first block that looks like a section header but is not one.
	_, err = NewReader(bytes.NewReader([]byte{0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 1, 2, 3, 4}))
	wantError(t, err, ErrNotCapture)
	// SHB versions 1.0 and 1.2 are read.
	g = &ng{bo: be}
	g.block(blockSHB, []byte{0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0})
	g.idb(LinkTypeEthernet, 0).epb(0, 0, 0, 0, nil)
	recs, r := mustRead(t, g.b)
	if len(recs) != 1 || r.Sections()[0].Minor != 2 || r.Sections()[0].Length != 0 {
		t.Errorf("version 1.2: %d records, %+v", len(recs), r.Sections())
	}
}

// TestPcapngLenient checks what Wireshark accepts against the letter of
// the specification, and this package with it.
func TestPcapngLenient(t *testing.T) {
	g := &ng{bo: le}
	g.shb().idb(LinkTypeEthernet, 0, opt{ifTSResol, []byte{9, 9}}, opt{ifTSOffset, []byte{1, 2, 3, 4}}, opt{ifFCSLen, []byte{1, 2}})
	g.epb(0, 5, 0, 0, nil, opt{epbHash, nil})
	g.block(blockNRB, []byte{1, 0, 6, 0, 10, 0, 0, 1, 'a', 0, 0, 0}) // no end record
	g.b = le.AppendUint32(g.b, blockEPB)                             // length 33, not a multiple of 4
	for _, v := range []uint32{33, 0, 0, 6, 1, 1, 0x09, 33} {
		g.b = le.AppendUint32(g.b, v)
	}
	recs, r := mustRead(t, g.b)
	if len(recs) != 2 || recs[0].Timestamp != 5000 || recs[1].Data[0] != 9 || recs[1].Timestamp != 6000 {
		t.Errorf("records %+v", recs)
	}
	if ifc := r.Interfaces()[0]; ifc.TSResol != 6 || ifc.TSOffset != 0 || ifc.FCSLen != -1 {
		t.Errorf("interface %+v", ifc)
	}
	if n := r.NameResolution(); len(n) != 1 || n[0].Names[0] != "a" {
		t.Errorf("names %+v", n)
	}
}

// TestPcapngReadAhead checks that NewReader reads the interfaces before
// the first packet, and that an error among them waits for Next.
func TestPcapngReadAhead(t *testing.T) {
	g := &ng{bo: le}
	g.shb().idb(LinkTypeLinuxSLL, 128).idb(LinkTypeRaw, 0).epb(0, 0, 0, 0, nil).idb(LinkTypeIPv6, 0)
	r, err := NewReader(bytes.NewReader(g.b))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Interfaces()) != 2 || r.LinkType() != LinkTypeLinuxSLL || r.SnapLen() != 128 {
		t.Errorf("interfaces %+v", r.Interfaces())
	}
	var rec Record
	for err = r.Next(&rec); err == nil; err = r.Next(&rec) {
	}
	if err != io.EOF || len(r.Interfaces()) != 3 {
		t.Errorf("%v, %d interfaces", err, len(r.Interfaces()))
	}

	g = &ng{bo: le}
	g.shb().idb(LinkTypeEthernet, 0)
	g.b = le.AppendUint32(le.AppendUint32(g.b, blockIDB), 16) // shorter than an IDB
	r, err = NewReader(bytes.NewReader(g.b))
	if err != nil {
		t.Fatal(err)
	}
	e := wantError(t, r.Next(&rec), ErrMalformed)
	if e.Packet != 1 || e.Offset != 48 || len(r.Interfaces()) != 1 {
		t.Errorf("error %+v", e)
	}
	// A file with a section header and nothing else has no packets.
	g = &ng{bo: be}
	recs, r := mustRead(t, g.shb().b)
	if len(recs) != 0 || len(r.Interfaces()) != 0 || r.LinkType() != LinkTypeNull {
		t.Errorf("%d records", len(recs))
	}
}

// TestPcapngBigBlock checks that a block larger than the initial buffer
// is read whole, and that skipped blocks larger than it are skipped.
func TestPcapngBigBlock(t *testing.T) {
	g := &ng{bo: le}
	big := bytes.Repeat([]byte{0xab}, 200000)
	g.shb().idb(LinkTypeEthernet, 0)
	g.block(0x777, make([]byte, 3<<20))
	g.epb(0, 0, uint32(len(big)), uint32(len(big)), big)
	g.epb(0, 0, 1, 1, []byte{1})
	r, err := NewReader(onlyReader{bytes.NewReader(g.b)})
	if err != nil {
		t.Fatal(err)
	}
	var rec Record
	if err := r.Next(&rec); err != nil || !bytes.Equal(rec.Data, big) {
		t.Fatalf("%v %d", err, rec.CapLen)
	}
	if err := r.Next(&rec); err != nil || rec.CapLen != 1 {
		t.Fatalf("%v %d", err, rec.CapLen)
	}
	if len(r.src.buf) > 512<<10 {
		t.Errorf("buffer of %d bytes", len(r.src.buf))
	}
}
