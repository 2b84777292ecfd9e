package main

import (
	"encoding/binary"
	"strconv"
	"sync/atomic"
)

// logger: a small structured logger writing JSON lines, the way zap-like
// loggers use pools: each log call takes an entry and an encoder (records,
// from two pools) and an output buffer (from a buffer pool), writes 6 or 10
// fields, and puts all three back. The caller's fields are a slice it
// allocates, and one field is a string it builds: garbage, as in real
// logging code. An operation is one log call, three round trips, so the
// hit rate counts three Gets per operation. Only contenders that offer a
// Pool and a BufferPool run it.
var loggerWorkload = Workload{
	Name:      "logger",
	Bench:     "Logger",
	About:     "JSON log calls: entry, encoder and buffer from pools, 6–10 fields, garbage included",
	Uses:      shapeLogger,
	GC:        true,
	GetsPerOp: 3,
	Prepare: func(t *Target) func(n int) {
		return func(n int) {
			parallel(t.Procs, n, func(id, ops int) {
				l := jsonLogger{entries: t.Pool, encoders: t.Encoders, buffers: t.Buffers}
				for i := range ops {
					l.info(i+id<<20, requestFields(i))
				}
				loggedBytes.Add(int64(l.written))
			})
		}
	},
}

// loggedBytes counts the bytes of every line written, so that the encoding
// is not dead code.
var loggedBytes atomic.Int64

// A logField is one key and value of a log call.
type logField struct {
	key  string
	kind fieldKind
	str  string
	num  int64
	flt  float64
}

type fieldKind uint8

const (
	stringField fieldKind = iota
	intField
	floatField
	boolField
)

// logLineBuffer is the size of the buffer a log call asks for; every line
// the workload writes fits.
const logLineBuffer = 512

var (
	logMessages = [...]string{"request done", "cache miss", "retrying upstream call", `quoted "name" in message`}
	logMethods  = [...]string{"GET", "POST", "PUT", "DELETE"}
	logUsers    = [...]string{"alice", "bob", "carol\twith tab", "dave"}
)

// requestFields builds the fields of log call i, allocating the slice and
// a path string as a caller would.
func requestFields(i int) []logField {
	n := 6
	if i%2 == 1 {
		n = 10
	}
	f := make([]logField, 0, n)
	f = append(f,
		logField{key: "method", kind: stringField, str: logMethods[i%len(logMethods)]},
		logField{key: "path", kind: stringField, str: "/api/v1/items/" + strconv.Itoa(i%100000)},
		logField{key: "status", kind: intField, num: int64(200 + 100*(i%4))},
		logField{key: "bytes", kind: intField, num: int64(i * 37 % 65536)},
		logField{key: "duration_s", kind: floatField, flt: float64(i%5000) / 1e6},
		logField{key: "cached", kind: boolField, num: int64(i & 1)},
	)
	if n == 10 {
		f = append(f,
			logField{key: "user", kind: stringField, str: logUsers[i%len(logUsers)]},
			logField{key: "trace", kind: intField, num: int64(i) * 2654435761},
			logField{key: "attempt", kind: intField, num: int64(i % 3)},
			logField{key: "ratio", kind: floatField, flt: float64(i%97) / 97},
		)
	}
	return f
}

// jsonLogger takes its entries, encoders and buffers from pools.
type jsonLogger struct {
	entries, encoders Pool
	buffers           BufferPool
	written           int // bytes of output, so the lines are not dead code
}

// Where an entry record keeps its level, message and time, and an encoder
// record its count of fields written.
const (
	entryLevel   = 0
	entryMessage = 1
	entryTime    = 2 // 8 bytes
	encoderCount = 0
)

// info logs message seq%len(logMessages) at level info with fields.
func (l *jsonLogger) info(seq int, fields []logField) {
	e := l.entries.Get()
	e.Data[entryLevel] = 'i'
	e.Data[entryMessage] = byte(seq % len(logMessages))
	binary.LittleEndian.PutUint64(e.Data[entryTime:], 1_700_000_000_000+uint64(seq))

	enc := l.encoders.Get()
	enc.Data[encoderCount] = 0
	buf := l.buffers.GetBytes(logLineBuffer)[:0]
	buf = encodeEntry(buf, enc, e, fields)
	l.written += len(buf)

	l.buffers.PutBytes(buf)
	l.encoders.Put(enc)
	l.entries.Put(e)
}

// encodeEntry appends the JSON line of entry e and fields to buf, counting
// the fields in enc.
func encodeEntry(buf []byte, enc, e *Item, fields []logField) []byte {
	buf = append(buf, '{')
	buf = appendKey(buf, enc, "level")
	buf = strconv.AppendQuote(buf, levelName(e.Data[entryLevel]))
	buf = appendKey(buf, enc, "ts")
	buf = strconv.AppendUint(buf, binary.LittleEndian.Uint64(e.Data[entryTime:]), 10)
	buf = appendKey(buf, enc, "msg")
	buf = strconv.AppendQuote(buf, logMessages[e.Data[entryMessage]])
	for _, f := range fields {
		buf = appendKey(buf, enc, f.key)
		switch f.kind {
		case stringField:
			buf = strconv.AppendQuote(buf, f.str)
		case intField:
			buf = strconv.AppendInt(buf, f.num, 10)
		case floatField:
			buf = strconv.AppendFloat(buf, f.flt, 'g', -1, 64)
		case boolField:
			buf = strconv.AppendBool(buf, f.num != 0)
		}
	}
	return append(buf, '}', '\n')
}

// appendKey appends a separator unless this is the first field, then the
// quoted key and a colon.
func appendKey(buf []byte, enc *Item, key string) []byte {
	if enc.Data[encoderCount] > 0 {
		buf = append(buf, ',')
	}
	enc.Data[encoderCount]++
	buf = strconv.AppendQuote(buf, key)
	return append(buf, ':')
}

func levelName(l byte) string {
	if l == 'i' {
		return "info"
	}
	return "unknown"
}
