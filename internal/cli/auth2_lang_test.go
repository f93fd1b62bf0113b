package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/catalog"
	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// A zone whose DKIM, MTA-STS, TLS-RPT and BIMI records all have something
// to say (checked offline: the policy and the logo are not fetched).
const auth2Zone = `$ORIGIN brand.example.
$TTL 300
@ IN SOA ns.brand.example. h.brand.example. 1 3600 600 86400 300
@ IN NS ns.brand.example.
@ IN MX 10 mx.brand.example.
mx IN A 192.0.2.10
@ IN TXT "v=spf1 mx -all"
_dmarc IN TXT "v=DMARC1; p=none; sp=none; pct=50"
default._bimi IN TXT "v=BIMI1; l=https://img.brand.example/logo.svg"
_mta-sts IN TXT "v=STSv1; id=2026-01"
_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tls@parked.brand.example"
parked IN MX 0 .
s1._domainkey IN TXT "v=DKIM1; k=ed25519; t=y; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
s2._domainkey IN TXT "k=rsa; v=DKIM1; p=MIIB"
s3._domainkey IN TXT "v=DKIM1; p=MCowBQYDK2VwAyEAXjzhc5HmLjhV3DsarIsnL91Lci5YvmfKHWe78DrVzvM="
`

// The DKIM, MTA-STS, TLS-RPT and BIMI words in French: in text and
// Markdown no English sentence of the catalogs is left, no message is
// missing, and the JSON report's findings are all registered with their
// variants.
func TestAuthChecksInFrench(t *testing.T) {
	zone := filepath.Join(t.TempDir(), "brand.zone")
	if err := os.WriteFile(zone, []byte(auth2Zone), 0o600); err != nil {
		t.Fatal(err)
	}
	runs := [][]string{
		{"dkim", "brand.example", "--zone", zone, "--selector", "s1", "--selector", "s2", "--selector", "s3", "--selector", "gone"},
		{"dkim", "brand.example", "--zone", zone},
		{"mx", "brand.example", "--zone", zone},
		{"dkim", "--zone", "../../testdata/zones/dkim-dkimpy.zone", "--message", "../../testdata/messages/dkim-dkimpy-lf.eml"},
	}
	for _, args := range runs {
		for _, format := range []string{"text", "markdown", "json"} {
			r := run(t, append(args, "--lang", "fr", "--format", format)...)
			if r.code > 1 || r.stderr != "" {
				t.Fatalf("%v %s: exit %d, stderr %q", args, format, r.code, r.stderr)
			}
			if format == "json" {
				var rep report.Report
				if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
					t.Fatalf("%v: %v", args, err)
				}
				if rep.Lang != "fr" {
					t.Errorf("%v: lang %q", args, rep.Lang)
				}
				if bad := catalog.Validate(&rep); len(bad) > 0 {
					t.Errorf("%v: catalog.Validate: %v", args, bad)
				}
				continue
			}
			if left := i18n.EnglishIn(r.stdout); len(left) > 0 {
				t.Errorf("%v %s: English left: %q", args, format, left)
			}
			for _, key := range []string{"dkim.", "mtasts.", "tlsrpt.", "bimi.", "taglist."} {
				// A message key shown is a message missing from the catalogs.
				for _, line := range strings.Split(r.stdout, "\n") {
					if i := strings.Index(line, key); i >= 0 && !strings.Contains(line, "· "+key) && !strings.Contains(line, "`"+key) && !strings.Contains(line, "["+key) {
						t.Errorf("%v %s: a key in %q", args, format, line)
					}
				}
			}
		}
	}
	if m := i18n.For(i18n.French).Missing(); len(m) > 0 {
		t.Errorf("French messages missing: %v", m)
	}
	// And some French, as a French reader reads it.
	r := run(t, "mx", "brand.example", "--zone", zone, "--lang", "fr")
	for _, want := range []string{"l'id doit compter de 1 à 32 lettres et chiffres", "a un MX nul (il n'accepte aucun courrier)", "BIMI exige une politique DMARC contraignante"} {
		if !strings.Contains(strings.Join(strings.Fields(r.stdout), " "), want) {
			t.Errorf("French output lacks %q:\n%s", want, r.stdout)
		}
	}
}
