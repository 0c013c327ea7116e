// Package packet is pktkit's protocol engine. It knows no protocol: the
// tables in package layers register themselves with it.
//
// # Tables
//
// A protocol is one [Protocol] value: a list of [Field]s in wire order plus a
// few hooks. From that single table the engine dissects (a lazy layer index
// over the capture buffer, fields decoded only when asked), rebuilds (every
// field re-encoded through the table: [Packet.Specs] then [Stack.Build]),
// builds crafted packets with defaults, bindings and auto fields, prints
// Scapy's show() tree and summary, and serves fields by Wireshark name
// ([LookupField], [Packet.AppendField]) and by Scapy name.
//
// Fields:
//   - Uint/Int of Bits bits (any width, not necessarily byte aligned, most
//     significant bit first; Little for little-endian);
//   - MAC, IPv4, IPv6 addresses;
//   - Bytes/String with a fixed Size or a Len rule computed from earlier
//     fields (return [Rest] for "to the end of the layer");
//   - List: elements (options, records) whose protocol Elem picks from the
//     element's first bytes; each element is itself a registered table with
//     Element set, and its own header length is its size. Len bounds the list
//     in bytes, or Count gives the element count;
//   - Custom: a self-delimiting value handled by a [Codec] (DNS names).
//
// Hooks: Dispatch (choose a variant table from the bytes), Check (malformed
// header), Bound (length field bounding header+payload; the remainder becomes
// Padding), Next (payload protocol; by default the bindings on Keys), Summary,
// Auto (fill auto fields after building), Pseudo/LayerPseudo (pseudo-header
// for upper checksums), Virtual (computed Wireshark fields such as tcp.len).
//
// Bindings ([Bind]) connect a lower protocol's field value to an upper
// protocol; they serve dissection and building alike. [AddHeuristic] plugs in
// payload guessers; [RegisterLinkType] maps capture link types to the first
// protocol.
//
// # Zero allocation
//
// A [Packet] keeps up to 16 layers in an inline array; [Packet.Reset] reuses
// it for the next frame. Field reads return views ([Value].B) into the
// packet's bytes. Nothing on the read–index–extract path allocates.
package packet
