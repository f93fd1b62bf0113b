package schema

import "testing"

// TestBounceOutputMatchesSchema: `mailcheck bounce` on the whole bounce
// corpus (every format, auto-replies, feedback reports) and with --check
// (its dmarc, spf, dkim sections) writes JSON valid against its schema.
func TestBounceOutputMatchesSchema(t *testing.T) {
	s := compile(t, "bounce")
	validate(t, s, "bounce corpus", mailcheck(t, "bounce", "../../testdata/conformance/bounce/messages", "--format", "json", "--fail-on", "none"))
	validate(t, s, "bounce --check", mailcheck(t, "bounce", "../../testdata/conformance/bounce/messages/rhost-google-03.eml",
		"--check", "--zone", demoZone, "--format", "json", "--fail-on", "none"))
}
