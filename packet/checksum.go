package packet

import (
	"encoding/binary"
	"math/bits"
)

// Sum adds b to a running one's-complement sum (RFC 1071), 16 bits at a
// time; an odd trailing byte is padded with zero. The result is at most
// 0xffff and congruent to the 16-bit sum modulo 0xffff (and zero only if
// sum and every byte are), which is all Fold needs: it reads eight bytes at
// a time.
func Sum(sum uint32, b []byte) uint32 {
	// One's complement addition of 64-bit words (end-around carry) is
	// congruent to that of 16-bit words, as 2^64 = 1 (mod 0xffff).
	var acc, c uint64
	for len(b) >= 32 {
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b), c)
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[8:]), c)
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[16:]), c)
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[24:32]), c)
		b = b[32:]
	}
	for len(b) >= 8 {
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b), c)
		b = b[8:]
	}
	acc, c = bits.Add64(acc, 0, c)
	acc += c // c is 0 now unless acc wrapped to 0, which it cannot from a carry
	s := acc>>32 + acc&0xffffffff + uint64(sum)
	for len(b) >= 2 {
		s += uint64(b[0])<<8 | uint64(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	// Folded to 16 bits, so callers can add small terms (a protocol
	// number, a length) without overflowing 32 bits.
	s = s&0xffff + s>>16
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint32(s)
}

// Fold finishes a one's-complement sum into the Internet checksum.
func Fold(sum uint32) uint16 {
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// Checksum returns the Internet checksum of b.
func Checksum(b []byte) uint16 { return Fold(Sum(0, b)) }

// PseudoSum returns the sum of the pseudo-header the layer under b supplies
// for an upper protocol number and length (IPv4 and IPv6 provide one), and
// whether there was one.
func (b *BuildLayer) PseudoSum(proto uint8, length int) (uint32, bool) {
	u := b.Under
	if u == nil || u.Spec.Proto.Pseudo == nil {
		return 0, false
	}
	return u.Spec.Proto.Pseudo(u, proto, length), true
}

// LayerPseudoSum is PseudoSum for a dissected layer (to verify checksums).
func (l *Layer) LayerPseudoSum(proto uint8, length int) (uint32, bool) {
	u := l.Parent()
	if u == nil || u.Proto.LayerPseudo == nil {
		return 0, false
	}
	return u.Proto.LayerPseudo(u, proto, length), true
}
