package craft_test

import (
	"fmt"

	"pktkit/craft"
	_ "pktkit/layers"
)

func Example() {
	p := craft.IP(craft.KV{Name: "src", Value: "192.0.2.1"}, craft.KV{Name: "dst", Value: "198.51.100.2"}).
		Div(craft.TCP())
	b, err := p.Bytes()
	if err != nil {
		panic(err)
	}
	// Scapy 2.5's bytes(IP(src="192.0.2.1", dst="198.51.100.2")/TCP()).
	fmt.Println(craft.Hex(b))
	fmt.Println(p.Command())
	// Output:
	// 450000280001000040068e98c0000201c633640200140050000000000000000050022000a3470000
	// IP(src="192.0.2.1", dst="198.51.100.2")/TCP()
}

func ExamplePacket_All() {
	// A packet set: every destination of the network, each port.
	p := craft.IP(craft.KV{Name: "dst", Value: "10.0.0.0/31"}).
		Div(craft.TCP(craft.KV{Name: "dport", Value: []any{80, 443}}))
	all, _ := p.All()
	for _, b := range all {
		q, _ := craft.Import("IP", b)
		s, _ := q.Summary()
		fmt.Println(s)
	}
	// Output:
	// IP / TCP 127.0.0.1:20 > 10.0.0.0:80 S
	// IP / TCP 127.0.0.1:20 > 10.0.0.0:443 S
	// IP / TCP 127.0.0.1:20 > 10.0.0.1:80 S
	// IP / TCP 127.0.0.1:20 > 10.0.0.1:443 S
}
