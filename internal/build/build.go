// Package build holds the version of this binary. Release builds set the
// variables with -ldflags (see .goreleaser.yaml); other builds fall back to
// what the Go toolchain recorded (module version, VCS revision and time).
package build

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
)

// Set by -ldflags "-X github.com/mailcheck/mailcheck/internal/build.Version=...".
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// readBuildInfo is debug.ReadBuildInfo, replaceable in tests.
var readBuildInfo = debug.ReadBuildInfo

// Info is the version, commit and build date, with fallbacks filled in.
// Every report carries the version, so this is read once per process:
// debug.ReadBuildInfo parses the whole build record on each call (it was
// 1 % of a bulk run's CPU), and the binary cannot change while it runs.
func Info() (version, commit, date string) {
	d := described()
	return d.Version, d.Commit, d.Date
}

var described = sync.OnceValue(Describe)

// Description is everything `mailcheck version` says about this binary.
type Description struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
	// Modified is true when the binary was built from a work tree with
	// uncommitted changes (vcs.modified).
	Modified bool   `json:"modified"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// Describe reads the -ldflags values, then what the Go toolchain recorded:
// `go install module@version` records the module version, a build in a Git
// work tree records vcs.revision and vcs.time (unless -buildvcs=false), so
// some of it is known in any build.
func Describe() Description {
	version, commit, date := Version, placeholder(Commit), placeholder(Date)
	d := Description{Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := readBuildInfo(); ok {
		if version == "" && bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if commit == "" {
					commit = s.Value
				}
			case "vcs.time":
				if date == "" {
					date = s.Value
				}
			case "vcs.modified":
				d.Modified = s.Value == "true"
			}
		}
		if bi.GoVersion != "" {
			d.Go = bi.GoVersion
		}
	}
	if version == "" {
		version = "(devel)"
	}
	if commit == "" {
		commit = "unknown"
	}
	if date == "" {
		date = "unknown"
	}
	d.Version, d.Commit, d.Date = version, commit, date
	return d
}

// placeholder drops what goreleaser writes when it could not read the Git
// state (a snapshot outside a clone with a remote): "none" and the zero
// time, so that the build info can fill them in.
func placeholder(s string) string {
	switch s {
	case "none", "unknown", "0001-01-01T00:00:00Z":
		return ""
	}
	return s
}

// String is the one line `mailcheck --version` prints.
func String() string {
	v, c, d := Info()
	if len(c) > 12 {
		c = c[:12]
	}
	return fmt.Sprintf("mailcheck %s (commit %s, built %s)", v, c, d)
}
