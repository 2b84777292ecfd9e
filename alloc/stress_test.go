package alloc

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/gorseq/percpu/internal/stresstest"
)

// The ownership stress test: workers Get tokens, hold a few, and Put them
// back, while GOMAXPROCS changes, signals interrupt every thread (each one
// aborts the section it lands in) and the collector runs. A token records
// its holder; a Get that finds a token already held means the pool handed
// one value to two goroutines at once. The workers, the disturbers and the
// ledger are internal/stresstest's.

// token is a pooled value that knows who holds it. It is 64 bytes, so that
// a Buffers slice of class 0 can be one.
type token struct {
	holder stresstest.Holder
	_      [60]byte
}

// tokenPool adapts each pool type to the test.
type tokenPool interface {
	get() *token
	put(*token)
	stats() Stats
}

type (
	anyTokens   struct{ Pool }
	ptrTokens   struct{ PoolOf[*token] }
	boxedTokens struct{ PoolOf[boxedToken] }
	sliceTokens struct{ PoolOf[[]*token] }
	strTokens   struct{ PoolOf[string] }
	efaceTokens struct{ PoolOf[any] }
	wordTokens  struct{ PoolOf[uint64] }
	pairTokens  struct{ PoolOf[tokenPair] }
	bufTokens   struct{ Buffers }
)

// boxedToken makes PoolOf use its boxed shape (more than two words, with a
// pointer), so boxes carry pointers through the collector.
type boxedToken struct {
	tk  *token
	pad [2]int
}

func (p *anyTokens) get() *token  { return p.Get().(*token) }
func (p *anyTokens) put(t *token) { p.Put(t) }
func (p *anyTokens) stats() Stats { return p.Stats() }

func (p *ptrTokens) get() *token  { return p.Get() }
func (p *ptrTokens) put(t *token) { p.Put(t) }
func (p *ptrTokens) stats() Stats { return p.Stats() }

func (p *boxedTokens) get() *token  { return p.Get().tk }
func (p *boxedTokens) put(t *token) { p.Put(boxedToken{tk: t}) }
func (p *boxedTokens) stats() Stats { return p.Stats() }

func (p *sliceTokens) get() *token  { return p.Get()[0] }
func (p *sliceTokens) put(t *token) { p.Put([]*token{t}) }
func (p *sliceTokens) stats() Stats { return p.Stats() }

// A string of a token's 64 bytes: the pool never reads them, so that the
// token changes under the string does not matter.
func (p *strTokens) get() *token {
	s := p.Get()
	if len(s) != int(unsafe.Sizeof(token{})) {
		panic(fmt.Sprintf("PoolOf[string].Get returned %d bytes, want a token's", len(s)))
	}
	return (*token)(unsafe.Pointer(unsafe.StringData(s)))
}
func (p *strTokens) put(t *token) {
	p.Put(unsafe.String((*byte)(unsafe.Pointer(t)), unsafe.Sizeof(*t)))
}
func (p *strTokens) stats() Stats { return p.Stats() }

func (p *efaceTokens) get() *token  { return p.Get().(*token) }
func (p *efaceTokens) put(t *token) { p.Put(t) }
func (p *efaceTokens) stats() Stats { return p.Stats() }

// numbered is a table of tokens for the pools of numbers: a number is a
// token's index in it, plus one.
type numbered struct {
	mu     sync.Mutex
	tokens []*token
	index  map[*token]uint64
}

func (n *numbered) add() uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	t := new(token)
	n.tokens = append(n.tokens, t)
	if n.index == nil {
		n.index = map[*token]uint64{}
	}
	n.index[t] = uint64(len(n.tokens))
	return uint64(len(n.tokens))
}

func (n *numbered) token(i uint64) *token {
	n.mu.Lock()
	defer n.mu.Unlock()
	if i == 0 || i > uint64(len(n.tokens)) {
		panic(fmt.Sprintf("a pool of numbers returned %d, which no token has", i))
	}
	return n.tokens[i-1]
}

func (n *numbered) number(t *token) uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.index[t]
}

// tokenPair is a number n and 3n+1: two words without pointers, both of
// which must come back, each in its place.
type tokenPair struct{ n, check uint64 }

var wordTable, pairTable numbered

func (p *wordTokens) get() *token  { return wordTable.token(p.Get()) }
func (p *wordTokens) put(t *token) { p.Put(wordTable.number(t)) }
func (p *wordTokens) stats() Stats { return p.Stats() }

func (p *pairTokens) get() *token {
	v := p.Get()
	if v.check != 3*v.n+1 {
		panic(fmt.Sprintf("PoolOf[tokenPair].Get returned %+v: its words do not belong together", v))
	}
	return pairTable.token(v.n)
}
func (p *pairTokens) put(t *token) { n := pairTable.number(t); p.Put(tokenPair{n, 3*n + 1}) }
func (p *pairTokens) stats() Stats { return p.Stats() }

func (p *bufTokens) get() *token  { return (*token)(unsafe.Pointer(&p.Get(64)[0])) }
func (p *bufTokens) put(t *token) { p.Put(unsafe.Slice((*byte)(unsafe.Pointer(t)), 64)) }
func (p *bufTokens) stats() Stats { return p.Stats() }

// tokenPools returns a fresh pool of every kind, with small limits so that
// values move through the depot and get dropped.
func tokenPools() map[string]tokenPool {
	newToken := func() *token { return new(token) }
	pools := map[string]tokenPool{
		"Pool":           &anyTokens{Pool{New: func() any { return newToken() }, PerCPU: 8, Depot: 64}},
		"PoolOf/pointer": &ptrTokens{PoolOf[*token]{New: newToken, PerCPU: 8, Depot: 64}},
		"PoolOf/boxed":   &boxedTokens{PoolOf[boxedToken]{New: func() boxedToken { return boxedToken{tk: newToken()} }, PerCPU: 8}},
		"PoolOf/slice":   &sliceTokens{PoolOf[[]*token]{New: func() []*token { return []*token{newToken()} }}},
		"PoolOf/string": &strTokens{PoolOf[string]{New: func() string {
			return unsafe.String((*byte)(unsafe.Pointer(newToken())), unsafe.Sizeof(token{}))
		}, PerCPU: 8}},
		"PoolOf/interface": &efaceTokens{PoolOf[any]{New: func() any { return newToken() }, PerCPU: 8}},
		"PoolOf/word":      &wordTokens{PoolOf[uint64]{New: wordTable.add, PerCPU: 8}},
		"PoolOf/twowords": &pairTokens{PoolOf[tokenPair]{New: func() tokenPair {
			n := pairTable.add()
			return tokenPair{n, 3*n + 1}
		}, PerCPU: 8}},
		"Buffers": &bufTokens{Buffers{PerCPU: 4, Depot: 32}},
	}
	return pools
}

type stressConfig struct {
	workers    int // goroutines doing Get and Put
	iterations int // operations per worker, at least
	hold       int // tokens a worker holds at most
	garbage    int // bytes of garbage a worker allocates after each Get
}

// stressUpTo is how many times its iterations a worker may go on while the
// disturbers have not done enough.
const stressUpTo = 10

// Workers go on past their iterations, up to ten times as many, until the
// disturbers have done at least this much.
const (
	minGCs     = 20
	minFlips   = 20
	minSignals = 200
)

func (c stressConfig) scaled() stressConfig {
	if testing.Short() || raceEnabled {
		c.iterations /= 20
	}
	return c
}

func TestOwnershipStress(t *testing.T) {
	cfg := stressConfig{workers: 16*runtime.NumCPU() + 32, iterations: 20000, hold: 12}.scaled()
	for name, p := range tokenPools() {
		t.Run(name, func(t *testing.T) { stress(t, p, cfg) })
	}
}

// TestOwnershipStressGC is the same with fewer workers, so that collections
// come more often per operation; CI runs it under
// GODEBUG=gccheckmark=1,clobberfree=1.
func TestOwnershipStressGC(t *testing.T) {
	cfg := stressConfig{workers: 4 * runtime.NumCPU(), iterations: 20000, hold: 12}.scaled()
	for name, p := range tokenPools() {
		t.Run(name, func(t *testing.T) { stress(t, p, cfg) })
	}
}

// garbageSinks makes the workers' garbage escape to the heap.
var garbageSinks atomic.Pointer[[]byte]

func stress(t *testing.T, p tokenPool, cfg stressConfig) {
	var ds stresstest.Disturbers
	flips := ds.Start(stresstest.FlipGOMAXPROCS(500 * time.Microsecond))
	gcs := ds.Start(stresstest.CollectGarbage(200*time.Microsecond, 0))
	signals := ds.Start(stresstest.SignalStorm(50 * time.Microsecond))
	enough := func() bool {
		return gcs.Count() >= minGCs && flips.Count() >= minFlips && signals.Count() >= minSignals
	}
	var led stresstest.Ledger
	someLocked := func(w int) stresstest.Thread {
		if w%4 == 0 {
			return stresstest.Locked
		}
		return stresstest.Unlocked
	}
	stresstest.Workers(cfg.workers, someLocked, func(w int) {
		exchangeTokens(p, &led, w, cfg, stressUpTo, enough)
	})
	ds.Stop()
	led.Check(t)
	t.Logf("%d workers × %d operations, %v; stats %+v", cfg.workers, cfg.iterations, ds, p.stats())
}

// exchangeTokens is worker w's part of an ownership stress: it Gets tokens
// from p, claiming each in led, holds up to cfg.hold and Puts them back,
// for cfg.iterations operations and then on, up to upTo times as many,
// until enough reports true.
func exchangeTokens(p tokenPool, led *stresstest.Ledger, w int, cfg stressConfig, upTo int, enough func() bool) {
	held := make([]*token, 0, cfg.hold)
	var garbage []byte // escapes: each worker's garbage is a real heap allocation
	defer func() { garbageSinks.Store(&garbage) }()
	stresstest.Loop(cfg.iterations, upTo*cfg.iterations, enough, func(i int) {
		if len(held) < cfg.hold && (len(held) == 0 || (i*(w+1))%3 != 0) {
			tk := p.get()
			led.ClaimHolder(&tk.holder, unsafe.Pointer(tk), w)
			if cfg.garbage > 0 {
				garbage = make([]byte, cfg.garbage)
			}
			held = append(held, tk)
			return
		}
		tk := held[len(held)-1]
		held = held[:len(held)-1]
		led.ReleaseHolder(&tk.holder)
		p.put(tk)
	})
	for _, tk := range held {
		led.ReleaseHolder(&tk.holder)
		p.put(tk)
	}
}
