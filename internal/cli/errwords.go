package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/dnsbl"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/zone"
)

// The words of the command line's errors: the one line a bad invocation
// prints on stderr is in the run's language, like the report. An error is
// worded from the catalog (cli.err.*) where it is made, and keeps its
// English in Error(), for logs and for callers that match on it.

// badInput is bad input worded from the catalog key cli.err.<key>.
func badInput(key string, p report.Params) *InputError {
	m := report.T("cli.err."+key, p)
	return &InputError{Err: errors.New(i18n.For(i18n.English).Text(m)), words: m}
}

// exitWith ends a run with code and the reason m (a catalog message).
func exitWith(code int, m report.Msg) *ExitError {
	return &ExitError{Code: code, Reason: i18n.For(i18n.English).Text(m), words: m}
}

// hint adds m, what to do, to the error (its English in Hint).
func (e *InputError) hint(m report.Msg) *InputError {
	e.hintWords, e.Hint = m, i18n.For(i18n.English).Text(m)
	return e
}

// seeHelp adds the hint to read command's help.
func (e *InputError) seeHelp(command string) *InputError {
	return e.hint(report.T("cli.err.see_help", report.Params{"command": command}))
}

// errorLine is err as Run prints it: in the run's language when it was
// worded, else as it is (cobra's unknown command is worded here). args are
// the command line: when cobra stopped before parsing the flags (an
// unknown command), --lang is read from them.
func (f *Factory) errorLine(err error, args []string) string {
	l := f.localizer()
	if f.globals.Lang == "" {
		// Read, not set: the bulk run's writer calls this while the
		// domains' goroutines read the flags.
		if lang, perr := i18n.Parse(langArg(args)); perr == nil {
			l = i18n.For(lang)
		}
	}
	// Only when the worded error is the whole of err: words found under
	// a wrapper of other words would drop the wrapper's.
	var ee *ExitError
	if errors.As(err, &ee) && ee.words.Key != "" && ee.Error() == err.Error() {
		return l.Text(ee.words)
	}
	var env *envError
	if errors.As(err, &env) && env.Error() == err.Error() {
		return l.Text(env.words)
	}
	var ie *InputError
	if errors.As(err, &ie) && ie.words.Key != "" && ie.Error() == err.Error() {
		s := l.Text(ie.words)
		if ie.hintWords.Key != "" {
			s += " (" + l.Text(ie.hintWords) + ")"
		}
		return s
	}
	if l.Lang() != i18n.English {
		if m, ok := unknownCommand(l, err.Error()); ok {
			return l.Text(m)
		}
	}
	return oneLine(err.Error())
}

// cobraUnknown is cobra's error for an unknown subcommand (cobra has no
// error type for it), with its "Did you mean this?" block, if any.
var cobraUnknown = regexp.MustCompile(`^unknown command "(.*)" for "(.*)"`)

// unknownCommand words cobra's unknown command error, suggestions kept.
func unknownCommand(l *i18n.Localizer, s string) (report.Msg, bool) {
	m := cobraUnknown.FindStringSubmatch(s)
	if m == nil {
		return report.Msg{}, false
	}
	p := report.Params{"name": m[1], "command": m[2]}
	if _, sugg, ok := strings.Cut(s, "Did you mean this?"); ok {
		if names := strings.Fields(sugg); len(names) > 0 {
			p["suggestions"] = strings.Join(names, l.Text(report.T("cli.err.or", nil)))
			return report.T("cli.err.unknown_command_suggest", p), true
		}
	}
	return report.T("cli.err.unknown_command", p), true
}

// flagError words pflag's errors (cobra's flag error function): an
// unknown flag, a missing or invalid value.
func flagError(cmd *cobra.Command, err error) error {
	var (
		notExist *pflag.NotExistError
		required *pflag.ValueRequiredError
		invalid  *pflag.InvalidValueError
		syntax   *pflag.InvalidSyntaxError
		e        *InputError
	)
	switch {
	case errors.As(err, &notExist) && notExist.GetSpecifiedShortnames() != "":
		e = badInput("unknown_shorthand", report.Params{"flag": notExist.GetSpecifiedName()[:1], "group": notExist.GetSpecifiedShortnames()})
	case errors.As(err, &notExist):
		e = badInput("unknown_flag", report.Params{"flag": notExist.GetSpecifiedName()})
	case errors.As(err, &required) && required.GetSpecifiedShortnames() != "":
		e = badInput("needs_value_short", report.Params{"flag": required.GetSpecifiedName()[:1], "group": required.GetSpecifiedShortnames()})
	case errors.As(err, &required):
		e = badInput("needs_value", report.Params{"flag": required.GetSpecifiedName()})
	case errors.As(err, &invalid) && invalid.GetFlag() != nil:
		fl := invalid.GetFlag()
		name := "--" + fl.Name
		if fl.Shorthand != "" && fl.ShorthandDeprecated == "" {
			name = "-" + fl.Shorthand + ", --" + fl.Name
		}
		var reason any = report.Lit(unwrapAll(err).Error())
		switch t := fl.Value.Type(); {
		case t == "duration" || t == "bool":
			reason = report.T("cli.err.want."+t, nil)
		case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint"):
			reason = report.T("cli.err.want.int", nil)
		}
		e = badInput("invalid_value", report.Params{"value": invalid.GetValue(), "flag": name, "reason": reason})
	case errors.As(err, &syntax):
		e = badInput("bad_flag_syntax", report.Params{"flag": syntax.GetSpecifiedFlag()})
	default:
		e = &InputError{Err: err} // its hint is still worded
	}
	return e.seeHelp(cmd.CommandPath())
}

// domainErrors are the dnsname.Parse errors that have words of their own
// (cli.err.domain.<key>), in the order they are tested.
var domainErrors = []struct {
	err error
	key string
}{
	{dnsname.ErrIPAddress, "ip"},
	{dnsname.ErrNotIPv4, "not_ipv4"},
	{dnsname.ErrNumericTLD, "numeric_tld"},
	{dnsname.ErrEmpty, "empty"},
	{dnsname.ErrSingleLabel, "single_label"},
	{dnsname.ErrTooLong, "too_long"},
	{dnsname.ErrLabelLength, "label_length"},
}

// domainError words dnsname.Parse's error for arg (shown: arg cut short
// for the message), given to mailcheck command.
func domainError(err error, command, arg, shown string) *InputError {
	p := report.Params{"value": shown, "command": command}
	if errors.Is(err, dnsname.ErrIPAddress) {
		p["value"] = strings.TrimSpace(arg) // an address is never cut
	}
	for _, e := range domainErrors {
		if errors.Is(err, e.err) {
			return badInput("domain."+e.key, p)
		}
	}
	p["why"] = nameWhy(err)
	return badInput("domain.invalid", p)
}

// nameWhy words why dnsname could not read a name, for a message that
// quotes the name itself.
func nameWhy(err error) any {
	var de *dnsname.Error
	switch {
	case errors.Is(err, dnsname.ErrEmptyLabel):
		return report.T("cli.err.domain.why.empty_label", nil)
	case errors.Is(err, dnsname.ErrEmpty):
		return report.T("cli.err.domain.empty", nil)
	case errors.As(err, &de) && de.Char != "":
		return report.T("cli.err.domain.why.character", report.Params{"char": de.Char})
	case errors.As(err, &de) && de.UTF8:
		return report.T("cli.err.domain.why.utf8", nil)
	case errors.As(err, &de) && de.Err != nil:
		return report.Lit(de.Err.Error()) // IDNA's reason, in its own words
	}
	return report.Lit(unwrapAll(err).Error())
}

// catalogReason words dnsbl.LoadCatalogFile's error (--lists): a file
// that cannot be read in the run's words; what is wrong inside the
// catalog is the validator's, in English.
func catalogReason(err error) any {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return report.T("cli.err.file_reason", report.Params{"file": pe.Path, "reason": pathReason(err)})
	}
	return report.Lit(err.Error())
}

// listReason words dnsbl.ParseListSpec's error (a --list value).
func listReason(err error) any {
	var ze *dnsbl.ZoneError
	if !errors.As(err, &ze) {
		return report.Lit(err.Error())
	}
	p := report.Params{"value": ze.Spec}
	switch {
	case ze.Name != nil:
		p["why"] = nameWhy(ze.Name)
	case ze.OneLabel:
		p["why"] = report.T("cli.err.list.why.one_label", nil)
	default:
		p["why"] = report.T("cli.err.list.why.kind", report.Params{"kind": ze.Kind})
	}
	return report.T("cli.err.list.invalid", p)
}

// selectorReason words dkim.ValidateSelector's error.
func selectorReason(err error) any {
	var se *dkim.SelectorError
	if !errors.As(err, &se) {
		return report.Lit(err.Error())
	}
	return report.T("cli.err.selector."+string(se.Problem), report.Params{"selector": se.Selector, "char": fmt.Sprintf("%q", se.Char)})
}

// zoneError words a --zone file that could not be loaded; a syntax error
// keeps the parser's own words, after the file's name.
func zoneError(err error) *InputError {
	var fe *zone.FileError
	if !errors.As(err, &fe) {
		return &InputError{Err: err}
	}
	p := report.Params{"file": fe.File, "line": fe.Line, "byte": fmt.Sprintf("0x%02x", fe.Byte), "size": fe.Size, "limit": fe.Limit}
	switch fe.Problem {
	case zone.ProblemOpen:
		p["reason"] = pathReason(fe.Err)
	case zone.ProblemSyntax:
		p["reason"] = report.Lit(fe.Reason)
	}
	return badInput("zone."+string(fe.Problem), p)
}

// langArg finds --lang's value in args ("--lang fr" or "--lang=fr"), or "".
func langArg(args []string) string {
	for i, a := range args {
		switch {
		case a == "--":
			return ""
		case a == "--lang" && i+1 < len(args):
			return args[i+1]
		case strings.HasPrefix(a, "--lang="):
			return strings.TrimPrefix(a, "--lang=")
		}
	}
	return ""
}

// pathReason says why a file named on the command line could not be
// opened: in words for the usual reasons, else the system's own.
func pathReason(err error) any {
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return report.T("cli.err.path.missing", nil)
	case errors.Is(err, fs.ErrPermission):
		return report.T("cli.err.path.permission", nil)
	case errors.Is(err, syscall.EISDIR):
		return report.T("cli.err.path.directory", nil)
	case errors.As(err, &pe):
		return report.Lit(pe.Err.Error())
	}
	return report.Lit(err.Error())
}

// lineError is err, the error of a line of --file, with where it is.
func lineError(file string, line int, err error) *InputError {
	return badInput("line", report.Params{"file": file, "line": line, "error": wordsOf(err)})
}

// wordsOf is err's words: its catalog message when it was worded, else its
// text as it is.
func wordsOf(err error) report.Msg {
	var ie *InputError
	if errors.As(err, &ie) && ie.words.Key != "" && ie.Error() == err.Error() {
		return ie.words
	}
	return report.Lit(err.Error())
}

// pastedNote says that value, an address or a URL (what, from
// pastedDomain), was read as the domain d.
func pastedNote(value, what string, d dnsname.Domain) report.Msg {
	return report.T("cli.note.pasted", report.Params{"value": value, "what": report.T("cli.note.what."+what, nil), "domain": d.Unicode()})
}

// readError is err, which stopped the reading of the list file, with the
// file's name (an error worded in the catalogs stays worded).
func readError(file string, err error) *InputError {
	return badInput("reading", report.Params{"file": file, "error": wordsOf(err)})
}
