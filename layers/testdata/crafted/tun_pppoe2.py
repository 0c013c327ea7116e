# Crafted packets for the tunnel tables' tests (Scapy 2.5); run from this directory.
from scapy.all import *
import struct
def tag(t, v): return struct.pack("!HH", t, len(v)) + v
E=Ether(src="00:11:22:33:44:55",dst="ff:ff:ff:ff:ff:ff")
pk=[]
tags = tag(0x0103,b"\x01\x02\x03\x04") + tag(0x0102,b"AC") + tag(0x0104,b"\xaa"*4)
for n in [0,4,8,9,11,13,14,20,30]:
    pk.append(E/PPPoED(code=9,len=n)/tags)
pk.append(E/PPPoED(code=9)/(tag(0x0103,b"\x01\x02\x03\x04")+b"\x00\x00\x00\x00"+ tag(0x0102,b"AC")))
pk.append(E/PPPoED(code=9)/(tag(0x0103,b"\x01\x02\x03\x04")+b"\x00\x00\x00\x02ab"+ tag(0x0102,b"AC")))
wrpcap("../crafted-pppoe2.pcap", pk)
