// Package tcpanalysis is tshark's TCP sequence analysis: per-segment
// fields with Wireshark's names and meanings (relative tcp.seq, tcp.ack and
// tcp.nxtseq, tcp.time_relative, tcp.time_delta, tcp.completeness,
// tcp.window_size and the tcp.analysis.* flags and values), usable in
// `pktkit fields`, display filters and export like any other field.
//
// # Rules
//
// The rules are those of the Wireshark User's Guide, "TCP Analysis"
// section, as tshark 4.0 applies them, one packet at a time in file order:
//
//   - A conversation is tshark's (package flow gives its stream number and
//     the sender's side); per direction it keeps the base sequence number
//     (the first segment's, or one less when that is not a SYN; the
//     reverse direction's base is learnt from the first ACK number, minus
//     one), the next expected sequence number (the highest seq+len seen,
//     SYN and FIN counting one), the last acknowledgement number and time,
//     the last window and the window scale, and the unacknowledged
//     segments.
//   - zero_window_probe: one byte at the next expected sequence number
//     while the reverse window is zero (it then skips every other test
//     but the ACK ones). zero_window: window 0 without SYN, FIN or RST.
//     lost_segment: beyond the next expected sequence number (not RST).
//     keep_alive: 0 or 1 byte at next expected - 1, no SYN/FIN/RST.
//     window_update: no data, same seq and ack as before, a new non-zero
//     window. window_full: data that reaches the right edge of the reverse
//     direction's advertised window (only once its window scale is known).
//     keep_alive_ack and zero_window_probe_ack: an unchanged pure ACK
//     answering a keep-alive or a zero window probe. duplicate_ack: an
//     unchanged pure ACK (no data, same window, seq and ack), numbered
//     from the last ACK that moved (duplicate_ack_num, duplicate_ack_frame).
//     ack_lost_segment: an ACK beyond the other side's highest contiguous
//     sequence number. If that side sent beyond it, the number jumps to
//     its next expected one; otherwise (that side is stalled) the ACK is
//     flagged only if that side's duplicate ACK counter is 0, and the
//     counter is set to tshark's unsigned -1 (a duplicate ACK of that side
//     then counts 1; any moved ACK number, 0).
//   - A segment with data, SYN or FIN that does not advance the sequence
//     is, in this order: a spurious_retransmission if all of it was
//     already acknowledged; a fast_retransmission if the other side's
//     duplicate ACK counter is at least 2 (the unsigned -1 above counts),
//     its last ACK number is this segment's sequence number and came
//     within the last 20 ms; out_of_order if it came within the handshake
//     RTT (3 ms unknown) of the highest segment and does not end at it;
//     else a retransmission. Sequence numbers compare modulo 2^32 as
//     tshark's GT_SEQ/LT_SEQ/LE_SEQ do (2^31 apart is "greater" both ways). tcp.analysis.retransmission is set for the fast
//     and spurious kinds too, as tshark adds that expert item to them.
//   - acks_frame and ack_rtt: the segment this ACK acknowledges exactly;
//     bytes_in_flight: the span of the sender's unacknowledged segments
//     after a data segment, less the reverse direction's last SACK blocks;
//     initial_rtt: from the last SYN to the first pure ACK.
//
// Like tshark, a segment inside an ICMP or ICMPv6 error or an IP fragment
// (IP reassembly off) is not analysed: its tcp.seq and tcp.ack are the raw
// values and it has no tcp.nxtseq. A header whose options run past the
// captured bytes updates the state but shows no tcp.analysis fields
// (tshark's option dissection throws first); one whose header length is
// below 20 shows tcp.seq and tcp.completeness only.
//
// # Field names
//
// Wireshark names win: tcp.seq and tcp.ack are the relative numbers (the
// raw ones are tcp.seq_raw and tcp.ack_raw), whereas Scapy's attribute
// names stay the raw header values (TCP.seq in a filter or a column, seq
// when crafting). Boolean flags are present or absent (a filter tests
// existence) and print as 1, as tshark prints its expert items.
//
// # Memory
//
// Config.MaxConns bounds the conversations analysed at once (the least
// recently active is forgotten first, counted in Stats.Evicted; a later
// segment of it starts afresh, as for a capture that begins mid-stream)
// and Config.MaxUnacked the unacknowledged segments remembered per
// direction (tshark 4.0's limit, 10000). Analysing a packet allocates nothing
// once the tables have grown.
package tcpanalysis
