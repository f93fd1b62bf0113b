package resolver_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/mailcheck/mailcheck/pkg/resolver"
	"github.com/miekg/dns"
)

// Batch yields, in order, what LookupBatch returns; a loop left early
// is fine, and the next batch starts from zero values.
func TestBatchYieldsLookupBatch(t *testing.T) {
	t.Parallel()
	srv := batchServer(t)
	o := srv.ClientOptions()
	c, err := resolver.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	qs := batchQuestions[:9] // the ones answered at once
	want := resolver.LookupBatch(ctx, c, qs, 0)
	var got []resolver.Result
	for i, res := range resolver.Batch(ctx, c, qs, 0) {
		if i != len(got) {
			t.Fatalf("index %d after %d results", i, len(got))
		}
		got = append(got, res)
	}
	if len(got) != len(want) {
		t.Fatalf("%d results, want %d", len(got), len(want))
	}
	for i := range want {
		if g, w := outcomeOf(got[i]), outcomeOf(want[i]); !reflect.DeepEqual(g, w) {
			t.Errorf("%s: Batch %+v\nLookupBatch %+v", qs[i].Name, g, w)
		}
	}
	for i := range resolver.Batch(ctx, c, qs, 0) {
		if i == 2 {
			break
		}
	}
	for i, res := range resolver.Batch(ctx, c, qs[3:4], 0) {
		if i != 0 || res.Answer.Outcome != resolver.NXDomain || res.Err != nil {
			t.Errorf("after a loop left early: %d %+v %v", i, res.Answer, res.Err)
		}
	}
}

// nxBatch answers every question NXDOMAIN, allocating nothing.
type nxBatch struct{}

func (nxBatch) Lookup(_ context.Context, name string, qtype uint16) (resolver.Answer, error) {
	return resolver.Answer{Name: name, Type: qtype, Outcome: resolver.NXDomain}, nil
}

func (nxBatch) LookupBatch(_ context.Context, qs []resolver.Question, out []resolver.Result) {
	for i, q := range qs {
		out[i].Answer = resolver.Answer{Name: q.Name, Type: q.Type, Outcome: resolver.NXDomain}
	}
}

// Batch's results are room kept for reuse: no allocation per batch, where
// LookupBatch makes its slice.
func TestBatchAllocatesNothing(t *testing.T) {
	qs := make([]resolver.Question, 25)
	for i := range qs {
		qs[i] = resolver.Question{Name: "x.example.", Type: dns.TypeTXT}
	}
	ctx := context.Background()
	var r resolver.Resolver = nxBatch{}
	n := 0
	seq := testing.AllocsPerRun(100, func() {
		for _, res := range resolver.Batch(ctx, r, qs, 0) {
			if res.Answer.Outcome == resolver.NXDomain {
				n++
			}
		}
	})
	slice := testing.AllocsPerRun(100, func() {
		for _, res := range resolver.LookupBatch(ctx, r, qs, 0) {
			if res.Answer.Outcome == resolver.NXDomain {
				n++
			}
		}
	})
	if seq != 0 || slice != 1 || n == 0 {
		t.Errorf("allocations per batch: Batch %v, LookupBatch %v (want 0 and 1)", seq, slice)
	}
}
