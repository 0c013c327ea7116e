package layers

import (
	"encoding/binary"
	"math"
	"strconv"

	"pktkit/packet"
)

// rtField is the alignment and size of a radiotap field (radiotap.org's
// table), indexed by its present bit. Size 0 means the field's layout is
// not known here: the walk stops there.
var rtField = [29]struct{ align, size int }{
	0: {8, 8}, 1: {1, 1}, 2: {1, 1}, 3: {2, 4}, 4: {1, 2}, 5: {1, 1}, 6: {1, 1}, 7: {2, 2},
	8: {2, 2}, 9: {2, 2}, 10: {1, 1}, 11: {1, 1}, 12: {1, 1}, 13: {1, 1}, 14: {2, 2}, 15: {2, 2},
	16: {1, 1}, 17: {1, 1}, 18: {4, 8}, 19: {1, 3}, 20: {4, 8}, 21: {2, 12}, 22: {8, 12},
	23: {2, 12}, 24: {2, 12}, 25: {2, 6}, 26: {1, 1}, 27: {2, 4},
}

// Radiotap present bits with a special meaning.
const (
	rtBitFlags   = 1
	rtBitRadioNS = 29 // the next bitmap is in the radiotap namespace
	rtBitVendor  = 30 // the next bitmap is in a vendor namespace
	rtBitExt     = 31 // another bitmap follows
	rtFlagFCS    = 0x10
)

// rtPresentNames are Scapy's names of the present bits.
var rtPresentNames = []string{"TSFT", "Flags", "Rate", "Channel", "FHSS", "dBm_AntSignal",
	"dBm_AntNoise", "Lock_Quality", "TX_Attenuation", "dB_TX_Attenuation", "dBm_TX_Power",
	"Antenna", "dB_AntSignal", "dB_AntNoise", "RXFlags", "TXFlags", "b16", "b17", "b18", "MCS",
	"A_MPDU", "VHT", "timestamp", "HE", "HE_MU", "HE_MU_other_user", "zero_length_psdu", "L_SIG",
	"TLV", "RadiotapNS", "VendorNS", "Ext"}

// rtPresentWS are Wireshark's names of the present bits.
var rtPresentWS = []string{"radiotap.present.tsft", "radiotap.present.flags", "radiotap.present.rate",
	"radiotap.present.channel", "radiotap.present.fhss", "radiotap.present.dbm_antsignal",
	"radiotap.present.dbm_antnoise", "radiotap.present.lock_quality", "radiotap.present.tx_attenuation",
	"radiotap.present.db_tx_attenuation", "radiotap.present.dbm_tx_power", "radiotap.present.antenna",
	"radiotap.present.db_antsignal", "radiotap.present.db_antnoise", "radiotap.present.rxflags",
	"radiotap.present.txflags", "", "radiotap.present.data_retries", "radiotap.present.xchannel",
	"radiotap.present.mcs", "radiotap.present.ampdu", "radiotap.present.vht", "radiotap.present.timestamp",
	"radiotap.present.he", "radiotap.present.he_mu", "", "radiotap.present.0_length.psdu", "radiotap.present.l_sig",
	"radiotap.present.tlv", "radiotap.present.rtap_ns", "radiotap.present.vendor_ns", "radiotap.present.ext"}

// rtPresentField declares a present bitmap (the first, or an extended one).
func rtPresentField(ws []string) *packet.Field {
	return &packet.Field{Name: "present", WS: "radiotap.present.word", Type: packet.Uint, Bits: 32, Little: true,
		Flags: rtPresentNames, FlagWS: ws, Base: packet.Hex, Hex: true}
}

// rtExtFresh reports whether an extended bitmap starts the radiotap
// namespace afresh (bit 29 of the bitmap before it): only then does
// Wireshark name its bits.
func rtExtFresh(l *packet.Layer) bool {
	c := l.Container()
	i := l.Off - c.Off
	return c != l && i >= 8 && i <= len(c.Data) && c.Data[i-1]&0x20 != 0
}

// rtExtBits declares the Wireshark names of an extended bitmap's bits.
func rtExtBits() []*packet.Virtual {
	var vs []*packet.Virtual
	for bit, ws := range rtPresentWS {
		if ws == "" {
			continue
		}
		vs = append(vs, &packet.Virtual{WS: ws, Type: packet.Uint, Bits: 1, Get: func(l *packet.Layer) (packet.Value, bool) {
			// The namespace and extension bits are named in every bitmap.
			return packet.Value{U: uint64(binary.LittleEndian.Uint32(l.Data) >> bit & 1)}, bit >= rtBitRadioNS || rtExtFresh(l)
		}})
	}
	return vs
}

// RadioTapExtPresent is an extended present bitmap (bit 31 of the one
// before it is set).
var RadioTapExtPresent = packet.Register(&packet.Protocol{
	Name: "RadioTapExtendedPresenceMask", Title: "RadioTap Extended presence mask", Element: true,
	Fields:  []*packet.Field{rtPresentField(nil)},
	Virtual: rtExtBits(),
})

// rtExtLen returns the byte length of the extended bitmaps after the
// first one (it may run past the data: the engine reports the truncation).
func rtExtLen(l *packet.Layer) int {
	n := 0
	for o := 4; o+4 <= len(l.Data) && l.Data[o+3]&0x80 != 0; o += 4 {
		n += 4
	}
	return n
}

// rtHdrLen returns the radiotap length field.
func rtHdrLen(l *packet.Layer) int { return int(binary.LittleEndian.Uint16(l.Data[2:])) }

// rtWalk visits the fields of the radiotap namespaces of a radiotap
// header d (its captured bytes), in order, walking the bitmaps with the
// alignment rules: visit gets the namespace's number, the present bit and
// the field's offset, and returns false to stop. The walk gives up at a
// field of unknown layout, a field cut off, or a vendor namespace.
func rtWalk(d []byte, visit func(ns, bit, off int) bool) {
	if len(d) < 8 {
		return
	}
	end := min(int(binary.LittleEndian.Uint16(d[2:])), len(d))
	// Count the bitmaps first: the fields start after the last one.
	nw := 1
	for 4*nw+4 <= end && d[4*nw+3]&0x80 != 0 {
		nw++
	}
	off := 4 + 4*nw
	if off > end {
		return // the last bitmap announced is cut off
	}
	fresh := true // the bitmap is the start of the radiotap namespace
	ns := 0
	for w := 0; w < nw; w++ {
		pr := binary.LittleEndian.Uint32(d[4+4*w:])
		if !fresh {
			// Bits 32 and up of the namespace (or a vendor's):
			// fields of unknown layout if any is present.
			if pr&(1<<rtBitRadioNS-1) != 0 {
				return
			}
		} else {
			for b := 0; b < len(rtField); b++ {
				if pr&(1<<b) == 0 {
					continue
				}
				f := rtField[b]
				if f.size == 0 {
					return
				}
				off = (off + f.align - 1) &^ (f.align - 1)
				if off+f.size > end || !visit(ns, b, off) {
					return
				}
				off += f.size
			}
		}
		if pr&(1<<rtBitVendor) != 0 {
			return
		}
		fresh = pr&(1<<rtBitRadioNS) != 0
		if fresh {
			ns++
		}
	}
}

// rtFind returns the offset of the first field with present bit bit in
// the radiotap layer l, or -1.
func rtFind(l *packet.Layer, bit int) int {
	o := -1
	rtWalk(l.Data, func(_, b, off int) bool {
		if b == bit {
			o = off
			return false
		}
		return true
	})
	return o
}

// rtNSStart returns where a namespace element starts in its radiotap
// header, and that header; ok is false for an element seen without its
// packet.
func rtNSStart(l *packet.Layer) (c *packet.Layer, base int, ok bool) {
	c = l.Container()
	if c == l || c.Proto.Abbrev != "radiotap" {
		return nil, 0, false
	}
	base = l.Off - c.Off
	return c, base, base >= 8 && base <= len(c.Data)
}

// rtNSLen is the length of a namespace element: up to the end of the last
// field of the namespace it starts in (the last one runs to the end of the
// header, as do fields past a walk's end).
func rtNSLen(l *packet.Layer) int {
	c, base, ok := rtNSStart(l)
	if !ok {
		return packet.Rest
	}
	hdr := min(rtHdrLen(c), len(c.Data))
	end, cur := -1, -1
	rtWalk(c.Data, func(ns, b, off int) bool {
		f := rtField[b]
		if off+f.size <= base {
			return true
		}
		if cur >= 0 && ns != cur {
			return false // the next namespace: stop before it
		}
		cur, end = ns, off+f.size
		return true
	})
	if end < 0 || end <= base {
		return max(hdr-base, 0)
	}
	// The last namespace element takes the header's remaining bytes.
	last := true
	rtWalk(c.Data, func(_, _, off int) bool {
		if off >= end {
			last = false
			return false
		}
		return true
	})
	if last {
		end = hdr
	}
	return end - base
}

// rtFindIn returns the offset, within a namespace element, of its field
// with present bit bit, or -1.
func rtFindIn(l *packet.Layer, bit int) int {
	c, base, ok := rtNSStart(l)
	if !ok {
		return -1
	}
	o := -1
	rtWalk(c.Data, func(_, b, off int) bool {
		if off >= base+len(l.Data) {
			return false
		}
		if b == bit && off >= base {
			o = off - base
			return false
		}
		return true
	})
	if o >= 0 && o+rtField[bit].size > len(l.Data) {
		return -1
	}
	return o
}

// rtFlags returns the radiotap Flags field, if present.
func rtFlags(l *packet.Layer) (byte, bool) {
	o := rtFind(l, rtBitFlags)
	if o < 0 {
		return 0, false
	}
	return l.Data[o], true
}

// rtVirtual declares a Wireshark field read from a radiotap field: width
// bytes at sub bytes into the field of present bit bit, little-endian, masked
// and shifted.
func rtVirtual(ws string, bit, sub, width int, mask uint64, typ packet.Type, base packet.Base, digits int) *packet.Virtual {
	shift := 0
	for mask != 0 && mask>>shift&1 == 0 {
		shift++
	}
	return &packet.Virtual{WS: ws, Type: typ, Bits: width * 8, Base: base, Digits: digits,
		Get: func(l *packet.Layer) (packet.Value, bool) {
			o := rtFindIn(l, bit)
			if o < 0 || o+sub+width > len(l.Data) {
				return packet.Value{}, false
			}
			var u uint64
			for i := width - 1; i >= 0; i-- {
				u = u<<8 | uint64(l.Data[o+sub+i])
			}
			if mask != 0 {
				u = u & mask >> shift
			}
			if typ == packet.Int {
				u = uint64(int64(int8(u)))
			}
			return packet.Value{U: u}, true
		}}
}

// rtBool declares a one-bit Wireshark field of a radiotap field.
func rtBool(ws string, bit, width int, mask uint64) *packet.Virtual {
	return rtVirtual(ws, bit, 0, width, mask, packet.Uint, packet.Dec, 0)
}

// rtRates are the data rates as tshark prints radiotap.datarate (Mb/s, in
// units of 500 kb/s on the wire).
var rtRates = func() (r [256][]byte) {
	for i := range r {
		s := strconv.Itoa(i / 2)
		if i%2 == 1 {
			s += ".5"
		}
		r[i] = []byte(s)
	}
	return
}()

// rtHTRates are the HT data rates as tshark prints them (Mb/s rounded to
// 0.1), by MCS index (0–31: one to four equal streams), 40 MHz and short
// guard interval.
var rtHTRates = func() (r [32][2][2][]byte) {
	bits := [2][8]float64{{26, 52, 78, 104, 156, 208, 234, 260}, {54, 108, 162, 216, 324, 432, 486, 540}}
	for m := range r {
		for bw := range 2 {
			for gi := range 2 {
				sym := 4.0
				if gi == 1 {
					sym = 3.6
				}
				v := math.Round(bits[bw][m%8]*float64(m/8+1)/sym*10) / 10
				r[m][bw][gi] = []byte(strconv.FormatFloat(v, 'f', -1, 64))
			}
		}
	}
	return
}()

// rtDataRate is radiotap.datarate: the Rate field, or the rate of the MCS
// field's index, bandwidth and guard interval.
func rtDataRate(l *packet.Layer) (packet.Value, bool) {
	if o := rtFindIn(l, 2); o >= 0 {
		return packet.Value{B: rtRates[l.Data[o]]}, true
	}
	o := rtFindIn(l, 19)
	if o < 0 {
		return packet.Value{}, false
	}
	known, flags, idx := l.Data[o], l.Data[o+1], l.Data[o+2]
	if known&0x02 == 0 || idx >= 32 {
		return packet.Value{}, false
	}
	bw, gi := 0, 0
	if known&0x01 != 0 && flags&3 == 1 {
		bw = 1
	}
	if known&0x04 != 0 {
		gi = int(flags >> 2 & 1)
	}
	return packet.Value{B: rtHTRates[idx][bw][gi]}, true
}

// RadioTapNamespace holds the fields of one radiotap namespace (the
// first, and one more per antenna when bit 29 starts the namespace again),
// read by their Wireshark names.
var RadioTapNamespace = packet.Register(&packet.Protocol{
	Name: "RadioTapNamespace", Title: "RadioTap namespace", Element: true,
	Fields: []*packet.Field{{Name: "data", Type: packet.Bytes, Len: rtNSLen}},
	Virtual: []*packet.Virtual{
		rtVirtual("radiotap.mactime", 0, 0, 8, 0, packet.Uint, packet.Dec, 0),
		rtVirtual("radiotap.flags", 1, 0, 1, 0, packet.Uint, packet.Hex, 2),
		rtBool("radiotap.flags.cfp", 1, 1, 0x01),
		rtBool("radiotap.flags.preamble", 1, 1, 0x02),
		rtBool("radiotap.flags.wep", 1, 1, 0x04),
		rtBool("radiotap.flags.frag", 1, 1, 0x08),
		rtBool("radiotap.flags.fcs", 1, 1, 0x10),
		rtBool("radiotap.flags.datapad", 1, 1, 0x20),
		rtBool("radiotap.flags.badfcs", 1, 1, 0x40),
		rtBool("radiotap.flags.shortgi", 1, 1, 0x80),
		{WS: "radiotap.datarate", Type: packet.String, Get: rtDataRate},
		rtVirtual("radiotap.channel.freq", 3, 0, 2, 0, packet.Uint, packet.Dec, 0),
		rtVirtual("radiotap.channel.flags", 3, 2, 2, 0, packet.Uint, packet.Hex, 4),
		rtBool("radiotap.channel.flags.turbo", 3, 4, 0x0010_0000),
		rtBool("radiotap.channel.flags.cck", 3, 4, 0x0020_0000),
		rtBool("radiotap.channel.flags.ofdm", 3, 4, 0x0040_0000),
		rtBool("radiotap.channel.flags.2ghz", 3, 4, 0x0080_0000),
		rtBool("radiotap.channel.flags.5ghz", 3, 4, 0x0100_0000),
		rtBool("radiotap.channel.flags.passive", 3, 4, 0x0200_0000),
		rtBool("radiotap.channel.flags.dynamic", 3, 4, 0x0400_0000),
		rtBool("radiotap.channel.flags.gfsk", 3, 4, 0x0800_0000),
		rtVirtual("radiotap.fhss.hopset", 4, 0, 1, 0, packet.Uint, packet.Dec, 0),
		rtVirtual("radiotap.fhss.pattern", 4, 1, 1, 0, packet.Uint, packet.Dec, 0),
		rtVirtual("radiotap.dbm_antsignal", 5, 0, 1, 0, packet.Int, packet.Dec, 0),
		rtVirtual("radiotap.dbm_antnoise", 6, 0, 1, 0, packet.Int, packet.Dec, 0),
		rtVirtual("radiotap.quality", 7, 0, 2, 0, packet.Uint, packet.Dec, 0),
		rtVirtual("radiotap.txattenuation", 8, 0, 2, 0, packet.Uint, packet.Dec, 0),
		rtVirtual("radiotap.db_txattenuation", 9, 0, 2, 0, packet.Uint, packet.Dec, 0),
		rtVirtual("radiotap.txpower", 10, 0, 1, 0, packet.Int, packet.Dec, 0),
		rtVirtual("radiotap.antenna", 11, 0, 1, 0, packet.Uint, packet.Dec, 0),
		rtVirtual("radiotap.db_antsignal", 12, 0, 1, 0, packet.Uint, packet.Dec, 0),
		rtVirtual("radiotap.db_antnoise", 13, 0, 1, 0, packet.Uint, packet.Dec, 0),
		rtVirtual("radiotap.rxflags", 14, 0, 2, 0, packet.Uint, packet.Hex, 4),
		rtBool("radiotap.rxflags.badplcp", 14, 2, 0x0002),
		rtVirtual("radiotap.txflags", 15, 0, 2, 0, packet.Uint, packet.Hex, 4),
		rtVirtual("radiotap.data_retries", 17, 0, 1, 0, packet.Uint, packet.Dec, 0),
		rtVirtual("radiotap.xchannel.flags", 18, 0, 4, 0, packet.Uint, packet.Hex, 8),
		rtVirtual("radiotap.xchannel.freq", 18, 4, 2, 0, packet.Uint, packet.Dec, 0),
		rtVirtual("radiotap.xchannel.channel", 18, 6, 1, 0, packet.Uint, packet.Dec, 0),
		rtVirtual("radiotap.mcs.known", 19, 0, 1, 0, packet.Uint, packet.Hex, 2),
		{WS: "radiotap.mcs.have_bw", Type: packet.Uint, Bits: 1, Get: func(l *packet.Layer) (packet.Value, bool) {
			// Wireshark also names the VHT field's bandwidth-known bit so.
			if o := rtFindIn(l, 19); o >= 0 {
				return packet.Value{U: uint64(l.Data[o] & 1)}, true
			}
			if o := rtFindIn(l, 21); o >= 0 {
				return packet.Value{U: uint64(l.Data[o] >> 6 & 1)}, true
			}
			return packet.Value{}, false
		}},
		rtBool("radiotap.mcs.have_index", 19, 1, 0x02),
		rtBool("radiotap.mcs.have_gi", 19, 1, 0x04),
		rtBool("radiotap.mcs.have_format", 19, 1, 0x08),
		rtBool("radiotap.mcs.have_fec", 19, 1, 0x10),
		rtBool("radiotap.mcs.have_stbc", 19, 1, 0x20),
		rtBool("radiotap.mcs.have_ness", 19, 1, 0x40),
		rtVirtual("radiotap.mcs.index", 19, 2, 1, 0, packet.Uint, packet.Dec, 0),
		rtVirtual("radiotap.ampdu.reference", 20, 0, 4, 0, packet.Uint, packet.Dec, 0),
		rtVirtual("radiotap.ampdu.flags", 20, 4, 2, 0, packet.Uint, packet.Hex, 4),
		rtVirtual("radiotap.ampdu.delim_crc", 20, 6, 1, 0, packet.Uint, packet.Hex, 2),
		rtVirtual("radiotap.vht.bw", 21, 3, 1, 0, packet.Uint, packet.Dec, 0),
	},
})

// RadioTap is the radiotap capture header (link type 127, Scapy's
// RadioTap): a version, a length, presence bitmaps and the fields they
// announce, aligned to their natural size. The fields are kept as byte
// strings, one per radiotap namespace (Scapy keeps them as notdecoded),
// read by Wireshark name through computed fields; when the Flags field says the frame ends with an FCS, the last 4
// bytes are the 802.11 FCS (wlan.fcs), not payload.
var RadioTap = packet.Register(&packet.Protocol{
	Name: "RadioTap", Abbrev: "radiotap", Chain: "radiotap:wlan_radio", Long: "Radiotap Header v0",
	Title: "RadioTap",
	Fields: []*packet.Field{
		{Name: "version", WS: "radiotap.version", Type: packet.Uint, Bits: 8},
		{Name: "pad", WS: "radiotap.pad", Type: packet.Uint, Bits: 8},
		{Name: "len", WS: "radiotap.length", Type: packet.Uint, Bits: 16, Little: true, Auto: true},
		rtPresentField(rtPresentWS),
		{Name: "Ext", Type: packet.List, Len: rtExtLen, Elems: []*packet.Protocol{RadioTapExtPresent},
			Elem: func([]byte) *packet.Protocol { return RadioTapExtPresent }},
		{Name: "fields", Type: packet.List, Len: func(l *packet.Layer) int {
			n := rtHdrLen(l) - 8 - rtExtLen(l)
			if n < 0 {
				return -1
			}
			return n
		}, Elems: []*packet.Protocol{RadioTapNamespace}, Elem: func([]byte) *packet.Protocol { return RadioTapNamespace }},
	},
	Check: func(l *packet.Layer) string {
		if rtHdrLen(l) < 8 {
			return "radiotap length shorter than its fixed header"
		}
		return ""
	},
	Bound: func(l *packet.Layer) int {
		if f, ok := rtFlags(l); ok && f&rtFlagFCS != 0 && l.Reported-4 >= l.HdrLen {
			return l.Reported - 4 // the FCS trails the 802.11 frame
		}
		return -1
	},
	Auto: func(b *packet.BuildLayer) { b.SetAuto("len", uint64(b.HdrEnd-b.Start)) },
})

// RadioTapUnknown is a radiotap header of a version other than 0: as in
// Wireshark, only the version, pad and length are read, and the 802.11
// frame starts after length bytes.
var RadioTapUnknown = packet.Register(&packet.Protocol{
	Name: "RadioTapUnknown", Chain: "radiotap:wlan_radio", Long: "Radiotap Header (unknown version)",
	Title: "RadioTap unknown version",
	Fields: []*packet.Field{
		{Name: "version", WS: "radiotap.version", Type: packet.Uint, Bits: 8},
		{Name: "pad", WS: "radiotap.pad", Type: packet.Uint, Bits: 8},
		{Name: "len", WS: "radiotap.length", Type: packet.Uint, Bits: 16, Little: true},
		{Name: "notdecoded", Type: packet.Bytes, Len: func(l *packet.Layer) int {
			if n := rtHdrLen(l) - 4; n >= 0 {
				return n
			}
			return -1
		}},
	},
})

func init() {
	RadioTap.Dispatch = func(b []byte) *packet.Protocol {
		if len(b) > 0 && b[0] != 0 {
			return RadioTapUnknown
		}
		return nil
	}
	RadioTap.Next = func(*packet.Layer) *packet.Protocol { return Dot11 }
	RadioTapUnknown.Next = RadioTap.Next
	packet.RegisterLinkType(127, RadioTap)
	packet.Alias("radiotap.len", "radiotap.length")
}
