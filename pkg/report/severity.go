package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity ranks how much a finding matters. Compare with Rank, never with
// string comparison.
type Severity string

const (
	Info     Severity = "info"     // no effect on delivery or score
	Low      Severity = "low"      // hygiene
	Medium   Severity = "medium"   // material risk, best-practice breach
	High     Severity = "high"     // authentication or delivery fails for some mail
	Critical Severity = "critical" // mechanism void, mail rejected or domain spoofable
)

// Severities lists every severity from least to most severe.
var Severities = []Severity{Info, Low, Medium, High, Critical}

// Rank orders severities: info 0 ... critical 4; an unknown value ranks -1.
func (s Severity) Rank() int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return -1
}

// AtLeast reports whether s is as severe as min or more.
func (s Severity) AtLeast(min Severity) bool { return s.Rank() >= min.Rank() }

// ParseSeverity reads a severity name as given on the command line.
func ParseSeverity(s string) (Severity, error) {
	v := Severity(strings.ToLower(strings.TrimSpace(s)))
	if v.Rank() < 0 {
		names := make([]string, len(Severities))
		for i, s := range Severities {
			names[i] = string(s)
		}
		return "", fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(names, ", "))
	}
	return v, nil
}

// Status is the verdict of one section.
type Status string

const (
	StatusPass    Status = "pass"    // nothing above info
	StatusWarn    Status = "warn"    // low or medium findings
	StatusFail    Status = "fail"    // a high or critical finding
	StatusUnknown Status = "unknown" // could not decide (timeout, SERVFAIL, refused); never a fail
	StatusSkipped Status = "skipped" // not applicable, or offline
)

// StatusOf derives a section status from its findings: a decisive high or
// critical finding fails it, a low or medium one warns; when the only
// findings above info are inconclusive, the status is unknown.
func StatusOf(findings []Finding) Status {
	status := StatusPass
	for _, f := range findings {
		if f.Inconclusive {
			if status == StatusPass {
				status = StatusUnknown
			}
			continue
		}
		switch {
		case f.Severity.AtLeast(High):
			return StatusFail
		case f.Severity.AtLeast(Low):
			status = StatusWarn
		}
	}
	return status
}

// StatusOfSkipped is StatusOf for a check that skips part of its work
// offline: when the only inconclusive findings are skipID (the part that
// needs the network was not done), the section is skipped, not unknown,
// and unless a decisive finding says otherwise.
func StatusOfSkipped(findings []Finding, skipID string) Status {
	status := StatusOf(findings)
	if status != StatusUnknown {
		return status
	}
	skipped := false
	for _, f := range findings {
		if f.Inconclusive {
			if f.ID != skipID {
				return status
			}
			skipped = true
		}
	}
	if skipped {
		return StatusSkipped
	}
	return status
}

// SortFindings orders findings most severe first, then by ID, so output is
// deterministic whatever order the checks found them in. Inconclusive
// findings come after decisive ones of the same severity.
//
// slices.SortStableFunc, not sort.SliceStable: the same order (a stable
// sort of one ordering has one result) without sort's reflective swapper,
// an allocation for each of a report's dozen sections.
func SortFindings(fs []Finding) {
	if len(fs) < 2 {
		return
	}
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if ra, rb := a.Severity.Rank(), b.Severity.Rank(); ra != rb {
			return cmp.Compare(rb, ra) // most severe first
		}
		if a.Inconclusive != b.Inconclusive {
			if !a.Inconclusive {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// Worst returns the most severe decisive finding of the report, and false
// when there is none.
func (r *Report) Worst() (Finding, bool) {
	var worst Finding
	found := false
	for _, s := range r.Sections {
		for _, f := range s.Findings {
			if f.Inconclusive {
				continue
			}
			if !found || f.Severity.Rank() > worst.Severity.Rank() {
				worst, found = f, true
			}
		}
	}
	return worst, found
}

// Inconclusive reports whether no section of the report could decide
// anything: every section that ran is unknown (skipped ones, not
// applicable or offline, decide nothing either way). Such a run exits 3.
func (r *Report) Inconclusive() bool {
	unknown := false
	for _, s := range r.Sections {
		switch s.Status {
		case StatusUnknown:
			unknown = true
		case StatusSkipped:
		default:
			return false
		}
	}
	return unknown
}
