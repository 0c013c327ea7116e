package craft

import (
	"fmt"
	"net/netip"

	"pktkit/packet"
)

// Scapy behaviours the tables do not express: defaults that are packets
// (DNS's default question), option padding, and fields a layer overloads
// on the one below it through bytes rather than numbers.

// classDefaults fills fields the user left unset with Scapy's defaults that
// are elements: DNS asks for www.example.com; an IP timestamp option
// carries one (address,) timestamp entry.
func classDefaults(l *Layer, kvs []KV) {
	given := map[string]bool{}
	for _, kv := range kvs {
		given[kv.Name] = true
	}
	switch l.Proto.Name {
	case "DNS":
		if f := l.Proto.Field("qd"); f != nil && !given["qd"] && len(f.Elems) > 0 {
			if q := elemFor(f, "DNSQR"); q != nil {
				l.spec.Vals[f.Index()] = packet.Value{List: []*packet.Spec{packet.NewSpec(q)}}
			}
		}
	case "IPOption_Timestamp":
		if given["timestamps"] || given["stamps"] {
			return
		}
		flg, _ := l.spec.Get("flg")
		name := "stamps"
		if flg.U == 0 {
			name = "timestamps"
		}
		f := l.Proto.Field(name)
		if f == nil || len(f.Elems) == 0 {
			return
		}
		e := packet.NewSpec(f.Elems[0])
		for _, kv := range kvs {
			if kv.Name == "internet_address" || kv.Name == "timestamp" {
				if ef := e.Proto.Field(kv.Name); ef != nil {
					_ = setOne(e, ef, kv.Value)
				}
			}
		}
		l.spec.Vals[f.Index()] = packet.Value{List: []*packet.Spec{e}}
	}
}

// timestampAlias accepts Scapy's internet_address and timestamp fields of
// IPOption_Timestamp (its one entry, filled by classDefaults).
func timestampAlias(p *packet.Protocol, name string) func(l *Layer, v any) error {
	if p.Name != "IPOption_Timestamp" || (name != "internet_address" && name != "timestamp") {
		return nil
	}
	return func(l *Layer, v any) error {
		for _, ln := range []string{"timestamps", "stamps"} {
			f := l.Proto.Field(ln)
			if f == nil {
				continue
			}
			for _, e := range l.spec.Vals[f.Index()].List {
				if ef := e.Proto.Field(name); ef != nil {
					return setOne(e, ef, v)
				}
			}
		}
		return nil
	}
}

// ntpRefIDAlias accepts Scapy's ref_id of NTPHeader: the four bytes that
// are the reference identifier of a stratum 0 or 1 server ("GPS", "PPS"),
// where higher strata have the IPv4 address id. Both are the same bytes on
// the wire, the table's id field; a shorter value is padded with zeros.
func ntpRefIDAlias(p *packet.Protocol, name string) func(l *Layer, v any) error {
	if p.Name != "NTPHeader" || name != "ref_id" {
		return nil
	}
	return func(l *Layer, v any) error {
		var b []byte
		switch v := v.(type) {
		case string:
			b = []byte(v)
		case []byte:
			b = v
		default:
			return fmt.Errorf("NTPHeader.ref_id: want a string or bytes of at most 4 bytes, have %T", v)
		}
		if len(b) > 4 {
			return fmt.Errorf("NTPHeader.ref_id: at most 4 bytes, have %d", len(b))
		}
		id := l.Proto.Field("id")
		if id == nil {
			return fmt.Errorf("NTPHeader has no id field")
		}
		l.spec.SetField(id, packet.Value{B: append(append(make([]byte, 0, 4), b...), make([]byte, 4-len(b))...)})
		return nil
	}
}

// fixStack applies, on a builder's own copies of the specs, what Scapy's
// layers overload on each other and its automatic padding.
func fixStack(st packet.Stack) {
	for i, s := range st {
		var next *packet.Spec
		if i+1 < len(st) {
			next = st[i+1]
		}
		switch s.Proto.Name {
		case "BOOTP":
			// Scapy's BOOTP options are empty; the DHCP layer above
			// overloads them with the magic cookie.
			if f := s.Proto.Field("options"); f != nil && !s.IsSet(f) && (next == nil || next.Proto.Name != "DHCP") {
				s.Vals[f.Index()] = packet.Value{B: []byte{}}
			}
		case "VXLAN":
			// Scapy's VXLAN names its payload: flags 0x0c and a next
			// protocol byte (1 IPv4, 2 IPv6, 3 Ethernet).
			if next == nil {
				break
			}
			np := map[string]uint64{"Ether": 3, "IP": 1, "IPv6": 2}[next.Proto.Name]
			flags, rsv := s.Proto.Field("flags"), s.Proto.Field("reserved1")
			if np != 0 && flags != nil && rsv != nil && !s.IsSet(flags) && !s.IsSet(rsv) {
				s.Vals[flags.Index()].U = 0x0c
				s.Vals[rsv.Index()].U = np
			}
		case "IPv6ExtHdrHopByHop", "IPv6ExtHdrDestOpt":
			autopad(s)
		case "IPv6":
			// Neighbour discovery overloads IPv6: hop limit 255 and the
			// all-nodes (all-routers for a solicitation) destination.
			if next == nil {
				break
			}
			var dst string
			switch next.Proto.Name {
			case "ICMPv6ND_NS", "ICMPv6ND_NA", "ICMPv6ND_RA":
				dst = "ff02::1"
			case "ICMPv6ND_RS":
				dst = "ff02::2"
			default:
				continue
			}
			if f := s.Proto.Field("hlim"); f != nil && !s.IsSet(f) {
				s.Vals[f.Index()].U = 255
			}
			if f := s.Proto.Field("dst"); f != nil && !s.IsSet(f) {
				s.Vals[f.Index()].B = netip.MustParseAddr(dst).AsSlice()
			}
		}
	}
}

// autopad pads IPv6 extension header options to a multiple of 8 bytes with
// Pad1 or PadN, as Scapy's autopad does.
func autopad(s *packet.Spec) {
	f := s.Proto.Field("options")
	if f == nil {
		return
	}
	opts := s.Vals[f.Index()].List
	n := 2
	if len(opts) > 0 {
		b, err := packet.Stack(opts).Build(nil)
		if err != nil {
			return
		}
		n += len(b)
	}
	pad := (8 - n%8) % 8
	if pad == 0 {
		return
	}
	var e *packet.Spec
	if pad == 1 {
		p1 := elemFor(f, "Pad1")
		if p1 == nil {
			return
		}
		e = packet.NewSpec(p1)
	} else {
		pn := elemFor(f, "PadN")
		if pn == nil {
			return
		}
		e = packet.NewSpec(pn)
		e.SetField(pn.Field("optdata"), packet.Value{B: make([]byte, pad-2)})
	}
	v := s.Vals[f.Index()]
	v.List = append(append([]*packet.Spec(nil), opts...), e)
	s.Vals[f.Index()] = v
}
