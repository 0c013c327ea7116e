package tcpanalysis

import "math"

// Analysis flags of a segment (tshark's TCP_A_* meanings).
const (
	Retransmission uint16 = 1 << iota
	LostSegment
	AckLostSegment
	KeepAlive
	DuplicateAck
	ZeroWindow
	ZeroWindowProbe
	ZeroWindowProbeAck
	KeepAliveAck
	OutOfOrder
	FastRetransmission
	WindowUpdate
	WindowFull
	ReusedPorts
	SpuriousRetransmission
)

// TCP flags.
const (
	thFIN = 0x01
	thSYN = 0x02
	thRST = 0x04
	thPSH = 0x08
	thACK = 0x10
)

// Completeness bits (tcp.completeness).
const (
	compSYN    = 0x01
	compSYNACK = 0x02
	compACK    = 0x04
	compDATA   = 0x08
	compFIN    = 0x10
	compRST    = 0x20
)

// Window scale states besides a shift count.
const (
	wsUnknown = -1 // no SYN seen: the scale is unknown
	wsNone    = -2 // the handshake shows no scaling is used
)

// ackLostMark is the duplicate ACK count tshark 4.0 leaves on a side
// (its unsigned -1) when the other side's ACK beyond what was seen is
// flagged while this side sent nothing new.
const ackLostMark = math.MaxUint32

// maxSack is how many SACK blocks of the last segment are remembered.
const maxSack = 3

// unacked is a segment not yet acknowledged.
type unacked struct {
	frame        uint32
	seq, nextseq uint32
	ts           int64
	gone         bool // acknowledged (being removed)
}

// dir is the state of one direction of a conversation.
type dir struct {
	baseSeq   uint32
	baseSet   bool
	winScale  int8
	firstAck  bool // since the last SYN, no pure ACK yet (window not scaled yet)
	validBif  bool
	window    uint32 // last raw window (MaxUint32 before any)
	nextseq   uint32 // 0: none yet (as in tshark)
	nextFrame uint32
	nextTime  int64
	maxToAck  uint32 // highest contiguous sequence number, for ack_lost_segment
	lastack   uint32
	lastTime  int64
	nonDupAck uint32 // frame of the last ACK that changed the number
	// dupacks counts the duplicate ACKs since the ACK number last
	// changed; ackLostMark marks an ACKed-unseen segment flagged on the
	// other side while this one sent nothing new (see analyse).
	dupacks   uint32
	lastFlags uint16 // analysis flags of the last segment
	closing   bool   // sent the first FIN
	nSack     int
	sackL     [maxSack]uint32
	sackR     [maxSack]uint32
	segs      []unacked
	dropped   uint64 // segments not remembered (MaxUnacked reached)
}

func (d *dir) reset() {
	segs := d.segs[:0]
	*d = dir{winScale: wsUnknown, window: math.MaxUint32, validBif: true, segs: segs}
}

// conn is one conversation (one tcp.stream).
type conn struct {
	stream       int32
	used         bool
	d            [2]dir
	tsFirst      int64
	tsPrev       int64
	tsSyn        int64 // the most recent SYN's time (0: none)
	firstRTT     int64 // 0: not known
	completeness uint8
	prev, next   int32 // LRU list (indices; -1 none)
}

func (c *conn) reset(stream int32, now int64) {
	d0, d1 := c.d[0].segs, c.d[1].segs
	prev, next := c.prev, c.next
	*c = conn{stream: stream, used: true, tsFirst: now, tsPrev: now, prev: prev, next: next}
	c.d[0].segs, c.d[1].segs = d0, d1
	c.d[0].reset()
	c.d[1].reset()
}

// Sequence comparisons modulo 2^32, as tshark's GT_SEQ, LT_SEQ and LE_SEQ
// (GT_SEQ subtracts the other way: numbers exactly 2^31 apart are
// greater both ways).
func gtSeq(a, b uint32) bool { return int32(b-a) < 0 }
func ltSeq(a, b uint32) bool { return int32(a-b) < 0 }
func leSeq(a, b uint32) bool { return int32(a-b) <= 0 }
