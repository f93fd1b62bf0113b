package build

import (
	"runtime/debug"
	"testing"
)

func TestDescribeFromBuildInfo(t *testing.T) {
	defer func(f func() (*debug.BuildInfo, bool)) { readBuildInfo = f }(readBuildInfo)
	readBuildInfo = func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.time", Value: "2026-11-30T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		}}, true
	}
	d := Describe()
	if d.Version != "v1.2.3" || d.Commit != "0123456789abcdef0123" || d.Date != "2026-11-30T10:00:00Z" || !d.Modified || d.Go != "go1.26.0" {
		t.Errorf("from build info: %+v", d)
	}
	if got := String(); got != "mailcheck v1.2.3 (commit 0123456789ab, built 2026-11-30T10:00:00Z)" {
		t.Errorf("String: %q", got)
	}
	// ldflags win over build info.
	Version, Commit, Date = "v9.9.9", "feed", "2026-12-01"
	defer func() { Version, Commit, Date = "", "", "" }()
	if d := Describe(); d.Version != "v9.9.9" || d.Commit != "feed" || d.Date != "2026-12-01" {
		t.Errorf("ldflags: %+v", d)
	}
	// goreleaser's placeholders give way to the build info.
	Version, Commit, Date = "0.0.1-snapshot", "none", "0001-01-01T00:00:00Z"
	if d := Describe(); d.Version != "0.0.1-snapshot" || d.Commit != "0123456789abcdef0123" || d.Date != "2026-11-30T10:00:00Z" {
		t.Errorf("placeholders: %+v", d)
	}
	readBuildInfo = func() (*debug.BuildInfo, bool) { return nil, false }
	Version, Commit, Date = "", "", ""
	if d := Describe(); d.Version != "(devel)" || d.Commit != "unknown" || d.Date != "unknown" {
		t.Errorf("nothing recorded: %+v", d)
	}
}
