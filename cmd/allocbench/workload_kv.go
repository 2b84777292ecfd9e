package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"
)

// kv and kv-memlimit: a service's key-value cache. -kvlive bytes of records
// (256 B to 2 KiB, 960 B on average) stay live in a map from key to handle;
// each request picks a key at random and either reads its record, copying
// it into a response it builds (kvReadPercent of them), or writes it, from
// a request body, replacing the record. An operation is one request; the
// table adds the process's CPU time per request, the GC's share of the CPU
// and the request latencies.
//
// The contenders say where the records and the requests' buffers live:
//
//   - new: both on the Go heap (map[uint64][]byte; a response is a make).
//   - slab: records in a slab.Allocator, the map holding handles of plain
//     integers (address, length) that the collector does not scan;
//     responses on the Go heap.
//   - allocarena: records on the Go heap as for new; a request's buffers in
//     an alloc.Arena, freed when it ends.
//
// Each goroutine serves its own shard of the keys, without locks. The two
// workloads differ only in how the collector is paced, set for the cell and
// restored after it: kv runs GOGC=100 with no memory limit, kv-memlimit
// GOGC=off with a memory limit of kvMemoryBudget less what the contender
// holds outside the Go heap, so that every contender gets the same total
// memory. Before the cell the previous cells' freed heap goes back to the
// system, and after it this one's.
var (
	kvWorkload = newKVWorkload("kv", "KV",
		"key-value cache of -kvlive bytes of records: 90% reads copy one into a response, 10% replace one; GOGC=100",
		false)
	kvMemLimitWorkload = newKVWorkload("kv-memlimit", "KVMemLimit",
		"kv with GOGC=off and a memory limit of 1.5 × -kvlive + 64 MiB, less what the contender holds off the heap",
		true)
)

// newKVWorkload returns one of the two kv workloads: they share everything
// but their names and how the collector is paced (memLimit).
func newKVWorkload(name, bench, about string, memLimit bool) Workload {
	return Workload{
		Name:    name,
		Bench:   bench,
		About:   about,
		Uses:    shapeKV,
		GC:      true,
		Latency: true,
		Columns: []column{cpuPerOpColumn, gcCPUFractionColumn, p50Column, p99Column},
		Prepare: func(t *Target) func(n int) { return prepareKV(t, memLimit) },
	}
}

const (
	kvReadPercent  = 90
	kvMeanRecord   = 960      // bytes: the mean of kvRecordSize over keys
	kvMinLive      = 64 << 10 // bytes: the smallest -kvlive
	kvRecordHeader = 16       // bytes: the key and the version that wrote it
)

// kvMemoryBudget is the total memory kv-memlimit gives a cache of live
// bytes: the records, half as much again for garbage, and room for the map
// and the runtime.
func kvMemoryBudget(live int64) int64 { return live + live/2 + 64<<20 }

// kvMinLimit bounds the memory limit below, whatever the contender holds
// off the heap.
const kvMinLimit = 16 << 20

// kvRecordSize returns the size of key's record: 256 B, 512 B, 1 KiB or
// 2 KiB, by the key's last two bits.
func kvRecordSize(key uint64) int { return 256 << (key % 4) }

// prepareKV fills one shard per goroutine with its records, sets the GC's
// pacing for the cell, and returns the timed body.
func prepareKV(t *Target, memoryLimited bool) func(n int) {
	debug.FreeOSMemory() // the previous cells' heap goes back to the system
	shards := make([]KVShard, t.Procs)
	keys := max(1, int(t.KVLive/kvMeanRecord)/t.Procs) // per shard
	var offHeap int64
	for i := range shards {
		s := t.NewKVShard()
		fillKVShard(s, keys)
		offHeap += s.Records.OffHeapBytes()
		shards[i] = s
	}
	percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	if memoryLimited {
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(max(kvMinLimit, kvMemoryBudget(t.KVLive)-offHeap))
	}
	t.atClose(func() {
		for _, s := range shards {
			s.close()
		}
		clear(shards)
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
		debug.FreeOSMemory()
	})
	var seed atomic.Uint64
	return func(n int) {
		parallel(t.Procs, n, func(id, ops int) {
			var lat latencies
			served := serveKV(shards[id], keys, ops, seed.Add(1), &lat)
			t.Latencies.add(&lat)
			kvResponseBytes.Add(served)
		})
	}
}

// kvResponseBytes counts the bytes of every response built, so that
// building them is not dead code.
var kvResponseBytes atomic.Uint64

// fillKVShard stores version 0 of keys 0 to keys-1.
func fillKVShard(s KVShard, keys int) {
	for key := range uint64(keys) {
		body := s.Scratch.Bytes(kvRecordSize(key))
		writeKVRecord(body, key, 0)
		s.Records.Set(key, body)
		s.Scratch.Free()
	}
}

// serveKV serves ops requests on keys 0 to keys-1 of s, timing one in
// latencySampleEvery into lat, and returns the bytes of the responses.
func serveKV(s KVShard, keys, ops int, seed uint64, lat *latencies) uint64 {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	var sent uint64
	for i := range ops {
		var start time.Time
		sampled := i%latencySampleEvery == 0
		if sampled {
			start = time.Now()
		}
		key := uint64(rng.IntN(keys))
		if rng.IntN(100) < kvReadPercent {
			sent += kvRead(s, key)
		} else {
			sent += kvWrite(s, key, uint64(i)+1)
		}
		s.Scratch.Free()
		if sampled {
			lat.record(time.Since(start))
		}
	}
	return sent
}

// The responses, memcached's text protocol.
const (
	kvValueHeaderMax = len("VALUE 18446744073709551615 4294967295\r\n")
	kvValueTrailer   = "\r\nEND\r\n"
	kvStored         = "STORED\r\n"
)

// kvRead builds the response to a read of key: a header, then a copy of
// the record. It panics if the record is not key's.
func kvRead(s KVShard, key uint64) (sent uint64) {
	rec := s.Records.Lookup(key)
	if len(rec) < kvRecordHeader || binary.LittleEndian.Uint64(rec) != key {
		panic(fmt.Sprintf("allocbench: kv record of key %d holds %x", key, rec[:min(len(rec), kvRecordHeader)]))
	}
	resp := s.Scratch.Bytes(kvValueHeaderMax + len(rec) + len(kvValueTrailer))[:0]
	resp = append(resp, "VALUE "...)
	resp = strconv.AppendUint(resp, key, 10)
	resp = append(resp, ' ')
	resp = strconv.AppendInt(resp, int64(len(rec)), 10)
	resp = append(resp, "\r\n"...)
	resp = append(resp, rec...)
	resp = append(resp, kvValueTrailer...)
	return uint64(len(resp))
}

// kvWrite stores version of key's record from a request body it builds,
// and builds the response.
func kvWrite(s KVShard, key, version uint64) (sent uint64) {
	body := s.Scratch.Bytes(kvRecordSize(key))
	writeKVRecord(body, key, version)
	s.Records.Set(key, body)
	resp := s.Scratch.Bytes(len(kvStored))
	return uint64(copy(resp, kvStored))
}

// writeKVRecord fills rec as version of key's record: the key and the
// version, then bytes all equal to kvRecordFill(key, version).
func writeKVRecord(rec []byte, key, version uint64) {
	binary.LittleEndian.PutUint64(rec, key)
	binary.LittleEndian.PutUint64(rec[8:], version)
	body := rec[kvRecordHeader:]
	body[0] = kvRecordFill(key, version)
	for n := 1; n < len(body); n *= 2 {
		copy(body[n:], body[:n])
	}
}

// kvRecordFill is the byte that fills version of key's record.
func kvRecordFill(key, version uint64) byte { return byte(key*31 + version) }

// checkKVRecord returns an error unless rec is a whole record of key, of
// any version, as writeKVRecord made it.
func checkKVRecord(rec []byte, key uint64) error {
	if len(rec) != kvRecordSize(key) || binary.LittleEndian.Uint64(rec) != key {
		return fmt.Errorf("key %d: record of %d bytes for key %d", key, len(rec), binary.LittleEndian.Uint64(rec))
	}
	want := kvRecordFill(key, binary.LittleEndian.Uint64(rec[8:]))
	for i, b := range rec[kvRecordHeader:] {
		if b != want {
			return fmt.Errorf("key %d: byte %d is %#x, want %#x", key, kvRecordHeader+i, b, want)
		}
	}
	return nil
}
