package cli

import (
	"context"
	"errors"
	"runtime"
	"strings"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/internal/render"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/mailfile"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/reports"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"
)

// ReportsOptions are the inputs of `mailcheck reports`.
type ReportsOptions struct {
	// Paths are files, directories and mbox files; "-" is standard input.
	Paths []string
	// NoDNS reads the reports alone: no reverse DNS, no DMARC lookup.
	NoDNS bool
	// Format is the output format: the global ones, or "csv" for the
	// per-source table.
	Format string
}

func newReportsCmd(f *Factory, runF func(context.Context, *ReportsOptions) error) *cobra.Command {
	opts := &ReportsOptions{}
	cmd := &cobra.Command{
		Use:   "reports <path>... | -",
		Short: "Read DMARC aggregate, failure and SMTP TLS reports: who sends as you, and is p=reject safe",
		Long: `Read the reports receivers send to your rua= addresses and say who sends mail as
your domain, who fails DMARC and why, and whether a stricter policy is safe.

Each path is a file, a directory (read recursively) or an mbox; '-' reads
standard input. A file may be a DMARC aggregate report (RFC 7489 Appendix C,
RFC 9990), a DMARC failure report (RFC 6591), an SMTP TLS report (RFC 8460
JSON), gzip'd or zipped, or the email that carried any of those. Duplicate
reports (same reporter and report ID) count once. A file that cannot be read
is named with the reason, and the rest is still read.

Each source address is named from its reverse DNS and the DKIM and SPF
identities it uses (a small table of known services: Google Workspace,
Microsoft 365, Brevo, Mailchimp...) and classified: aligned and passing;
legitimate but failing, with the fix; forwarded; or unauthorized. The verdict
is the share of legitimate mail that quarantine or reject would stop, and the
next p= with the record to publish, built from the DMARC record in DNS (or
from the reports' policy_published with --no-dns).

--format csv writes the per-source table (columns in docs/findings/reports.md)
instead of the report. Exit codes: see 'mailcheck --help'; 2 when no report
could be read at all.`,
		Example: `  mailcheck reports ~/dmarc-reports/
  mailcheck reports inbox.mbox --no-dns
  mailcheck reports report.xml.gz --format json
  mailcheck reports ~/dmarc-reports/ --format csv > sources.csv
  cat report.xml | mailcheck reports -`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return exactArgs(1, "reports")(cmd, args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			switch opts.Format = strings.ToLower(opts.Format); opts.Format {
			case "text", "json", "jsonl", "markdown", "md", "csv":
			default:
				return badInput("format_csv", report.Params{"value": opts.Format})
			}
			if opts.Format != "csv" {
				f.globals.Format = opts.Format
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runReports(cmd.Context(), f, opts)
		},
	}
	// --format is the global flag plus csv: declared here, it shadows the
	// persistent one for this command only.
	cmd.Flags().StringVarP(&opts.Format, "format", "o", "text", "output format: text, json, jsonl, markdown, or csv (the per-source table)")
	cmd.Flags().BoolVar(&opts.NoDNS, "no-dns", false, "read the reports alone: no reverse DNS, no DMARC record lookup")
	return cmd
}

func runReports(ctx context.Context, f *Factory, opts *ReportsOptions) error {
	var s *session
	var env check.Env
	var cancel context.CancelFunc
	if opts.NoDNS {
		ctx, cancel = context.WithTimeout(ctx, f.globals.Timeout)
		env = check.Env{Now: f.Now}
	} else {
		var err error
		s, ctx, cancel, err = f.newSession(ctx)
		if ee := (*envError)(nil); errors.As(err, &ee) {
			return &envError{words: report.T("cli.exit.or_no_dns", report.Params{"why": ee.words})}
		}
		if err != nil {
			return err
		}
		env = s.Env
	}
	defer cancel()

	c := reports.NewCollector(reports.Limits{})
	// Items are parsed by a few workers while the walk reads the next
	// ones; the limit bounds the items held in memory at once.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0) + 1)
	walkErr := mailfile.Walk(ctx, opts.Paths, f.IO.In, mailfile.Limits{}, func(it mailfile.Item) error {
		if it.Err != nil {
			c.AddError(it.Source, it.Err)
			return nil
		}
		g.Go(func() error {
			c.Add(it.Source, it.Data)
			return nil
		})
		return nil
	})
	_ = g.Wait() // Add records problems itself
	switch {
	case walkErr == nil:
	case errors.Is(walkErr, mailfile.ErrTooMany):
		c.AddError(strings.Join(opts.Paths, " "), walkErr)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		// What was read is still reported; the rest is named.
		c.AddProblem(strings.Join(opts.Paths, " "), "timeout", report.T("reports.cli.timeout", report.Params{"timeout": f.globals.Timeout.String()}))
	case ctx.Err() != nil:
		return walkErr
	default:
		return &InputError{Err: walkErr}
	}

	sections := c.Sections(ctx, env, reports.Options{NoDNS: opts.NoDNS})
	loc := f.localizer()
	for i := range sections {
		// A target that is words, not a domain (a string): worded here.
		if k := reports.TargetKey(sections[i].Target); k != "" {
			sections[i].Target = loc.Label(k)
		}
	}
	noReports := func() error {
		st := c.Stats()
		m := report.T("reports.cli.none", report.Params{"paths": strings.Join(opts.Paths, " "), "count": st.Items, "unreadable": st.Unreadable})
		return &InputError{Err: errors.New(i18n.For(i18n.English).Text(m)), words: m}
	}
	if opts.Format == "csv" {
		// The table's service, matched_by and fix cells are words.
		sec := report.Section{Display: report.Display{Tables: []report.Table{reports.SourceTable(sections)}}}
		loc.LocalizeSection(&sec)
		if err := render.CSV(f.IO.Out, sec.Display.Tables[0]); err != nil {
			return err
		}
	} else {
		rep := f.newReport(s, "reports", strings.Join(opts.Paths, " "), sections...)
		if st := c.Stats(); st.Reports == 0 {
			if err := f.print(rep); err != nil {
				return err
			}
			return noReports()
		}
		return f.finish(ctx, rep)
	}
	if st := c.Stats(); st.Reports == 0 {
		return noReports()
	}
	return nil
}
