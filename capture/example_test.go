package capture_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"time"

	"pktkit/capture"
)

// Read every packet of a capture file. Open detects pcap, pcapng and gzip;
// Next reuses rec and allocates nothing.
func ExampleOpen() {
	r, err := capture.Open("testdata/example.pcap")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	fmt.Println(r.Format(), r.LinkType(), r.SnapLen())

	var rec capture.Record
	for {
		err := r.Next(&rec)
		if err == io.EOF {
			break
		}
		if err != nil {
			// An *capture.Error: where the file is damaged, and how.
			log.Fatal(err)
		}
		fmt.Println(rec.Number, rec.Time().UTC().Format(time.StampMicro), rec.CapLen, rec.OrigLen)
	}
	// Output:
	// pcap EN10MB 65535
	// 1 Nov 14 22:13:20.000000 42 42
	// 2 Nov 14 22:13:20.001250 60 60
	// 3 Nov 14 22:13:20.002500 54 54
}

// Write a pcapng file with two interfaces and comments, then read it back.
func ExampleNewPcapngWriter() {
	var buf bytes.Buffer
	w, err := capture.NewPcapngWriter(&buf, capture.PcapngOptions{
		Comments: []string{"example capture"},
		UserAppl: "pktkit",
	})
	if err != nil {
		log.Fatal(err)
	}
	eth, _ := w.AddInterface(capture.Interface{LinkType: capture.LinkTypeEthernet, Name: "eth0", FCSLen: -1})
	wlan, _ := w.AddInterface(capture.Interface{LinkType: capture.LinkTypeIEEE80211Radio, Name: "wlan0mon", FCSLen: -1})

	packets := []capture.Record{
		{Interface: eth, Timestamp: 1_700_000_000_123_456_789, Data: make([]byte, 60)},
		{Interface: wlan, Timestamp: 1_700_000_000_223_456_789, Data: make([]byte, 100), OrigLen: 1500,
			Flags: uint32(capture.DirectionInbound), HasFlags: true},
	}
	w.WriteRecordWithComments(&packets[0], "first packet")
	w.WriteRecordWithComments(&packets[1], "captured in monitor mode", "truncated")
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}

	r, err := capture.NewReader(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Format(), r.SectionComments(), r.Sections()[0].UserAppl)
	for _, ifc := range r.Interfaces() {
		fmt.Println(ifc.Name, ifc.LinkType, ifc.TSResol)
	}
	var rec capture.Record
	for r.Next(&rec) == nil {
		fmt.Println(rec.Number, rec.Interface, rec.LinkType, rec.Timestamp, rec.CapLen, rec.OrigLen, rec.Direction(), rec.Comments())
	}
	// Output:
	// pcapng [example capture] pktkit
	// eth0 EN10MB 10^-9 s
	// wlan0mon IEEE802_11_RADIO 10^-9 s
	// 1 0 EN10MB 1700000000123456789 60 60 unknown [first packet]
	// 2 1 IEEE802_11_RADIO 1700000000223456789 100 1500 inbound [captured in monitor mode truncated]
}

// Errors tell where a file is damaged, after every packet before the damage.
func ExampleError() {
	file := []byte{
		0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
		1, 0, 0, 0, 0, 0, 0, 0, // a record header cut short
	}
	r, err := capture.NewReader(bytes.NewReader(file))
	if err != nil {
		log.Fatal(err)
	}
	var rec capture.Record
	err = r.Next(&rec)
	var e *capture.Error
	fmt.Println(errors.As(err, &e), errors.Is(err, capture.ErrTruncated), e.Packet, e.Offset)
	fmt.Println(err)
	// Output:
	// true true 1 24
	// capture: packet 1 at byte offset 24: truncated record header (need 16 bytes, have 8)
}

// ReadRecord returns records that stay valid after the next read.
func ExampleReader_ReadRecord() {
	r, err := capture.Open("testdata/example.pcap")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	var kept []capture.Record
	for {
		rec, err := r.ReadRecord()
		if err != nil {
			break
		}
		kept = append(kept, rec)
	}
	fmt.Println(len(kept), kept[0].Data[12:14])
	// Output: 3 [8 6]
}
