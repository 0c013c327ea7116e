// Command gopacket-fields is the gopacket peer in pktkit's benchmark. It does
// the job of
//
//	pktkit fields FILE -e frame.number -e ip.src -e ip.dst \
//	    -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport
//
// with github.com/gopacket/gopacket: one tab-separated row per packet (frame
// number, IPv4 source and destination, TCP ports, UDP ports; an empty cell
// where the layer is absent), no header, written through a bufio.Writer to
// stdout.
//
// Usage:
//
//	gopacket-fields [-mode newpacket|dlp] [-decodeopts lazy,nocopy] FILE
//
// Files are read with pcapgo (no cgo, no libpcap); the format (pcap or
// pcapng) is chosen by the file's magic number. Packets are read with
// ZeroCopyReadPacketData, so the packet bytes are only valid until the next
// read; every row is finished before that.
//
// Modes:
//
//   - newpacket: gopacket.NewPacket(data, linktype, opts) per packet, with
//     opts = gopacket.DecodeOptions{Lazy: true, NoCopy: true} by default
//     (-decodeopts picks any of lazy, nocopy, skiprecovery, or "none" for
//     gopacket.Default). NoCopy is safe because the row is built before the
//     next read reuses the buffer; Lazy only decodes as far as asked, but
//     ranging over Layers() decodes the whole packet, which the job needs
//     (TCP/UDP are the deepest layers wanted). Every occurrence of a layer
//     is printed, comma-joined in packet order, as tshark and pktkit do
//     (e.g. IP-in-IP has two ip.src values).
//   - dlp: gopacket.NewDecodingLayerParser over preallocated Ethernet, Dot1Q,
//     IPv4, IPv6, TCP, UDP and Payload layers, IgnoreUnsupported = true, and
//     a reused decoded-types slice: the allocation-free path gopacket's docs
//     recommend for speed. A DecodingLayerParser holds one struct per layer
//     type, so a repeated layer (IP-in-IP) keeps only the last (innermost)
//     values; this mode prints each field at most once.
//
// Neither mode sees the IP/UDP header quoted inside an ICMP error (gopacket
// decodes ICMP's body as payload) nor the ports of the first fragment of a
// fragmented IP packet (gopacket hands fragments to LayerTypeFragment),
// which tshark and pktkit print; see bench/README.md.
//
// Formatting avoids fmt in the hot path: addresses go through
// netip.Addr.AppendTo and numbers through strconv.AppendUint into reused
// buffers.
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// source is what both pcapgo readers offer.
type source interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	LinkType() layers.LinkType
}

const pcapngMagic = 0x0A0D0D0A // section header block type, same in both byte orders

func open(path string) (source, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(f, 1<<20)
	magic, err := br.Peek(4)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	var src source
	if binary.LittleEndian.Uint32(magic) == pcapngMagic {
		src, err = pcapgo.NewNgReader(br, pcapgo.DefaultNgReaderOptions)
	} else {
		src, err = pcapgo.NewReader(br)
	}
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return src, f, nil
}

// Column indexes after frame.number.
const (
	ipSrc = iota
	ipDst
	tcpSrc
	tcpDst
	udpSrc
	udpDst
	nCols
)

// row holds one packet's cells; buffers are reused from packet to packet.
type row struct {
	cells [nCols][]byte
}

func (r *row) reset() {
	for i := range r.cells {
		r.cells[i] = r.cells[i][:0]
	}
}

// sep starts a new occurrence in cell i (comma-joined, as tshark's
// -E occurrence=a -E aggregator=,).
func (r *row) sep(i int) {
	if len(r.cells[i]) > 0 {
		r.cells[i] = append(r.cells[i], ',')
	}
}

func (r *row) addIPv4(src, dst net.IP) {
	if len(src) != 4 || len(dst) != 4 {
		return
	}
	r.sep(ipSrc)
	r.cells[ipSrc] = netip.AddrFrom4([4]byte(src)).AppendTo(r.cells[ipSrc])
	r.sep(ipDst)
	r.cells[ipDst] = netip.AddrFrom4([4]byte(dst)).AppendTo(r.cells[ipDst])
}

func (r *row) addPorts(s, d int, sp, dp uint16) {
	r.sep(s)
	r.cells[s] = strconv.AppendUint(r.cells[s], uint64(sp), 10)
	r.sep(d)
	r.cells[d] = strconv.AppendUint(r.cells[d], uint64(dp), 10)
}

// appendTo appends "frame\tc1\t...\tc6\n" to dst.
func (r *row) appendTo(dst []byte, frame uint64) []byte {
	dst = strconv.AppendUint(dst, frame, 10)
	for i := range r.cells {
		dst = append(dst, '\t')
		dst = append(dst, r.cells[i]...)
	}
	return append(dst, '\n')
}

func parseDecodeOpts(s string) (gopacket.DecodeOptions, error) {
	var o gopacket.DecodeOptions
	for _, f := range strings.Split(s, ",") {
		switch strings.TrimSpace(f) {
		case "", "none", "default":
		case "lazy":
			o.Lazy = true
		case "nocopy":
			o.NoCopy = true
		case "skiprecovery":
			o.SkipDecodeRecovery = true
		default:
			return o, fmt.Errorf("unknown decode option %q (want lazy, nocopy, skiprecovery, none)", f)
		}
	}
	return o, nil
}

type stats struct {
	packets, decodeErrors uint64
}

func runNewPacket(src source, w *bufio.Writer, opts gopacket.DecodeOptions) (stats, error) {
	var st stats
	var r row
	buf := make([]byte, 0, 256)
	lt := src.LinkType()
	for {
		data, _, err := src.ZeroCopyReadPacketData()
		if err == io.EOF {
			return st, nil
		}
		if err != nil {
			return st, err
		}
		st.packets++
		p := gopacket.NewPacket(data, lt, opts)
		r.reset()
		for _, l := range p.Layers() {
			switch l := l.(type) {
			case *layers.IPv4:
				r.addIPv4(l.SrcIP, l.DstIP)
			case *layers.TCP:
				r.addPorts(tcpSrc, tcpDst, uint16(l.SrcPort), uint16(l.DstPort))
			case *layers.UDP:
				r.addPorts(udpSrc, udpDst, uint16(l.SrcPort), uint16(l.DstPort))
			}
		}
		if p.ErrorLayer() != nil {
			st.decodeErrors++
		}
		buf = r.appendTo(buf[:0], st.packets)
		if _, err := w.Write(buf); err != nil {
			return st, err
		}
	}
}

func runDLP(src source, w *bufio.Writer) (stats, error) {
	var st stats
	if lt := src.LinkType(); lt != layers.LinkTypeEthernet {
		return st, fmt.Errorf("dlp mode decodes Ethernet captures only (link type %d)", lt)
	}
	var (
		eth     layers.Ethernet
		dot1q   layers.Dot1Q
		ip4     layers.IPv4
		ip6     layers.IPv6
		tcp     layers.TCP
		udp     layers.UDP
		payload gopacket.Payload
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet,
		&eth, &dot1q, &ip4, &ip6, &tcp, &udp, &payload)
	parser.IgnoreUnsupported = true
	decoded := make([]gopacket.LayerType, 0, 16)
	var r row
	buf := make([]byte, 0, 256)
	for {
		data, _, err := src.ZeroCopyReadPacketData()
		if err == io.EOF {
			return st, nil
		}
		if err != nil {
			return st, err
		}
		st.packets++
		// On error, decoded still lists the layers decoded before it.
		if err := parser.DecodeLayers(data, &decoded); err != nil {
			st.decodeErrors++
		}
		r.reset()
		var seen4, seenT, seenU bool
		for _, t := range decoded {
			switch t {
			case layers.LayerTypeIPv4:
				if !seen4 {
					seen4 = true
					r.addIPv4(ip4.SrcIP, ip4.DstIP)
				}
			case layers.LayerTypeTCP:
				if !seenT {
					seenT = true
					r.addPorts(tcpSrc, tcpDst, uint16(tcp.SrcPort), uint16(tcp.DstPort))
				}
			case layers.LayerTypeUDP:
				if !seenU {
					seenU = true
					r.addPorts(udpSrc, udpDst, uint16(udp.SrcPort), uint16(udp.DstPort))
				}
			}
		}
		buf = r.appendTo(buf[:0], st.packets)
		if _, err := w.Write(buf); err != nil {
			return st, err
		}
	}
}

func main() {
	mode := flag.String("mode", "dlp", "decoding path: newpacket or dlp")
	dopts := flag.String("decodeopts", "lazy,nocopy", "newpacket mode: gopacket.DecodeOptions to set (lazy, nocopy, skiprecovery; none = gopacket.Default)")
	verbose := flag.Bool("v", false, "print packet and decode-error counts to stderr")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [-mode newpacket|dlp] [-decodeopts LIST] [-v] FILE\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	opts, err := parseDecodeOpts(*dopts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gopacket-fields:", err)
		os.Exit(2)
	}
	src, closer, err := open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gopacket-fields:", err)
		os.Exit(1)
	}
	defer closer.Close()
	w := bufio.NewWriterSize(os.Stdout, 1<<16)
	var st stats
	switch *mode {
	case "newpacket":
		st, err = runNewPacket(src, w, opts)
	case "dlp":
		st, err = runDLP(src, w)
	default:
		fmt.Fprintf(os.Stderr, "gopacket-fields: unknown mode %q (want newpacket or dlp)\n", *mode)
		os.Exit(2)
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if *verbose {
		fmt.Fprintf(os.Stderr, "gopacket-fields: mode %s: %d packets, %d with decode errors\n", *mode, st.packets, st.decodeErrors)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gopacket-fields:", err)
		os.Exit(1)
	}
}
