package layers

import (
	"bytes"

	"pktkit/packet"
)

// dhcpMagic is the magic cookie that starts DHCP options (RFC 2131).
var dhcpMagic = []byte{99, 130, 83, 99}

var bootpHwTypes = map[uint64]string{
	1: "Ethernet (10Mb)", 2: "Experimental Ethernet (3Mb)", 6: "IEEE 802 Networks", 7: "ARCNET",
	15: "Frame Relay", 16: "ATM", 20: "Serial Line", 32: "InfiniBand",
}

// bootpStringz is a Wireshark string field shown up to its first NUL, and
// only when it is not empty (dhcp.server, dhcp.file).
func bootpStringz(ws string, off, n int) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.String, Get: func(l *packet.Layer) (packet.Value, bool) {
		b := l.Data[off : off+n]
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
		return packet.Value{B: b}, len(b) > 0
	}}
}

// bootpEther reports whether the client hardware address is an Ethernet
// MAC address (type 1, length 6), which Wireshark shows as dhcp.hw.mac_addr.
func bootpEther(l *packet.Layer) bool { return l.Data[1] == 1 && l.Data[2] == 6 }

// BOOTP is the Bootstrap Protocol (RFC 951), Scapy's BOOTP: the fixed
// 236-byte message, then the vendor area, whose first four bytes
// ("options") are the DHCP magic cookie when DHCP options follow.
var BOOTP = packet.Register(&packet.Protocol{
	Name: "BOOTP", Abbrev: "dhcp", Long: "Dynamic Host Configuration Protocol",
	Fields: []*packet.Field{
		{Name: "op", WS: "dhcp.type", Type: packet.Uint, Bits: 8, Default: 1,
			Enum: map[uint64]string{1: "BOOTREQUEST", 2: "BOOTREPLY"}},
		{Name: "htype", WS: "dhcp.hw.type", Type: packet.Uint, Bits: 8, Default: 1, Enum: bootpHwTypes, Base: packet.Hex},
		{Name: "hlen", WS: "dhcp.hw.len", Type: packet.Uint, Bits: 8, Default: 6},
		{Name: "hops", WS: "dhcp.hops", Type: packet.Uint, Bits: 8},
		{Name: "xid", WS: "dhcp.id", Type: packet.Uint, Bits: 32, Hex: true, Base: packet.Hex},
		{Name: "secs", WS: "dhcp.secs", Type: packet.Uint, Bits: 16},
		{Name: "flags", WS: "dhcp.flags", Type: packet.Uint, Bits: 16, Base: packet.Hex,
			Flags: []string{15: "B"}, FlagWS: []string{15: "dhcp.flags.bc"}},
		{Name: "ciaddr", WS: "dhcp.ip.client", Type: packet.IPv4, DefaultBytes: []byte{0, 0, 0, 0}},
		{Name: "yiaddr", WS: "dhcp.ip.your", Type: packet.IPv4, DefaultBytes: []byte{0, 0, 0, 0}},
		{Name: "siaddr", WS: "dhcp.ip.server", Type: packet.IPv4, DefaultBytes: []byte{0, 0, 0, 0}},
		{Name: "giaddr", WS: "dhcp.ip.relay", Type: packet.IPv4, DefaultBytes: []byte{0, 0, 0, 0}},
		{Name: "chaddr", Type: packet.Bytes, Size: 16},
		{Name: "sname", Type: packet.String, Size: 64},
		{Name: "file", Type: packet.String, Size: 128},
		{Name: "options", Type: packet.Bytes, DefaultBytes: dhcpMagic, Len: func(l *packet.Layer) int {
			if len(l.Data) >= 240 && bytes.Equal(l.Data[236:240], dhcpMagic) {
				return 4
			}
			return packet.Rest
		}},
	},
	Virtual: []*packet.Virtual{
		{WS: "dhcp.flags.reserved", Type: packet.Uint, Bits: 16, Base: packet.Hex, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: (uint64(l.Data[10])<<8 | uint64(l.Data[11])) & 0x7fff}, true
		}},
		{WS: "dhcp.hw.mac_addr", Type: packet.MAC, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{B: l.Data[28:34]}, bootpEther(l)
		}},
		{WS: "dhcp.hw.addr", Type: packet.Bytes, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{B: l.Data[28:44]}, !bootpEther(l)
		}},
		{WS: "dhcp.hw.addr_padding", Type: packet.Bytes, Get: func(l *packet.Layer) (packet.Value, bool) {
			n := int(l.Data[2])
			return packet.Value{B: l.Data[28+min(n, 16) : 44]}, n < 16
		}},
		bootpStringz("dhcp.server", 44, 64),
		bootpStringz("dhcp.file", 108, 128),
		{WS: "dhcp.cookie", Type: packet.IPv4, Get: func(l *packet.Layer) (packet.Value, bool) {
			if len(l.Data) < 240 || !bytes.Equal(l.Data[236:240], dhcpMagic) {
				return packet.Value{}, false
			}
			return packet.Value{B: l.Data[236:240]}, true
		}},
	},
	Next: func(l *packet.Layer) *packet.Protocol {
		if len(l.Data) >= 240 && bytes.Equal(l.Data[236:240], dhcpMagic) {
			return DHCP
		}
		return nil
	},
})

// dhcpTypes are DHCP message type names (option 53), as Scapy names them.
var dhcpTypes = map[uint64]string{
	1: "discover", 2: "offer", 3: "request", 4: "decline", 5: "ack", 6: "nak", 7: "release", 8: "inform",
	9: "force_renew", 10: "lease_query", 11: "lease_unassigned", 12: "lease_unknown", 13: "lease_active",
}

// dhcpOptEnd returns how many bytes the options take up to and including
// the End option (all of them if it is missing).
func dhcpOptEnd(b []byte) int {
	for i := 0; i < len(b); {
		switch b[i] {
		case 255:
			return i + 1
		case 0:
			i++
			continue
		}
		if i+1 >= len(b) {
			return len(b)
		}
		i += 2 + int(b[i+1])
	}
	return len(b)
}

// DHCP is the DHCP options that follow the BOOTP magic cookie (RFC 2132),
// Scapy's DHCP; the bytes after the End option are kept as padding.
var DHCP = packet.Register(&packet.Protocol{
	Name: "DHCP", Long: "DHCP options", Title: "DHCP options",
	Fields: []*packet.Field{
		{Name: "options", Type: packet.List, Elem: dhcpOptElem, Elems: dhcpOptTables,
			Len: func(l *packet.Layer) int { return dhcpOptEnd(l.Data) }},
		{Name: "padding", Type: packet.List, Elem: func([]byte) *packet.Protocol { return dhcpTrailer },
			Elems: []*packet.Protocol{dhcpTrailer}, Len: rest},
	},
	Summary: func(dst []byte, l *packet.Layer) []byte {
		b := l.Data
		for i := 0; i+2 < len(b) && b[i] != 255; {
			if b[i] == 0 {
				i++
				continue
			}
			if b[i] == 53 && b[i+1] >= 1 {
				if n, ok := dhcpTypes[uint64(b[i+2])]; ok {
					dst = append(dst, "DHCP "...)
					dst = append(dst, n[0]-'a'+'A')
					return append(dst, n[1:]...)
				}
			}
			i += 2 + int(b[i+1])
		}
		return append(dst, "DHCP"...)
	},
})

// dhcpOptHead returns an option's code and length fields.
func dhcpOptHead(code uint64) []*packet.Field {
	return []*packet.Field{
		{Name: "code", WS: "dhcp.option.type", Type: packet.Uint, Bits: 8, Default: code},
		{Name: "len", WS: "dhcp.option.length", Type: packet.Uint, Bits: 8, Auto: true},
	}
}

var dhcpMissing = []byte("<MISSING>")

// dhcpValueVirtual is dhcp.option.value: every option's raw value.
func dhcpValueVirtual() *packet.Virtual {
	return &packet.Virtual{WS: "dhcp.option.value", Type: packet.Bytes, Get: func(l *packet.Layer) (packet.Value, bool) {
		return packet.Value{B: l.Data[2:]}, true
	}}
}

func dhcpOptLenAuto(b *packet.BuildLayer) { b.SetAuto("len", uint64(b.HdrEnd-b.Start-2)) }

func dhcpValueLen(l *packet.Layer) int { return int(l.Data[1]) }

// dhcpOpt registers an option table with its value fields.
func dhcpOpt(scapyName string, code uint64, virt []*packet.Virtual, fields ...*packet.Field) *packet.Protocol {
	return packet.Register(&packet.Protocol{
		Name: "DHCPOption_" + scapyName, Title: scapyName, Element: true,
		Fields:  append(dhcpOptHead(code), fields...),
		Virtual: append(virt, dhcpValueVirtual()),
		Auto:    dhcpOptLenAuto,
	})
}

// dhcpAddrOpt registers an option holding a list of IPv4 addresses.
func dhcpAddrOpt(scapyName string, code uint64, ws string) *packet.Protocol {
	addr := packet.Register(&packet.Protocol{
		Name: "DHCPOption_" + scapyName + "_addr", Title: "address", Element: true,
		Fields: []*packet.Field{{Name: "addr", WS: ws, Type: packet.IPv4, DefaultBytes: []byte{0, 0, 0, 0}}},
	})
	return dhcpOpt(scapyName, code, nil, &packet.Field{Name: "addrs", Type: packet.List, Len: dhcpValueLen,
		Elems: []*packet.Protocol{addr, dhcpOptRest},
		Elem: func(b []byte) *packet.Protocol {
			if len(b) < 4 {
				return dhcpOptRest
			}
			return addr
		}})
}

// dhcpStringzOpt registers a text option that Wireshark shows up to its
// first NUL.
func dhcpStringzOpt(scapyName string, code uint64, ws string) *packet.Protocol {
	return dhcpOpt(scapyName, code, []*packet.Virtual{{WS: ws, Type: packet.String,
		Get: func(l *packet.Layer) (packet.Value, bool) {
			b := l.Data[2:]
			if i := bytes.IndexByte(b, 0); i >= 0 {
				b = b[:i]
			}
			return packet.Value{B: b}, true
		}}},
		&packet.Field{Name: "value", Type: packet.String, Len: dhcpValueLen})
}

// DHCP option tables (elements of DHCP.options).
var (
	dhcpOptRest = packet.Register(&packet.Protocol{
		Name: "DHCPOption_rest", Title: "incomplete entry", Element: true,
		Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
	})
	// dhcpOptPad is a run of Pad options, which Wireshark shows as one
	// padding item.
	dhcpOptPad = packet.Register(&packet.Protocol{
		Name: "DHCPOption_pad", Title: "pad", Element: true,
		Fields: []*packet.Field{
			{Name: "code", Type: packet.Uint, Bits: 8},
			{Name: "more", Type: packet.Bytes, Len: func(l *packet.Layer) int {
				n := 1
				for n < len(l.Data) && l.Data[n] == 0 {
					n++
				}
				return n - 1
			}},
		},
		Virtual: []*packet.Virtual{
			{WS: "dhcp.option.type", Type: packet.Uint, Bits: 8, Get: func(*packet.Layer) (packet.Value, bool) {
				return packet.Value{}, true
			}},
			{WS: "dhcp.option.padding", Type: packet.Bytes, Get: func(l *packet.Layer) (packet.Value, bool) {
				return packet.Value{B: l.Data}, true
			}},
		},
	})
	dhcpOptEndT = packet.Register(&packet.Protocol{
		Name: "DHCPOption_end", Title: "end", Element: true,
		Fields: []*packet.Field{{Name: "code", WS: "dhcp.option.end", Type: packet.Uint, Bits: 8, Default: 255}},
		// Wireshark lists the End option's type as 0.
		Virtual: []*packet.Virtual{{WS: "dhcp.option.type", Type: packet.Uint, Bits: 8,
			Get: func(*packet.Layer) (packet.Value, bool) { return packet.Value{}, true }}},
	})
	dhcpOptGeneric = dhcpOpt("generic", 0, nil, &packet.Field{Name: "data", Type: packet.Bytes, Len: dhcpValueLen})
	// dhcpOptEmpty is an option without a value, whose dhcp.option.value
	// tshark shows as <MISSING>.
	dhcpOptEmpty = packet.Register(&packet.Protocol{
		Name: "DHCPOption_empty", Title: "empty", Element: true, Fields: dhcpOptHead(0), Auto: dhcpOptLenAuto,
		Virtual: []*packet.Virtual{{WS: "dhcp.option.value", Type: packet.String, Get: func(*packet.Layer) (packet.Value, bool) {
			return packet.Value{B: dhcpMissing}, true
		}}},
	})
	// dhcpOptCut is an option whose length runs past the end of the
	// options; its bytes are kept as they are.
	dhcpOptCut = packet.Register(&packet.Protocol{
		Name: "DHCPOption_cut", Title: "cut short", Element: true,
		Fields: append(dhcpOptHead(0), &packet.Field{Name: "data", Type: packet.Bytes, Len: rest}),
	})
	dhcpOptMsgType = dhcpOpt("message-type", 53, nil, &packet.Field{Name: "type", WS: "dhcp.option.dhcp",
		Type: packet.Uint, Bits: 8, Default: 1, Enum: dhcpTypes})
	dhcpParamItem = packet.Register(&packet.Protocol{
		Name: "DHCPOption_param", Title: "param", Element: true,
		Fields: []*packet.Field{{Name: "code", WS: "dhcp.option.request_list_item", Type: packet.Uint, Bits: 8}},
	})
	dhcpOptParamReq = dhcpOpt("param_req_list", 55, nil, &packet.Field{Name: "params", Type: packet.List,
		Len: dhcpValueLen, Elems: []*packet.Protocol{dhcpParamItem},
		Elem: func([]byte) *packet.Protocol { return dhcpParamItem }})
	dhcpOptClientID = dhcpOpt("client_id", 61, []*packet.Virtual{
		{WS: "dhcp.hw.type", Type: packet.Uint, Bits: 8, Base: packet.Hex, Need: 9, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{U: uint64(l.Data[2])}, l.Data[2] == 1 && l.Data[1] == 7
		}},
		{WS: "dhcp.hw.mac_addr", Type: packet.MAC, Need: 9, Get: func(l *packet.Layer) (packet.Value, bool) {
			return packet.Value{B: l.Data[3:9]}, l.Data[2] == 1 && l.Data[1] == 7
		}},
	},
		&packet.Field{Name: "type", Type: packet.Uint, Bits: 8, Default: 1, Enum: bootpHwTypes},
		&packet.Field{Name: "id", Type: packet.Bytes, Len: func(l *packet.Layer) int { return int(l.Data[1]) - 1 }})

	dhcpU32 = map[byte]*packet.Protocol{
		51: dhcpOpt("lease_time", 51, nil, u("value", "dhcp.option.ip_address_lease_time", 32)),
		58: dhcpOpt("renewal_time", 58, nil, u("value", "dhcp.option.renewal_time_value", 32)),
		59: dhcpOpt("rebinding_time", 59, nil, u("value", "dhcp.option.rebinding_time_value", 32)),
	}
	dhcpU16 = map[byte]*packet.Protocol{
		57: dhcpOpt("max_dhcp_size", 57, nil, u("value", "dhcp.option.dhcp_max_message_size", 16)),
		26: dhcpOpt("interface-mtu", 26, nil, u("value", "dhcp.option.interface_mtu", 16)),
	}
	dhcpAddrs = map[byte]*packet.Protocol{
		1:  dhcpAddrOpt("subnet_mask", 1, "dhcp.option.subnet_mask"),
		3:  dhcpAddrOpt("router", 3, "dhcp.option.router"),
		4:  dhcpAddrOpt("time_server", 4, "dhcp.option.time_server"),
		6:  dhcpAddrOpt("name_server", 6, "dhcp.option.domain_name_server"),
		28: dhcpAddrOpt("broadcast_address", 28, "dhcp.option.broadcast_address"),
		42: dhcpAddrOpt("NTP_server", 42, "dhcp.option.ntp_server"),
		44: dhcpAddrOpt("NetBIOS_server", 44, "dhcp.option.netbios_over_tcpip_name_server"),
		50: dhcpAddrOpt("requested_addr", 50, "dhcp.option.requested_ip_address"),
		54: dhcpAddrOpt("server_id", 54, "dhcp.option.dhcp_server_id"),
	}
	dhcpStrings = map[byte]*packet.Protocol{
		12: dhcpStringzOpt("hostname", 12, "dhcp.option.hostname"),
		15: dhcpStringzOpt("domain", 15, "dhcp.option.domain_name"),
		60: dhcpStringzOpt("vendor_class_id", 60, "dhcp.option.vendor_class_id"),
	}

	// dhcpTrailer holds the bytes after the End option.
	dhcpTrailer = packet.Register(&packet.Protocol{
		Name: "DHCP_padding", Title: "padding", Element: true,
		Fields: []*packet.Field{{Name: "load", WS: "dhcp.option.padding", Type: packet.Bytes, Len: rest}},
	})

	dhcpOptTables = func() []*packet.Protocol {
		ps := []*packet.Protocol{dhcpOptRest, dhcpOptPad, dhcpOptEndT, dhcpOptGeneric, dhcpOptEmpty, dhcpOptCut, dhcpOptMsgType,
			dhcpOptParamReq, dhcpOptClientID}
		for _, m := range []map[byte]*packet.Protocol{dhcpU32, dhcpU16, dhcpAddrs, dhcpStrings} {
			for _, p := range m {
				ps = append(ps, p)
			}
		}
		return ps
	}()
)

// dhcpOptElem picks an option's table from its code and length; a value of
// an unexpected size is kept raw.
func dhcpOptElem(b []byte) *packet.Protocol {
	switch b[0] {
	case 0:
		return dhcpOptPad
	case 255:
		return dhcpOptEndT
	}
	if len(b) < 2 {
		return dhcpOptRest
	}
	if 2+int(b[1]) > len(b) {
		return dhcpOptCut
	}
	n := b[1]
	switch {
	case n == 0:
		return dhcpOptEmpty
	case b[0] == 53 && n == 1:
		return dhcpOptMsgType
	case b[0] == 55:
		return dhcpOptParamReq
	case b[0] == 61 && n >= 1:
		return dhcpOptClientID
	case dhcpU32[b[0]] != nil && n == 4:
		return dhcpU32[b[0]]
	case dhcpU16[b[0]] != nil && n == 2:
		return dhcpU16[b[0]]
	case dhcpAddrs[b[0]] != nil:
		return dhcpAddrs[b[0]]
	case dhcpStrings[b[0]] != nil:
		return dhcpStrings[b[0]]
	}
	return dhcpOptGeneric
}

func init() {
	// Clients send from 68 to 67, servers from 67 to 68.
	packet.Bind(UDP, "port", 67, BOOTP)
	packet.Bind(UDP, "port", 68, BOOTP)
	packet.Bind(UDP, "sport", 68, BOOTP)
	packet.Bind(UDP, "dport", 67, BOOTP)
	packet.Alias("bootp.xid", "dhcp.id")
	packet.Alias("dhcp.xid", "dhcp.id")
	packet.Alias("dhcp.op", "dhcp.type")
}
