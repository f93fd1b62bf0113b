package dmarc_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/mailcheck/mailcheck/internal/dnstest"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dmarc"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
)

// Options.Discovery stands in for the tree walk: the check reads the walk
// it is given, once, and says what it says with its own walk.
func TestCheckUsesGivenDiscovery(t *testing.T) {
	srv := dnstest.Start(t, dnstest.ZoneText("example.", head+`_dmarc.shop TXT "v=DMARC1; p=reject; rua=mailto:d@shop.example"`+"\n"))
	env := check.Env{Resolver: srv.Resolver(t)}
	d := dnsname.MustParse("shop.example")
	own := dmarc.Check(context.Background(), env, d, dmarc.Options{})

	calls := 0
	given := dmarc.Check(context.Background(), env, d, dmarc.Options{Discovery: func() dmarc.Discovery {
		calls++
		return dmarc.Discover(context.Background(), env.Resolver, d)
	}})
	if calls != 1 {
		t.Errorf("the given walk was asked %d times, want 1", calls)
	}
	if !reflect.DeepEqual(own, given) {
		t.Errorf("with the walk given:\n%+v\nwith its own:\n%+v", given, own)
	}

	// A walk that found nothing is what the check reports, whatever DNS says.
	none := dmarc.Check(context.Background(), env, d, dmarc.Options{Discovery: func() dmarc.Discovery {
		return dmarc.Discover(context.Background(), env.Resolver, dnsname.MustParse("nothing.example"))
	}})
	if reflect.DeepEqual(none.Findings, own.Findings) {
		t.Error("the check walked the tree itself instead of reading the walk given")
	}
}
