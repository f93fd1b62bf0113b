package cli

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/netip"
	"strings"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/bounce"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/dnsbl"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/infra"
	"github.com/mailcheck/mailcheck/pkg/mailfile"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/spf"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"
)

// BounceOptions are the inputs of `mailcheck bounce`.
type BounceOptions struct {
	// Paths are files, mbox files, directories, or "-" for standard input.
	Paths []string
	// Check runs the checks the bounces point at and adds their sections.
	Check bool
	// Limits bound what is read.
	Limits mailfile.Limits
}

// maxBounceChecks bounds the checks --check runs for one invocation: an
// mbox of a thousand bounces names many domains, and each check costs DNS.
const maxBounceChecks = 32

func newBounceCmd(f *Factory, runF func(context.Context, *BounceOptions) error) *cobra.Command {
	opts := &BounceOptions{}
	var maxSize int64
	cmd := &cobra.Command{
		Use:   "bounce <file>... | -",
		Short: "Read a bounce: per recipient why the mail did not arrive and what to do",
		Long: `Read bounces (non-delivery reports) and say, for each recipient, what happened
(action, RFC 3463 status, SMTP reply, the server's words), why (a reason from the
field's common vocabulary: userunknown, mailboxfull, authfailure, blocked, ...),
whether it is a hard or soft bounce, who must act (the sender's setup, the
recipient, the content, or nobody yet), and the mailcheck command that confirms
the cause, built from the bounce's facts (mailcheck dmarc shop.example,
mailcheck dnsbl 192.0.2.1, mailcheck mx client.example).

Input: message files (LF or CRLF), mbox files (each message reported), directories
of them, or "-" for standard input; text pasted from a mail client without its
headers is read too. RFC 3464 delivery status notifications, the plain-text
bounces of Postfix, Exim, Sendmail, qmail, Exchange, Gmail, Yahoo and others,
and Amazon SES notifications are understood; automatic replies (RFC 3834) and
feedback reports (RFC 5965) are named as what they are.

--check runs the suggested checks (DNS, live or on --zone files) and adds their
sections to the report, so one command answers the ticket.

Exit codes: 0 when every input was read, 1 when --fail-on trips, 2 when an
input cannot be read. See 'mailcheck --help'.`,
		Example: `  mailcheck bounce ndr.eml
  mailcheck bounce ndr.eml --check
  mailcheck bounce ~/Mail/bounces.mbox --format jsonl
  pbpaste | mailcheck bounce -`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return exactArgs(1, "bounce")(cmd, args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if maxSize <= 0 {
				return badInput("max_size", report.Params{"value": maxSize})
			}
			opts.Limits.MaxItemBytes = maxSize
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runBounce(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Check, "check", false, "run the checks the bounces point at (dmarc, spf, dkim, dnsbl, mx) and add their sections")
	cmd.Flags().Int64Var(&maxSize, "max-size", mailfile.DefaultMaxItemBytes, "largest message or file read, in bytes")
	return cmd
}

func runBounce(ctx context.Context, f *Factory, opts *BounceOptions) error {
	var sections []report.Section
	var results []*bounce.Result
	var unreadable []report.Msg
	err := mailfile.Walk(ctx, opts.Paths, f.IO.In, opts.Limits, func(it mailfile.Item) error {
		if it.Err != nil {
			unreadable = append(unreadable, bounce.UnreadableMsg(it.Source, unwrapAll(it.Err)))
			sections = append(sections, bounce.Unreadable(it.Source, unwrapAll(it.Err)))
			return nil
		}
		if len(bytes.TrimSpace(it.Data)) == 0 {
			unreadable = append(unreadable, bounce.UnreadableMsg(it.Source, bounce.ErrEmpty))
			sections = append(sections, bounce.Unreadable(it.Source, bounce.ErrEmpty))
			return nil
		}
		res := bounce.Analyze(it.Data)
		results = append(results, res)
		sections = append(sections, bounce.Section(it.Source, res))
		return nil
	})
	words := f.localizer()
	if err != nil && !errors.Is(err, mailfile.ErrTooMany) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return &InputError{Err: errors.New(words.Text(bounce.UnreadableMsg(pe.Path, unwrapAll(pe.Err))))}
		}
		return &InputError{Err: err}
	}
	if err != nil {
		unreadable = append(unreadable, bounce.UnreadableMsg(strings.Join(opts.Paths, " "), err))
	}
	if len(results) == 0 && len(unreadable) > 0 {
		return &InputError{Err: errors.New(joinWords(words, unreadable))}
	}
	if len(sections) == 0 {
		return &InputError{Err: errors.New(words.Text(report.T("bounce.cli.no_message", report.Params{"paths": strings.Join(opts.Paths, " ")})))}
	}

	target := strings.Join(opts.Paths, " ")
	var rep *report.Report
	if opts.Check {
		s, cctx, cancel, err := f.newSession(ctx)
		if err != nil {
			return err
		}
		defer cancel()
		if len(f.globals.Zones) > 0 {
			s.Env.HTTPClient, s.Env.Dialer = nil, nil
		}
		sections = append(sections, runSuggestedChecks(cctx, s, results)...)
		rep = f.newReport(s, "bounce", target, sections...)
		ctx = cctx
	} else {
		rep = f.newReport(nil, "bounce", target, sections...)
	}
	if len(unreadable) > 0 {
		if err := f.print(rep); err != nil {
			return err
		}
		return &ExitError{Code: ExitBadInput, Reason: words.Text(report.T("bounce.cli.could_not_read", report.Params{"items": joinWords(words, unreadable)}))}
	}
	return f.finish(ctx, rep)
}

// joinWords words each message and joins them with a semicolon, one
// input's words after another's (French sets it off with a narrow
// no-break space).
func joinWords(l *i18n.Localizer, ms []report.Msg) string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = l.Text(m)
	}
	sep := "; "
	if l.Lang() == i18n.French {
		sep = "\u202f; "
	}
	return strings.Join(out, sep)
}

// runSuggestedChecks runs each distinct check the bounces point at once,
// concurrently, and returns their sections in the order first suggested.
func runSuggestedChecks(ctx context.Context, s *session, results []*bounce.Result) []report.Section {
	var todo []bounce.Suggestion
	seen := map[string]bool{}
	for _, res := range results {
		for _, sg := range bounce.Suggestions(res) {
			if !seen[sg.Key()] && len(todo) < maxBounceChecks {
				seen[sg.Key()] = true
				todo = append(todo, sg)
			}
		}
	}
	slots := make([][]report.Section, len(todo))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, sg := range todo {
		g.Go(func() error {
			slots[i] = runSuggestion(gctx, s, sg)
			return nil
		})
	}
	_ = g.Wait()
	var out []report.Section
	for _, secs := range slots {
		out = append(out, secs...)
	}
	return out
}

// runSuggestion runs one suggested check with the session's Env, the way
// its own command does. A target the bounce gave that is not a valid
// domain or address is skipped: nothing is checked on a guess.
func runSuggestion(ctx context.Context, s *session, sg bounce.Suggestion) []report.Section {
	env := s.Env
	if sg.Check == "dnsbl" {
		opts := dnsbl.Options{Resolver: s.source, Concurrency: dnsbl.DefaultConcurrency}
		if a, err := netip.ParseAddr(sg.Target); err == nil {
			return []report.Section{dnsbl.CheckTargets(ctx, env, []dnsbl.Target{dnsbl.AddressTarget(a.Unmap())}, opts)}
		}
		if d, err := dnsname.Parse(sg.Target); err == nil {
			return []report.Section{dnsbl.Check(ctx, env, d, opts)}
		}
		return nil
	}
	d, err := dnsname.Parse(sg.Target)
	if err != nil {
		return nil
	}
	return checkDomain(ctx, env, sg, d)
}

func checkDomain(ctx context.Context, env check.Env, sg bounce.Suggestion, d dnsname.Domain) []report.Section {
	switch sg.Check {
	case "dmarc":
		return []report.Section{dmarc.Check(ctx, env, d, dmarc.Options{})}
	case "spf":
		return []report.Section{spf.Check(ctx, env, d, spf.Options{})}
	case "dkim":
		return []report.Section{dkim.Check(ctx, env, d, dkim.Options{})}
	case "mx":
		var ips []netip.Addr
		if a, err := netip.ParseAddr(sg.IP); err == nil {
			ips = append(ips, a.Unmap())
		}
		return infra.Run(ctx, env, d, infra.Options{SendingIPs: ips})
	}
	return nil
}
