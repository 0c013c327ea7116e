package layers

import "pktkit/packet"

// IPv4 option variants (RFC 791, 2113), registered into ipv4.go's option
// list by type. Scapy names and fields; the option type byte is Scapy's
// three fields copy_flag, optclass and option (RFC 791), and Wireshark's
// ip.opt.type is the whole byte.

// ipOptNumbers are Scapy's names of the option numbers (the type's low
// five bits).
var ipOptNumbers = map[uint64]string{0: "end_of_list", 1: "nop", 2: "security", 3: "loose_source_route",
	4: "timestamp", 5: "extended_security", 6: "commercial_security", 7: "record_route", 8: "stream_id",
	9: "strict_source_route", 10: "experimental_measurement", 11: "mtu_probe", 12: "mtu_reply",
	13: "flow_control", 14: "access_control", 15: "encode", 16: "imi_traffic_descriptor", 17: "extended_IP",
	18: "traceroute", 19: "address_extension", 20: "router_alert", 21: "selective_directed_broadcast_mode",
	23: "dynamic_packet_state", 24: "upstream_multicast_packet", 25: "quick_start", 30: "rfc4727_experiment"}

// ipOptType returns the fields of an option type byte whose default is typ:
// the copied flag, the class and the number.
func ipOptType(typ uint64) []*packet.Field {
	return []*packet.Field{
		{Name: "copy_flag", WS: "ip.opt.type.copy", Type: packet.Uint, Bits: 1, Default: typ >> 7},
		{Name: "optclass", WS: "ip.opt.type.class", Type: packet.Uint, Bits: 2, Default: typ >> 5 & 3,
			Enum: map[uint64]string{0: "control", 2: "debug"}},
		{Name: "option", WS: "ip.opt.type.number", Type: packet.Uint, Bits: 5, Default: typ & 31, Enum: ipOptNumbers},
	}
}

// ipOptTypeByte returns Wireshark's ip.opt.type, the whole type byte, for
// an option table (each table needs its own).
func ipOptTypeByte() []*packet.Virtual {
	return []*packet.Virtual{{WS: "ip.opt.type", Type: packet.Uint, Bits: 8, Need: 1,
		Get: func(l *packet.Layer) (packet.Value, bool) { return packet.Value{U: uint64(l.Data[0])}, true }}}
}

// ipOptHead returns an option's type, length and (for the route and
// timestamp options) pointer fields.
func ipOptHead(typ, ptr uint64) []*packet.Field {
	fs := append(ipOptType(typ),
		&packet.Field{Name: "length", WS: "ip.opt.len", Type: packet.Uint, Bits: 8, Auto: true})
	if ptr != 0 {
		fs = append(fs, &packet.Field{Name: "pointer", WS: "ip.opt.ptr", Type: packet.Uint, Bits: 8, Default: ptr})
	}
	return fs
}

// ipOptBody is the Len rule for what follows an option's static fields: its
// length byte minus those (never negative, so that a bogus length still
// leaves the bytes accounted for).
func ipOptBody(static int) func(l *packet.Layer) int {
	return func(l *packet.Layer) int { return max(0, int(l.Data[1])-static) }
}

func ipOptLenAuto(b *packet.BuildLayer) { b.SetAuto("length", uint64(b.HdrEnd-b.Start)) }

// ipRouteOpt declares a route option (record route, loose or strict source
// route): pointer and a list of addresses.
func ipRouteOpt(name string, typ uint64) *packet.Protocol {
	return packet.Register(&packet.Protocol{
		Name: name, Title: "IP Option " + map[uint64]string{7: "Record Route", 131: "Loose Source Route",
			137: "Strict Source Route"}[typ], Element: true,
		Fields: append(ipOptHead(typ, 4), &packet.Field{Name: "routers", Type: packet.List,
			Elem: ipRouteElem, Elems: []*packet.Protocol{ipRouteAddr, ipOptRest}, Len: ipOptBody(3)}),
		Virtual: ipOptTypeByte(),
		Auto:    ipOptLenAuto,
	})
}

func ipRouteElem(b []byte) *packet.Protocol {
	if len(b) < 4 {
		return ipOptRest
	}
	return ipRouteAddr
}

// ipRouteRole tells what Wireshark makes of a route address: recorded or
// already used (ip.rec_rt), still empty in a record route (ip.empty_rt),
// a next hop of a source route (ip.src_rt), or its final destination
// (ip.dst).
func ipRouteRole(l *packet.Layer) string {
	c := l.Container()
	d := c.Data
	if len(d) < 20 {
		return ""
	}
	pos := l.Off - c.Off // the address's offset in the IP header
	end := min(int(d[0]&15)*4, len(d))
	for i := 20; i+1 < end; {
		switch d[i] {
		case 0:
			return ""
		case 1:
			i++
			continue
		}
		n := int(d[i+1])
		if n < 2 {
			return ""
		}
		if pos > i && pos < i+n {
			if n < 3 {
				return ""
			}
			off, ptr := pos-i, int(d[i+2])
			switch {
			case off < ptr-1:
				return "ip.rec_rt"
			case d[i] == 7:
				return "ip.empty_rt"
			case off+4 >= n:
				return "ip.dst"
			}
			return "ip.src_rt"
		}
		i += n
	}
	return ""
}

func ipRouteVirtual(ws string) *packet.Virtual {
	return &packet.Virtual{WS: ws, Type: packet.IPv4, Get: func(l *packet.Layer) (packet.Value, bool) {
		if ipRouteRole(l) != ws {
			return packet.Value{}, false
		}
		return packet.Value{B: l.Data[:4]}, true
	}}
}

// IPOptionRouteDst returns the final destination of a loose or strict
// source route that is not finished (the last address of the option, which
// Wireshark shows as ip.dst while the header's destination is the current
// hop, ip.cur_rt), or nil. ip is an IP layer.
func IPOptionRouteDst(ip *packet.Layer) []byte {
	d := ip.Data
	if len(d) < 20 || d[0]&15 <= 5 {
		return nil // no options
	}
	end := min(int(d[0]&15)*4, len(d))
	for i := 20; i+1 < end; {
		switch d[i] {
		case 0:
			return nil
		case 1:
			i++
			continue
		}
		n := int(d[i+1])
		if n < 2 || i+n > end {
			return nil
		}
		if (d[i] == 131 || d[i] == 137) && n >= 7 && int(d[i+2])-1 < n {
			last := i + 3 + (n-3)/4*4 - 4
			return d[last : last+4]
		}
		i += n
	}
	return nil
}

// IP option tables.
var (
	ipRouteAddr = packet.Register(&packet.Protocol{
		Name: "IPOption_RouteAddr", Title: "Route", Element: true,
		Fields: []*packet.Field{{Name: "addr", Type: packet.IPv4, DefaultBytes: []byte{0, 0, 0, 0}}},
		// ip.dst for the final destination is left to the IP header's
		// field (see IPOptionRouteDst).
		Virtual: []*packet.Virtual{ipRouteVirtual("ip.rec_rt"), ipRouteVirtual("ip.empty_rt"), ipRouteVirtual("ip.src_rt")},
	})
	// ipOptRest holds the bytes at the end of an option that do not make a
	// whole entry.
	ipOptRest = packet.Register(&packet.Protocol{
		Name: "IPOption_Rest", Title: "Incomplete entry", Element: true,
		Fields: []*packet.Field{{Name: "load", Type: packet.Bytes, Len: rest}},
	})

	// IPOptionRR is the record route option (type 7).
	IPOptionRR = ipRouteOpt("IPOption_RR", 7)
	// IPOptionLSRR is the loose source and record route option (type 131).
	IPOptionLSRR = ipRouteOpt("IPOption_LSRR", 131)
	// IPOptionSSRR is the strict source and record route option (type 137).
	IPOptionSSRR = ipRouteOpt("IPOption_SSRR", 137)

	ipTSStamp = packet.Register(&packet.Protocol{
		Name: "IPOption_TS_Stamp", Title: "Timestamp", Element: true,
		Fields: []*packet.Field{{Name: "timestamp", WS: "ip.opt.time_stamp", Type: packet.Uint, Bits: 32}},
	})
	ipTSAddrStamp = packet.Register(&packet.Protocol{
		Name: "IPOption_TS_AddrStamp", Title: "Address and timestamp", Element: true,
		Fields: []*packet.Field{
			{Name: "internet_address", WS: "ip.opt.time_stamp_addr", Type: packet.IPv4, DefaultBytes: []byte{0, 0, 0, 0}},
			{Name: "timestamp", WS: "ip.opt.time_stamp", Type: packet.Uint, Bits: 32},
		},
	})

	// IPOptionTimestamp is the internet timestamp option (type 68): with
	// flag 0 a list of timestamps, with flags 1 and 3 of (address,
	// timestamp) pairs.
	IPOptionTimestamp = packet.Register(&packet.Protocol{
		Name: "IPOption_Timestamp", Title: "IP Option Timestamp", Element: true,
		Fields: append(ipOptHead(68, 9),
			&packet.Field{Name: "oflw", WS: "ip.opt.overflow", Type: packet.Uint, Bits: 4},
			&packet.Field{Name: "flg", WS: "ip.opt.flag", Type: packet.Uint, Bits: 4, Default: 1, Base: packet.Hex, Digits: 2,
				Enum: map[uint64]string{0: "timestamp_only", 1: "timestamp_and_ip_addr", 3: "prespecified_ip_addr"}},
			&packet.Field{Name: "timestamps", Type: packet.List, Elems: []*packet.Protocol{ipTSStamp, ipOptRest},
				Elem: func(b []byte) *packet.Protocol {
					if len(b) < 4 {
						return ipOptRest
					}
					return ipTSStamp
				},
				Len: func(l *packet.Layer) int {
					if l.Data[3]&15 != 0 {
						return 0
					}
					return max(0, int(l.Data[1])-4)
				}},
			&packet.Field{Name: "stamps", Type: packet.List, Elems: []*packet.Protocol{ipTSAddrStamp, ipOptRest},
				Elem: func(b []byte) *packet.Protocol {
					if len(b) < 8 {
						return ipOptRest
					}
					return ipTSAddrStamp
				},
				Len: func(l *packet.Layer) int {
					if l.Data[3]&15 == 0 {
						return 0
					}
					return max(0, int(l.Data[1])-4)
				}},
		),
		Virtual: ipOptTypeByte(),
		Auto:    ipOptLenAuto,
	})

	// IPOptionRouterAlert is the router alert option (type 148, RFC 2113).
	IPOptionRouterAlert = packet.Register(&packet.Protocol{
		Name: "IPOption_Router_Alert", Title: "IP Option Router Alert", Element: true,
		Fields: append(ipOptHead(148, 0),
			&packet.Field{Name: "alert", WS: "ip.opt.ra", Type: packet.Uint, Bits: 16,
				Enum: map[uint64]string{0: "router_shall_examine_packet"}},
		),
		Virtual: ipOptTypeByte(),
		Auto:    ipOptLenAuto,
	})
)

func init() {
	for typ, p := range map[byte]*packet.Protocol{7: IPOptionRR, 131: IPOptionLSRR, 137: IPOptionSSRR,
		68: IPOptionTimestamp, 148: IPOptionRouterAlert} {
		ipOptionVariants[typ] = p
	}
	// Make the variants' fields reachable from IP for field lookup (the
	// list's Elems feed the engine's reach computation, done on first use).
	opts := IP.MustField("options")
	opts.Elems = append(opts.Elems, IPOptionRR, IPOptionLSRR, IPOptionSSRR, IPOptionTimestamp, IPOptionRouterAlert)
}
