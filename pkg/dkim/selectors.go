package dkim

import (
	"fmt"
	"strings"
)

// KnownSelector is a selector that a mail provider or signing tool is
// known to use, probed when the user names none. Selectors cannot be listed
// from DNS (RFC 6376 §3.1), so finding nothing under these guesses proves
// nothing; see SelectorUnverified.
type KnownSelector struct {
	Selector string
	// Providers that use it, for the report ("Microsoft 365").
	Providers []string
}

// KnownSelectors is the built-in probe list, kept small on purpose: every
// entry costs one query per run, and probing dozens of names is slow and
// rude to the domain's name servers. docs/findings/dkim.md documents where
// each entry comes from. Providers whose selectors are per-account tokens
// (Amazon SES Easy DKIM, Postmark, HubSpot) cannot be guessed and are not
// listed: pass --selector or a message for them.
var KnownSelectors = []KnownSelector{
	{"google", []string{"Google Workspace"}},
	{"selector1", []string{"Microsoft 365"}},
	{"selector2", []string{"Microsoft 365"}},
	{"k1", []string{"Mailchimp", "Mailgun"}},
	{"k2", []string{"Mailchimp"}},
	{"k3", []string{"Mailchimp"}},
	{"mandrill", []string{"Mandrill (Mailchimp Transactional)"}},
	{"s1", []string{"SendGrid"}},
	{"s2", []string{"SendGrid"}},
	{"mailjet", []string{"Mailjet"}},
	{"brevo1", []string{"Brevo"}},
	{"brevo2", []string{"Brevo"}},
	{"mail", []string{"Brevo (Sendinblue TXT setup)", "generic MTAs"}},
	{"zoho", []string{"Zoho Mail"}},
	{"zmail", []string{"Zoho Mail"}},
	{"kl", []string{"Klaviyo"}},
	{"kl2", []string{"Klaviyo"}},
	{"fm1", []string{"Fastmail"}},
	{"fm2", []string{"Fastmail"}},
	{"fm3", []string{"Fastmail"}},
	{"protonmail", []string{"Proton Mail"}},
	{"protonmail2", []string{"Proton Mail"}},
	{"protonmail3", []string{"Proton Mail"}},
	{"default", []string{"OpenDKIM, cPanel and other generic MTAs"}},
	{"dkim", []string{"generic MTAs (Hetzner, Rspamd setups)"}},
}

// providersOf names the providers known to use a selector, or nil.
func providersOf(selector string) []string {
	for _, k := range KnownSelectors {
		if k.Selector == selector {
			return k.Providers
		}
	}
	return nil
}

// ValidateSelector checks that s can be a selector: one or more DNS labels
// (RFC 6376 §3.1: selector = sub-domain *( "." sub-domain )), each of
// letters, digits, hyphens and underscores, 1 to 63 characters. Underscores
// are accepted because real selectors use them even though the ABNF does not.
// Its error is a *SelectorError.
func ValidateSelector(s string) error {
	if s == "" {
		return &SelectorError{Problem: SelectorEmpty}
	}
	for rest, more := s, true; more; {
		var label string
		label, rest, more = strings.Cut(rest, ".")
		if label == "" {
			return &SelectorError{Selector: clip(s), Problem: SelectorEmptyLabel}
		}
		if len(label) > 63 {
			return &SelectorError{Selector: clip(s), Problem: SelectorLabelLength}
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return &SelectorError{Selector: clip(s), Problem: SelectorCharacter, Char: c}
			}
		}
	}
	return nil
}

// SelectorProblem is why a string cannot be a selector.
type SelectorProblem string

const (
	SelectorEmpty       SelectorProblem = "empty"        // no selector at all
	SelectorEmptyLabel  SelectorProblem = "empty_label"  // two dots in a row, or one at an end
	SelectorLabelLength SelectorProblem = "label_length" // a label over 63 characters
	SelectorCharacter   SelectorProblem = "character"    // Char is not a letter, digit, - or _
)

// SelectorError is a string that cannot be a selector, and why: in
// English from Error, in fields for a caller that words it otherwise.
type SelectorError struct {
	Selector string // cut short to 40 characters
	Problem  SelectorProblem
	Char     byte // SelectorCharacter
}

func (e *SelectorError) Error() string {
	switch e.Problem {
	case SelectorEmpty:
		return "empty selector"
	case SelectorEmptyLabel:
		return fmt.Sprintf("selector %q has an empty label", e.Selector)
	case SelectorLabelLength:
		return fmt.Sprintf("selector %q has a label longer than 63 characters", e.Selector)
	default:
		return fmt.Sprintf("selector %q has character %q", e.Selector, e.Char)
	}
}
