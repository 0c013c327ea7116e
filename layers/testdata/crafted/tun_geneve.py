# Crafted packets for the tunnel tables' tests (Scapy 2.5); run from this directory.
from scapy.all import *
load_contrib("geneve")
from scapy.contrib.geneve import *
E=Ether(src="00:11:22:33:44:55",dst="66:77:88:99:aa:bb")
O=IP(src="192.168.0.1",dst="192.168.0.2")/UDP(sport=40000,dport=6081)
IE=Ether(src="00:aa:bb:cc:dd:ee",dst="00:11:11:11:11:11")
I=IP(src="10.0.0.1",dst="10.0.0.2")/UDP(sport=1000,dport=2000)/b"hello"
pk=[]
pk.append(E/O/GENEVE(vni=0x123456,proto=0x6558)/IE/I)
pk.append(E/O/GENEVE(vni=1,proto=0x0800,oam=1,critical=1)/I)
pk.append(E/O/GENEVE(vni=1,proto=0x0800,reserved=5, reserved2=7)/I)
pk.append(E/O/GENEVE(vni=1,proto=0x6558,options=[GeneveOptions(classid=0x100,type=0x81,reserved=5,data=b'1234'),GeneveOptions(classid=0x102,type=2,data=b'')])/IE/I)
pk.append(E/O/GENEVE(vni=1,proto=0x6558,options=[GeneveOptions(classid=0x0067,type=0x01,data=b'\x00\x00\x00\x05\x00\x00\x00\x00'),GeneveOptions(classid=0x0067,type=0x02,data=b'abcdefgh')])/IE/I)
pk.append(E/O/GENEVE(vni=1,proto=0x0806)/ARP())
pk.append(E/O/GENEVE(vni=1,proto=0x1234)/b"payload")
pk.append(E/O/GENEVE(version=1,vni=1,proto=0x0800)/I)
pk.append(E/O/GENEVE(vni=1,proto=0x0800,optionlen=2)/(bytes.fromhex("01000105")+raw(I)))
pk.append(E/O/GENEVE(vni=1,proto=0x0800,optionlen=1)/(bytes.fromhex("01000101aaaaaaaa")+raw(I)))
pk.append(E/O/GENEVE(vni=1,proto=0x0800,optionlen=40)/raw(I))
pk.append(E/O/GENEVE(vni=1,proto=0x86dd)/(b"\x60"+b"\x00"*39))
pk.append(E/IP(src="192.168.0.1",dst="192.168.0.2")/UDP(sport=6081,dport=40000)/GENEVE(vni=1,proto=0x0800)/I)
wrpcap("../crafted-geneve.pcap", pk)
