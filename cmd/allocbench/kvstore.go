package main

// The kv workloads' shape: a contender offers a KVShard, which says where a
// key-value cache keeps its records (RecordStore) and where a request builds
// its response (Scratch). The plain versions, on the Go heap, are here; the
// slab's records are in contender_slab.go and the arena's scratch in
// contender_alloc.go.

// A KVShard is one goroutine's part of the cache: only that goroutine uses
// it during a run.
type KVShard struct {
	Records RecordStore
	Scratch Scratch
}

// A RecordStore maps keys to records of bytes.
type RecordStore interface {
	// Lookup returns key's record, or nil. The slice is the store's: it is
	// valid until the next Set of key or Close.
	Lookup(key uint64) []byte
	// Set stores a copy of rec as key's record, freeing the one it replaces.
	Set(key uint64, rec []byte)
	// OffHeapBytes returns the memory the store holds outside the Go heap
	// (what a memory limit for the Go runtime does not count).
	OffHeapBytes() int64
	// Close frees every record.
	Close()
}

// A Scratch hands out a request's temporary bytes: Bytes(n) returns n
// zeroed bytes that stay valid until Free, which ends the request.
type Scratch interface {
	Bytes(n int) []byte
	Free()
}

// close frees the shard's records and what its scratch still holds.
func (s KVShard) close() {
	s.Records.Close()
	s.Scratch.Free()
}

// newHeapKVShard returns a shard with both records and scratch on the Go
// heap: what a Go program does without help.
func newHeapKVShard() KVShard {
	return KVShard{Records: newHeapRecords(), Scratch: heapScratch{}}
}

// heapRecords keeps each record in a []byte of its own: the map's buckets
// hold slice headers, which the collector scans, and the records, which it
// marks.
type heapRecords struct {
	recs map[uint64][]byte
}

func newHeapRecords() *heapRecords {
	return &heapRecords{recs: make(map[uint64][]byte)}
}

func (s *heapRecords) Lookup(key uint64) []byte { return s.recs[key] }

// Set leaves the replaced record to the collector.
func (s *heapRecords) Set(key uint64, rec []byte) {
	r := make([]byte, len(rec))
	copy(r, rec) // make+copy: the compiler skips zeroing r
	s.recs[key] = r
}

func (s *heapRecords) OffHeapBytes() int64 { return 0 }
func (s *heapRecords) Close()              { clear(s.recs) }

// heapScratch makes every buffer with make and leaves it to the collector.
type heapScratch struct{}

func (heapScratch) Bytes(n int) []byte { return make([]byte, n) }
func (heapScratch) Free()              {}
