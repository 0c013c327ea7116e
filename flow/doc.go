// Package flow is a table of bidirectional connections (flows) built from
// dissected packets, with Zeek's conn.log view of each connection and
// tshark's stream numbers.
//
// # Keys
//
// A connection is TCP, UDP, ICMP or ICMPv6 (echo-like messages keyed by
// identifier; other messages by type and code), or another IP protocol
// keyed by its addresses; IPv4 and IPv6 alike. By default the key also
// holds the encapsulation context: 802.1Q/802.1ad VLAN ids, the outer
// addresses of every tunnel (IP-in-IP, IPv6-in-IPv4, GRE, VXLAN, GENEVE,
// GTP, Teredo: whatever the dissector decapsulates) and VXLAN/GENEVE network
// ids, so an inner flow is never confused with an outer one or with the same
// tuple in another tunnel. Config.ZeekKeys keys by addresses, ports and
// protocol only, as Zeek does by default (Zeek then lists the tunnels of a
// connection in tunnel_parents), and ICMP by type and counterpart type
// without the echo identifier.
//
// An ICMP error is a connection of its own (as in Zeek: type and code as
// ports); Table.Related returns the connection of the packet it quotes.
//
// The table does not reassemble IP fragments: non-first fragments are
// counted in Stats.Fragment and belong to no connection. Zeek reassembles
// them and counts the datagram once; a Defrag in front of the table does
// the same (outermost IP header only).
//
// # Originator
//
// The originator is the sender of the first packet, except when Zeek's
// heuristics say otherwise: a first TCP packet that is not a plain SYN,
// sent from a likely server port (the ports Zeek's base scripts register)
// to a port that is not one, makes its receiver the originator, as does a
// first UDP datagram from such a port; a SYN answering a SYN-ACK seen
// first flips the roles. A flip is marked '^' in the history.
//
// # Stream numbers
//
// Table.Streams gives, for the packet last updated, tshark's tcp.stream
// and udp.stream of each of its TCP and UDP layers (a tunnel's outer UDP and
// an ICMP error's quoted header too, as tshark numbers those). tshark keys
// a conversation by addresses and ports only, never by VLAN or tunnel, and
// starts a new TCP stream on a SYN whose sequence number differs from the
// first one seen from that side, closed or not; Zeek starts a new
// connection only on a SYN after a FIN or RST. The two keyings are kept
// apart: numbering has its own map, and Conn.Stream is the stream of the
// connection's first packet.
//
// # Zeek's conn.log
//
// Each connection carries conn.log's fields with Zeek's meanings:
// conn_state (State), history (History, Zeek's letters: upper case from
// the originator; a, d, i, q once per side; s, h, f, r again when the
// sequence number changes; c, g, t, w at the 1st, 10th, 100th ...
// occurrence), orig_bytes/resp_bytes from TCP sequence numbers (OrigBytes,
// RespBytes), missed_bytes (acknowledged bytes never seen), packets and IP
// bytes each way, duration, and the handshake times.
//
// # Memory and time
//
// Config.MaxConns bounds the connections held; the least recently active
// one is evicted when a new one would exceed it. Idle connections are
// finished after Zeek's inactivity timeouts (TCP 5 min, UDP and ICMP 1
// min), closed or reset TCP connections 5 s after their last packet.
// Finished connections go to Config.Finished. A lookup of an existing
// connection allocates nothing: open addressing over fixed-size chunks of
// connections, the 5-tuple read straight from the layer index (which
// stops before application protocols the table does not need).
//
// The per-packet path: the common stacks (link layers and VLAN tags, one
// IPv4 or IPv6 header, TCP or UDP, nothing else the table reads) are read
// in one pass over the layer index; anything else (tunnels, extension
// headers, ICMP errors) goes through the general loop. The key holds the
// addresses as 64-bit words (an IPv4 pair hashes as one word) and compares
// word by word; its canonical order and hash without the context are
// tshark's conversation key, so stream numbering reuses them, and a
// connection remembers its conversation's index so that numbering an
// existing connection's packet costs a key comparison rather than a second
// lookup. Table.Lookup is the lookup alone. bench_test.go lists the
// benchmarks and what each includes (go test ./flow -bench . -benchmem).
package flow
