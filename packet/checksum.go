package packet

import "encoding/binary"

// Sum adds b to a running one's-complement sum (RFC 1071), 16 bits at a
// time; an odd trailing byte is padded with zero. The result is congruent
// to the 16-bit sum modulo 0xffff (and zero only if every byte is), which
// is all Fold needs: it reads eight bytes at a time.
func Sum(sum uint32, b []byte) uint32 {
	acc := uint64(sum)
	for len(b) >= 32 {
		v0 := binary.BigEndian.Uint64(b)
		v1 := binary.BigEndian.Uint64(b[8:])
		v2 := binary.BigEndian.Uint64(b[16:])
		v3 := binary.BigEndian.Uint64(b[24:32])
		acc += v0>>32 + v0&0xffffffff + v1>>32 + v1&0xffffffff +
			v2>>32 + v2&0xffffffff + v3>>32 + v3&0xffffffff
		b = b[32:]
	}
	for len(b) >= 8 {
		v := binary.BigEndian.Uint64(b)
		acc += v>>32 + v&0xffffffff
		b = b[8:]
	}
	for len(b) >= 2 {
		acc += uint64(b[0])<<8 | uint64(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint64(b[0]) << 8
	}
	for acc>>32 != 0 {
		acc = acc&0xffffffff + acc>>32
	}
	return uint32(acc)
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
