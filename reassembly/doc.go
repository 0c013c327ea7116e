// Package reassembly rebuilds the byte stream of one direction of a TCP
// connection from its segments, the way `tshark -z follow,tcp` and tcpflow
// do, with every loss made explicit.
//
// A [Stream] is fed the segments of one direction in capture order
// ([Stream.Segment]) and hands the bytes it can place to a [Sink]: Data for
// contiguous bytes, Gap for bytes known to be missing, End once. The
// connection's other direction is a second Stream; a flow table owns both.
//
// # Policy
//
//   - Sequence space. The first segment seen fixes the stream's origin: a
//     SYN's sequence number plus one (the SYN consumes one number; data
//     carried by the SYN starts there), else the first segment's own
//     sequence number (a connection picked up mid-stream,
//     [Stats.MidStream]). Sequence numbers are compared modulo 2^32 relative
//     to the next expected byte, so wraparound is invisible; a segment more
//     than 2 GiB away from it cannot be placed and is taken for old data.
//     A SYN with another sequence number that comes before any byte was
//     placed (or buffered) restarts the sequence space from it, as when a
//     server repeats its SYN-ACK with a new initial sequence number.
//   - Overlaps: the first copy wins. Bytes already delivered or already
//     buffered are never replaced; a retransmission or an overlapping
//     segment contributes only bytes not seen before, and the rest is
//     counted in [Stats.Duplicate] bytes. This is what tshark's follow does
//     for data already delivered.
//   - Out-of-order segments are copied into the stream's buffer and
//     delivered as soon as the bytes before them arrive.
//   - Gaps are never joined silently: a hole is delivered as a [Gap] event
//     with its stream offset, sequence number, size and [GapReason]. A hole
//     is skipped when the peer acknowledges data past it ([Stream.Ack],
//     GapAcked: the receiver got bytes the capture missed, the rule tshark
//     follows), when the buffer limits are exceeded (GapOverflow), when the
//     stream is closed with data still waiting behind it (GapClosed), or
//     when a segment was cut by the capture's snap length (GapTruncated: the
//     segment's tail is reported missing at once and a later full copy of it
//     counts as a duplicate).
//   - FIN consumes one sequence number: the stream ends (EndFIN) when every
//     byte before the FIN has been placed. Bytes at or beyond the FIN's
//     sequence number are dropped and counted ([Stats.AfterEnd]); a second
//     FIN with another position is ignored (the first wins).
//   - RST is noted, not obeyed: the data a RST segment carries is placed,
//     and later segments are still taken, as tshark's follow and tcpflow
//     take them (a stack may send data after a RST it sent, and a forged
//     or stray RST should not hide what followed). The stream then ends,
//     as reset (EndRST), when it is closed, unless a FIN ended it first.
//   - [Stream.Close] ends a stream the capture leaves open (end of file, idle
//     timeout, eviction): buffered data is flushed behind GapClosed gaps,
//     and a FIN seen with bytes still missing before it ends the stream with
//     a gap up to the FIN and EndFIN.
//
// # Memory
//
// Only out-of-order bytes are copied. [Config.MaxBuffered] bounds one
// stream's buffer and an optional [Budget] bounds the sum over many
// streams. When a new out-of-order segment would exceed either, the stream
// gives up waiting for its oldest holes: it flushes buffered data in
// sequence order behind GapOverflow gaps until the segment fits (or, when
// nothing before the segment is left to flush, skips to the segment
// itself). No captured byte is thrown away for lack of memory; what the
// limits cost is counted in [Stats.OverflowGaps] and [Stats.OverflowBytes].
//
// # Allocation
//
// In-order segments go straight to the sink with no copy and no
// allocation: Data receives the caller's payload slice, valid only during
// the call. Buffer chunks are recycled within a stream.
package reassembly
