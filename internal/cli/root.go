// Package cli is the mailcheck command line: a cobra root command with one
// file per subcommand. Each subcommand has an Options struct, a
// newXCmd(f, runF) constructor that binds flags and validates input, and a
// runX function that reads only its options. Main is the only place that
// turns errors into exit codes.
package cli

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mailcheck/mailcheck/internal/build"
	"github.com/mailcheck/mailcheck/internal/iostreams"
	"github.com/mailcheck/mailcheck/internal/render"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/smtpprobe"
	"github.com/spf13/cobra"
)

// Factory carries what commands need from the outside world. Tests replace
// the fields; Main fills them with the real ones.
type Factory struct {
	IO *iostreams.IOStreams
	// ResolvConf is read when --resolver and --zone are absent.
	ResolvConf string
	Dialer     check.Dialer
	HTTPClient *http.Client
	Now        func() time.Time
	// References are the well-known providers' hosts `mailcheck ports`
	// compares reachability with (smtpprobe.DefaultReferences); tests set
	// their own, on loopback.
	References smtpprobe.References
	// Getenv reads the environment (the language: MAILCHECK_LANG, LC_ALL,
	// LC_MESSAGES, LANG); tests give their own.
	Getenv func(string) string

	globals GlobalOptions
}

// GlobalOptions are the persistent flags every command shares.
type GlobalOptions struct {
	Format   string
	Resolver string
	Zones    []string
	Timeout  time.Duration
	NoColor  bool
	Color    string
	FailOn   string
	// Details prints every section in full (--details, -v); the default
	// text report of `mailcheck domain` is one screen.
	Details bool
	// Lang is --lang; empty: from the environment (i18n.Detect).
	Lang string
}

// NewFactory returns a Factory wired to the real world.
func NewFactory(ios *iostreams.IOStreams) *Factory {
	return &Factory{
		IO:         ios,
		ResolvConf: "/etc/resolv.conf",
		Dialer:     &net.Dialer{},
		HTTPClient: &http.Client{
			// Redirects are never followed: MTA-STS forbids it (RFC 8461
			// §3.3), and no check wants a server to send it elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		Now:        time.Now,
		References: smtpprobe.DefaultReferences,
		Getenv:     os.Getenv,
	}
}

// Main runs mailcheck with args (without the program name) and returns the
// exit code. SIGINT and SIGTERM cancel the run: it still prints what it
// has, and exits 130.
func Main(args []string, ios *iostreams.IOStreams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, args, NewFactory(ios))
}

// Run is Main with the context and factory given, for tests.
func Run(ctx context.Context, args []string, f *Factory) (code int) {
	defer func() {
		// A panic is a bug, but the user still gets one line, not a
		// stack trace.
		if r := recover(); r != nil {
			fmt.Fprintln(f.IO.ErrOut, "mailcheck: "+render.SafeString(internalError(f, r)))
			code = ExitInconclusive
		}
	}()
	root := newRootCmd(f)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	err := root.ExecuteContext(ctx)
	code = exitCode(ctx, err)
	switch {
	case code == ExitInterrupted:
		fmt.Fprintln(f.IO.ErrOut, "mailcheck: "+f.localizer().Text(report.T("cli.exit.interrupted", nil)))
	case err != nil:
		fmt.Fprintln(f.IO.ErrOut, "mailcheck: "+render.SafeString(f.errorLine(err, args))) // errors quote input and answers
	}
	return code
}

// internalError is the line for a panic r, in the run's language. The
// words are a nicety: should wording panic too, the line stays English.
func internalError(f *Factory, r any) (line string) {
	line = fmt.Sprintf("internal error: %v (please report it)", r)
	defer func() { _ = recover() }()
	return f.localizer().Text(report.T("cli.err.bug.internal", report.Params{"error": report.Lit(fmt.Sprint(r))}))
}

// oneLine makes an error one line. Cobra's "unknown command" error ends
// with a "Did you mean this?" block listing suggestions, one per line: those
// are kept, as "did you mean domain?", rather than cut with the rest.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	head, rest, multi := strings.Cut(s, "\n")
	if !multi {
		return s
	}
	head = strings.TrimSpace(head)
	if _, sugg, ok := strings.Cut(rest, "Did you mean this?"); ok {
		var names []string
		for _, l := range strings.Split(sugg, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				names = append(names, l)
			}
		}
		if len(names) > 0 {
			return head + "; did you mean " + strings.Join(names, " or ") + "? (see 'mailcheck --help')"
		}
	}
	return head
}

// textOptions lays the text report out for this terminal and these flags.
func (f *Factory) textOptions() render.TextOptions {
	return render.TextOptions{Width: f.IO.TerminalWidth(), Profile: f.IO.ColorProfile(), Details: f.globals.Details, Lang: f.lang()}
}

// applyColor applies --color (and --no-color, its older spelling) over
// what the environment decided (internal/iostreams).
func (f *Factory) applyColor() error {
	mode := strings.ToLower(f.globals.Color)
	if !f.IO.SetColorMode(mode) {
		return badInput("color", report.Params{"value": f.globals.Color})
	}
	if f.globals.NoColor && mode != "always" {
		f.IO.DisableColor()
	}
	return nil
}

func newRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "mailcheck",
		Short: "Tell why email does not arrive, and what to change",
		Long: `mailcheck checks a domain's email setup from DNS (and, for ports, from this
machine's network) and says what is wrong and exactly what to change: the
record to publish, the setting to fix.

Exit codes: 0 report produced and gates passed; 1 a gate failed (a finding at
or above --fail-on, or a requirement such as --require-policy); 2 bad input or
usage; 3 inconclusive (the resolver did not answer, nothing could be decided);
130 interrupted. See docs/exit-codes.md.`,
		Version:       build.String(),
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.validateGlobals(); err != nil {
				return err
			}
			return f.applyColor()
		},
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(flagError)
	help := root.HelpFunc() // cobra's
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		f.localizeHelp(root)
		help(c, args)
	})
	// cobra's own `completion bash|zsh|fish|powershell`; descriptions on,
	// so zsh and fish show what each subcommand and flag does.
	root.CompletionOptions.HiddenDefaultCmd = false

	pf := root.PersistentFlags()
	pf.StringVarP(&f.globals.Format, "format", "o", "text", "output format: text, json, jsonl (one line per report) or markdown")
	pf.StringVar(&f.globals.Resolver, "resolver", "", "DNS resolver to ask, host[:port] (default: the first nameserver of /etc/resolv.conf)")
	pf.StringArrayVar(&f.globals.Zones, "zone", nil, "answer DNS from this BIND zone file only, offline (repeatable); names outside it are unknown")
	pf.DurationVar(&f.globals.Timeout, "timeout", 30*time.Second, "deadline for the whole command")
	pf.StringVar(&f.globals.Color, "color", "auto", "color in text output: auto (on a terminal, unless NO_COLOR; FORCE_COLOR or CLICOLOR_FORCE force it), always or never")
	pf.BoolVar(&f.globals.NoColor, "no-color", false, "no color in text output (same as --color never)")
	pf.BoolVarP(&f.globals.Details, "details", "v", false, "print every check in full (the default domain report is one screen)")
	pf.StringVar(&f.globals.Lang, "lang", "", "language of the report's words: en or fr (default: MAILCHECK_LANG, LC_ALL, LC_MESSAGES or LANG; English otherwise)")
	pf.StringVar(&f.globals.FailOn, "fail-on", "critical", "exit 1 when a finding is at least this severe: critical, high, medium, low, info, or none")

	// Completions of the fixed-choice flags (the shell scripts of
	// `mailcheck completion` ask the binary for them).
	for flag, values := range map[string][]string{
		"format":  {"text", "json", "jsonl", "markdown"},
		"color":   {"auto", "always", "never"},
		"fail-on": {"critical", "high", "medium", "low", "info", "none"},
		"lang":    {"en", "fr"},
	} {
		_ = root.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	}

	root.AddCommand(
		newDomainCmd(f, nil),
		newDMARCCmd(f, nil),
		newSPFCmd(f, nil),
		newDKIMCmd(f, nil),
		newMessageCmd(f, nil),
		newMXCmd(f, nil),
		newPortsCmd(f, nil),
		newDNSBLCmd(f, nil),
		newBounceCmd(f, nil),
		newReportsCmd(f, nil),
		newVersionCmd(f),
	)
	return root
}

// Command returns the root command, wired to f, for tools that document
// the command line (man pages, completions) without running it.
func Command(f *Factory) *cobra.Command { return newRootCmd(f) }
