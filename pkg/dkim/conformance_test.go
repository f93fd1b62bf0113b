package dkim

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"gopkg.in/yaml.v3"

	"github.com/mailcheck/mailcheck/internal/conformance"
	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// The DKIM conformance manifest (testdata/conformance/dkim/vectors.yaml):
// messages, the DNS data they need, and the expected result per signature.
type vectors struct {
	DNSSets map[string]struct {
		TXT map[string]string `yaml:"txt"`
	} `yaml:"dns_sets"`
	Cases []vectorCase `yaml:"cases"`
}

type vectorCase struct {
	Name         string      `yaml:"name"`
	File         string      `yaml:"file"`
	DNS          string      `yaml:"dns"`
	VerifyAtUnix int64       `yaml:"verify_at_unix"`
	LineEndings  string      `yaml:"line_endings"`
	Signatures   []vectorSig `yaml:"signatures"`
}

type vectorSig struct {
	D            *string   `yaml:"d"`
	S            *string   `yaml:"s"`
	A            *string   `yaml:"a"`
	Result       string    `yaml:"result"`
	Reason       string    `yaml:"reason"`
	StrictResult yaml.Node `yaml:"strict_result"`
}

// expected returns the acceptable results of a signature, or nil when the
// manifest asserts nothing about it. For the Mail::DKIM corpus the strict
// RFC 6376 + RFC 8301 + RFC 8463 expectation is the one that applies to us.
func (s vectorSig) expected() []string {
	if s.Result != "" {
		return []string{s.Result}
	}
	switch s.StrictResult.Kind {
	case yaml.ScalarNode:
		return []string{s.StrictResult.Value}
	case yaml.SequenceNode:
		var out []string
		for _, n := range s.StrictResult.Content {
			out = append(out, n.Value)
		}
		return out
	}
	return nil
}

// dnsFixture is what a case's DNS serves: TXT data by owner, and faults.
type dnsFixture struct {
	txt    map[string][]string // owner (lower case, no dot) -> TXT records
	faults map[string]dnstest.Fault
}

func newFixture() *dnsFixture {
	return &dnsFixture{txt: map[string][]string{}, faults: map[string]dnstest.Fault{}}
}

// loadFakeDNS reads Mail::DKIM's t/FAKE_DNS.dat (format in vectors.yaml).
func loadFakeDNS(t *testing.T, path string) *dnsFixture {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fx := newFixture()
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		name, value, ok := strings.Cut(line, " ")
		if !ok {
			name, value, _ = strings.Cut(line, "\t")
		}
		name, value = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)
		switch value {
		case "NXDOMAIN":
		case "~~Query timed out~~":
			fx.faults[name] = dnstest.Silence
		case "~~SERVFAIL~~":
			fx.faults[name] = dnstest.ServFail
		case `""`:
			fx.txt[name] = append(fx.txt[name], "")
		default:
			fx.txt[name] = append(fx.txt[name], value)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return fx
}

// splitInline splits a mail-auth file: "<name> <txt>" lines, an empty line,
// then the message with LF endings.
func splitInline(t *testing.T, b []byte) (*dnsFixture, []byte) {
	fx := newFixture()
	text := string(b)
	head, msg, ok := strings.Cut(text, "\n\n")
	if !ok {
		t.Fatal("inline file without an empty line after the DNS records")
	}
	for _, line := range strings.Split(head, "\n") {
		name, value, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			t.Fatalf("bad inline DNS line %q", line)
		}
		name = strings.ToLower(name)
		fx.txt[name] = append(fx.txt[name], strings.TrimSpace(value))
	}
	return fx, []byte(strings.ReplaceAll(msg, "\n", "\r\n"))
}

// serve starts a DNS server for fx. Every signing domain of the case gets a
// zone of its own, so that names that are not listed are NXDOMAIN (as the
// manifest says) rather than REFUSED.
func (fx *dnsFixture) serve(t *testing.T, sigDomains []string) *dnstest.Server {
	zones := map[string]*strings.Builder{}
	zoneFor := func(d string) *strings.Builder {
		d = strings.ToLower(strings.TrimSuffix(d, "."))
		if zones[d] == nil {
			zones[d] = &strings.Builder{}
			fmt.Fprintf(zones[d], "@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 300\n", d, d)
		}
		return zones[d]
	}
	for _, d := range sigDomains {
		zoneFor(d)
	}
	owners := make([]string, 0, len(fx.txt))
	for o := range fx.txt {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	for _, o := range owners {
		_, d, ok := strings.Cut(o, "._domainkey.")
		if !ok {
			t.Fatalf("DNS name %q is not a key name", o)
		}
		z := zoneFor(d)
		for _, v := range fx.txt[o] {
			fmt.Fprintf(z, "%s. IN TXT %s\n", o, report.TXTValue(v))
		}
	}
	for o := range fx.faults {
		if _, d, ok := strings.Cut(o, "._domainkey."); ok {
			zoneFor(d)
		}
	}
	var opts []dnstest.Option
	for d, z := range zones {
		opts = append(opts, dnstest.ZoneText(d+".", z.String()))
	}
	srv := dnstest.Start(t, opts...)
	for o, f := range fx.faults {
		srv.SetFault(o+".", dns.TypeTXT, f)
	}
	return srv
}

// loadDeviations reads testdata/conformance-deviations.txt:
// "<case>[#<signature>]: <reason>" per line.
func loadDeviations(t *testing.T) map[string]string {
	b, err := os.ReadFile("testdata/conformance-deviations.txt")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, reason, ok := strings.Cut(line, ": ")
		if !ok || reason == "" {
			t.Fatalf("deviation line without a reason: %q", line)
		}
		out[k] = reason
	}
	return out
}

func TestConformance(t *testing.T) {
	dir := conformance.Path(t, "dkim")
	b, err := os.ReadFile(filepath.Join(dir, "vectors.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Cases) == 0 {
		t.Fatal("no cases in vectors.yaml")
	}
	deviations := loadDeviations(t)
	fakeDNS := loadFakeDNS(t, filepath.Join(dir, "mail-dkim", "FAKE_DNS.dat"))

	var asserted, passed, deviated, unasserted int
	used := map[string]bool{}
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, c.File))
			if err != nil {
				t.Fatal(err)
			}
			var fx *dnsFixture
			switch c.DNS {
			case "inline":
				fx, raw = splitInline(t, raw)
			case "mail-dkim":
				fx = fakeDNS
			default:
				set, ok := v.DNSSets[c.DNS]
				if !ok {
					t.Fatalf("unknown DNS set %q", c.DNS)
				}
				fx = newFixture()
				for name, txt := range set.TXT {
					fx.txt[strings.ToLower(name)] = []string{txt}
				}
			}
			var sigDomains []string
			for _, s := range c.Signatures {
				if s.D != nil {
					sigDomains = append(sigDomains, *s.D)
				}
			}
			srv := fx.serve(t, sigDomains)

			m, err := ParseMessage(raw)
			if err != nil {
				// A message mailcheck refuses as malformed (exit 2) is a
				// deviation only where the deviation list says so.
				for i := range c.Signatures {
					key := fmt.Sprintf("%s#%d", c.Name, i+1)
					reason, listed := deviations[key]
					used[key] = listed
					asserted++
					if !listed || !errors.Is(err, ErrBadMessage) {
						t.Errorf("signature %d: message refused: %v", i+1, err)
						continue
					}
					deviated++
					t.Logf("signature %d: known deviation: message refused (%v): %s", i+1, err, reason)
				}
				return
			}
			env := envFor(t, srv)
			if c.VerifyAtUnix != 0 {
				// The manifest's time: x= is judged then, not today.
				at := time.Unix(c.VerifyAtUnix, 0).UTC()
				env.Now = func() time.Time { return at }
			}
			sec := Check(context.Background(), env, dnsname.Domain{}, Options{Message: m})
			md := sec.Data.(*Data).Message
			if len(md.Signatures) != len(c.Signatures) {
				t.Fatalf("%d signatures verified, manifest lists %d", len(md.Signatures), len(c.Signatures))
			}
			for i, want := range c.Signatures {
				got := md.Signatures[i]
				key := fmt.Sprintf("%s#%d", c.Name, i+1)
				exp := want.expected()
				if want.D != nil && got.Domain != strings.ToLower(*want.D) {
					t.Errorf("signature %d: d=%q, manifest says %q", i+1, got.Domain, *want.D)
				}
				if want.S != nil && got.Selector != *want.S {
					t.Errorf("signature %d: s=%q, manifest says %q", i+1, got.Selector, *want.S)
				}
				if exp == nil {
					unasserted++
					continue
				}
				asserted++
				ok := false
				for _, e := range exp {
					ok = ok || got.Result == e
				}
				if ok && want.Reason != "" && got.Reason != want.Reason {
					ok = false
				}
				reason, listed := deviations[key]
				used[key] = listed
				switch {
				case ok && listed:
					t.Errorf("signature %d now gives %s as expected; remove it from conformance-deviations.txt", i+1, got.Result)
				case ok:
					passed++
				case listed:
					deviated++
					t.Logf("signature %d: known deviation: got %s (%s), want %v: %s", i+1, got.Result, got.Reason, exp, reason)
				default:
					t.Errorf("signature %d (d=%s s=%s): got %s (%s; %s), want %v %s", i+1, got.Domain, got.Selector, got.Result, got.Reason, got.Error, exp, want.Reason)
				}
			}
		})
	}
	for k := range deviations {
		if !used[k] {
			t.Errorf("conformance-deviations.txt lists %q, which is not an asserted signature", k)
		}
	}
	t.Logf("DKIM conformance: %d cases, %d signatures asserted: %d as expected, %d known deviations; %d not asserted by the manifest",
		len(v.Cases), asserted, passed, deviated, unasserted)
}
