# Crafted packets for the tunnel tables' tests (Scapy 2.5); run from this directory.
from scapy.all import *
load_contrib("gtp")
from scapy.contrib.gtp import *
E=Ether(src="00:11:22:33:44:55",dst="66:77:88:99:aa:bb")
O=IP(src="192.168.0.1",dst="192.168.0.2")/UDP(sport=2152,dport=2152)
I=IP(src="10.0.0.1",dst="10.0.0.2")/UDP(sport=1000,dport=2000)/b"hello"
def g(flags, typ, rest, teid=0x1234, length=None):
    body = rest
    if length is None: length = len(body) - 0
    return bytes([flags, typ]) + struct.pack("!HI", length, teid) + body
def gl(flags, typ, opt, payload, teid=0x1234):
    body = opt + payload
    return bytes([flags, typ]) + struct.pack("!HI", len(body), teid) + body
pk=[]
pk.append(E/O/gl(0x30,0xff,b"",raw(I)))
pk.append(E/O/gl(0x32,0xff,b"\x00\x05\x00\x00",raw(I)))
pk.append(E/O/gl(0x31,0xff,b"\x00\x05\x07\x00",raw(I)))
pk.append(E/O/gl(0x34,0xff,b"\x00\x05\x07\xc0"+b"\x01\x09\x04\x00",raw(I)))
pk.append(E/O/gl(0x37,0xff,b"\x12\x34\x56\x40"+b"\x01\x08\x68\xc0"+b"\x01\x01\x02\x00",raw(I)))
pk.append(E/O/gl(0x34,0xff,b"\x00\x00\x00\x85"+b"\x01\x00\x05\x00",raw(I)))
pk.append(E/O/gl(0x34,0xff,b"\x00\x00\x00\x85"+b"\x02\x00\xc5\x60\x00\x00\x00\x00",raw(I)))
pk.append(E/O/gl(0x34,0xff,b"\x00\x00\x00\x85"+b"\x01\x10\x05\x00",raw(I)))
pk.append(E/O/gl(0x34,0xff,b"\x00\x00\x00\x81"+b"\x02\x01\x02\x03\x04\x05\x06\x00",raw(I)))
pk.append(E/O/gl(0x34,0xff,b"\x00\x00\x00\x00",raw(I)))
pk.append(E/O/gl(0x30,0xff,b"",b"\x4f"+raw(I)[1:]))
pk.append(E/O/gl(0x30,0xff,b"",b"\x40"+raw(I)[1:]))
pk.append(E/O/gl(0x30,0xff,b"",b"\x60\x00\x00\x00\x00\x00\x3b\x40"+b"\x00"*32))
pk.append(E/O/gl(0x30,0xff,b"",b"\xff\x03\x00\x21"+raw(I)))
pk.append(E/O/gl(0x30,0xff,b"",b"\x00\x21"+raw(I)))
pk.append(E/O/gl(0x32,0x01,b"\x00\x05\x00\x00",b""))
pk.append(E/O/gl(0x32,0x02,b"\x00\x05\x00\x00",b"\x0e\x05"))
pk.append(E/O/gl(0x32,0x1a,b"\x00\x05\x00\x00",b"\x10\x00\x00\x00\x01\x85\x00\x04\x0a\x00\x00\x01"))
pk.append(E/O/gl(0x32,0xfe,b"\x00\x05\x00\x00",b""))
pk.append(E/O/gl(0x50,0xff,b"",raw(I)))
pk.append(E/O/gl(0x10,0xff,b"",raw(I)+b"\x00"*20))
pk.append(E/O/gl(0x20,0xff,b"",raw(I)))
pk.append(E/O/(bytes([0x30,0xff])+struct.pack("!HI", 10, 5)+raw(I)))
pk.append(E/O/(bytes([0x30,0xff])+struct.pack("!HI", 100, 5)+raw(I)))
pk.append(E/O/(bytes([0x32,0xff])+struct.pack("!HI", 2, 5)+b"\x00\x01\x00\x00"+raw(I)))
pk.append(E/O/gl(0x30,0xff,b"",b""))
pk.append(E/O/gl(0x38,0xff,b"",raw(I)))
wrpcap("../crafted-gtp.pcap", pk)
