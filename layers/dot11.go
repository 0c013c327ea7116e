package layers

import (
	"encoding/binary"
	"net"
	"strconv"

	"pktkit/packet"
)

// 802.11 frame types.
const (
	dot11Mgmt = 0
	dot11Ctrl = 1
	dot11Data = 2
)

// Frame control flag bits (the second byte).
const (
	dot11ToDS      = 0x01
	dot11FromDS    = 0x02
	dot11Protected = 0x40
	dot11Order     = 0x80
)

// dot11Types are Scapy's names of the frame types.
var dot11Types = map[uint64]string{0: "Management", 1: "Control", 2: "Data", 3: "Extension"}

// dot11Subtypes are Scapy's names of the subtypes, per type.
var dot11Subtypes = [4]map[uint64]string{
	{0: "Association Request", 1: "Association Response", 2: "Reassociation Request",
		3: "Reassociation Response", 4: "Probe Request", 5: "Probe Response", 6: "Timing Advertisement",
		8: "Beacon", 9: "ATIM", 10: "Disassociation", 11: "Authentication", 12: "Deauthentication",
		13: "Action", 14: "Action No Ack"},
	{2: "Trigger", 3: "TACK", 4: "Beamforming Report Poll", 5: "VHT/HE NDP Announcement",
		6: "Control Frame Extension", 7: "Control Wrapper", 8: "Block Ack Request", 9: "Block Ack",
		10: "PS-Poll", 11: "RTS", 12: "CTS", 13: "Ack", 14: "CF-End", 15: "CF-End+CF-Ack"},
	{0: "Data", 1: "Data+CF-Ack", 2: "Data+CF-Poll", 3: "Data+CF-Ack+CF-Poll", 4: "Null (no data)",
		5: "CF-Ack (no data)", 6: "CF-Poll (no data)", 7: "CF-Ack+CF-Poll (no data)", 8: "QoS Data",
		9: "QoS Data+CF-Ack", 10: "QoS Data+CF-Poll", 11: "QoS Data+CF-Ack+CF-Poll",
		12: "QoS Null (no data)", 14: "QoS CF-Poll (no data)", 15: "QoS CF-Ack+CF-Poll (no data)"},
	{0: "DMG Beacon", 1: "S1G Beacon"},
}

// dot11FC is the frame control as the address rules need it.
type dot11FC struct{ typ, sub, flags uint8 }

func dot11FCOf(b []byte) dot11FC { return dot11FC{b[0] >> 2 & 3, b[0] >> 4, b[1]} }

// specFC reads the frame control from a spec being built.
func specFC(s *packet.Spec) dot11FC {
	t, _ := s.Get("type")
	st, _ := s.Get("subtype")
	f, _ := s.Get("FCfield")
	return dot11FC{uint8(t.U), uint8(st.U), uint8(f.U)}
}

// hasAddr2 reports whether the frame has a second address (Scapy's rule:
// every frame but the control frames without a transmitter, ACK and CTS).
func (c dot11FC) hasAddr2() bool {
	if c.typ != dot11Ctrl {
		return true
	}
	switch c.sub {
	case 4, 5, 6, 8, 9, 10, 11, 14, 15:
		return true
	}
	return false
}

func (c dot11FC) hasAddr3() bool { return c.typ == dot11Mgmt || c.typ == dot11Data }
func (c dot11FC) hasSC() bool    { return c.typ != dot11Ctrl }
func (c dot11FC) hasAddr4() bool { return c.typ == dot11Data && c.flags&3 == 3 }

// dot11Opt is an 802.11 header field present only for some frame types:
// an address (mac) or a little-endian integer of size bytes.
type dot11Opt struct {
	size    int
	mac     bool
	present func(dot11FC) bool
}

func (c dot11Opt) Size(l *packet.Layer, b []byte) int {
	if c.present(dot11FCOf(l.Data)) {
		return c.size
	}
	return 0
}

func (c dot11Opt) Format(dst []byte, l *packet.Layer, raw []byte) []byte {
	if len(raw) == 0 {
		return append(dst, "None"...)
	}
	if c.mac {
		return appendMAC(dst, raw)
	}
	var u uint64
	for i := len(raw) - 1; i >= 0; i-- {
		u = u<<8 | uint64(raw[i])
	}
	return strconv.AppendUint(dst, u, 10)
}

func (c dot11Opt) Parse(s string) ([]byte, error) {
	if c.mac {
		return net.ParseMAC(s)
	}
	u, err := strconv.ParseUint(s, 0, c.size*8)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, u)
	return b[:c.size], nil
}

// dot11OptField declares a conditional header field: when crafting, it is
// there (zero) exactly when the spec's frame control calls for it.
func dot11OptField(name string, c dot11Opt) *packet.Field {
	return &packet.Field{Name: name, Type: packet.Custom, Codec: c, DefaultText: "None",
		BuildDefault: func(s *packet.Spec) []byte {
			if c.present(specFC(s)) {
				return make([]byte, c.size)
			}
			return nil
		}}
}

// dot11AddrOff returns the offsets of addresses 1 to 4 in the header
// (-1 when absent or cut off).
func dot11AddrOff(l *packet.Layer) (o [5]int) {
	c := dot11FCOf(l.Data)
	o = [5]int{-1, 4, -1, -1, -1}
	if c.hasAddr2() {
		o[2] = 10
	}
	if c.hasAddr3() {
		o[3] = 16
	}
	if c.hasAddr4() {
		o[4] = 24
	}
	for i := range o {
		if o[i]+6 > len(l.Data) {
			o[i] = -1
		}
	}
	return
}

// dot11Role returns the address number holding a Wireshark address role
// ("ra", "ta", "da", "sa", "bssid", "staa") for this frame, or 0.
func dot11Role(c dot11FC, role string) int {
	switch role {
	case "ra":
		return 1
	case "ta":
		return 2
	}
	if c.typ == dot11Mgmt {
		switch role {
		case "da":
			return 1
		case "sa":
			return 2
		case "bssid":
			return 3
		}
		return 0
	}
	if c.typ != dot11Data {
		return 0
	}
	// Data frames: the DS bits place the addresses.
	roles := [4][4]string{
		{"", "da", "sa", "bssid"},
		{"", "bssid", "sa", "da"}, // to the DS
		{"", "da", "bssid", "sa"}, // from the DS
		{"", "", "", "da"},        // between APs: sa in addr4
	}
	ds := c.flags & 3
	for i, r := range roles[ds] {
		if r == role {
			return i
		}
	}
	switch {
	case role == "sa" && ds == 3:
		return 4
	case role == "staa" && ds == 1:
		return 2
	case role == "staa" && ds == 2:
		return 1
	}
	return 0
}

func dot11AddrVirtual(ws, role string) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.MAC, Get: func(l *packet.Layer) (packet.Value, bool) {
		c := dot11FCOf(l.Data)
		n := dot11Role(c, role)
		if n == 0 || role != "ra" && role != "ta" && len(l.Data) < dot11HdrLen(c) {
			// Wireshark names the roles past the receiver and
			// transmitter once the whole header is there.
			return packet.Value{}, false
		}
		o := dot11AddrOff(l)[n]
		if o < 0 {
			return packet.Value{}, false
		}
		return packet.Value{B: l.Data[o : o+6]}, true
	}}
}

// dot11HdrLen returns the 802.11 MAC header length without QoS control.
func dot11HdrLen(c dot11FC) int {
	n := 10
	if c.hasAddr2() {
		n += 6
	}
	if c.hasAddr3() {
		n += 6
	}
	if c.hasSC() {
		n += 2
	}
	if c.hasAddr4() {
		n += 6
	}
	return n
}

// dot11SC returns the sequence control field, if present.
func dot11SC(l *packet.Layer) (uint64, bool) {
	c := dot11FCOf(l.Data)
	if !c.hasSC() || len(l.Data) < 24 {
		return 0, false
	}
	return uint64(binary.LittleEndian.Uint16(l.Data[22:])), true
}

// dot11FCS returns the FCS trailing the frame, when a radiotap header
// below says there is one (the engine then leaves it out of the layer's
// data: it sits right after it in the packet).
func dot11FCS(l *packet.Layer) ([]byte, bool) {
	par := l.Parent()
	if par == nil || par.Proto != RadioTap {
		return nil, false
	}
	if f, ok := rtFlags(par); !ok || f&rtFlagFCS == 0 {
		return nil, false
	}
	p := l.Packet()
	end := l.Off + len(l.Data)
	if p == nil || end+4 != len(p.Data) || p.OrigLen > len(p.Data) || par.Off+len(par.Data) != end {
		// The FCS was not captured.
		return nil, false
	}
	return p.Data[end : end+4], true
}

// Dot11 is the IEEE 802.11 MAC header (link type 105, and the payload of
// radiotap; Scapy's Dot11): frame control, duration, the addresses the
// frame type has, sequence control. Wireshark's address roles (receiver,
// transmitter, destination, source, BSSID) are computed from the type and
// the DS bits. Unlike Scapy, which reads it big-endian, the duration (ID) is
// little-endian as on the air.
var Dot11 = packet.Register(&packet.Protocol{
	Name: "Dot11", Abbrev: "wlan", Long: "IEEE 802.11 wireless LAN", Title: "802.11",
	Fields: []*packet.Field{
		{Name: "subtype", WS: "wlan.fc.subtype", Type: packet.Uint, Bits: 4},
		{Name: "type", WS: "wlan.fc.type", Type: packet.Uint, Bits: 2, Enum: dot11Types},
		{Name: "proto", WS: "wlan.fc.version", Type: packet.Uint, Bits: 2},
		{Name: "FCfield", WS: "wlan.flags", Type: packet.Uint, Bits: 8, Base: packet.Hex,
			Flags:  []string{"to-DS", "from-DS", "MF", "retry", "pw-mgt", "MD", "protected", "order"},
			FlagWS: []string{"wlan.fc.tods", "wlan.fc.fromds", "wlan.fc.frag", "wlan.fc.retry", "wlan.fc.pwrmgt", "wlan.fc.moredata", "wlan.fc.protected", "wlan.fc.order"}},
		{Name: "ID", Type: packet.Uint, Bits: 16, Little: true},
		{Name: "addr1", Type: packet.MAC, DefaultBytes: make([]byte, 6)},
		dot11OptField("addr2", dot11Opt{6, true, dot11FC.hasAddr2}),
		dot11OptField("addr3", dot11Opt{6, true, dot11FC.hasAddr3}),
		dot11OptField("SC", dot11Opt{2, false, dot11FC.hasSC}),
		dot11OptField("addr4", dot11Opt{6, true, dot11FC.hasAddr4}),
	},
	Virtual: []*packet.Virtual{
		{WS: "wlan.fc", Type: packet.Uint, Bits: 16, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[0])<<8 | uint64(l.Data[1])}, true
		}},
		{WS: "wlan.fc.type_subtype", Type: packet.Uint, Bits: 16, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			c := dot11FCOf(l.Data)
			return packet.Value{U: uint64(c.typ)<<4 | uint64(c.sub)}, true
		}},
		{WS: "wlan.fc.ds", Type: packet.Uint, Bits: 8, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[1] & 3)}, true
		}},
		{WS: "wlan.duration", Type: packet.Uint, Bits: 16, Of: "ID", Get: func(l *packet.Layer) (packet.Value, bool) {
			d := binary.LittleEndian.Uint16(l.Data[2:])
			if d&0x8000 != 0 {
				return packet.Value{}, false // an association ID (PS-Poll) or reserved
			}
			return packet.Value{U: uint64(d)}, true
		}},
		dot11AddrVirtual("wlan.ra", "ra"),
		dot11AddrVirtual("wlan.ta", "ta"),
		dot11AddrVirtual("wlan.da", "da"),
		dot11AddrVirtual("wlan.sa", "sa"),
		dot11AddrVirtual("wlan.bssid", "bssid"),
		dot11AddrVirtual("wlan.staa", "staa"),
		{WS: "wlan.seq", Type: packet.Uint, Bits: 16, Get: func(l *packet.Layer) (packet.Value, bool) {
			sc, ok := dot11SC(l)
			return packet.Value{U: sc >> 4}, ok
		}},
		{WS: "wlan.frag", Type: packet.Uint, Bits: 16, Get: func(l *packet.Layer) (packet.Value, bool) {
			sc, ok := dot11SC(l)
			return packet.Value{U: sc & 15}, ok
		}},
		{WS: "wlan.fcs", Type: packet.Uint, Bits: 32, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			b, ok := dot11FCS(l)
			if !ok {
				return packet.Value{}, false
			}
			return packet.Value{U: uint64(binary.LittleEndian.Uint32(b))}, true
		}},
		{WS: "wlan.fcs.status", Type: packet.Uint, Bits: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
			_, ok := dot11FCS(l)
			return packet.Value{U: 2}, ok // unverified: Wireshark does not check it by default
		}},
	},
	Dispatch: func(b []byte) *packet.Protocol {
		if len(b) > 0 && b[0]&3 != 0 {
			return Dot11Unknown
		}
		return nil
	},
	Summary: func(dst []byte, l *packet.Layer) []byte {
		c := dot11FCOf(l.Data)
		dst = append(dst, "802.11 "...)
		if n, ok := dot11Types[uint64(c.typ)]; ok {
			dst = append(dst, n...)
		}
		dst = append(dst, ' ')
		if n, ok := dot11Subtypes[c.typ][uint64(c.sub)]; ok {
			dst = append(dst, n...)
		} else {
			dst = strconv.AppendUint(dst, uint64(c.sub), 10)
		}
		dst = append(dst, ' ')
		if o := dot11AddrOff(l); o[2] >= 0 {
			dst = appendMAC(dst, l.Data[o[2]:o[2]+6])
		} else {
			dst = append(dst, "00:00:00:00:00:00"...) // Scapy shows the absent field's default
		}
		dst = dot11AppendMeaning(dst, c, 2)
		dst = append(dst, " > "...)
		dst = appendMAC(dst, l.Data[4:10])
		return dot11AppendMeaning(dst, c, 1)
	},
})

// dot11AppendMeaning appends, as Scapy's summary does, what address 1 or
// 2 means for this frame type and DS bits ("RA=DA", "TA=SA", ...).
func dot11AppendMeaning(dst []byte, c dot11FC, n int) []byte {
	var m string
	to, from := c.flags&dot11ToDS != 0, c.flags&dot11FromDS != 0
	switch c.typ {
	case dot11Mgmt:
		m = [3]string{"", "RA=DA", "TA=SA"}[n]
	case dot11Ctrl:
		m = [3]string{"", "RA", "TA"}[n]
	case dot11Data:
		switch {
		case n == 1 && !to:
			m = "RA=DA"
		case n == 1 && !from:
			m = "RA=BSSID"
		case n == 1:
			m = "RA"
		case !from:
			m = "TA=SA"
		case !to:
			m = "TA=BSSID"
		default:
			m = "TA"
		}
	case 3:
		if n == 1 {
			m = "BSSID"
		}
	}
	if m == "" {
		return dst
	}
	dst = append(dst, " ("...)
	dst = append(dst, m...)
	return append(dst, ')')
}

// Dot11Unknown is an 802.11 frame of a protocol version other than 0:
// like Wireshark, only the version is read; the rest is data.
var Dot11Unknown = packet.Register(&packet.Protocol{
	Name: "Dot11Unknown", Chain: "wlan", Long: "IEEE 802.11 wireless LAN (unknown version)", Title: "802.11 unknown version",
	Terminal: true,
	Fields: []*packet.Field{
		{Name: "subtype", Type: packet.Uint, Bits: 4},
		{Name: "type", Type: packet.Uint, Bits: 2, Enum: dot11Types},
		{Name: "proto", WS: "wlan.fc.version", Type: packet.Uint, Bits: 2},
		{Name: "load", Type: packet.Bytes, Len: rest},
	},
})

// dot11DataNext picks what follows a data frame's header (after QoS
// control): nothing for null frames, data for protected frames and A-MSDUs,
// else LLC.
func dot11DataNext(c dot11FC) *packet.Protocol {
	if c.sub&4 != 0 || c.flags&dot11Protected != 0 {
		return nil
	}
	return LLC
}

func dot11Next(l *packet.Layer) *packet.Protocol {
	c := dot11FCOf(l.Data)
	switch c.typ {
	case dot11Mgmt:
		if c.flags&dot11Protected != 0 {
			return nil
		}
		return dot11MgmtNext(c.sub)
	case dot11Data:
		if c.sub&8 != 0 {
			return Dot11QoS
		}
		return dot11DataNext(c)
	}
	return nil
}

// dot11QoSHTC reports whether an HT control field follows QoS control
// (the order bit of a QoS data frame).
func dot11QoSHTC(l *packet.Layer) bool {
	par := l.Parent()
	return par != nil && par.Proto == Dot11 && par.Data[1]&dot11Order != 0
}

// Dot11QoS is the QoS control field of QoS data frames (Scapy's
// Dot11QoS), with the HT control field after it when the order bit is set.
var Dot11QoS = packet.Register(&packet.Protocol{
	Name: "Dot11QoS", Title: "802.11 QoS", Long: "IEEE 802.11 QoS control",
	Fields: []*packet.Field{
		{Name: "A_MSDU_Present", WS: "wlan.qos.amsdupresent", Type: packet.Uint, Bits: 1},
		{Name: "Ack_Policy", WS: "wlan.qos.ack", Type: packet.Uint, Bits: 2, Base: packet.Hex, Digits: 4},
		{Name: "EOSP", Type: packet.Uint, Bits: 1},
		{Name: "TID", WS: "wlan.qos.tid", Type: packet.Uint, Bits: 4},
		{Name: "TXOP", Type: packet.Uint, Bits: 8},
		{Name: "HTC", Type: packet.Bytes, Len: func(l *packet.Layer) int {
			if dot11QoSHTC(l) {
				return 4
			}
			return 0
		}},
	},
	Virtual: []*packet.Virtual{
		{WS: "wlan.qos", Type: packet.Uint, Bits: 16, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(binary.LittleEndian.Uint16(l.Data))}, true
		}},
		{WS: "wlan.qos.priority", Type: packet.Uint, Bits: 16, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[0] & 7)}, true
		}},
		{WS: "wlan.htc", Type: packet.Uint, Bits: 32, Base: packet.Hex, Need: 6, Get: func(l *packet.Layer) (packet.Value, bool) {
			if !dot11QoSHTC(l) {
				return packet.Value{}, false
			}
			return packet.Value{U: uint64(binary.LittleEndian.Uint32(l.Data[2:]))}, true
		}},
	},
	Next: func(l *packet.Layer) *packet.Protocol {
		par := l.Parent()
		if par == nil || par.Proto != Dot11 || l.Data[0]&0x80 != 0 {
			return nil // an A-MSDU: data
		}
		return dot11DataNext(dot11FCOf(par.Data))
	},
})

// dot11MgmtNext is the management frame body table for a subtype (set by
// dot11mgmt.go), nil for data.
var dot11MgmtNext = func(sub uint8) *packet.Protocol { return nil }

func init() {
	Dot11.Next = dot11Next
	packet.RegisterLinkType(105, Dot11)
	packet.Bind(Dot11, "type", dot11Data, LLC)
	packet.Bind(Dot11, "type", dot11Data, Dot11QoS)
	packet.Bind(Dot11, "subtype", 8, Dot11QoS)
	packet.Bind(Dot11QoS, "TID", 0, LLC)
	packet.Alias("wlan.addr1", "wlan.ra")
	packet.Alias("wlan.addr2", "wlan.ta")
}
