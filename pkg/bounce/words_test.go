package bounce

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/conformance"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/mailfile"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// TestCatalogKeys: every message this package can name is in both
// catalogs (a missing one would show its key to the user).
func TestCatalogKeys(t *testing.T) {
	var keys []string
	for _, d := range recipientFindings {
		keys = append(keys, d.ID+".title", d.ID+".detail", d.ID+".fix")
	}
	for _, r := range reasons {
		keys = append(keys, "bounce.reason."+r)
	}
	for _, pc := range providerCodes {
		keys = append(keys, "bounce.provider."+pc.key)
		if pc.next {
			keys = append(keys, "bounce.next.provider."+pc.key)
		}
	}
	for _, k := range parties {
		keys = append(keys, "bounce.who."+k)
	}
	for _, c := range classWords {
		keys = append(keys, "bounce.class."+c, "bounce.bounce."+c)
	}
	for _, d := range findUnreadable.Variants {
		keys = append(keys, findUnreadable.ID+"."+d.Name+".detail")
	}
	for _, lang := range i18n.Langs {
		l := i18n.For(lang)
		for _, k := range keys {
			if !l.Has(k) {
				t.Errorf("%s: no message %s", lang, k)
			}
		}
	}
}

// TestFrenchCorpus words the section of every bounce of the corpus in
// French: no message is missing, no key is shown, and the words are not
// the English ones.
func TestFrenchCorpus(t *testing.T) {
	dir := filepath.Join(conformance.Path(t, "bounce"), "messages")
	fr, en := i18n.For(i18n.French), i18n.For(i18n.English)
	n := 0
	err := mailfile.Walk(context.Background(), []string{dir}, nil, mailfile.Limits{}, func(it mailfile.Item) error {
		if it.Err != nil {
			return it.Err
		}
		res := Analyze(it.Data)
		sec, secEN := Section(it.Source, res), Section(it.Source, res)
		fr.LocalizeSection(&sec)
		en.LocalizeSection(&secEN)
		for i, f := range sec.Findings {
			for _, s := range []string{f.Title, f.Detail, f.Fix} {
				if strings.Contains(s, "bounce.") {
					t.Errorf("%s: a message key in %q", it.Source, s)
				}
			}
			if f.Title == secEN.Findings[i].Title || f.Fix != "" && f.Fix == secEN.Findings[i].Fix {
				t.Errorf("%s: %s in English: %q", it.Source, f.ID, f.Fix)
			}
		}
		if sec.Summary.String() == secEN.Summary.String() {
			t.Errorf("%s: summary in English: %q", it.Source, sec.Summary)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 250 {
		t.Fatalf("only %d messages read", n)
	}
	if m := fr.Missing(); len(m) > 0 {
		t.Errorf("French messages missing: %v", m)
	}
}

// TestFrenchProviders: the French providers' codes are explained in
// French, with the provider's own rule and what to do.
func TestFrenchProviders(t *testing.T) {
	fr := i18n.For(i18n.French)
	tests := []struct {
		reply       string
		provider    string
		detail, fix string
	}{
		{"421 mwinf5c77 ME Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR_999 [999]", "Orange OFR_999",
			"Orange a suspendu l'adresse IP d'envoi pour au moins deux heures", "Cessez d'envoyer vers Orange pendant au moins deux heures"},
		{"550 5.7.1 Service refuse. LPN007_517", "La Poste LPN007_517", "politique DMARC du domaine du From (règle LPN 517)", "mailcheck dmarc shop.example"},
		{"450 4.7.1 Service refused due to bad behavior SFR_IN_104", "SFR SFR_IN_104", "trop d'adresses qui n'existent pas chez SFR", "Retirez de vos listes les adresses refusées comme inconnues"},
		{"550 spam detected (mx1.free.fr)", "Free 550 spam detected", "Le filtre antispam de Free", "Modifiez le message"},
	}
	for _, tt := range tests {
		res := Analyze([]byte(postfixDSN("a@remote.example", "5.0.0", tt.reply)))
		sec := Section("ndr.eml", res)
		fr.LocalizeSection(&sec)
		if len(sec.Findings) != 1 {
			t.Fatalf("%s: findings %+v", tt.provider, sec.Findings)
		}
		f := sec.Findings[0]
		if !strings.Contains(f.Detail, tt.detail) || !strings.Contains(f.Detail, tt.provider) || !strings.Contains(f.Fix, tt.fix) {
			t.Errorf("%s:\n detail %q\n fix %q\nwant %q, %q", tt.provider, f.Detail, f.Fix, tt.detail, tt.fix)
		}
		if !strings.Contains(f.Detail, "Le serveur a répondu\u00a0: «\u00a0") {
			t.Errorf("%s: the server's words are not quoted the French way: %q", tt.provider, f.Detail)
		}
	}
}

// TestUnreadableKinds: an unreadable input says why in the report's
// language, from the error's kind, not the system's English.
func TestUnreadableKinds(t *testing.T) {
	_, err := os.Open(filepath.Join(t.TempDir(), "missing.eml"))
	tests := []struct {
		err     error
		variant string
		want    string
	}{
		{err, "missing", "a.eml\u00a0: fichier ou répertoire introuvable"},
		{ErrEmpty, "empty", "a.eml\u00a0: vide, rien à lire"},
		{mailfile.ErrTooLarge, "too_large", "a.eml\u00a0: dépasse la taille maximale admise"},
		{errors.New("disk on fire"), "", "a.eml\u00a0: disk on fire"},
	}
	for _, tt := range tests {
		sec := Unreadable("a.eml", tt.err)
		if f := sec.Findings[0]; f.Variant != tt.variant || f.Severity != report.High {
			t.Errorf("%v: variant %q severity %s, want %q high", tt.err, f.Variant, f.Severity, tt.variant)
		}
		i18n.For(i18n.French).LocalizeSection(&sec)
		if got := sec.Findings[0].Detail; got != tt.want {
			t.Errorf("%v: %q, want %q", tt.err, got, tt.want)
		}
	}
}
