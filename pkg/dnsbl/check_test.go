package dnsbl

import (
	"context"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

func zoneFile(name string) dnstest.Option {
	return dnstest.ZoneFile(filepath.Join("..", "..", "testdata", "zones", name))
}

// startLists serves every test list and the shop domain.
func startLists(t testing.TB) *dnstest.Server {
	t.Helper()
	return dnstest.Start(t,
		zoneFile("dnsbl-lists.zone"),
		zoneFile("dnsbl-refusing.zone"),
		zoneFile("dnsbl-bogus.zone"),
		zoneFile("dnsbl-world.zone"),
		zoneFile("dnsbl-dead.zone"),
		zoneFile("dnsbl-shop.zone"),
		// silent.dnsbl.test exists so that only the injected silence, not
		// a REFUSED for an unknown zone, decides its answers.
		dnstest.ZoneText("silent.dnsbl.test.", "@ 300 SOA ns.dnsbl.test. hostmaster.dnsbl.test. 1 3600 600 86400 300\n"),
		// A zone no catalog knows (named with --list) that refuses the
		// Spamhaus way.
		dnstest.ZoneText("uncatalogued.dnsbl.test.", "@ 300 SOA ns.dnsbl.test. hostmaster.dnsbl.test. 1 3600 600 86400 300\n* 300 A 127.255.255.254\n"),
	)
}

func testCatalog(t testing.TB) *Catalog {
	t.Helper()
	c, err := LoadCatalogFile(filepath.Join("testdata", "lists-test.json"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testOptions(t testing.TB, extra ...string) Options {
	return Options{Catalog: testCatalog(t), Lists: extra, QueryTimeout: 2 * time.Second}
}

func envFor(t testing.TB, srv *dnstest.Server) check.Env {
	return check.Env{Resolver: srv.Resolver(t)}
}

func addrTargets(addrs ...string) []Target {
	var out []Target
	for _, a := range addrs {
		out = append(out, AddressTarget(netip.MustParseAddr(a)))
	}
	return out
}

func findingsByID(sec report.Section) map[string][]report.Finding {
	m := map[string][]report.Finding{}
	for _, f := range sec.Findings {
		m[f.ID] = append(m[f.ID], f)
	}
	return m
}

func answerFor(t *testing.T, sec report.Section, target, zone string) AnswerResult {
	t.Helper()
	for _, a := range sec.Data.(Data).Answers {
		if a.Target == target && a.Zone == zone {
			return a
		}
	}
	t.Fatalf("no answer for %s on %s", target, zone)
	return AnswerResult{}
}

func queried(srv *dnstest.Server, name string, qtype uint16) int {
	n := 0
	for _, q := range srv.Log() {
		if q.Name == name && q.Type == qtype {
			n++
		}
	}
	return n
}

func TestCheckListedAddress(t *testing.T) {
	srv := startLists(t)
	sec := worded(CheckTargets(context.Background(), envFor(t, srv), addrTargets("192.0.2.99"), testOptions(t)))
	if sec.Status != report.StatusFail {
		t.Errorf("status %s, want fail", sec.Status)
	}
	byID := findingsByID(sec)
	if f := byID["dnsbl.ip.listed.major"]; len(f) != 1 || f[0].Severity != report.Critical ||
		!strings.Contains(f[0].Detail, "127.0.0.4 XBL") || !strings.Contains(f[0].Detail, "exploited host, see https://lists.dnsbl.test") ||
		!strings.Contains(f[0].Fix, "https://lists.dnsbl.test/") {
		t.Errorf("major finding: %+v", f)
	}
	minor := byID["dnsbl.ip.listed.minor"]
	if len(minor) != 2 {
		t.Fatalf("minor findings: %+v", minor)
	}
	sev := map[report.Severity]bool{}
	for _, f := range minor {
		sev[f.Severity] = true
	}
	if !sev[report.Medium] || !sev[report.Info] {
		t.Errorf("minor severities %v, want medium (minor list) and info (informational list)", sev)
	}
	a := answerFor(t, sec, "192.0.2.99", "major.dnsbl.test")
	if a.Status != StatusListed || a.Verdict != Listed || a.Query != "99.2.0.192.major.dnsbl.test." || len(a.Codes) != 1 || a.Codes[0].Code != "127.0.0.4" {
		t.Errorf("answer %+v", a)
	}
	if a := answerFor(t, sec, "192.0.2.99", "minor.dnsbl.test"); a.Reason != `seen at "trap" addresses` {
		t.Errorf("reason %q", a.Reason)
	}
	if !strings.HasPrefix(sec.Summary.String(), "192.0.2.99: listed on 3 of 3 lists") {
		t.Errorf("summary %q", sec.Summary)
	}
	// TXT only for listings: the three listing names, never a test entry.
	for _, q := range srv.Log() {
		if q.Type == dns.TypeTXT && !strings.HasPrefix(q.Name, "99.2.0.192.") {
			t.Errorf("TXT asked for %s", q.Name)
		}
	}
	if n := queried(srv, "99.2.0.192.major.dnsbl.test.", dns.TypeTXT); n != 1 {
		t.Errorf("TXT for the listing asked %d times", n)
	}
	// Domain lists are not asked about addresses.
	for _, q := range srv.Log() {
		if strings.HasSuffix(q.Name, "dbl.dnsbl.test.") || strings.HasSuffix(q.Name, "uri.dnsbl.test.") {
			t.Errorf("domain list asked %s", q.Name)
		}
	}
	d := sec.Data.(Data)
	if d.Catalog.Version != "test-1" || len(d.Lists) != 3 || d.Queries == 0 {
		t.Errorf("data %+v", d)
	}
	for _, l := range d.Lists {
		if len(l.Health) != 1 || l.Health[0].Status != HealthOK {
			t.Errorf("%s health %+v", l.Zone, l.Health)
		}
	}
	if len(sec.Display.Tables) != 1 || len(sec.Display.Tables[0].Rows) != 1 || !strings.Contains(sec.Display.Tables[0].Rows[0][2].String(), "major.dnsbl.test (XBL)") {
		t.Errorf("table %+v", sec.Display.Tables)
	}
}

func TestCheckCleanAddress(t *testing.T) {
	srv := startLists(t)
	sec := worded(CheckTargets(context.Background(), envFor(t, srv), addrTargets("192.0.2.1", "192.0.2.1"), testOptions(t)))
	if sec.Status != report.StatusPass || len(sec.Findings) != 0 {
		t.Errorf("status %s findings %+v", sec.Status, sec.Findings)
	}
	for _, q := range srv.Log() {
		if q.Type == dns.TypeTXT {
			t.Errorf("TXT asked without a listing: %s", q.Name)
		}
	}
	if sec.Summary.String() != "192.0.2.1: not listed on any of 3 lists" {
		t.Errorf("summary %q", sec.Summary)
	}
	if row := sec.Display.Tables[0].Rows[0]; row[2].String() != "-" || row[3].String() != "3" || row[4].String() != "-" {
		t.Errorf("row %q", row)
	}
}

func TestCheckPolicyListing(t *testing.T) {
	srv := startLists(t)
	env := envFor(t, srv)
	tests := []struct {
		name   string
		target Target
		want   report.Severity
	}{
		{"given address", AddressTarget(netip.MustParseAddr("192.0.2.10")), report.Medium},
		{"MX address", Target{Addr: netip.MustParseAddr("192.0.2.10"), Roles: []string{RoleMX}, Via: []string{"MX mx1.shop.example"}}, report.Medium},
		{"SPF sender", Target{Addr: netip.MustParseAddr("192.0.2.10"), Roles: []string{RoleSPF}, Via: []string{"SPF ip4:192.0.2.10"}}, report.High},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sec := worded(CheckTargets(context.Background(), env, []Target{tt.target}, testOptions(t)))
			f := findingsByID(sec)["dnsbl.ip.listed.pbl"]
			if len(f) != 1 || f[0].Severity != tt.want || !strings.Contains(f[0].Detail, "PBL") {
				t.Fatalf("pbl findings %+v, want one of severity %s", f, tt.want)
			}
			if len(sec.Findings) != 1 {
				t.Errorf("findings %+v", sec.Findings)
			}
		})
	}
}

func TestCheckIPv6(t *testing.T) {
	srv := startLists(t)
	sec := worded(CheckTargets(context.Background(), envFor(t, srv), addrTargets("2001:db8::99"), testOptions(t)))
	d := sec.Data.(Data)
	if len(d.Answers) != 1 || d.Answers[0].Zone != "major.dnsbl.test" || d.Answers[0].Status != StatusListed {
		t.Fatalf("answers %+v (only the IPv6 list applies)", d.Answers)
	}
	// The health check asks the IPv6 test entries by nibbles, not 2.0.0.127.
	if queried(srv, AddrQueryName(TestListedIPv6, "major.dnsbl.test"), dns.TypeA) != 1 ||
		queried(srv, AddrQueryName(TestNotListedIPv6, "major.dnsbl.test"), dns.TypeA) != 1 {
		t.Errorf("IPv6 test entries not asked: %+v", srv.Log())
	}
	if queried(srv, "2.0.0.127.major.dnsbl.test.", dns.TypeA) != 0 {
		t.Error("IPv4 test entry asked for an IPv6-only run")
	}
	if h := d.Lists[0].Health; len(h) != 1 || h[0].Kind != KindIPv6 || h[0].Status != HealthOK {
		t.Errorf("health %+v", h)
	}
	if len(findingsByID(sec)["dnsbl.ip.listed.major"]) != 1 {
		t.Errorf("findings %+v", sec.Findings)
	}
}

func TestCheckDomainLists(t *testing.T) {
	srv := startLists(t)
	env := envFor(t, srv)
	tests := []struct {
		domain string
		ids    []string
		status report.Status
	}{
		{"spam.example", []string{"dnsbl.domain.listed", "dnsbl.domain.listed"}, report.StatusFail},
		{"grey.example", []string{"dnsbl.domain.grey"}, report.StatusWarn},
		{"shop.example", nil, report.StatusPass},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			sec := worded(CheckTargets(context.Background(), env, []Target{DomainTarget(dnsname.MustParse(tt.domain))}, testOptions(t)))
			var ids []string
			for _, f := range sec.Findings {
				ids = append(ids, f.ID)
			}
			if strings.Join(ids, " ") != strings.Join(tt.ids, " ") || sec.Status != tt.status {
				t.Errorf("findings %v status %s, want %v %s", ids, sec.Status, tt.ids, tt.status)
			}
			d := sec.Data.(Data)
			if len(d.Answers) != 2 {
				t.Errorf("answers %+v, want the two domain lists", d.Answers)
			}
		})
	}
}

func TestCheckUnusableLists(t *testing.T) {
	srv := startLists(t)
	// silent.dnsbl.test never answers anything this run asks.
	for _, n := range []string{"2.0.0.127.silent.dnsbl.test.", "1.0.0.127.silent.dnsbl.test.", "1.2.0.192.silent.dnsbl.test."} {
		srv.SetFault(n, 0, dnstest.Silence)
	}
	env := envFor(t, srv)
	tests := []struct {
		name   string
		list   string
		target Target
		id     string
		detail string
	}{
		{"refuses with 127.255.255.254", "refusing.dnsbl.test", AddressTarget(netip.MustParseAddr("192.0.2.1")), "dnsbl.query.refused", "public or shared resolvers"},
		{"bitmask refusal 127.0.0.1", "urirefusing.dnsbl.test", DomainTarget(dnsname.MustParse("shop.example")), "dnsbl.query.refused", "127.0.0.1"},
		{"answers outside 127/8", "bogus.dnsbl.test", AddressTarget(netip.MustParseAddr("192.0.2.1")), "dnsbl.answer.bogus", "198.51.100.7"},
		{"lists the world", "world.dnsbl.test", AddressTarget(netip.MustParseAddr("192.0.2.1")), "dnsbl.zone.unhealthy", "lists 127.0.0.1"},
		{"dead list", "dead.dnsbl.test", AddressTarget(netip.MustParseAddr("192.0.2.1")), "dnsbl.zone.unhealthy", "does not list its test entry 127.0.0.2"},
		{"unknown zone refusing with 127.255.255.254", "uncatalogued.dnsbl.test", AddressTarget(netip.MustParseAddr("192.0.2.1")), "dnsbl.query.refused", "public or shared resolvers"},
		{"never answers", "silent.dnsbl.test", AddressTarget(netip.MustParseAddr("192.0.2.1")), "dnsbl.query.failed", "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(t, tt.list)
			opts.QueryTimeout = 300 * time.Millisecond
			sec := worded(CheckTargets(context.Background(), env, []Target{tt.target}, opts))
			if sec.Status != report.StatusUnknown {
				t.Errorf("status %s, want unknown", sec.Status)
			}
			f := findingsByID(sec)[tt.id]
			if len(f) != 1 || !f[0].Inconclusive || !strings.Contains(f[0].Detail, tt.list) || !strings.Contains(f[0].Detail, tt.detail) {
				t.Fatalf("%s findings %+v", tt.id, f)
			}
			for _, f := range sec.Findings {
				if strings.HasPrefix(f.ID, "dnsbl.ip.listed") || strings.HasPrefix(f.ID, "dnsbl.domain.") {
					t.Errorf("an unusable answer became a listing: %+v", f)
				}
			}
			a := answerFor(t, sec, tt.target.String(), tt.list)
			if a.Status != StatusUnknown {
				t.Errorf("answer status %s, want unknown: %+v", a.Status, a)
			}
			// The other lists still answered.
			if n := len(sec.Data.(Data).Answers); n < 2 {
				t.Errorf("%d answers", n)
			}
		})
	}
}

func TestCheckRcodeFailures(t *testing.T) {
	tests := []struct {
		name  string
		fault dnstest.Fault
		want  string
		id    string
	}{
		{"REFUSED", dnstest.Refused, "REFUSED", "dnsbl.query.refused"},
		// Issue 11: a SERVFAIL is no refusal by the list.
		{"SERVFAIL", dnstest.ServFail, "SERVFAIL", "dnsbl.query.failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startLists(t)
			srv.SetFault("99.2.0.192.minor.dnsbl.test.", dns.TypeA, tt.fault)
			sec := worded(CheckTargets(context.Background(), envFor(t, srv), addrTargets("192.0.2.99"), testOptions(t)))
			a := answerFor(t, sec, "192.0.2.99", "minor.dnsbl.test")
			if a.Status != StatusUnknown || !strings.Contains(a.Error.String(), tt.want) {
				t.Errorf("answer %+v", a)
			}
			f := findingsByID(sec)[tt.id]
			if len(f) != 1 || !strings.Contains(f[0].Detail, "minor.dnsbl.test") || !f[0].Inconclusive {
				t.Errorf("%s findings %+v", tt.id, f)
			}
			other := map[string]string{"dnsbl.query.refused": "dnsbl.query.failed", "dnsbl.query.failed": "dnsbl.query.refused"}[tt.id]
			if len(findingsByID(sec)[other]) != 0 {
				t.Errorf("also reported as %s", other)
			}
			// The listing on the healthy major list stands.
			if sec.Status != report.StatusFail || len(findingsByID(sec)["dnsbl.ip.listed.major"]) != 1 {
				t.Errorf("status %s findings %+v", sec.Status, sec.Findings)
			}
		})
	}
}

func TestCheckDefunctNeverQueried(t *testing.T) {
	srv := startLists(t)
	sec := worded(CheckTargets(context.Background(), envFor(t, srv), addrTargets("192.0.2.1"), testOptions(t, "dnsbl.sorbs.net", "gone.dnsbl.test", "dnsbl.ahbl.org")))
	f := findingsByID(sec)["dnsbl.zone.defunct"]
	if len(f) != 3 {
		t.Fatalf("defunct findings %+v", f)
	}
	for _, q := range srv.Log() {
		if strings.Contains(q.Name, "sorbs") || strings.Contains(q.Name, "gone.") || strings.Contains(q.Name, "ahbl") {
			t.Errorf("defunct zone queried: %s", q.Name)
		}
	}
	if sec.Status != report.StatusPass {
		t.Errorf("status %s (defunct is info only)", sec.Status)
	}
	if len(sec.Data.(Data).Defunct) != 3 {
		t.Errorf("data defunct %+v", sec.Data.(Data).Defunct)
	}
}

func TestCheckPublicResolverWarning(t *testing.T) {
	srv := startLists(t)
	env := envFor(t, srv)
	opts := testOptions(t)
	sec := worded(CheckTargets(context.Background(), env, addrTargets("192.0.2.1"), opts))
	if d := sec.Data.(Data); d.Resolver != srv.Addr || d.PublicResolver != "" || len(findingsByID(sec)["dnsbl.resolver.public"]) != 0 {
		t.Errorf("loopback resolver: %+v %+v", d.Resolver, sec.Findings)
	}
	opts.Resolver = "8.8.8.8:53"
	sec = worded(CheckTargets(context.Background(), env, addrTargets("192.0.2.1"), opts))
	f := findingsByID(sec)["dnsbl.resolver.public"]
	if len(f) != 1 || !strings.Contains(f[0].Detail, "Google") {
		t.Errorf("public resolver findings %+v", f)
	}
}

func TestCheckHealthOncePerRun(t *testing.T) {
	srv := startLists(t)
	sec := worded(CheckTargets(context.Background(), envFor(t, srv), addrTargets("192.0.2.1", "192.0.2.99", "192.0.2.10", "198.51.100.20"), testOptions(t)))
	for _, z := range []string{"major", "minor", "info"} {
		for _, n := range []string{"2.0.0.127." + z + ".dnsbl.test.", "1.0.0.127." + z + ".dnsbl.test."} {
			if c := queried(srv, n, dns.TypeA); c != 1 {
				t.Errorf("%s asked %d times, want once", n, c)
			}
		}
	}
	if n := len(sec.Data.(Data).Answers); n != 12 {
		t.Errorf("%d answers, want 4 targets x 3 lists", n)
	}
	if !strings.HasPrefix(sec.Summary.String(), "4 targets: listed on 3 of 3 lists") {
		t.Errorf("summary %q", sec.Summary)
	}
}

// boundedResolver records how many questions are in flight: target
// queries, all questions, and per list.
type boundedResolver struct {
	r                 resolver.Resolver
	mu                sync.Mutex
	queries, maxQuery int
	in, max           int
	zoneIn            map[string]int
	zoneMax           map[string]int
	zoneOfKey         func(string) string
}

func (b *boundedResolver) Lookup(ctx context.Context, name string, qtype uint16) (resolver.Answer, error) {
	z := b.zoneOfKey(name)
	probe := strings.HasPrefix(name, "2.0.0.127.") || strings.HasPrefix(name, "1.0.0.127.")
	b.mu.Lock()
	b.in++
	b.zoneIn[z]++
	if !probe {
		b.queries++
	}
	b.max = max(b.max, b.in)
	b.maxQuery = max(b.maxQuery, b.queries)
	b.zoneMax[z] = max(b.zoneMax[z], b.zoneIn[z])
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.in--
		b.zoneIn[z]--
		if !probe {
			b.queries--
		}
		b.mu.Unlock()
	}()
	return b.r.Lookup(ctx, name, qtype)
}

func TestCheckConcurrencyBounds(t *testing.T) {
	srv := startLists(t)
	srv.SetDelay(20 * time.Millisecond)
	b := &boundedResolver{r: srv.Resolver(t), zoneIn: map[string]int{}, zoneMax: map[string]int{},
		zoneOfKey: func(n string) string {
			labels := strings.Split(strings.TrimSuffix(n, "."), ".")
			return strings.Join(labels[len(labels)-3:], ".")
		}}
	var targets []Target
	for i := 1; i <= 12; i++ {
		targets = append(targets, AddressTarget(netip.AddrFrom4([4]byte{198, 51, 100, byte(i)})))
	}
	opts := testOptions(t)
	opts.Concurrency, opts.PerZone = 6, 3
	sec := worded(CheckTargets(context.Background(), check.Env{Resolver: b}, targets, opts))
	if sec.Status != report.StatusPass {
		t.Errorf("status %s: %+v", sec.Status, sec.Findings)
	}
	// Target queries obey the bound; the 6 health probes (2 for each of
	// the 3 lists) run beside them.
	if b.maxQuery > 6 || b.maxQuery < 2 {
		t.Errorf("max target queries in flight %d, want 2..6", b.maxQuery)
	}
	if b.max > 6+6 {
		t.Errorf("max in flight %d, want at most 12", b.max)
	}
	for z, m := range b.zoneMax {
		if m > 3 {
			t.Errorf("%s: %d in flight, want at most 3", z, m)
		}
	}
}

func TestCheckCanceled(t *testing.T) {
	srv := startLists(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sec := worded(CheckTargets(ctx, envFor(t, srv), addrTargets("192.0.2.99"), testOptions(t)))
	if sec.Status != report.StatusUnknown {
		t.Errorf("status %s, want unknown", sec.Status)
	}
	for _, f := range sec.Findings {
		if !f.Inconclusive {
			t.Errorf("decisive finding from a canceled run: %+v", f)
		}
	}
}

func TestCheckNoTargets(t *testing.T) {
	srv := startLists(t)
	sec := worded(CheckTargets(context.Background(), envFor(t, srv), nil, testOptions(t)))
	if sec.Status != report.StatusSkipped || srv.Queries() != 0 {
		t.Errorf("status %s, %d queries", sec.Status, srv.Queries())
	}
}
