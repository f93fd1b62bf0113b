package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/mail"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/mailfile"
	"github.com/mailcheck/mailcheck/pkg/message"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// MessageOptions are the inputs of `mailcheck message`: the file, and
// --receiver, --ip, --helo, --sender (SenderSet when given; "<>" is the
// null sender) and --at as message.Options.
type MessageOptions struct {
	// Path is the message file, "-" for standard input.
	Path string
	message.Options
}

func newMessageCmd(f *Factory, runF func(context.Context, *MessageOptions) error) *cobra.Command {
	opts := &MessageOptions{}
	var receiver, ip, at string
	cmd := &cobra.Command{
		Use:   "message FILE|-",
		Short: "What the receiver concluded about a message, re-checked (RFC 8601, 7208, 6376, 9989, 8617)",
		Long: `Read a received message (.eml, or the headers pasted from a mail client) and
answer as a receiver would:

  - the Received path, hop by hop (from, by, with, TLS, delays), and the
    boundary where the message entered the receiving organization: from
    --receiver, the Authentication-Results authserv-id, or the best evidence
    (the report says which);
  - the receiver's Authentication-Results and ARC-Authentication-Results as
    recorded, noting results from other authserv-ids;
  - SPF for the boundary's client address, HELO and Return-Path; every DKIM
    signature; DMARC for the From domain (RFC 9989 discovery, alignment,
    disposition); the ARC chain. Time-bound rules (DKIM x=) are judged at the
    time the message was received, or at --at;
  - where the re-check and the receiver differ, and the likely cause;
  - the requirements of Gmail, Yahoo and Outlook.com for this message.

With only the headers, DKIM body hashes and ARC message signatures cannot be
checked; the report says so and those results are neutral.

Exits 1 on a critical finding, 2 on input that is not a message, 3 when a
check could not be decided. Other exit codes: see 'mailcheck --help'.`,
		Example: `  mailcheck message ticket-4711.eml
  mailcheck message - < headers.txt --receiver gmail.com
  mailcheck message bounce.eml --ip 192.0.2.10 --sender bounce@shop.example --helo mail.shop.example
  mailcheck message msg.eml --at 2026-11-02T08:00:00Z --format json`,
		Args: exactArgs(1, "message"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = args[0]
			if receiver != "" {
				d, err := parseDomainArg("message --receiver", receiver)
				if err != nil {
					return err
				}
				opts.Receiver = d
			}
			if ip != "" {
				a, err := netip.ParseAddr(strings.Trim(ip, "[]"))
				if err != nil || a.Zone() != "" {
					return f.messageInputError("message.cli.bad_ip", report.Params{"value": fmt.Sprintf("%q", ip)})
				}
				opts.IP = a.Unmap().String()
			}
			if opts.HELO != "" {
				if _, err := dnsname.ParseAny(strings.TrimSuffix(opts.HELO, ".")); err != nil && !strings.HasPrefix(opts.HELO, "[") {
					return f.messageInputError("message.cli.bad_helo", report.Params{"value": fmt.Sprintf("%q", opts.HELO), "error": unwrapAll(err).Error()})
				}
			}
			if cmd.Flags().Changed("sender") {
				opts.SenderSet = true
				s := strings.TrimSpace(opts.Sender)
				if s == "<>" {
					s = ""
				}
				s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
				if s != "" {
					i := strings.LastIndexByte(s, '@')
					if _, err := dnsname.Parse(s[i+1:]); err != nil {
						return f.messageInputError("message.cli.bad_sender", report.Params{"value": fmt.Sprintf("%q", opts.Sender), "error": unwrapAll(err).Error()})
					}
				}
				opts.Sender = s
			}
			if at != "" {
				t, err := parseAt(at)
				if err != nil {
					return f.messageInputError("message.cli.bad_at", report.Params{"value": fmt.Sprintf("%q", at)})
				}
				opts.At = t
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runMessage(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVar(&receiver, "receiver", "", "the receiving organization's domain (e.g. gmail.com); default: from the Authentication-Results authserv-id")
	cmd.Flags().StringVar(&ip, "ip", "", "the client address the receiver saw (default: the boundary Received field's)")
	cmd.Flags().StringVar(&opts.HELO, "helo", "", "the client's HELO/EHLO name (default: the boundary Received field's)")
	cmd.Flags().StringVar(&opts.Sender, "sender", "", "the envelope sender, MAIL FROM (default: Return-Path; \"<>\" for the null sender)")
	cmd.Flags().StringVar(&at, "at", "", "judge time-bound checks (DKIM x=) at this time, RFC 3339 or RFC 5322 date (default: when the message was received)")
	return cmd
}

// errNotATime: --at is neither RFC 3339 nor an RFC 5322 date (the caller
// words it).
var errNotATime = errors.New("not a time")

func parseAt(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, errNotATime
}

// maxMessageItems: one message per run; an mbox of several is refused.
const maxMessageItems = 2

func runMessage(ctx context.Context, f *Factory, opts *MessageOptions) error {
	raw, err := readOneMessage(ctx, f, opts.Path)
	if err != nil {
		return err
	}
	m, err := message.Parse(raw)
	if err != nil {
		words := f.localizer()
		why := report.Lit(err.Error())
		var ie *message.InputError
		if errors.As(err, &ie) {
			why = ie.Msg()
		}
		return &InputError{Err: errors.New(words.Text(report.T("message.cli.path_error", report.Params{"path": f.displayPath(opts.Path), "error": why}))),
			Hint: words.Text(report.T("message.cli.hint_raw", nil))}
	}
	s, ctx, cancel, err := f.newSession(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	secs := message.Check(ctx, s.Env, m, opts.Options)
	target := m.First("Message-ID")
	if target == "" {
		target = opts.Path // "-" for standard input: a name in no language
	}
	rep := f.newReport(s, "message", target, secs...)
	return f.finish(ctx, rep)
}

// displayPath names the input in the report's language.
func (f *Factory) displayPath(p string) string {
	if p == "-" {
		return f.localizer().Text(report.T("message.cli.stdin", nil))
	}
	return p
}

// messageInputError is bad input worded from the catalog (exit 2).
func (f *Factory) messageInputError(key string, p report.Params) error {
	return &InputError{Err: errors.New(f.localizer().Text(report.T(key, p)))}
}

// errMbox stops the walk at a second message.
var errMbox = errors.New("more than one message")

// readOneMessage reads FILE or standard input through mailfile, bounded
// by message.MaxSize; a directory or an mbox of several messages is bad
// input, since the command judges one message.
func readOneMessage(ctx context.Context, f *Factory, path string) ([]byte, error) {
	if path != "-" {
		st, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, f.messageInputError("message.cli.not_found", report.Params{"path": path})
		case err != nil:
			return nil, f.messageInputError("message.cli.path_error", report.Params{"path": path, "error": unwrapAll(err).Error()})
		case st.IsDir():
			return nil, f.messageInputError("message.cli.directory", report.Params{"path": path})
		}
	} else if f.IO == nil || f.IO.In == nil {
		return nil, f.messageInputError("message.cli.no_stdin", nil)
	}
	var data []byte
	n := 0
	err := mailfile.Walk(ctx, []string{path}, f.IO.In, mailfile.Limits{MaxItemBytes: message.MaxSize, MaxItems: maxMessageItems}, func(it mailfile.Item) error {
		n++
		if it.Err != nil {
			return it.Err
		}
		if n > 1 {
			return errMbox
		}
		data = it.Data
		return nil
	})
	shown := f.displayPath(path)
	switch {
	case errors.Is(err, mailfile.ErrTooLarge):
		return nil, f.messageInputError("message.cli.too_large", report.Params{"path": shown, "max": message.MaxSize >> 20})
	case errors.Is(err, mailfile.ErrTooMany), errors.Is(err, errMbox):
		return nil, f.messageInputError("message.cli.mbox", report.Params{"path": shown})
	case err != nil:
		return nil, f.messageInputError("message.cli.path_error", report.Params{"path": shown, "error": unwrapAll(err).Error()})
	case data == nil:
		return nil, f.messageInputError("message.cli.empty", report.Params{"path": shown})
	}
	return data, nil
}
