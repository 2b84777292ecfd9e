package main

import "strings"

// The reference of the "vs sync.Pool" ratios. A NAME/fallback row ran in the
// fallback child, another process than the parent's sync.Pool row, started
// later: on a shared machine whole processes run faster or slower than each
// other, and a fallback row divided by the parent's sync.Pool carried that
// difference. So whenever the parent runs sync.Pool, the child runs it too,
// as syncpool/fallback (sync.Pool itself is the same code in both), and
// every other fallback row is divided by it; syncpool/fallback itself, and
// every row of the parent, is divided by the parent's sync.Pool, so its own
// ratio shows how far apart the two processes ran. Results without the
// child's row (JSON from an older allocbench) use the parent's for every
// row.

// childReference is sync.Pool's row from the fallback child.
const childReference = referenceImpl + fallbackSuffix

// referenceFor returns the contender whose ns/op divides impl's.
func referenceFor(impl string) string {
	if strings.HasSuffix(impl, fallbackSuffix) && impl != childReference {
		return childReference
	}
	return referenceImpl
}

// references holds the reference rows' medians by contender, workload and
// -cpu value.
type references map[referenceKey]float64

type referenceKey struct {
	impl, workload string
	cpu            int
}

// referencesOf collects the medians of the reference rows among results.
func referencesOf(results []Result) references {
	refs := references{}
	for i := range results {
		if r := &results[i]; r.Impl == referenceImpl || r.Impl == childReference {
			refs[referenceKey{r.Impl, r.Workload, r.CPU}] = r.median(nsPerOp)
		}
	}
	return refs
}

// base returns the ns/op that r's is divided by: its reference's at the
// same workload and -cpu value, or the parent's sync.Pool where the child
// ran none; false when there is neither or it is not positive.
func (refs references) base(r *Result) (float64, bool) {
	for _, impl := range []string{referenceFor(r.Impl), referenceImpl} {
		if b, ok := refs[referenceKey{impl, r.Workload, r.CPU}]; ok {
			return b, b > 0
		}
	}
	return 0, false
}
