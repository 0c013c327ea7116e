# Crafted packets for the tunnel tables' tests (Scapy 2.5); run from this directory.
from scapy.all import *
E=Ether(src="00:11:22:33:44:55",dst="66:77:88:99:aa:bb")
I=IP(src="10.0.0.1",dst="10.0.0.2")/UDP(sport=1000,dport=2000)/b"hello"
def gl(flags, typ, opt, payload, teid=0x1234):
    body = opt + payload
    return bytes([flags, typ]) + struct.pack("!HI", len(body), teid) + body
pk=[E/IP()/TCP(sport=5555,dport=2152,flags="PA")/gl(0x30,0xff,b"",raw(I)), E/IP()/TCP(sport=5555,dport=2123,flags="PA")/gl(0x32,0x10,b"\x00\x01\x00\x00",b"\x0e\x05"), E/IP()/TCP(sport=5555,dport=2123,flags="PA")/bytes.fromhex("4801000800000000000001 00".replace(" ",""))]
wrpcap("../crafted-gtptcp.pcap", pk)
