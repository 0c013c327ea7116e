from scapy.all import *
pk=[]
E=Ether(src="00:11:22:33:44:55",dst="ff:ff:ff:ff:ff:ff")
ip=IP(src="0.0.0.0",dst="255.255.255.255")/UDP(sport=68,dport=67)
b=BOOTP(chaddr=bytes.fromhex("001122334455"),xid=0x1234,flags=0x8000,sname=b"srv",file=b"boot.img")
opt=bytes([53,1,1, 0,0, 12,4])+b"host"+bytes([200,0, 61,7,1,0,0x11,0x22,0x33,0x44,0x55, 1,4,255,255,255,0, 3,8,10,0,0,1,10,0,0,2, 6,4,8,8,8,8, 15,7])+b"example"+bytes([51,4,0,0,0x0e,0x10, 54,4,10,0,0,1, 50,4,10,0,0,9, 55,3,1,3,6, 60,4])+b"MSFT"+bytes([57,2,5,0xdc, 58,4,0,0,7,8, 59,4,0,0,0xc,0x4e, 255, 0,0,0])
pk.append(E/ip/b/Raw(b"c\x82Sc"+opt))
pk.append(E/ip/BOOTP(htype=6,hlen=4,chaddr=b"\x01\x02\x03\x04"+b"\x00"*12)/Raw(b"c\x82Sc"+bytes([53,1,3,255])))
pk.append(E/ip/BOOTP()/Raw(b"c\x82Sc"+bytes([53,1,3])))
pk.append(E/ip/BOOTP()/Raw(b"c\x82Sc"+bytes([53,1,3,12,10,65])))
pk.append(E/ip/BOOTP()/Raw(b"\x00\x00\x00\x00"+bytes([53,1,3,255])))
pk.append(E/ip/BOOTP()/Raw(b""))
pk.append(E/ip/BOOTP(chaddr=bytes.fromhex("001122334455")+b"\xaa"*10)/Raw(b"c\x82Sc"+bytes([53,1,3,12,3])+b"a\x00b"+bytes([255])))
wrpcap("crafted-dhcp.pcap",pk)
