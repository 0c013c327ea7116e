from scapy.all import *
pk=[]
E=Ether(src="00:11:22:33:44:55",dst="66:77:88:99:aa:bb")
ip=IP(src="10.0.0.1",dst="10.0.0.2")
qt=IP(src="10.0.0.2",dst="8.8.8.8",proto=6)/TCP(sport=4444,dport=80,seq=99,ack=5,flags="PA")/(b"x"*100)
for n in (28,32,34,36,40,48,60,140):
  pk.append(E/ip/ICMP(type=3,code=3)/raw(qt)[:n])
qu=IP(src="10.0.0.2",dst="8.8.8.8")/UDP(sport=5353,dport=53)/DNS(qd=DNSQR(qname="example.com"))
for n in (24,28,36,40,60):
  pk.append(E/ip/ICMP(type=3,code=3)/raw(qu)[:n])
wrpcap("crafted-icmp2.pcap",pk)
