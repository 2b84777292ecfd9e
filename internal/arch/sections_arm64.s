//go:build linux && arm64 && !purego

#include "go_asm.h"
#include "textflag.h"

// Register roles in every section:
//   R8  the thread's struct rseq area     R9  the *StackDesc
//   R10 offset of the index field (cpu_id or mm_cid) within the area
//   R11 aborts taken so far, times 256 (the status's second byte)
//   R2  the block table                   R3  index, then block
//   R4  the member's top word             R5  the member's first slot
//   R6  top                               R7  the value pushed or popped
//   R12, R13 scratch (R13 holds N until the block is found)
//   R16 delay loops only
// R18 (platform), R26–R30 (context, REGTMP, g, FP, LR) are never touched.

// A 4-byte executed no-op (MOVZ XZR, #tag) that Build searches for.
#define MARK(tag) WORD $(0xD280001F | ((tag)<<5))

// BRK #0x45e0: the registration signature, right before abort_ip.
#define SIGNATURE WORD $0xd428bc00

// ARM stores the section's descriptor into area.rseq_cs. It must be the
// instruction right before start_ip; Build checks its bytes (STR X1, [X8, #8]).
#define ARM(n) MOVD ·sectionDescs+((n)*8)(SB), R1; MOVD R1, 8(R8)

// TAG is section n's marker tag for a role (1 start, 2 post-commit, 3
// abort); n is a section constant from go_asm.h.
#define TAG(n, role) (0x5000|((n)<<4)|(role))

#ifdef RSEQ_DELAY
#define DELAY MOVD ·delaySpins(SB), R16; SUBS $1, R16, R16; BGE -1(PC)
#else
#define DELAY
#endif

// ENTER finds the area (R8) and the index offset (R10), or leaves through
// notready (R0 = 0: unregistered; 1: unusable) or unavailable. Own mode
// keeps the area in m.tls[1] (g is R28; g.m is at +48, m.tls[1] at +136);
// glibc's is at TPIDR_EL0 plus __rseq_offset.
#define ENTER \
	MOVD $0, R11; \
	MOVBU ·viaThreadPointer(SB), R0; \
	CBNZ R0, enterTP; \
	MOVD 48(g), R0; \
	MOVD 136(R0), R0; \
	CMP $1, R0; \
	BLS notready; \
	B enterArea; \
enterTP: \
	MRS TPIDR_EL0, R0; \
	MOVD ·areaAdjust(SB), R1; \
	ADD R1, R0, R0; \
enterArea: \
	MOVW 4(R0), R1; \
	TBNZ $63, R1, unavailable; \
	MOVD R0, R8; \
	MOVD ·indexOffset(SB), R10

// PRELOAD, between the retry label and ARM, loads the table's length N
// (into R13), then the block table, then the member's offsets. N must be
// read first: a table grows by a store of Blocks, then one of N. arm64 may
// reorder loads, but not a load after one its address depends on, so the
// table's address is made to depend on N (R2 = N^N, plus the descriptor).
// Then the N read here is never larger than the table read after it,
// whenever the thread is preempted (a stale pair is safe: see StackDesc).
// The DELAY between them (RSEQ_DELAY builds) widens that gap, so that
// TestEntryTableGrowthConservation faults if the loads are swapped.
#define PRELOAD \
	MOVD StackDesc_N(R9), R13; \
	DELAY; \
	EOR R13, R13, R2; \
	ADD R9, R2, R2; \
	MOVD StackDesc_Blocks(R2), R2; \
	MOVD StackDesc_TopOff(R9), R4; \
	MOVD StackDesc_SlotOff(R9), R5

// BLOCK, first thing in a section, reads the index, checks it against N,
// points R3 at its block, leaves if the index is stopped, and turns R4 and
// R5 into the member's top word and first slot. The stop word (zero when
// we get past it) is added into the block address: that address dependency
// orders every later load after the stop word's load, so a thread that
// restarted the family with a release store is seen whole (arm64 may
// reorder loads).
#define BLOCK \
	MOVWU (R8)(R10), R3; \
	DELAY; \
	CMP R13, R3; \
	BHS unavailable; \
	MOVD (R2)(R3<<3), R3; \
	DELAY; \
	MOVD const_StopOff(R3), R12; \
	CBNZ R12, stopped; \
	ADD R12, R3, R3; \
	ADD R3, R4, R4; \
	ADD R3, R5, R5; \
	DELAY

#define EXITS(OUT) \
stopped: \
	ORR $const_Stopped, R11, R11; \
	B OUT; \
	ENTER_EXITS(OUT)

// ENTER_EXITS are ENTER's exits, for a TEXT that uses ENTER alone.
#define ENTER_EXITS(OUT) \
notready: \
	CBNZ R0, unavailable; \
	ORR $const_Unregistered, R11, R11; \
	B OUT; \
unavailable: \
	ORR $const_Unavailable, R11, R11; \
	B OUT

#define RETRY \
	ADD $256, R11, R11; \
	CMP $(const_maxRetries*256), R11; \
	BLO retry; \
	ORR $const_Aborted, R11, R11; \
	B out

#include "sections.h"

// COPY_WORDS copies R7 words (R7 > 0) from the array at FROM to the one at
// TO, counting in R3 (which must be 0), through R12: the batch sections'
// loop, from the caller's array to the slots or back.
#define COPY_WORDS(FROM, TO) \
copy: \
	MOVD (FROM)(R3<<3), R12; \
	DELAY; \
	MOVD R12, (TO)(R3<<3); \
	ADD $1, R3, R3; \
	CMP R7, R3; \
	BLO copy

// Entry stacks: see sections_amd64.s. FIX, jumped over on entry, moves the
// hint by one until slot[h] is dead and slot[h-1] live (sentinels frame
// every stack, so neither check needs a bounds test).
#define FIX(check) \
	B check; \
hintup: \
	ADD $1, R6, R6; \
	B check; \
hintdown: \
	SUB $1, R6, R6

// PUSH_FIND, PUSH_COMMIT and PUSH_EXITS, POP_FIND and POP_COMMIT make the
// entry sections after their prologue, as in sections_amd64.s; n is the
// section's constant (build_linux.go). Every function that uses them has
// PushEntry's or PopEntry's frame up to aux. R13 is the slot, R6 the hint;
// the commit is the store of p (push) or of nil (pop) into the slot's P.
#define PUSH_FIND(n) \
	BEGIN(n); \
	MOVD (R4), R6; \
	FIX(check); \
check: \
	ADD R6<<5, R5, R13; \
	MOVD (R13), R12; \
	CBNZ R12, hintup; \
	MOVD -32(R13), R12; \
	CBZ R12, hintdown; \
	MOVD 8(R4), R12; \
	CMP R12, R6; \
	BHS full; \
	DELAY

#define PUSH_COMMIT(n, P_IN) \
	ADD $1, R6, R6; \
	DELAY; \
	MOVD R6, (R4); \
	MOVD P_IN, R12; \
	DELAY; \
	MOVD R12, (R13); \
	MARK(TAG(n, 2))

#define PUSH_EXITS(n, ret) \
out: \
	MOVW R11, ret(FP); \
	RET; \
full: \
	ORR $const_Full, R11, R11; \
	B out; \
	END(n)

#define PUSH_ENTRY(n) \
	PUSH_FIND(n); \
	MOVD aux+16(FP), R12; \
	MOVD R12, 8(R13); \
	MOVD n0+24(FP), R12; \
	MOVD R12, 16(R13); \
	MOVD n1+32(FP), R12; \
	MOVD R12, 24(R13); \
	PUSH_COMMIT(n, p+8(FP)); \
	PUSH_EXITS(n, ret+40)

#define POP_FIND(n, P_OUT, AUX_OUT) \
	BEGIN(n); \
	MOVD (R4), R6; \
	FIX(check); \
check: \
	ADD R6<<5, R5, R13; \
	MOVD (R13), R12; \
	CBNZ R12, hintup; \
	CBZ R6, empty; \
	MOVD -32(R13), R12; \
	CBZ R12, hintdown; \
	DELAY; \
	MOVD R12, P_OUT; \
	MOVD -24(R13), R12; \
	MOVD R12, AUX_OUT

#define POP_COMMIT(n) \
	SUB $1, R6, R6; \
	DELAY; \
	MOVD R6, (R4); \
	DELAY; \
	MOVD ZR, -32(R13); \
	MARK(TAG(n, 2))

#define POP_ENTRY(n) \
	POP_FIND(n, p+8(FP), aux+16(FP)); \
	MOVD -16(R13), R12; \
	MOVD R12, n0+24(FP); \
	MOVD -8(R13), R12; \
	MOVD R12, n1+32(FP); \
	POP_COMMIT(n); \
	MOVW R11, st+40(FP); \
	RET; \
empty: \
	ORR $const_Empty, R11, R11; \
out: \
	MOVD ZR, p+8(FP); \
	MOVD ZR, aux+16(FP); \
	MOVD ZR, n0+24(FP); \
	MOVD ZR, n1+32(FP); \
	MOVW R11, st+40(FP); \
	RET; \
	END(n)

// GATE and GATE_EXIT: a gated section's write-barrier check and its exit
// (see sections_amd64.s).
#define GATE \
	MOVD d+0(FP), R9; \
	MOVD $0, R11; \
	MOVBU runtime·writeBarrier(SB), R12; \
	CBNZ R12, gcmarking

#define GATE_EXIT \
gcmarking: \
	ORR $const_GCMarking, R11, R11; \
	B out

// TYPED_HOLDER begins PopOf and PushOf: R9 = the holder of the pool's
// root, or it leaves for miss; a layout but a pointer's leaves for words.
#define TYPED_HOLDER \
	MOVD pool_data+8(FP), R9; \
	MOVD AnyRoot_Holder(R9), R9; \
	CBZ R9, miss; \
	MOVD AnyHolder_Layout(R9), R12; \
	CMP $const_LayoutPointer, R12; \
	BNE words

// func CounterAdd(d *StackDesc, delta int64) Status
TEXT ·CounterAdd(SB), NOSPLIT, $0-20
	MOVD d+0(FP), R9
	MOVD delta+8(FP), R7
	BEGIN(const_sectionCounterAdd)
	MOVD (R4), R6
	ADD R7, R6, R6
	DELAY
	MOVD R6, (R4) // commit
	MARK(TAG(const_sectionCounterAdd, 2))
out:
	MOVW R11, ret+16(FP)
	RET
	END(const_sectionCounterAdd)

// func PushWord(d *StackDesc, v uintptr) Status
TEXT ·PushWord(SB), NOSPLIT, $0-20
	MOVD d+0(FP), R9
	MOVD v+8(FP), R7
	BEGIN(const_sectionPushWord)
	MOVD (R4), R6 // top
	MOVD 8(R4), R12
	CMP R12, R6
	BHS full
	DELAY
	MOVD R7, (R5)(R6<<3)
	ADD $1, R6, R6
	DELAY
	MOVD R6, (R4) // commit
	MARK(TAG(const_sectionPushWord, 2))
out:
	MOVW R11, ret+16(FP)
	RET
full:
	ORR $const_Full, R11, R11
	B out
	END(const_sectionPushWord)

// func PopWord(d *StackDesc) (v uintptr, st Status)
TEXT ·PopWord(SB), NOSPLIT, $0-20
	MOVD d+0(FP), R9
	BEGIN(const_sectionPopWord)
	MOVD (R4), R6 // top
	CBZ R6, empty
	DELAY
	SUB $1, R6, R6
	MOVD (R5)(R6<<3), R7
	DELAY
	MOVD R6, (R4) // commit
	MARK(TAG(const_sectionPopWord, 2))
	MOVD R7, v+8(FP)
	MOVW R11, st+16(FP)
	RET
empty:
	ORR $const_Empty, R11, R11
out:
	MOVD ZR, v+8(FP)
	MOVW R11, st+16(FP)
	RET
	END(const_sectionPopWord)

// func PushWords(d *StackDesc, src *uintptr, n uintptr) (pushed uintptr, st Status)
TEXT ·PushWords(SB), NOSPLIT, $0-36
	MOVD d+0(FP), R9
	BEGIN(const_sectionPushWords)
	MOVD (R4), R6 // top
	MOVD 8(R4), R7
	CMP R7, R6
	BHS full
	SUB R6, R7, R7 // room
	MOVD n+16(FP), R12
	CMP R12, R7
	CSEL LO, R7, R12, R7 // count = min(room, n)
	CBZ R7, full
	DELAY
	ADD R6<<3, R5, R5 // first free slot
	MOVD src+8(FP), R13
	MOVD $0, R3
	COPY_WORDS(R13, R5)
	ADD R7, R6, R6
	DELAY
	MOVD R6, (R4) // commit
	MARK(TAG(const_sectionPushWords, 2))
	MOVD R7, pushed+24(FP)
	MOVW R11, st+32(FP)
	RET
full:
	ORR $const_Full, R11, R11
out:
	MOVD ZR, pushed+24(FP)
	MOVW R11, st+32(FP)
	RET
	END(const_sectionPushWords)

// func PopWords(d *StackDesc, dst *uintptr, n uintptr) (popped uintptr, st Status)
TEXT ·PopWords(SB), NOSPLIT, $0-36
	MOVD d+0(FP), R9
	BEGIN(const_sectionPopWords)
	MOVD (R4), R6 // top
	MOVD n+16(FP), R7
	CMP R7, R6
	CSEL LO, R6, R7, R7 // count = min(top, n)
	CBZ R7, empty
	DELAY
	SUB R7, R6, R6 // the new top
	ADD R6<<3, R5, R5 // first slot to take
	MOVD dst+8(FP), R13
	MOVD $0, R3
	COPY_WORDS(R5, R13)
	DELAY
	MOVD R6, (R4) // commit
	MARK(TAG(const_sectionPopWords, 2))
	MOVD R7, popped+24(FP)
	MOVW R11, st+32(FP)
	RET
empty:
	ORR $const_Empty, R11, R11
out:
	MOVD ZR, popped+24(FP)
	MOVW R11, st+32(FP)
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

// The pointer sections (see sections_amd64.s).

// func PushPointers(d *StackDesc, p unsafe.Pointer, aux unsafe.Pointer) Status
TEXT ·PushPointers(SB), NOSPLIT, $0-28
	GATE
	PUSH_FIND(const_sectionPushPointers)
	MOVD aux+16(FP), R12
	MOVD R12, 8(R13)
	PUSH_COMMIT(const_sectionPushPointers, p+8(FP))
	PUSH_EXITS(const_sectionPushPointers, ret+24)
	GATE_EXIT

// func PopPointers(d *StackDesc) (p unsafe.Pointer, aux unsafe.Pointer, st Status)
TEXT ·PopPointers(SB), NOSPLIT, $0-28
	GATE
	POP_FIND(const_sectionPopPointers, p+8(FP), aux+16(FP))
	POP_COMMIT(const_sectionPopPointers)
	MOVW R11, st+24(FP)
	RET
empty:
	ORR $const_Empty, R11, R11
out:
	MOVD ZR, p+8(FP)
	MOVD ZR, aux+16(FP)
	MOVW R11, st+24(FP)
	RET
	END(const_sectionPopPointers)
	GATE_EXIT

// The marking twins: the same sections without the write-barrier gate
// (see sections_amd64.s).

// func PushEntryMarking(d *StackDesc, p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr) Status
TEXT ·PushEntryMarking(SB), NOSPLIT, $0-44
	MOVD d+0(FP), R9
	PUSH_ENTRY(const_sectionPushEntryMarking)

// func PopEntryMarking(d *StackDesc) (p unsafe.Pointer, aux unsafe.Pointer, n0 uintptr, n1 uintptr, st Status)
TEXT ·PopEntryMarking(SB), NOSPLIT, $0-44
	MOVD d+0(FP), R9
	POP_ENTRY(const_sectionPopEntryMarking)

// func ThreadWord() uintptr
TEXT ·ThreadWord(SB), NOSPLIT, $0-8
	MOVBU ·viaThreadPointer(SB), R0
	CBNZ R0, tp
	MOVD 48(g), R0
	MOVD 136(R0), R0
	MOVD R0, ret+0(FP)
	RET
tp:
	MRS TPIDR_EL0, R0
	MOVD R0, ret+0(FP)
	RET

// func SetThreadWord(v uintptr)
TEXT ·SetThreadWord(SB), NOSPLIT, $0-8
	MOVD v+0(FP), R1
	MOVD 48(g), R0
	MOVD R1, 136(R0)
	RET

// func CurrentIndex() (idx uint32, st Status)
TEXT ·CurrentIndex(SB), NOSPLIT, $0-8
	ENTER
	MOVWU (R8)(R10), R3
	MOVW R3, idx+0(FP)
	MOVW ZR, st+4(FP)
	RET
out:
	MOVW ZR, idx+0(FP)
	MOVW R11, st+4(FP)
	RET
	ENTER_EXITS(out)

// func CurrentCPUID() (cpu uint32, st Status)
TEXT ·CurrentCPUID(SB), NOSPLIT, $0-8
	ENTER
	MOVW R1, cpu+0(FP)
	MOVW ZR, st+4(FP)
	RET
out:
	MOVW ZR, cpu+0(FP)
	MOVW R11, st+4(FP)
	RET
	ENTER_EXITS(out)

// func gm() uintptr
TEXT ·gm(SB), NOSPLIT, $0-8
	MOVD 48(g), R0
	MOVD R0, ret+0(FP)
	RET

// func mWord(off uintptr) uintptr
TEXT ·mWord(SB), NOSPLIT, $0-16
	MOVD 48(g), R0
	MOVD off+0(FP), R1
	MOVD (R0)(R1), R0
	MOVD R0, ret+8(FP)
	RET

// func delayInjected() bool
TEXT ·delayInjected(SB), NOSPLIT, $0-1
#ifdef RSEQ_DELAY
	MOVD $1, R0
#else
	MOVD $0, R0
#endif
	MOVB R0, ret+0(FP)
	RET

// func sectionEntries(out *[numSections]*byte)
TEXT ·sectionEntries(SB), NOSPLIT, $0-8
	MOVD out+0(FP), R0
	MOVD $·CounterAdd(SB), R1
	MOVD R1, (const_sectionCounterAdd*8)(R0)
	MOVD $·PushWord(SB), R1
	MOVD R1, (const_sectionPushWord*8)(R0)
	MOVD $·PopWord(SB), R1
	MOVD R1, (const_sectionPopWord*8)(R0)
	MOVD $·PushWords(SB), R1
	MOVD R1, (const_sectionPushWords*8)(R0)
	MOVD $·PopWords(SB), R1
	MOVD R1, (const_sectionPopWords*8)(R0)
	MOVD $·PushPointers(SB), R1
	MOVD R1, (const_sectionPushPointers*8)(R0)
	MOVD $·PopPointers(SB), R1
	MOVD R1, (const_sectionPopPointers*8)(R0)
	MOVD $·PushEntry(SB), R1
	MOVD R1, (const_sectionPushEntry*8)(R0)
	MOVD $·PopEntry(SB), R1
	MOVD R1, (const_sectionPopEntry*8)(R0)
	MOVD $·PushEntryMarking(SB), R1
	MOVD R1, (const_sectionPushEntryMarking*8)(R0)
	MOVD $·PopEntryMarking(SB), R1
	MOVD R1, (const_sectionPopEntryMarking*8)(R0)
	MOVD $·PopAny(SB), R1
	MOVD R1, (const_sectionPopAny*8)(R0)
	MOVD $·PushAny(SB), R1
	MOVD R1, (const_sectionPushAny*8)(R0)
	MOVD $·PopOf(SB), R1
	MOVD R1, (const_sectionPopOf*8)(R0)
	MOVD $·PushOf(SB), R1
	MOVD R1, (const_sectionPushOf*8)(R0)
	MOVD $·popOfWords(SB), R1
	MOVD R1, (const_sectionPopOfWords*8)(R0)
	MOVD $·pushOfWords(SB), R1
	MOVD R1, (const_sectionPushOfWords*8)(R0)
	RET

// The private sections: the fallback's hit path, on the calling P's part
// of a shard (private_linux.go, and sections_amd64.s for the argument).
// R9 = parts, R1 = the P id, R2 = the part, R4 = its N, R5 = the slot, R3
// the status on a miss, R12 scratch.

// PRIVATE_PART points R2 at the calling P's part of parts (R9), or leaves
// for miss with the status in R3: Unavailable (not ready), GCMarking (the
// write barrier on) or Stopped (no part for the P id, or the part not the
// P's own). Plain loads suffice for State: it turns non-zero only before
// a stop of the world (rseq's pinFence), which waits for this function to
// return and orders everything on both sides of it.
#define PRIVATE_PART \
	MOVBU ·privateReady(SB), R12; \
	MOVD $const_Unavailable, R3; \
	CBZ R12, miss; \
	MOVBU runtime·writeBarrier(SB), R12; \
	MOVD $const_GCMarking, R3; \
	CBNZ R12, miss; \
	MOVD const_gMOffset(g), R1; \
	MOVD const_mPOffset(R1), R1; \
	MOVW 0(R1), R1; \
	MOVD (PrivateParts_Parts+8)(R9), R12; \
	MOVD $const_Stopped, R3; \
	CMP R12, R1; \
	BHS miss; \
	MOVD PrivateParts_Parts(R9), R2; \
	MOVD (R2)(R1<<3), R2; \
	MOVWU PrivatePart_State(R2), R12; \
	CBNZ R12, miss

// PRIVATE_PUSH pushes P_IN and AUX_IN onto the part (R2), or leaves for
// miss with Full in R3. Entries are 32 bytes.
#define PRIVATE_PUSH(P_IN, AUX_IN) \
	MOVD PrivatePart_N(R2), R4; \
	MOVD (PrivatePart_Slots+8)(R2), R12; \
	MOVD $const_Full, R3; \
	CMP R12, R4; \
	BHS miss; \
	MOVD PrivatePart_Slots(R2), R5; \
	ADD R4<<5, R5, R5; \
	MOVD P_IN, R12; \
	MOVD R12, 0(R5); \
	MOVD AUX_IN, R12; \
	MOVD R12, 8(R5); \
	ADD $1, R4, R4; \
	MOVD R4, PrivatePart_N(R2)

// PRIVATE_POP pops the part's (R2) newest entry into P_OUT and AUX_OUT,
// clearing its slot (the part holds no reference to what it handed out),
// or leaves for miss with Empty in R3.
#define PRIVATE_POP(P_OUT, AUX_OUT) \
	MOVD PrivatePart_N(R2), R4; \
	MOVD $const_Empty, R3; \
	CBZ R4, miss; \
	SUB $1, R4, R4; \
	MOVD R4, PrivatePart_N(R2); \
	MOVD PrivatePart_Slots(R2), R5; \
	ADD R4<<5, R5, R5; \
	MOVD 0(R5), R12; \
	MOVD R12, P_OUT; \
	MOVD 8(R5), R12; \
	MOVD R12, AUX_OUT; \
	MOVD ZR, 0(R5); \
	MOVD ZR, 8(R5)

// func PushPrivate(parts *PrivateParts, p unsafe.Pointer, aux unsafe.Pointer) Status
TEXT ·PushPrivate(SB), NOSPLIT, $0-28
	MOVD parts+0(FP), R9
	PRIVATE_PART
	PRIVATE_PUSH(p+8(FP), aux+16(FP))
	MOVD $const_Committed, R3
miss:
	MOVW R3, ret+24(FP)
	RET

// func PopPrivate(parts *PrivateParts) (p unsafe.Pointer, aux unsafe.Pointer, st Status)
TEXT ·PopPrivate(SB), NOSPLIT, $0-28
	MOVD parts+0(FP), R9
	PRIVATE_PART
	PRIVATE_POP(p+8(FP), aux+16(FP))
	MOVD $const_Committed, R3
	MOVW R3, st+24(FP)
	RET
miss:
	MOVD ZR, p+8(FP)
	MOVD ZR, aux+16(FP)
	MOVW R3, st+24(FP)
	RET

// func privateProbe() (gp uintptr, m uintptr, curg uintptr, p uintptr, id int32)
TEXT ·privateProbe(SB), NOSPLIT, $0-36
	MOVD g, R0
	MOVD R0, gp+0(FP)
	MOVD ZR, m+8(FP)
	MOVD ZR, curg+16(FP)
	MOVD ZR, p+24(FP)
	MOVD $-1, R4
	MOVW R4, id+32(FP)
	CBZ R0, done
	MOVD const_gMOffset(R0), R1
	MOVD R1, m+8(FP)
	MOVD const_mCurgOffset(R1), R2
	MOVD R2, curg+16(FP)
	CMP R0, R2
	BNE done
	MOVD const_mPOffset(R1), R3
	MOVD R3, p+24(FP)
	CBZ R3, done
	MOVW 0(R3), R3
	MOVW R3, id+32(FP)
done:
	RET

// The interface sections (see sections_amd64.s and any.go): with no
// descriptor, the private sections on the holder's private parts.

// HELD_DESC: R9 = the descriptor of the holder (R9), or it leaves: for
// private with no descriptor (R9 still the holder), for miss with the
// write barrier on. Every TEXT that uses it has a private label.
#define HELD_DESC \
	MOVD AnyHolder_Desc(R9), R12; \
	CBZ R12, private; \
	MOVD R12, R9; \
	MOVBU runtime·writeBarrier(SB), R12; \
	CBNZ R12, miss; \
	MOVD $0, R11

// ANY_PRIVATE, at a section's private label: R2 = the calling P's part of
// the holder's (R9) private parts, or it leaves for miss.
#define ANY_PRIVATE \
	MOVD AnyHolder_Private(R9), R9; \
	CBZ R9, miss; \
	PRIVATE_PART

// func PopAny(root *AnyRoot) (x any)
TEXT ·PopAny(SB), NOSPLIT, $0-24
	MOVD root+0(FP), R9
	MOVD AnyRoot_Holder(R9), R9
	CBZ R9, miss
	HELD_DESC
	POP_FIND(const_sectionPopAny, x_data+16(FP), x_type+8(FP))
	POP_COMMIT(const_sectionPopAny)
	RET
empty:
out:
	B miss
	END(const_sectionPopAny)
private:
	ANY_PRIVATE
	PRIVATE_POP(x_data+16(FP), x_type+8(FP))
	RET
miss:
	JMP ·popAnyMiss(SB)

// func PushAny(root *AnyRoot, x any)
TEXT ·PushAny(SB), NOSPLIT, $0-24
	MOVD root+0(FP), R9
	MOVD AnyRoot_Holder(R9), R9
	CBZ R9, miss
	MOVD x_data+16(FP), R12
	CBZ R12, miss
	HELD_DESC
	PUSH_FIND(const_sectionPushAny)
	MOVD x_type+8(FP), R12
	MOVD R12, 8(R13)
	PUSH_COMMIT(const_sectionPushAny, x_data+16(FP))
	RET
full:
out:
	B miss
	END(const_sectionPushAny)
private:
	ANY_PRIVATE
	PRIVATE_PUSH(x_data+16(FP), x_type+8(FP))
	RET
miss:
	JMP ·pushAnyMiss(SB)

// The typed sections (see sections_amd64.s and any.go), as the interface
// sections here. A popped value's words wait for the commit in R2, R19
// and R20; a pushed one's come from x's data word.

// func PopOf(pool TypedPool, out unsafe.Pointer)
TEXT ·PopOf(SB), NOSPLIT, $0-24
	TYPED_HOLDER
	HELD_DESC
	POP_FIND(const_sectionPopOf, R2, R12)
	POP_COMMIT(const_sectionPopOf)
	MOVD out+16(FP), R1
	MOVD R2, (R1)
	RET
empty:
out:
	B miss
	END(const_sectionPopOf)
private:
	ANY_PRIVATE
	PRIVATE_POP(R6, R7)
	MOVD out+16(FP), R1
	MOVD R6, (R1)
	RET
words:
	JMP ·popOfWords(SB)
miss:
	JMP ·popOfMiss(SB)

// func popOfWords(pool TypedPool, out unsafe.Pointer)
TEXT ·popOfWords(SB), NOSPLIT, $0-24
	MOVD pool_data+8(FP), R9
	MOVD AnyRoot_Holder(R9), R9
	CBZ R9, miss
	HELD_DESC
	POP_FIND(const_sectionPopOfWords, R2, R20)
	MOVD -16(R13), R21
	MOVD -8(R13), R22
	POP_COMMIT(const_sectionPopOfWords)
store:
	// The entry is R2 (P), R20 (aux), R21 (N0), R22 (N1); out gets the
	// value's words as its layout says.
	MOVD out+16(FP), R1
	MOVD pool_data+8(FP), R0
	MOVD AnyRoot_Holder(R0), R0
	MOVD AnyHolder_Layout(R0), R0
	CMP $const_LayoutString, R0
	BHI notslice
	MOVD R2, (R1)
	MOVD R21, 8(R1)
	BEQ done
	MOVD R22, 16(R1)
	RET
notslice:
	CMP $const_LayoutEface, R0
	BEQ eface
	MOVD R21, (R1)
	CMP $const_LayoutWord, R0
	BEQ done
	MOVD R22, 8(R1)
	RET
eface:
	MOVD R20, (R1)
	MOVD R2, 8(R1)
done:
	RET
empty:
out:
	B miss
	END(const_sectionPopOfWords)
private:
	ANY_PRIVATE
	PRIVATE_POP(R19, R20)
	MOVD 16(R5), R21
	MOVD 24(R5), R22
	MOVD R19, R2
	B store
miss:
	JMP ·popOfMiss(SB)

// func PushOf(pool TypedPool, x any)
TEXT ·PushOf(SB), NOSPLIT, $0-32
	TYPED_HOLDER
	MOVD x_data+24(FP), R12
	CBZ R12, miss
	HELD_DESC
	PUSH_FIND(const_sectionPushOf)
	MOVD ZR, 8(R13)
	PUSH_COMMIT(const_sectionPushOf, x_data+24(FP))
	RET
full:
out:
	B miss
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
// holder's layout says, in R19 (P), R20 (aux), R21 (N0) and R22 (N1), as
// sections_amd64.s's does.
#define WORDS_IN(notslice, eface, in) \
	MOVD pool_data+8(FP), R23; \
	MOVD AnyRoot_Holder(R23), R23; \
	MOVD AnyHolder_Layout(R23), R23; \
	MOVD x_data+24(FP), R24; \
	MOVD ZR, R20; \
	MOVD ZR, R21; \
	MOVD ZR, R22; \
	CMP $const_LayoutString, R23; \
	BHI notslice; \
	MOVD 8(R24), R21; \
	BEQ 2(PC); \
	MOVD 16(R24), R22; \
	MOVD (R24), R19; \
	B in; \
notslice: \
	CMP $const_LayoutEface, R23; \
	BEQ eface; \
	MOVD (R24), R21; \
	CMP $const_LayoutWord, R23; \
	BEQ 2(PC); \
	MOVD 8(R24), R22; \
	MOVD $·InlineMarker(SB), R19; \
	B in; \
eface: \
	MOVD x_type+16(FP), R20; \
	MOVD R24, R19; \
in:

// func pushOfWords(pool TypedPool, x any)
TEXT ·pushOfWords(SB), NOSPLIT, $0-32
	// A value with no data pointer (a nil slice, an empty string, a nil
	// interface) goes to the miss path, which drops it.
	MOVD pool_data+8(FP), R9
	MOVD AnyRoot_Holder(R9), R9
	CBZ R9, miss
	MOVD AnyHolder_Layout(R9), R12
	MOVD x_data+24(FP), R0
	CMP $const_LayoutEface, R12
	BEQ checked
	CMP $const_LayoutWord, R12
	BHS held
	MOVD (R0), R0
checked:
	CBZ R0, miss
held:
	HELD_DESC
	PUSH_FIND(const_sectionPushOfWords)
	WORDS_IN(notslice, eface, in)
	MOVD R20, 8(R13)
	MOVD R21, 16(R13)
	MOVD R22, 24(R13)
	PUSH_COMMIT(const_sectionPushOfWords, R19)
	RET
full:
out:
	B miss
	END(const_sectionPushOfWords)
private:
	ANY_PRIVATE
	MOVD PrivatePart_N(R2), R4
	MOVD (PrivatePart_Slots+8)(R2), R12
	CMP R12, R4
	BHS miss
	MOVD PrivatePart_Slots(R2), R5
	ADD R4<<5, R5, R5
	WORDS_IN(pnotslice, peface, pin)
	MOVD R19, 0(R5)
	MOVD R20, 8(R5)
	MOVD R21, 16(R5)
	MOVD R22, 24(R5)
	ADD $1, R4, R4
	MOVD R4, PrivatePart_N(R2)
	RET
miss:
	JMP ·pushOfMiss(SB)
