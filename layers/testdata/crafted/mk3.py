from scapy.all import *
pk=[]
E=Ether(src="00:11:22:33:44:55",dst="66:77:88:99:aa:bb")
ip=IP(src="10.0.0.1",dst="10.0.0.2")
qu=IP(src="10.0.0.2",dst="8.8.8.8")/UDP(sport=5353,dport=53)/(b"y"*200)
q=raw(qu)
# rfc4884: length=32 words (128 bytes), then extension header version 2, checksum, object
ext=bytes.fromhex("20000000")+bytes.fromhex("0008 0101 00012 3ff".replace(" ","").ljust(16,"0"))
ext=bytearray(bytes.fromhex("20000000")+bytes.fromhex("00080101")+bytes.fromhex("0001f1ff"))
c=checksum(bytes(ext)); ext[2]=c>>8; ext[3]=c&255
for t,c_ in ((3,1),(11,0),(12,0)):
  pk.append(E/ip/ICMP(type=t,code=c_,length=32)/(q[:128]+bytes(ext)))
pk.append(E/ip/ICMP(type=3,code=1,length=7)/(q[:28]))
pk.append(E/ip/ICMP(type=3,code=4,length=7,nexthopmtu=1000)/(q[:28]))
pk.append(E/ip/ICMP(type=3,code=1)/(q[:128]+bytes(ext)))
pk.append(E/ip/ICMP(type=12,code=0,ptr=4,length=7)/(q[:28]))
pk.append(E/ip/ICMP(type=3,code=1,reserved=0x55,unused=b"")/(q[:28]))
wrpcap("crafted-icmp3.pcap",pk)
