from scapy.all import *
import struct
exec(open("mk6.py").read().split("base=")[0])
pk=[]
X=lambda t,l,n: struct.pack("!HH",t,l)+b"\x22"*n
cases=[X(0x104,16,12)+b"\x00\x00\x00\x05", X(0x104,16,12)+b"\x00\x00\x00\x05"+b"\x11"*64, X(0x104,16,12)+b"\x00\x00\x00\x05"+b"\x11"*68,
 X(0x104,16,12)+b"\x00\x00\x00\x05"+b"\x11"*28, X(0x104,16,12)+b"\x00\x00\x00\x05"+b"\x11"*32, X(0x104,16,12)+b"\x00\x00\x00\x05"+b"\x11"*12,
 X(0x104,20,16)+X(0x104,16,12)+b"\x00\x00\x00\x05"+b"\x11"*16, X(0x104,16,12)+X(0x104,16,12)+b"\x00\x00\x00\x05"]
for c in cases: pk.append(u(hdr(first=0x24)+c))
wrpcap("crafted-ntp3.pcap",pk)
