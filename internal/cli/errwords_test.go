package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/i18n"
)

// A bad command line gets its one line in the run's language: the domain
// name, the arguments, the flags (cobra's and pflag's errors included),
// with the same English as before in English.
func TestBadInputWorded(t *testing.T) {
	// Zone files that do not load, each for a reason of its own.
	dir := t.TempDir()
	binZone, emptyZone := filepath.Join(dir, "bin.zone"), filepath.Join(dir, "empty.zone")
	if err := os.WriteFile(binZone, []byte("a\x01b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(emptyZone, []byte("; nothing\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args     []string
		english  string
		french   string
		wantCode int
	}{
		{[]string{"dmarc", "bad domain!"}, `invalid domain name "bad domain!": character ' '`, "nom de domaine invalide «\u00a0bad domain!\u00a0»\u00a0: caractère ' '", ExitBadInput},
		{[]string{"dmarc", "a..b"}, `invalid domain name "a..b": empty label`, "étiquette vide", ExitBadInput},
		{[]string{"dmarc", "xn--zz.com"}, `invalid domain name "xn--zz.com": idna: invalid label "zz"`, "nom de domaine invalide", ExitBadInput},
		{[]string{"dmarc", "192.0.2.1"}, "192.0.2.1 is an IP address; mailcheck dmarc takes a domain name such as shop.example", "est une adresse IP", ExitBadInput},
		{[]string{"dmarc", "localhost"}, `"localhost" is a single label`, "n'a qu'une étiquette", ExitBadInput},
		{[]string{"dmarc"}, "mailcheck dmarc takes a domain name, got 0 arguments (see 'mailcheck dmarc --help')", "mailcheck dmarc attend un nom de domaine, reçu 0 argument (voir «\u00a0mailcheck dmarc --help\u00a0»)", ExitBadInput},
		{[]string{"spf", "a.example", "b.example"}, "got 2 arguments", "reçu 2 arguments", ExitBadInput},
		{[]string{"dkim"}, "mailcheck dkim takes a domain name, or --message FILE, got 0 arguments", "ou --message FICHIER", ExitBadInput},
		{[]string{"domain"}, "mailcheck domain takes one or more domain names, or --file (see 'mailcheck domain --help')", "attend un ou plusieurs noms de domaine", ExitBadInput},
		{[]string{"domain", "shop.example", "--format", "xml"}, `--format "xml": want text, json, jsonl or markdown`, "--format «\u00a0xml\u00a0»\u00a0: text, json, jsonl ou markdown attendu", ExitBadInput},
		{[]string{"domain", "shop.example", "--concurrency", "0"}, "--concurrency 0: want 1 to 64", "de 1 à 64 attendu", ExitBadInput},
		{[]string{"dmarc", "shop.example", "--bogus"}, "unknown flag: --bogus (see 'mailcheck dmarc --help')", "option inconnue\u00a0: --bogus (voir «\u00a0mailcheck dmarc --help\u00a0»)", ExitBadInput},
		{[]string{"dmarc", "shop.example", "-q"}, "unknown shorthand flag: 'q' in -q", "option courte inconnue", ExitBadInput},
		{[]string{"dmarc", "shop.example", "--timeout"}, "flag needs an argument: --timeout", "l'option --timeout attend une valeur", ExitBadInput},
		{[]string{"dmarc", "shop.example", "--timeout", "soon"}, `invalid argument "soon" for "--timeout" flag: want a duration such as 30s or 2m`, "valeur «\u00a0soon\u00a0» invalide pour l'option --timeout\u00a0: une durée attendue", ExitBadInput},
		{[]string{"dmarc", "shop.example", "--color", "bleu"}, `--color "bleu": want auto, always or never`, "auto, always ou never attendu", ExitBadInput},
		{[]string{"dmarc", "shop.example", "--zone", "/nonexistent/x.zone"}, "--zone /nonexistent/x.zone: no such file or directory", "--zone /nonexistent/x.zone\u00a0: fichier ou répertoire introuvable", ExitBadInput},
		{[]string{"dmarc", "shop.example", "--fail-on", "bogus"}, `--fail-on "bogus": want info, low, medium, high, critical or none`, "critical ou none attendu", ExitBadInput},
		{[]string{"dmarc", "shop.example", "--require-policy", "strict"}, `--require-policy "strict": want none, quarantine or reject`, "none, quarantine ou reject attendu", ExitBadInput},
		{[]string{"dkim", "--message", "/nonexistent/m.eml"}, "--message /nonexistent/m.eml: no such file or directory", "fichier ou répertoire introuvable", ExitBadInput},
		{[]string{"dkim", "shop.example", "--selector", "bad/sel"}, `--selector: selector "bad/sel" has character '/'`, "--selector\u00a0: le sélecteur «\u00a0bad/sel\u00a0» contient le caractère '/'", ExitBadInput},
		{[]string{"dkim", "shop.example", "--selector", "a..b"}, `--selector: selector "a..b" has an empty label`, "le sélecteur «\u00a0a..b\u00a0» a une étiquette vide", ExitBadInput},
		{[]string{"dmarc", "shop.example", "--zone", dir}, "zone file " + dir + ": is a directory, not a zone file", "fichier de zone " + dir + "\u00a0: c'est un répertoire, pas un fichier de zone", ExitBadInput},
		{[]string{"dmarc", "shop.example", "--zone", binZone}, "zone file " + binZone + ": line 1: byte 0x01: binary data, not a zone file", "ligne 1\u00a0: octet 0x01\u00a0: données binaires", ExitBadInput},
		{[]string{"dmarc", "shop.example", "--zone", emptyZone}, "zone file " + emptyZone + ": no records", "fichier de zone " + emptyZone + "\u00a0: aucun enregistrement", ExitBadInput},
		{[]string{"dnsbl", "192.0.2.1", "--list", "bad..zone"}, `--list: invalid DNSBL zone "bad..zone": empty label`, "--list\u00a0: zone DNSBL invalide «\u00a0bad..zone\u00a0»\u00a0: étiquette vide", ExitBadInput},
		{[]string{"dnsbl", "192.0.2.1", "--list", "zen.example:foo"}, `unknown kind "foo" (want ipv4, ipv6 or domain)`, "type «\u00a0foo\u00a0» inconnu (ipv4, ipv6 ou domain attendu)", ExitBadInput},
		{[]string{"dnsbl", "192.0.2.1", "--list", "com"}, "a zone needs at least two labels", "une zone a au moins deux étiquettes", ExitBadInput},
		{[]string{"dnsbl", "192.0.2.1", "--lists", dir}, "--lists: " + dir + ": is a directory", "--lists\u00a0: " + dir + "\u00a0: est un répertoire", ExitBadInput},
		{[]string{"ports", "a.example", "--domain", "b.example"}, "give a host or --domain, not both", "donnez un hôte ou --domain, pas les deux", ExitBadInput},
		{[]string{"dmarc", "shop.example"}, "no DNS resolver: ", "aucun résolveur DNS\u00a0: ", ExitInconclusive},
		{[]string{"domian", "shop.example"}, `unknown command "domian" for "mailcheck"; did you mean domain? (see 'mailcheck --help')`, "commande inconnue «\u00a0domian\u00a0» pour «\u00a0mailcheck\u00a0»\u202f; vouliez-vous dire domain\u202f?", ExitBadInput},
	}
	for _, tt := range tests {
		for _, lang := range []string{"en", "fr"} {
			// --lang first: an unknown command stops cobra before the
			// flags, and the line must still be in the language asked.
			r := run(t, append([]string{"--lang", lang}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Errorf("%s %v: exit %d, want %d", lang, tt.args, r.code, tt.wantCode)
			}
			want := tt.english
			if lang == "fr" {
				want = tt.french
				if en := i18n.EnglishIn(r.stderr); len(en) > 0 {
					t.Errorf("fr %v: English in %q: %q", tt.args, r.stderr, en)
				}
			}
			assertOneLineError(t, r, want)
		}
	}
}

func TestLangArg(t *testing.T) {
	for args, want := range map[string]string{
		"--lang fr domian": "fr", "--lang=fr x": "fr", "x --lang en": "en", "x -- --lang fr": "", "x --lang": "",
	} {
		if got := langArg(strings.Fields(args)); got != want {
			t.Errorf("langArg(%q) = %q, want %q", args, got, want)
		}
	}
}

// The lines a bulk run and a gate print on stderr follow the language too:
// a bad line, a line read as the domain of an address, the count of bad
// lines, why the run exits 1.
func TestBulkAndGateLinesWorded(t *testing.T) {
	list := writeList(t, []string{"shop.example", "bad line!", "contact@shop.example"})
	for lang, want := range map[string][]string{
		"en": {"line 2: invalid domain name \"bad line!\": character ' '", "line 3: contact@shop.example is an email address; checking the domain shop.example", "mailcheck: 1 bad input line was skipped"},
		"fr": {"ligne 2\u00a0: nom de domaine invalide", "ligne 3\u00a0: contact@shop.example est une adresse e-mail\u202f; vérification du domaine shop.example", "mailcheck: 1 ligne invalide a été ignorée"},
	} {
		r := run(t, "--lang", lang, "domain", "--file", list, "--zone", demoZone, "--format", "jsonl")
		if r.code != ExitBadInput {
			t.Errorf("%s: exit %d, want 2", lang, r.code)
		}
		for _, w := range want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr %q does not say %q", lang, r.stderr, w)
			}
		}
		if en := i18n.EnglishIn(r.stderr); lang == "fr" && len(en) > 0 {
			t.Errorf("fr: English in %q: %q", r.stderr, en)
		}
		g := run(t, "--lang", lang, "domain", "shop.example", "--zone", demoZone, "--fail-under", "90")
		wantGate := map[string]string{"en": "shop.example scores 60, under --fail-under 90", "fr": "shop.example obtient 60, sous --fail-under 90"}[lang]
		if g.code != ExitGateFailed || !strings.Contains(g.stderr, wantGate) {
			t.Errorf("%s --fail-under 90: exit %d, stderr %q; want 1 and %q", lang, g.code, g.stderr, wantGate)
		}
	}
}
