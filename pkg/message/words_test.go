package message

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/mailcheck/mailcheck/internal/conformance"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/dkim"
)

// The DKIM reasons of the conformance manifest (pkg/dkim's stable words),
// shown in the signatures table, are worded in both languages.
func TestDKIMReasonsWorded(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(conformance.Dir(t), "dkim", "vectors.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	found := regexp.MustCompile(`(?m)^\s*reason: (.+)$`).FindAllStringSubmatch(string(b), -1)
	if len(found) == 0 {
		t.Fatal("no reasons in the manifest")
	}
	for _, m := range found {
		r := dkim.ReasonMsg(m[1])
		if r.Key == "" {
			t.Errorf("reason %q is not worded (dkim.reason.*)", m[1])
			continue
		}
		if en := i18n.For(i18n.English).Text(r); en != m[1] {
			t.Errorf("reason %q: English %q", m[1], en)
		}
		if fr := i18n.For(i18n.French).Text(r); fr == m[1] || fr == r.Key {
			t.Errorf("reason %q: French %q", m[1], fr)
		}
	}
}
