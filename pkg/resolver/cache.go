package resolver

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
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
	flights  flights

	mu      sync.Mutex
	entries map[qkey]cacheEntry

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
	return &Cache{upstream: upstream, entries: map[qkey]cacheEntry{}}
}

// Lookup implements Resolver.
func (c *Cache) Lookup(ctx context.Context, name string, qtype uint16) (Answer, error) {
	c.lookups.Add(1)
	key := cacheKey(name, qtype)
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok {
		return e.ans, e.err
	}
	ans, retry, err := c.flights.do(ctx, key, func() (Answer, error) {
		// Look again: a flight for this key may have finished between
		// our miss above and now.
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
	if retry {
		// The caller that led the flight gave up; we did not.
		return c.upstream.Lookup(ctx, name, qtype)
	}
	return ans, err
}

// qkey is a question as a map key (no string built per lookup).
type qkey struct {
	name  string // canonical
	qtype uint16
	// dnssec is 0 for Lookup; for QueryDNSSEC 1 (DO), or 2 (DO and CD).
	dnssec uint8
}

func cacheKey(name string, qtype uint16) qkey { return qkey{name: Canonical(name), qtype: qtype} }

// flights merges concurrent lookups of one key: the first caller runs it
// in its own goroutine (singleflight.DoChan starts one per call, whose
// stack growth showed in the bulk profile), the others wait for it or for
// their own context.
type flights struct {
	mu    sync.Mutex
	calls map[qkey]*flight
}

type flight struct {
	done chan struct{}
	ans  Answer
	err  error
	// abandoned: the leader's context ended before the answer, so its
	// error says nothing about the question.
	abandoned bool
}

// do runs fn once per key at a time. A waiter whose leader gave up (its
// context ended) gets retry set, to ask itself if it still has time.
func (f *flights) do(ctx context.Context, key qkey, fn func() (Answer, error)) (ans Answer, retry bool, err error) {
	f.mu.Lock()
	if fl, ok := f.calls[key]; ok {
		f.mu.Unlock()
		select {
		case <-fl.done:
			return fl.ans, fl.abandoned && fl.err != nil && ctx.Err() == nil, fl.err
		case <-ctx.Done():
			name, qt := key.name, key.qtype
			kind := KindCanceled
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				kind = KindTimeout
			}
			return Answer{Name: name, Type: qt}, false, &Error{Name: name, Type: qt, Kind: kind, Err: ctx.Err()}
		}
	}
	if f.calls == nil {
		f.calls = map[qkey]*flight{}
	}
	fl := &flight{done: make(chan struct{})}
	f.calls[key] = fl
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(fl.done)
	}()
	fl.ans, fl.err = fn()
	fl.abandoned = ctx.Err() != nil
	return fl.ans, false, fl.err
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
