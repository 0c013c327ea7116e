package craft

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"pktkit/packet"
)

// Host lookups for the addresses Scapy fills in when the user leaves them
// unset: IP and IPv6 sources from the route to the destination, Ethernet
// addresses from the interface on that route and the neighbour table.

// Host answers route and neighbour questions; FillSources uses the
// machine's (Linux /proc files, net.Interfaces and a connected UDP socket,
// which sends nothing). Tests substitute their own.
type Host interface {
	// Route returns the source address the host would use towards dst,
	// the interface's MAC address, and the next hop (dst itself when it is
	// on-link).
	Route(dst netip.Addr) (src netip.Addr, mac net.HardwareAddr, nextHop netip.Addr, ok bool)
	// Neighbour returns the MAC address of a neighbour, if known.
	Neighbour(ip netip.Addr) (net.HardwareAddr, bool)
	// DefaultMAC returns the MAC address of the default interface.
	DefaultMAC() net.HardwareAddr
}

// SystemHost is the machine's routing and neighbour tables.
var SystemHost Host = sysHost{}

type sysHost struct{}

// hostTables keeps what the system tables said for a moment, so that a set
// of 65,536 destinations costs one read of each table, not one per packet.
// Entries older than hostCacheTTL are read again.
type hostTables struct {
	sync.Mutex
	at     time.Time
	files  map[string]string               // /proc files by name
	macs   map[netip.Addr]net.HardwareAddr // interface MAC by address
	routes map[int]routeAnswer             // IPv4 answers by route-table line
}

var hostCache hostTables

const hostCacheTTL = 2 * time.Second

type routeAnswer struct {
	src netip.Addr
	mac net.HardwareAddr
	ok  bool
}

// cached returns the cache, emptied if it is too old; the caller holds
// the lock.
func cached() *hostTables {
	if hostCache.files == nil || time.Since(hostCache.at) > hostCacheTTL {
		hostCache.at = time.Now()
		hostCache.files = map[string]string{}
		hostCache.macs = map[netip.Addr]net.HardwareAddr{}
		hostCache.routes = map[int]routeAnswer{}
	}
	return &hostCache
}

// procFile reads a /proc table through the cache.
func procFile(name string) (string, bool) {
	hostCache.Lock()
	defer hostCache.Unlock()
	c := cached()
	if t, ok := c.files[name]; ok {
		return t, true
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return "", false
	}
	c.files[name] = string(b)
	return string(b), true
}

// Route picks the source with a connected UDP socket (the kernel's choice)
// and the next hop from /proc/net/route. For IPv4 the answer is shared by
// every destination that the same route-table line covers.
func (h sysHost) Route(dst netip.Addr) (netip.Addr, net.HardwareAddr, netip.Addr, bool) {
	hop := dst
	line := -1
	if dst.Is4() {
		if text, ok := procFile("/proc/net/route"); ok {
			if r, ok := bestRoute(text, dst); ok {
				line = r.line
				if r.gw.IsValid() && !r.gw.IsUnspecified() {
					hop = r.gw
				}
			}
		}
	}
	if line >= 0 {
		hostCache.Lock()
		a, ok := cached().routes[line]
		hostCache.Unlock()
		if ok {
			return a.src, a.mac, hop, a.ok
		}
	}
	src, mac, ok := kernelSource(dst)
	if line >= 0 {
		hostCache.Lock()
		cached().routes[line] = routeAnswer{src, mac, ok}
		hostCache.Unlock()
	}
	return src, mac, hop, ok
}

// kernelSource asks the kernel which source address it would use towards
// dst (by connecting a UDP socket, which sends nothing) and finds the MAC
// of the interface holding it.
func kernelSource(dst netip.Addr) (netip.Addr, net.HardwareAddr, bool) {
	network := "udp4"
	if dst.Is6() && !dst.Is4In6() {
		network = "udp6"
	}
	c, err := net.DialUDP(network, nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(dst, 9)))
	if err != nil {
		return netip.Addr{}, nil, false
	}
	src := c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
	c.Close()
	return src, macOf(src), true
}

// macOf returns the hardware address of the interface holding ip.
func macOf(ip netip.Addr) net.HardwareAddr {
	hostCache.Lock()
	mac, ok := cached().macs[ip]
	hostCache.Unlock()
	if ok {
		return mac
	}
	mac = findMAC(ip)
	hostCache.Lock()
	cached().macs[ip] = mac
	hostCache.Unlock()
	return mac
}

// findMAC looks through the interfaces for the one holding ip.
func findMAC(ip netip.Addr) net.HardwareAddr {
	ifs, _ := net.Interfaces()
	for _, ifc := range ifs {
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if pn, ok := a.(*net.IPNet); ok {
				if x, ok := netip.AddrFromSlice(pn.IP); ok && x.Unmap() == ip {
					return ifc.HardwareAddr
				}
			}
		}
	}
	return nil
}

// Neighbour reads the kernel's ARP table.
func (sysHost) Neighbour(ip netip.Addr) (net.HardwareAddr, bool) {
	text, ok := procFile("/proc/net/arp")
	if !ok {
		return nil, false
	}
	return ARPLookup(text, ip)
}

// DefaultMAC is the MAC of the default route's interface.
func (sysHost) DefaultMAC() net.HardwareAddr {
	if text, ok := procFile("/proc/net/route"); ok {
		if ifname, ok := routeIface(text, netip.IPv4Unspecified()); ok {
			if ifc, err := net.InterfaceByName(ifname); err == nil {
				return ifc.HardwareAddr
			}
		}
	}
	return nil
}

// RouteGateway reads a /proc/net/route table and returns the gateway of the
// most specific route to dst (0.0.0.0 for an on-link route).
func RouteGateway(table string, dst netip.Addr) (netip.Addr, bool) {
	r, ok := bestRoute(table, dst)
	return r.gw, ok
}

func routeIface(table string, dst netip.Addr) (string, bool) {
	r, ok := bestRoute(table, dst)
	return r.iface, ok
}

type route struct {
	iface string
	gw    netip.Addr
	line  int // the table line it comes from
}

func bestRoute(table string, dst netip.Addr) (route, bool) {
	if !dst.Is4() {
		return route{}, false
	}
	d := binary.BigEndian.Uint32(dst.AsSlice())
	best, bestLen := route{}, -1
	sc := bufio.NewScanner(strings.NewReader(table))
	for line := 0; sc.Scan(); line++ {
		fs := strings.Fields(sc.Text())
		if len(fs) < 8 || fs[0] == "Iface" {
			continue
		}
		dest, ok1 := procAddr(fs[1])
		gw, ok2 := procAddr(fs[2])
		mask, ok3 := procAddr(fs[7])
		if !ok1 || !ok2 || !ok3 {
			continue
		}
		m := binary.BigEndian.Uint32(mask.AsSlice())
		if d&m != binary.BigEndian.Uint32(dest.AsSlice())&m {
			continue
		}
		n := 0
		for x := m; x != 0; x <<= 1 {
			n++
		}
		if n > bestLen {
			best, bestLen = route{iface: fs[0], gw: gw, line: line}, n
		}
	}
	return best, bestLen >= 0
}

// procAddr reads an IPv4 address as /proc/net/route writes it: 8 hex
// digits of the address in host (little-endian) order.
func procAddr(s string) (netip.Addr, bool) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 4 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte{b[3], b[2], b[1], b[0]}), true
}

// ARPLookup reads a /proc/net/arp table and returns ip's complete entry.
func ARPLookup(table string, ip netip.Addr) (net.HardwareAddr, bool) {
	sc := bufio.NewScanner(strings.NewReader(table))
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 4 || fs[0] != ip.String() || fs[2] == "0x0" {
			continue
		}
		if mac, err := net.ParseMAC(fs[3]); err == nil && len(mac) == 6 {
			return mac, true
		}
	}
	return nil, false
}

// FillSources fills, on every packet, the addresses the user left unset
// as Scapy does at build time, using SystemHost: see FillSourcesFrom.
func FillSources(pkts []*Packet) { FillSourcesFrom(SystemHost, pkts) }

// FillSourcesFrom fills unset addresses from host h: an IP or IPv6 source
// from the route to the destination (in a set of destinations, each
// packet's own), ARP's psrc
// and hwsrc from the route to pdst, an Ethernet source from the MAC of the
// interface on the route to the IP destination above it (or the default
// interface), and an Ethernet destination from the neighbour table for the
// next hop, the multicast MAC of a multicast destination, or
// ff:ff:ff:ff:ff:ff. The values fill the defaults: the fields stay unset.
func FillSourcesFrom(h Host, pkts []*Packet) {
	for _, p := range pkts {
		var etherSrc, etherDst *Layer
		for _, l := range p.Layers {
			switch l.Proto.Name {
			case "Ether":
				if etherSrc == nil && etherDst == nil {
					if !l.IsSet("src") {
						etherSrc = l
					}
					if !l.IsSet("dst") {
						etherDst = l
					}
				}
			case "IP", "IPv6":
				dst, ok := addrOf(l, "dst")
				if !ok {
					continue
				}
				src, mac, hop, routed := h.Route(dst)
				if !l.IsSet("src") && routed {
					setDefault(l, "src", src.AsSlice())
				}
				if etherSrc != nil && routed && len(mac) == 6 {
					setDefault(etherSrc, "src", mac)
				}
				if etherDst != nil {
					setDefault(etherDst, "dst", dstMAC(h, dst, hop, routed))
				}
				followRoutes(h, p, l, etherSrc, etherDst)
				etherSrc, etherDst = nil, nil
			case "ARP":
				dst, ok := addrOf(l, "pdst")
				if !ok {
					continue
				}
				src, mac, hop, routed := h.Route(dst)
				if routed {
					if !l.IsSet("psrc") {
						setDefault(l, "psrc", src.AsSlice())
					}
					if !l.IsSet("hwsrc") && len(mac) == 6 {
						setDefault(l, "hwsrc", mac)
					}
					if etherSrc != nil && len(mac) == 6 {
						setDefault(etherSrc, "src", mac)
					}
				}
				if etherDst != nil {
					setDefault(etherDst, "dst", dstMAC(h, dst, hop, routed))
				}
				etherSrc, etherDst = nil, nil
			}
		}
		if etherSrc != nil {
			if mac := h.DefaultMAC(); len(mac) == 6 {
				setDefault(etherSrc, "src", mac)
			}
		}
		if etherDst != nil {
			setDefault(etherDst, "dst", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		}
	}
}

func addrOf(l *Layer, name string) (netip.Addr, bool) {
	v, ok := l.Value(name)
	if !ok {
		return netip.Addr{}, false
	}
	a, ok := netip.AddrFromSlice(v.B)
	return a, ok
}

// setDefault changes an unset field's default value.
func setDefault(l *Layer, name string, b []byte) {
	if f := l.Proto.Field(name); f != nil && !l.spec.IsSet(f) {
		l.spec.Vals[f.Index()] = packet.Value{B: append([]byte(nil), b...)}
	}
}

// dstMAC is the Ethernet destination Scapy resolves for an IP destination.
func dstMAC(h Host, dst, hop netip.Addr, routed bool) []byte {
	switch {
	case dst.Is4() && dst.IsMulticast():
		a := dst.As4()
		return []byte{0x01, 0x00, 0x5e, a[1] & 0x7f, a[2], a[3]}
	case dst.Is6() && dst.IsMulticast():
		a := dst.As16()
		return []byte{0x33, 0x33, a[12], a[13], a[14], a[15]}
	}
	if routed && !dst.IsLoopback() {
		if mac, ok := h.Neighbour(hop); ok {
			return mac
		}
	}
	return []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
}

// followRoutes handles a set of destinations: when the addresses filled in
// differ between them, each packet gets those of its own destination.
func followRoutes(h Host, p *Packet, l, etherSrc, etherDst *Layer) {
	df := l.Proto.Field("dst")
	dsts := l.multi[df.Index()]
	if len(dsts) < 2 || (l.IsSet("src") && etherSrc == nil && etherDst == nil) {
		return // nothing to fill per destination
	}
	li := layerIndex(p, l)
	type route struct {
		src, smac, dmac []byte
	}
	cache := map[netip.Addr]route{}
	srcs := make([]packet.Value, len(dsts))
	smacs := make([]packet.Value, len(dsts))
	dmacs := make([]packet.Value, len(dsts))
	var differ [3]bool
	for i, v := range dsts {
		dst, _ := netip.AddrFromSlice(v.B)
		r, ok := cache[dst]
		if !ok {
			src, mac, hop, routed := h.Route(dst)
			if routed {
				r.src = src.AsSlice()
				r.smac = make([]byte, 6) // an interface without one (lo)
				if len(mac) == 6 {
					r.smac = mac
				}
			}
			r.dmac = dstMAC(h, dst, hop, routed)
			cache[dst] = r
		}
		srcs[i], smacs[i], dmacs[i] = packet.Value{B: r.src}, packet.Value{B: r.smac}, packet.Value{B: r.dmac}
		if i > 0 {
			differ[0] = differ[0] || string(r.src) != string(srcs[0].B)
			differ[1] = differ[1] || string(r.smac) != string(smacs[0].B)
			differ[2] = differ[2] || string(r.dmac) != string(dmacs[0].B)
		}
	}
	add := func(target *Layer, name string, vals []packet.Value) {
		f := target.Proto.Field(name)
		if f == nil || target.spec.IsSet(f) {
			return
		}
		for _, v := range vals {
			if len(v.B)*8 != fieldBits(f) {
				return // a route without this address: keep the default
			}
		}
		p.follows = append(p.follows, follow{Layer: layerIndex(p, target), Field: f.Index(), Leader: li, LeaderField: df.Index(), Vals: vals})
	}
	if differ[0] {
		add(l, "src", srcs)
	}
	if etherSrc != nil && differ[1] {
		add(etherSrc, "src", smacs)
	}
	if etherDst != nil && differ[2] {
		add(etherDst, "dst", dmacs)
	}
}

func fieldBits(f *packet.Field) int {
	switch f.Type {
	case packet.MAC:
		return 48
	case packet.IPv4:
		return 32
	case packet.IPv6:
		return 128
	}
	return -1
}

func layerIndex(p *Packet, l *Layer) int {
	for i, x := range p.Layers {
		if x == l {
			return i
		}
	}
	return -1
}
