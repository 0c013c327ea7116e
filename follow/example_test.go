package follow_test

import (
	"fmt"
	"os"

	"pktkit/follow"
	"pktkit/packet"
	"pktkit/reassembly"
)

// Follow TCP stream 1 of a capture and print what the client sent.
func Example() {
	var c *follow.Conv
	err := follow.Walk("../testdata/sample.pcap", follow.Limits{}, nil, func(p *packet.Packet, s follow.Segment) {
		if s.UDP || s.Stream != 1 {
			return
		}
		if c == nil {
			c = follow.NewConv(s, reassembly.Config{}, nil)
		}
		c.Add(p, s)
	})
	if err != nil || c == nil {
		fmt.Println("no stream:", err)
		return
	}
	c.Close()
	fmt.Println(c.Nodes()[0], "->", c.Nodes()[1])
	c.Print(os.Stdout, "raw", 0)
	// Output:
	// 10.99.0.1:60934 -> 10.99.0.2:80
	//
	// ===================================================================
	// Follow: tcp,raw
	// Filter: tcp.stream eq 1
	// Node 0: 10.99.0.1:60934
	// Node 1: 10.99.0.2:80
	// 474554202f646174612e6a736f6e20485454502f312e310d0a486f73743a2031302e39392e302e320d0a557365722d4167656e743a206375726c2f372e38382e310d0a4163636570743a202a2f2a0d0a0d0a
	// ===================================================================
}
