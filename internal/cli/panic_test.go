package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// A panic (a bug) still ends in one line, in the run's language, with
// what the panic carried neutralized, and exit 3.
func TestPanicIsOneLine(t *testing.T) {
	for lang, want := range map[string]string{"en": "internal error: boom", "fr": "erreur interne\u00a0: boom"} {
		r := runWith(t, func(f *Factory, _ *bytes.Buffer) {
			f.Now = func() time.Time { panic("boom \x1b[31mred") }
		}, "--lang", lang, "dmarc", "shop.example", "--zone", "../../testdata/zones/shop.example.zone")
		if r.code != ExitInconclusive {
			t.Errorf("%s: exit %d, want %d (stderr %q)", lang, r.code, ExitInconclusive, r.stderr)
		}
		assertOneLineError(t, r, want)
		if strings.ContainsRune(r.stderr, 0x1b) {
			t.Errorf("%s: raw escape in %q", lang, r.stderr)
		}
	}
}
