package dkim

import (
	"context"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// A DKIM-Signature that is not a tag-list is worded by its tag-list error
// (pkg/taglist's catalog), in each language, not by the verifier's English.
func TestMalformedSignatureWords(t *testing.T) {
	r, err := resolver.ZoneText("shop.example.", "@ IN SOA ns.shop.example. h.shop.example. 1 3600 600 86400 300\n")
	if err != nil {
		t.Fatal(err)
	}
	raw := "DKIM-Signature: v=1; a=rsa-sha256; d=shop.example; s=x; bh; b=AA==\r\nFrom: a@shop.example\r\nSubject: s\r\n\r\nbody\r\n"
	_, fs, err := VerifyRawAt(context.Background(), check.Env{Resolver: r}, []byte(raw), testclock.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := findingByID(fs, SigInvalid.ID)
	if !ok || f.Variant != "malformed" {
		t.Fatalf("findings %+v", fs)
	}
	fr, en := f, f
	loc := i18n.For(i18n.French)
	loc.LocalizeFinding(&fr)
	i18n.For(i18n.English).LocalizeFinding(&en)
	if !strings.Contains(en.Detail, `tag-spec 5 "bh" has no '='`) {
		t.Errorf("English %q", en.Detail)
	}
	if !strings.Contains(fr.Detail, "la balise n°\u00a05 «\u00a0bh\u00a0» n'a pas de signe «\u00a0=\u00a0»") || !strings.HasPrefix(fr.Detail, "La signature 1 (d=shop.example, s=x)") {
		t.Errorf("French %q", fr.Detail)
	}
	if m := loc.Missing(); len(m) > 0 {
		t.Errorf("missing French: %v", m)
	}
}
