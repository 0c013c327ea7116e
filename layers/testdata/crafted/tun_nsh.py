# Crafted packets for the tunnel tables' tests (Scapy 2.5); run from this directory.
from scapy.all import *
E=Ether(src="00:11:22:33:44:55",dst="66:77:88:99:aa:bb",type=0x894f)
I=IP(src="10.0.0.1",dst="10.0.0.2")/UDP(sport=1000,dport=2000)/b"hello"
IE=Ether(src="00:aa:bb:cc:dd:ee",dst="00:11:11:11:11:11")
def nsh(ver=0,o=0,c=0,ttl=63,length=6,u2=0,md=1,np=1,spi=1,si=255):
    w=(ver<<14)|(o<<13)|(c<<12)|(ttl<<6)|length
    return struct.pack("!HBB", w, (u2<<4)|md, np) + struct.pack("!I", (spi<<8)|si)
ctx=bytes.fromhex("00000001000000020000000300000004")
def tlv(cls,t,data,u=0):
    pad=(-len(data))%4
    return struct.pack("!HBB",cls,t,(u<<7)|len(data))+data+b"\x00"*pad
pk=[]
pk.append(E/(nsh()+ctx+raw(I)))
pk.append(E/(nsh(length=2,md=1)+raw(I)))
pk.append(E/(nsh(length=8,md=1)+ctx+b"\x11"*8+raw(I)))
t=tlv(1,2,b"\x12")+tlv(0x0102,0x83,b"abcde",u=1)
pk.append(E/(nsh(length=2+len(t)//4,md=2,np=3,o=1,c=1,ttl=5,ver=1)+t+raw(IE/I)))
pk.append(E/(nsh(length=2,md=2,np=1)+raw(I)))
pk.append(E/(nsh(length=6,md=0,np=1)+ctx+raw(I)))
pk.append(E/(nsh(length=6,md=15,np=1,u2=3)+ctx+raw(I)))
pk.append(E/(nsh(length=1,md=1,np=1)+raw(I)))
pk.append(E/(nsh(length=4,md=2,np=1)+tlv(1,2,b"\x12\x34\x56\x78\x9a")+raw(I)))
pk.append(E/(nsh(length=6,md=1,np=4)+ctx+nsh(length=6,md=1,np=1,si=7)+ctx+raw(I)))
pk.append(E/(nsh(length=6,md=1,np=9)+ctx+raw(I)))
pk.append(E/(nsh(length=6,md=1,np=2)+ctx+b"\x60"+b"\x00"*39))
pk.append(E/(nsh(length=6,md=1,np=5)+ctx+b"\x00\x01\x01\x40"+raw(I)))
pk.append(E/(nsh(length=5,md=2,np=1)+tlv(1,2,b"\x12")+b"\x00\x00\x00"+raw(I)))
pk.append(E/(nsh(length=3,md=2,np=1)+b"\x00\x01\x02\x7f"+raw(I)))
wrpcap("../crafted-nsh.pcap", pk)
