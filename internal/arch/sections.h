// The frame every section shares, in both sections_amd64.s and
// sections_arm64.s: each defines the per-architecture macros these are made
// of (ENTER, PRELOAD, ARM, MARK, TAG, DELAY, BLOCK, EXITS, SIGNATURE,
// RETRY) and then includes this file.

// BEGIN is every section's start, with R9 = d: find the area, then (from
// the retry label, where an abort comes back) load the member, arm section
// n, and enter its block.
#define BEGIN(n) \
	ENTER; \
retry: \
	PRELOAD; \
	ARM(n); \
	MARK(TAG(n, 1)); \
	DELAY; \
	BLOCK

// END is every section's end, after its out label's RET: the shared exits,
// then the signature, abort_ip and the retry.
#define END(n) \
	EXITS(out); \
	SIGNATURE; \
	MARK(TAG(n, 3)); \
	RETRY
