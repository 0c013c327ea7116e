package capture

import "strconv"

// LinkType is a pcap/pcapng LINKTYPE_ value: the link-layer header type of
// the packets of a pcap file or of one pcapng interface.
//
// The numbering is that of the tcpdump.org link-layer header type registry
// (the LINKTYPE_ namespace, which is what capture files hold), not the
// platform-dependent DLT_ namespace of the libpcap API.
type LinkType uint16

// Link-layer header types. The names follow libpcap's DLT_ names.
const (
	LinkTypeNull            LinkType = 0   // BSD loopback: 4-byte host-order address family
	LinkTypeEthernet        LinkType = 1   // IEEE 802.3 Ethernet (EN10MB)
	LinkTypeAX25            LinkType = 3   // AX.25
	LinkTypeIEEE802         LinkType = 6   // IEEE 802.5 Token Ring
	LinkTypeARCNet          LinkType = 7   // ARCNET, BSD style
	LinkTypeSLIP            LinkType = 8   // SLIP
	LinkTypePPP             LinkType = 9   // PPP (RFC 1661 without HDLC framing)
	LinkTypeFDDI            LinkType = 10  // FDDI
	LinkTypeRaw12           LinkType = 12  // raw IPv4/IPv6: DLT_RAW's value on most platforms, found in old files
	LinkTypeRaw14           LinkType = 14  // raw IPv4/IPv6: DLT_RAW's value on OpenBSD, found in old files
	LinkTypePPPHDLC         LinkType = 50  // PPP in HDLC-like framing (PPP_SERIAL)
	LinkTypePPPoE           LinkType = 51  // PPPoE session stage (PPP_ETHER)
	LinkTypeATMRFC1483      LinkType = 100 // RFC 1483 LLC/SNAP-encapsulated ATM
	LinkTypeRaw             LinkType = 101 // raw IPv4 or IPv6, version from the first nibble
	LinkTypeCHDLC           LinkType = 104 // Cisco HDLC
	LinkTypeIEEE80211       LinkType = 105 // IEEE 802.11 wireless LAN
	LinkTypeATMCLIP         LinkType = 106 // Linux classical IP over ATM
	LinkTypeFrameRelay      LinkType = 107 // Frame Relay
	LinkTypeLoop            LinkType = 108 // OpenBSD loopback: 4-byte network-order address family
	LinkTypeEnc             LinkType = 109 // OpenBSD IPsec encapsulation
	LinkTypeLinuxSLL        LinkType = 113 // Linux "cooked" capture, version 1
	LinkTypeLocalTalk       LinkType = 114 // Apple LocalTalk
	LinkTypePFLog           LinkType = 117 // OpenBSD pflog
	LinkTypePrismHeader     LinkType = 119 // IEEE 802.11 with Prism monitor-mode header
	LinkTypeIPOverFC        LinkType = 122 // RFC 2625 IP over Fibre Channel
	LinkTypeSunATM          LinkType = 123 // SunATM
	LinkTypeIEEE80211Radio  LinkType = 127 // IEEE 802.11 with radiotap header
	LinkTypeARCNetLinux     LinkType = 129 // ARCNET, Linux style
	LinkTypeMTP2WithPHdr    LinkType = 139 // SS7 MTP2 with pseudo-header
	LinkTypeMTP2            LinkType = 140 // SS7 MTP2
	LinkTypeMTP3            LinkType = 141 // SS7 MTP3
	LinkTypeSCCP            LinkType = 142 // SS7 SCCP
	LinkTypeDOCSIS          LinkType = 143 // DOCSIS MAC frames
	LinkTypeLinuxIrDA       LinkType = 144 // Linux IrDA
	LinkTypeUser0           LinkType = 147 // reserved for private use (USER0 .. USER15 are 147 .. 162)
	LinkTypeIEEE80211AVS    LinkType = 163 // IEEE 802.11 with AVS radio header
	LinkTypeBACnetMSTP      LinkType = 165 // BACnet MS/TP
	LinkTypePPPPPPD         LinkType = 166 // PPP with direction byte (pppd)
	LinkTypeGPRSLLC         LinkType = 169 // GPRS LLC
	LinkTypeLinuxLAPD       LinkType = 177 // LAPD with Linux vISDN header
	LinkTypeUSBFreeBSD      LinkType = 186 // USB with FreeBSD header
	LinkTypeBluetoothHCIH4  LinkType = 187 // Bluetooth HCI UART transport
	LinkTypeUSBLinux        LinkType = 189 // USB with Linux 48-byte header
	LinkTypeCAN20B          LinkType = 190 // CAN 2.0B
	LinkTypePPI             LinkType = 192 // Per-Packet Information header
	LinkTypeIEEE802154      LinkType = 195 // IEEE 802.15.4 with FCS
	LinkTypeERF             LinkType = 197 // Endace ERF
	LinkTypeBluetoothH4PHdr LinkType = 201 // Bluetooth HCI UART with direction pseudo-header
	LinkTypeLAPD            LinkType = 203 // LAPD (Q.921)
	LinkTypePPPWithDir      LinkType = 204 // PPP with direction pseudo-header
	LinkTypeMPLS            LinkType = 219 // MPLS with label as link-layer header
	LinkTypeUSBLinuxMMapped LinkType = 220 // USB with Linux 64-byte header
	LinkTypeIPNet           LinkType = 226 // Solaris ipnet
	LinkTypeCANSocketCAN    LinkType = 227 // SocketCAN
	LinkTypeIPv4            LinkType = 228 // raw IPv4
	LinkTypeIPv6            LinkType = 229 // raw IPv6
	LinkTypeIEEE802154NoFCS LinkType = 230 // IEEE 802.15.4 without FCS
	LinkTypeDBus            LinkType = 231 // D-Bus messages
	LinkTypeNFLog           LinkType = 239 // Linux netfilter NFLOG
	LinkTypeNetAnalyzer     LinkType = 240 // Ethernet with Hilscher netANALYZER header
	LinkTypeIPoIB           LinkType = 242 // RFC 4391 IP over InfiniBand
	LinkTypeMPEG2TS         LinkType = 243 // MPEG-2 transport stream
	LinkTypeNFCLLCP         LinkType = 245 // NFC LLCP
	LinkTypeInfiniBand      LinkType = 247 // InfiniBand
	LinkTypeSCTP            LinkType = 248 // SCTP without IP header
	LinkTypeUSBPcap         LinkType = 249 // USB with USBPcap header
	LinkTypeBluetoothLELL   LinkType = 251 // Bluetooth LE link layer
	LinkTypeWiresharkPDU    LinkType = 252 // Wireshark upper-layer PDU export
	LinkTypeNetlink         LinkType = 253 // Linux netlink
	LinkTypeBluetoothMon    LinkType = 254 // Linux Bluetooth monitor
	LinkTypeBluetoothBREDR  LinkType = 255 // Bluetooth BR/EDR baseband
	LinkTypeBluetoothLEPHdr LinkType = 256 // Bluetooth LE link layer with pseudo-header
	LinkTypeProfibusDL      LinkType = 257 // PROFIBUS data link
	LinkTypePKTAP           LinkType = 258 // Apple PKTAP
	LinkTypeEPON            LinkType = 259 // Ethernet with EPON preamble
	LinkTypeUSBDarwin       LinkType = 266 // USB with Darwin header
	LinkTypeVSock           LinkType = 271 // Linux vsock
	LinkTypeNordicBLE       LinkType = 272 // Nordic Semiconductor BLE sniffer
	LinkTypeLinuxSLL2       LinkType = 276 // Linux "cooked" capture, version 2
	LinkTypeEBHSCR          LinkType = 279 // Elektrobit High Speed Capture and Replay
	LinkTypeDSATagBRCM      LinkType = 281 // Broadcom switch tag
	LinkTypeDSATagBRCMPre   LinkType = 282 // Broadcom switch tag, prepended
	LinkTypeIEEE802154TAP   LinkType = 283 // IEEE 802.15.4 with TAP pseudo-header
	LinkTypeDSATagDSA       LinkType = 284 // Marvell DSA tag
	LinkTypeDSATagEDSA      LinkType = 285 // Marvell EDSA tag
)

// linkTypeNames maps LINKTYPE_ values to libpcap's names for them (the DLT_
// name without its prefix, as pcap_datalink_val_to_name and tcpdump print).
var linkTypeNames = map[LinkType]string{
	0: "NULL", 1: "EN10MB", 2: "EN3MB", 3: "AX25", 4: "PRONET", 5: "CHAOS",
	6: "IEEE802", 7: "ARCNET", 8: "SLIP", 9: "PPP", 10: "FDDI",
	12: "RAW", 14: "RAW",
	50: "PPP_SERIAL", 51: "PPP_ETHER", 99: "SYMANTEC_FIREWALL",
	100: "ATM_RFC1483", 101: "RAW", 102: "SLIP_BSDOS", 103: "PPP_BSDOS",
	104: "C_HDLC", 105: "IEEE802_11", 106: "ATM_CLIP", 107: "FRELAY",
	108: "LOOP", 109: "ENC", 113: "LINUX_SLL", 114: "LTALK", 117: "PFLOG",
	119: "PRISM_HEADER", 122: "IP_OVER_FC", 123: "SUNATM",
	127: "IEEE802_11_RADIO", 129: "ARCNET_LINUX",
	130: "JUNIPER_MLPPP", 131: "JUNIPER_MLFR", 132: "JUNIPER_ES",
	133: "JUNIPER_GGSN", 134: "JUNIPER_MFR", 135: "JUNIPER_ATM2",
	136: "JUNIPER_SERVICES", 137: "JUNIPER_ATM1",
	138: "APPLE_IP_OVER_IEEE1394", 139: "MTP2_WITH_PHDR", 140: "MTP2",
	141: "MTP3", 142: "SCCP", 143: "DOCSIS", 144: "LINUX_IRDA",
	147: "USER0", 148: "USER1", 149: "USER2", 150: "USER3", 151: "USER4",
	152: "USER5", 153: "USER6", 154: "USER7", 155: "USER8", 156: "USER9",
	157: "USER10", 158: "USER11", 159: "USER12", 160: "USER13",
	161: "USER14", 162: "USER15",
	163: "IEEE802_11_RADIO_AVS", 164: "JUNIPER_MONITOR", 165: "BACNET_MS_TP",
	166: "PPP_PPPD", 167: "JUNIPER_PPPOE", 168: "JUNIPER_PPPOE_ATM",
	169: "GPRS_LLC", 170: "GPF_T", 171: "GPF_F", 174: "JUNIPER_PIC_PEER",
	175: "ERF_ETH", 176: "ERF_POS", 177: "LINUX_LAPD", 178: "JUNIPER_ETHER",
	179: "JUNIPER_PPP", 180: "JUNIPER_FRELAY", 181: "JUNIPER_CHDLC",
	182: "MFR", 183: "JUNIPER_VP", 184: "A429", 185: "A653_ICM",
	186: "USB_FREEBSD", 187: "BLUETOOTH_HCI_H4", 188: "IEEE802_16_MAC_CPS",
	189: "USB_LINUX", 190: "CAN20B", 191: "IEEE802_15_4_LINUX", 192: "PPI",
	193: "IEEE802_16_MAC_CPS_RADIO", 194: "JUNIPER_ISM",
	195: "IEEE802_15_4", 196: "SITA", 197: "ERF", 198: "RAIF1",
	199: "IPMB_KONTRON", 200: "JUNIPER_ST",
	201: "BLUETOOTH_HCI_H4_WITH_PHDR", 202: "AX25_KISS", 203: "LAPD",
	204: "PPP_WITH_DIR", 205: "C_HDLC_WITH_DIR", 206: "FRELAY_WITH_DIR",
	207: "LAPB_WITH_DIR", 209: "IPMB_LINUX", 210: "FLEXRAY", 211: "MOST",
	212: "LIN", 215: "IEEE802_15_4_NONASK_PHY", 216: "LINUX_EVDEV",
	217: "GSMTAP_UM", 218: "GSMTAP_ABIS", 219: "MPLS",
	220: "USB_LINUX_MMAPPED", 221: "DECT", 222: "AOS", 223: "WIHART",
	224: "FC_2", 225: "FC_2_WITH_FRAME_DELIMS", 226: "IPNET",
	227: "CAN_SOCKETCAN", 228: "IPV4", 229: "IPV6",
	230: "IEEE802_15_4_NOFCS", 231: "DBUS", 232: "JUNIPER_VS",
	233: "JUNIPER_SRX_E2E", 234: "JUNIPER_FIBRECHANNEL", 235: "DVB_CI",
	236: "MUX27010", 237: "STANAG_5066_D_PDU", 238: "JUNIPER_ATM_CEMIC",
	239: "NFLOG", 240: "NETANALYZER", 241: "NETANALYZER_TRANSPARENT",
	242: "IPOIB", 243: "MPEG_2_TS", 244: "NG40", 245: "NFC_LLCP",
	246: "PFSYNC", 247: "INFINIBAND", 248: "SCTP", 249: "USBPCAP",
	250: "RTAC_SERIAL", 251: "BLUETOOTH_LE_LL", 252: "WIRESHARK_UPPER_PDU",
	253: "NETLINK", 254: "BLUETOOTH_LINUX_MONITOR",
	255: "BLUETOOTH_BREDR_BB", 256: "BLUETOOTH_LE_LL_WITH_PHDR",
	257: "PROFIBUS_DL", 258: "PKTAP", 259: "EPON", 260: "IPMI_HPM_2",
	261: "ZWAVE_R1_R2", 262: "ZWAVE_R3", 263: "WATTSTOPPER_DLM",
	264: "ISO_14443", 265: "RDS", 266: "USB_DARWIN", 267: "OPENFLOW",
	268: "SDLC", 269: "TI_LLN_SNIFFER", 270: "LORATAP", 271: "VSOCK",
	272: "NORDIC_BLE", 273: "DOCSIS31_XRA31", 274: "ETHERNET_MPACKET",
	275: "DISPLAYPORT_AUX", 276: "LINUX_SLL2", 277: "SERCOS_MONITOR",
	278: "OPENVIZSLA", 279: "EBHSCR", 280: "VPP_DISPATCH",
	281: "DSA_TAG_BRCM", 282: "DSA_TAG_BRCM_PREPEND",
	283: "IEEE802_15_4_TAP", 284: "DSA_TAG_DSA", 285: "DSA_TAG_EDSA",
	286: "ELEE", 287: "Z_WAVE_SERIAL", 288: "USB_2_0", 289: "ATSC_ALP",
}

// String returns libpcap's name for the link type ("EN10MB", "LINUX_SLL",
// "IEEE802_11_RADIO", ...), or "LINKTYPE_<n>" for a value it does not know.
func (l LinkType) String() string {
	if s, ok := linkTypeNames[l]; ok {
		return s
	}
	return "LINKTYPE_" + strconv.Itoa(int(l))
}

// Standard maximum packet sizes, as Wireshark's wiretap library applies
// them when reading: a record longer than this for its link type is taken
// as a sign of a corrupt file.
const (
	maxPacketStandard = 262144
	maxPacketUSB      = 128 << 20
	maxPacketEBHSCR   = 8 << 20
	maxPacketDBus     = 128 << 20
)

// MaxPacketSize returns the largest captured length a reader accepts for a
// packet of this link type: 262144 bytes for most types, as libpcap and
// Wireshark use, and more for the few types whose packets are routinely
// larger (D-Bus and USB captures 128 MiB, EBHSCR 8 MiB).
func (l LinkType) MaxPacketSize() int {
	switch l {
	case LinkTypeDBus:
		return maxPacketDBus
	case LinkTypeEBHSCR:
		return maxPacketEBHSCR
	case LinkTypeUSBPcap, LinkTypeUSBLinux, LinkTypeUSBLinuxMMapped,
		LinkTypeUSBDarwin, LinkTypeUSBFreeBSD:
		return maxPacketUSB
	}
	return maxPacketStandard
}
