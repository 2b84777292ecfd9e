//go:build linux && amd64 && !purego

#include "go_asm.h"
#include "textflag.h"

// Register roles in every section:
//   R8  the thread's struct rseq area     R9  the *StackDesc
//   R10 offset of the index field (cpu_id or mm_cid) within the area
//   R11 aborts taken so far, times 256 (the status's second byte)
//   CX  the block table                   AX  index, then block
//   DX  the member's top word             DI  the member's first slot
//   R13 the table's length N, until the block is found
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

// ARM stores the section's descriptor into area.rseq_cs. It must be the
// instruction right before start_ip; Build checks its bytes (49 89 40 08).
#define ARM(n) MOVQ ·sectionDescs+((n)*8)(SB), AX; MOVQ AX, 8(R8)

// TAG is section n's marker tag for a role (1 start, 2 post-commit, 3
// abort); n is a section constant from go_asm.h.
#define TAG(n, role) (0x52530000+((n)<<8)+(role))

// DELAY widens a gap so that preemption and signals land inside sections
// (go test -asmflags=...=-D=RSEQ_DELAY). It is empty in normal builds.
#ifdef RSEQ_DELAY
#define DELAY MOVQ ·delaySpins(SB), R12; PAUSE; DECQ R12; JGE -2(PC)
#else
#define DELAY
#endif

// ENTER finds the area (R8) and the index offset (R10), or leaves through notready (AX = 0: unregistered; 1: unusable) or
// unavailable (glibc's registration failed for this thread).
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

// PRELOAD, between the retry label and ARM, loads the table's length N
// (into R13), then the block table, then the member's offsets. N comes
// first: a table grows by a store of Blocks, then one of N, and x86 keeps
// loads in order, so the N read here is never larger than the table read
// after it, whenever the thread is preempted (a stale pair is safe: see
// StackDesc). The DELAY between them (RSEQ_DELAY builds) widens that gap,
// so that TestEntryTableGrowthConservation faults if the loads are swapped.
#define PRELOAD \
	MOVQ StackDesc_N(R9), R13; \
	DELAY; \
	MOVQ StackDesc_Blocks(R9), CX; \
	MOVQ StackDesc_TopOff(R9), DX; \
	MOVQ StackDesc_SlotOff(R9), DI

// BLOCK, first thing in a section, reads the index, checks it against N,
// points AX at its block, leaves if the index is stopped, and turns DX and
// DI into the member's top word and first slot.
#define BLOCK \
	MOVL (R8)(R10*1), AX; \
	DELAY; \
	CMPQ AX, R13; \
	JAE unavailable; \
	MOVQ (CX)(AX*8), AX; \
	DELAY; \
	CMPQ const_StopOff(AX), $0; \
	JNE stopped; \
	ADDQ AX, DX; \
	ADDQ AX, DI; \
	DELAY

// The exits every section shares; OUT stores the status and returns.
#define EXITS(OUT) \
stopped: \
	ORQ $const_Stopped, R11; \
	JMP OUT; \
	ENTER_EXITS(OUT)

// ENTER_EXITS are ENTER's exits, for a TEXT that uses ENTER alone.
#define ENTER_EXITS(OUT) \
notready: \
	TESTQ AX, AX; \
	JNE unavailable; \
	ORQ $const_Unregistered, R11; \
	JMP OUT; \
unavailable: \
	ORQ $const_Unavailable, R11; \
	JMP OUT

// RETRY, right after abort_ip: count the abort, retry or give up.
#define RETRY \
	ADDQ $256, R11; \
	CMPQ R11, $(const_maxRetries*256); \
	JB retry; \
	ORQ $const_Aborted, R11; \
	JMP out

#include "sections.h"

// COPY_WORDS copies SI words (SI > 0) from the array at FROM to the one at
// TO, counting in AX (which must be 0), through BX: the batch sections'
// loop, from the caller's array to the slots or back.
#define COPY_WORDS(FROM, TO) \
copy: \
	MOVQ (FROM)(AX*8), BX; \
	DELAY; \
	MOVQ BX, (TO)(AX*8); \
	INCQ AX; \
	CMPQ AX, SI; \
	JB copy

// Entry stacks are nil-terminated: slot[h] is live exactly when h < the true
// top. Each member's slots are framed by sentinels — slot[-1] always live,
// slot[cap] always nil — so checking slot[h] and slot[h-1] never needs a
// bounds test. The top word is a hint at most one off (see doc.go); the
// FIX labels, jumped over on entry, move it by one until both checks pass.
#define FIX(check) \
	JMP check; \
hintup: \
	INCQ BX; \
	JMP check; \
hintdown: \
	DECQ BX

// SLOT points SI at slot[BX] (entries are 32 bytes).
#define SLOT \
	MOVQ BX, SI; \
	SHLQ $5, SI; \
	ADDQ DI, SI

// PUSH_FIND is a push section up to its free slot (SI), after its
// prologue; n is the section's constant (build_linux.go): the hint (BX);
// slot[h] live means the hint is one low, slot[h-1] dead that it is one
// high; a full stack leaves. Its argument names are PushEntry's, and
// PUSH_COMMIT's too: every TEXT that uses them must have PushEntry's frame
// up to aux (PushEntry, PushPointers), as the pops must have PopEntry's up
// to aux. go vet's asmdecl does not check lines inside a #define, which is
// why the macros stand before the first TEXT and the frames are stated
// here.
#define PUSH_FIND(n) \
	BEGIN(n); \
	MOVQ 0(DX), BX; \
	FIX(check); \
check: \
	SLOT; \
	CMPQ 0(SI), $0; \
	JNE hintup; \
	CMPQ -32(SI), $0; \
	JEQ hintdown; \
	CMPQ BX, 8(DX); \
	JAE full; \
	DELAY

// PUSH_COMMIT, once the slot's other words are in: the hint becomes top+1,
// and the store of P_IN (the frame's p, or PushAny's data word), which
// makes the slot live, commits.
#define PUSH_COMMIT(n, P_IN) \
	INCQ BX; \
	DELAY; \
	MOVQ BX, 0(DX); \
	MOVQ P_IN, AX; \
	DELAY; \
	MOVQ AX, 0(SI); \
	MARK(TAG(n, 2))

// PUSH_EXITS(ret) ends a push whose status result is at ret(FP).
#define PUSH_EXITS(n, ret) \
out: \
	MOVL R11, ret(FP); \
	RET; \
full: \
	ORQ $const_Full, R11; \
	JMP out; \
	END(n)

// PUSH_ENTRY is the push section of a whole entry: aux, n0 and n1 go into
// the free slot before the commit.
#define PUSH_ENTRY(n) \
	PUSH_FIND(n); \
	MOVQ aux+16(FP), AX; \
	MOVQ AX, 8(SI); \
	MOVQ n0+24(FP), AX; \
	MOVQ AX, 16(SI); \
	MOVQ n1+32(FP), AX; \
	MOVQ AX, 24(SI); \
	PUSH_COMMIT(n, p+8(FP)); \
	PUSH_EXITS(n, ret+40)

// POP_FIND is a pop section up to its commit, after its prologue: the
// hint is fixed as in PUSH_FIND (an empty stack leaves), and the top
// slot's P and aux are copied out, to P_OUT and AUX_OUT (the frame's p and
// aux, or PopAny's data and type words).
#define POP_FIND(n, P_OUT, AUX_OUT) \
	BEGIN(n); \
	MOVQ 0(DX), BX; \
	FIX(check); \
check: \
	SLOT; \
	CMPQ 0(SI), $0; \
	JNE hintup; \
	TESTQ BX, BX; \
	JEQ empty; \
	CMPQ -32(SI), $0; \
	JEQ hintdown; \
	DELAY; \
	MOVQ -32(SI), AX; \
	MOVQ AX, P_OUT; \
	MOVQ -24(SI), AX; \
	MOVQ AX, AUX_OUT

// POP_COMMIT: the hint becomes top-1, and the store of nil into the slot's
// P, which makes it dead, commits.
#define POP_COMMIT(n) \
	DECQ BX; \
	DELAY; \
	MOVQ BX, 0(DX); \
	DELAY; \
	MOVQ $0, -32(SI); \
	MARK(TAG(n, 2))

// POP_ENTRY is the pop section of a whole entry: n0 and n1 are copied out
// too.
#define POP_ENTRY(n) \
	POP_FIND(n, p+8(FP), aux+16(FP)); \
	MOVQ -16(SI), AX; \
	MOVQ AX, n0+24(FP); \
	MOVQ -8(SI), AX; \
	MOVQ AX, n1+32(FP); \
	POP_COMMIT(n); \
	MOVL R11, st+40(FP); \
	RET; \
empty: \
	ORQ $const_Empty, R11; \
out: \
	MOVQ $0, p+8(FP); \
	MOVQ $0, aux+16(FP); \
	MOVQ $0, n0+24(FP); \
	MOVQ $0, n1+32(FP); \
	MOVL R11, st+40(FP); \
	RET; \
	END(n)

// GATE begins a gated section's TEXT (R9 = d): while the write barrier is
// on, the collector marking, it leaves through GATE_EXIT, placed after the
// section's END, touching nothing but the status (GCMarking).
#define GATE \
	MOVQ d+0(FP), R9; \
	XORL R11, R11; \
	CMPB runtime·writeBarrier(SB), $0; \
	JNE gcmarking

#define GATE_EXIT \
gcmarking: \
	ORQ $const_GCMarking, R11; \
	JMP out

// ANY_DESC(ROOT) begins an interface or typed section (PopAny, PushAny,
// and the typed sections once their layout is known): ANY_HOLDER, then
// HOLDER_DESC.
#define ANY_DESC(ROOT) \
	ANY_HOLDER(ROOT); \
	HOLDER_DESC

// ANY_HOLDER(ROOT): R9 = the holder of the root in ROOT, or it leaves for
// miss.
#define ANY_HOLDER(ROOT) \
	MOVQ ROOT, R9; \
	MOVQ AnyRoot_Holder(R9), R9; \
	TESTQ R9, R9; \
	JEQ miss

// HOLDER_DESC: R9 = the holder's (R9) descriptor. With the write barrier
// on, it leaves for miss; with no descriptor, for private, R9 still the
// holder.
#define HOLDER_DESC \
	MOVQ AnyHolder_Desc(R9), AX; \
	TESTQ AX, AX; \
	JEQ private; \
	MOVQ AX, R9; \
	CMPB runtime·writeBarrier(SB), $0; \
	JNE miss

// ANY_PRIVATE, at an interface section's private label: CX = the calling
// P's part of the holder's (R9) private parts, or it leaves for miss.
#define ANY_PRIVATE \
	MOVQ AnyHolder_Private(R9), R9; \
	TESTQ R9, R9; \
	JEQ miss; \
	PRIVATE_PART

// func CounterAdd(d *StackDesc, delta int64) Status
TEXT ·CounterAdd(SB), NOSPLIT, $0-20
	MOVQ d+0(FP), R9
	MOVQ delta+8(FP), SI
	BEGIN(const_sectionCounterAdd)
	ADDQ SI, 0(DX) // commit
	MARK(TAG(const_sectionCounterAdd, 2))
out:
	MOVL R11, ret+16(FP)
	RET
	END(const_sectionCounterAdd)

// func PushWord(d *StackDesc, v uintptr) Status
TEXT ·PushWord(SB), NOSPLIT, $0-20
	MOVQ d+0(FP), R9
	MOVQ v+8(FP), SI
	BEGIN(const_sectionPushWord)
	MOVQ 0(DX), BX // top
	CMPQ BX, 8(DX)
	JAE full
	DELAY
	MOVQ SI, (DI)(BX*8)
	INCQ BX
	DELAY
	MOVQ BX, 0(DX) // commit
	MARK(TAG(const_sectionPushWord, 2))
out:
	MOVL R11, ret+16(FP)
	RET
full:
	ORQ $const_Full, R11
	JMP out
	END(const_sectionPushWord)

// func PopWord(d *StackDesc) (v uintptr, st Status)
TEXT ·PopWord(SB), NOSPLIT, $0-20
	MOVQ d+0(FP), R9
	BEGIN(const_sectionPopWord)
	MOVQ 0(DX), BX // top
	TESTQ BX, BX
	JEQ empty
	DELAY
	MOVQ -8(DI)(BX*8), SI
	DECQ BX
	DELAY
	MOVQ BX, 0(DX) // commit
	MARK(TAG(const_sectionPopWord, 2))
	MOVQ SI, v+8(FP)
	MOVL R11, st+16(FP)
	RET
empty:
	ORQ $const_Empty, R11
out:
	MOVQ $0, v+8(FP)
	MOVL R11, st+16(FP)
	RET
	END(const_sectionPopWord)

// func PushWords(d *StackDesc, src *uintptr, n uintptr) (pushed uintptr, st Status)
TEXT ·PushWords(SB), NOSPLIT, $0-36
	MOVQ d+0(FP), R9
	BEGIN(const_sectionPushWords)
	MOVQ 0(DX), BX // top
	MOVQ 8(DX), SI
	SUBQ BX, SI // room
	JLS full
	CMPQ SI, n+16(FP)
	JLS counted
	MOVQ n+16(FP), SI
counted:
	DELAY
	LEAQ (DI)(BX*8), DI // first free slot
	MOVQ src+8(FP), R13
	XORL AX, AX
	COPY_WORDS(R13, DI)
	MOVQ 0(DX), BX
	ADDQ SI, BX
	DELAY
	MOVQ BX, 0(DX) // commit
	MARK(TAG(const_sectionPushWords, 2))
	MOVQ SI, pushed+24(FP)
	MOVL R11, st+32(FP)
	RET
full:
	ORQ $const_Full, R11
out:
	MOVQ $0, pushed+24(FP)
	MOVL R11, st+32(FP)
	RET
	END(const_sectionPushWords)

// func PopWords(d *StackDesc, dst *uintptr, n uintptr) (popped uintptr, st Status)
TEXT ·PopWords(SB), NOSPLIT, $0-36
	MOVQ d+0(FP), R9
	BEGIN(const_sectionPopWords)
	MOVQ 0(DX), BX // top
	MOVQ BX, SI // count = min(top, n)
	CMPQ SI, n+16(FP)
	JLS counted
	MOVQ n+16(FP), SI
counted:
	TESTQ SI, SI
	JEQ empty
	DELAY
	SUBQ SI, BX
	LEAQ (DI)(BX*8), DI // first slot to take
	MOVQ dst+8(FP), R13
	XORL AX, AX
	COPY_WORDS(DI, R13)
	MOVQ 0(DX), BX
	SUBQ SI, BX
	DELAY
	MOVQ BX, 0(DX) // commit
	MARK(TAG(const_sectionPopWords, 2))
	MOVQ SI, popped+24(FP)
	MOVL R11, st+32(FP)
	RET
empty:
	ORQ $const_Empty, R11
out:
	MOVQ $0, popped+24(FP)
	MOVL R11, st+32(FP)
	RET
	END(const_sectionPopWords)

// func PushEntry(d *StackDesc, p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr) Status
TEXT ·PushEntry(SB), NOSPLIT, $0-44
	GATE
	PUSH_ENTRY(const_sectionPushEntry)
	GATE_EXIT

// func PopEntry(d *StackDesc) (p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr, st Status)
TEXT ·PopEntry(SB), NOSPLIT, $0-44
	GATE
	POP_ENTRY(const_sectionPopEntry)
	GATE_EXIT

// The pointer sections: PushEntry and PopEntry for a member whose entries
// all have N0 and N1 zero (a Pool's interfaces, a PoolOf's pointers, a
// Buffers class's arrays), which neither writes nor reads those words: in
// such a member they are zero in every slot. Two words fewer to pass and
// to copy each way make a Pool's Get+Put pair 5–12% faster (docs/rseq.md,
// "Pointer sections").

// func PushPointers(d *StackDesc, p unsafe.Pointer, aux unsafe.Pointer) Status
TEXT ·PushPointers(SB), NOSPLIT, $0-28
	GATE
	PUSH_FIND(const_sectionPushPointers)
	MOVQ aux+16(FP), AX
	MOVQ AX, 8(SI)
	PUSH_COMMIT(const_sectionPushPointers, p+8(FP))
	PUSH_EXITS(const_sectionPushPointers, ret+24)
	GATE_EXIT

// func PopPointers(d *StackDesc) (p unsafe.Pointer, aux unsafe.Pointer, st Status)
TEXT ·PopPointers(SB), NOSPLIT, $0-28
	GATE
	POP_FIND(const_sectionPopPointers, p+8(FP), aux+16(FP))
	POP_COMMIT(const_sectionPopPointers)
	MOVL R11, st+24(FP)
	RET
empty:
	ORQ $const_Empty, R11
out:
	MOVQ $0, p+8(FP)
	MOVQ $0, aux+16(FP)
	MOVL R11, st+24(FP)
	RET
	END(const_sectionPopPointers)
	GATE_EXIT

// The marking twins: the same sections without the write-barrier gate.
// Only package rseq calls them, with the goroutine pinned to its P and the
// pointers shaded (see PushEntryMarking in sections_linux.go).

// func PushEntryMarking(d *StackDesc, p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr) Status
TEXT ·PushEntryMarking(SB), NOSPLIT, $0-44
	MOVQ d+0(FP), R9
	PUSH_ENTRY(const_sectionPushEntryMarking)

// func PopEntryMarking(d *StackDesc) (p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr, st Status)
TEXT ·PopEntryMarking(SB), NOSPLIT, $0-44
	MOVQ d+0(FP), R9
	POP_ENTRY(const_sectionPopEntryMarking)

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
	ENTER
	MOVL (R8)(R10*1), AX
	MOVL AX, idx+0(FP)
	MOVL $0, st+4(FP)
	RET
out:
	MOVL $0, idx+0(FP)
	MOVL R11, st+4(FP)
	RET
	ENTER_EXITS(out)

// func CurrentCPUID() (cpu uint32, st Status)
TEXT ·CurrentCPUID(SB), NOSPLIT, $0-8
	ENTER
	MOVL CX, cpu+0(FP)
	MOVL $0, st+4(FP)
	RET
out:
	MOVL $0, cpu+0(FP)
	MOVL R11, st+4(FP)
	RET
	ENTER_EXITS(out)

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

// func sectionEntries(out *[numSections]*byte)
TEXT ·sectionEntries(SB), NOSPLIT, $0-8
	MOVQ out+0(FP), DI
	LEAQ ·CounterAdd(SB), AX
	MOVQ AX, (const_sectionCounterAdd*8)(DI)
	LEAQ ·PushWord(SB), AX
	MOVQ AX, (const_sectionPushWord*8)(DI)
	LEAQ ·PopWord(SB), AX
	MOVQ AX, (const_sectionPopWord*8)(DI)
	LEAQ ·PushWords(SB), AX
	MOVQ AX, (const_sectionPushWords*8)(DI)
	LEAQ ·PopWords(SB), AX
	MOVQ AX, (const_sectionPopWords*8)(DI)
	LEAQ ·PushPointers(SB), AX
	MOVQ AX, (const_sectionPushPointers*8)(DI)
	LEAQ ·PopPointers(SB), AX
	MOVQ AX, (const_sectionPopPointers*8)(DI)
	LEAQ ·PushEntry(SB), AX
	MOVQ AX, (const_sectionPushEntry*8)(DI)
	LEAQ ·PopEntry(SB), AX
	MOVQ AX, (const_sectionPopEntry*8)(DI)
	LEAQ ·PushEntryMarking(SB), AX
	MOVQ AX, (const_sectionPushEntryMarking*8)(DI)
	LEAQ ·PopEntryMarking(SB), AX
	MOVQ AX, (const_sectionPopEntryMarking*8)(DI)
	LEAQ ·PopAny(SB), AX
	MOVQ AX, (const_sectionPopAny*8)(DI)
	LEAQ ·PushAny(SB), AX
	MOVQ AX, (const_sectionPushAny*8)(DI)
	LEAQ ·PopOf(SB), AX
	MOVQ AX, (const_sectionPopOf*8)(DI)
	LEAQ ·PushOf(SB), AX
	MOVQ AX, (const_sectionPushOf*8)(DI)
	LEAQ ·popOfWords(SB), AX
	MOVQ AX, (const_sectionPopOfWords*8)(DI)
	LEAQ ·pushOfWords(SB), AX
	MOVQ AX, (const_sectionPushOfWords*8)(DI)
	RET

// The private sections: the fallback's hit path, on the calling P's part
// of a shard (private_linux.go). Not restartable sequences: a
// NOSPLIT assembly function with no call is never preempted, so nothing
// else runs on its P until it returns. R9 = parts, AX = the P id, CX = the
// part, BX = its N, SI = the slot.

// PRIVATE_PART points CX at the calling P's part of parts (R9), or leaves
// for miss with the status in DX: Unavailable (not ready), GCMarking (the
// write barrier on) or Stopped (no part for the P id, or the part not the
// P's own). (A MOV between a compare and its jump leaves the flags alone.)
#define PRIVATE_PART \
	CMPB ·privateReady(SB), $0; \
	MOVL $const_Unavailable, DX; \
	JEQ miss; \
	CMPB runtime·writeBarrier(SB), $0; \
	MOVL $const_GCMarking, DX; \
	JNE miss; \
	MOVQ const_gMOffset(R14), AX; \
	MOVQ const_mPOffset(AX), AX; \
	MOVLQSX 0(AX), AX; \
	CMPQ AX, (PrivateParts_Parts+8)(R9); \
	MOVL $const_Stopped, DX; \
	JAE miss; \
	MOVQ PrivateParts_Parts(R9), CX; \
	MOVQ (CX)(AX*8), CX; \
	CMPL PrivatePart_State(CX), $0; \
	JNE miss

// PRIVATE_PUSH pushes P_IN and AUX_IN onto the part (CX), or leaves for
// miss with Full in DX.
#define PRIVATE_PUSH(P_IN, AUX_IN) \
	MOVQ PrivatePart_N(CX), BX; \
	CMPQ BX, (PrivatePart_Slots+8)(CX); \
	MOVL $const_Full, DX; \
	JAE miss; \
	MOVQ BX, SI; \
	SHLQ $5, SI; \
	ADDQ PrivatePart_Slots(CX), SI; \
	MOVQ P_IN, AX; \
	MOVQ AX, 0(SI); \
	MOVQ AUX_IN, AX; \
	MOVQ AX, 8(SI); \
	INCQ BX; \
	MOVQ BX, PrivatePart_N(CX)

// PRIVATE_POP pops the part's (CX) newest entry into P_OUT and AUX_OUT,
// clearing its slot (the part holds no reference to what it handed out),
// or leaves for miss with Empty in DX. Entries are 32 bytes.
#define PRIVATE_POP(P_OUT, AUX_OUT) \
	MOVQ PrivatePart_N(CX), BX; \
	TESTQ BX, BX; \
	MOVL $const_Empty, DX; \
	JEQ miss; \
	DECQ BX; \
	MOVQ BX, PrivatePart_N(CX); \
	MOVQ BX, SI; \
	SHLQ $5, SI; \
	ADDQ PrivatePart_Slots(CX), SI; \
	MOVQ 0(SI), AX; \
	MOVQ AX, P_OUT; \
	MOVQ 8(SI), AX; \
	MOVQ AX, AUX_OUT; \
	MOVQ $0, 0(SI); \
	MOVQ $0, 8(SI)

// func PushPrivate(parts *PrivateParts, p unsafe.Pointer, aux unsafe.Pointer) Status
TEXT ·PushPrivate(SB), NOSPLIT, $0-28
	MOVQ parts+0(FP), R9
	PRIVATE_PART
	PRIVATE_PUSH(p+8(FP), aux+16(FP))
	MOVL $const_Committed, ret+24(FP)
	RET
miss:
	MOVL DX, ret+24(FP)
	RET

// func PopPrivate(parts *PrivateParts) (p unsafe.Pointer, aux unsafe.Pointer, st Status)
TEXT ·PopPrivate(SB), NOSPLIT, $0-28
	MOVQ parts+0(FP), R9
	PRIVATE_PART
	PRIVATE_POP(p+8(FP), aux+16(FP))
	MOVL $const_Committed, st+24(FP)
	RET
miss:
	MOVQ $0, p+8(FP)
	MOVQ $0, aux+16(FP)
	MOVL DX, st+24(FP)
	RET

// func privateProbe() (gp uintptr, m uintptr, curg uintptr, p uintptr, id int32)
TEXT ·privateProbe(SB), NOSPLIT, $0-36
	MOVQ R14, AX
	MOVQ AX, gp+0(FP)
	MOVQ $0, m+8(FP)
	MOVQ $0, curg+16(FP)
	MOVQ $0, p+24(FP)
	MOVL $-1, id+32(FP)
	TESTQ AX, AX
	JEQ done
	MOVQ const_gMOffset(AX), BX
	MOVQ BX, m+8(FP)
	MOVQ const_mCurgOffset(BX), CX
	MOVQ CX, curg+16(FP)
	CMPQ CX, AX
	JNE done
	MOVQ const_mPOffset(BX), DX
	MOVQ DX, p+24(FP)
	TESTQ DX, DX
	JEQ done
	MOVL 0(DX), DX
	MOVL DX, id+32(FP)
done:
	RET

// The interface sections, PopAny and PushAny: a Pool's whole hit path in
// one call (any.go). From root (R9), its first word, the holder, and the
// holder's descriptor; with sections, PopPointers or PushPointers on it,
// the interface's type word as aux and its data word as P; with no
// descriptor, the private section on the holder's private parts. Every
// miss (no holder, no descriptor and no parts, the write barrier on, any
// status but a clean commit) continues in Go as a tail call with the same
// frame: popAnyMiss or pushAnyMiss, which return to the caller.
//
// The jump is safe because the frame is the same: the arguments are where
// the Go function's ABI0 wrapper reads them, and the return address on the
// stack is PopAny's caller's. PopAny copies the slot's words into its
// result before the commit; a pop that then aborts or misses leaves them
// there for popAnyMiss's wrapper to overwrite with its own result, and
// until it does nothing scans them (no safe point falls between, and a
// frame's results are not live during the call that produces them).

// func PopAny(root *AnyRoot) (x any)
TEXT ·PopAny(SB), NOSPLIT, $0-24
	ANY_DESC(root+0(FP))
	POP_FIND(const_sectionPopAny, x_data+16(FP), x_type+8(FP))
	POP_COMMIT(const_sectionPopAny)
	RET
empty:
out:
	JMP miss
	END(const_sectionPopAny)
private:
	ANY_PRIVATE
	PRIVATE_POP(x_data+16(FP), x_type+8(FP))
	RET
miss:
	JMP ·popAnyMiss(SB)

// func PushAny(root *AnyRoot, x any)
TEXT ·PushAny(SB), NOSPLIT, $0-24
	CMPQ x_data+16(FP), $0
	JEQ miss
	ANY_DESC(root+0(FP))
	PUSH_FIND(const_sectionPushAny)
	MOVQ x_type+8(FP), AX
	MOVQ AX, 8(SI)
	PUSH_COMMIT(const_sectionPushAny, x_data+16(FP))
	RET
full:
out:
	JMP miss
	END(const_sectionPushAny)
private:
	ANY_PRIVATE
	PRIVATE_PUSH(x_data+16(FP), x_type+8(FP))
	RET
miss:
	JMP ·pushAnyMiss(SB)

// The typed sections, a typed pool's hit path in one call (any.go): the
// root is the pool interface's data word, the holder's Layout says how a
// value's words make an entry. PopOf and PushOf are the sections of a
// pointer, the entry's P; for the other layouts they jump to popOfWords
// and pushOfWords, with the same frame. A value leaves PopOf through out,
// stored after the commit (the words wait in free registers until then:
// nothing scans the registers of a NOSPLIT assembly function, which has no
// safe point, and out is on the caller's stack, where a store needs no
// write barrier), and comes into PushOf as an interface's data word: the
// pointer itself, or the address of the slice or string. The slot's aux is
// nil: PushOf stores nil there, and PopOf does not read it. A nil pointer,
// and a slice or string with no data, goes to the miss path, which drops
// it. The tail jumps are safe as PopAny's and PushAny's.

// func PopOf(pool TypedPool, out unsafe.Pointer)
TEXT ·PopOf(SB), NOSPLIT, $0-24
	ANY_HOLDER(pool_data+8(FP))
	CMPQ AnyHolder_Layout(R9), $const_LayoutPointer
	JNE words
	HOLDER_DESC
	POP_FIND(const_sectionPopOf, CX, AX)
	POP_COMMIT(const_sectionPopOf)
	MOVQ out+16(FP), AX
	MOVQ CX, 0(AX)
	RET
empty:
out:
	JMP miss
	END(const_sectionPopOf)
private:
	ANY_PRIVATE
	PRIVATE_POP(DI, AX)
	MOVQ out+16(FP), AX
	MOVQ DI, 0(AX)
	RET
words:
	JMP ·popOfWords(SB)
miss:
	JMP ·popOfMiss(SB)

// func popOfWords(pool TypedPool, out unsafe.Pointer)
TEXT ·popOfWords(SB), NOSPLIT, $0-24
	ANY_DESC(pool_data+8(FP))
	POP_FIND(const_sectionPopOfWords, CX, AX)
	MOVQ -16(SI), DI
	MOVQ -8(SI), R13
	POP_COMMIT(const_sectionPopOfWords)
	JMP store
empty:
out:
	JMP miss
	END(const_sectionPopOfWords)
private:
	ANY_PRIVATE
	PRIVATE_POP(R8, AX)
	MOVQ R8, CX
	MOVQ 16(SI), DI
	MOVQ 24(SI), R13
store:
	// The entry is CX (P), AX (aux), DI (N0), R13 (N1); out gets the
	// value's words as its layout says.
	MOVQ out+16(FP), R8
	MOVQ pool_data+8(FP), BX
	MOVQ AnyRoot_Holder(BX), BX
	MOVQ AnyHolder_Layout(BX), BX
	CMPQ BX, $const_LayoutString
	JA notslice
	MOVQ CX, 0(R8)
	MOVQ DI, 8(R8)
	JEQ done
	MOVQ R13, 16(R8)
	RET
notslice:
	CMPQ BX, $const_LayoutEface
	JEQ eface
	MOVQ DI, 0(R8)
	CMPQ BX, $const_LayoutWord
	JEQ done
	MOVQ R13, 8(R8)
	RET
eface:
	MOVQ AX, 0(R8)
	MOVQ CX, 8(R8)
done:
	RET
miss:
	JMP ·popOfMiss(SB)

// func PushOf(pool TypedPool, x any)
TEXT ·PushOf(SB), NOSPLIT, $0-32
	ANY_HOLDER(pool_data+8(FP))
	CMPQ AnyHolder_Layout(R9), $const_LayoutPointer
	JNE words
	CMPQ x_data+24(FP), $0
	JEQ miss
	HOLDER_DESC
	PUSH_FIND(const_sectionPushOf)
	MOVQ $0, 8(SI)
	PUSH_COMMIT(const_sectionPushOf, x_data+24(FP))
	RET
full:
out:
	JMP miss
	END(const_sectionPushOf)
private:
	ANY_PRIVATE
	PRIVATE_PUSH(x_data+24(FP), $0)
	RET
words:
	JMP ·pushOfWords(SB)
miss:
	JMP ·pushOfMiss(SB)

// WORDS_IN(notslice, eface, in) makes the entry of x's value, as the
// holder's layout says, in CX (P), AX (aux), DI (N0) and R13 (N1): a slice
// or string from the words x's data word points to; one or two words
// without pointers the same way, with InlineMarker as P; an empty
// interface from x itself. Its labels are its arguments, so that a TEXT
// can use it twice.
#define WORDS_IN(notslice, eface, in) \
	MOVQ pool_data+8(FP), AX; \
	MOVQ AnyRoot_Holder(AX), AX; \
	MOVQ AnyHolder_Layout(AX), AX; \
	MOVQ x_data+24(FP), CX; \
	XORL DI, DI; \
	XORL R13, R13; \
	CMPQ AX, $const_LayoutString; \
	JA notslice; \
	MOVQ 8(CX), DI; \
	JEQ 2(PC); \
	MOVQ 16(CX), R13; \
	MOVQ 0(CX), CX; \
	XORL AX, AX; \
	JMP in; \
notslice: \
	CMPQ AX, $const_LayoutEface; \
	JEQ eface; \
	MOVQ 0(CX), DI; \
	CMPQ AX, $const_LayoutWord; \
	JEQ 2(PC); \
	MOVQ 8(CX), R13; \
	LEAQ ·InlineMarker(SB), CX; \
	XORL AX, AX; \
	JMP in; \
eface: \
	MOVQ x_type+16(FP), AX; \
in:

// func pushOfWords(pool TypedPool, x any)
TEXT ·pushOfWords(SB), NOSPLIT, $0-32
	// A value with no data pointer (a nil slice, an empty string, a nil
	// interface) goes to the miss path, which drops it.
	ANY_HOLDER(pool_data+8(FP))
	MOVQ AnyHolder_Layout(R9), BX
	MOVQ x_data+24(FP), AX
	CMPQ BX, $const_LayoutEface
	JEQ checked
	CMPQ BX, $const_LayoutWord
	JAE held
	MOVQ 0(AX), AX
checked:
	TESTQ AX, AX
	JEQ miss
held:
	HOLDER_DESC
	PUSH_FIND(const_sectionPushOfWords)
	WORDS_IN(notslice, eface, in)
	MOVQ AX, 8(SI)
	MOVQ DI, 16(SI)
	MOVQ R13, 24(SI)
	PUSH_COMMIT(const_sectionPushOfWords, CX)
	RET
full:
out:
	JMP miss
	END(const_sectionPushOfWords)
private:
	ANY_PRIVATE
	MOVQ PrivatePart_N(CX), BX
	CMPQ BX, (PrivatePart_Slots+8)(CX)
	JAE miss
	MOVQ CX, R10
	MOVQ BX, SI
	SHLQ $5, SI
	ADDQ PrivatePart_Slots(CX), SI
	WORDS_IN(pnotslice, peface, pin)
	MOVQ CX, 0(SI)
	MOVQ AX, 8(SI)
	MOVQ DI, 16(SI)
	MOVQ R13, 24(SI)
	INCQ BX
	MOVQ BX, PrivatePart_N(R10)
	RET
miss:
	JMP ·pushOfMiss(SB)
