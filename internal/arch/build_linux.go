//go:build linux && (amd64 || arm64) && !purego

package arch

import (
	"bytes"
	"fmt"
	"unsafe"
)

// Variables the assembly reads. They are set by Build and Configure before
// any section runs and never change afterwards.
var (
	// areaAdjust is added to ThreadWord to find the area: 0 when the word is
	// our own registered area, glibc's __rseq_offset when it is the thread
	// pointer.
	areaAdjust uintptr
	// indexOffset is the offset of the index field in struct rseq.
	indexOffset = uintptr(IndexCPUID)
	// viaThreadPointer (arm64) says the area is at the thread pointer plus
	// areaAdjust (glibc) rather than in m.tls[1] (own).
	viaThreadPointer bool
	// sectionDescs holds the address of each section's struct rseq_cs.
	sectionDescs [numSections]uintptr
	// delaySpins is the delay-loop length of RSEQ_DELAY builds.
	delaySpins int64
)

// The sections, numbered. This list is the one source of their numbers:
// the assembly reads the constants from go_asm.h for each section's slot in
// sectionDescs, its markers' tags and its place in sectionEntries' table.
const (
	sectionCounterAdd = iota
	sectionPushWord
	sectionPopWord
	sectionPushWords
	sectionPopWords
	sectionPushPointers
	sectionPopPointers
	sectionPushEntry
	sectionPopEntry
	sectionPushEntryMarking
	sectionPopEntryMarking
	sectionPopAny
	sectionPushAny
	sectionPopOf
	sectionPushOf
	sectionPopOfWords
	sectionPushOfWords
	numSections
)

const scanLimit = 2048 // bytes of code scanned from a section's entry

var sectionNames = [numSections]string{
	sectionCounterAdd:       "CounterAdd",
	sectionPushWord:         "PushWord",
	sectionPopWord:          "PopWord",
	sectionPushWords:        "PushWords",
	sectionPopWords:         "PopWords",
	sectionPushPointers:     "PushPointers",
	sectionPopPointers:      "PopPointers",
	sectionPushEntry:        "PushEntry",
	sectionPopEntry:         "PopEntry",
	sectionPushEntryMarking: "PushEntryMarking",
	sectionPopEntryMarking:  "PopEntryMarking",
	sectionPopAny:           "PopAny",
	sectionPushAny:          "PushAny",
	sectionPopOf:            "PopOf",
	sectionPushOf:           "PushOf",
	sectionPopOfWords:       "popOfWords",
	sectionPushOfWords:      "pushOfWords",
}

// rseqCS is the kernel's struct rseq_cs: 32 bytes, aligned to 32.
type rseqCS struct {
	version          uint32
	flags            uint32
	startIP          uint64
	postCommitOffset uint64
	abortIP          uint64
}

// descriptors keeps the descriptors reachable; the kernel reads them.
var descriptors []rseqCS

// Build locates every section's markers in its machine code, verifies them
// and fills in the descriptors. An error names the section and the check that
// failed; sections must not run after one.
func Build() error {
	var entries [numSections]*byte
	sectionEntries(&entries)
	descriptors = make([]rseqCS, numSections+1)
	// The Go heap never moves objects; skip to the first 32-byte boundary.
	first := 0
	for uintptr(unsafe.Pointer(&descriptors[first]))%32 != 0 {
		first++
	}
	for i, entry := range entries {
		code := unsafe.Slice(entry, scanLimit)
		cs, err := locate(i, code)
		if err != nil {
			return fmt.Errorf("section %s: %w", sectionNames[i], err)
		}
		d := &descriptors[first+i]
		*d = cs
		sectionDescs[i] = uintptr(unsafe.Pointer(d))
	}
	return nil
}

// locate finds section i's start, post-commit and abort markers in code.
func locate(i int, code []byte) (rseqCS, error) {
	base := uintptr(unsafe.Pointer(&code[0]))
	var at [3]int
	for role := range at {
		m := marker(i, role+1)
		at[role] = bytes.Index(code, m)
		if at[role] < 0 {
			return rseqCS{}, fmt.Errorf("marker %d not found in %d bytes", role+1, len(code))
		}
		if bytes.Count(code, m) != 1 {
			return rseqCS{}, fmt.Errorf("marker %d is not unique", role+1)
		}
	}
	start, post, abort := at[0], at[1], at[2]
	switch {
	case !(start < post && post < abort):
		return rseqCS{}, fmt.Errorf("markers out of order: start %d, post-commit %d, abort %d", start, post, abort)
	case start < len(armBytes) || !bytes.Equal(code[start-len(armBytes):start], armBytes):
		return rseqCS{}, fmt.Errorf("the rseq_cs store is not right before start_ip")
	case !bytes.Equal(code[abort-len(signatureBytes):abort], signatureBytes):
		return rseqCS{}, fmt.Errorf("signature missing before abort_ip")
	}
	return rseqCS{
		startIP:          uint64(base) + uint64(start),
		postCommitOffset: uint64(post - start),
		abortIP:          uint64(base) + uint64(abort),
	}, nil
}

// Configure tells the sections where the area is and which index to use. It
// must be called before any section runs.
func Configure(source AreaSource, offset uintptr, index IndexField) {
	viaThreadPointer = source == AreaGlibc
	areaAdjust = offset
	indexOffset = uintptr(index)
}

// SetDelay sets the spin count of each injected delay in RSEQ_DELAY builds.
func SetDelay(spins int64) { delaySpins = spins }
