//go:build linux && arm64 && !purego

package arch

// Signature is the value registered with the kernel; it is the word right
// before every abort handler (BRK #0x45e0, which glibc uses too).
const Signature = 0xd428bc00

var (
	armBytes       = []byte{0x01, 0x05, 0x00, 0xF9} // MOVD R1, 8(R8): STR X1, [X8, #8]
	signatureBytes = []byte{0x00, 0xBC, 0x28, 0xD4}
)

// marker returns the bytes of section i's marker for role (1 start, 2
// post-commit, 3 abort): MOVZ XZR, #0x5SSR, an executed no-op (writes to
// the zero register) whose immediate is the tag.
func marker(i, role int) []byte {
	tag := uint32(0x5000 | i<<4 | role)
	w := 0xD280001F | tag<<5
	return []byte{byte(w), byte(w >> 8), byte(w >> 16), byte(w >> 24)}
}
