package layers

import (
	"pktkit/packet"
)

// tcpOpt declares a TCP option element: kind, length and the given value
// fields.
func tcpOpt(name, title string, kind uint64, fields ...*packet.Field) *packet.Protocol {
	fs := []*packet.Field{
		{Name: "kind", WS: "tcp.option_kind", Type: packet.Uint, Bits: 8, Default: kind, Enum: tcpOptNames},
		{Name: "len", WS: "tcp.option_len", Type: packet.Uint, Bits: 8, Auto: true},
	}
	return packet.Register(&packet.Protocol{
		Name: name, Title: title, Element: true, Fields: append(fs, fields...),
		Auto: tcpOptLenAuto,
	})
}

func tcpOptLenAuto(b *packet.BuildLayer) { b.SetAuto("len", uint64(b.HdrEnd-b.Start)) }

// optRest is the Len rule for an option's value: its length byte minus the
// two bytes of kind and length.
func optRest(l *packet.Layer) int { return int(l.Data[1]) - 2 }

var tcpOptNames = map[uint64]string{
	0: "EOL", 1: "NOP", 2: "MSS", 3: "WScale", 4: "SAckOK", 5: "SAck", 8: "Timestamp",
	14: "AltChkSum", 15: "AltChkSumOpt", 19: "MD5", 28: "UTO", 29: "AO", 30: "MPTCP", 34: "TFO",
}

// TCP option elements, one table per kind, with Scapy's option names.
var (
	tcpOptEOL = packet.Register(&packet.Protocol{
		Name: "TCPOpt_EOL", Title: "TCP Option EOL", Element: true,
		Fields: []*packet.Field{
			{Name: "kind", WS: "tcp.option_kind", Type: packet.Uint, Bits: 8, Enum: tcpOptNames},
			{Name: "pad", Type: packet.Bytes, Len: rest},
		},
	})
	tcpOptNOP = packet.Register(&packet.Protocol{
		Name: "TCPOpt_NOP", Title: "TCP Option NOP", Element: true,
		Fields: []*packet.Field{{Name: "kind", WS: "tcp.option_kind", Type: packet.Uint, Bits: 8, Default: 1, Enum: tcpOptNames}},
	})
	tcpOptMSS    = tcpOpt("TCPOpt_MSS", "TCP Option MSS", 2, &packet.Field{Name: "mss", WS: "tcp.options.mss_val", Type: packet.Uint, Bits: 16, Default: 1460})
	tcpOptWScale = tcpOpt("TCPOpt_WScale", "TCP Option Window Scale", 3, &packet.Field{Name: "shift", WS: "tcp.options.wscale.shift", Type: packet.Uint, Bits: 8})
	tcpOptSAckOK = tcpOpt("TCPOpt_SAckOK", "TCP Option SACK Permitted", 4)
	tcpOptSAck   = tcpOpt("TCPOpt_SAck", "TCP Option SACK", 5, &packet.Field{Name: "blocks", Type: packet.List,
		Elem: func([]byte) *packet.Protocol { return tcpSackBlock }, Elems: []*packet.Protocol{tcpSackBlock}, Len: optRest})
	tcpOptTS = tcpOpt("TCPOpt_Timestamp", "TCP Option Timestamp", 8,
		&packet.Field{Name: "tsval", WS: "tcp.options.timestamp.tsval", Type: packet.Uint, Bits: 32},
		&packet.Field{Name: "tsecr", WS: "tcp.options.timestamp.tsecr", Type: packet.Uint, Bits: 32})
	tcpOptTFO     = tcpOpt("TCPOpt_TFO", "TCP Option Fast Open", 34, &packet.Field{Name: "cookie", WS: "tcp.options.tfo.cookie", Type: packet.Bytes, Len: optRest})
	tcpOptMPTCP   = tcpOpt("TCPOpt_MPTCP", "TCP Option MPTCP", 30, &packet.Field{Name: "data", Type: packet.Bytes, Len: optRest})
	tcpOptGeneric = tcpOpt("TCPOpt_Unknown", "TCP Option", 255, &packet.Field{Name: "data", Type: packet.Bytes, Len: optRest})
	tcpOptBad     = packet.Register(&packet.Protocol{
		Name: "TCPOpt_Malformed", Title: "TCP Option (malformed)", Element: true,
		Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
	})
	tcpSackBlock = packet.Register(&packet.Protocol{
		Name: "TCPOpt_SAckBlock", Title: "SACK block", Element: true,
		Fields: []*packet.Field{
			{Name: "left", WS: "tcp.options.sack_le", Type: packet.Uint, Bits: 32},
			{Name: "right", WS: "tcp.options.sack_re", Type: packet.Uint, Bits: 32},
		},
	})
)

// tcpOptSizes are the lengths Wireshark requires of fixed-size options; an
// option of another length is kept as malformed raw bytes.
var tcpOptSizes = map[byte]byte{2: 4, 3: 3, 4: 2, 8: 10}

func tcpOptElem(b []byte) *packet.Protocol {
	switch b[0] {
	case 0:
		return tcpOptEOL
	case 1:
		return tcpOptNOP
	}
	if len(b) < 2 || b[1] < 2 || int(b[1]) > len(b) {
		return tcpOptBad
	}
	if n, ok := tcpOptSizes[b[0]]; ok && b[1] != n {
		return tcpOptGeneric
	}
	switch b[0] {
	case 2:
		return tcpOptMSS
	case 3:
		return tcpOptWScale
	case 4:
		return tcpOptSAckOK
	case 5:
		if (b[1]-2)%8 != 0 {
			return tcpOptGeneric
		}
		return tcpOptSAck
	case 8:
		return tcpOptTS
	case 30:
		return tcpOptMPTCP
	case 34:
		return tcpOptTFO
	}
	return tcpOptGeneric
}

var tcpFlagNames = []string{"F", "S", "R", "P", "A", "U", "E", "C", "N"}

var tcpSport, tcpDport *packet.Field

// tcpDataofs and tcpChksum are the TCP fields its Auto hook fills.
var tcpDataofs, tcpChksum *packet.Field

// TCP is the Transmission Control Protocol (RFC 9293), Scapy's TCP.
var TCP = packet.Register(&packet.Protocol{
	Name: "TCP", Abbrev: "tcp", Long: "Transmission Control Protocol",
	Fields: []*packet.Field{
		{Name: "sport", WS: "tcp.srcport", Type: packet.Uint, Bits: 16, Default: 20},
		{Name: "dport", WS: "tcp.dstport", Type: packet.Uint, Bits: 16, Default: 80},
		{Name: "seq", Type: packet.Uint, Bits: 32},
		{Name: "ack", Type: packet.Uint, Bits: 32},
		{Name: "dataofs", WS: "tcp.hdr_len", Type: packet.Uint, Bits: 4, WSMul: 4, Auto: true},
		{Name: "reserved", WS: "tcp.flags.res", Type: packet.Uint, Bits: 3},
		{Name: "flags", Type: packet.Uint, Bits: 9, Default: 2, Flags: tcpFlagNames, Base: packet.Hex,
			FlagWS: []string{"tcp.flags.fin", "tcp.flags.syn", "tcp.flags.reset", "tcp.flags.push",
				"tcp.flags.ack", "tcp.flags.urg", "tcp.flags.ece", "tcp.flags.cwr", "tcp.flags.ns"}},
		{Name: "window", WS: "tcp.window_size_value", Type: packet.Uint, Bits: 16, Default: 8192},
		{Name: "chksum", WS: "tcp.checksum", Type: packet.Uint, Bits: 16, Base: packet.Hex, Hex: true, Auto: true},
		{Name: "urgptr", WS: "tcp.urgent_pointer", Type: packet.Uint, Bits: 16},
		{Name: "options", Type: packet.List, Elem: tcpOptElem,
			Elems: []*packet.Protocol{tcpOptEOL, tcpOptNOP, tcpOptMSS, tcpOptWScale, tcpOptSAckOK, tcpOptSAck,
				tcpOptTS, tcpOptTFO, tcpOptMPTCP, tcpOptGeneric, tcpOptBad},
			Len: func(l *packet.Layer) int { return int(l.Data[12]>>4)*4 - 20 }},
	},
	Virtual: []*packet.Virtual{
		// Wireshark gives the raw sequence number only for TCP it analyses,
		// not for a header quoted in an ICMP error (there it shows tcp.seq).
		{WS: "tcp.seq_raw", Of: "seq", Type: packet.Uint, Bits: 32, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[4])<<24 | uint64(l.Data[5])<<16 | uint64(l.Data[6])<<8 | uint64(l.Data[7])}, !l.Quoted()
		}},
		{WS: "tcp.ack_raw", Of: "ack", Type: packet.Uint, Bits: 32, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[8])<<24 | uint64(l.Data[9])<<16 | uint64(l.Data[10])<<8 | uint64(l.Data[11])}, true
		}},
		{WS: "tcp.flags", Type: packet.Uint, Bits: 12, Base: packet.Hex, Digits: 4,
			Get: func(l *packet.Layer) (packet.Value, bool) {
				return packet.Value{U: (uint64(l.Data[12])<<8 | uint64(l.Data[13])) & 0xfff}, true
			}},
		{WS: "tcp.len", Type: packet.Uint, Bits: 32, Get: func(l *packet.Layer) (packet.Value, bool) {
			if l.Quoted() || l.Partial() {
				return packet.Value{}, false
			}
			n := l.Reported - l.HdrLen
			if n < 0 {
				return packet.Value{}, false
			}
			return packet.Value{U: uint64(n)}, true
		}},
	},
	Check: func(l *packet.Layer) string {
		if l.Data[12]>>4 < 5 {
			return "TCP data offset below 5"
		}
		return ""
	},
	Next: func(l *packet.Layer) *packet.Protocol { return portNext(l, tcpSport, tcpDport) },
	Summary: func(dst []byte, l *packet.Layer) []byte {
		dst = appendPorts(append(dst, "TCP "...), l)
		dst = append(dst, ' ')
		f := l.Proto.Field("flags")
		return append(dst, f.FlagString(l.Uint(f))...)
	},
	Auto: func(b *packet.BuildLayer) {
		h := b.Header()
		if !b.FieldIsSet(tcpDataofs) { // in place: this runs for every packet built
			h[12] = h[12]&0x0f | byte(len(h)/4)<<4
		}
		if b.FieldIsSet(tcpChksum) {
			return
		}
		h[16], h[17] = 0, 0
		n := b.End - b.Start
		s, ok := b.PseudoSum(6, n)
		if !ok {
			return
		}
		c := packet.Fold(packet.Sum(s, b.Bytes()))
		h[16], h[17] = byte(c>>8), byte(c)
	},
})

func init() {
	tcpSport, tcpDport = TCP.MustField("sport"), TCP.MustField("dport")
	tcpDataofs, tcpChksum = TCP.MustField("dataofs"), TCP.MustField("chksum")
	packet.Bind(IP, "proto", 6, TCP)
	packet.Alias("tcp.sport", "tcp.srcport")
	packet.Alias("tcp.dport", "tcp.dstport")
	packet.Alias("tcp.dataofs", "tcp.hdr_len")
	packet.Alias("tcp.window", "tcp.window_size_value")
	packet.Alias("tcp.chksum", "tcp.checksum")
	packet.Alias("tcp.urgptr", "tcp.urgent_pointer")
}
