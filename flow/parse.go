package flow

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"sync"

	"pktkit/layers"
	"pktkit/packet"
)

// Layer kinds the flow table looks at; everything else is passed over.
const (
	kOther uint8 = iota
	kIPv4
	kIPv6
	kIPv6Ext
	kIPv6Frag
	kTCP
	kUDP
	kICMP
	kICMPv6
	kVLAN
	kVNI // VXLAN, GENEVE: a 24-bit network identifier at bytes 4..6
)

var (
	kindOnce sync.Once
	kinds    []uint8
	needs    *packet.Needs
)

// initKinds classifies every registered protocol table once.
func initKinds() {
	kindOnce.Do(func() {
		ps := packet.Protocols()
		kinds = make([]uint8, packet.NumProtocols()+1)
		for _, p := range ps {
			if p.Element || p.ID() >= len(kinds) {
				continue
			}
			k := kOther
			switch {
			case p == layers.IP:
				k = kIPv4
			case p == layers.IPv6:
				k = kIPv6
			case p == layers.TCP:
				k = kTCP
			case p == layers.UDP:
				k = kUDP
			case p == layers.Dot1Q || p == layers.Dot1AD:
				k = kVLAN
			case p == layers.VXLAN || p == layers.GENEVE:
				k = kVNI
			case p.Name == "IPv6ExtHdrFragment":
				k = kIPv6Frag
			case strings.HasPrefix(p.Name, "IPv6ExtHdr"):
				k = kIPv6Ext
			case p.Abbrev == "icmp":
				k = kICMP
			case p.Abbrev == "icmpv6" || p.Chain == "icmpv6":
				k = kICMPv6
			}
			kinds[p.ID()] = k
		}
		var protos []*packet.Protocol
		for _, p := range ps {
			if id := p.ID(); id < len(kinds) && kinds[id] != kOther {
				protos = append(protos, p)
			}
		}
		needs = packet.NeedsFor(nil, protos...)
	})
}

func kindOf(p *packet.Protocol) uint8 {
	if id := p.ID(); id < len(kinds) {
		return kinds[id]
	}
	return kOther
}

// ends are the addresses and ports of one packet's flow, as sent.
type ends struct {
	// The addresses as big-endian halves (an IPv4 address fills the top
	// 32 bits of [0]), written and read as whole words.
	src, dst     [2]uint64
	sport, dport uint16
	proto        uint8
	v6           bool
}

// pktInfo is what the table reads from one packet.
type pktInfo struct {
	ends
	hasIP    bool
	frag     bool // a non-first fragment: no transport header
	ipLen    int  // length of the innermost IP packet (Zeek's ip_bytes)
	plen     int  // transport payload length (Zeek's bytes for UDP, ICMP)
	ctx      uint64
	flags    uint8 // TCP flags (FIN..CWR)
	seq, ack uint32
	win      uint16
	icmpType uint8
	icmpCode uint8
	icmpID   uint16
	badSum   bool
	stream   int32 // tshark stream number of the transport layer (-1: none)
	// pend is the layer index+1 of the transport layer (TCP, UDP) whose
	// stream number is still to be given (0: none): account numbers it
	// with the flow key's hash, or through the connection's remembered
	// conversation.
	pend int32

	// The quoted packet of an ICMP error (hasQuote set), as sent by the
	// side that caused the error.
	hasQuote bool
	quote    ends

	tl *packet.Layer // the transport layer (TCP, UDP, ICMP), for checksums
}

// TCP flag bits.
const (
	flFIN = 0x01
	flSYN = 0x02
	flRST = 0x04
	flPSH = 0x08
	flACK = 0x10
)

func be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }
func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// fold mixes a value into a hash.
func fold(h, v uint64) uint64 {
	h ^= v
	h *= 0x9E3779B97F4A7C15
	return h ^ h>>29
}

// ctxOf returns a direction-independent hash of a tunnel's outer
// addresses, used to key the flows it carries apart from other tunnels'.
// The outer ports are left out: UDP tunnels (VXLAN, GENEVE) pick a source
// port per inner flow and direction.
func ctxOf(e *ends) uint64 {
	// The halves as little-endian words of the address bytes (the
	// values of the first versions, so that Conn.Encap and UIDs stay).
	a0, a1 := bits.ReverseBytes64(e.src[0]), bits.ReverseBytes64(e.src[1])
	b0, b1 := bits.ReverseBytes64(e.dst[0]), bits.ReverseBytes64(e.dst[1])
	if a0 > b0 || a0 == b0 && a1 > b1 {
		a0, a1, b0, b1 = b0, b1, a0, a1
	}
	return fold(fold(fold(fold(uint64(e.proto)+1, a0), a1), b0), b1)
}

func le64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// parse reads the flow of p into pi and numbers its TCP and UDP layers
// (tshark's streams) through num, if set; the innermost flow's TCP or UDP
// layer is left to account to number (pktInfo.pend). It returns false if
// the packet has no IP layer.
func (t *Table) parse(p *packet.Packet, pi *pktInfo) bool {
	t.streams = t.streams[:0]
	t.outer = t.outer[:0]
	ls := p.LayersFor(needs)
	if !t.parseFast(ls, pi) {
		ok, check := t.parseLayers(ls, pi)
		if !check {
			return ok
		}
	}
	if pi.hasIP && t.cfg.Checksums && pi.tl != nil && !pi.frag {
		pi.badSum = badChecksum(pi, p)
	}
	return pi.hasIP
}

// parseFast reads the common stacks straight: link layers (VLAN tags
// included), one IPv4 or IPv6 header without extension headers, TCP or
// UDP, then only layers the table does not read: it sets all of pi at
// once. For anything else it returns false with pi untouched, and
// parseLayers reads the packet; the two read the same fields alike
// (vlanCtx, ipHeader, transportHeader).
func (t *Table) parseFast(ls []packet.Layer, pi *pktInfo) bool {
	var ctx uint64
	useCtx := !t.cfg.ZeekKeys
	i, n := 0, len(ls)
	var k uint8
	for ; i < n; i++ {
		l := &ls[i]
		k = kindOf(l.Proto)
		if k == kVLAN {
			if useCtx && len(l.Data) >= 2 {
				ctx = vlanCtx(ctx, l.Data)
			}
		} else if k != kOther {
			break
		}
	}
	if i+1 >= n || k != kIPv4 && k != kIPv6 {
		return false
	}
	ip, tl := &ls[i], &ls[i+1]
	tk := kindOf(tl.Proto)
	if tk != kTCP && tk != kUDP || k == kIPv4 && len(ip.Data) < 20 || k == kIPv6 && len(ip.Data) < 40 ||
		len(tl.Data) < 8 || tk == kTCP && len(tl.Data) < 20 {
		return false
	}
	for j := i + 2; j < n; j++ {
		if kindOf(ls[j].Proto) != kOther {
			return false
		}
	}
	*pi = pktInfo{hasIP: true, ctx: ctx, stream: -1, tl: tl}
	pi.ipLen, pi.frag = ipHeader(&pi.ends, ip, k)
	transportHeader(pi, tl, tk)
	if t.num != nil {
		pi.pend = int32(i + 2)
	}
	return true
}

// vlanCtx folds the VLAN id of an 802.1Q tag d into a key context.
func vlanCtx(ctx uint64, d []byte) uint64 { return fold(ctx, 0x10000|uint64(be16(d)&0xfff)) }

// ipHeader reads an IPv4 or IPv6 header l (kind k, its minimum length
// checked) into e (its addresses and protocol) and returns its length
// (Zeek's ip_bytes) and whether it is a non-first fragment.
func ipHeader(e *ends, l *packet.Layer, k uint8) (ipLen int, frag bool) {
	d := l.Data
	if k == kIPv4 {
		h := (*[20]byte)(d[:20])
		*e = ends{proto: h[9], src: [2]uint64{uint64(be32(h[12:16])) << 32}, dst: [2]uint64{uint64(be32(h[16:20])) << 32}}
		ipLen = int(be16(h[2:4]))
		if ipLen == 0 {
			ipLen = l.Reported
		}
		return ipLen, be16(h[6:8])&0x1fff != 0
	}
	h := (*[40]byte)(d[:40])
	*e = ends{proto: h[6], v6: true, src: [2]uint64{be64(h[8:16]), be64(h[16:24])}, dst: [2]uint64{be64(h[24:32]), be64(h[32:40])}}
	n := int(be16(h[4:6]))
	if n == 0 {
		n = l.Reported - 40
	}
	return 40 + n, false
}

// transportHeader reads the TCP or UDP header l (kind k, its minimum
// length checked) into pi: ports, protocol, payload length and, for TCP,
// sequence numbers, flags and window.
func transportHeader(pi *pktInfo, l *packet.Layer, k uint8) {
	d := l.Data
	h := (*[8]byte)(d[:8])
	pi.sport, pi.dport = be16(h[0:2]), be16(h[2:4])
	if k == kTCP {
		h := (*[20]byte)(d[:20])
		pi.proto = 6
		pi.seq, pi.ack = be32(h[4:8]), be32(h[8:12])
		pi.flags = h[13]
		pi.win = be16(h[14:16])
		pi.plen = max(l.Reported-l.HdrLen, 0)
		return
	}
	pi.proto = 17
	if n := int(be16(h[4:6])); n >= 8 {
		pi.plen = n - 8
	} else {
		pi.plen = max(l.Reported-8, 0)
	}
}

// parseLayers is parse's general loop, for any stack of layers: tunnels,
// IPv6 extension headers, ICMP errors and their quotes. It returns
// parse's result and whether the checksum is still to be checked.
func (t *Table) parseLayers(ls []packet.Layer, pi *pktInfo) (ok, check bool) {
	*pi = pktInfo{stream: -1}
	var cur *ends // addresses of the innermost IP layer so far (nil: none)
	quoted := false
	quoteTL := false // the quote's transport header was read
	useCtx := !t.cfg.ZeekKeys
	for i := range ls {
		l := &ls[i]
		k := kindOf(l.Proto)
		if k == kOther {
			continue
		}
		d := l.Data
		switch k {
		case kVLAN:
			if useCtx && !quoted && len(d) >= 2 {
				pi.ctx = vlanCtx(pi.ctx, d)
			}
		case kVNI:
			if useCtx && !quoted && len(d) >= 7 {
				pi.ctx = fold(pi.ctx, 0x2000000|uint64(d[4])<<16|uint64(d[5])<<8|uint64(d[6]))
			}
		case kIPv4, kIPv6:
			if pi.pend != 0 {
				t.numberPend(pi)
			}
			if k == kIPv4 && len(d) < 20 || k == kIPv6 && len(d) < 40 {
				return pi.hasIP && !quoted, false
			}
			if quoted {
				if pi.hasQuote {
					break // a quote within a quote
				}
				pi.hasQuote = true
				ipHeader(&pi.quote, l, k)
				cur = &pi.quote
				break
			}
			if pi.hasIP {
				// A tunnel. An outer UDP or TCP flow is a connection of
				// its own (as in Zeek); the outer addresses become context.
				if pi.tl != nil && (pi.proto == 6 || pi.proto == 17) && !pi.frag && len(t.outer) < 4 {
					t.outer = append(t.outer, *pi)
				}
				if useCtx {
					pi.ctx = fold(pi.ctx, ctxOf(&pi.ends))
				}
				pi.stream = -1
				pi.flags, pi.plen = 0, 0
			}
			pi.hasIP = true
			pi.tl = nil
			pi.ipLen, pi.frag = ipHeader(&pi.ends, l, k)
			cur = &pi.ends
		case kIPv6Ext, kIPv6Frag:
			if pi.pend != 0 {
				t.numberPend(pi)
			}
			if cur == nil || len(d) < 2 {
				break
			}
			if quoted {
				pi.quote.proto = d[0]
			} else {
				pi.proto = d[0]
			}
			if k == kIPv6Frag && len(d) >= 4 && be16(d[2:])>>3 != 0 && !quoted {
				pi.frag = true
			}
		case kTCP, kUDP:
			if pi.pend != 0 {
				t.numberPend(pi)
			}
			if cur == nil || len(d) < 8 || (k == kTCP && len(d) < 20) {
				break
			}
			if quoted {
				if t.num != nil {
					var flags uint8
					var seq uint32
					if k == kTCP {
						flags, seq = d[13], be32(d[4:])
					}
					t.number(cur, i, k == kTCP, be16(d), be16(d[2:]), flags, seq)
				}
				if pi.hasQuote && !quoteTL {
					quoteTL = true
					pi.quote.sport, pi.quote.dport = be16(d), be16(d[2:])
					if k == kTCP {
						pi.quote.proto = 6
					} else {
						pi.quote.proto = 17
					}
				}
				break
			}
			if t.num != nil {
				pi.pend = int32(i + 1)
			}
			pi.tl = l
			transportHeader(pi, l, k)
		case kICMP, kICMPv6:
			if pi.pend != 0 {
				t.numberPend(pi)
			}
			if cur == nil || quoted || len(d) < 4 {
				break
			}
			pi.tl = l
			if k == kICMP {
				pi.proto = 1
			} else {
				pi.proto = 58
			}
			pi.icmpType, pi.icmpCode = d[0], d[1]
			if len(d) >= 6 {
				pi.icmpID = be16(d[4:])
			}
			pi.plen = max(l.Reported-8, 0)
			// Whatever follows is the quoted packet of an error message.
			quoted = true
		}
	}
	return pi.hasIP, true
}

// number gives a stream number to a TCP segment (flags, seq) or UDP
// datagram from port sp to dp between the addresses of e, layer i of the
// packet, and appends it to the packet's streams.
func (t *Table) number(e *ends, i int, tcp bool, sp, dp uint16, flags uint8, seq uint32) int32 {
	proto := uint8(17)
	if tcp {
		proto = 6
	}
	var k convKey
	fwd := makeConvKey(&k, &e.src, &e.dst, sp, dp, proto, e.v6)
	ci, isNew := t.num.get(&k, k.hash())
	return t.numberAt(ci, isNew, i, fwd, tcp, flags, seq)
}

// numberAt numbers layer i with conversation ci (index+1; isNew if the
// lookup created it); fwd: the sender is end a of the conversation key.
func (t *Table) numberAt(ci uint32, isNew bool, i int, fwd, tcp bool, flags uint8, seq uint32) int32 {
	side := uint8(1)
	if fwd {
		side = 0
	}
	st, reused := t.num.number(ci, isNew, side, tcp, flags, seq)
	t.addStream(i, tcp, st, side, reused)
	return st
}

// addStream appends a stream number to the packet's. Field by field: a
// Stream built on the stack and copied would be read back with wide loads
// of its narrow stores, which stall.
func (t *Table) addStream(layer int, tcp bool, n int32, side uint8, reused bool) {
	i := len(t.streams)
	if i < cap(t.streams) {
		t.streams = t.streams[:i+1]
	} else {
		t.streams = append(t.streams, Stream{})
	}
	s := &t.streams[i]
	s.Layer, s.TCP, s.N, s.Side, s.Reused = layer, tcp, n, side, reused
}

// numberPend numbers the pending transport layer of pi (see pktInfo.pend)
// when it turns out not to be the flow's (a tunnel's outer UDP, say) or the
// packet is not accounted.
func (t *Table) numberPend(pi *pktInfo) {
	i := int(pi.pend - 1)
	pi.pend = 0
	pi.stream = t.number(&pi.ends, i, pi.proto == 6, pi.sport, pi.dport, pi.flags, pi.seq)
}

// numberMain numbers the pending transport layer of the flow pi with its
// conversation key k (hash h; fwd: the sender is end a): through known,
// the index+1 of the conversation its connection remembered, when that
// still holds k, else by lookup. It returns the conversation's index+1.
func (t *Table) numberMain(pi *pktInfo, k *convKey, h uint64, fwd bool, known uint32) uint32 {
	n := t.num
	ci := n.at(known, k)
	isNew := false
	if ci == 0 {
		ci, isNew = n.get(k, h)
	}
	side := uint8(1)
	if fwd {
		side = 0
	}
	tcp := pi.proto == 6
	st, reused := n.number(ci, isNew, side, tcp, pi.flags, pi.seq)
	t.addStream(int(pi.pend-1), tcp, st, side, reused)
	pi.stream, pi.pend = st, 0
	return ci
}

// badChecksum verifies the transport checksum as Zeek does (TCP, UDP with a
// non-zero checksum, ICMP, ICMPv6), when the whole segment was captured.
func badChecksum(pi *pktInfo, p *packet.Packet) bool {
	l := pi.tl
	if l.Reported > len(l.Data) || pi.frag || l.Partial() {
		return false // cut short by the snap length: cannot tell
	}
	d := l.Data
	var sum uint32
	switch pi.proto {
	case 17:
		if len(d) < 8 || be16(d[6:]) == 0 {
			return false
		}
		fallthrough
	case 6, 58:
		n := len(d)
		var src, dst [16]byte
		binary.BigEndian.PutUint64(src[:8], pi.src[0])
		binary.BigEndian.PutUint64(src[8:], pi.src[1])
		binary.BigEndian.PutUint64(dst[:8], pi.dst[0])
		binary.BigEndian.PutUint64(dst[8:], pi.dst[1])
		if pi.v6 {
			sum = packet.Sum(0, src[:])
			sum = packet.Sum(sum, dst[:])
			sum += uint32(n>>16) + uint32(n&0xffff) + uint32(pi.proto)
		} else {
			sum = packet.Sum(0, src[:4])
			sum = packet.Sum(sum, dst[:4])
			sum += uint32(n) + uint32(pi.proto)
		}
	case 1:
	default:
		return false
	}
	return packet.Fold(packet.Sum(sum, d)) != 0
}
