package message

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/mailcheck/mailcheck/internal/conformance"
	"github.com/mailcheck/mailcheck/internal/i18n"
)

// The DKIM reasons of the conformance manifest (pkg/dkim's stable words)
// are worded here in both languages, not shown in English.
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
		r := dkimReason(m[1])
		if r.Key == "" {
			t.Errorf("reason %q is not worded (message.dkim.reason.*)", m[1])
			continue
		}
		if en := i18n.For(i18n.English).Text(r); en != m[1] {
			t.Errorf("reason %q: English %q", m[1], en)
		}
		if fr := i18n.For(i18n.French).Text(r); fr == m[1] || fr == r.Key {
			t.Errorf("reason %q: French %q", m[1], fr)
		}
	}
	// Every reason of the table says in English what pkg/dkim says.
	for reason := range dkimReasons {
		if en := i18n.For(i18n.English).Text(dkimReason(reason)); en != reason {
			t.Errorf("%q worded %q", reason, en)
		}
	}
}
