//go:build slabdebug

package slab

// debugBuild is true in builds with the slabdebug tag: every Allocator is
// in debug mode (at least DebugChecks), whatever Options and the
// environment say.
const debugBuild = true
