package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/cli"
	"github.com/mailcheck/mailcheck/internal/iostreams"
	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/miekg/dns"
)

// The floor is only a floor of mailcheck's questions if it asks what
// mailcheck asks: every question `mailcheck domain --no-probe` sends about
// a generated domain's own names (at or under it), no more and no fewer.
func TestFloorAsksWhatMailcheckAsks(t *testing.T) {
	srv, err := serveWorkload(bulkOptions{n: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	domain := benchName(1) + "."

	ios, _, out, errOut := iostreams.Test()
	f := cli.NewFactory(ios)
	f.Getenv = func(string) string { return "" }
	f.ResolvConf = "/nonexistent/resolv.conf"
	f.Now = testclock.Func()
	code := cli.Run(context.Background(), []string{"domain", benchName(1), "--no-probe", "--format", "json",
		"--fail-on", "none", "--resolver", srv.Addr}, f)
	if code != 0 || out.Len() == 0 {
		t.Fatalf("mailcheck domain: exit %d, %s", code, errOut)
	}

	var asked []string
	for _, q := range srv.Log() {
		name := dns.CanonicalName(q.Name)
		if name == domain || strings.HasSuffix(name, "."+domain) {
			asked = append(asked, name+" "+dns.TypeToString[q.Type])
		}
	}
	var floor []string
	for _, q := range floorQuestions(domain) {
		floor = append(floor, q.Name+" "+dns.TypeToString[q.Qtype])
	}
	slices.Sort(asked)
	asked = slices.Compact(asked)
	slices.Sort(floor)
	if !slices.Equal(asked, floor) {
		t.Errorf("mailcheck asked about %s:\n  %s\nthe floor asks:\n  %s", domain,
			strings.Join(asked, "\n  "), strings.Join(floor, "\n  "))
	}
}
