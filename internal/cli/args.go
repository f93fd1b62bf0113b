package cli

import (
	"errors"
	"strings"

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
		case errors.Is(err, dnsname.ErrEmpty):
			return d, inputErrorf("empty domain name")
		case errors.Is(err, dnsname.ErrSingleLabel):
			return d, inputErrorf("%q is a single label; give the full domain name, such as %s.example", shown, shown)
		case errors.Is(err, dnsname.ErrTooLong):
			return d, inputErrorf("domain name %q is longer than 253 characters", shown)
		case errors.Is(err, dnsname.ErrLabelLength):
			return d, inputErrorf("domain name %q has a label longer than 63 characters", shown)
		default:
			return d, inputErrorf("invalid domain name %q: %v", shown, unwrapAll(err))
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
