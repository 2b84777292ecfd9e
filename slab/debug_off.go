//go:build !slabdebug

package slab

// debugBuild is false without the slabdebug tag: debug mode is only on
// where Options.Debug or PERCPU_SLAB_DEBUG ask for it. The fast paths never
// test for it: debug mode closes their gates (Allocator.fastMax and
// fastKey), which they read anyway, so it costs nothing while off.
const debugBuild = false
