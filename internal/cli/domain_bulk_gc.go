package cli

import (
	"os"
	"runtime/debug"
)

// Garbage collector settings for a bulk run (domain --file), measured on
// the 1,000-domain workload of docs/scale.md. At the default GOGC=100 the
// live heap of 64 domains in flight (6 to 10 MiB, plus the catalogs) made
// the collector run 38 times and cost a sixth of the CPU. GOGC=400 alone
// would let the heap reach five times the live heap, so a soft limit bounds
// it, and the limit is what binds: peak RSS is the limit plus about 10 MiB
// (the binary's pages, stacks, buffers), whatever the list's length (51,000
// domains: 58.3 MiB). Measured on the workload: a 40 MiB limit gave 23 to
// 25 collections and 50.8 MiB; 44 MiB gave 16 and 54 MiB; 48 MiB gives 12
// to 14 and 57.6 to 57.8 MiB, under the 64 MiB a bulk worker is given. The
// fewer collections also mean fewer stacks shrunk and grown again (each
// collection halves an idle goroutine's stack, which its next task copies
// back).
const (
	bulkGCPercent   = 400
	bulkMemoryLimit = 48 << 20
)

// tuneBulkGC applies the bulk settings unless the user set GOGC or
// GOMEMLIMIT, and returns what restores the previous ones (tests run many
// commands in one process).
func tuneBulkGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	percent := debug.SetGCPercent(bulkGCPercent)
	limit := debug.SetMemoryLimit(bulkMemoryLimit)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}
