# Crafted packets for the tunnel tables' tests (Scapy 2.5); run from this directory.
from scapy.all import *
E=Ether(src="00:11:22:33:44:55",dst="66:77:88:99:aa:bb")
O=IP(src="192.168.0.1",dst="192.168.0.2")/UDP(sport=3544,dport=40000)
v6=raw(IPv6(src="2001::1",dst="fe80::1")/ICMPv6EchoRequest())
auth=b"\x00\x01\x00\x00"+bytes.fromhex("b11b3fea46a9afe9")+b"\x00"
auth2=b"\x00\x01\x02\x03"+b"ab"+b"xyz"+bytes.fromhex("0102030405060708")+b"\x07"
orig=b"\x00\x00"+struct.pack("!H",52513^0xffff)+bytes(a^0xff for a in [185,6,192,185])
pk=[E/O/(auth+v6), E/O/(auth+orig+v6), E/O/(orig+v6), E/O/v6, E/O/(auth2+v6), E/O/b"hello world", E/O/(auth), E/O/(b"\x00\x01\x05\x05ab"), E/IP(src="192.168.0.1",dst="192.168.0.2")/UDP(sport=40000,dport=3544)/(orig+v6), E/O/(orig+b"hello")]
wrpcap("../crafted-teredo.pcap", pk)
