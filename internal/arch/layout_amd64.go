//go:build linux && amd64 && !purego

package arch

// Signature is the value registered with the kernel; the 7-byte ud1 before
// every abort handler carries it.
const Signature = 0x53053053

var (
	armBytes       = []byte{0x49, 0x89, 0x40, 0x08} // MOVQ AX, 8(R8)
	signatureBytes = []byte{0x0F, 0xB9, 0x3D, 0x53, 0x30, 0x05, 0x53}
)

// marker returns the bytes of section i's marker for role (1 start, 2
// post-commit, 3 abort): NOPL 0x5253SSRR(AX), as the assembly's TAG makes it.
func marker(i, role int) []byte {
	tag := 0x52530000 | uint32(i)<<8 | uint32(role)
	return []byte{0x0F, 0x1F, 0x80, byte(tag), byte(tag >> 8), byte(tag >> 16), byte(tag >> 24)}
}
