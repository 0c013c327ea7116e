package layers

import (
	"encoding/binary"

	"pktkit/packet"
)

// dot11Caps are the capability information bits, least significant first
// (little-endian on the wire; Scapy names them in byte-swapped order).
var dot11Caps = []string{"ESS", "IBSS", "CF-pollable", "CF-poll-req", "privacy", "short-preamble",
	"PBCC", "channel-agility", "spectrum-mgmt", "QoS", "short-slot", "APSD", "radio-measurement",
	"DSSS-OFDM", "delayed-BA", "immediate-BA"}

// dot11EltIDs are Scapy's names of common information element IDs.
var dot11EltIDs = map[uint64]string{0: "SSID", 1: "Supported Rates", 3: "DSSS Set", 4: "CF Set",
	5: "TIM", 6: "IBSS Set", 7: "Country", 16: "challenge", 42: "ERPinfo", 45: "HT Capabilities",
	48: "RSN", 50: "Extended Supported Rates", 61: "HT Operation", 127: "Extended Capabilities",
	191: "VHT Capabilities", 192: "VHT Operation", 221: "Vendor Specific"}

var dot11Missing = []byte("<MISSING>")

// Dot11Elt is an information element of a management frame (Scapy's
// Dot11Elt): an ID, a length and the element's bytes. The SSID (ID 0) and
// the DS parameter set's channel (ID 3) are also read by their Wireshark
// names.
var Dot11Elt = packet.Register(&packet.Protocol{
	Name: "Dot11Elt", Title: "802.11 Information Element", Element: true,
	Fields: []*packet.Field{
		{Name: "ID", WS: "wlan.tag.number", Type: packet.Uint, Bits: 8, Enum: dot11EltIDs},
		{Name: "len", WS: "wlan.tag.length", Type: packet.Uint, Bits: 8, Auto: true},
		{Name: "info", Type: packet.Bytes, Len: func(l *packet.Layer) int { return int(l.Data[1]) }},
	},
	Virtual: []*packet.Virtual{
		{WS: "wlan.ssid", Type: packet.Bytes, Get: func(l *packet.Layer) (packet.Value, bool) {
			if l.Data[0] != 0 {
				return packet.Value{}, false
			}
			return packet.Value{B: l.Data[2:]}, true
		}},
		{WS: "wlan.ds.current_channel", Type: packet.Uint, Bits: 8, Get: func(l *packet.Layer) (packet.Value, bool) {
			if l.Data[0] != 3 || len(l.Data) < 3 {
				return packet.Value{}, false
			}
			return packet.Value{U: uint64(l.Data[2])}, true
		}},
	},
	Auto: func(b *packet.BuildLayer) { b.SetAuto("len", uint64(b.HdrEnd-b.Start-2)) },
})

// Dot11EltEmpty is an information element of length zero (Wireshark
// shows an empty SSID as <MISSING>).
var Dot11EltEmpty = packet.Register(&packet.Protocol{
	Name: "Dot11EltEmpty", Title: "802.11 empty Information Element", Element: true,
	Fields: []*packet.Field{
		{Name: "ID", WS: "wlan.tag.number", Type: packet.Uint, Bits: 8, Enum: dot11EltIDs},
		{Name: "len", WS: "wlan.tag.length", Type: packet.Uint, Bits: 8},
	},
	Virtual: []*packet.Virtual{{WS: "wlan.ssid", Type: packet.String, Get: func(l *packet.Layer) (packet.Value, bool) {
		return packet.Value{B: dot11Missing}, l.Data[0] == 0
	}}},
})

// Dot11EltBad holds the bytes of an information element cut short by the
// end of the frame, so that the frame still rebuilds.
var Dot11EltBad = packet.Register(&packet.Protocol{
	Name: "Dot11EltBad", Title: "802.11 truncated Information Element", Element: true,
	Fields: []*packet.Field{
		{Name: "ID", WS: "wlan.tag.number", Type: packet.Uint, Bits: 8, Enum: dot11EltIDs},
		{Name: "load", Type: packet.Bytes, Len: rest},
	},
	Virtual: []*packet.Virtual{{WS: "wlan.tag.length", Type: packet.Uint, Bits: 8, Need: 2, Get: func(l *packet.Layer) (packet.Value, bool) {
		return packet.Value{U: uint64(l.Data[1])}, true
	}}},
})

func dot11EltElem(b []byte) *packet.Protocol {
	switch {
	case len(b) >= 2 && b[1] == 0:
		return Dot11EltEmpty
	case len(b) >= 2 && 2+int(b[1]) <= len(b):
		return Dot11Elt
	}
	return Dot11EltBad
}

// dot11Elts is the information element list ending a management body.
func dot11Elts() *packet.Field {
	return &packet.Field{Name: "elts", Type: packet.List, Len: rest, Elem: dot11EltElem,
		Elems: []*packet.Protocol{Dot11Elt, Dot11EltEmpty, Dot11EltBad}}
}

// le16 declares a little-endian 16-bit fixed field.
func le16(name, ws string, dflt uint64, base packet.Base) *packet.Field {
	return &packet.Field{Name: name, WS: ws, Type: packet.Uint, Bits: 16, Little: true, Default: dflt, Base: base}
}

func dot11Cap() *packet.Field {
	return &packet.Field{Name: "cap", WS: "wlan.fixed.capabilities", Type: packet.Uint, Bits: 16, Little: true,
		Flags: dot11Caps, Base: packet.Hex}
}

// dot11MgmtBody declares a management frame body: fixed fields, then
// information elements. Wireshark shows it as part of wlan.
func dot11MgmtBody(name, title string, elts bool, virt []*packet.Virtual, fields ...*packet.Field) *packet.Protocol {
	if elts {
		fields = append(fields, dot11Elts())
	}
	return packet.Register(&packet.Protocol{Name: name, Title: title, Long: "IEEE 802.11 " + title,
		Fields: fields, Terminal: elts, Virtual: virt})
}

// Management frame bodies (Scapy's tables of the same names).
var (
	Dot11AssoReq = dot11MgmtBody("Dot11AssoReq", "802.11 Association Request", true, nil,
		dot11Cap(), le16("listen_interval", "wlan.fixed.listen_ival", 0xc8, packet.Hex))
	Dot11AssoResp = dot11MgmtBody("Dot11AssoResp", "802.11 Association Response", true, []*packet.Virtual{dot11AID()},
		dot11Cap(), le16("status", "wlan.fixed.status_code", 0, packet.Hex), le16("AID", "", 0, packet.Dec))
	Dot11ReassoReq = dot11MgmtBody("Dot11ReassoReq", "802.11 Reassociation Request", true, nil,
		dot11Cap(), le16("listen_interval", "wlan.fixed.listen_ival", 0xc8, packet.Hex),
		&packet.Field{Name: "current_AP", WS: "wlan.fixed.current_ap", Type: packet.MAC, DefaultBytes: make([]byte, 6)})
	Dot11ReassoResp = dot11MgmtBody("Dot11ReassoResp", "802.11 Reassociation Response", true, []*packet.Virtual{dot11AID()},
		dot11Cap(), le16("status", "wlan.fixed.status_code", 0, packet.Hex), le16("AID", "", 0, packet.Dec))
	Dot11ProbeReq  = dot11MgmtBody("Dot11ProbeReq", "802.11 Probe Request", true, nil)
	Dot11ProbeResp = dot11MgmtBody("Dot11ProbeResp", "802.11 Probe Response", true, nil,
		&packet.Field{Name: "timestamp", WS: "wlan.fixed.timestamp", Type: packet.Uint, Bits: 64, Little: true},
		le16("beacon_interval", "wlan.fixed.beacon", 0x64, packet.Dec), dot11Cap())
	Dot11Beacon = dot11MgmtBody("Dot11Beacon", "802.11 Beacon", true, nil,
		&packet.Field{Name: "timestamp", WS: "wlan.fixed.timestamp", Type: packet.Uint, Bits: 64, Little: true},
		le16("beacon_interval", "wlan.fixed.beacon", 0x64, packet.Dec), dot11Cap())
	Dot11Disas = dot11MgmtBody("Dot11Disas", "802.11 Disassociation", true, nil,
		le16("reason", "wlan.fixed.reason_code", 1, packet.Hex))
	Dot11Auth = dot11MgmtBody("Dot11Auth", "802.11 Authentication", true, nil,
		le16("algo", "wlan.fixed.auth.alg", 0, packet.Dec), le16("seqnum", "wlan.fixed.auth_seq", 0, packet.Hex),
		le16("status", "wlan.fixed.status_code", 0, packet.Hex))
	Dot11Deauth = dot11MgmtBody("Dot11Deauth", "802.11 Deauthentication", true, nil,
		le16("reason", "wlan.fixed.reason_code", 1, packet.Hex))
	Dot11ATIM   = dot11MgmtBody("Dot11ATIM", "802.11 ATIM", false, nil)
	Dot11Action = dot11MgmtBody("Dot11Action", "802.11 Action", false, nil,
		&packet.Field{Name: "category", WS: "wlan.fixed.category_code", Type: packet.Uint, Bits: 8},
		&packet.Field{Name: "body", Type: packet.Bytes, Len: rest})
)

// dot11MgmtBodies are the management bodies by subtype.
var dot11MgmtBodies = [16]*packet.Protocol{0: Dot11AssoReq, 1: Dot11AssoResp, 2: Dot11ReassoReq,
	3: Dot11ReassoResp, 4: Dot11ProbeReq, 5: Dot11ProbeResp, 8: Dot11Beacon, 9: Dot11ATIM,
	10: Dot11Disas, 11: Dot11Auth, 12: Dot11Deauth, 13: Dot11Action, 14: Dot11Action}

func dot11AID() *packet.Virtual {
	return &packet.Virtual{WS: "wlan.fixed.aid", Type: packet.Uint, Bits: 16, Base: packet.Hex, Of: "AID",
		Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(binary.LittleEndian.Uint16(l.Data[4:]) & 0x3fff)}, true
		}}
}

func init() {
	dot11MgmtNext = func(sub uint8) *packet.Protocol { return dot11MgmtBodies[sub&15] }
	for sub, p := range dot11MgmtBodies {
		if p != nil && sub != 14 {
			packet.Bind(Dot11, "subtype", uint64(sub), p)
		}
	}
}
