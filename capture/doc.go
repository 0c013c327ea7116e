// Package capture reads and writes packet capture files: pcap (microsecond
// and nanosecond, either byte order) and pcapng (any number of sections,
// interfaces, enhanced, simple and obsolete packet blocks, name
// resolution, interface statistics and decryption secrets blocks), plain or
// gzip-compressed.
//
// Reading is a single forward pass in constant memory: Reader.Next fills a
// Record whose Data points into the reader's buffer, without allocating.
// Malformed input never panics and is never trusted for an allocation; it
// gives an *Error that tells the file, the packet number and the byte
// offset of the damage, after every packet before it. What is accepted and
// what is refused follows Wireshark's wiretap library (checked against
// capinfos on a corpus of about 2,200 captures), so that a file counts the
// same packets here as there.
//
// Writing produces little-endian pcap (PcapWriter) or pcapng with
// nanosecond time stamps (PcapngWriter).
package capture
