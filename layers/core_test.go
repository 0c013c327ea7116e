package layers_test

import "testing"

func TestCoreFieldsMatchTshark(t *testing.T) {
	compareFields(t, "arkime/tests/pcap/http-post-upload.pcap",
		"eth.src", "eth.dst", "eth.type", "ip.version", "ip.hdr_len", "ip.dsfield", "ip.len", "ip.id",
		"ip.flags", "ip.flags.df", "ip.frag_offset", "ip.ttl", "ip.proto", "ip.checksum", "ip.src", "ip.dst",
		"tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.hdr_len", "tcp.flags", "tcp.flags.syn",
		"tcp.window_size_value", "tcp.checksum", "tcp.urgent_pointer", "tcp.len", "tcp.options.mss_val",
		"tcp.options.wscale.shift")
}

func TestCoreRebuild(t *testing.T) {
	checkRebuild(t, readPcap(t, corpusPath(t, "arkime/tests/pcap/http-post-upload.pcap")))
}
