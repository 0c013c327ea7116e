package packet

import "fmt"

// Type says how a field is laid out on the wire and how its value reads.
type Type uint8

// Field types.
const (
	Uint   Type = iota // unsigned integer of Bits bits, most significant bit first
	Int                // two's-complement signed integer of Bits bits
	MAC                // 6-byte hardware address
	IPv4               // 4-byte IPv4 address
	IPv6               // 16-byte IPv6 address
	Bytes              // byte string whose length comes from Len (or Size)
	String             // like Bytes, shown as text
	List               // list of sub-layers (options, records) chosen by Elem
	Custom             // self-delimiting value read and written by a Codec
)

var typeNames = [...]string{"uint", "int", "mac", "ipv4", "ipv6", "bytes", "string", "list", "custom"}

// String names the type as `pktkit ls` shows it ("uint", "ipv4", ...).
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", t)
}

// Base is how tshark prints an integer field.
type Base uint8

// Display bases for integer fields.
const (
	Dec Base = iota // decimal
	Hex             // 0x-prefixed hexadecimal, zero-padded to the field's container width
)

// Rest is returned by a Len rule to mean "up to the end of the layer's data".
const Rest = -1 << 30

// Codec reads and writes a self-delimiting field (a DNS name, for example).
type Codec interface {
	// Size returns how many bytes the field takes at the start of b, or -1 if
	// the bytes are malformed.
	Size(l *Layer, b []byte) int
	// Format appends the field's display text (as tshark prints it) to dst.
	Format(dst []byte, l *Layer, raw []byte) []byte
	// Parse turns user text into wire bytes (used when crafting).
	Parse(s string) ([]byte, error)
}

// Field describes one field of a protocol table: how it sits on the wire, its
// Scapy and Wireshark names, its default, and how it is shown.
type Field struct {
	Name string // Scapy name ("sport")
	WS   string // Wireshark name ("tcp.srcport"), empty if Wireshark has none
	Type Type
	Bits int // width in bits for Uint and Int (1..64)
	Size int // fixed width in bytes for Bytes and String (0 = use Len)

	// Len gives the byte length of a Bytes, String or List field from the
	// fields before it (or Rest). Count gives a List's element count instead.
	Len   func(l *Layer) int
	Count func(l *Layer) int
	// Elem picks the protocol of the list element that starts at b.
	Elem func(b []byte) *Protocol
	// Elems lists every protocol Elem can return (for field lookup and ls).
	Elems []*Protocol
	// Codec reads and writes a Custom field.
	Codec Codec
	// BuildDefault, if set, gives a Bytes, String or Custom field the user
	// left unset its bytes at build time from the spec's other values. It
	// makes conditional fields (Scapy's ConditionalField) work when
	// crafting: GRE's checksum is present, zero-filled for Auto to compute,
	// when the C flag before it is set, and absent (nil) otherwise.
	BuildDefault func(s *Spec) []byte

	Default      uint64 // default for integer fields
	DefaultBytes []byte // default for byte fields (address or bytes), or the bytes of a List left unset
	DefaultText  string // default shown by ls when it is not a plain value
	Auto         bool   // computed at build time (length, checksum) unless set

	Enum   map[uint64]string // value names (Scapy's)
	Flags  []string          // bit names, least significant bit first (Scapy's)
	FlagWS []string          // Wireshark names of those bits ("tcp.flags.syn")
	Hex    bool              // Scapy shows the value in hex
	Base   Base              // how tshark prints it
	Digits int               // hex digits tshark pads to (0 = from Bits)
	WSMul  uint64            // Wireshark's value is the wire value times WSMul (ihl → ip.hdr_len)
	Little bool              // little-endian integer

	proto  *Protocol
	index  int
	bitOff int // static bit offset from the layer start, -1 if it depends on earlier fields
	fast   fastKind
}

// Proto returns the protocol this field belongs to.
func (f *Field) Proto() *Protocol { return f.proto }

// Index returns the field's position in its protocol table.
func (f *Field) Index() int { return f.index }

// IsInt reports whether the field holds an integer.
func (f *Field) IsInt() bool { return f.Type == Uint || f.Type == Int }

// fixedBits returns the field's width in bits if it does not depend on the
// packet, else -1.
func (f *Field) fixedBits() int {
	switch f.Type {
	case Uint, Int:
		return f.Bits
	case MAC:
		return 48
	case IPv4:
		return 32
	case IPv6:
		return 128
	case Bytes, String:
		if f.Size > 0 {
			return f.Size * 8
		}
	}
	return -1
}

// TypeName describes the field's type for `pktkit ls`.
func (f *Field) TypeName() string {
	switch f.Type {
	case Uint, Int:
		s := f.Type.String() + fmt.Sprint(f.Bits)
		if f.Enum != nil {
			s += " enum"
		}
		if f.Flags != nil {
			s = "flags" + fmt.Sprint(f.Bits)
		}
		return s
	case List:
		return "list"
	}
	return f.Type.String()
}

// DefaultString renders the field's default as `pktkit ls` shows it.
func (f *Field) DefaultString() string {
	if f.DefaultText != "" {
		return f.DefaultText
	}
	if f.Auto {
		return "None (auto)"
	}
	switch f.Type {
	case Uint, Int:
		return f.showInt(f.Default)
	case MAC, IPv4, IPv6:
		if f.DefaultBytes == nil {
			return "None"
		}
		return string(appendAddr(nil, f.Type, f.DefaultBytes))
	case List:
		return "[]"
	case Bytes, String:
		return fmt.Sprintf("%q", f.DefaultBytes)
	}
	return "None"
}
