package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/spf13/cobra"
)

// DKIMOptions are the inputs of `mailcheck dkim`.
type DKIMOptions struct {
	// Domain is the domain whose keys are checked; zero when only a
	// message is given (its From domain is used).
	Domain dnsname.Domain
	// Selectors to look up; none means the message's, or the built-in
	// guess list.
	Selectors []string
	// MessagePath is a raw message file to verify, "-" for standard input,
	// "" for none.
	MessagePath string
}

func newDKIMCmd(f *Factory, runF func(context.Context, *DKIMOptions) error) *cobra.Command {
	opts := &DKIMOptions{}
	cmd := &cobra.Command{
		Use:   "dkim [<domain>] [--selector NAME]... [--message FILE]",
		Short: "Check the domain's DKIM keys, and verify a message (RFC 6376)",
		Long: `Look up a domain's DKIM keys and judge them: record syntax, version, revoked
keys, key type and size (RSA under 1024 bits is refused, under 2048 is weak),
sha1-only, test mode, service type, and answers too large for plain UDP DNS.

Selectors cannot be listed from DNS. Give yours with --selector (repeatable);
without one, mailcheck probes the selectors that large providers use (Google,
Microsoft 365, Mailchimp, SendGrid, Mailjet, Brevo, Zoho, Klaviyo, Fastmail,
Proton and generic MTAs). Finding nothing under those guesses is reported as
unknown (dkim.selector.unverified), never as a failure; it exits 0, since DNS
answered: exit 3 is for a resolver that did not.

With --message FILE (or - for standard input), verify every DKIM-Signature of a
raw message (.eml, as received, headers included) and report per signature the
result, the signed header fields, l=, and alignment with the From domain. The
domain argument is then optional: it defaults to the From domain. A file that
is not a message exits 2.

Exits 1 on a critical finding and 0 when there are only warnings; --fail-on
moves that line. Other exit codes: see 'mailcheck --help'.`,
		Example: `  mailcheck dkim shop.example
  mailcheck dkim shop.example --selector google --selector s1
  mailcheck dkim --message welcome.eml
  mailcheck dkim shop.example --message - < welcome.eml --format json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 || len(args) == 0 && opts.MessagePath == "" {
				return badInput("args_dkim", report.Params{"command": cmd.CommandPath(), "count": len(args)}).seeHelp(cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				d, err := f.domainArg("dkim", args[0])
				if err != nil {
					return err
				}
				opts.Domain = d
			}
			for i, s := range opts.Selectors {
				s = strings.TrimSpace(s)
				if err := dkim.ValidateSelector(s); err != nil {
					return badInput("flag_reason", report.Params{"flag": "--selector", "reason": selectorReason(err)})
				}
				opts.Selectors[i] = strings.ToLower(s)
			}
			if len(opts.Selectors) > 0 && opts.Domain.IsZero() {
				return badInput("selector_needs_domain", nil)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runDKIM(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringArrayVarP(&opts.Selectors, "selector", "s", nil, "DKIM selector to check (repeatable); default: a built-in list of common selectors")
	cmd.Flags().StringVarP(&opts.MessagePath, "message", "m", "", "verify the DKIM signatures of this raw message file (- for standard input)")
	return cmd
}

func runDKIM(ctx context.Context, f *Factory, opts *DKIMOptions) error {
	var msg *dkim.Message
	if opts.MessagePath != "" {
		m, err := readDKIMMessage(f, opts.MessagePath)
		if err != nil {
			return err
		}
		msg = m
	}
	s, ctx, cancel, err := f.newSession(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	target := opts.Domain
	if target.IsZero() {
		target = msg.FromDomain
	}
	sec := dkim.Check(ctx, s.Env, target, dkim.Options{Selectors: opts.Selectors, Message: msg})
	rep := f.newReport(s, "dkim", target.Unicode(), sec)
	return f.finish(ctx, rep)
}

// readDKIMMessage reads and parses the --message input. A file that cannot
// be read or is not a message is bad input (exit 2).
func readDKIMMessage(f *Factory, path string) (*dkim.Message, error) {
	var r io.Reader
	name := path
	if path == "-" {
		if f.IO == nil || f.IO.In == nil {
			return nil, badInput("message_stdin", nil)
		}
		r, name = f.IO.In, "standard input"
	} else {
		file, err := os.Open(path)
		if err != nil {
			return nil, badInput("file_open", report.Params{"flag": "--message", "value": path, "reason": pathReason(err)})
		}
		defer file.Close()
		if st, err := file.Stat(); err == nil && st.IsDir() {
			return nil, badInput("message_dir", report.Params{"value": path})
		}
		r = file
	}
	m, err := dkim.ReadMessage(r)
	switch {
	case errors.Is(err, dkim.ErrBadMessage):
		return nil, badInput("message_bad", report.Params{"value": name, "reason": report.Lit(err.Error())}).hint(report.T("cli.err.message_hint", nil))
	case err != nil:
		return nil, badInput("message_bad", report.Params{"value": name, "reason": report.Lit(err.Error())})
	}
	return m, nil
}
