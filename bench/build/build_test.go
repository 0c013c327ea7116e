// Package build compares building Ether/IPv4/TCP with a 100-byte payload,
// lengths and checksums computed, into a reused buffer: pktkit's craft
// builder against gopacket's SerializeLayers with FixLengths and
// ComputeChecksums. Run from bench/:
//
//	go test ./build -bench . -benchmem
package build

import (
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"pktkit/craft"
	_ "pktkit/layers"
)

var payload = make([]byte, 100)

func BenchmarkPktkitCraft(b *testing.B) {
	p := craft.Div(craft.Div(craft.Div(
		craft.MustNew("Ether", craft.KV{Name: "dst", Value: "00:11:22:33:44:55"}, craft.KV{Name: "src", Value: "66:77:88:99:aa:bb"}),
		craft.MustNew("IP", craft.KV{Name: "src", Value: "192.0.2.1"}, craft.KV{Name: "dst", Value: "198.51.100.2"})),
		craft.MustNew("TCP", craft.KV{Name: "sport", Value: 1234}, craft.KV{Name: "dport", Value: 80}, craft.KV{Name: "flags", Value: "PA"})),
		craft.Payload(payload))
	bl, err := p.Builder()
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = bl.Rebuild(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
	if len(buf) != 154 {
		b.Fatalf("built %d bytes", len(buf))
	}
}

func BenchmarkGopacketSerialize(b *testing.B) {
	eth := &layers.Ethernet{
		DstMAC:       net.HardwareAddr{0x00, 0x11, 0x22, 0x33, 0x44, 0x55},
		SrcMAC:       net.HardwareAddr{0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb},
		EthernetType: layers.EthernetTypeIPv4,
	}
	ip := &layers.IPv4{Version: 4, TTL: 64, Id: 1, Protocol: layers.IPProtocolTCP,
		SrcIP: net.IP{192, 0, 2, 1}, DstIP: net.IP{198, 51, 100, 2}}
	tcp := &layers.TCP{SrcPort: 1234, DstPort: 80, PSH: true, ACK: true, Window: 8192}
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		b.Fatal(err)
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	b.ReportAllocs()
	for b.Loop() {
		if err := gopacket.SerializeLayers(buf, opts, eth, ip, tcp, gopacket.Payload(payload)); err != nil {
			b.Fatal(err)
		}
	}
	if len(buf.Bytes()) != 154 {
		b.Fatalf("built %d bytes", len(buf.Bytes()))
	}
}
