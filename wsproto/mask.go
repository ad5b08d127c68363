package wsproto

import (
	"encoding/binary"
	"math/bits"
)

// Mask XORs b in place with the masking key, as RFC 6455 section 5.3 defines,
// taking up the key at offset pos (the number of payload bytes of this frame
// already masked). It returns the offset for the next call, so a payload may
// be masked in pieces. It works eight bytes at a time.
func Mask(key [4]byte, pos int, b []byte) int {
	k32 := binary.LittleEndian.Uint32(key[:])
	// Rotate the key so that b[0] takes key[pos%4].
	k32 = bits.RotateLeft32(k32, -8*(pos&3))
	if len(b) >= 8 {
		k64 := uint64(k32)<<32 | uint64(k32)
		for len(b) >= 32 {
			v := b[:32]
			binary.LittleEndian.PutUint64(v[0:], binary.LittleEndian.Uint64(v[0:])^k64)
			binary.LittleEndian.PutUint64(v[8:], binary.LittleEndian.Uint64(v[8:])^k64)
			binary.LittleEndian.PutUint64(v[16:], binary.LittleEndian.Uint64(v[16:])^k64)
			binary.LittleEndian.PutUint64(v[24:], binary.LittleEndian.Uint64(v[24:])^k64)
			b = b[32:]
		}
		for len(b) >= 8 {
			binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k64)
			b = b[8:]
		}
	}
	for i := range b {
		b[i] ^= byte(k32)
		k32 = bits.RotateLeft32(k32, -8)
	}
	return (pos + len(b)) & 3 // only pos mod 4 matters; whole words left it unchanged
}
