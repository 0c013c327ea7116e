package capture

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"time"
)

// Record is one packet read from a capture file.
//
// A Record filled by Reader.Next points into the reader's buffer: Data (and
// the option bytes behind Comments) stay valid only until the next call to
// Next. Use Clone, or Reader.ReadRecord, for a copy that lives on.
type Record struct {
	Timestamp int64    // nanoseconds since the Unix epoch (if_tsresol and if_tsoffset applied)
	CapLen    int      // captured length, == len(Data)
	OrigLen   int      // length of the packet on the wire
	Interface int      // interface index within its pcapng section (0 for pcap)
	LinkType  LinkType // the link-layer header type of that interface
	Data      []byte   // the captured bytes; zero-copy, valid until the next Next
	Flags     uint32   // epb_flags (pcapng EPB) or pack_flags (obsolete PB); 0 if absent
	HasFlags  bool     // whether Flags was present in the file
	Number    int      // 1-based packet number in the file
	Offset    int64    // byte offset of the record (pcap) or block (pcapng) in the decompressed stream

	options []byte // raw option bytes of the block (a view), for lazy access
	be      bool   // byte order of options
}

// Time returns the timestamp as a time.Time.
func (r *Record) Time() time.Time { return time.Unix(0, r.Timestamp) }

// Clone returns a deep copy of r that does not share memory with the reader.
func (r *Record) Clone() Record {
	c := *r
	if r.Data != nil {
		c.Data = append(make([]byte, 0, len(r.Data)), r.Data...)
	}
	if r.options != nil {
		c.options = append(make([]byte, 0, len(r.options)), r.options...)
	}
	return c
}

// CloneInto copies r into buf (appending its data and option bytes) and
// returns the copy, which shares memory with buf only, and the grown buf. It
// allocates nothing when buf has room, so batches of records can be kept
// without a copy each.
func (r *Record) CloneInto(buf []byte) (Record, []byte) {
	c := *r
	start := len(buf)
	buf = append(buf, r.Data...)
	mid := len(buf)
	buf = append(buf, r.options...)
	c.Data = buf[start:mid:mid]
	if r.options != nil {
		c.options = buf[mid:len(buf):len(buf)]
	}
	return c, buf
}

// Comments returns the opt_comment values of this packet (pcapng EPB, SPB
// or PB), in file order; nil if it has none. It allocates, so it costs
// nothing unless it is called.
func (r *Record) Comments() []string {
	var out []string
	for code, val := range optionsOf(r.options, r.be) {
		if code == optComment {
			out = append(out, string(val))
		}
	}
	return out
}

// Option returns the value of the first option with the given code in the
// packet's block (pcapng only; multi-byte numbers in the file's byte order,
// see Reader.ByteOrder), and whether there was one.
func (r *Record) Option(code uint16) ([]byte, bool) {
	for c, val := range optionsOf(r.options, r.be) {
		if c == code {
			return val, true
		}
	}
	return nil, false
}

// DropCount returns the epb_dropcount option: how many packets were lost
// between this packet and the one before it on the same interface.
func (r *Record) DropCount() (uint64, bool) {
	v, ok := r.Option(epbDropCount)
	if !ok || len(v) != 8 {
		return 0, false
	}
	return order(r.be).Uint64(v), true
}

// Hash returns the epb_hash option: the hash algorithm (0 two's complement,
// 1 XOR, 2 CRC32, 3 MD5, 4 SHA-1, 5 Toeplitz) and the hash value.
func (r *Record) Hash() (algorithm byte, value []byte, ok bool) {
	v, ok := r.Option(epbHash)
	if !ok || len(v) < 1 {
		return 0, nil, false
	}
	return v[0], v[1:], true
}

// Direction returns the direction bits (0-1) of epb_flags.
func (r *Record) Direction() Direction { return Direction(r.Flags & 3) }

// ReceptionType returns the reception type bits (2-4) of epb_flags.
func (r *Record) ReceptionType() ReceptionType { return ReceptionType(r.Flags >> 2 & 7) }

// FCSLen returns the FCS length bits (5-8) of epb_flags, in bytes, and
// whether they say anything (0 means "not available").
func (r *Record) FCSLen() (int, bool) {
	n := int(r.Flags >> 5 & 15)
	return n, n != 0
}

// Direction is the packet direction from epb_flags.
type Direction uint8

// Packet directions.
const (
	DirectionUnknown  Direction = 0
	DirectionInbound  Direction = 1
	DirectionOutbound Direction = 2
)

// String returns "unknown", "inbound", "outbound" or "invalid".
func (d Direction) String() string {
	switch d {
	case DirectionUnknown:
		return "unknown"
	case DirectionInbound:
		return "inbound"
	case DirectionOutbound:
		return "outbound"
	}
	return "invalid"
}

// ReceptionType is the reception type from epb_flags.
type ReceptionType uint8

// Reception types.
const (
	ReceptionUnspecified ReceptionType = 0
	ReceptionUnicast     ReceptionType = 1
	ReceptionMulticast   ReceptionType = 2
	ReceptionBroadcast   ReceptionType = 3
	ReceptionPromiscuous ReceptionType = 4
)

// String returns the reception type's name.
func (t ReceptionType) String() string {
	switch t {
	case ReceptionUnspecified:
		return "unspecified"
	case ReceptionUnicast:
		return "unicast"
	case ReceptionMulticast:
		return "multicast"
	case ReceptionBroadcast:
		return "broadcast"
	case ReceptionPromiscuous:
		return "promiscuous"
	}
	return "reserved(" + strconv.Itoa(int(t)) + ")"
}

// Resolution is a pcapng if_tsresol value: if the high bit is clear, time
// stamps count units of 10^-n seconds, else units of 2^-n seconds, n being
// the low 7 bits. The default, 6, is microseconds; 9 is nanoseconds.
type Resolution uint8

// Common resolutions.
const (
	ResolutionMicro Resolution = 6
	ResolutionNano  Resolution = 9
)

// UnitsPerSecond returns how many time-stamp units make one second, or 0
// if that number does not fit in a uint64.
func (r Resolution) UnitsPerSecond() uint64 {
	n := uint(r & 0x7f)
	if r&0x80 != 0 {
		if n >= 64 {
			return 0
		}
		return 1 << n
	}
	if n > 19 {
		return 0
	}
	return pow10[n]
}

// String returns "10^-n s" or "2^-n s".
func (r Resolution) String() string {
	base := "10^-"
	if r&0x80 != 0 {
		base = "2^-"
	}
	return base + strconv.Itoa(int(r&0x7f)) + " s"
}

var pow10 = [20]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// tsConv converts time-stamp units of one interface into nanoseconds.
type tsConv struct {
	mul, div uint64 // decimal resolutions: ns = t*mul or t/div
	shift    uint   // binary resolutions: ns = t*1e9 >> shift
	base2    bool
	offset   int64 // if_tsoffset in nanoseconds
}

func newTSConv(res Resolution, offsetSec int64) tsConv {
	c := tsConv{offset: offsetSec * 1e9}
	n := uint(res & 0x7f)
	switch {
	case res&0x80 != 0:
		c.base2, c.shift = true, n
	case n <= 9:
		c.mul = pow10[9-n]
	case n-9 <= 19:
		c.div = pow10[n-9]
	default:
		// 10^-(n) with n > 28: any 64-bit count is below one nanosecond.
	}
	return c
}

func (c *tsConv) ns(t uint64) int64 {
	var v uint64
	switch {
	case c.mul != 0:
		v = t * c.mul
	case c.div != 0:
		v = t / c.div
	case c.base2:
		hi, lo := bits.Mul64(t, 1e9)
		switch {
		case c.shift == 0:
			v = lo
		case c.shift < 64:
			v = hi<<(64-c.shift) | lo>>c.shift
		case c.shift < 128:
			v = hi >> (c.shift - 64)
		}
	}
	return int64(v) + c.offset
}

// Interface describes one capture interface: a pcapng Interface Description
// Block, or the single implicit interface of a pcap file.
type Interface struct {
	LinkType    LinkType   // link-layer header type
	SnapLen     int        // snapshot length; 0 means no limit
	Name        string     // if_name
	Description string     // if_description
	Filter      string     // if_filter, when given as a libpcap filter string
	OS          string     // if_os
	Hardware    string     // if_hardware
	TSResol     Resolution // if_tsresol (6, microseconds, when absent)
	TSOffset    int64      // if_tsoffset: seconds added to every time stamp
	FCSLen      int        // bytes of FCS at the end of each packet; -1 if the file does not say
	Section     int        // 0-based index of the pcapng section the interface belongs to
	Comments    []string   // opt_comment values of the interface
}

// Format is the format of a capture file.
type Format int

// Capture file formats.
const (
	FormatUnknown  Format = iota // not (yet) known
	FormatPcap                   // pcap with microsecond time stamps
	FormatPcapNano               // pcap with nanosecond time stamps
	FormatPcapng                 // pcapng
)

// String returns "pcap", "pcap-ns", "pcapng" or "unknown".
func (f Format) String() string {
	switch f {
	case FormatPcap:
		return "pcap"
	case FormatPcapNano:
		return "pcap-ns"
	case FormatPcapng:
		return "pcapng"
	}
	return "unknown"
}

// SectionInfo describes one pcapng section (Section Header Block). A pcap
// file is described as a single section with only ByteOrder and the
// version set.
type SectionInfo struct {
	Index        int              // 0-based section number
	Offset       int64            // byte offset of the section header
	ByteOrder    binary.ByteOrder // byte order of the section
	Major, Minor uint16           // format version (pcapng 1.0, pcap 2.4)
	Length       int64            // section length from the header; -1 if unspecified
	Comments     []string         // opt_comment values
	Hardware     string           // shb_hardware
	OS           string           // shb_os
	UserAppl     string           // shb_userappl: the application that wrote the section
}

// NameEntry is one address-to-name record of a pcapng Name Resolution
// Block.
type NameEntry struct {
	Section int      // section the block belongs to
	Addr    []byte   // 4-byte IPv4, 16-byte IPv6, 6-byte EUI-48 or 8-byte EUI-64 address
	Names   []string // the names given for it
}

// SecretsType identifies the kind of a Decryption Secrets Block's data.
type SecretsType uint32

// Known secrets types.
const (
	SecretsTLSKeyLog SecretsType = 0x544c534b // NSS key log file ("TLSK")
	SecretsWireGuard SecretsType = 0x57474b4c // WireGuard key log ("WGKL")
	SecretsZigBeeNWK SecretsType = 0x5a4e574b // ZigBee network keys ("ZNWK")
	SecretsZigBeeAPS SecretsType = 0x5a415053 // ZigBee APS keys ("ZAPS")
	SecretsSSHKeyLog SecretsType = 0x5353484b // SSH key log ("SSHK")
	SecretsOPCUAKeys SecretsType = 0x55414b4c // OPC UA key log ("UAKL")
)

// String names the secrets type, or formats it in hex.
func (t SecretsType) String() string {
	switch t {
	case SecretsTLSKeyLog:
		return "TLS key log"
	case SecretsWireGuard:
		return "WireGuard key log"
	case SecretsZigBeeNWK:
		return "ZigBee NWK key"
	case SecretsZigBeeAPS:
		return "ZigBee APS key"
	case SecretsSSHKeyLog:
		return "SSH key log"
	case SecretsOPCUAKeys:
		return "OPC UA key log"
	}
	return "0x" + strconv.FormatUint(uint64(t), 16)
}

// Secret is the content of one pcapng Decryption Secrets Block.
type Secret struct {
	Section int         // section the block belongs to
	Type    SecretsType // secrets type
	Data    []byte      // the secrets, as the block holds them
}

// InterfaceStats is the content of one pcapng Interface Statistics Block.
// Counters that the block does not give are zero; Has tells which it gives.
type InterfaceStats struct {
	Section      int      // section the block belongs to
	Interface    int      // interface index within the section
	Timestamp    int64    // when the statistics were taken, ns since the epoch
	StartTime    int64    // isb_starttime, ns since the epoch
	EndTime      int64    // isb_endtime, ns since the epoch
	IfRecv       uint64   // isb_ifrecv: packets received by the interface
	IfDrop       uint64   // isb_ifdrop: packets the interface dropped
	FilterAccept uint64   // isb_filteraccept: packets accepted by the filter
	OSDrop       uint64   // isb_osdrop: packets the OS dropped
	UsrDeliv     uint64   // isb_usrdeliv: packets delivered to the user
	Present      StatsSet // which of the fields above the block gave
	Comments     []string // opt_comment values
}

// StatsSet is a set of InterfaceStats fields.
type StatsSet uint8

// InterfaceStats fields.
const (
	StatStartTime StatsSet = 1 << iota
	StatEndTime
	StatIfRecv
	StatIfDrop
	StatFilterAccept
	StatOSDrop
	StatUsrDeliv
)

// Has reports whether the block gave all the fields of f.
func (s InterfaceStats) Has(f StatsSet) bool { return s.Present&f == f }

func order(be bool) binary.ByteOrder {
	if be {
		return binary.BigEndian
	}
	return binary.LittleEndian
}
