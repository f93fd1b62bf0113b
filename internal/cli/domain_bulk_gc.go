package cli

import (
	"os"
	"runtime/debug"
)

// Garbage collector settings for a bulk run (domain --file), measured on
// the 1,000-domain workload of docs/scale.md. At the default GOGC=100 the
// live heap of 64 domains in flight (6 to 10 MiB) made the collector run 38
// times and cost a sixth of the CPU, and since the catalogs came in, peak
// RSS reached 65-68 MiB, over the 64 MiB a bulk worker is given. At
// GOGC=400 under a 40 MiB soft limit it runs 13 to 31 times (the limit
// binds more often as the program grows) and peak RSS stays at 48-52 MiB,
// 21,000 domains included: the limit, not the live heap, sets it (a 44 MiB
// limit gave 55 MiB and 21 collections, 48 MiB gave 60 and 16).
const (
	bulkGCPercent   = 400
	bulkMemoryLimit = 40 << 20
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
