package dmarc

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/conformance"
	"gopkg.in/yaml.v3"
)

func TestParse(t *testing.T) {
	rec, err := Parse("v=DMARC1; p=Reject; sp=none ; np=quarantine;adkim=s; aspf=r; pct=50; fo=1:d; rua=mailto:a@x.example!10m, mailto:b%21c@y.example; psd=n; t=y; future=1")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Policy != PolicyReject || rec.SubdomainPolicy != PolicyNone || rec.NonexistentPolicy != PolicyQuarantine ||
		rec.ADKIM != "s" || rec.ASPF != "r" || *rec.Percent != 50 || strings.Join(rec.FailureOptions, ":") != "1:d" ||
		rec.PSD != "n" || !rec.Testing || len(rec.Problems) != 0 {
		t.Errorf("parsed %+v", rec)
	}
	if len(rec.RUA) != 2 || rec.RUA[0].MaxSizeBytes != 10<<20 || rec.RUA[1].Address != "b!c@y.example" || rec.RUA[1].Domain != "y.example" {
		t.Errorf("rua %+v", rec.RUA)
	}
	if got := rec.String(); !strings.HasPrefix(got, "v=DMARC1; p=Reject; sp=none; np=quarantine") {
		t.Errorf("String() = %q", got)
	}
	for _, bad := range []string{"", "v=DMARC1 p=none", "p=none; v=DMARC1", " v=DMARC1; p=none", "v=dmarc1; p=none", "v=DMARC1; p", "v=DMARC1; p=none; P=reject", "v=DMARC1; 1p=none"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	if got := (&Record{Tags: []Tag{{"v", "DMARC1"}, {"rua", "mailto:a@b.example"}}}).With("p", "reject"); got != "v=DMARC1; p=reject; rua=mailto:a@b.example" {
		t.Errorf("With inserts after v: %q", got)
	}
}

type parseCase struct {
	Record   string         `yaml:"record"`
	Valid    bool           `yaml:"valid"`
	Spec     string         `yaml:"spec"`
	Disputed string         `yaml:"disputed"`
	Expect   map[string]any `yaml:"expect"`
}

// TestConformanceRecordParse runs the DMARC record-parsing vectors of
// testdata/conformance/dmarc (from mox and mail-auth). For RFC 7489 cases
// "valid" means an RFC 7489 receiver applies the record; for DMARCbis cases,
// an RFC 9989 receiver.
func TestConformanceRecordParse(t *testing.T) {
	raw, err := os.ReadFile(conformance.Path(t, "dmarc", "record-parse.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var suite struct {
		Cases []parseCase `yaml:"cases"`
	}
	if err := yaml.Unmarshal(raw, &suite); err != nil {
		t.Fatal(err)
	}
	deviations := readDeviations(t)
	var passed, deviated int
	for _, c := range suite.Cases {
		t.Run(c.Spec+"/"+c.Record, func(t *testing.T) {
			got, why := verdict(c)
			_, listed := deviations[c.Record]
			switch {
			case got == c.Valid && why == "" && listed:
				t.Errorf("listed as a deviation but now agrees: remove it from testdata/conformance-deviations.txt")
			case (got != c.Valid || why != "") && !listed:
				t.Errorf("valid=%v, suite says %v %s", got, c.Valid, why)
			case listed:
				deviated++
			default:
				passed++
			}
		})
	}
	t.Logf("DMARC record-parse conformance: %d cases, %d agree, %d known deviations", len(suite.Cases), passed, deviated)
}

func verdict(c parseCase) (bool, string) {
	rec, err := Parse(c.Record)
	if err != nil {
		return false, ""
	}
	valid := rec.Valid()
	if c.Spec == "rfc7489" {
		valid = rec.Valid7489()
	}
	if !valid || !c.Valid {
		return valid, ""
	}
	// Compare the effective values the suite gives.
	e := c.Expect
	check := func(key string, got any) string {
		if want, ok := e[key]; ok && want != got {
			return key + "=" + toString(got) + ", want " + toString(want)
		}
		return ""
	}
	pct := 100
	if rec.Percent != nil {
		pct = *rec.Percent
	}
	adkim, aspf := or(rec.ADKIM, "r"), or(rec.ASPF, "r")
	for _, m := range []string{
		check("p", string(rec.EffectivePolicy())),
		check("sp", string(rec.EffectiveSubdomainPolicy())),
		check("np", string(rec.EffectiveNonexistentPolicy())),
		check("adkim", adkim), check("aspf", aspf), check("pct", pct),
		check("t", rec.Testing), check("psd", or(rec.PSD, "u")),
	} {
		if m != "" {
			return valid, m
		}
	}
	if want, ok := e["rua"].([]any); ok && len(want) != len(rec.RUA) {
		return valid, "rua count differs"
	}
	return valid, ""
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func toString(v any) string {
	b, _ := yaml.Marshal(v)
	return strings.TrimSpace(string(b))
}

func readDeviations(t *testing.T) map[string]string {
	f, err := os.Open("testdata/conformance-deviations.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		record, reason, ok := strings.Cut(line, "\t")
		if !ok || reason == "" {
			t.Fatalf("deviation without a reason: %q", line)
		}
		out[record] = reason
	}
	return out
}
