package arc

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/internal/i18n"
)

// Why a chain fails is worded by the catalogs, in English as the evidence
// (Reason) says it and in French, the cause nested in the sentence.
func TestWhyIsWorded(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneFile("testdata/mailauth/keys.zone"))
	r := srv.Resolver(t)
	for _, tc := range []struct{ file, en, fr string }{
		{"arc-body-changed-after-seal.eml", "ARC-Message-Signature i=1: body hash does not match",
			"ARC-Message-Signature i=1\u00a0: l'empreinte du corps ne correspond pas"},
		{"arc-broken.eml", "ARC-Seal i=1: signature does not verify", "ARC-Seal i=1\u00a0: la signature n'est pas valide"},
	} {
		raw, err := os.ReadFile(filepath.Join("testdata/mailauth", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		res := Validate(context.Background(), r, raw)
		en, fr := i18n.For(i18n.English), i18n.For(i18n.French)
		if got := en.Text(res.Why); got != tc.en {
			t.Errorf("%s: English %q, want %q (reason %q)", tc.file, got, tc.en, res.Reason)
		}
		if got := fr.Text(res.Why); got != tc.fr {
			t.Errorf("%s: French %q, want %q", tc.file, got, tc.fr)
		}
		if m := fr.Missing(); len(m) > 0 {
			t.Errorf("missing French: %v", m)
		}
	}
	// A structural failure, with its numbers as parameters.
	res := Validate(context.Background(), r, []byte("ARC-Seal: i=2; a=rsa-sha256; cv=pass; d=x.example; s=s; b=AA==\r\nFrom: a@x.example\r\n\r\nbody\r\n"))
	if res.CV != Fail || res.Why.Key != "arc.reason.set_missing" || res.Why.Params["i"] != 1 {
		t.Errorf("structure: %+v", res)
	}
	if got := i18n.For(i18n.French).Text(res.Why); got != "il manque le jeu ARC 1 (les instances doivent aller de 1 à 2)" {
		t.Errorf("French %q", got)
	}
}
