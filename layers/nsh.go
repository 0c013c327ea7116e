package layers

import (
	"strconv"

	"pktkit/packet"
)

// nshNextProtocols are NSH next protocol values with Scapy's names.
var nshNextProtocols = map[uint64]string{1: "IPv4", 2: "IPv6", 3: "Ethernet", 4: "NSH", 5: "MPLS",
	0xfe: "Experiment 1", 0xff: "Experiment 2"}

var nshMDTypes = map[uint64]string{0: "Reserved MDType", 1: "Fixed Length", 2: "Variable Length", 0xf: "Experimental MDType"}

func nshTLVData(l *packet.Layer) int { return int(l.Data[3] & 0x7f) }

// NSH context headers and metadata TLVs, list elements.
var (
	nshContext = packet.Register(&packet.Protocol{
		Name: "NSHContextHeader", Title: "NSH Context Header", Element: true,
		Fields: []*packet.Field{{Name: "value", WS: "nsh.contextheader", Type: packet.Bytes, Size: 4}},
	})
	nshTLV = packet.Register(&packet.Protocol{
		Name: "NSHTLV", Title: "NSHTLV", Element: true,
		Fields: []*packet.Field{
			{Name: "class_", WS: "nsh.metadataclass", Type: packet.Uint, Bits: 16},
			{Name: "type", WS: "nsh.metadatatype", Type: packet.Uint, Bits: 8},
			{Name: "reserved", WS: "nsh.metadataunassignedbit", Type: packet.Uint, Bits: 1, Base: packet.Hex, Digits: 2},
			{Name: "length", WS: "nsh.metadatalen", Type: packet.Uint, Bits: 7, Base: packet.Hex, Digits: 2, Auto: true},
			{Name: "metadata", WS: "nsh.metadata", Type: packet.Bytes, Len: nshTLVData},
			{Name: "padding", Type: packet.Bytes, Len: func(l *packet.Layer) int { return -nshTLVData(l) & 3 }},
		},
		Auto: func(b *packet.BuildLayer) { b.SetAuto("length", uint64(len(b.Value("metadata").B))) },
	})
	nshTLVBad = packet.Register(&packet.Protocol{
		Name: "NSHTLV_Malformed", Title: "NSHTLV (malformed)", Element: true,
		Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
	})
	// nshTLVShort is a TLV whose metadata runs past the header's length:
	// Wireshark still shows its first four bytes.
	nshTLVShort = packet.Register(&packet.Protocol{
		Name: "NSHTLV_Short", Title: "NSHTLV (cut short)", Element: true,
		Fields: []*packet.Field{
			{Name: "class_", WS: "nsh.metadataclass", Type: packet.Uint, Bits: 16},
			{Name: "type", WS: "nsh.metadatatype", Type: packet.Uint, Bits: 8},
			{Name: "reserved", WS: "nsh.metadataunassignedbit", Type: packet.Uint, Bits: 1, Base: packet.Hex, Digits: 2},
			{Name: "length", WS: "nsh.metadatalen", Type: packet.Uint, Bits: 7, Base: packet.Hex, Digits: 2},
			{Name: "load", Type: packet.Bytes, Len: rest},
		},
	})
)

func nshTLVElem(b []byte) *packet.Protocol {
	if len(b) < 4 {
		return nshTLVBad
	}
	n := int(b[3] & 0x7f)
	if 4+n+(-n&3) > len(b) {
		return nshTLVShort
	}
	return nshTLV
}

// nshWords is the header length in bytes from the length field.
func nshWords(l *packet.Layer) int { return int(l.Data[1]&0x3f) * 4 }

// NSH is the Network Service Header (RFC 8300), Scapy's NSH, after
// EtherType 0x894f, VXLAN-GPE or GRE. As in Wireshark, MD type (the whole
// byte) 1 carries four 4-byte context headers and its payload starts after
// them whatever the length says; MD type 2 carries metadata TLVs up to the
// length; other types carry length-8 bytes of unparsed context.
var NSH = packet.Register(&packet.Protocol{
	Name: "NSH", Abbrev: "nsh", Long: "Network Service Header",
	Fields: []*packet.Field{
		{Name: "ver", WS: "nsh.version", Type: packet.Uint, Bits: 2},
		{Name: "oam", WS: "nsh.Obit", Type: packet.Uint, Bits: 1},
		{Name: "unused1", WS: "nsh.CBit", Type: packet.Uint, Bits: 1},
		{Name: "ttl", WS: "nsh.ttl", Type: packet.Uint, Bits: 6, Default: 63, Base: packet.Hex, Digits: 4},
		{Name: "length", WS: "nsh.length", Type: packet.Uint, Bits: 6, Auto: true},
		{Name: "unused2", Type: packet.Uint, Bits: 4},
		{Name: "mdtype", Type: packet.Uint, Bits: 4, Default: 1, Enum: nshMDTypes},
		{Name: "nextproto", WS: "nsh.nextproto", Type: packet.Uint, Bits: 8, Default: 3, Enum: nshNextProtocols},
		{Name: "spi", WS: "nsh.spi", Type: packet.Uint, Bits: 24, Hex: true},
		{Name: "si", WS: "nsh.si", Type: packet.Uint, Bits: 8, Default: 255},
		{Name: "context_header", Type: packet.List, Elem: func([]byte) *packet.Protocol { return nshContext },
			Elems: []*packet.Protocol{nshContext}, Len: func(l *packet.Layer) int {
				if l.Data[2] == 1 {
					return 16
				}
				return 0
			}},
		{Name: "vlch", Type: packet.List, Elem: nshTLVElem, Elems: []*packet.Protocol{nshTLV, nshTLVShort, nshTLVBad},
			Len: func(l *packet.Layer) int {
				if l.Data[2] == 2 {
					return max(0, nshWords(l)-8)
				}
				return 0
			}},
		{Name: "context", Type: packet.Bytes, Len: func(l *packet.Layer) int {
			if l.Data[2] == 1 || l.Data[2] == 2 {
				return 0
			}
			return max(0, nshWords(l)-8)
		}},
	},
	Virtual: []*packet.Virtual{
		{WS: "nsh.mdtype", Type: packet.Uint, Bits: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[2])}, true
		}},
	},
	Keys: []string{"nextproto"},
	Check: func(l *packet.Layer) string {
		if l.Data[2] != 1 && nshWords(l) < 8 {
			return "NSH length is shorter than the base header"
		}
		return ""
	},
	Next: func(l *packet.Layer) *packet.Protocol {
		if l.Data[2] == 2 && nshTLVOverrun(l) {
			return nil // Wireshark stops at metadata past the captured bytes
		}
		return l.NextByKeys()
	},
	Summary: func(dst []byte, l *packet.Layer) []byte {
		dst = strconv.AppendUint(append(dst, "SPI: 0x"...), tunUint(l.Data[4:7]), 16)
		return strconv.AppendUint(append(dst, " - SI: "...), uint64(l.Data[7]), 10)
	},
	Auto: func(b *packet.BuildLayer) {
		n := uint64(b.HdrEnd-b.Start) / 4
		if b.Value("mdtype").U == 1 && b.Value("unused2").U == 0 {
			n = 6
		}
		b.SetAuto("length", n)
	},
})

// nshTLVOverrun reports whether walking the metadata TLVs as Wireshark
// does reads past the captured bytes.
func nshTLVOverrun(l *packet.Layer) bool {
	end := nshWords(l)
	for off := 8; off < end; {
		if off+4 > len(l.Data) {
			return true
		}
		n := int(l.Data[off+3] & 0x7f)
		if off+4+n > len(l.Data) {
			return true
		}
		off += 4 + n + (-n & 3)
	}
	return false
}

func init() {
	packet.Bind(Ether, "type", 0x894f, NSH)
	packet.Bind(NSH, "nextproto", 1, IP)
	packet.Bind(NSH, "nextproto", 3, Ether)
	packet.Bind(NSH, "nextproto", 4, NSH)
	if v6 := tunIPv6.get(); v6 != nil {
		packet.Bind(NSH, "nextproto", 2, v6)
	}
	if mpls := tunMPLS.get(); mpls != nil {
		packet.Bind(NSH, "nextproto", 5, mpls)
	}
	if gre := tunGRE.get(); gre != nil {
		packet.Bind(gre, "proto", 0x894f, NSH)
	}
	// VXLAN-GPE's next protocol 4: its table picks no NSH itself, so a
	// heuristic does for dissection and a binding for building.
	if gpe := tunVXLANGPE.get(); gpe != nil {
		packet.Bind(gpe, "NextProtocol", 4, NSH)
		packet.AddHeuristic(gpe, packet.Heuristic{Name: "nsh", Guess: func(l *packet.Layer, _ []byte) *packet.Protocol {
			if len(l.Data) >= 4 && l.Data[3] == 4 {
				return NSH
			}
			return nil
		}})
	}
}
