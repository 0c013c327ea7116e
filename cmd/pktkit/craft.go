package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"pktkit/capture"
	"pktkit/craft"
	"pktkit/craft/script"
	"pktkit/packet"
)

func init() {
	register(&command{
		name:    "craft",
		summary: "build packets from a Scapy expression",
		usage: `Usage: pktkit craft EXPR [--show | --show2 | --hex | --hexdump | --base64 | --command | --summary] [-w FILE]

Evaluates EXPR, a Scapy expression (Starlark syntax: keyword arguments,
strings, b"..." bytes, lists, tuples, hex literals), and prints or writes the
packets it describes. Layers stack with '/'; every field has Scapy's default;
lengths, checksums and next-protocol numbers are computed unless set (a value
you set is kept, even a wrong one). A field given a list, a (low, high) range
or a CIDR network ("10.0.0.0/30") makes a set of packets, in Scapy's order.
A list of packets is accepted too. Builtins: bytes(p), len(p), hex(p),
base64(p), hexdump(p), import_hex(s), import_base64(s), import_hexdump(s)
(bytes; Class(bytes) dissects them), fuzz(p, seed=0, count=0), RawVal(b).

Unset addresses are filled as Scapy does: IP/IPv6 src from the route to dst
(the host's routing table), Ether src from the MAC of the interface on that
route, Ether dst from the neighbour (ARP) table for the next hop, else
ff:ff:ff:ff:ff:ff. Set them for reproducible bytes.

Output (one mode; without -w the default is --summary):
  --summary   one line per packet
  --show      the fields as given, auto fields as None (per expression)
  --show2     the fields after building (per packet)
  --hex       each packet's bytes as one lowercase hex string per line
  --hexdump   Scapy's hexdump layout, a blank line between packets
  --base64    each packet's bytes in base64, one per line
  --command   the expression that recreates the packet (per expression)
-w FILE writes the packets as pcap ('-' for standard output); nothing is
written if any packet fails to build.

Examples:
  pktkit craft 'IP(dst="10.0.0.1")/TCP(dport=443, flags="S")' --hex
  pktkit craft 'IP(dst="10.0.0.0/30")/TCP(dport=[80,443],flags="S")' -w out.pcap
  pktkit craft 'Ether()/IP(dst="192.0.2.1")/UDP()/DNS(qd=DNSQR(qname="example.com"))' --show2
  pktkit craft 'IP(src="192.0.2.1", dst="192.0.2.2")/ICMP(type="echo-request")/b"ping"' --hexdump
  pktkit craft 'Ether(import_hex("ffffffffffff0011223344550806..."))' --show2
  pktkit craft 'fuzz(IP(dst="192.0.2.1")/UDP(dport=53)/DNS(), seed=1, count=100)' -w fuzz.pcap
`,
		run: runCraft,
	})
}

// maxCraft bounds the packets one craft builds; maxPrint those it prints
// or writes to standard output (held in memory so that nothing is output
// if one fails to build).
const (
	maxCraft = 1 << 24
	maxPrint = 1 << 22
)

func runCraft(args []string, stdout io.Writer) error {
	c := commandByName("craft")
	fs := flags(c, stdout)
	out := fs.String("w", "", "write pcap to `FILE` ('-' for standard output)")
	modes := map[string]*bool{}
	for _, m := range []string{"show", "show2", "hex", "hexdump", "base64", "command", "summary"} {
		modes[m] = fs.Bool(m, false, "print "+m)
	}
	pos, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("craft takes one expression, got %d arguments (quote the expression)", len(pos))
	}
	mode := ""
	for m, on := range modes {
		if *on {
			if mode != "" {
				return usagef("choose one of --%s and --%s", mode, m)
			}
			mode = m
		}
	}
	if mode == "" && *out == "" {
		mode = "summary"
	}
	if mode != "" && *out == "-" {
		return usagef("-w - writes pcap to standard output; it cannot be combined with --%s", mode)
	}
	pkts, err := script.Eval(pos[0])
	if err != nil {
		return err
	}
	total := 0
	for _, p := range pkts {
		total += p.Count()
		if total > maxCraft {
			return fmt.Errorf("the expression describes more than %d packets; split it", maxCraft)
		}
	}
	craft.FillSources(pkts)
	if mode == "" && *out != "-" {
		// Straight to a temporary file, renamed into place at the end.
		return streamCraft(*out, pkts)
	}
	if total > maxPrint {
		return fmt.Errorf("the expression describes %d packets; at most %d can be printed or written to standard output (write a file with -w)", total, maxPrint)
	}
	// Build everything first: nothing is printed or written if a packet
	// fails to build.
	var frames [][]byte
	var links []uint32
	var buf []byte
	for _, p := range pkts {
		b, err := p.Builder()
		if err != nil {
			return err
		}
		for {
			start := len(buf)
			var ok bool
			buf, ok, err = b.Next(buf)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			frames = append(frames, buf[start:len(buf):len(buf)])
			links = append(links, p.LinkType())
		}
	}
	bw := bufio.NewWriterSize(stdout, 1<<16)
	if err := printCraft(bw, mode, pkts, frames, links); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if *out != "" {
		return writeCraft(*out, stdout, pkts, frames)
	}
	return nil
}

func printCraft(w *bufio.Writer, mode string, pkts []*craft.Packet, frames [][]byte, links []uint32) error {
	switch mode {
	case "show":
		for _, p := range pkts {
			w.WriteString(p.Show())
		}
	case "command":
		for _, p := range pkts {
			w.WriteString(p.Command())
			w.WriteByte('\n')
		}
	}
	if mode == "show" || mode == "command" || mode == "" {
		return nil
	}
	hexbuf := make([]byte, 0, 256)
	for i, f := range frames {
		switch mode {
		case "hex":
			hexbuf = append(hexbuf[:0], craft.Hex(f)...)
			hexbuf = append(hexbuf, '\n')
			w.Write(hexbuf)
		case "base64":
			w.WriteString(craft.Base64(f))
			w.WriteByte('\n')
		case "hexdump":
			if i > 0 {
				w.WriteByte('\n')
			}
			w.WriteString(craft.Hexdump(f))
		case "summary", "show2":
			dp := packetFor(pkts, frames, i, f, links[i])
			if mode == "summary" {
				w.WriteString(dp.Summary())
				w.WriteByte('\n')
			} else {
				w.WriteString(dp.ShowString())
			}
		}
	}
	return nil
}

// packetFor dissects frame i from the first protocol of the expression
// that made it.
func packetFor(pkts []*craft.Packet, frames [][]byte, i int, f []byte, link uint32) *packet.Packet {
	n := 0
	for _, p := range pkts {
		n += p.Count()
		if i < n {
			return p.Dissect(f)
		}
	}
	return packet.New(f, link)
}

// streamCraft builds the packets one by one into a temporary pcap file
// next to path, renamed to path once all are built.
func streamCraft(path string, pkts []*craft.Packet) error {
	link, err := fileLink(pkts)
	if err != nil {
		return err
	}
	return atomicWrite(path, func(w io.Writer) error {
		pw, err := capture.NewPcapWriter(w, capture.LinkType(link), 262144, false)
		if err != nil {
			return err
		}
		ts := time.Now().UnixNano()
		n := 0
		var buf []byte
		for _, p := range pkts {
			b, err := p.Builder()
			if err != nil {
				return err
			}
			for {
				var ok bool
				buf, ok, err = b.Next(buf[:0])
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				n++
				rec := capture.Record{Timestamp: ts, CapLen: len(buf), OrigLen: len(buf), LinkType: capture.LinkType(link), Data: buf}
				if err := pw.WriteRecord(&rec); err != nil {
					return err
				}
			}
		}
		return pw.Flush()
	})
}

// atomicWrite writes a file through a temporary file renamed into place,
// so that a failure leaves nothing behind.
func atomicWrite(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".craft-*.pcap")
	if err != nil {
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	_ = tmp.Chmod(0o644)
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// writeCraft writes the frames as pcap, through a temporary file renamed
// into place so that a failure leaves no partial file.
func writeCraft(path string, stdout io.Writer, pkts []*craft.Packet, frames [][]byte) error {
	link, err := fileLink(pkts)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error {
		pw, err := capture.NewPcapWriter(w, capture.LinkType(link), 262144, false)
		if err != nil {
			return err
		}
		ts := time.Now().UnixNano()
		for _, f := range frames {
			rec := capture.Record{Timestamp: ts, CapLen: len(f), OrigLen: len(f), LinkType: capture.LinkType(link), Data: f}
			if err := pw.WriteRecord(&rec); err != nil {
				return err
			}
		}
		return pw.Flush()
	}
	if path == "-" {
		return write(stdout)
	}
	return atomicWrite(path, write)
}

// fileLink is the link type of a pcap file holding the packets: that of
// their first layer, raw IP (101) for a mix of IPv4 and IPv6 as Scapy's
// wrpcap writes, or an error for other mixes.
func fileLink(pkts []*craft.Packet) (uint32, error) {
	if len(pkts) == 0 {
		return 1, nil
	}
	link := pkts[0].LinkType()
	for i, p := range pkts[1:] {
		l := p.LinkType()
		switch {
		case l == link:
		case (l == 228 || l == 229) && (link == 228 || link == 229 || link == 101):
			link = 101
		default:
			return 0, fmt.Errorf("expression %d starts with another link layer (%d) than the first (%d): a pcap file holds one link type", i+2, l, link)
		}
	}
	return link, nil
}
