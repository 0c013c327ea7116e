from scapy.all import *
import struct
exec(open("mk6.py").read().split("base=")[0])
pk=[]
X=lambda t,l,n: struct.pack("!HH",t,l)+b"\x22"*n
cases=[X(0x104,8,4)+b"\x11"*20, X(0x104,18,14)+b"\x00\x00", X(0x104,16,12), X(0x104,20,16)+b"\x00\x00\x00\x05",
X(0x104,16,12)+b"\x44\x44", b"\x55\x55", X(0x104,16,12)+X(0x204,16,12), X(0x104,16,12)+b"\x00\x00\x00\x01"+b"\x11"*20,
X(0x104,16,12)+b"\x11"*16, X(0x104,12,8), X(0x0,16,12), X(0x104,16,12)+X(0x204,16,12)+X(0x304,16,12)+b"\x00\x00\x00\x01"+b"\x11"*16]
for c in cases: pk.append(u(hdr(first=0x24)+c))
pk.append(u(hdr(ts=(0x80000000,0x0000000180000000,(0x83aa7e80<<32),(0x83aa7e80<<32)|5))))
wrpcap("crafted-ntp2.pcap",pk)
