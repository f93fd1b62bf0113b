package cli

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/internal/render"

	"github.com/mailcheck/mailcheck/pkg/dnsname"
)

// maxArgLength bounds what is echoed back in an error message.
const maxArgLength = 80

// parseDomainArg reads a domain name argument, with errors that say what to
// do. IDN input (bücher.example) is accepted and converted.
func parseDomainArg(command, arg string) (dnsname.Domain, error) {
	d, err := dnsname.Parse(arg)
	if err != nil {
		if errors.Is(err, dnsname.ErrIPAddress) {
			return d, inputErrorf("%s is an IP address; mailcheck %s takes a domain name such as shop.example", strings.TrimSpace(arg), command)
		}
		shown := arg
		if len(shown) > maxArgLength {
			shown = shown[:maxArgLength] + "..."
		}
		switch {
		case errors.Is(err, dnsname.ErrNotIPv4):
			return d, inputErrorf("%s is not a valid IPv4 address (each of the four parts is 0 to 255), nor a domain name", shown)
		case errors.Is(err, dnsname.ErrNumericTLD):
			return d, inputErrorf("%q is not a domain name: its last label is all digits", shown)
		case errors.Is(err, dnsname.ErrEmpty):
			return d, inputErrorf("empty domain name")
		case errors.Is(err, dnsname.ErrSingleLabel):
			return d, inputErrorf("%q is a single label; give the full domain name, such as %s.example", shown, shown)
		case errors.Is(err, dnsname.ErrTooLong):
			return d, inputErrorf("domain name %q is longer than 253 characters", shown)
		case errors.Is(err, dnsname.ErrLabelLength):
			return d, inputErrorf("domain name %q has a label longer than 63 characters", shown)
		default:
			why := strings.TrimPrefix(err.Error(), strconv.Quote(arg)+": ")
			why = strings.TrimPrefix(why, dnsname.ErrInvalid.Error()+": ")
			if len(why) > 2*maxArgLength {
				why = unwrapAll(err).Error()
			}
			return d, inputErrorf("invalid domain name %q: %s", shown, why)
		}
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
// URL (https://shop.fr/cart). Both are read as the domain they name, and w
// (stderr) gets one line saying so, so nobody wonders what was checked.
func domainArg(w io.Writer, command, arg string) (dnsname.Domain, error) {
	name, what := pastedDomain(arg)
	d, err := parseDomainArg(command, name)
	if err == nil && what != "" {
		fmt.Fprintf(w, "mailcheck: %s is %s; checking the domain %s\n", render.SafeString(strings.TrimSpace(arg)), what, d.Unicode())
	}
	return d, err
}

// pastedDomain extracts the domain from an email address or a URL; what
// says which it was ("" when arg is taken as it is).
func pastedDomain(arg string) (name, what string) {
	s := strings.TrimSpace(arg)
	if i := strings.Index(s, "://"); i > 0 {
		u, err := url.Parse(s)
		if err != nil || u.Hostname() == "" {
			return arg, ""
		}
		return u.Hostname(), "a URL"
	}
	if host, _, ok := strings.Cut(s, "/"); ok && !strings.Contains(s, "@") {
		if _, err := dnsname.Parse(host); err == nil { // shop.fr/cart, from an address bar
			return host, "a URL"
		}
	}
	s = strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">"), "mailto:")
	if i := strings.LastIndexByte(s, '@'); i > 0 && i < len(s)-1 {
		return s[i+1:], "an email address"
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
		return inputErrorf("--resolver %q: port %q is not a number from 1 to 65535", s, port)
	}
	if host == "" {
		return inputErrorf("--resolver %q: want host[:port]", s)
	}
	return nil
}
