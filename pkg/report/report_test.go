package report

import (
	"sort"
	"strconv"
	"strings"
	"testing"
)

func TestStatusOf(t *testing.T) {
	f := func(sev Severity, inconclusive bool) Finding {
		return Finding{ID: "x", Severity: sev, Inconclusive: inconclusive}
	}
	tests := []struct {
		name string
		in   []Finding
		want Status
	}{
		{"none", nil, StatusPass},
		{"info only", []Finding{f(Info, false)}, StatusPass},
		{"low warns", []Finding{f(Low, false)}, StatusWarn},
		{"medium warns", []Finding{f(Info, false), f(Medium, false)}, StatusWarn},
		{"high fails", []Finding{f(Medium, false), f(High, false)}, StatusFail},
		{"critical fails", []Finding{f(Critical, false)}, StatusFail},
		{"inconclusive alone", []Finding{f(Info, true)}, StatusUnknown},
		{"inconclusive does not hide a warning", []Finding{f(Info, true), f(Low, false)}, StatusWarn},
		{"inconclusive never fails", []Finding{f(Critical, true)}, StatusUnknown},
	}
	for _, tt := range tests {
		if got := StatusOf(tt.in); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestSeverity(t *testing.T) {
	if !Critical.AtLeast(High) || Low.AtLeast(Medium) || !Info.AtLeast(Info) {
		t.Error("AtLeast order wrong")
	}
	if s, err := ParseSeverity(" HIGH "); err != nil || s != High {
		t.Errorf("ParseSeverity: %v %v", s, err)
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Error("unknown severity accepted")
	}
	fs := []Finding{{ID: "b", Severity: Low}, {ID: "a", Severity: Critical}, {ID: "c", Severity: Low, Inconclusive: true}, {ID: "a", Severity: Low}}
	SortFindings(fs)
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID+"/"+string(f.Severity))
	}
	if got := strings.Join(ids, " "); got != "a/critical a/low b/low c/low" {
		t.Errorf("sorted: %s", got)
	}
}

func TestTXTValue(t *testing.T) {
	if got := TXTValue("v=DMARC1; x=\x1b[2J\r\x7f é"); got != `"v=DMARC1; x=\027[2J\013\127 é"` {
		t.Errorf("control octets: %s", got)
	}
	if got := TXTValue(`v=spf1 "x" \ -all`); got != `"v=spf1 \"x\" \\ -all"` {
		t.Errorf("escaping: %s", got)
	}
	long := strings.Repeat("a", 600)
	got := TXTValue(long)
	parts := strings.Split(got, " ")
	if len(parts) != 3 || len(parts[0]) != 257 || len(parts[2]) != 92 {
		t.Errorf("chunks: %d parts, lengths %d %d", len(parts), len(parts[0]), len(parts[len(parts)-1]))
	}
}

// Skipped sections decide nothing: a report whose other sections are all
// unknown is inconclusive; one with nothing unknown is not.
func TestInconclusiveIgnoresSkipped(t *testing.T) {
	mk := func(sts ...Status) *Report {
		r := &Report{}
		for _, s := range sts {
			r.Sections = append(r.Sections, Section{Status: s})
		}
		return r
	}
	for _, tt := range []struct {
		sts  []Status
		want bool
	}{
		{nil, false},
		{[]Status{StatusUnknown}, true},
		{[]Status{StatusUnknown, StatusSkipped}, true},
		{[]Status{StatusSkipped, StatusSkipped}, false},
		{[]Status{StatusUnknown, StatusPass}, false},
		{[]Status{StatusSkipped, StatusFail}, false},
	} {
		if got := mk(tt.sts...).Inconclusive(); got != tt.want {
			t.Errorf("%v: Inconclusive %v, want %v", tt.sts, got, tt.want)
		}
	}
}

// TXTText reads back what TXTValue writes, and a single string with no
// escape without a copy.
func TestTXTTextRoundTrip(t *testing.T) {
	for _, text := range []string{"", "v=spf1 -all", `say "hi" \ bye`, "ctl\x01\x7f", strings.Repeat("k", 600)} {
		if got := TXTText(TXTValue(text)); got != text {
			t.Errorf("TXTText(TXTValue(%q)) = %q", text, got)
		}
	}
	for in, want := range map[string]string{`"a" "b"`: "ab", `"a\"b"`: `a"b`, `"\065"`: "A", `""`: "", `plain`: ""} {
		if got := TXTText(in); got != want {
			t.Errorf("TXTText(%s) = %q, want %q", in, got, want)
		}
	}
	v := TXTValue("v=DMARC1; p=reject")
	if n := testing.AllocsPerRun(100, func() { TXTText(v) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

// SortFindings orders as the sort.SliceStable it replaced: severity first,
// decisive before inconclusive, then ID, and ties in their given order.
func TestSortFindingsStable(t *testing.T) {
	sevs := []Severity{Info, Low, Medium, High, Critical}
	var fs []Finding
	for i := range 60 {
		fs = append(fs, Finding{ID: string(rune('a' + i%4)), Severity: sevs[(i*7)%len(sevs)], Inconclusive: i%3 == 0, Variant: strconv.Itoa(i)})
	}
	want := append([]Finding(nil), fs...)
	sort.SliceStable(want, func(i, j int) bool {
		a, b := want[i], want[j]
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		if a.Inconclusive != b.Inconclusive {
			return !a.Inconclusive
		}
		return a.ID < b.ID
	})
	SortFindings(fs)
	for i := range fs {
		if fs[i].Variant != want[i].Variant {
			t.Fatalf("position %d: %+v, want %+v", i, fs[i], want[i])
		}
	}
}
