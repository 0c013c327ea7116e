# Crafted packets for the tunnel tables' tests (Scapy 2.5); run from this directory.
from scapy.all import *
import struct
def tag(t, v): return struct.pack("!HH", t, len(v)) + v
E=Ether(src="00:11:22:33:44:55",dst="ff:ff:ff:ff:ff:ff")
pk=[]
tags = tag(0x0101,b"") + tag(0x0101,b"isp") + tag(0x0103,b"\x01\x02\x03\x04") + tag(0x0102,b"AC") + tag(0x0104,b"\xaa"*4)
pk.append(E/PPPoED(code=9)/tags)
tags = tag(0x0105, b"\x00\x00\x0d\xe9\x01\x02ab") + tag(0x0105, b"\x00\x00\x00\x09xyz") + tag(0x0108,b"\x00\x07") + tag(0x0109,b"\x00\x05") + tag(0x0120,b"\x05\xdc")+tag(0x0999,b"zz")+tag(0x0999,b"")+tag(0x0110,b"rr")
pk.append(E/PPPoED(code=7)/tags)
tags = tag(0x0201,b"err1")+tag(0x0202,b"err2")+tag(0x0203,b"err3")+tag(0x0106,b"\x00\x01\x00\x02")+tag(0x0107,b"\x00"*10)+tag(0x0111,b"h")+tag(0x0112,b"m")+tag(0x0121,b"\x00"*16)
pk.append(E/PPPoED(code=0x19)/tags)
tags = tag(0x0103,b"\x01\x02") + tag(0x0000,b"") + tag(0x0102,b"AFTER")
pk.append(E/PPPoED(code=0x65, sessionid=0x11)/tags)
tags = tag(0x0103,b"\x01\x02") + b"\x01\x02\x00\x10ab"
pk.append(E/PPPoED(code=0xa7, sessionid=0x11)/tags)
pk.append(E/PPPoED(code=0xa7, sessionid=0x11,len=2)/tag(0x0103,b"\x01\x02"))
pk.append(E/PPPoED(code=0xa7, sessionid=0x11)/(tag(0x0103,b"\x01\x02")+b"\x01"))
pk.append(E/PPPoED(code=0x9)/(tag(0x0108,b"\x01\x02\x03")+tag(0x0109,b"\x01")+tag(0x0105,b"\x00\x01")))
pk.append(E/PPPoE(sessionid=0x1234)/PPP(proto=0x21)/IP(src="10.0.0.1",dst="10.0.0.2")/UDP(sport=1,dport=2)/b"hi")
pk.append(E/PPPoE(sessionid=0x1234)/b"\x00\x21"/IP(src="10.0.0.1",dst="10.0.0.2")/UDP(sport=1,dport=2)/b"hi")
pk.append(E/PPPoE(sessionid=0x1234)/b"\xc0\x21\x01\x01\x00\x04")
pk.append(E/PPPoE(sessionid=0x1234,len=100)/b"\x00\x21"/IP(src="10.0.0.1",dst="10.0.0.2")/UDP(sport=1,dport=2)/b"hi")
pk.append(E/PPPoE(sessionid=0x1234,len=10)/b"\x00\x21"/IP(src="10.0.0.1",dst="10.0.0.2")/UDP(sport=1,dport=2)/b"hi")
pk.append(E/PPPoE(code=7,sessionid=0x1234)/b"\x00\x21"/IP(src="10.0.0.1",dst="10.0.0.2")/UDP(sport=1,dport=2)/b"hi")
pk.append(E/PPPoE(version=2,sessionid=0x1234)/b"\x00\x21"/IP(src="10.0.0.1",dst="10.0.0.2")/UDP(sport=1,dport=2)/b"hi")
pk.append(E/PPPoE(sessionid=0x1234)/b"\xff\x03\x00\x21"/IP(src="10.0.0.1",dst="10.0.0.2")/UDP(sport=1,dport=2)/b"hi")
wrpcap("../crafted-pppoe.pcap", pk)
