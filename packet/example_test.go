package packet_test

import (
	"fmt"
	"os"

	"pktkit/layers"
	"pktkit/packet"
)

// An Ethernet/IPv4/TCP SYN with MSS, window scale and SACK-permitted
// options.
var syn = []byte{0, 0x1c, 0x54, 0x38, 0x1a, 0x4b, 0xce, 0x62, 0x91, 0xee, 0x0b, 0x98, 8, 0,
	0x45, 0, 0, 0x34, 0x78, 0xeb, 0x40, 0, 0x40, 6, 0xff, 0x18, 192, 168, 8, 97, 192, 168, 57, 14,
	0x2c, 0x6b, 0x1f, 0x90, 7, 0xc0, 0xb6, 0x70, 0, 0, 0, 0, 0x80, 2, 0xff, 0xff, 0xa2, 0x2b, 0, 0,
	2, 4, 5, 0xb4, 1, 3, 3, 1, 1, 1, 4, 2}

func ExamplePacket_Summary() {
	p := packet.New(syn, 1) // link type 1: Ethernet
	fmt.Println(p.Summary())
	// Output: Ether / IP / TCP 192.168.8.97:11371 > 192.168.57.14:8080 S
}

func ExamplePacket_AppendField() {
	p := packet.New(syn, 1)
	for _, name := range []string{"ip.src", "tcp.dport", "tcp.flags", "tcp.flags.syn", "tcp.options.mss_val"} {
		f, err := packet.LookupField(name) // Wireshark names; Scapy-style aliases too
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s=%s\n", name, p.AppendField(nil, f, ','))
	}
	// Output:
	// ip.src=192.168.8.97
	// tcp.dport=8080
	// tcp.flags=0x0002
	// tcp.flags.syn=1
	// tcp.options.mss_val=1460
}

func ExamplePacket_Show() {
	p := packet.New(syn[:34], 1) // Ethernet and IPv4 only
	p.Show(os.Stdout)
	// Output:
	// ###[ Ethernet ]###
	//   dst       = 00:1c:54:38:1a:4b
	//   src       = ce:62:91:ee:0b:98
	//   type      = IPv4 (0x800)
	// ###[ IP ]###
	//      version   = 4
	//      ihl       = 5
	//      tos       = 0x0
	//      len       = 52
	//      id        = 30955
	//      flags     = DF (0x2)
	//      frag      = 0
	//      ttl       = 64
	//      proto     = tcp (6)
	//      chksum    = 0xff18
	//      src       = 192.168.8.97
	//      dst       = 192.168.57.14
	//      options   = []
}

func ExampleStack_Build() {
	ip := packet.NewSpec(layers.IP)
	ip.Set("dst", packet.Value{B: []byte{10, 0, 0, 2}})
	tcp := packet.NewSpec(layers.TCP)
	tcp.Set("dport", packet.Value{U: 443})
	b, err := packet.Stack{ip, tcp}.Build(nil)
	if err != nil {
		panic(err)
	}
	// Lengths, checksums and the protocol number are filled in; the bytes
	// are those of Scapy 2.5's bytes(IP(dst="10.0.0.2")/TCP(dport=443)).
	p := packet.New(b, 228) // link type 228: raw IPv4
	fmt.Println(p.Summary())
	fmt.Printf("%x\n", b)
	// Output:
	// IP / TCP 127.0.0.1:20 > 10.0.0.2:443 S
	// 45000028000100004006f1cc7f0000010a000002001401bb00000000000000005002200005110000
}

func ExamplePacket_Specs() {
	p := packet.New(syn, 1)
	st, _ := p.Specs() // every field's dissected value, re-encoded by the tables
	b, _ := st.Build(nil)
	fmt.Println(string(b) == string(syn))
	// Output: true
}
