package packet

// Sum adds b to a running one's-complement sum (RFC 1071), 16 bits at a
// time; an odd trailing byte is padded with zero.
func Sum(sum uint32, b []byte) uint32 {
	n := len(b) &^ 1
	for i := 0; i < n; i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)&1 != 0 {
		sum += uint32(b[len(b)-1]) << 8
	}
	return sum
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
