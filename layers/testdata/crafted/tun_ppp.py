# Crafted packets for the tunnel tables' tests (Scapy 2.5); run from this directory.
from scapy.all import *
I=IP(src="10.0.0.1",dst="10.0.0.2")/UDP(sport=1000,dport=2000)/b"hello"
v6=raw(IPv6(src="2001::1",dst="fe80::1")/ICMPv6EchoRequest())
mp=bytes.fromhex("00001140")
frames=[b"\xff\x03\x00\x21"+raw(I), b"\x00\x21"+raw(I), b"\x21"+raw(I), b"\xff\x03\x21"+raw(I), b"\x00\x57"+v6, b"\x57"+v6,
 b"\xff\x03\x02\x81"+mp+raw(I), b"\xc0\x21\x01\x01\x00\x04", b"\xff\x03\xc0\x23\x01\x02\x00\x04", b"\xff\x5f\x7e\x08\x00", b"\x30\x30", b"\x3d\x30",
 b"\xff", b"\x00", b"\xff\x03", b"\xff\x03\x00", b"\x80\xfd\x01\x01\x00\x04"]
wrpcap("../crafted-ppp9.pcap", [Raw(f) for f in frames], linktype=9)
wrpcap("../crafted-ppp50.pcap", [Raw(f) for f in frames], linktype=50)
