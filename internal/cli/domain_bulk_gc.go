package cli

import (
	"os"
	"runtime/debug"
)

// Garbage collector settings for a bulk run (domain --file), measured on
// the 1,000-domain workload of docs/scale.md: at the default GOGC=100 the
// live heap of 64 domains in flight (6 to 10 MiB) made the collector run 38
// times and cost a sixth of the CPU; at GOGC=400 under a 40 MiB soft limit
// it runs 13 times, and peak RSS stays near 49 MiB (41 at the default),
// under the 64 MiB a bulk worker is given. The limit keeps a larger live
// heap (a long --resume file) from raising RSS with it.
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
