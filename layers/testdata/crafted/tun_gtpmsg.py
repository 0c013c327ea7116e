# Crafted packets for the tunnel tables' tests (Scapy 2.5); run from this directory.
# GTP headers of each version and protocol type with known and unknown message types on each port,
# and every message type for v1, v0 and GTP' (Wireshark reads unknown ones as data).
from scapy.all import *
E=Ether(src="00:11:22:33:44:55",dst="66:77:88:99:aa:bb")
def p(port, b): return E/IP(src="192.168.0.1",dst="192.168.0.2")/UDP(sport=port,dport=port)/b
pk=[]
for port in (2152, 2123, 3386):
  for fl, msg in ((0x30,0x00),(0x30,0x99),(0x30,0x05),(0x2e,0x00),(0x2e,0x01),(0x2e,0x99),(0x10,0x00),(0x10,0x99),(0x48,0x00),(0x48,0x99)):
    pk.append(p(port, bytes([fl,msg])+b"\x00\x08\x00\x00\x00\x01"+b"\x00"*8+b"\x00"*12))
wrpcap("../crafted-gtpmsg.pcap", pk)
pk=[]
for fl in (0x30,0x1e,0x2e):
  for m in range(256):
    pk.append(E/IP(src="192.168.0.1",dst="192.168.0.2")/UDP(sport=2152,dport=2152)/(bytes([fl,m])+b"\x00\x0c\x00\x00\x00\x01"+b"\x00"*12))
wrpcap("../crafted-gtpsweep.pcap", pk)
