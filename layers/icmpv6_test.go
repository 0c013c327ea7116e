package layers_test

import (
	"strings"
	"testing"

	"pktkit/layers"
	"pktkit/packet"
)

var icmpv6WSFields = []string{
	"icmpv6.type", "icmpv6.code", "icmpv6.checksum", "icmpv6.reserved", "icmpv6.data", "icmpv6.length",
	"icmpv6.mtu", "icmpv6.pointer", "icmpv6.echo.identifier", "icmpv6.echo.sequence_number",
	"icmpv6.mld.maximum_response_delay", "icmpv6.mld.maximum_response_code", "icmpv6.mld.multicast_address",
	"icmpv6.mld.flag", "icmpv6.mld.flag.s", "icmpv6.mld.flag.qrv", "icmpv6.mld.flag.reserved", "icmpv6.mld.qqi",
	"icmpv6.mld.nb_sources", "icmpv6.mld.source_address", "icmpv6.mldr.nb_mcast_records",
	"icmpv6.mldr.mar.record_type", "icmpv6.mldr.mar.aux_data_len", "icmpv6.mldr.mar.nb_sources",
	"icmpv6.mldr.mar.multicast_address", "icmpv6.mldr.mar.source_address", "icmpv6.mldr.mar.auxiliary_data",
	"icmpv6.nd.ra.cur_hop_limit", "icmpv6.nd.ra.flag", "icmpv6.nd.ra.flag.m", "icmpv6.nd.ra.flag.o",
	"icmpv6.nd.ra.flag.h", "icmpv6.nd.ra.flag.prf", "icmpv6.nd.ra.flag.p", "icmpv6.nd.ra.flag.rsv",
	"icmpv6.nd.ra.router_lifetime", "icmpv6.nd.ra.reachable_time", "icmpv6.nd.ra.retrans_timer",
	"icmpv6.nd.ns.target_address", "icmpv6.nd.na.flag", "icmpv6.nd.na.flag.r", "icmpv6.nd.na.flag.s",
	"icmpv6.nd.na.flag.o", "icmpv6.nd.na.flag.rsv", "icmpv6.nd.na.target_address", "icmpv6.nd.rd.target_address",
	"icmpv6.rd.na.destination_address",
	"icmpv6.opt.type", "icmpv6.opt.length", "icmpv6.opt.linkaddr", "icmpv6.opt.src_linkaddr",
	"icmpv6.opt.target_linkaddr", "icmpv6.opt.prefix.length", "icmpv6.opt.prefix.flag", "icmpv6.opt.prefix.flag.l",
	"icmpv6.opt.prefix.flag.a", "icmpv6.opt.prefix.flag.r", "icmpv6.opt.prefix.flag.reserved",
	"icmpv6.opt.prefix.valid_lifetime", "icmpv6.opt.prefix.preferred_lifetime", "icmpv6.opt.prefix",
	"icmpv6.opt.mtu", "icmpv6.opt.rdnss.lifetime", "icmpv6.opt.rdnss", "icmpv6.opt.dnssl.lifetime", "icmpv6.opt.dnssl",
	"icmpv6.opt.route_info.flag", "icmpv6.opt.route_info.flag.route_preference",
	"icmpv6.opt.route_info.flag.reserved", "icmpv6.opt.route_lifetime",
}

// icmpv6Captures hold ND (RS, RA with options, NS, NA), MLDv1 and MLDv2,
// echo, and error messages quoting IPv6 with extension headers, UDP and
// fragments.
var icmpv6Captures = []string{
	"arkime/tests/pcap/v6.pcap",
	"tcpdump/tests/icmpv6.pcap",
	"zeek/testing/btest/Traces/icmp/icmp6-nd-options.pcap",
	"tcpdump/tests/icmpv6-ra-pref64.pcap",
	"tcpdump/tests/icmpv6_opt24.pcap",
	"pcapplusplus/Tests/Pcap++Test/PcapExamples/ICMPv6_echos.cap",
	"zeek/testing/btest/Traces/icmp/icmp6-destunreach-ip6ext-udp.pcap",
	"zeek/testing/btest/Traces/icmp/icmp6-destunreach-ip6ext.pcap",
	"zeek/testing/btest/Traces/icmp/icmp6-paramprob.pcap",
	"zeek/testing/btest/Traces/icmp/icmp6-toobig.pcap",
	"tcpdump/tests/icmpv6-rfc7112.pcap",
	"arkime/tests/pcap/ospf.pcap",
	"pcapplusplus/Tests/Pcap++Test/PcapExamples/IgmpPackets.pcap",
}

func TestICMPv6FieldsMatchTshark(t *testing.T) {
	for _, c := range icmpv6Captures {
		t.Run(c, func(t *testing.T) {
			if n := compareFields(t, c, append(icmpv6WSFields, ipv6WSFields...)...); n > 0 {
				t.Errorf("%d cells differ", n)
			}
		})
	}
	t.Run("echo data", func(t *testing.T) {
		compareFields(t, "pcapplusplus/Tests/Pcap++Test/PcapExamples/ICMPv6_echos.cap", "data.data", "data.len")
	})
}

func TestICMPv6Rebuild(t *testing.T) {
	for _, c := range icmpv6Captures {
		t.Run(c, func(t *testing.T) { checkRebuild(t, readPcap(t, corpusPath(t, c))) })
	}
}

func wsValues(t *testing.T, p *packet.Packet, want map[string]string) {
	t.Helper()
	for ws, w := range want {
		r, err := packet.LookupField(ws)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(p.AppendField(nil, r, ',')); got != w {
			t.Errorf("%s = %q, want %q", ws, got, w)
		}
	}
}

func showHas(t *testing.T, p *packet.Packet, lines ...string) {
	t.Helper()
	show := p.ShowString()
	for _, line := range lines {
		if !strings.Contains(show, line+"\n") {
			t.Errorf("show lacks %q:\n%s", line, show)
		}
	}
}

// Packets Scapy built (see the comments); pktkit must dissect them and
// build the same bytes from specs with auto fields unset.
const (
	// IPv6(src='fe80::1', dst='ff02::1')/ICMPv6EchoRequest(id=0x1234, seq=1, data=b'abc')
	echoScapy = "60000000000b3a40fe800000000000000000000000000001ff0200000000000000000000000000018000ab9c12340001616263"
	// IPv6(src='fe80::1', dst='ff02::1', hlim=255)/ICMPv6ND_RA()/ICMPv6NDOptSrcLLAddr(lladdr='00:11:22:33:44:55')/
	// ICMPv6NDOptMTU()/ICMPv6NDOptPrefixInfo(prefix='2001:db8::')
	raScapy = "6000000000403afffe800000000000000000000000000001ff020000000000000000000000000001860091d600080708000000000000000001010011223344550501000000000500030440c0ffffffffffffffff0000000020010db8000000000000000000000000"
	// IPv6(src='fe80::1', dst='ff02::1:ff00:2', hlim=255)/ICMPv6ND_NS(tgt='fe80::2')/ICMPv6NDOptSrcLLAddr(lladdr='00:11:22:33:44:55')
	nsScapy = "6000000000203afffe800000000000000000000000000001ff0200000000000000000001ff000002870015ff00000000fe8000000000000000000000000000020101001122334455"
	// IPv6(src='fe80::2', dst='fe80::1', hlim=255)/ICMPv6ND_NA(tgt='fe80::2')/ICMPv6NDOptDstLLAddr(lladdr='00:11:22:33:44:66')
	naScapy = "6000000000203afffe800000000000000000000000000002fe80000000000000000000000000000188007371a0000000fe8000000000000000000000000000020201001122334466"
	// IPv6(src='2001:db8::1', dst='2001:db8::2')/ICMPv6DestUnreach(code=4)/IPv6(src='2001:db8::2', dst='2001:db8::1')/UDP(sport=1234, dport=53)
	unreachScapy = "6000000000383a4020010db800000000000000000000000120010db8000000000000000000000002010431e500000000600000000008114020010db800000000000000000000000220010db800000000000000000000000104d2003500089f62"
	// IPv6(src='2001:db8::1', dst='2001:db8::2', hlim=1)/ICMPv6MLQuery2(mladdr='ff02::fb', sources=['2001:db8::9'], QRV=2, QQIC=125)
	mldQuery2Scapy = "60000000002c3a0120010db800000000000000000000000120010db80000000000000000000000028200cad527100000ff0200000000000000000000000000fb027d000120010db8000000000000000000000009"
	// IPv6(src='fe80::1', dst='ff02::1', hlim=255)/ICMPv6ND_RA()/ICMPv6NDOptRDNSS(dns=['2001:db8::53'], lifetime=600)/
	// ICMPv6NDOptDNSSL(searchlist=['example.com'], lifetime=600)
	rdnssScapy = "6000000000403afffe800000000000000000000000000001ff02000000000000000000000000000186003dc0000807080000000000000000190300000000025820010db80000000000000000000000531f03000000000258076578616d706c6503636f6d00000000"
)

func TestICMPv6HandMade(t *testing.T) {
	p := packet.New(mustHex(t, echoScapy), 229)
	if got, want := p.Summary(), "IPv6 / ICMPv6 Echo Request (id: 0x1234 seq: 0x1)"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	showHas(t, p, "###[ ICMPv6 Echo Request ]###", "  type      = Echo Request (128)", "  cksum     = 0xab9c",
		"  id        = 0x1234", "  seq       = 0x1", "  data      = b'abc'")
	wsValues(t, p, map[string]string{"icmpv6.type": "128", "icmpv6.checksum": "0xab9c",
		"icmpv6.echo.identifier": "0x1234", "icmpv6.echo.sequence_number": "1", "data.data": "616263", "data.len": "3"})

	p = packet.New(mustHex(t, raScapy), 229)
	if got, want := p.Summary(), "IPv6 / ICMPv6 Neighbor Discovery - Router Advertisement Lifetime 1800 Hop Limit 0 Preference High Managed 0 Other 0 Home 0"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	showHas(t, p, "  prf       = High (1)", "  routerlifetime= 1800",
		"     |###[ ICMPv6 Neighbor Discovery Option - Source Link-Layer Address ]###",
		"     |  lladdr    = 00:11:22:33:44:55", "     |  mtu       = 1280", "     |  prefix    = 2001:db8::")
	wsValues(t, p, map[string]string{"icmpv6.opt.type": "1,5,3", "icmpv6.opt.length": "1,1,4",
		"icmpv6.opt.src_linkaddr": "00:11:22:33:44:55", "icmpv6.nd.ra.flag": "0x08", "icmpv6.nd.ra.flag.prf": "1",
		"icmpv6.opt.prefix.flag": "0xc0", "icmpv6.opt.prefix.valid_lifetime": "4294967295"})

	p = packet.New(mustHex(t, nsScapy), 229)
	if got, want := p.Summary(), "IPv6 / ICMPv6 Neighbor Discovery - Neighbor Solicitation (tgt: fe80::2)"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	wsValues(t, p, map[string]string{"icmpv6.reserved": "00000000", "icmpv6.nd.ns.target_address": "fe80::2",
		"icmpv6.opt.linkaddr": "00:11:22:33:44:55"})

	p = packet.New(mustHex(t, naScapy), 229)
	wsValues(t, p, map[string]string{"icmpv6.nd.na.flag": "0xa0000000", "icmpv6.nd.na.flag.r": "1",
		"icmpv6.nd.na.flag.s": "0", "icmpv6.nd.na.flag.o": "1", "icmpv6.opt.target_linkaddr": "00:11:22:33:44:66"})

	// The quoted packet repeats the IPv6 and UDP fields, as in tshark.
	p = packet.New(mustHex(t, unreachScapy), 229)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Summary(), "IPv6 / ICMPv6DestUnreach / IPv6 / UDP 2001:db8::2:1234 > 2001:db8::1:53"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	wsValues(t, p, map[string]string{"ipv6.src": "2001:db8::1,2001:db8::2", "ipv6.plen": "56,8",
		"icmpv6.code": "4", "icmpv6.reserved": "00000000", "udp.dstport": "53"})

	p = packet.New(mustHex(t, mldQuery2Scapy), 229)
	if p.Layer(layers.ICMPv6MLQuery2) == nil {
		t.Fatalf("not an MLDv2 query: %s", p.Summary())
	}
	wsValues(t, p, map[string]string{"icmpv6.mld.maximum_response_code": "10000", "icmpv6.mld.flag": "0x02",
		"icmpv6.mld.flag.qrv": "2", "icmpv6.mld.qqi": "125", "icmpv6.mld.nb_sources": "1",
		"icmpv6.mld.source_address": "2001:db8::9", "icmpv6.mld.multicast_address": "ff02::fb"})
	// Codes with the top bit set are floating point (RFC 3810 5.1.3).
	b := mustHex(t, mldQuery2Scapy)
	b[44], b[45], b[65] = 0x80, 0x01, 0x85
	wsValues(t, packet.New(b, 229), map[string]string{"icmpv6.mld.maximum_response_code": "32776",
		"icmpv6.mld.qqi": "168"})

	p = packet.New(mustHex(t, rdnssScapy), 229)
	wsValues(t, p, map[string]string{"icmpv6.opt.rdnss": "2001:db8::53", "icmpv6.opt.rdnss.lifetime": "600",
		"icmpv6.opt.dnssl": "example.com", "icmpv6.opt.dnssl.lifetime": "600", "icmpv6.opt.length": "3,3"})
	showHas(t, p, "|   |###[ Domain Name ]###", "|   |  name      = example.com")
}

// Build the same messages from specs, leaving checksums, lengths, counts
// and next headers to the tables.
func TestICMPv6Build(t *testing.T) {
	ip := func(src, dst string, hlim int) *packet.Spec {
		return mk(t, layers.IPv6, "src", src, "dst", dst, "hlim", hlim)
	}
	buildHex(t, echoScapy, ip("fe80::1", "ff02::1", 64),
		mk(t, layers.ICMPv6EchoRequest, "id", 0x1234, "seq", 1, "data", []byte("abc")))
	buildHex(t, raScapy, ip("fe80::1", "ff02::1", 255), mk(t, layers.ICMPv6ND_RA, "options", []*packet.Spec{
		mk(t, layers.ICMPv6NDOptSrcLLAddr, "lladdr", "00:11:22:33:44:55"),
		mk(t, layers.ICMPv6NDOptMTU),
		mk(t, layers.ICMPv6NDOptPrefixInfo, "prefix", "2001:db8::"),
	}))
	buildHex(t, nsScapy, ip("fe80::1", "ff02::1:ff00:2", 255), mk(t, layers.ICMPv6ND_NS, "tgt", "fe80::2",
		"options", []*packet.Spec{mk(t, layers.ICMPv6NDOptSrcLLAddr, "lladdr", "00:11:22:33:44:55")}))
	buildHex(t, naScapy, ip("fe80::2", "fe80::1", 255), mk(t, layers.ICMPv6ND_NA, "tgt", "fe80::2",
		"options", []*packet.Spec{mk(t, layers.ICMPv6NDOptDstLLAddr, "lladdr", "00:11:22:33:44:66")}))
	buildHex(t, unreachScapy, ip("2001:db8::1", "2001:db8::2", 64), mk(t, layers.ICMPv6DestUnreach, "code", 4),
		ip("2001:db8::2", "2001:db8::1", 64), mk(t, layers.UDP, "sport", 1234, "dport", 53))
	src := layers.ICMPv6MLQuery2.Field("sources").Elems[0]
	buildHex(t, mldQuery2Scapy, ip("2001:db8::1", "2001:db8::2", 1), mk(t, layers.ICMPv6MLQuery2,
		"mladdr", "ff02::fb", "QRV", 2, "QQIC", 125, "sources", []*packet.Spec{mk(t, src, "addr", "2001:db8::9")}))
	dns := layers.ICMPv6NDOptRDNSS.Field("dns").Elems[0]
	sl := layers.ICMPv6NDOptDNSSL.Field("searchlist")
	buildHex(t, rdnssScapy, ip("fe80::1", "ff02::1", 255), mk(t, layers.ICMPv6ND_RA, "options", []*packet.Spec{
		mk(t, layers.ICMPv6NDOptRDNSS, "lifetime", 600, "dns", []*packet.Spec{mk(t, dns, "addr", "2001:db8::53")}),
		mk(t, layers.ICMPv6NDOptDNSSL, "lifetime", 600, "searchlist", []*packet.Spec{
			mk(t, sl.Elems[0], "name", []byte("\x07example\x03com\x00")),
			mk(t, sl.Elems[1], "load", []byte{0, 0, 0}),
		}),
	}))
	// Over IPv4 (protocol 58) the checksum has no pseudo-header to use but
	// IPv4's; the type still binds.
	b, err := packet.Stack{mk(t, layers.IP), mk(t, layers.ICMPv6EchoReply)}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if b[9] != 58 || b[20] != 129 {
		t.Errorf("IPv4/ICMPv6: proto %d type %d", b[9], b[20])
	}
}

// FuzzICMPv6 feeds arbitrary bytes as an ICMPv6 message under IPv6, and
// under an IPv6 Hop-by-Hop header.
func FuzzICMPv6(f *testing.F) {
	for _, s := range []string{echoScapy, raScapy, nsScapy, naScapy, unreachScapy, mldQuery2Scapy, rdnssScapy} {
		f.Add(mustHex(f, s)[40:])
	}
	f.Add(mustHex(f, mldv2ReportScapy)[48:])
	f.Fuzz(func(t *testing.T, msg []byte) {
		hdr := mustHex(t, "6000000000003a40fe800000000000000000000000000001ff020000000000000000000000000001")
		hdr[4], hdr[5] = byte(len(msg)>>8), byte(len(msg))
		exercise(t, append(hdr, msg...), 229)
		hbh := mustHex(t, "6000000000000001fe800000000000000000000000000001ff0200000000000000000000000000163a00050200000100")
		n := len(msg) + 8
		hbh[4], hbh[5] = byte(n>>8), byte(n)
		exercise(t, append(hbh, msg...), 229)
	})
}
