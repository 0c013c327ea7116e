package layers_test

import (
	"strings"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var dhcpFields = []string{"dhcp.type", "dhcp.hw.type", "dhcp.hw.len", "dhcp.hops", "dhcp.id", "dhcp.secs", "dhcp.flags",
	"dhcp.flags.bc", "dhcp.flags.reserved", "dhcp.ip.client", "dhcp.ip.your", "dhcp.ip.server", "dhcp.ip.relay",
	"dhcp.hw.addr", "dhcp.hw.mac_addr", "dhcp.hw.addr_padding", "dhcp.server", "dhcp.file", "dhcp.cookie",
	"dhcp.option.type", "dhcp.option.length", "dhcp.option.value", "dhcp.option.padding", "dhcp.option.end",
	"dhcp.option.dhcp", "dhcp.option.hostname", "dhcp.option.subnet_mask", "dhcp.option.router",
	"dhcp.option.domain_name_server", "dhcp.option.domain_name", "dhcp.option.ip_address_lease_time",
	"dhcp.option.dhcp_server_id", "dhcp.option.requested_ip_address", "dhcp.option.request_list_item",
	"dhcp.option.vendor_class_id", "dhcp.option.dhcp_max_message_size", "dhcp.option.renewal_time_value",
	"dhcp.option.rebinding_time_value", "dhcp.option.broadcast_address", "dhcp.option.ntp_server",
	"dhcp.option.interface_mtu", "dhcp.option.time_server", "dhcp.option.netbios_over_tcpip_name_server"}

func TestDHCPMatchTshark(t *testing.T) {
	for _, rel := range []string{
		"zeek/testing/btest/Traces/dhcp/dhcp.pcap",
		"arkime/tests/pcap/wireshark-dhcp.pcap", // discover, offer, request, ack with padding
		"tcpdump/tests/dhcp-rfc4388.pcap",       // lease query
		"tcpdump/tests/dhcp-option-33.pcap",     // an empty option
		"tcpdump/tests/dhcp-rfc3004.pcap",
		"tcpdump/tests/dhcp-mud.pcap",
	} {
		compareFields(t, rel, dhcpFields...)
	}
	// Crafted: every typed option, pads before End and bytes after it, an
	// empty option, a non-Ethernet hardware address, no End, an option cut
	// short, no magic cookie.
	t.Logf("crafted: %d cells agree", cmpCrafted(t, "testdata/crafted-dhcp.pcap", nil, dhcpFields...))
}

func TestDHCPRebuild(t *testing.T) {
	rebuildCap(t, "testdata/crafted-dhcp.pcap")
	for _, rel := range []string{"zeek/testing/btest/Traces/dhcp/dhcp.pcap", "arkime/tests/pcap/wireshark-dhcp.pcap",
		"tcpdump/tests/dhcp-rfc4388.pcap", "suricata-verify/tests/dhcp-option-52-overload/input.pcap"} {
		rebuildCap(t, corpusPath(t, rel))
	}
}

// A discover: show() of BOOTP and its options, summary, fields.
func TestDHCPHex(t *testing.T) {
	frames := readPcap(t, "testdata/crafted-dhcp.pcap")
	p := packet.New(frames[0].data, 1)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Summary(), "Ether / IP / UDP / BOOTP / DHCP Discover"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	s := p.ShowString()
	for _, w := range []string{"###[ BOOTP ]###", "op        = BOOTREQUEST (1)", "xid       = 0x1234", "flags     = B (0x8000)",
		"sname     = \"srv\\x00", "options   = b'c\\x82Sc'", "###[ DHCP options ]###", "###[ message-type ]###",
		"type      = discover (1)", "###[ hostname ]###", "value     = \"host\"", "###[ end ]###", "###[ padding ]###"} {
		if !strings.Contains(s, w) {
			t.Errorf("show lacks %q:\n%s", w, s)
		}
	}
	for f, want := range map[string]string{"dhcp.option.dhcp": "1", "dhcp.hw.mac_addr": "00:11:22:33:44:55,00:11:22:33:44:55",
		"dhcp.option.router": "10.0.0.1,10.0.0.2", "bootp.xid": "0x00001234", "dhcp.option.value": ""} {
		r, err := packet.LookupField(f)
		if err != nil {
			t.Fatal(err)
		}
		got := string(p.AppendField(nil, r, ','))
		if f == "dhcp.option.value" {
			if !strings.Contains(got, ",<MISSING>,") {
				t.Errorf("%s = %q, want an empty option as <MISSING>", f, got)
			}
			continue
		}
		if got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
}

// Building BOOTP/DHCP: ports 68 to 67, the cookie by default, option
// lengths computed.
func TestDHCPBuild(t *testing.T) {
	opt := func(name string, fields map[string]packet.Value) *packet.Spec {
		s := packet.NewSpec(packet.Lookup("DHCPOption_" + name))
		if s.Proto == nil {
			t.Fatalf("no option %s", name)
		}
		for k, v := range fields {
			setF(t, s, k, v)
		}
		return s
	}
	dhcp := setF(t, packet.NewSpec(layers.DHCP), "options", packet.Value{List: []*packet.Spec{
		opt("message-type", map[string]packet.Value{"type": {U: 3}}),
		opt("hostname", map[string]packet.Value{"value": {B: []byte("pktkit")}}),
		opt("requested_addr", map[string]packet.Value{"addrs": {List: []*packet.Spec{
			setF(t, packet.NewSpec(packet.Lookup("DHCPOption_requested_addr_addr")), "addr", packet.Value{B: []byte{10, 0, 0, 9}})}}}),
		opt("end", nil),
	}})
	p := buildPkt(t, packet.NewSpec(layers.Ether), packet.NewSpec(layers.IP), packet.NewSpec(layers.UDP),
		setF(t, packet.NewSpec(layers.BOOTP), "chaddr", packet.Value{B: []byte{0, 1, 2, 3, 4, 5}}), dhcp)
	for f, want := range map[string]string{"udp.srcport": "68", "udp.dstport": "67", "dhcp.cookie": "99.130.83.99",
		"dhcp.option.type": "53,12,50,0", "dhcp.option.length": "1,6,4", "dhcp.option.hostname": "pktkit",
		"dhcp.option.requested_ip_address": "10.0.0.9", "dhcp.hw.mac_addr": "00:01:02:03:04:05"} {
		r, _ := packet.LookupField(f)
		if got := string(p.AppendField(nil, r, ',')); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
	if got := p.Summary(); !strings.HasSuffix(got, "/ BOOTP / DHCP Request") {
		t.Errorf("summary %q", got)
	}
}

// FuzzDHCP feeds arbitrary bytes as DHCP options after a BOOTP header and
// cookie, in an IPv4/UDP datagram from port 68 to 67.
func FuzzDHCP(f *testing.F) {
	for _, fr := range readPcap(f, "testdata/crafted-dhcp.pcap") {
		if len(fr.data) > 282 {
			f.Add(fr.data[282:])
		}
	}
	f.Add([]byte{53, 1, 1, 0, 0, 255, 0})
	hdr := append(hexPkt(f, "4500000000010000401100000a0000010a000002004400430000000001010600"), make([]byte, 232)...)
	hdr = append(hdr, 99, 130, 83, 99)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzPkt(t, udpIn(hdr, data), 228, dhcpFields)
	})
}
