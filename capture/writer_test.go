package capture

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomRecords returns n records with random sizes, times and flags.
func randomRecords(n int, ifaces int) []Record {
	rng := rand.New(rand.NewPCG(1, 2))
	recs := make([]Record, n)
	for i := range recs {
		data := make([]byte, rng.IntN(1600))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		recs[i] = Record{
			Timestamp: 1_600_000_000_000_000_000 + rng.Int64N(1e18),
			CapLen:    len(data),
			OrigLen:   len(data) + rng.IntN(3)*100,
			Data:      data,
			Interface: rng.IntN(ifaces),
		}
		if rng.IntN(2) == 0 {
			recs[i].Flags, recs[i].HasFlags = rng.Uint32(), true
		}
	}
	return recs
}

func TestPcapWriterRoundTrip(t *testing.T) {
	for _, nano := range []bool{false, true} {
		var buf bytes.Buffer
		w, err := NewPcapWriter(&buf, LinkTypeLinuxSLL2, 1000, nano)
		if err != nil {
			t.Fatal(err)
		}
		in := randomRecords(200, 1)
		for i := range in {
			in[i].Interface = 0
			if err := w.WriteRecord(&in[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		out, r := mustRead(t, buf.Bytes())
		wantFormat := map[bool]Format{false: FormatPcap, true: FormatPcapNano}[nano]
		if r.Format() != wantFormat || r.SnapLen() != 1000 || r.LinkType() != LinkTypeLinuxSLL2 || len(out) != len(in) {
			t.Fatalf("format %v snaplen %d link %v, %d records", r.Format(), r.SnapLen(), r.LinkType(), len(out))
		}
		off := int64(24)
		for i := range in {
			want := in[i]
			want.Data = want.Data[:min(len(want.Data), 1000)]
			want.CapLen = len(want.Data)
			if !nano {
				want.Timestamp -= want.Timestamp % 1000
			}
			want.LinkType, want.Number, want.Offset = LinkTypeLinuxSLL2, i+1, off
			want.Flags, want.HasFlags = 0, false
			off += int64(16 + want.CapLen)
			if !equalRecord(out[i], want) {
				t.Fatalf("nano %v record %d:\n got %+v\nwant %+v", nano, i, out[i], want)
			}
		}
	}
}

func equalRecord(a, b Record) bool {
	return a.Timestamp == b.Timestamp && a.CapLen == b.CapLen && a.OrigLen == b.OrigLen &&
		a.Interface == b.Interface && a.LinkType == b.LinkType && bytes.Equal(a.Data, b.Data) &&
		a.Flags == b.Flags && a.HasFlags == b.HasFlags && a.Number == b.Number && a.Offset == b.Offset
}

func TestPcapWriterErrors(t *testing.T) {
	if _, err := NewPcapWriter(&bytes.Buffer{}, 1, -1, false); !errors.Is(err, ErrWriter) {
		t.Errorf("negative snaplen: %v", err)
	}
	w, _ := NewPcapWriter(&bytes.Buffer{}, 1, 0, false)
	for _, ts := range []int64{-1, 1 << 33 * 1e9} {
		if err := w.WriteRecord(&Record{Timestamp: ts}); !errors.Is(err, ErrWriter) {
			t.Errorf("time stamp %d: %v", ts, err)
		}
	}
	var buf bytes.Buffer
	w, _ = NewPcapWriter(&buf, LinkTypeRaw, 0, true)
	w.WriteRecord(&Record{Timestamp: 5, Data: []byte{0x45}, OrigLen: 0})
	w.Flush()
	recs, r := mustRead(t, buf.Bytes())
	if r.SnapLen() != 262144 || recs[0].OrigLen != 1 || recs[0].Timestamp != 5 {
		t.Errorf("snaplen %d record %+v", r.SnapLen(), recs[0])
	}
}

func TestPcapngWriterRoundTrip(t *testing.T) {
	for _, bigEndian := range []bool{false, true} {
		var buf bytes.Buffer
		opts := PcapngOptions{
			Comments:  []string{"made by a test", "twice"},
			Hardware:  "hw",
			OS:        "os",
			UserAppl:  "pktkit test",
			BigEndian: bigEndian,
		}
		w, err := NewPcapngWriter(&buf, opts)
		if err != nil {
			t.Fatal(err)
		}
		ifs := []Interface{
			{LinkType: LinkTypeEthernet, SnapLen: 0, Name: "eth0", Description: "first", Filter: "udp",
				OS: "Linux", Hardware: "card", FCSLen: 4, Comments: []string{"if comment"}},
			{LinkType: LinkTypeIEEE80211Radio, SnapLen: 500, FCSLen: -1},
		}
		for i, ifc := range ifs {
			if n, err := w.AddInterface(ifc); err != nil || n != i {
				t.Fatalf("AddInterface: %d %v", n, err)
			}
		}
		in := randomRecords(300, 2)
		for i := range in {
			switch i % 3 {
			case 0:
				err = w.WriteRecord(&in[i])
			case 1:
				err = w.WriteRecordWithComments(&in[i], "comment "+string(rune('a'+i%26)))
			case 2:
				err = w.WriteRecordWithComments(&in[i], "x", "", "a longer comment with some text")
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		out, r := mustRead(t, buf.Bytes())
		wantOrder := map[bool]string{false: "LittleEndian", true: "BigEndian"}[bigEndian]
		if r.Format() != FormatPcapng || r.ByteOrder().String() != wantOrder {
			t.Errorf("format %v order %v", r.Format(), r.ByteOrder())
		}
		s := r.Sections()
		if len(s) != 1 || !slices.Equal(s[0].Comments, opts.Comments) || s[0].Hardware != "hw" ||
			s[0].OS != "os" || s[0].UserAppl != "pktkit test" || s[0].Length != -1 {
			t.Errorf("section %+v", s)
		}
		got := r.Interfaces()
		if len(got) != 2 {
			t.Fatalf("interfaces %+v", got)
		}
		for i := range ifs {
			want := ifs[i]
			want.TSResol = ResolutionNano
			if !equalInterface(got[i], want) {
				t.Errorf("interface %d:\n got %+v\nwant %+v", i, got[i], want)
			}
		}
		if len(out) != len(in) {
			t.Fatalf("%d records", len(out))
		}
		for i := range in {
			want := in[i]
			if want.Interface == 1 {
				want.Data = want.Data[:min(len(want.Data), 500)]
				want.CapLen = len(want.Data)
			}
			want.LinkType = ifs[want.Interface].LinkType
			want.Number = i + 1
			want.Offset = out[i].Offset
			if !equalRecord(out[i], want) {
				t.Fatalf("record %d:\n got %+v\nwant %+v", i, out[i], want)
			}
			var wantComments []string
			switch i % 3 {
			case 1:
				wantComments = []string{"comment " + string(rune('a'+i%26))}
			case 2:
				wantComments = []string{"x", "", "a longer comment with some text"}
			}
			if c := out[i].Comments(); !slices.Equal(c, wantComments) {
				t.Errorf("record %d comments %q", i, c)
			}
		}
		// Copying records carries their comments and flags over, across
		// byte orders.
		var copyBuf bytes.Buffer
		cw, _ := NewPcapngWriter(&copyBuf, PcapngOptions{BigEndian: !bigEndian})
		for _, ifc := range got {
			cw.AddInterface(ifc)
		}
		for i := range out {
			if err := cw.WriteRecord(&out[i]); err != nil {
				t.Fatal(err)
			}
		}
		cw.Flush()
		again, _ := mustRead(t, copyBuf.Bytes())
		for i := range out {
			want := out[i]
			want.Offset = again[i].Offset
			if !equalRecord(again[i], want) || !slices.Equal(again[i].Comments(), out[i].Comments()) {
				t.Fatalf("copied record %d:\n got %+v\nwant %+v", i, again[i], want)
			}
		}
	}
}

func TestPcapngWriterErrors(t *testing.T) {
	w, _ := NewPcapngWriter(&bytes.Buffer{}, PcapngOptions{})
	if err := w.WriteRecord(&Record{}); !errors.Is(err, ErrWriter) {
		t.Errorf("no interface: %v", err)
	}
	w.AddInterface(Interface{LinkType: 1})
	if err := w.WriteRecord(&Record{Timestamp: -1}); !errors.Is(err, ErrWriter) {
		t.Errorf("negative time: %v", err)
	}
	if err := w.WriteRecordWithComments(&Record{}, string(make([]byte, 70000))); !errors.Is(err, ErrWriter) {
		t.Errorf("long comment: %v", err)
	}
	if _, err := w.AddInterface(Interface{SnapLen: -1}); !errors.Is(err, ErrWriter) {
		t.Errorf("bad snaplen: %v", err)
	}
	if _, err := NewPcapngWriter(&bytes.Buffer{}, PcapngOptions{OS: string(make([]byte, 70000))}); !errors.Is(err, ErrWriter) {
		t.Errorf("long option: %v", err)
	}
}

func TestLinkTypeString(t *testing.T) {
	for lt, want := range map[LinkType]string{
		LinkTypeNull: "NULL", LinkTypeEthernet: "EN10MB", LinkTypeRaw: "RAW", LinkTypeRaw12: "RAW",
		LinkTypeRaw14: "RAW", LinkTypeLoop: "LOOP", LinkTypeLinuxSLL: "LINUX_SLL",
		LinkTypeLinuxSLL2: "LINUX_SLL2", LinkTypeIPv4: "IPV4", LinkTypeIPv6: "IPV6", LinkTypePPP: "PPP",
		LinkTypeIEEE80211: "IEEE802_11", LinkTypeIEEE80211Radio: "IEEE802_11_RADIO",
		LinkTypeUSBLinux: "USB_LINUX", LinkTypeUSBPcap: "USBPCAP", LinkTypeNFLog: "NFLOG",
		9999: "LINKTYPE_9999",
	} {
		if got := lt.String(); got != want {
			t.Errorf("%d: %q, want %q", uint16(lt), got, want)
		}
	}
	if len(linkTypeNames) < 40 {
		t.Errorf("only %d names", len(linkTypeNames))
	}
	if LinkTypeEthernet.MaxPacketSize() != 262144 || LinkTypeUSBPcap.MaxPacketSize() != 128<<20 {
		t.Error("MaxPacketSize")
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{File: "f.pcap", Packet: 12, Offset: 4096, Err: truncated("record header", 16, 3)}
	if got := e.Error(); got != "capture: f.pcap: packet 12 at byte offset 4096: truncated record header (need 16 bytes, have 3)" {
		t.Errorf("%q", got)
	}
	if !errors.Is(e, ErrTruncated) || errors.Unwrap(e) == nil {
		t.Error("Unwrap")
	}
	e = &Error{Offset: 0, Err: ErrNotCapture}
	if got := e.Error(); got != "capture: byte offset 0: not a pcap or pcapng file" {
		t.Errorf("%q", got)
	}
	if got := Format(7).String(); got != "unknown" {
		t.Errorf("%q", got)
	}
	if DirectionOutbound.String() != "outbound" || ReceptionPromiscuous.String() != "promiscuous" ||
		ReceptionType(6).String() != "reserved(6)" || Direction(3).String() != "invalid" {
		t.Error("flag names")
	}
}

// TestAppendMatchesWrite: records encoded apart (AppendPcapRecord,
// AppendEPB) and written with WriteEncoded give the bytes WriteRecord
// writes, snapshot length cuts included.
func TestAppendMatchesWrite(t *testing.T) {
	recs := randomRecords(200, 2)
	for _, nano := range []bool{false, true} {
		var a, b bytes.Buffer
		wa, err := NewPcapWriter(&a, LinkType(1), 1000, nano)
		if err != nil {
			t.Fatal(err)
		}
		wb, _ := NewPcapWriter(&b, LinkType(1), 1000, nano)
		var enc []byte
		for i := range recs {
			if err := wa.WriteRecord(&recs[i]); err != nil {
				t.Fatal(err)
			}
			if enc, err = AppendPcapRecord(enc, &recs[i], 1000, nano); err != nil {
				t.Fatal(err)
			}
		}
		wb.WriteEncoded(enc)
		wa.Flush()
		wb.Flush()
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("pcap nano=%v: encoded records differ from written ones", nano)
		}
	}
	var a, b bytes.Buffer
	wa, _ := NewPcapngWriter(&a, PcapngOptions{})
	wb, _ := NewPcapngWriter(&b, PcapngOptions{})
	snaps := []int{0, 500}
	for _, s := range snaps {
		wa.AddInterface(Interface{LinkType: 1, SnapLen: s, FCSLen: -1})
		wb.AddInterface(Interface{LinkType: 1, SnapLen: s, FCSLen: -1})
	}
	var enc []byte
	for i := range recs {
		if err := wa.WriteRecord(&recs[i]); err != nil {
			t.Fatal(err)
		}
		var err error
		if enc, err = AppendEPB(enc, &recs[i], recs[i].Interface, snaps[recs[i].Interface]); err != nil {
			t.Fatal(err)
		}
	}
	wb.WriteEncoded(enc)
	wa.Flush()
	wb.Flush()
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("pcapng: encoded blocks differ from written ones")
	}
	bad := Record{Timestamp: -1, Data: []byte{1}}
	if out, err := AppendEPB([]byte{7}, &bad, 0, 0); err == nil || len(out) != 1 {
		t.Errorf("negative time stamp: err %v, %d bytes (want an error and dst unchanged)", err, len(out))
	}
}

// TestPcapTimeCarry writes records whose readers saw a fraction of a second
// of more than one second (the file's writer did not normalise it) past the
// last second a uint32 holds: the time read back is the same, and what no
// split can hold is an error.
func TestPcapTimeCarry(t *testing.T) {
	for _, nano := range []bool{false, true} {
		unit := uint32(1000)
		if nano {
			unit = 1
		}
		var in bytes.Buffer
		magic := map[bool]uint32{false: 0xa1b2c3d4, true: 0xa1b23c4d}[nano]
		file := pcapFile(le, magic, 2, 4, 65535, 1)
		for _, st := range [][2]uint32{{0xffffffff, 4_293_562_680}, {0xfffffff0, 4_000_000_000}, {7, 999_999_999 / unit}} {
			file = pcapRec(file, le, st[0], st[1], 1, 1, []byte{0})
		}
		in.Write(file)
		recs, _ := mustRead(t, in.Bytes())
		var out bytes.Buffer
		w, _ := NewPcapWriter(&out, 1, 0, nano)
		for i := range recs {
			if err := w.WriteRecord(&recs[i]); err != nil {
				t.Fatalf("nano %v record %d (time stamp %d): %v", nano, i+1, recs[i].Timestamp, err)
			}
		}
		w.Flush()
		back, _ := mustRead(t, out.Bytes())
		for i := range recs {
			if back[i].Timestamp != recs[i].Timestamp {
				t.Errorf("nano %v record %d: time stamp %d read back as %d", nano, i+1, recs[i].Timestamp, back[i].Timestamp)
			}
		}
		// Past what the seconds and the whole fraction hold together.
		limit := int64(math.MaxUint32)*1e9 + int64(math.MaxUint32)*int64(unit)
		if err := w.WriteRecord(&Record{Timestamp: limit + int64(unit)}); !errors.Is(err, ErrWriter) {
			t.Errorf("nano %v: time stamp past the limit: %v", nano, err)
		}
		if err := w.WriteRecord(&Record{Timestamp: limit}); err != nil {
			t.Errorf("nano %v: time stamp at the limit: %v", nano, err)
		}
	}
}
