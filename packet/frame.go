package packet

import "strconv"

// Frame is the pseudo-protocol of capture metadata (Wireshark's frame.*
// fields). It is not a layer of the packet; its fields read the packet's
// record data.
var Frame = Register(&Protocol{
	Name: "Frame", Abbrev: "frame", Long: "Frame",
	Virtual: []*Virtual{
		{WS: "frame.number", Type: Uint, Bits: 32, Get: func(l *Layer) (Value, bool) {
			return Value{U: uint64(l.pkt.Number)}, true
		}},
		{WS: "frame.len", Type: Uint, Bits: 32, Get: func(l *Layer) (Value, bool) {
			// As recorded, even below the captured length; Wireshark caps
			// it at the largest 32-bit signed value.
			return Value{U: uint64(min(max(l.pkt.OrigLen, 0), 1<<31-1))}, true
		}},
		{WS: "frame.cap_len", Type: Uint, Bits: 32, Get: func(l *Layer) (Value, bool) {
			return Value{U: uint64(len(l.pkt.Data))}, true
		}},
		{WS: "frame.time_epoch", Type: timeType, Get: func(l *Layer) (Value, bool) {
			return Value{U: uint64(l.pkt.Timestamp)}, true
		}},
		{WS: "frame.time_relative", Type: timeType, Get: func(l *Layer) (Value, bool) {
			// Since the first packet of the capture (walk sets FirstTime).
			return Value{U: uint64(l.pkt.Timestamp - l.pkt.FirstTime)}, true
		}},
		{WS: "frame.time_delta", Type: timeType, Get: func(l *Layer) (Value, bool) {
			// Since the previous packet of the capture (walk sets PrevTime).
			return Value{U: uint64(l.pkt.Timestamp - l.pkt.PrevTime)}, true
		}},
		{WS: "frame.protocols", Type: String, Get: func(l *Layer) (Value, bool) {
			return Value{B: l.pkt.AppendProtocols(nil)}, true
		}},
	},
})

// FrameLayer returns the frame pseudo-layer, whose fields are the
// packet's capture metadata (frame.number, frame.len ...): pass it to
// [FieldRef.Value] for a field of [Frame].
func (p *Packet) FrameLayer() *Layer {
	p.frame = Layer{Proto: Frame, pkt: p, Index: -1}
	return &p.frame
}

// Time is the type of virtual fields holding a time in nanoseconds (an
// int64 in Value.U): frame.time_epoch since the Unix epoch,
// frame.time_relative and frame.time_delta as durations.
const Time = timeType

// timeType marks a virtual field holding nanoseconds (since the epoch, or
// a difference of timestamps), printed as seconds with nine decimals.
const timeType Type = 200

// IsTime reports whether the field is a time in nanoseconds held in
// Value.U as an int64 (frame.time_epoch, frame.time_relative,
// frame.time_delta), printed as seconds with nine decimals.
func (r *FieldRef) IsTime() bool { return r.Virtual != nil && r.Virtual.Type == timeType }

func appendEpoch(dst []byte, ns int64) []byte {
	if ns < 0 {
		dst = append(dst, '-')
		ns = -ns
	}
	dst = strconv.AppendInt(dst, ns/1e9, 10)
	dst = append(dst, '.')
	frac := ns % 1e9
	var buf [9]byte
	for i := 8; i >= 0; i-- {
		buf[i] = byte('0' + frac%10)
		frac /= 10
	}
	return append(dst, buf[:]...)
}

// AppendProtocols appends the protocol chain as Wireshark's frame.protocols
// names it ("eth:ethertype:ip:tcp").
func (p *Packet) AppendProtocols(dst []byte) []byte {
	ls := p.Layers()
	start := len(dst)
	for i := range ls {
		if ls[i].Proto == Padding {
			continue // a field of the link layer in Wireshark, not a protocol
		}
		c := ls[i].Proto.Chain
		if c == "" {
			c = ls[i].Proto.Abbrev
		}
		if c == "" {
			continue
		}
		if len(dst) > start {
			dst = append(dst, ':')
		}
		dst = append(dst, c...)
	}
	return dst
}
