module pktkit

go 1.26
