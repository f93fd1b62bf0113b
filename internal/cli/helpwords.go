package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// The help of the command line in the run's language. Its English is the
// Go source (each command's Short and Long, each flag's usage), from which
// the man pages and completions are made; another language's catalog
// translates it under help.<command path>.short, .long and
// .flag.<name>, each entry's description holding the hash of the English
// it translates (englishHash), so a change of the English shows as a stale
// translation (TestHelpInFrench) rather than as help that says something
// else.

// helpKey is the catalog prefix of c's help: help.mailcheck.domain.
func helpKey(c *cobra.Command) string {
	return "help." + strings.ReplaceAll(c.CommandPath(), " ", ".")
}

// englishHash is what a translation's description names: the first 8 hex
// digits of the SHA-256 of the English it translates.
func englishHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:4])
}

// localizeHelp puts root's commands, flags and usage headings in the
// run's language before cobra prints a help (the process ends after it).
func (f *Factory) localizeHelp(root *cobra.Command) {
	l := f.localizer()
	if l.Lang() == i18n.English {
		return
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		key := helpKey(c)
		if l.Has(key + ".short") {
			c.Short = l.Label(key + ".short")
		}
		if l.Has(key + ".long") {
			c.Long = l.Label(key + ".long")
		}
		c.InitDefaultHelpFlag()
		word := func(fl *pflag.Flag) {
			switch k := key + ".flag." + fl.Name; {
			case l.Has(k):
				fl.Usage = l.Label(k)
			case fl.Name == "help" || fl.Name == "version":
				// cobra's own: "help for domain".
				fl.Usage = l.Text(report.T("help.flag."+fl.Name, report.Params{"command": c.Name()}))
			}
		}
		c.Flags().VisitAll(word)
		c.PersistentFlags().VisitAll(word)
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	root.InitDefaultVersionFlag()
	walk(root)
	root.SetUsageTemplate(usageTemplate(root.UsageTemplate(), l))
}

func init() {
	// pflag writes "(default 30s)" after a flag's usage; the French
	// template passes its own words for it (a function registered once:
	// cobra's template functions are global).
	cobra.AddTemplateFunc("mailcheckDefaults", func(usages, word string) string {
		return strings.ReplaceAll(usages, "(default ", word)
	})
}

// usageTemplate is cobra's usage template with its headings in l's words.
func usageTemplate(tmpl string, l *i18n.Localizer) string {
	h := func(k string) string { return l.Label("help.heading." + k) }
	def := strconv.Quote(h("default"))
	// In this order: "Global Flags:" before "Flags:", which it contains.
	return strings.NewReplacer(
		`Use "{{.CommandPath}} [command] --help" for more information about a command.`,
		l.Text(report.T("help.heading.more", report.Params{"path": "{{.CommandPath}}"})),
		"Usage:", h("usage"),
		"Aliases:", h("aliases"),
		"Examples:", h("examples"),
		"Available Commands:", h("commands"),
		"Additional Commands:", h("additional_commands"),
		"Global Flags:", h("global_flags"),
		"Flags:", h("flags"),
		"Additional help topics:", h("help_topics"),
		"{{.CommandPath}} [command]", "{{.CommandPath}} "+h("command_arg"),
		"{{.LocalFlags.FlagUsages", "{{mailcheckDefaults .LocalFlags.FlagUsages "+def,
		"{{.InheritedFlags.FlagUsages", "{{mailcheckDefaults .InheritedFlags.FlagUsages "+def,
	).Replace(tmpl)
}
