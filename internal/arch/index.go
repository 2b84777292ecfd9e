package arch

// IndexField selects the struct rseq field that indexes per-CPU data: its
// value is the field's offset in struct rseq. (Package rseq's IndexKind is
// the same choice as users see it.)
type IndexField uintptr

// The index fields a section can use.
const (
	IndexCPUID IndexField = 4  // cpu_id: the CPU the thread runs on
	IndexMMCID IndexField = 24 // mm_cid: a compact per-process id (Linux 6.3+)
)

func (f IndexField) String() string {
	switch f {
	case IndexCPUID:
		return "cpu_id"
	case IndexMMCID:
		return "mm_cid"
	}
	return "unknown"
}

// AreaSource says where a thread's struct rseq is.
type AreaSource uint8

const (
	// AreaOwn: the library registered the area and keeps its address in the
	// thread's m.tls[1].
	AreaOwn AreaSource = iota
	// AreaGlibc: glibc registered it at the thread pointer plus an offset.
	AreaGlibc
)
