from scapy.all import *
import struct
pk=[]
E=Ether(src="00:11:22:33:44:55",dst="66:77:88:99:aa:bb")
def u(b, sp=123, dp=123): return E/IP(src="10.0.0.1",dst="10.0.0.2")/UDP(sport=sp,dport=dp)/Raw(b)
def hdr(first=0x23, stratum=2, ts=(0,0,0,0)):
    b=struct.pack("!BBBbII4s", first, stratum, 6, -20, 0x00010002, 0x00030004, b"GPS\x00")
    for t in ts: b+=struct.pack("!Q", t)
    return b
base=0xe0000000
pk.append(u(hdr(ts=(0, 1, (3786480000<<32), ((2208988800+86400*4)<<32)|0xffffffff))))
pk.append(u(hdr(ts=((100<<32)|0x80000000, (0x7fffffff<<32), (0x80000000<<32), (0xffffffff<<32)|1))))
pk.append(u(hdr(first=0x1c, stratum=1)+struct.pack("!I",1)+b"\x11"*16))
pk.append(u(hdr(first=0x24)+struct.pack("!I",1)+b"\x11"*20))
pk.append(u(hdr(first=0x24)+struct.pack("!HH",0x0104,16)+b"\x22"*12+struct.pack("!I",1)+b"\x11"*16))
pk.append(u(hdr(first=0x24)+struct.pack("!I",7)))
pk.append(u(hdr(first=0x24)+b"\x33"*6))
pk.append(u(hdr(first=0x24)+b"\x33"*68))
pk.append(u(hdr(first=0x24)+b"\x33"*72))
pk.append(u(hdr(first=0x24)+struct.pack("!HH",0x0104,24)+b"\x22"*20))
pk.append(u(hdr(first=0x24)+struct.pack("!HH",0x0104,28)+b"\x22"*24))
pk.append(u(hdr(first=0x24)[:30]))
pk.append(u(bytes.fromhex("1602000100000000")))
pk.append(u(bytes.fromhex("d6820001061800000000000f")+b"version=\"x\", a=1\x00"))
pk.append(u(bytes.fromhex("17000300")+bytes(44)))
pk.append(u(bytes.fromhex("97000300")+bytes.fromhex("0001 0048".replace(" ",""))+bytes(72)))
pk.append(u(hdr(first=0x0b)))
wrpcap("crafted-ntp.pcap",pk)
