package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// An apex CNAME loop leaves the checks that carry the score unknown: no
// grade ("insufficient data"), exit 3, and no --fail-under gate passes.
func TestDomainInsufficientData(t *testing.T) {
	for _, gate := range []string{"75", "0"} {
		r := run(t, "domain", "loop.example", "--zone", "../../testdata/zones/apex-cname-loop.zone", "--fail-under", gate, "--format", "jsonl")
		if r.code != ExitInconclusive {
			t.Errorf("--fail-under %s: exit %d, want 3; stderr %q", gate, r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "insufficient data") {
			t.Errorf("stderr %q", r.stderr)
		}
		var doc struct {
			Score    *json.RawMessage `json:"score"`
			Sections []struct {
				Check    string `json:"check"`
				Status   string `json:"status"`
				Findings []struct {
					ID string `json:"id"`
				} `json:"findings"`
			} `json:"sections"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Score != nil {
			t.Errorf("scored: %s", *doc.Score)
		}
		if len(doc.Sections) == 0 || doc.Sections[0].Check != "score" || doc.Sections[0].Status != "unknown" ||
			len(doc.Sections[0].Findings) != 1 || doc.Sections[0].Findings[0].ID != "audit.score.insufficient" {
			t.Errorf("first section %+v", doc.Sections[0])
		}
	}
	r := run(t, "domain", "loop.example", "--zone", "../../testdata/zones/apex-cname-loop.zone", "--no-color")
	if !strings.Contains(r.stdout, "Score · unknown") || !strings.Contains(r.stdout, "insufficient data") || strings.Contains(r.stdout, "grade B") {
		t.Errorf("text output:\n%s", r.stdout)
	}
}
