package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/build"
	"github.com/mailcheck/mailcheck/internal/iostreams"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/pkg/smtpprobe"
	"github.com/spf13/cobra"
)

func init() {
	// Goldens must not depend on how the test binary was built.
	build.Version, build.Commit, build.Date = "test", "0000000", "2026-11-29"
}

// demoZone is the README's example zone.
const demoZone = "../../testdata/zones/shop.example.zone"

// result is what one in-process run printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// run calls Run as main would, with test streams, a fixed clock and no
// system resolver.
func run(t *testing.T, args ...string) result {
	t.Helper()
	return runWith(t, nil, args...)
}

// runWith is run with the factory adjusted first (a dialer, an HTTP
// client, a clock) and stdin filled.
func runWith(t *testing.T, adjust func(f *Factory, stdin *bytes.Buffer), args ...string) result {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	f := NewFactory(ios)
	f.Getenv = func(string) string { return "" } // the machine's LANG is not the test's
	f.ResolvConf = "/nonexistent/resolv.conf"    // never the machine's resolver
	f.Now = testclock.Func()
	f.References = smtpprobe.References{} // nothing beyond loopback: a test names its own
	if adjust != nil {
		adjust(f, in)
	}
	code := Run(context.Background(), args, f)
	return result{code, out.String(), errOut.String()}
}

// assertOneLineError: bad input gets exactly one line on stderr, no usage
// dump, no stack trace.
func assertOneLineError(t *testing.T, r result, want string) {
	t.Helper()
	if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "mailcheck: ") {
		t.Errorf("stderr is not one line: %q", r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q does not say %q", r.stderr, want)
	}
	if strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "panic") {
		t.Errorf("stack trace: %s", r.stderr)
	}
}

func TestBadInput(t *testing.T) {
	long := strings.Repeat("a", 64) + ".example"
	tooLong := strings.Repeat("abcdefghi.", 26) + "example"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"empty domain", []string{"dmarc", ""}, "empty domain name"},
		{"ip address", []string{"dmarc", "192.0.2.1"}, "is an IP address"},
		{"ipv6 address", []string{"dmarc", "2001:db8::1"}, "is an IP address"},
		{"label over 63", []string{"dmarc", long}, "label longer than 63"},
		{"name over 253", []string{"dmarc", tooLong}, "longer than 253"},
		{"single label", []string{"dmarc", "localhost"}, "single label"},
		{"empty label", []string{"dmarc", "a..example"}, "empty label"},
		{"no argument", []string{"dmarc"}, "takes a domain name"},
		{"two arguments", []string{"dmarc", "a.example", "b.example"}, "takes a domain name"},
		{"unknown flag", []string{"dmarc", "--frobnicate", "a.example"}, "unknown flag: --frobnicate"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"missing zone file", []string{"dmarc", "shop.example", "--zone", "testdata/nope.zone"}, "nope.zone: no such file"},
		{"malformed zone file", []string{"dmarc", "shop.example", "--zone", "testdata/malformed.zone"}, "malformed.zone"},
		{"zone is a directory", []string{"dmarc", "shop.example", "--zone", "testdata"}, "is a directory"},
		{"bad format", []string{"dmarc", "shop.example", "--zone", demoZone, "--format", "xml"}, "--format"},
		{"bad fail-on", []string{"dmarc", "shop.example", "--zone", demoZone, "--fail-on", "severe"}, "--fail-on"},
		{"bad require-policy", []string{"dmarc", "shop.example", "--zone", demoZone, "--require-policy", "block"}, "--require-policy"},
		{"bad resolver", []string{"dmarc", "shop.example", "--resolver", "127.0.0.1:"}, "--resolver"},
		{"resolver and zone", []string{"dmarc", "shop.example", "--resolver", "127.0.0.1", "--zone", demoZone}, "exclude each other"},
		{"bad timeout", []string{"dmarc", "shop.example", "--timeout", "-1s"}, "--timeout"},
		{"timeout not a duration", []string{"dmarc", "shop.example", "--timeout", "soon"}, "invalid argument"},
		{"near-IP to dnsbl", []string{"dnsbl", "192.0.2.300"}, "192.0.2.300 is not a valid IPv4 address"},
		{"near-IP over 255", []string{"dnsbl", "999.1.1.1"}, "999.1.1.1 is not a valid IPv4 address"},
		{"near-IP to dmarc", []string{"dmarc", "10.0.0.256"}, "not a valid IPv4 address"},
		{"numeric TLD", []string{"mx", "shop.123"}, "last label is all digits"},
		{"resolver port out of range", []string{"dmarc", "shop.example", "--resolver", "127.0.0.1:99999"}, "port \"99999\" is not a number from 1 to 65535"},
		{"resolver port zero", []string{"spf", "shop.example", "--resolver", "[::1]:0"}, "1 to 65535"},
		{"resolver port name", []string{"spf", "shop.example", "--resolver", "127.0.0.1:dns"}, "1 to 65535"},
		{"zone of binary noise", []string{"dmarc", "shop.example", "--zone", "/dev/zero"}, "binary data, not a zone file"},
		{"port in a name", []string{"dmarc", "shop.example:443"}, "character ':'"},
		// An error quoting input or an answer is escaped on stderr too.
		{"escape in a path", []string{"dmarc", "shop.example", "--zone", "\x1b[2J\x1b]0;x\x07.zone"}, `\x1b[2J\x1b]0;x\x07.zone: no such file`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.args...)
			if r.code != ExitBadInput {
				t.Errorf("exit %d, want 2; stderr %q", r.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout not empty: %q", r.stdout)
			}
			if len(r.stderr) > 300 {
				t.Errorf("stderr is %d bytes", len(r.stderr))
			}
			assertOneLineError(t, r, tt.want)
		})
	}
}

func TestNoSystemResolverIsInconclusive(t *testing.T) {
	r := run(t, "dmarc", "shop.example")
	if r.code != ExitInconclusive {
		t.Errorf("exit %d, want 3", r.code)
	}
	assertOneLineError(t, r, "--resolver")
}

func TestVersion(t *testing.T) {
	r := run(t, "--version")
	if r.code != 0 || r.stdout != "mailcheck test (commit 0000000, built 2026-11-29)\n" {
		t.Errorf("--version: %d %q", r.code, r.stdout)
	}
}

func TestHelpMentionsExitCodes(t *testing.T) {
	r := run(t, "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "Exit codes") || !strings.Contains(r.stdout, "dmarc") {
		t.Errorf("--help: %d %q", r.code, r.stdout)
	}
}

func TestExitCodeOnInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ios, _, _, errOut := iostreams.Test()
	f := NewFactory(ios)
	if code := Run(ctx, []string{"dmarc", "shop.example", "--zone", demoZone}, f); code != ExitInterrupted {
		t.Errorf("exit %d, want 130", code)
	}
	if !strings.Contains(errOut.String(), "interrupted") {
		t.Errorf("stderr %q", errOut.String())
	}
}

// captureOptions runs a command's constructor on args with a runF that
// captures the options instead of running: flag parsing and input checks
// without any work (the gh pattern).
func captureOptions[O any](t *testing.T, newCmd func(*Factory, func(context.Context, *O) error) *cobra.Command, args []string) (*O, error) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	var got *O
	cmd := newCmd(NewFactory(ios), func(_ context.Context, o *O) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	err := cmd.Execute()
	return got, err
}
