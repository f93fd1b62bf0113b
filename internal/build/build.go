// Package build holds the version of this binary. Release builds set the
// variables with -ldflags (see .goreleaser.yaml); other builds fall back to
// what the Go toolchain recorded (module version, VCS revision and time).
package build

import (
	"fmt"
	"runtime/debug"
)

// Set by -ldflags "-X github.com/mailcheck/mailcheck/internal/build.Version=...".
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// Info is the version, commit and build date, with fallbacks filled in.
func Info() (version, commit, date string) {
	version, commit, date = Version, Commit, Date
	if bi, ok := debug.ReadBuildInfo(); ok {
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
			}
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
	return version, commit, date
}

// String is the one line `mailcheck --version` prints.
func String() string {
	v, c, d := Info()
	if len(c) > 12 {
		c = c[:12]
	}
	return fmt.Sprintf("mailcheck %s (commit %s, built %s)", v, c, d)
}
