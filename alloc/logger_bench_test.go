package alloc

import (
	"io"
	"strconv"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// A client of the pools, shaped like a structured logger: every log call
// takes an entry, an encoder and a buffer from three pools, adds its fields
// (making some garbage, as real callers do), encodes the entry as one JSON
// line, writes it and puts all three back. BenchmarkLogger runs it with
// sync.Pool, the way such libraries pool today, and with PoolOf.

// logField is one key/value of an entry: a string, an integer or a float.
type logField struct {
	key  string
	kind byte // 's', 'i' or 'f'
	str  string
	num  int64
	flt  float64
}

// logEntry is one log call's data; its fields slice is reused.
type logEntry struct {
	level  string
	msg    string
	when   time.Time
	fields []logField
}

func (e *logEntry) reset() {
	clear(e.fields)
	*e = logEntry{fields: e.fields[:0]}
}

// jsonEncoder writes entries as JSON lines into its buffer.
type jsonEncoder struct {
	buf []byte
}

func (enc *jsonEncoder) encode(e *logEntry) {
	b := append(enc.buf, `{"level":`...)
	b = appendJSONString(b, e.level)
	b = append(b, `,"ts":`...)
	b = strconv.AppendInt(b, e.when.UnixNano(), 10)
	b = append(b, `,"msg":`...)
	b = appendJSONString(b, e.msg)
	for _, f := range e.fields {
		b = append(b, ',')
		b = appendJSONString(b, f.key)
		b = append(b, ':')
		switch f.kind {
		case 's':
			b = appendJSONString(b, f.str)
		case 'i':
			b = strconv.AppendInt(b, f.num, 10)
		case 'f':
			b = strconv.AppendFloat(b, f.flt, 'g', -1, 64)
		}
	}
	enc.buf = append(b, '}', '\n')
}

// appendJSONString appends s quoted, escaping what JSON requires.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		case c < utf8.RuneSelf:
			b = append(b, c)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		i++
	}
	return append(b, '"')
}

// logPools is what a logger keeps its three kinds of objects in.
type logPools interface {
	entry() *logEntry
	encoder() *jsonEncoder
	buffer() []byte
	done(*logEntry, *jsonEncoder, []byte)
}

// logCall is one request's log line: eight fields, one of which a caller
// builds on the spot (garbage), and one user name that needs escaping.
func logCall(p logPools, w io.Writer, i int, now time.Time) {
	e := p.entry()
	e.level, e.msg, e.when = "info", "request served", now
	e.fields = append(e.fields,
		logField{key: "method", kind: 's', str: "GET"},
		logField{key: "path", kind: 's', str: "/api/v1/items/" + strconv.Itoa(i%1000)}, // garbage
		logField{key: "status", kind: 'i', num: 200},
		logField{key: "bytes", kind: 'i', num: int64(512 + i%4096)},
		logField{key: "duration_ms", kind: 'f', flt: float64(i%250) / 7},
		logField{key: "user", kind: 's', str: `ana "the admin"`},
		logField{key: "request_id", kind: 'i', num: int64(i)},
		logField{key: "region", kind: 's', str: "eu-west-1"},
	)
	enc := p.encoder()
	enc.buf = p.buffer()
	enc.encode(e)
	w.Write(enc.buf)
	buf := enc.buf
	enc.buf = nil
	p.done(e, enc, buf)
}

// syncLogPools keeps buffers as *[]byte, the idiom that spares sync.Pool
// an allocation per Put.
type syncLogPools struct {
	entries, encoders, buffers sync.Pool
}

func newSyncLogPools() *syncLogPools {
	p := &syncLogPools{}
	p.entries.New = func() any { return &logEntry{fields: make([]logField, 0, 10)} }
	p.encoders.New = func() any { return new(jsonEncoder) }
	p.buffers.New = func() any { b := make([]byte, 0, 1024); return &b }
	return p
}

func (p *syncLogPools) entry() *logEntry      { return p.entries.Get().(*logEntry) }
func (p *syncLogPools) encoder() *jsonEncoder { return p.encoders.Get().(*jsonEncoder) }
func (p *syncLogPools) buffer() []byte        { return (*p.buffers.Get().(*[]byte))[:0] }

func (p *syncLogPools) done(e *logEntry, enc *jsonEncoder, buf []byte) {
	e.reset()
	p.entries.Put(e)
	p.encoders.Put(enc)
	p.buffers.Put(&buf) // &buf escapes: sync.Pool users pay this, or keep *[]byte throughout
}

// allocLogPools keeps buffers as []byte: PoolOf stores a slice unboxed.
type allocLogPools struct {
	entries  PoolOf[*logEntry]
	encoders PoolOf[*jsonEncoder]
	buffers  PoolOf[[]byte]
}

func newAllocLogPools() *allocLogPools {
	p := &allocLogPools{}
	p.entries.New = func() *logEntry { return &logEntry{fields: make([]logField, 0, 10)} }
	p.encoders.New = func() *jsonEncoder { return new(jsonEncoder) }
	p.buffers.New = func() []byte { return make([]byte, 0, 1024) }
	return p
}

func (p *allocLogPools) entry() *logEntry      { return p.entries.Get() }
func (p *allocLogPools) encoder() *jsonEncoder { return p.encoders.Get() }
func (p *allocLogPools) buffer() []byte        { return p.buffers.Get()[:0] }

func (p *allocLogPools) done(e *logEntry, enc *jsonEncoder, buf []byte) {
	e.reset()
	p.entries.Put(e)
	p.encoders.Put(enc)
	p.buffers.Put(buf)
}

func BenchmarkLogger(b *testing.B) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for _, impl := range []struct {
		name  string
		pools func() logPools
	}{
		{"alloc", func() logPools { return newAllocLogPools() }},
		{"sync", func() logPools { return newSyncLogPools() }},
	} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			p := impl.pools()
			benchModesIndexed(b, func(i int) { logCall(p, io.Discard, i, now) })
		})
	}
}

// TestLoggerWritesJSONLines checks the client benchmark's output, with
// both kinds of pools, so that the benchmark measures a logger that works.
func TestLoggerWritesJSONLines(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	want := `{"level":"info","ts":1795953600000000000,"msg":"request served","method":"GET","path":"/api/v1/items/7",` +
		`"status":200,"bytes":519,"duration_ms":1,"user":"ana \"the admin\"","request_id":7,"region":"eu-west-1"}` + "\n"
	for name, p := range map[string]logPools{"alloc": newAllocLogPools(), "sync": newSyncLogPools()} {
		for round := 0; round < 3; round++ { // later rounds reuse pooled objects
			var out lineWriter
			logCall(p, &out, 7, now)
			if string(out) != want {
				t.Fatalf("%s, round %d:\n got %s\nwant %s", name, round, out, want)
			}
		}
	}
}

type lineWriter []byte

func (w *lineWriter) Write(b []byte) (int, error) { *w = append(*w, b...); return len(b), nil }
