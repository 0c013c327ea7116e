package flow

// likelyServerPorts are the ports Zeek's base protocol scripts add to
// likely_server_ports (each protocol's registered ports), by transport.
// Zeek uses them to guess the originator of a connection whose first
// packet is not a SYN.
var likelyServerPorts = map[uint8][]uint16{
	6: {21, 22, 23, 25, 80, 81, 88, 110, 135, 139, 143, 389, 443, 445, 502, 563, 585, 587, 614, 631,
		636, 750, 989, 990, 992, 993, 995, 1080, 1433, 1434, 1883, 2811, 3128, 3268, 3306, 3389,
		5222, 5223, 5269, 5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000},
	17: {53, 67, 69, 88, 123, 137, 161, 162, 389, 443, 514, 750, 1812, 2123, 2152, 3389, 3544,
		4789, 5060, 5072, 5353, 5355, 6081, 20000},
}

var likelyServerSet [2][65536 / 64]uint64

func init() {
	for proto, ps := range likelyServerPorts {
		i := 0
		if proto == 17 {
			i = 1
		}
		for _, p := range ps {
			likelyServerSet[i][p/64] |= 1 << (p % 64)
		}
	}
}

// likelyServer reports whether port is a likely server port for proto (6
// or 17).
func likelyServer(port uint16, proto uint8) bool {
	i := 0
	if proto == 17 {
		i = 1
	}
	return likelyServerSet[i][port/64]&(1<<(port%64)) != 0
}
