package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/internal/iostreams"
)

// Every command's Short and Long and every flag's usage has its French,
// translated from the English the Go source has now (the hash in the
// entry's description), and the catalog has no French for a command or a
// flag that is gone. When the English changes, this fails: update the
// French and the hash it names.
func TestHelpInFrench(t *testing.T) {
	fr, err := i18n.Messages(i18n.French)
	if err != nil {
		t.Fatal(err)
	}
	ios, _, _, _ := iostreams.Test()
	root := newRootCmd(NewFactory(ios))
	want := map[string]bool{
		// cobra's own commands, added when it runs: their Short only.
		"help.mailcheck.help.short": true, "help.mailcheck.completion.short": true,
	}
	check := func(key, english string) {
		want[key] = true
		m := fr[key]
		switch {
		case m == nil:
			t.Errorf("%s: no French for %q", key, english)
		case m.Description != "en "+englishHash(english):
			t.Errorf("%s: the French translates older English (description %q); the English is now %q (hash %s)", key, m.Description, english, englishHash(english))
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		key := helpKey(c)
		check(key+".short", c.Short)
		if c.Long != "" {
			check(key+".long", c.Long)
		}
		seen := map[string]bool{}
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
			fs.VisitAll(func(fl *pflag.Flag) {
				if !seen[fl.Name] {
					seen[fl.Name] = true
					check(key+".flag."+fl.Name, fl.Usage)
				}
			})
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	for key := range fr {
		if strings.HasPrefix(key, "help.mailcheck.") && !want[key] {
			t.Errorf("%s: French for a command or flag that does not exist", key)
		}
	}
}

// The help is printed in the run's language, headings and pflag's default
// values included; English stays cobra's.
func TestHelpOutputInFrench(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"domain", "--help"}, {"help", "dmarc"}} {
		r := run(t, append([]string{"--lang", "fr"}, args...)...)
		if r.code != 0 {
			t.Errorf("%v: exit %d", args, r.code)
		}
		for _, w := range []string{"Utilisation\u00a0:", "Options"} {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v: help does not say %q:\n%s", args, w, r.stdout)
			}
		}
		for _, english := range []string{"Usage:", "Flags:", "Run every check", "(default ", "help for "} {
			if strings.Contains(r.stdout, english) {
				t.Errorf("%v: English %q in the French help", args, english)
			}
		}
		en := run(t, append([]string{"--lang", "en"}, args...)...)
		if !strings.Contains(en.stdout, "Usage:") || !strings.Contains(en.stdout, "Flags:") {
			t.Errorf("%v: the English help lost cobra's headings:\n%s", args, en.stdout)
		}
	}
	if r := run(t, "--lang", "fr", "help", "dmarc"); !strings.Contains(r.stdout, "voir «\u00a0mailcheck --help\u00a0»") {
		t.Errorf("help dmarc in French:\n%s", r.stdout)
	}
	if r := run(t, "--lang", "fr", "domain", "--help"); !strings.Contains(r.stdout, "Lancer toutes les vérifications") || !strings.Contains(r.stdout, "(par défaut\u00a0: 30s)") {
		t.Errorf("domain --help in French:\n%s", r.stdout)
	}
}
