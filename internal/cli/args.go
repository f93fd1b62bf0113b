package cli

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/internal/render"

	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// maxArgLength bounds what is echoed back in an error message.
const maxArgLength = 80

// parseDomainArg reads a domain name argument, with errors that say what to
// do. IDN input (bücher.example) is accepted and converted.
func parseDomainArg(command, arg string) (dnsname.Domain, error) {
	d, err := dnsname.Parse(arg)
	if err != nil {
		shown := arg
		if len(shown) > maxArgLength {
			shown = shown[:maxArgLength] + "..."
		}
		return d, domainError(err, command, arg, shown)
	}
	return d, nil
}

func unwrapAll(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// domainArg is parseDomainArg for a domain given on the command line, where
// people paste what they have at hand: an address (contact@shop.fr) or a
// URL (https://shop.fr/cart). Both are read as the domain they name, and
// stderr gets one line saying so (in the run's language), so nobody
// wonders what was checked.
func (f *Factory) domainArg(command, arg string) (dnsname.Domain, error) {
	name, what := pastedDomain(arg)
	d, err := parseDomainArg(command, name)
	if err == nil && what != "" {
		fmt.Fprintln(f.IO.ErrOut, "mailcheck: "+f.localizer().Text(pastedNote(render.SafeString(strings.TrimSpace(arg)), what, d)))
	}
	return d, err
}

// pastedDomain extracts the domain from an email address or a URL; what
// says which it was ("address" or "url", a key of cli.note.what; "" when
// arg is taken as it is).
func pastedDomain(arg string) (name, what string) {
	s := strings.TrimSpace(arg)
	if i := strings.Index(s, "://"); i > 0 {
		u, err := url.Parse(s)
		if err != nil || u.Hostname() == "" {
			return arg, ""
		}
		return u.Hostname(), "url"
	}
	if host, _, ok := strings.Cut(s, "/"); ok && !strings.Contains(s, "@") {
		if _, err := dnsname.Parse(host); err == nil { // shop.fr/cart, from an address bar
			return host, "url"
		}
	}
	s = strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">"), "mailto:")
	if i := strings.LastIndexByte(s, '@'); i > 0 && i < len(s)-1 {
		return s[i+1:], "address"
	}
	return arg, ""
}

// checkResolverArg refuses a --resolver that no socket can reach: a port
// outside 1-65535 (127.0.0.1:99999) is bad input (exit 2), not a resolver
// that did not answer (exit 3).
func checkResolverArg(s string) error {
	host, port, err := net.SplitHostPort(strings.TrimSpace(s))
	if err != nil {
		return nil // no port: the resolver client adds 53, or explains
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return badInput("resolver_port", report.Params{"value": s, "port": port})
	}
	if host == "" {
		return badInput("resolver_form", report.Params{"value": s})
	}
	return nil
}
