//go:build linux && amd64 && !purego

#include "textflag.h"

// Register roles in every section:
//   R8  the thread's struct rseq area     R9  the *StackDesc
//   R10 offset of the index field (cpu_id or mm_cid) within the area
//   R11 aborts taken so far               AX  descriptor address, then index
//   DX  control words                     CX  slots
// BP, R14 and R15 are never touched.

// MOVQ FS:0, AX: the first word at the thread pointer. Non-cgo binaries point
// FS at &m.tls[0]+8, so this is m.tls[1], which the runtime never uses; with
// glibc it is the TCB's self pointer. Package rseq checks both at init.
#define LOAD_THREAD_WORD BYTE $0x64; BYTE $0x48; BYTE $0x8B; BYTE $0x04; BYTE $0x25; LONG $0

// MOVQ AX, FS:0.
#define STORE_THREAD_WORD BYTE $0x64; BYTE $0x48; BYTE $0x89; BYTE $0x04; BYTE $0x25; LONG $0

// A 7-byte executed NOP whose displacement is a tag Build searches for.
#define MARK(tag) BYTE $0x0F; BYTE $0x1F; BYTE $0x80; LONG $tag

// ud1 carrying the registration signature 0x53053053, right before abort_ip.
#define SIGNATURE BYTE $0x0F; BYTE $0xB9; BYTE $0x3D; LONG $0x53053053

// The store that arms a section; it must be the instruction right before
// start_ip (Build checks its bytes: 49 89 40 08).
#define ARM(desc) MOVQ desc(SB), AX; MOVQ AX, 8(R8)

#define MAX_RETRIES $16

// DELAY widens a gap so that preemption and signals land inside sections
// (go test -asmflags=...=-DRSEQ_DELAY). It is empty in normal builds.
#ifdef RSEQ_DELAY
#define DELAY MOVQ ·delaySpins(SB), R12; PAUSE; DECQ R12; JGE -2(PC)
#else
#define DELAY
#endif

// ENTER finds the area (R8) and the index offset (R10), or jumps to
// notready (AX = 0: unregistered; AX = 1: unavailable) or unavailable.
#define ENTER \
	XORL R11, R11; \
	LOAD_THREAD_WORD; \
	CMPQ AX, $1; \
	JLS notready; \
	ADDQ ·areaAdjust(SB), AX; \
	MOVL 4(AX), CX; \
	TESTL CX, CX; \
	JS unavailable; \
	MOVQ AX, R8; \
	MOVQ ·indexOffset(SB), R10

// CONTROL loads the index (AX) inside the section, bounds-checks it, points
// DX at the member's control words and leaves if the index is stopped.
#define CONTROL \
	MOVL (R8)(R10*1), AX; \
	DELAY; \
	CMPQ AX, 40(R9); \
	JAE unavailable; \
	MOVQ 8(R9), DX; \
	IMULQ AX, DX; \
	ADDQ 0(R9), DX; \
	DELAY; \
	CMPQ 0(DX), $0; \
	JNE stopped; \
	ADDQ 16(R9), DX; \
	DELAY

// SLOTS points CX at the member's slots for index AX.
#define SLOTS \
	MOVQ 32(R9), CX; \
	IMULQ AX, CX; \
	ADDQ 24(R9), CX; \
	DELAY

// RETRY is the abort handler's body: count, retry or give up.
#define RETRY \
	INCQ R11; \
	CMPQ R11, MAX_RETRIES; \
	JB retry; \
	MOVL $5, BX; \
	JMP out

// func CounterAdd(d *StackDesc, delta int64) Status
TEXT ·CounterAdd(SB), NOSPLIT, $0-20
	MOVQ d+0(FP), R9
	MOVQ delta+8(FP), SI
	ENTER
retry:
	ARM(·sectionDescs+0)
	MARK(0x52530001)
	DELAY
	CONTROL
	ADDQ SI, 0(DX) // commit
	MARK(0x52530002)
	XORL BX, BX
out:
	SHLQ $8, R11
	ORQ R11, BX
	MOVL BX, ret+16(FP)
	RET
stopped:
	MOVL $3, BX
	JMP out
notready:
	MOVL $6, BX
	TESTQ AX, AX
	JEQ out
unavailable:
	MOVL $7, BX
	JMP out
	SIGNATURE
	MARK(0x52530003)
	RETRY

// func PushWord(d *StackDesc, v uintptr) Status
TEXT ·PushWord(SB), NOSPLIT, $0-20
	MOVQ d+0(FP), R9
	MOVQ v+8(FP), SI
	ENTER
retry:
	ARM(·sectionDescs+8)
	MARK(0x52530101)
	DELAY
	CONTROL
	MOVQ 0(DX), BX // top
	DELAY
	CMPQ BX, 8(DX)
	JAE full
	SLOTS
	MOVQ SI, (CX)(BX*8)
	DELAY
	INCQ BX
	DELAY
	MOVQ BX, 0(DX) // commit
	MARK(0x52530102)
	XORL BX, BX
out:
	SHLQ $8, R11
	ORQ R11, BX
	MOVL BX, ret+16(FP)
	RET
full:
	MOVL $2, BX
	JMP out
stopped:
	MOVL $3, BX
	JMP out
notready:
	MOVL $6, BX
	TESTQ AX, AX
	JEQ out
unavailable:
	MOVL $7, BX
	JMP out
	SIGNATURE
	MARK(0x52530103)
	RETRY

// func PopWord(d *StackDesc) (v uintptr, st Status)
TEXT ·PopWord(SB), NOSPLIT, $0-20
	MOVQ d+0(FP), R9
	XORL SI, SI
	ENTER
retry:
	ARM(·sectionDescs+16)
	MARK(0x52530201)
	DELAY
	CONTROL
	MOVQ 0(DX), BX // top
	DELAY
	TESTQ BX, BX
	JEQ empty
	SLOTS
	DECQ BX
	DELAY
	MOVQ (CX)(BX*8), SI
	DELAY
	MOVQ BX, 0(DX) // commit
	MARK(0x52530202)
	XORL BX, BX
out:
	MOVQ SI, v+8(FP)
	SHLQ $8, R11
	ORQ R11, BX
	MOVL BX, st+16(FP)
	RET
empty:
	XORL SI, SI
	MOVL $1, BX
	JMP out
stopped:
	XORL SI, SI
	MOVL $3, BX
	JMP out
notready:
	MOVL $6, BX
	TESTQ AX, AX
	JEQ out
unavailable:
	XORL SI, SI
	MOVL $7, BX
	JMP out
	SIGNATURE
	MARK(0x52530203)
	XORL SI, SI
	RETRY

// func PushWords(d *StackDesc, src *uintptr, n uintptr) (pushed uintptr, st Status)
TEXT ·PushWords(SB), NOSPLIT, $0-36
	MOVQ d+0(FP), R9
	XORL SI, SI
	ENTER
retry:
	ARM(·sectionDescs+24)
	MARK(0x52530301)
	DELAY
	CONTROL
	MOVQ 8(DX), SI
	SUBQ 0(DX), SI // room = cap - top
	JLS full
	DELAY
	CMPQ SI, n+16(FP)
	JLS counted
	MOVQ n+16(FP), SI
counted:
	DELAY
	TESTQ SI, SI
	JEQ full
	SLOTS
	MOVQ 0(DX), BX
	LEAQ (CX)(BX*8), CX // first free slot
	MOVQ src+8(FP), DI
	XORL BX, BX
copy:
	MOVQ (DI)(BX*8), AX
	DELAY
	MOVQ AX, (CX)(BX*8)
	INCQ BX
	CMPQ BX, SI
	JB copy
	DELAY
	MOVQ 0(DX), BX
	ADDQ SI, BX
	DELAY
	MOVQ BX, 0(DX) // commit
	MARK(0x52530302)
	XORL BX, BX
out:
	MOVQ SI, pushed+24(FP)
	SHLQ $8, R11
	ORQ R11, BX
	MOVL BX, st+32(FP)
	RET
full:
	XORL SI, SI
	MOVL $2, BX
	JMP out
stopped:
	XORL SI, SI
	MOVL $3, BX
	JMP out
notready:
	MOVL $6, BX
	TESTQ AX, AX
	JEQ out
unavailable:
	XORL SI, SI
	MOVL $7, BX
	JMP out
	SIGNATURE
	MARK(0x52530303)
	XORL SI, SI
	RETRY

// func PopWords(d *StackDesc, dst *uintptr, n uintptr) (popped uintptr, st Status)
TEXT ·PopWords(SB), NOSPLIT, $0-36
	MOVQ d+0(FP), R9
	XORL SI, SI
	ENTER
retry:
	ARM(·sectionDescs+32)
	MARK(0x52530401)
	DELAY
	CONTROL
	MOVQ 0(DX), SI // count = min(top, n)
	DELAY
	CMPQ SI, n+16(FP)
	JLS counted
	MOVQ n+16(FP), SI
counted:
	DELAY
	TESTQ SI, SI
	JEQ empty
	SLOTS
	MOVQ 0(DX), BX
	SUBQ SI, BX
	LEAQ (CX)(BX*8), CX // first slot to take
	MOVQ dst+8(FP), DI
	XORL BX, BX
copy:
	MOVQ (CX)(BX*8), AX
	DELAY
	MOVQ AX, (DI)(BX*8)
	INCQ BX
	CMPQ BX, SI
	JB copy
	DELAY
	MOVQ 0(DX), BX
	SUBQ SI, BX
	DELAY
	MOVQ BX, 0(DX) // commit
	MARK(0x52530402)
	XORL BX, BX
out:
	MOVQ SI, popped+24(FP)
	SHLQ $8, R11
	ORQ R11, BX
	MOVL BX, st+32(FP)
	RET
empty:
	XORL SI, SI
	MOVL $1, BX
	JMP out
stopped:
	XORL SI, SI
	MOVL $3, BX
	JMP out
notready:
	MOVL $6, BX
	TESTQ AX, AX
	JEQ out
unavailable:
	XORL SI, SI
	MOVL $7, BX
	JMP out
	SIGNATURE
	MARK(0x52530403)
	XORL SI, SI
	RETRY

// HINT corrects the entry stack's top hint (BX, from 0(DX)) to the true top,
// given slots at CX; the hint is never more than one off (see doc.go).
#define HINT \
	MOVQ 0(DX), BX; \
	DELAY; \
	TESTQ BX, BX; \
	JEQ hintup; \
	MOVQ BX, DI; \
	SHLQ $5, DI; \
	CMPQ -32(CX)(DI*1), $0; \
	JNE hintup; \
	DECQ BX; \
	JMP hintdone; \
hintup: \
	CMPQ BX, 8(DX); \
	JAE hintdone; \
	MOVQ BX, DI; \
	SHLQ $5, DI; \
	CMPQ (CX)(DI*1), $0; \
	JEQ hintdone; \
	INCQ BX; \
hintdone: \
	DELAY

// func PushEntry(d *StackDesc, p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr) Status
TEXT ·PushEntry(SB), NOSPLIT, $0-44
	MOVQ d+0(FP), R9
	CMPB runtime·writeBarrier(SB), $0
	JNE gcmarking
	ENTER
retry:
	ARM(·sectionDescs+40)
	MARK(0x52530501)
	DELAY
	CONTROL
	SLOTS
	HINT
	CMPQ BX, 8(DX)
	JAE full
	MOVQ BX, DI
	SHLQ $5, DI
	ADDQ CX, DI // &slot[top]
	MOVQ aux+16(FP), AX
	MOVQ AX, 8(DI)
	DELAY
	MOVQ n0+24(FP), AX
	MOVQ AX, 16(DI)
	DELAY
	MOVQ n1+32(FP), AX
	MOVQ AX, 24(DI)
	DELAY
	INCQ BX
	MOVQ BX, 0(DX) // hint = top+1
	DELAY
	MOVQ p+8(FP), AX
	DELAY
	MOVQ AX, 0(DI) // commit: the slot is live
	MARK(0x52530502)
	XORL BX, BX
out:
	SHLQ $8, R11
	ORQ R11, BX
	MOVL BX, ret+40(FP)
	RET
gcmarking:
	XORL R11, R11
	MOVL $4, BX
	JMP out
full:
	MOVL $2, BX
	JMP out
stopped:
	MOVL $3, BX
	JMP out
notready:
	MOVL $6, BX
	TESTQ AX, AX
	JEQ out
unavailable:
	MOVL $7, BX
	JMP out
	SIGNATURE
	MARK(0x52530503)
	RETRY

// func PopEntry(d *StackDesc) (p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr, st Status)
TEXT ·PopEntry(SB), NOSPLIT, $0-44
	MOVQ d+0(FP), R9
	XORL R11, R11
	CMPB runtime·writeBarrier(SB), $0
	JNE gcmarking
	ENTER
retry:
	ARM(·sectionDescs+48)
	MARK(0x52530601)
	DELAY
	CONTROL
	SLOTS
	HINT
	TESTQ BX, BX
	JEQ empty
	DECQ BX
	MOVQ BX, DI
	SHLQ $5, DI
	ADDQ CX, DI // &slot[top-1]
	MOVQ 0(DI), AX
	MOVQ AX, p+8(FP)
	DELAY
	MOVQ 8(DI), AX
	MOVQ AX, aux+16(FP)
	DELAY
	MOVQ 16(DI), AX
	MOVQ AX, n0+24(FP)
	DELAY
	MOVQ 24(DI), AX
	MOVQ AX, n1+32(FP)
	DELAY
	MOVQ BX, 0(DX) // hint = top-1
	DELAY
	MOVQ $0, 0(DI) // commit: the slot is dead
	MARK(0x52530602)
	XORL BX, BX
	JMP done
gcmarking:
	MOVL $4, BX
	JMP out
empty:
	MOVL $1, BX
	JMP out
stopped:
	MOVL $3, BX
	JMP out
notready:
	MOVL $6, BX
	TESTQ AX, AX
	JEQ out
unavailable:
	MOVL $7, BX
out:
	MOVQ $0, p+8(FP)
	MOVQ $0, aux+16(FP)
	MOVQ $0, n0+24(FP)
	MOVQ $0, n1+32(FP)
done:
	SHLQ $8, R11
	ORQ R11, BX
	MOVL BX, st+40(FP)
	RET
	SIGNATURE
	MARK(0x52530603)
	RETRY

// func ThreadWord() uintptr
TEXT ·ThreadWord(SB), NOSPLIT, $0-8
	LOAD_THREAD_WORD
	MOVQ AX, ret+0(FP)
	RET

// func SetThreadWord(v uintptr)
TEXT ·SetThreadWord(SB), NOSPLIT, $0-8
	MOVQ v+0(FP), AX
	STORE_THREAD_WORD
	RET

// func CurrentIndex() (idx uint32, st Status)
TEXT ·CurrentIndex(SB), NOSPLIT, $0-8
	XORL R11, R11
	ENTER
	MOVL (R8)(R10*1), AX
	MOVL AX, idx+0(FP)
	MOVL $0, st+4(FP)
	RET
notready:
	MOVL $0, idx+0(FP)
	MOVL $6, st+4(FP)
	TESTQ AX, AX
	JEQ ret
unavailable:
	MOVL $0, idx+0(FP)
	MOVL $7, st+4(FP)
ret:
	RET

// func rdpid() uint32
TEXT ·rdpid(SB), NOSPLIT, $0-4
	BYTE $0xF3; BYTE $0x0F; BYTE $0xC7; BYTE $0xF8 // RDPID AX
	MOVL AX, ret+0(FP)
	RET

// func rdtscpAux() uint32
TEXT ·rdtscpAux(SB), NOSPLIT, $0-4
	BYTE $0x0F; BYTE $0x01; BYTE $0xF9 // RDTSCP: TSC_AUX in CX
	MOVL CX, ret+0(FP)
	RET

// func sectionEntries(out *[numSections]*byte)
TEXT ·sectionEntries(SB), NOSPLIT, $0-8
	MOVQ out+0(FP), DI
	LEAQ ·CounterAdd(SB), AX
	MOVQ AX, 0(DI)
	LEAQ ·PushWord(SB), AX
	MOVQ AX, 8(DI)
	LEAQ ·PopWord(SB), AX
	MOVQ AX, 16(DI)
	LEAQ ·PushWords(SB), AX
	MOVQ AX, 24(DI)
	LEAQ ·PopWords(SB), AX
	MOVQ AX, 32(DI)
	LEAQ ·PushEntry(SB), AX
	MOVQ AX, 40(DI)
	LEAQ ·PopEntry(SB), AX
	MOVQ AX, 48(DI)
	RET

// func cpuid(leaf, sub uint32) (a, b, c, d uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL sub+4(FP), CX
	CPUID
	MOVL AX, a+8(FP)
	MOVL BX, b+12(FP)
	MOVL CX, c+16(FP)
	MOVL DX, d+20(FP)
	RET

// func delayInjected() bool
TEXT ·delayInjected(SB), NOSPLIT, $0-1
#ifdef RSEQ_DELAY
	MOVB $1, ret+0(FP)
#else
	MOVB $0, ret+0(FP)
#endif
	RET
