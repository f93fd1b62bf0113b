package resolver

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"
)

// Cache remembers every answer for the length of one run, so that one
// (name, type) costs one upstream query however many checks ask for it, even
// when they ask at the same moment (singleflight). Answers are kept whatever
// their TTL: a run lasts seconds, and every check should see the same DNS.
//
// Failures are cached too (a SERVFAIL asked twice is one SERVFAIL), except
// those caused by the asking caller's own context ending.
type Cache struct {
	upstream Resolver
	group    singleflight.Group

	mu      sync.Mutex
	entries map[string]cacheEntry

	lookups atomic.Int64
	misses  atomic.Int64

	dnssec dnssecCache // DNSSEC questions (dnssec.go)
}

type cacheEntry struct {
	ans Answer
	err error
}

var _ Resolver = (*Cache)(nil)

// NewCache wraps upstream.
func NewCache(upstream Resolver) *Cache {
	return &Cache{upstream: upstream, entries: map[string]cacheEntry{}}
}

// Lookup implements Resolver.
func (c *Cache) Lookup(ctx context.Context, name string, qtype uint16) (Answer, error) {
	c.lookups.Add(1)
	key := Canonical(name) + "/" + strconv.Itoa(int(qtype))
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok {
		return e.ans, e.err
	}
	ch := c.group.DoChan(key, func() (any, error) {
		// Look again: a flight for this key may have finished between
		// our miss above and this call, and singleflight forgets a key
		// once its flight is over.
		c.mu.Lock()
		e, ok := c.entries[key]
		c.mu.Unlock()
		if ok {
			return e.ans, e.err
		}
		c.misses.Add(1)
		ans, err := c.upstream.Lookup(ctx, name, qtype)
		if !errors.Is(err, context.Canceled) && KindOf(err) != KindCanceled && ctx.Err() == nil {
			c.mu.Lock()
			c.entries[key] = cacheEntry{ans, err}
			c.mu.Unlock()
		}
		return ans, err
	})
	select {
	case r := <-ch:
		ans, _ := r.Val.(Answer)
		if r.Err != nil && ctx.Err() == nil && KindOf(r.Err) == KindCanceled {
			// The caller that led the flight gave up; we did not.
			return c.upstream.Lookup(ctx, name, qtype)
		}
		return ans, r.Err
	case <-ctx.Done():
		return Answer{Name: Canonical(name), Type: qtype}, &Error{Name: Canonical(name), Type: qtype, Kind: KindCanceled, Err: ctx.Err()}
	}
}

// CacheStats counts a cache's use.
type CacheStats struct {
	Lookups  int64 // questions asked of the cache
	Distinct int64 // different (name, type) pairs sent upstream
}

// Stats returns the counters.
func (c *Cache) Stats() CacheStats {
	return CacheStats{Lookups: c.lookups.Load(), Distinct: c.misses.Load()}
}
