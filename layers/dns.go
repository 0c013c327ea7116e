package layers

import (
	"errors"
	"hash/maphash"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"pktkit/packet"
)

// DNS (RFC 1035) over UDP and TCP, multicast DNS (RFC 6762) and LLMNR
// (RFC 4795) share one message format: a 12-byte header and four sections of
// records. The header tables are built by one function per transport; the
// question and resource-record element tables are shared by all of them.
//
// Names are Custom fields: their value is the wire bytes as they stand (labels
// and any compression pointer), so a message rebuilds byte for byte; their
// text is the name with its pointers followed inside the message, formatted
// as Wireshark 4.0 prints it.

func dnsU16(b []byte) int { return int(b[0])<<8 | int(b[1]) }

// DNS type, class and code names, as Scapy has them.
var (
	dnsTypes = map[uint64]string{
		0: "ANY", 1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG",
		9: "MR", 10: "NULL", 11: "WKS", 12: "PTR", 13: "HINFO", 14: "MINFO",
		15: "MX", 16: "TXT", 17: "RP", 18: "AFSDB", 19: "X25", 20: "ISDN",
		21: "RT", 22: "NSAP", 23: "NSAP-PTR", 24: "SIG", 25: "KEY", 26: "PX",
		27: "GPOS", 28: "AAAA", 29: "LOC", 30: "NXT", 31: "EID", 32: "NIMLOC",
		33: "SRV", 34: "ATMA", 35: "NAPTR", 36: "KX", 37: "CERT", 38: "A6",
		39: "DNAME", 40: "SINK", 41: "OPT", 42: "APL", 43: "DS", 44: "SSHFP",
		45: "IPSECKEY", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 49: "DHCID",
		50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA", 53: "SMIMEA", 55: "HIP",
		56: "NINFO", 57: "RKEY", 58: "TALINK", 59: "CDS", 60: "CDNSKEY",
		61: "OPENPGPKEY", 62: "CSYNC", 63: "ZONEMD", 64: "SVCB", 65: "HTTPS",
		99: "SPF", 100: "UINFO", 101: "UID", 102: "GID", 103: "UNSPEC", 104: "NID",
		105: "L32", 106: "L64", 107: "LP", 108: "EUI48", 109: "EUI64", 249: "TKEY",
		250: "TSIG", 256: "URI", 257: "CAA", 258: "AVC", 259: "DOA",
		260: "AMTRELAY", 32768: "TA", 32769: "DLV", 65535: "RESERVED",
	}
	dnsQTypes       = map[uint64]string{}
	dnsClasses      = map[uint64]string{1: "IN", 2: "CS", 3: "CH", 4: "HS", 255: "ANY"}
	dnsOpcodes      = map[uint64]string{0: "QUERY", 1: "IQUERY", 2: "STATUS"}
	dnsRcodes       = map[uint64]string{0: "ok", 1: "format-error", 2: "server-failure", 3: "name-error", 4: "not-implemented", 5: "refused"}
	dnsEDNS0Types   = map[uint64]string{0: "Reserved", 1: "LLQ", 2: "UL", 3: "NSID", 4: "Reserved", 5: "PING", 8: "edns-client-subnet"}
	dnsOptZ         = map[uint64]string{32768: "D0"}
	dnsLLMNROpcodes = map[uint64]string{0: "QUERY"}
	dnsLLMNRRcodes  = map[uint64]string{0: "ok"}
)

func init() {
	for k, v := range dnsTypes {
		dnsQTypes[k] = v
	}
	for k, v := range map[uint64]string{251: "IXFR", 252: "AXFR", 253: "MAILB", 254: "MAILA", 255: "ALL"} {
		dnsQTypes[k] = v
	}
}

// ---------------------------------------------------------------------------
// Names

// dnsNameSize returns how many bytes the name at the start of b occupies in
// place, as Wireshark counts them: labels up to a zero byte, a compression
// pointer (two bytes) or an unknown extended label type (Wireshark stops
// after its type byte). It returns -1 if the name runs past b or uses the
// reserved label type 0x80.
func dnsNameSize(b []byte) int {
	i := 0
	for i < len(b) {
		c := b[i]
		i++
		switch c & 0xc0 {
		case 0x00:
			if c == 0 {
				return i
			}
			i += int(c)
		case 0x40:
			if c&0x3f != 1 {
				if i < 2 {
					return -1 // Wireshark rejects a name of one byte that is not the root
				}
				return i
			}
			if i >= len(b) {
				return -1
			}
			bits := int(b[i])
			i += 1 + (bits-1)/8 + 1
		case 0x80:
			return -1
		default:
			if i >= len(b) {
				return -1
			}
			return i + 1
		}
	}
	return -1
}

const dnsMaxName = 255 // Wireshark's MAX_DNAME_LEN

// dnsName is a name expanded as Wireshark 4.0 expands it (compression
// pointers followed inside the message, loop and length limits, its
// placeholders for odd names). It lives on the stack: no allocation.
type dnsName struct {
	buf     [dnsMaxName]byte
	n       int    // bytes of buf that make the name (Wireshark's name_len)
	special string // a placeholder shown instead of buf ("<Root>")
	used    int    // bytes the name occupies in place
	bad     bool   // Wireshark throws: the name is malformed
	np      int
	maxname int
	steps   int // labels and pointers read, over all expansions
}

func (d *dnsName) put(s string) {
	if d.maxname <= 0 {
		return
	}
	// snprintf(np, maxname, ...): at most maxname-1 characters and a NUL.
	pl := len(s)
	k := min(pl, d.maxname-1)
	copy(d.buf[d.np:], s[:k])
	if k < pl {
		d.buf[d.np+k] = 0
	}
	if pl <= d.maxname {
		d.np += pl
		d.maxname -= pl
	} else {
		d.maxname = 0
	}
}

// expand reads the name at msg[off:].
func (d *dnsName) expand(msg []byte, off int) {
	d.n, d.special, d.used, d.bad = 0, "", 0, false
	d.np, d.maxname = 0, dnsMaxName
	start, length, ptrs := off, -1, 0
	for {
		if off < 0 || off >= len(msg) {
			d.bad = true
			return
		}
		c := int(msg[off])
		off++
		d.steps++
		if c == 0 {
			break
		}
		switch c & 0xc0 {
		case 0x00:
			if d.np != 0 {
				if d.maxname > 0 {
					d.buf[d.np] = '.'
					d.np++
					d.n++
					d.maxname--
				}
			} else {
				d.maxname--
			}
			for ; c > 0; c-- {
				if d.maxname > 0 {
					if off >= len(msg) {
						d.bad = true
						return
					}
					d.buf[d.np] = msg[off]
					d.np++
					d.n++
					d.maxname--
				}
				off++
			}
		case 0x40:
			if c&0x3f != 1 {
				// Wireshark counts the bytes from the name's start to here,
				// even after following a pointer.
				d.special = "<Unknown extended label>"
				d.used = off - start
				d.bad = d.used < 2
				return
			}
			// Bitstring label (RFC 2673): Wireshark prints it into the
			// buffer but does not count it in the name's length.
			if off >= len(msg) {
				d.bad = true
				return
			}
			bits := int(msg[off])
			off++
			d.put(`\[x`)
			for k := (bits-1)/8 + 1; k > 0; k-- {
				if d.maxname > 0 {
					if off >= len(msg) {
						d.bad = true
						return
					}
					const hx = "0123456789abcdef"
					var two = [2]byte{hx[msg[off]>>4], hx[msg[off]&15]}
					d.put(string(two[:]))
				}
				off++
			}
			if d.maxname > 0 {
				var nb [12]byte
				s := strconv.AppendInt(append(nb[:0], '/'), int64(bits), 10)
				d.put(string(append(s, ']')))
			}
		case 0x80:
			d.bad = true
			return
		default:
			if off >= len(msg) {
				d.bad = true
				return
			}
			ind := (c&0x3f)<<8 | int(msg[off])
			off++
			ptrs++
			if length < 0 {
				length = off - start
			}
			if ind == off+2 || ptrs > dnsMaxName {
				d.special = "<Name contains a pointer that loops>"
				d.used = length
				return
			}
			off = ind
		}
	}
	if d.maxname > 0 {
		d.buf[d.np] = 0
	} else {
		d.special = "<Name too long>"
	}
	if length < 0 {
		length = off - start
	}
	d.used = length
	if d.special == "" && d.buf[0] == 0 && length <= 2 {
		d.special = "<Root>"
		return
	}
	if length < 2 || (length > 2 && d.special == "" && d.n == 0) {
		d.bad = true
	}
}

// nameLen is Wireshark's name length (dns.qry.name.len counts it).
func (d *dnsName) nameLen() int {
	if d.special != "" {
		return len(d.special)
	}
	return d.n
}

// raw returns the name's bytes before formatting.
func (d *dnsName) raw() []byte {
	if d.special != "" {
		return []byte(d.special)
	}
	return d.buf[:d.n]
}

// appendText appends the name as tshark prints it.
func (d *dnsName) appendText(dst []byte) []byte {
	if d.bad {
		return dst
	}
	if d.special != "" {
		return append(dst, d.special...)
	}
	return dnsFormatText(dst, d.buf[:d.n])
}

// appendFormatText formats bytes as Wireshark's format_text does: printable
// ASCII and printable Unicode as is, C escapes for ASCII controls, \uXXXX for
// other unprintable characters, U+FFFD for malformed UTF-8.
func dnsFormatText(dst, b []byte) []byte {
	const hx = "0123456789abcdef"
	for i := 0; i < len(b); {
		c := b[i]
		i++
		if c >= 0x20 && c < 0x7f {
			dst = append(dst, c)
			continue
		}
		if c < 0x80 {
			dst = dnsCEscape(dst, c)
			continue
		}
		var n int
		var uc rune
		switch {
		case c&0xe0 == 0xc0:
			n, uc = 1, rune(c&0x1f)
		case c&0xf0 == 0xe0:
			n, uc = 2, rune(c&0x0f)
		case c&0xf8 == 0xf0:
			n, uc = 3, rune(c&0x07)
		case c&0xfc == 0xf8:
			n, uc = 4, rune(c&0x03)
		case c&0xfe == 0xfc:
			n, uc = 5, rune(c&0x01)
		default:
			n, uc = -1, 0xfffd
		}
		last := c
		for k := 0; k < n; k++ {
			if i >= len(b) || b[i]&0xc0 != 0x80 {
				uc = 0xfffd
				break
			}
			last = b[i]
			uc = uc<<6 | rune(b[i]&0x3f)
			i++
		}
		if uc >= 0x110000 || uc&^0x7ff == 0xd800 {
			uc = 0xfffd
		}
		switch {
		case dnsGlibPrintable(uc):
			dst = dnsAppendRune(dst, uc)
		case last < 0x80:
			dst = dnsCEscape(dst, last)
		case uc <= 0xffff:
			dst = append(dst, '\\', 'u', hx[uc>>12&15], hx[uc>>8&15], hx[uc>>4&15], hx[uc&15])
		default:
			dst = append(dst, '\\', 'U')
			for s := 28; s >= 0; s -= 4 {
				dst = append(dst, hx[uc>>s&15])
			}
		}
	}
	return dst
}

func dnsCEscape(dst []byte, c byte) []byte {
	dst = append(dst, '\\')
	switch c {
	case '\a':
		return append(dst, 'a')
	case '\b':
		return append(dst, 'b')
	case '\f':
		return append(dst, 'f')
	case '\n':
		return append(dst, 'n')
	case '\r':
		return append(dst, 'r')
	case '\t':
		return append(dst, 't')
	case '\v':
		return append(dst, 'v')
	}
	return append(dst, '0'+c>>6&3, '0'+c>>3&7, '0'+c&7)
}

// appendRune encodes r as UTF-8 (any value below 2^31, like GLib).
func dnsAppendRune(dst []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return append(dst, byte(r))
	case r < 0x800:
		return append(dst, 0xc0|byte(r>>6), 0x80|byte(r)&0x3f)
	case r < 0x10000:
		return append(dst, 0xe0|byte(r>>12), 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f)
	}
	return append(dst, 0xf0|byte(r>>18), 0x80|byte(r>>12)&0x3f, 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f)
}

// glibPrintable is g_unichar_isprint: everything but controls, format
// characters, surrogates and unassigned code points.
func dnsGlibPrintable(r rune) bool {
	if r < 0x20 || r >= 0x7f && r < 0xa0 {
		return false
	}
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs, unicode.Zl,
		unicode.Zp, unicode.Co)
}

// appendFieldsString escapes a string value the way tshark's field output
// does (-T fields): the value ends at a NUL byte, and backspace, tab, line
// feed, form feed and carriage return become C escapes.
func dnsFieldsString(dst, s []byte) []byte {
	for _, c := range s {
		switch c {
		case 0:
			return dst
		case '\b', '\t', '\n', '\f', '\r':
			dst = dnsCEscape(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendASCIIString decodes bytes as Wireshark's ENC_ASCII does (every byte
// above 0x7f becomes U+FFFD).
func dnsASCII(dst, b []byte) []byte {
	for _, c := range b {
		if c >= 0x80 {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

// appendUTF8String decodes bytes as Wireshark's ENC_UTF_8 does: each
// maximal ill-formed subsequence becomes one U+FFFD.
func dnsUTF8(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			dst = append(dst, c)
			i++
			continue
		}
		n, lo, hi := 0, byte(0x80), byte(0xbf)
		switch {
		case c >= 0xc2 && c <= 0xdf:
			n = 1
		case c == 0xe0:
			n, lo = 2, 0xa0
		case c >= 0xe1 && c <= 0xec, c == 0xee, c == 0xef:
			n = 2
		case c == 0xed:
			n, hi = 2, 0x9f
		case c == 0xf0:
			n, lo = 3, 0x90
		case c >= 0xf1 && c <= 0xf3:
			n = 3
		case c == 0xf4:
			n, hi = 3, 0x8f
		}
		j := i + 1
		ok := n > 0
		for k := 0; k < n; k++ {
			if j >= len(b) || b[j] < lo || b[j] > hi {
				ok = false
				break
			}
			j++
			lo, hi = 0x80, 0xbf
		}
		if ok {
			dst = append(dst, b[i:j]...)
		} else {
			dst = append(dst, "\uFFFD"...)
		}
		i = j
	}
	return dst
}

// dnsMessage returns the DNS message a (top-level) layer carries: the
// layer's bytes, past the length field for DNS over TCP and bounded by it.
func dnsMessage(c *packet.Layer) []byte {
	if c.Proto.Name != "DNSTCP" {
		return c.Data
	}
	if len(c.Data) < 2 {
		return nil
	}
	end := min(len(c.Data), 2+dnsU16(c.Data))
	return c.Data[2:end]
}

// dnsLocate finds where raw (a view of l's bytes) starts in the DNS message
// that holds l; ok is false if raw is not a view of it.
func dnsLocate(l *packet.Layer, raw []byte) (msg []byte, off int, ok bool) {
	if l == nil || len(raw) == 0 {
		return nil, 0, false
	}
	idx := -1
	for i := range l.Data {
		if &l.Data[i] == &raw[0] {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, 0, false
	}
	c := l.Container()
	msg = dnsMessage(c)
	start := c.Off
	if c.Proto.Name == "DNSTCP" {
		start += 2
	}
	off = l.Off + idx - start
	if off < 0 || off > len(msg) {
		return nil, 0, false
	}
	return msg, off, true
}

// expandAt expands the name whose bytes are raw within layer l.
func (d *dnsName) expandAt(l *packet.Layer, raw []byte) {
	if msg, off, ok := dnsLocate(l, raw); ok {
		d.expand(msg, off)
		return
	}
	d.expand(raw, 0)
}

// dnsNameCodec reads and writes DNS names.
type dnsNameCodec struct{}

func (dnsNameCodec) Size(_ *packet.Layer, b []byte) int { return dnsNameSize(b) }

func (dnsNameCodec) Format(dst []byte, l *packet.Layer, raw []byte) []byte {
	var d dnsName
	d.expandAt(l, raw)
	return d.appendText(dst)
}

// Parse encodes a dotted name ("www.example.com", "." for the root) as
// uncompressed labels.
func (dnsNameCodec) Parse(s string) ([]byte, error) { return dnsEncodeName(s) }

// dnsEncodeName encodes a dotted name as labels, without compression.
func dnsEncodeName(s string) ([]byte, error) {
	s = strings.TrimSuffix(s, ".")
	var out []byte
	if s != "" {
		for _, lab := range strings.Split(s, ".") {
			if lab == "" {
				return nil, errors.New("dns: empty label in " + strconv.Quote(s))
			}
			if len(lab) > 63 {
				return nil, errors.New("dns: label longer than 63 bytes in " + strconv.Quote(s))
			}
			out = append(out, byte(len(lab)))
			out = append(out, lab...)
		}
	}
	if len(out)+1 > 255 {
		return nil, errors.New("dns: name longer than 255 bytes")
	}
	return append(out, 0), nil
}

var dnsNames = dnsNameCodec{}

// ---------------------------------------------------------------------------
// Length-delimited values with tshark's formatting

const (
	dnsValText = iota // TXT character-string: ASCII (UTF-8 under mDNS), field escaping
	dnsValCAA         // CAA tag or value: ASCII, then format_text over the byte length
	dnsValHex         // bytes as plain hex, "<MISSING>" when empty
)

// dnsValueCodec is a byte string whose length comes from earlier fields of
// its element; it formats the value as tshark does for its field.
type dnsValueCodec struct {
	size func(l *packet.Layer) int
	kind int
}

func (c dnsValueCodec) Size(l *packet.Layer, b []byte) int {
	n := c.size(l)
	if n < 0 || n > len(b) {
		return -1
	}
	return n
}

func (c dnsValueCodec) Format(dst []byte, l *packet.Layer, raw []byte) []byte {
	switch c.kind {
	case dnsValHex:
		if len(raw) == 0 {
			return append(dst, "<MISSING>"...)
		}
		for _, x := range raw {
			dst = append(dst, dnsHex[x>>4], dnsHex[x&15])
		}
		return dst
	case dnsValCAA:
		var buf [512]byte
		s := dnsASCII(buf[:0], raw)
		return dnsFormatText(dst, s[:len(raw)])
	}
	var buf [1024]byte
	var s []byte
	if dnsIsMDNS(l) {
		s = dnsUTF8(buf[:0], raw)
	} else {
		s = dnsASCII(buf[:0], raw)
	}
	return dnsFieldsString(dst, s)
}

func (c dnsValueCodec) Parse(s string) ([]byte, error) {
	if c.kind != dnsValHex {
		return []byte(s), nil
	}
	s = strings.ReplaceAll(s, ":", "")
	if len(s)%2 != 0 {
		return nil, errors.New("dns: odd number of hex digits")
	}
	out := make([]byte, len(s)/2)
	for i := range out {
		v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, err
		}
		out[i] = byte(v)
	}
	return out, nil
}

const dnsHex = "0123456789abcdef"

// dnsIsMDNS reports whether an element lies in a multicast DNS message.
func dnsIsMDNS(l *packet.Layer) bool {
	if l == nil {
		return false
	}
	return l.Container().Proto.Name == "MDNS"
}

// ---------------------------------------------------------------------------
// Question and resource record elements

// dnsRRFixed returns the offset of the type field of the record (or
// question) in l: the bytes after its name; ok is false if the fixed part
// (need bytes from there) is not all present.
func dnsRRFixed(l *packet.Layer, need int) (int, bool) {
	n := dnsNameSize(l.Data)
	if n < 0 || n+need > len(l.Data) {
		return 0, false
	}
	return n, true
}

func dnsUval(u uint64) (packet.Value, bool) { return packet.Value{U: u}, true }

// dnsClassVirtuals are dns.resp.class (or dns.qry.class) and the mDNS bit
// shown beside it: cache flush in records, unicast response in questions.
func dnsClassVirtuals(classWS, bitWS string) []*packet.Virtual {
	get := func(l *packet.Layer) (int, bool) {
		n, ok := dnsRRFixed(l, 4)
		if !ok {
			return 0, false
		}
		return dnsU16(l.Data[n+2:]), true
	}
	return []*packet.Virtual{
		{WS: classWS, Type: packet.Uint, Bits: 16, Base: packet.Hex, Digits: 4,
			Get: func(l *packet.Layer) (packet.Value, bool) {
				c, ok := get(l)
				if !ok {
					return packet.Value{}, false
				}
				if dnsIsMDNS(l) {
					c &= 0x7fff
				}
				return dnsUval(uint64(c))
			}},
		{WS: bitWS, Type: packet.Uint, Bits: 1,
			Get: func(l *packet.Layer) (packet.Value, bool) {
				c, ok := get(l)
				if !ok || !dnsIsMDNS(l) {
					return packet.Value{}, false
				}
				return dnsUval(uint64(c >> 15))
			}},
	}
}

// dnsNameVirtuals are Wireshark's generated name length and label count.
func dnsNameVirtuals() []*packet.Virtual {
	get := func(l *packet.Layer, labels bool) (packet.Value, bool) {
		n := dnsNameSize(l.Data)
		if n < 0 {
			return packet.Value{}, false
		}
		var d dnsName
		d.expandAt(l, l.Data[:n])
		if d.bad {
			return packet.Value{}, false
		}
		nl := d.nameLen()
		if !labels {
			if nl <= 1 {
				nl = 0
			}
			return dnsUval(uint64(nl))
		}
		cnt := 0
		if nl > 1 {
			cnt = 1
			for _, c := range d.raw() {
				if c == '.' {
					cnt++
				}
			}
		}
		return dnsUval(uint64(cnt))
	}
	return []*packet.Virtual{
		{WS: "dns.qry.name.len", Type: packet.Uint, Bits: 16,
			Get: func(l *packet.Layer) (packet.Value, bool) { return get(l, false) }},
		{WS: "dns.count.labels", Type: packet.Uint, Bits: 16,
			Get: func(l *packet.Layer) (packet.Value, bool) { return get(l, true) }},
	}
}

// DNSQR is a question (Scapy's DNSQR).
var DNSQR = packet.Register(&packet.Protocol{
	Name: "DNSQR", Title: "DNS Question Record", Element: true,
	Fields: []*packet.Field{
		{Name: "qname", WS: "dns.qry.name", Type: packet.Custom, Codec: dnsNames,
			DefaultBytes: []byte("\x03www\x07example\x03com\x00"), DefaultText: "b'www.example.com.'"},
		{Name: "qtype", WS: "dns.qry.type", Type: packet.Uint, Bits: 16, Default: 1, Enum: dnsQTypes},
		{Name: "qclass", Type: packet.Uint, Bits: 16, Default: 1, Enum: dnsClasses},
	},
	Virtual: append(dnsClassVirtuals("dns.qry.class", "dns.qry.qu"), dnsNameVirtuals()...),
})

// dnsQRBad holds the bytes of a question that does not parse.
var dnsQRBad = packet.Register(&packet.Protocol{
	Name: "DNSQR_Malformed", Title: "DNS Question Record (malformed)", Element: true,
	Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
})

func dnsQRElem(b []byte) *packet.Protocol {
	if n := dnsNameSize(b); n < 0 || n+4 > len(b) {
		return dnsQRBad
	}
	return DNSQR
}

// dnsRdlen is the Len rule of a record's rdata: its rdlen field.
func dnsRdlen(l *packet.Layer) int {
	n, ok := dnsRRFixed(l, 10)
	if !ok {
		return -1
	}
	return dnsU16(l.Data[n+8:])
}

// dnsRRAuto fills rdlen from the built record.
func dnsRRAuto(b *packet.BuildLayer) {
	h := b.Header()
	if n := dnsNameSize(h); n >= 0 && n+10 <= len(h) {
		b.SetAuto("rdlen", uint64(len(h)-n-10))
	}
}

// dnsRROpts varies the common record prefix.
type dnsRROpts struct {
	nameWS string // Wireshark name of rrname ("" for SRV, whose name is split)
	opt    bool   // OPT pseudo-record: rclass is the payload size, no TTL
	typ    uint64
	auto   func(b *packet.BuildLayer)
	virt   []*packet.Virtual
	// typeBitmap returns the type bitmap of the rdata (NSEC, NSEC3): its
	// types are shown as further dns.resp.type values.
	typeBitmap func(l *packet.Layer, rd []byte) []byte
}

// dnsRR declares a resource record element: the common prefix (Scapy's
// rrname, type, rclass, ttl, rdlen) then the rdata fields given.
func dnsRR(name, title string, o dnsRROpts, rdata ...*packet.Field) *packet.Protocol {
	fs := []*packet.Field{
		{Name: "rrname", WS: o.nameWS, Type: packet.Custom, Codec: dnsNames, DefaultBytes: []byte{0}, DefaultText: "b'.'"},
		{Name: "type", WS: "dns.resp.type", Type: packet.Uint, Bits: 16, Default: o.typ, Enum: dnsTypes},
	}
	var virt []*packet.Virtual
	if o.typeBitmap != nil {
		fs[1].WS = ""
		virt = append(virt, dnsTypeBitmapVirtual(o.typeBitmap))
	}
	if o.opt {
		fs = append(fs,
			&packet.Field{Name: "rclass", Type: packet.Uint, Bits: 16, Default: 4096},
			&packet.Field{Name: "extrcode", WS: "dns.resp.ext_rcode", Type: packet.Uint, Bits: 8, Base: packet.Hex},
			&packet.Field{Name: "version", WS: "dns.resp.edns0_version", Type: packet.Uint, Bits: 8},
			&packet.Field{Name: "z", WS: "dns.resp.z", Type: packet.Uint, Bits: 16, Default: 32768, Base: packet.Hex,
				Enum: dnsOptZ, FlagWS: append(make([]string, 15), "dns.resp.z.do")},
		)
		cls := dnsClassVirtuals("", "dns.resp.cache_flush")
		virt = append(virt, &packet.Virtual{WS: "dns.rr.udp_payload_size", Type: packet.String,
			Get: func(l *packet.Layer) (packet.Value, bool) {
				n, ok := dnsRRFixed(l, 4)
				if !ok {
					return packet.Value{}, false
				}
				c := uint64(dnsU16(l.Data[n+2:]))
				if dnsIsMDNS(l) {
					return packet.Value{B: dnsHex4(nil, c&0x7fff)}, true
				}
				return packet.Value{B: strconv.AppendUint(nil, c, 10)}, true
			}}, cls[1],
			&packet.Virtual{WS: "dns.resp.z.reserved", Type: packet.Uint, Bits: 16, Base: packet.Hex, Digits: 4,
				Get: func(l *packet.Layer) (packet.Value, bool) {
					n, ok := dnsRRFixed(l, 8)
					if !ok {
						return packet.Value{}, false
					}
					return dnsUval(uint64(dnsU16(l.Data[n+6:]) & 0x7fff))
				}})
	} else {
		fs = append(fs,
			&packet.Field{Name: "rclass", Type: packet.Uint, Bits: 16, Default: 1, Enum: dnsClasses},
			&packet.Field{Name: "ttl", WS: "dns.resp.ttl", Type: packet.Uint, Bits: 32},
		)
		virt = append(virt, dnsClassVirtuals("dns.resp.class", "dns.resp.cache_flush")...)
	}
	fs = append(fs, &packet.Field{Name: "rdlen", WS: "dns.resp.len", Type: packet.Uint, Bits: 16, Auto: true})
	fs = append(fs, rdata...)
	if o.nameWS == "" {
		virt = append(virt, dnsSRVNameVirtuals()...)
	}
	virt = append(virt, o.virt...)
	auto := dnsRRAuto
	if o.auto != nil {
		a := o.auto
		auto = func(b *packet.BuildLayer) { a(b); dnsRRAuto(b) }
	}
	return packet.Register(&packet.Protocol{
		Name: name, Title: title, Element: true, Fields: fs, Virtual: virt, Auto: auto,
	})
}

// dnsRdataOff returns the offset of a record's rdata in l, or -1.
func dnsRdataOff(l *packet.Layer) int {
	n, ok := dnsRRFixed(l, 10)
	if !ok || n+10+dnsU16(l.Data[n+8:]) > len(l.Data) {
		return -1
	}
	return n + 10
}

// dnsNSEC3Bitmap returns where the type bitmap starts in NSEC3 rdata, or -1.
func dnsNSEC3Bitmap(rd []byte) int {
	if len(rd) < 5 {
		return -1
	}
	h := 5 + int(rd[4])
	if h >= len(rd) || h+1+int(rd[h]) > len(rd) {
		return -1
	}
	return h + 1 + int(rd[h])
}

// dnsTypeBitmapVirtual is dns.resp.type for a record with a type bitmap:
// Wireshark adds one dns.resp.type per type in the bitmap after the
// record's own type. The values come joined with commas, as tshark
// aggregates repeated fields.
func dnsTypeBitmapVirtual(bitmap func(l *packet.Layer, rd []byte) []byte) *packet.Virtual {
	return &packet.Virtual{WS: "dns.resp.type", Type: packet.String, Get: func(l *packet.Layer) (packet.Value, bool) {
		n, ok := dnsRRFixed(l, 2)
		if !ok {
			return packet.Value{}, false
		}
		out := strconv.AppendUint(nil, uint64(dnsU16(l.Data[n:])), 10)
		if o := dnsRdataOff(l); o >= 0 {
			bm := bitmap(l, l.Data[o:o+dnsU16(l.Data[o-2:])])
			for len(bm) >= 2 {
				win, k := int(bm[0]), int(bm[1])
				bm = bm[2:]
				k = min(k, len(bm))
				for i, c := range bm[:k] {
					for bit := 0; bit < 8; bit++ {
						if c&(0x80>>bit) != 0 {
							out = append(out, ',')
							out = strconv.AppendUint(out, uint64(win*256+i*8+bit), 10)
						}
					}
				}
				bm = bm[k:]
			}
		}
		return packet.Value{B: out}, true
	}}
}

func dnsHex4(dst []byte, u uint64) []byte {
	return append(dst, '0', 'x', dnsHex[u>>12&15], dnsHex[u>>8&15], dnsHex[u>>4&15], dnsHex[u&15])
}

// dnsSRVNameVirtuals split an SRV record's owner name as Wireshark does
// (_service._proto.name) instead of showing dns.resp.name.
func dnsSRVNameVirtuals() []*packet.Virtual {
	part := func(i int) func(l *packet.Layer) (packet.Value, bool) {
		return func(l *packet.Layer) (packet.Value, bool) {
			n := dnsNameSize(l.Data)
			if n < 0 {
				return packet.Value{}, false
			}
			var d dnsName
			d.expandAt(l, l.Data[:n])
			if d.bad {
				return packet.Value{}, false
			}
			s := string(d.appendText(nil))
			if s == "" {
				return packet.Value{}, false
			}
			parts := strings.SplitN(s, ".", 3)
			if i >= len(parts) {
				return packet.Value{}, false
			}
			return packet.Value{B: []byte(parts[i])}, true
		}
	}
	return []*packet.Virtual{
		{WS: "dns.srv.service", Type: packet.String, Get: part(0)},
		{WS: "dns.srv.proto", Type: packet.String, Get: part(1)},
		{WS: "dns.srv.name", Type: packet.String, Get: part(2)},
	}
}

func dnsNameField(name, ws string) *packet.Field {
	return &packet.Field{Name: name, WS: ws, Type: packet.Custom, Codec: dnsNames, DefaultBytes: []byte{0}, DefaultText: "b'.'"}
}

// Character-string elements of TXT and SPF records.
func dnsTextString(name, lenWS, textWS string) *packet.Protocol {
	return packet.Register(&packet.Protocol{
		Name: name, Title: "DNS Character String", Element: true,
		Fields: []*packet.Field{
			{Name: "len", WS: lenWS, Type: packet.Uint, Bits: 8, Auto: true},
			{Name: "text", WS: textWS, Type: packet.Custom, Codec: dnsValueCodec{kind: dnsValText,
				size: func(l *packet.Layer) int { return int(l.Data[0]) }}},
		},
		Auto: func(b *packet.BuildLayer) { b.SetAuto("len", uint64(b.HdrEnd-b.Start-1)) },
	})
}

var (
	dnsTXTString = dnsTextString("DNSTextString", "dns.txt.length", "dns.txt")
	dnsSPFString = dnsTextString("DNSSPFString", "dns.spf.length", "dns.spf")
	dnsTextBad   = packet.Register(&packet.Protocol{
		Name: "DNSTextString_Malformed", Title: "DNS Character String (malformed)", Element: true,
		Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
	})
	// dnsTXTCut and dnsSPFCut are character-strings longer than the rdata
	// left: Wireshark shows their length, then gives up.
	dnsTXTCut = dnsTextCut("dns.txt.length")
	dnsSPFCut = dnsTextCut("dns.spf.length")
)

func dnsTextCut(lenWS string) *packet.Protocol {
	return packet.Register(&packet.Protocol{
		Name: "DNSTextString_Malformed", Title: "DNS Character String (malformed)", Element: true,
		Fields: []*packet.Field{
			{Name: "len", WS: lenWS, Type: packet.Uint, Bits: 8},
			{Name: "load", Type: packet.Bytes, Len: rest},
		},
	})
}

func dnsTextElem(p, cut *packet.Protocol) func(b []byte) *packet.Protocol {
	return func(b []byte) *packet.Protocol {
		if 1+int(b[0]) > len(b) {
			return cut
		}
		return p
	}
}

// EDNS0TLV is an EDNS(0) option of an OPT record (Scapy's EDNS0TLV).
var EDNS0TLV = packet.Register(&packet.Protocol{
	Name: "EDNS0TLV", Title: "DNS EDNS0 TLV", Element: true,
	Fields: []*packet.Field{
		{Name: "optcode", WS: "dns.opt.code", Type: packet.Uint, Bits: 16, Enum: dnsEDNS0Types},
		{Name: "optlen", WS: "dns.opt.len", Type: packet.Uint, Bits: 16, Auto: true},
		{Name: "optdata", WS: "dns.opt.data", Type: packet.Custom, Codec: dnsValueCodec{kind: dnsValHex,
			size: func(l *packet.Layer) int { return dnsU16(l.Data[2:]) }}},
	},
	Auto: func(b *packet.BuildLayer) { b.SetAuto("optlen", uint64(b.HdrEnd-b.Start-4)) },
})

// dnsOptBad holds option bytes too short for a code and length; dnsOptCut
// is an option longer than the rdata left (Wireshark shows its code and
// length, then gives up).
var (
	dnsOptBad = packet.Register(&packet.Protocol{
		Name: "EDNS0TLV_Malformed", Title: "DNS EDNS0 TLV (malformed)", Element: true,
		Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
	})
	dnsOptCut = packet.Register(&packet.Protocol{
		Name: "EDNS0TLV_Malformed", Title: "DNS EDNS0 TLV (malformed)", Element: true,
		Fields: []*packet.Field{
			{Name: "optcode", WS: "dns.opt.code", Type: packet.Uint, Bits: 16, Enum: dnsEDNS0Types},
			{Name: "optlen", WS: "dns.opt.len", Type: packet.Uint, Bits: 16},
			{Name: "load", Type: packet.Bytes, Len: rest},
		},
	})
)

func dnsOptElem(b []byte) *packet.Protocol {
	if len(b) < 4 {
		return dnsOptBad
	}
	if 4+dnsU16(b[2:]) > len(b) {
		return dnsOptCut
	}
	return EDNS0TLV
}

// caaOff returns the offset of a CAA record's rdata in l, or -1.
func dnsCAAOff(l *packet.Layer) int {
	n, ok := dnsRRFixed(l, 12)
	if !ok {
		return -1
	}
	return n + 10
}

func dnsCAATagLen(l *packet.Layer) int {
	o := dnsCAAOff(l)
	if o < 0 {
		return -1
	}
	return int(l.Data[o+1])
}

func dnsCAAValueLen(l *packet.Layer) int {
	o := dnsCAAOff(l)
	if o < 0 {
		return -1
	}
	return dnsU16(l.Data[o-2:]) - 2 - int(l.Data[o+1])
}

// caaTagVirtual shows the value under the field named after the tag.
func dnsCAAVirtual(ws string, match func(tag string) bool) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.String, Get: func(l *packet.Layer) (packet.Value, bool) {
		o := dnsCAAOff(l)
		if o < 0 {
			return packet.Value{}, false
		}
		tl, vl := dnsCAATagLen(l), dnsCAAValueLen(l)
		if vl < 0 || o+2+tl+vl > len(l.Data) {
			return packet.Value{}, false
		}
		if !match(string(l.Data[o+2 : o+2+tl])) {
			return packet.Value{}, false
		}
		v := l.Data[o+2+tl : o+2+tl+vl]
		s := dnsASCII(nil, v)
		return packet.Value{B: dnsFormatText(nil, s[:len(v)])}, true
	}}
}

func dnsIsCAATag(t string) bool { return t == "issue" || t == "issuewild" || t == "iodef" }

// Resource record elements, one table per rdata shape, with Scapy's names.
var (
	// DNSRR is Scapy's DNSRR for records whose rdata is kept as bytes.
	DNSRR = dnsRR("DNSRR", "DNS Resource Record", dnsRROpts{nameWS: "dns.resp.name", typ: 1},
		&packet.Field{Name: "rdata", Type: packet.Bytes, Len: dnsRdlen})
	dnsRRA = dnsRR("DNSRR", "DNS Resource Record", dnsRROpts{nameWS: "dns.resp.name", typ: 1},
		&packet.Field{Name: "rdata", WS: "dns.a", Type: packet.IPv4, DefaultBytes: []byte{0, 0, 0, 0}})
	dnsRRAAAA = dnsRR("DNSRR", "DNS Resource Record", dnsRROpts{nameWS: "dns.resp.name", typ: 28},
		&packet.Field{Name: "rdata", WS: "dns.aaaa", Type: packet.IPv6, DefaultBytes: make([]byte, 16)})
	dnsRRTXT = dnsRR("DNSRR", "DNS Resource Record", dnsRROpts{nameWS: "dns.resp.name", typ: 16},
		&packet.Field{Name: "rdata", Type: packet.List, Elem: dnsTextElem(dnsTXTString, dnsTXTCut),
			Elems: []*packet.Protocol{dnsTXTString, dnsTXTCut, dnsTextBad}, Len: dnsRdlen})
	dnsRRSPF = dnsRR("DNSRR", "DNS Resource Record", dnsRROpts{nameWS: "dns.resp.name", typ: 99},
		&packet.Field{Name: "rdata", Type: packet.List, Elem: dnsTextElem(dnsSPFString, dnsSPFCut),
			Elems: []*packet.Protocol{dnsSPFString, dnsSPFCut, dnsTextBad}, Len: dnsRdlen})
	// dnsRRSRVRaw is an SRV record whose rdata does not parse.
	dnsRRSRVRaw = dnsRR("DNSRR", "DNS Resource Record", dnsRROpts{typ: 33},
		&packet.Field{Name: "rdata", Type: packet.Bytes, Len: dnsRdlen})

	// DNSRRSOA is a start-of-authority record.
	DNSRRSOA = dnsRR("DNSRRSOA", "DNS SOA Resource Record", dnsRROpts{nameWS: "dns.resp.name", typ: 6},
		dnsNameField("mname", "dns.soa.mname"), dnsNameField("rname", "dns.soa.rname"),
		u("serial", "dns.soa.serial_number", 32), u("refresh", "dns.soa.refresh_interval", 32),
		u("retry", "dns.soa.retry_interval", 32), u("expire", "dns.soa.expire_limit", 32),
		u("minimum", "dns.soa.minimum_ttl", 32))
	// DNSRRMX is a mail exchange record.
	DNSRRMX = dnsRR("DNSRRMX", "DNS MX Resource Record", dnsRROpts{nameWS: "dns.resp.name", typ: 15},
		u("preference", "dns.mx.preference", 16), dnsNameField("exchange", "dns.mx.mail_exchange"))
	// DNSRRSRV is a service location record (RFC 2782).
	DNSRRSRV = dnsRR("DNSRRSRV", "DNS SRV Resource Record", dnsRROpts{typ: 33},
		u("priority", "dns.srv.priority", 16), u("weight", "dns.srv.weight", 16), u("port", "dns.srv.port", 16),
		dnsNameField("target", "dns.srv.target"))
	// DNSRROPT is the EDNS(0) OPT pseudo-record (RFC 6891).
	DNSRROPT = dnsRR("DNSRROPT", "DNS OPT Resource Record", dnsRROpts{nameWS: "dns.resp.name", opt: true, typ: 41},
		&packet.Field{Name: "rdata", Type: packet.List, Elem: dnsOptElem,
			Elems: []*packet.Protocol{EDNS0TLV, dnsOptCut, dnsOptBad}, Len: dnsRdlen})
	// DNSRRCAA is a certification authority authorization record (RFC 8659).
	DNSRRCAA = func() *packet.Protocol {
		p := dnsRR("DNSRRCAA", "DNS CAA Resource Record", dnsRROpts{nameWS: "dns.resp.name", typ: 257,
			auto: func(b *packet.BuildLayer) { b.SetAuto("taglen", uint64(len(b.Value("tag").B))) },
			virt: []*packet.Virtual{
				dnsCAAVirtual("dns.caa.issue", func(t string) bool { return t == "issue" }),
				dnsCAAVirtual("dns.caa.issuewild", func(t string) bool { return t == "issuewild" }),
				dnsCAAVirtual("dns.caa.iodef", func(t string) bool { return t == "iodef" }),
				dnsCAAVirtual("dns.caa.unknown", func(t string) bool { return !dnsIsCAATag(t) })}},
			&packet.Field{Name: "flags", WS: "dns.caa.flags", Type: packet.Uint, Bits: 8, Base: packet.Hex,
				FlagWS: append(make([]string, 7), "dns.caa.flags.issuer_critical")},
			&packet.Field{Name: "taglen", WS: "dns.caa.tag_length", Type: packet.Uint, Bits: 8, Auto: true},
			&packet.Field{Name: "tag", WS: "dns.caa.tag", Type: packet.Custom, DefaultBytes: []byte("issue"),
				Codec: dnsValueCodec{kind: dnsValCAA, size: dnsCAATagLen}},
			&packet.Field{Name: "value", WS: "dns.caa.value", Type: packet.Custom,
				Codec: dnsValueCodec{kind: dnsValCAA, size: dnsCAAValueLen}})
		return p
	}()

	// Records whose rdata is one name, one table per type for its
	// Wireshark field.
	dnsRRName = func() map[int]*packet.Protocol {
		m := map[int]*packet.Protocol{}
		for _, t := range dnsNameTypes {
			m[t] = dnsRR("DNSRR", "DNS Resource Record", dnsRROpts{nameWS: "dns.resp.name", typ: uint64(t)},
				&packet.Field{Name: "rdata", WS: dnsNameTypeWS[t], Type: packet.Custom, Codec: dnsNames,
					DefaultBytes: []byte{0}, DefaultText: "b''"})
		}
		return m
	}()

	// dnsRRCut is a record whose rdata runs past the message: its fixed
	// part, then the bytes left.
	dnsRRCut = dnsRR("DNSRR_Truncated", "DNS Resource Record (truncated)", dnsRROpts{nameWS: "dns.resp.name"},
		&packet.Field{Name: "load", Type: packet.Bytes, Len: rest})

	// DNSRRNSEC is a DNSSEC next-secure record (RFC 4034).
	DNSRRNSEC = dnsRR("DNSRRNSEC", "DNS NSEC Resource Record", dnsRROpts{nameWS: "dns.resp.name", typ: 47,
		typeBitmap: func(l *packet.Layer, rd []byte) []byte {
			if m := dnsNameSize(rd); m >= 0 {
				return rd[m:]
			}
			return nil
		}},
		dnsNameField("nextname", "dns.nsec.next_domain_name"),
		&packet.Field{Name: "typebitmaps", Type: packet.Bytes, Len: func(l *packet.Layer) int {
			n, ok := dnsRRFixed(l, 10)
			if !ok {
				return -1
			}
			m := dnsNameSize(l.Data[n+10:])
			if m < 0 {
				return -1
			}
			return dnsU16(l.Data[n+8:]) - m
		}})
	// DNSRRNSEC3 is a hashed next-secure record (RFC 5155).
	DNSRRNSEC3 = dnsRR("DNSRRNSEC3", "DNS NSEC3 Resource Record", dnsRROpts{nameWS: "dns.resp.name", typ: 50,
		typeBitmap: func(l *packet.Layer, rd []byte) []byte {
			if o := dnsNSEC3Bitmap(rd); o >= 0 {
				return rd[o:]
			}
			return nil
		}},
		u("hashalg", "dns.nsec3.algo", 8),
		&packet.Field{Name: "flags", WS: "dns.nsec3.flags", Type: packet.Uint, Bits: 8, FlagWS: []string{"dns.nsec3.flags.opt_out"}},
		u("iterations", "dns.nsec3.iterations", 16),
		&packet.Field{Name: "saltlength", WS: "dns.nsec3.salt_length", Type: packet.Uint, Bits: 8},
		&packet.Field{Name: "salt", Type: packet.Bytes, Len: func(l *packet.Layer) int {
			if o := dnsRdataOff(l); o >= 0 && o+5 <= len(l.Data) {
				return int(l.Data[o+4])
			}
			return -1
		}},
		&packet.Field{Name: "hashlength", WS: "dns.nsec3.hash_length", Type: packet.Uint, Bits: 8},
		&packet.Field{Name: "nexthashedownername", Type: packet.Bytes, Len: func(l *packet.Layer) int {
			if o := dnsRdataOff(l); o >= 0 && o+5 <= len(l.Data) {
				if h := o + 5 + int(l.Data[o+4]); h < len(l.Data) {
					return int(l.Data[h])
				}
			}
			return -1
		}},
		&packet.Field{Name: "typebitmaps", Type: packet.Bytes, Len: func(l *packet.Layer) int {
			o := dnsRdataOff(l)
			if o < 0 {
				return -1
			}
			b := dnsNSEC3Bitmap(l.Data[o:])
			if b < 0 {
				return -1
			}
			return dnsU16(l.Data[o-2:]) - b
		}})

	dnsRRBad = packet.Register(&packet.Protocol{
		Name: "DNSRR_Malformed", Title: "DNS Resource Record (malformed)", Element: true,
		Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
	})
)

var dnsNameTypeWS = map[int]string{
	2: "dns.ns", 3: "dns.md", 4: "dns.mf", 5: "dns.cname", 7: "dns.mb", 8: "dns.mg", 9: "dns.mr",
	12: "dns.ptr.domain_name", 39: "dns.dname",
}

// dnsNameTypes are the types whose rdata is one name.
var dnsNameTypes = []int{2, 3, 4, 5, 7, 8, 9, 12, 39}

// dnsRRElems lists every record table.
var dnsRRElems = func() []*packet.Protocol {
	ps := []*packet.Protocol{DNSRR, dnsRRA, dnsRRAAAA, dnsRRTXT, dnsRRSPF, dnsRRSRVRaw, DNSRRSOA, DNSRRMX,
		DNSRRSRV, DNSRROPT, DNSRRCAA, DNSRRNSEC, DNSRRNSEC3, dnsRRCut, dnsRRBad}
	for _, t := range dnsNameTypes {
		ps = append(ps, dnsRRName[t])
	}
	return ps
}()

// dnsRRElem picks the record table from the type that follows the owner
// name; a record whose rdata does not have its type's shape is kept as raw
// rdata, and one that does not fit at all as malformed bytes.
func dnsRRElem(b []byte) *packet.Protocol {
	n := dnsNameSize(b)
	if n < 0 || n+10 > len(b) {
		return dnsRRBad
	}
	typ, rdl := dnsU16(b[n:]), dnsU16(b[n+8:])
	if n+10+rdl > len(b) {
		return dnsRRCut
	}
	return dnsRRShape(typ, b[n+10:n+10+rdl])
}

// dnsRRShape picks the record table for rdata rd of type typ.
func dnsRRShape(typ int, rd []byte) *packet.Protocol {
	rdl := len(rd)
	switch typ {
	case 41:
		return DNSRROPT
	case 33:
		if rdl > 6 && 6+dnsNameSize(rd[6:]) == rdl {
			return DNSRRSRV
		}
		return dnsRRSRVRaw
	}
	if rdl == 0 {
		return DNSRR // Wireshark shows no rdata
	}
	switch typ {
	case 1:
		if rdl == 4 {
			return dnsRRA
		}
	case 28:
		if rdl == 16 {
			return dnsRRAAAA
		}
	case 2, 3, 4, 5, 7, 8, 9, 12, 39:
		if dnsNameSize(rd) == rdl {
			return dnsRRName[typ]
		}
	case 6:
		if m := dnsNameSize(rd); m > 0 {
			if r := dnsNameSize(rd[m:]); r > 0 && m+r+20 == rdl {
				return DNSRRSOA
			}
		}
	case 15:
		if rdl > 2 && 2+dnsNameSize(rd[2:]) == rdl {
			return DNSRRMX
		}
	case 16:
		return dnsRRTXT
	case 99:
		return dnsRRSPF
	case 257:
		if rdl >= 2 && 2+int(rd[1]) <= rdl {
			return DNSRRCAA
		}
	case 47:
		if m := dnsNameSize(rd); m > 0 {
			return DNSRRNSEC
		}
	case 50:
		if dnsNSEC3Bitmap(rd) >= 0 {
			return DNSRRNSEC3
		}
	}
	return DNSRR
}

// dnsCounts returns how many records of each section to dissect: the
// header's counts, cut where Wireshark gives up on the message. A question
// or record that does not fit in the message, or whose name cannot be
// expanded, is left out with everything after it (which becomes the
// message's payload); a record whose rdata cannot be read is kept, and ends
// the message.
func dnsCounts(l *packet.Layer) [4]int {
	msg := dnsMessage(l)
	if len(msg) < 12 {
		return [4]int{}
	}
	// The walk expands names; the engine asks for the counts many times
	// per field lookup, so the last results are kept, keyed by the
	// message's contents (the counts depend on nothing else).
	h := maphash.Bytes(dnsCountSeed, msg)
	dnsCountMu.Lock()
	for _, e := range dnsCountCache {
		if e.hash == h && e.n == len(msg) {
			dnsCountMu.Unlock()
			return e.c
		}
	}
	dnsCountMu.Unlock()
	c := dnsWalk(msg)
	dnsCountMu.Lock()
	copy(dnsCountCache[1:], dnsCountCache[:len(dnsCountCache)-1])
	dnsCountCache[0] = dnsCountEntry{hash: h, n: len(msg), c: c}
	dnsCountMu.Unlock()
	return c
}

type dnsCountEntry struct {
	hash uint64
	n    int
	c    [4]int
}

var (
	dnsCountSeed  = maphash.MakeSeed()
	dnsCountMu    sync.Mutex
	dnsCountCache [4]dnsCountEntry
)

// dnsWalk computes dnsCounts for a message of at least 12 bytes.
func dnsWalk(msg []byte) (c [4]int) {
	pos := 12
	var d dnsName
	for s := 0; s < 4; s++ {
		want := dnsU16(msg[4+2*s:])
		for k := 0; k < want; k++ {
			n := dnsNameSize(msg[pos:])
			if n < 0 {
				return
			}
			// Checking names costs up to 256 pointer jumps each; past a
			// budget (only a crafted message gets there) names are taken
			// as readable.
			if d.steps < dnsWalkBudget {
				if d.expand(msg, pos); d.bad {
					return
				}
			}
			if s == 0 {
				if pos+n+4 > len(msg) {
					return
				}
				c[s]++
				pos += n + 4
				continue
			}
			typ, rdl, rd := 0, 0, pos+n+10
			if rd <= len(msg) {
				typ, rdl = dnsU16(msg[pos+n:]), dnsU16(msg[pos+n+8:])
			}
			if rd+rdl > len(msg) {
				return // Wireshark cannot even add the record's subtree
			}
			c[s]++
			if dnsRdataStops(&d, msg, typ, rd, rdl) {
				return
			}
			pos = rd + rdl
		}
	}
	return
}

const dnsWalkBudget = 1 << 14

// dnsRdataStops reports whether Wireshark gives up inside this rdata. It
// reads typed rdata from the message whatever rdlen says, so this follows
// its reads: a name that cannot be expanded, or fields or character-strings
// (read while its count of rdata bytes left is not zero) or EDNS options
// (while it is positive) that run past the message.
func dnsRdataStops(d *dnsName, msg []byte, typ, off, rdl int) bool {
	if rdl == 0 {
		return false // Wireshark shows no rdata
	}
	bad := func(at int) bool {
		if d.steps >= dnsWalkBudget {
			return false
		}
		d.expand(msg, at)
		return d.bad
	}
	switch typ {
	case 1:
		return off+4 > len(msg)
	case 28:
		return off+16 > len(msg)
	case 2, 3, 4, 5, 7, 8, 9, 12, 39, 47:
		return bad(off)
	case 6:
		if bad(off) {
			return true
		}
		m := off + d.used
		if bad(m) {
			return true
		}
		return m+d.used+20 > len(msg)
	case 15:
		return off+2 > len(msg) || bad(off+2)
	case 33:
		return off+6 > len(msg) || bad(off+6)
	case 16, 99:
		for p, rl := off, rdl; rl != 0; {
			if p >= len(msg) {
				return true
			}
			k := int(msg[p])
			if p+1+k > len(msg) {
				return true
			}
			p += 1 + k
			rl -= 1 + k
		}
	case 41:
		for p, rl := off, rdl; rl > 0; {
			if p+4 > len(msg) {
				return true
			}
			k := dnsU16(msg[p+2:])
			if p+4+k > len(msg) {
				return true
			}
			p += 4 + k
			rl -= 4 + k
		}
	case 257:
		return rdl < 2 || 2+int(msg[off+1]) > rdl
	case 38: // A6: prefix length, address suffix, prefix name
		pl := int(msg[off])
		cnt := 0
		if pl > 128 {
			cnt = 16 // Wireshark's unsigned arithmetic: it reads 16 bytes, then shows 8177
		} else if pl < 128 {
			cnt = (128-pl-1)/8 + 1
		}
		if off+1+cnt > len(msg) || (pl > 0 && bad(off+1+cnt)) {
			return true
		}
		return pl > 128 && off+1+8177 > len(msg)
	case 14, 17: // MINFO, RP: two names
		if bad(off) {
			return true
		}
		return bad(off + d.used)
	case 18, 21, 36: // AFSDB, RT, KX: 16 bits then a name
		return off+2 > len(msg) || bad(off+2)
	case 26: // PX: preference and two names
		if off+2 > len(msg) || bad(off+2) {
			return true
		}
		return bad(off + 2 + d.used)
	case 23, 30, 249, 250: // NSAP-PTR, NXT, TKEY, TSIG: a name first
		return bad(off)
	case 24, 46: // SIG, RRSIG: 18 bytes then the signer's name
		return off+18 > len(msg) || bad(off+18)
	}
	return false
}

// ---------------------------------------------------------------------------
// Messages

type dnsKind int

const (
	dnsUDP dnsKind = iota
	dnsTCP
	dnsMDNS
	dnsLLMNR
)

// dnsHeader builds the header fields, sections and virtual fields of a DNS
// message table; base is 2 for DNS over TCP (the length field first).
func dnsHeader(kind dnsKind, base int) ([]*packet.Field, []*packet.Virtual) {
	var fs []*packet.Field
	if kind == dnsTCP {
		fs = append(fs, &packet.Field{Name: "length", WS: "dns.length", Type: packet.Uint, Bits: 16, Auto: true})
	}
	bit := func(name, ws string, def uint64) *packet.Field {
		return &packet.Field{Name: name, WS: ws, Type: packet.Uint, Bits: 1, Default: def}
	}
	fs = append(fs, &packet.Field{Name: "id", WS: "dns.id", Type: packet.Uint, Bits: 16, Base: packet.Hex, Digits: 4},
		bit("qr", "dns.flags.response", 0))
	if kind == dnsLLMNR {
		fs = append(fs,
			&packet.Field{Name: "opcode", WS: "dns.flags.opcode", Type: packet.Uint, Bits: 4, Enum: dnsLLMNROpcodes},
			bit("c", "dns.flags.conflict", 0), bit("tc", "dns.flags.truncated", 0), bit("t", "dns.flags.tentative", 0),
			&packet.Field{Name: "z", Type: packet.Uint, Bits: 4},
			&packet.Field{Name: "rcode", Type: packet.Uint, Bits: 4, Enum: dnsLLMNRRcodes})
	} else {
		fs = append(fs,
			&packet.Field{Name: "opcode", WS: "dns.flags.opcode", Type: packet.Uint, Bits: 4, Enum: dnsOpcodes},
			bit("aa", "", 0), bit("tc", "dns.flags.truncated", 0), bit("rd", "dns.flags.recdesired", 1),
			bit("ra", "", 0), bit("z", "dns.flags.z", 0), bit("ad", "", 0), bit("cd", "dns.flags.checkdisable", 0),
			&packet.Field{Name: "rcode", Type: packet.Uint, Bits: 4, Enum: dnsRcodes})
	}
	count := func(name, ws string) *packet.Field {
		return &packet.Field{Name: name, WS: ws, Type: packet.Uint, Bits: 16, Auto: true}
	}
	fs = append(fs, count("qdcount", ""), count("ancount", ""), count("nscount", ""), count("arcount", "dns.count.add_rr"))
	cnt := func(i int) func(l *packet.Layer) int {
		return func(l *packet.Layer) int {
			if len(l.Data) < base+12 {
				return -1
			}
			return dnsCounts(l)[i]
		}
	}
	rr := func(name string, i int) *packet.Field {
		return &packet.Field{Name: name, Type: packet.List, Elem: dnsRRElem, Elems: dnsRRElems, Count: cnt(i)}
	}
	fs = append(fs,
		&packet.Field{Name: "qd", Type: packet.List, Elem: dnsQRElem, Elems: []*packet.Protocol{DNSQR, dnsQRBad}, Count: cnt(0)},
		rr("an", 1), rr("ns", 2), rr("ar", 3))

	flags := func(l *packet.Layer) (int, bool) {
		if len(l.Data) < base+4 {
			return 0, false
		}
		return dnsU16(l.Data[base+2:]), true
	}
	// flagIf shows a flag bit (or the rcode) only when Wireshark does.
	flagIf := func(ws string, shift uint, mask int, when func(f int) bool) *packet.Virtual {
		return &packet.Virtual{WS: ws, Type: packet.Uint, Bits: 16, Need: base + 4, Get: func(l *packet.Layer) (packet.Value, bool) {
			f, ok := flags(l)
			if !ok || !when(f) {
				return packet.Value{}, false
			}
			return dnsUval(uint64(f >> shift & mask))
		}}
	}
	resp := func(f int) bool { return f&0x8000 != 0 }
	// Section counts are named after the sections of an UPDATE (RFC 2136)
	// when the opcode is 5.
	countV := func(ws string, i int, update bool) *packet.Virtual {
		return &packet.Virtual{WS: ws, Type: packet.Uint, Bits: 16, Need: base + 4, Get: func(l *packet.Layer) (packet.Value, bool) {
			f, ok := flags(l)
			o := base + 4 + 2*i
			if !ok || len(l.Data) < o+2 || (f>>11&15 == 5) != update {
				return packet.Value{}, false
			}
			return dnsUval(uint64(dnsU16(l.Data[o:])))
		}}
	}
	vs := []*packet.Virtual{
		{WS: "dns.flags", Type: packet.Uint, Bits: 16, Base: packet.Hex, Digits: 4, Need: base + 4,
			Get: func(l *packet.Layer) (packet.Value, bool) {
				f, ok := flags(l)
				if !ok {
					return packet.Value{}, false
				}
				return dnsUval(uint64(f))
			}},
		flagIf("dns.flags.rcode", 0, 15, resp),
		countV("dns.count.queries", 0, false), countV("dns.count.zones", 0, true),
		countV("dns.count.answers", 1, false), countV("dns.count.prerequisites", 1, true),
		countV("dns.count.auth_rr", 2, false), countV("dns.count.updates", 2, true),
	}
	if kind != dnsLLMNR {
		vs = append(vs,
			flagIf("dns.flags.authoritative", 10, 1, resp),
			flagIf("dns.flags.recavail", 7, 1, resp),
			flagIf("dns.flags.authenticated", 5, 1, func(f int) bool { return f&0x8020 != 0 }))
	}
	return fs, vs
}

// dnsAuto fills the section counts (and the TCP length) the user left unset.
func dnsAuto(b *packet.BuildLayer) {
	for _, c := range [][2]string{{"qdcount", "qd"}, {"ancount", "an"}, {"nscount", "ns"}, {"arcount", "ar"}} {
		if v, ok := b.Spec.Get(c[1]); ok {
			b.SetAuto(c[0], uint64(len(v.List)))
		}
	}
	if b.Spec.Proto.Name == "DNSTCP" {
		b.SetAuto("length", uint64(b.HdrEnd-b.Start-2))
	}
}

func dnsTable(name, abbrev, long, title string, kind dnsKind) *packet.Protocol {
	base := 0
	if kind == dnsTCP {
		base = 2
	}
	fs, vs := dnsHeader(kind, base)
	p := &packet.Protocol{
		Name: name, Abbrev: abbrev, Long: long, Title: title, Fields: fs, Virtual: vs,
		Auto: dnsAuto,
		// Nothing follows a DNS message but data; over TCP another
		// message may (see Next below).
		Terminal: kind != dnsTCP,
	}
	// Wireshark reads the ID and flags before it shows anything: a shorter
	// message is plain data.
	p.Dispatch = func(b []byte) *packet.Protocol {
		if len(b) < base+4 {
			return packet.Raw
		}
		return nil
	}
	if kind == dnsLLMNR {
		p.Summary = dnsLLMNRSummary
	} else {
		p.Summary = dnsSummary
	}
	if kind == dnsTCP {
		p.Check = func(l *packet.Layer) string {
			if dnsU16(l.Data) < 12 {
				return "DNS over TCP length is below the 12-byte header"
			}
			return ""
		}
		// Several messages may share a segment: another one follows when
		// this one ends where its length says and two bytes remain.
		p.Next = func(l *packet.Layer) *packet.Protocol {
			if l.HdrLen == 2+dnsU16(l.Data) && len(l.Data)-l.HdrLen >= 2 {
				return l.Proto
			}
			return nil
		}
	}
	return packet.Register(p)
}

// DNS, DNS over TCP, multicast DNS and LLMNR message tables.
var (
	// DNS is a DNS message over UDP (Scapy's DNS).
	DNS = dnsTable("DNS", "dns", "Domain Name System", "DNS", dnsUDP)
	// DNSTCP is a DNS message over TCP, led by its two-byte length (Scapy's
	// DNS over TCP, with its length field).
	DNSTCP = dnsTable("DNSTCP", "dns", "Domain Name System", "DNS", dnsTCP)
	// MDNS is a multicast DNS message (RFC 6762); Scapy dissects it as DNS.
	MDNS = dnsTable("MDNS", "mdns", "Multicast Domain Name System", "DNS", dnsMDNS)
	// LLMNRQuery is a Link-Local Multicast Name Resolution query (RFC 4795);
	// a message with the QR bit set is an LLMNRResponse.
	LLMNRQuery = dnsTable("LLMNRQuery", "llmnr", "Link-local Multicast Name Resolution",
		"Link Local Multicast Node Resolution - Query", dnsLLMNR)
	// LLMNRResponse is an LLMNR response.
	LLMNRResponse = dnsTable("LLMNRResponse", "llmnr", "Link-local Multicast Name Resolution",
		"Link Local Multicast Node Resolution - Response", dnsLLMNR)
)

func init() {
	LLMNRQuery.Dispatch = func(b []byte) *packet.Protocol {
		if len(b) < 4 {
			return packet.Raw
		}
		if b[2]&0x80 != 0 {
			return LLMNRResponse
		}
		return nil
	}
	LLMNRResponse.MustField("qr").Default = 1
	bindPort(UDP, 53, DNS)
	bindPort(TCP, 53, DNSTCP)
	bindPort(TCP, 5353, DNSTCP) // Wireshark dissects TCP 5353 as DNS
	bindPort(UDP, 5353, MDNS)
	bindPort(UDP, 5355, LLMNRQuery)
	bindPort(UDP, 5355, LLMNRResponse)
	packet.AddHeuristic(UDP, packet.Heuristic{Name: "dns", Guess: dnsGuess})
	packet.Alias("dns.qdcount", "dns.count.queries")
	packet.Alias("dns.ancount", "dns.count.answers")
	packet.Alias("dns.nscount", "dns.count.auth_rr")
	packet.Alias("dns.arcount", "dns.count.add_rr")
	packet.Alias("dns.qname", "dns.qry.name")
	packet.Alias("dns.qtype", "dns.qry.type")
	packet.Alias("dns.rrname", "dns.resp.name")
	packet.Alias("dns.ttl", "dns.resp.ttl")
	packet.Alias("dns.rdlen", "dns.resp.len")
}

// dnsGuess is Wireshark's DNS-over-UDP heuristic, for ports no dissector
// claims: a standard query (opcode 0) with one question, no answer or
// authority records and at most 10 additional ones, or a standard response
// with at most one question, 100 answers, 10 authority and 10 additional
// records. NetBIOS name service (port 137), which shares the format, is left
// alone.
func dnsGuess(l *packet.Layer, b []byte) *packet.Protocol {
	if len(b) <= 12 || b[2]&0x78 != 0 {
		return nil
	}
	if len(l.Data) < 4 || dnsU16(l.Data) == 137 || dnsU16(l.Data[2:]) == 137 {
		return nil
	}
	qd, an, ns, ar := dnsU16(b[4:]), dnsU16(b[6:]), dnsU16(b[8:]), dnsU16(b[10:])
	if b[2]&0x80 == 0 {
		if qd != 1 || an != 0 || ns != 0 || ar > 10 {
			return nil
		}
	} else if qd > 1 || an > 100 || ns > 10 || ar > 10 {
		return nil
	}
	return DNS
}

// ---------------------------------------------------------------------------
// Summaries (Scapy's mysummary)

// dnsSections returns the header offset and the first question and answer
// of a message (nil when absent).
func dnsFirst(l *packet.Layer, name string) *packet.Layer {
	f := l.Proto.Field(name)
	it := l.Elems(f)
	if !it.Next() {
		return nil
	}
	e := *it.Layer()
	return &e
}

// dnsSummary is Scapy's DNS.mysummary: `DNS Qry "b'www.example.com.'" ` or
// `DNS Ans "1.2.3.4" ` (with Scapy's trailing space).
func dnsSummary(dst []byte, l *packet.Layer) []byte {
	base := 0
	if l.Proto.Name == "DNSTCP" {
		base = 2
	}
	h := l.Data[base:]
	if h[2]&0x80 != 0 {
		dst = append(dst, "DNS Ans"...)
		if dnsU16(h[6:]) > 0 {
			if an := dnsFirst(l, "an"); an != nil {
				dst = dnsScapyRdata(dst, an)
			}
		}
	} else {
		dst = append(dst, "DNS Qry"...)
		if dnsU16(h[4:]) > 0 {
			if qd := dnsFirst(l, "qd"); qd != nil && qd.Proto == DNSQR {
				dst = append(dst, " \""...)
				dst = dnsPyBytes(dst, dnsScapyName(qd, qd.Data, true))
				dst = append(dst, '"')
			}
		}
	}
	return append(dst, ' ')
}

// appendScapyRdata appends ` "rdata"` as Scapy prints the first answer when
// it is a DNSRR (Scapy's other record classes print nothing).
func dnsScapyRdata(dst []byte, an *packet.Layer) []byte {
	n := dnsNameSize(an.Data)
	if n < 0 || n+10 > len(an.Data) {
		return dst
	}
	typ := dnsU16(an.Data[n:])
	if an.Proto == dnsRRBad {
		return dst
	}
	switch typ {
	case 6, 15, 33, 41, 43, 46, 47, 48, 50, 51, 250, 32769:
		return dst // Scapy's DNSRRSOA, DNSRRMX, ... are not DNSRR
	}
	rd := an.Data[n+10:]
	rd = rd[:min(len(rd), dnsU16(an.Data[n+8:]))]
	dst = append(dst, " \""...)
	switch {
	case typ == 1 && len(rd) == 4:
		dst = appendAddr4(dst, rd)
	case typ == 28 && len(rd) == 16:
		dst = netip.AddrFrom16([16]byte(rd)).AppendTo(dst)
	case typ == 2 || typ == 3 || typ == 4 || typ == 5 || typ == 12:
		dst = dnsPyBytes(dst, dnsScapyName(an, rd, false))
	case typ == 16:
		dst = append(dst, '[')
		for i := 0; len(rd) > 0; i++ {
			k := min(int(rd[0])+1, len(rd))
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = dnsPyBytes(dst, rd[1:k])
			rd = rd[k:]
		}
		dst = append(dst, ']')
	default:
		dst = dnsPyBytes(dst, rd)
	}
	return append(dst, '"')
}

// scapyName decodes a name as Scapy's dns_get_str does: labels joined with
// and ended by dots, pointers followed until one repeats or points outside
// the message. Scapy shows the root as "." for question and owner names and
// as "" for names in rdata.
func dnsScapyName(l *packet.Layer, raw []byte, owner bool) []byte {
	msg, off, ok := dnsLocate(l, raw)
	if !ok {
		msg, off = raw, 0
	}
	var out []byte
	var seen [256]int
	nseen := 0
	for off >= 0 && off < len(msg) {
		c := int(msg[off])
		off++
		if c&0xc0 != 0 {
			if off >= len(msg) {
				break
			}
			p := (c&0x3f)<<8 | int(msg[off])
			loop := false
			for _, s := range seen[:nseen] {
				if s == p {
					loop = true
				}
			}
			if loop || nseen == len(seen) {
				break
			}
			seen[nseen] = p
			nseen++
			off = p
			continue
		}
		if c == 0 {
			break
		}
		end := min(off+c, len(msg))
		out = append(out, msg[off:end]...)
		out = append(out, '.')
		off += c
	}
	if owner && len(out) == 0 {
		out = append(out, '.')
	}
	return out
}

// appendPyBytes appends Python's repr of a bytes value (b'...').
func dnsPyBytes(dst, b []byte) []byte {
	q := byte('\'')
	if strings.IndexByte(string(b), '\'') >= 0 && strings.IndexByte(string(b), '"') < 0 {
		q = '"'
	}
	dst = append(dst, 'b', q)
	for _, c := range b {
		switch {
		case c == '\\' || c == q:
			dst = append(dst, '\\', c)
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c >= 0x20 && c < 0x7f:
			dst = append(dst, c)
		default:
			dst = append(dst, '\\', 'x', dnsHex[c>>4], dnsHex[c&15])
		}
	}
	return append(dst, q)
}

// dnsLLMNRSummary is Scapy's LLMNRQuery.mysummary.
func dnsLLMNRSummary(dst []byte, l *packet.Layer) []byte {
	if an := dnsFirst(l, "an"); an != nil {
		n := dnsNameSize(an.Data)
		dst = append(dst, "LLMNRResponse '"...)
		dst = append(dst, dnsScapyName(an, an.Data[:max(n, 0)], true)...)
		dst = append(dst, "' is at '"...)
		if n >= 0 && n+10 <= len(an.Data) {
			typ := dnsU16(an.Data[n:])
			rd := an.Data[n+10:]
			rd = rd[:min(len(rd), dnsU16(an.Data[n+8:]))]
			switch {
			case typ == 1 && len(rd) == 4:
				dst = appendAddr4(dst, rd)
			case typ == 28 && len(rd) == 16:
				dst = netip.AddrFrom16([16]byte(rd)).AppendTo(dst)
			default:
				dst = dnsPyBytes(dst, rd)
			}
		}
		return append(dst, '\'')
	}
	if qd := dnsFirst(l, "qd"); qd != nil && qd.Proto == DNSQR {
		dst = append(dst, "LLMNRQuery who has '"...)
		dst = append(dst, dnsScapyName(qd, qd.Data, true)...)
		return append(dst, '\'')
	}
	return append(dst, l.Proto.Name...)
}
