package resolver_test

import (
	"context"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// TestAttemptTimeoutSwept: a query's per-attempt timeout is no timer of its
// own but the socket reader's sweep, whose read deadline is otherwise the
// idle check's (a second away on a fresh socket). A timeout shorter than
// that must still end the attempt on time, single lookups and batches, with
// no context deadline to fall back on.
func TestAttemptTimeoutSwept(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	opts := srv.ClientOptions()
	opts.Timeout = 100 * time.Millisecond
	opts.Retries = -1                    // one attempt
	const bound = 700 * time.Millisecond // well under the sweep's idle period

	c, err := resolver.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Lookup(context.Background(), "silent._domainkey.batch.example", dns.TypeTXT)
	if took := time.Since(start); took > bound {
		t.Errorf("single lookup's timeout took %v, want about %v", took, opts.Timeout)
	}
	if k := resolver.KindOf(err); k != resolver.KindTimeout {
		t.Errorf("single lookup: %v, want a timeout", err)
	}

	c, err = resolver.NewClient(opts) // a fresh socket again
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	got := resolver.LookupBatch(context.Background(), resolver.NewCache(c), []resolver.Question{
		{Name: "silent._domainkey.batch.example", Type: dns.TypeTXT},
		{Name: "s1._domainkey.batch.example", Type: dns.TypeTXT},
	}, 0)
	if took := time.Since(start); took > bound {
		t.Errorf("batch's timeout took %v, want about %v", took, opts.Timeout)
	}
	if k := resolver.KindOf(got[0].Err); k != resolver.KindTimeout {
		t.Errorf("silent name in a batch: %v, want a timeout", got[0].Err)
	}
	if got[1].Err != nil || len(got[1].Answer.RRs) != 1 {
		t.Errorf("answered name: %+v", got[1])
	}
}
