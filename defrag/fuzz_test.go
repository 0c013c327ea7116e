package defrag

import (
	"encoding/binary"
	"testing"
)

// FuzzDefrag feeds arbitrary packets, split from the input at 2-byte
// length prefixes, to a Defragmenter with small limits under each policy:
// no panic, the limits hold, and every datagram it returns has consistent
// length fields and no fragment fields.
func FuzzDefrag(f *testing.F) {
	join := func(pkts ...[]byte) []byte {
		var b []byte
		for _, p := range pkts {
			b = binary.BigEndian.AppendUint16(b, uint16(len(p)))
			b = append(b, p...)
		}
		return b
	}
	data := seqBytes(40, 0)
	f.Add(byte(0), join(frag4(7, 17, 0, true, data[:16]), frag4(7, 17, 16, true, data[16:32]), frag4(7, 17, 32, false, data[32:])))
	f.Add(byte(1), join(frag4(7, 17, 8, true, data[:16]), frag4(7, 17, 0, true, data[16:32]), frag4(7, 17, 24, false, data[32:])))
	f.Add(byte(2), join(frag6(7, 17, 16, true, data[16:32]), frag6(7, 17, 0, true, data[:16]), frag6(7, 17, 32, false, data[32:])))
	f.Add(byte(0), join(frag6(9, 58, 0, false, data[:4]), frag4(1, 6, 8, false, data[:12])))
	f.Fuzz(func(t *testing.T, pol byte, in []byte) {
		cfg := Config{MaxDatagrams: 4, MaxBytes: 4096, Timeout: 3, Overlap: Policy(pol % 3)}
		d := New(cfg)
		for ts := int64(0); len(in) >= 2; ts++ {
			n := int(binary.BigEndian.Uint16(in))
			in = in[2:]
			if n > len(in) {
				n = len(in)
			}
			pkt := in[:n]
			in = in[n:]
			r := d.Add(uint32(ts&1), pkt, ts)
			st := d.Stats()
			if st.InProgress > cfg.MaxDatagrams || st.Bytes > cfg.MaxBytes || st.InProgress < 0 || st.Bytes < 0 {
				t.Fatalf("limits exceeded: %+v", st)
			}
			if r.Status != Complete {
				continue
			}
			out := r.Data
			if len(out) > 65535+40 || r.HdrLen > len(out) {
				t.Fatalf("datagram of %d bytes, header %d", len(out), r.HdrLen)
			}
			if out[0]>>4 == 6 {
				if int(binary.BigEndian.Uint16(out[4:]))+40 != len(out) {
					t.Fatal("IPv6 payload length does not match")
				}
			} else {
				if int(binary.BigEndian.Uint16(out[2:])) != len(out) || binary.BigEndian.Uint16(out[6:])&0x3fff != 0 {
					t.Fatal("IPv4 length or fragment fields wrong")
				}
				if checksum(out[:r.HdrLen]) != 0 {
					t.Fatal("IPv4 header checksum wrong")
				}
			}
		}
		d.Flush()
		if st := d.Stats(); st.InProgress != 0 || st.Bytes != 0 {
			t.Fatalf("after Flush: %+v", st)
		}
	})
}
