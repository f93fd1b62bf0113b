package resolver

import (
	"container/list"
	"context"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// SharedCache sits between the per-domain Caches of a bulk run and the
// upstream resolver, so that names many domains share (a common SPF
// include, shared MX hosts, report destinations, blocklist self-tests, the
// public-suffix DMARC names) are asked once per run, not once per domain.
//
// It is bounded in two ways, so a run over a million domains keeps flat
// memory: a name is kept only once a second domain asks for it (a bounded
// set of names seen once decides; a domain's own names, asked once per
// domain by its own Cache, never fill the cache, and through Own they do
// not reach it at all), and at most MaxEntries
// answers are kept, least recently used first out. Answers expire with
// their TTL (at most MaxTTL), as in any resolver cache.
//
// Only answers are shared: NOERROR with records, NODATA and NXDOMAIN.
// A failure (timeout, SERVFAIL, refusal) is never shared, so one transient
// failure cannot make later domains unknown, and nothing here ever turns an
// unknown into an absence: an absence is only what a server said.
// Concurrent first asks from several domains are merged (singleflight).
type SharedCache struct {
	upstream Resolver
	canon    canonicalResolver // upstream, when it is one (see Cache.canon)
	now      func() time.Time
	max      int
	maxTTL   time.Duration

	mu      sync.Mutex
	entries map[qkey]*list.Element // of *sharedEntry
	lru     *list.List
	calls   map[qkey]*sharedFlight // questions being asked now
	// seen holds the hashes of keys asked once, direct-mapped: a key's
	// slot is its hash's low bits, and a newer key in the same slot takes
	// it (the older one is forgotten, which only delays sharing it by one
	// more ask). A map of hashes, emptied when full, was a quarter of a
	// batch's bookkeeping here: one insertion per name, most of them a
	// domain's own, into a table too large for the processor's caches.
	seen   []uint64
	seed   maphash.Seed
	hits   atomic.Int64
	misses atomic.Int64
}

type sharedEntry struct {
	key     qkey
	val     sharedValue // a copy, immutable once kept: flights are not kept alive by it
	expires time.Time
}

// SharedCacheOptions configure a SharedCache; zero values take defaults.
type SharedCacheOptions struct {
	// MaxEntries bounds the answers kept (default 4096).
	MaxEntries int
	// MaxTTL caps how long an answer is kept (default 10 minutes); a
	// negative answer is kept at most NegativeTTL (default 5 minutes,
	// RFC 2308 §5's advice for a cap is hours; a run is shorter).
	MaxTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Defaults of SharedCacheOptions.
const (
	DefaultSharedEntries = 4096
	DefaultSharedMaxTTL  = 10 * time.Minute
	sharedNegativeTTL    = 5 * time.Minute
)

// NewSharedCache wraps upstream.
func NewSharedCache(upstream Resolver, o SharedCacheOptions) *SharedCache {
	if o.MaxEntries <= 0 {
		o.MaxEntries = DefaultSharedEntries
	}
	if o.MaxTTL <= 0 {
		o.MaxTTL = DefaultSharedMaxTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	// 4 slots per answer kept: a name asked once is remembered for about
	// as many other names as the old map of hashes held before it was
	// emptied (16,384 by default, 128 KiB).
	seen := 64
	for seen < 4*o.MaxEntries {
		seen <<= 1
	}
	cr, _ := upstream.(canonicalResolver)
	return &SharedCache{upstream: upstream, canon: cr, now: o.Now, max: o.MaxEntries, maxTTL: o.MaxTTL,
		entries: map[qkey]*list.Element{}, lru: list.New(), calls: map[qkey]*sharedFlight{}, seen: make([]uint64, seen), seed: maphash.MakeSeed()}
}

// Server passes the upstream's address through (for reports that name it).
func (c *SharedCache) Server() string {
	if s, ok := c.upstream.(interface{ Server() string }); ok {
		return s.Server()
	}
	return ""
}

// Lookup implements Resolver.
func (c *SharedCache) Lookup(ctx context.Context, name string, qtype uint16) (Answer, error) {
	var ans Answer
	err := c.lookupCanonical(ctx, Canonical(name), qtype, &ans)
	return ans, err
}

// lookupCanonical is Lookup for a canonical name, into ans (see
// canonicalResolver).
func (c *SharedCache) lookupCanonical(ctx context.Context, name string, qtype uint16, ans *Answer) error {
	key := qkey{name: name, qtype: qtype}
	for rejoin := 0; ; rejoin++ {
		v, fl, err := c.join(ctx, key)
		switch {
		case fl != nil && fl.detached:
			go c.flyLookup(ctx, key, fl)
			v, err = c.await(ctx, key, fl)
			if v == nil && err == nil && rejoin < maxRejoins {
				continue
			}
		case fl != nil:
			fl.err = c.ask(ctx, name, qtype, &fl.val.ans)
			fl.val.ttl = answerTTL(fl.val.ans, c.maxTTL)
			if c.finish(ctx, key, fl) {
				*ans, err = fl.val.ans, fl.err
				recycle(fl)
				if err != nil && ans.Name == "" {
					*ans = Answer{Name: name, Type: qtype}
				}
				return err
			}
			v, err = &fl.val, fl.err
		case v == nil && err == nil && rejoin < maxRejoins:
			// The domain that led the flight gave up; this one has
			// not: ask again through the cache, so that of all the
			// domains left waiting one asks, for all.
			continue
		}
		switch {
		case v == nil && err == nil:
			// Given up on that often: its own question, not another
			// domain's deadline.
			c.misses.Add(1)
			return c.ask(ctx, name, qtype, ans)
		case v == nil || err != nil && v.ans.Name == "":
			*ans = Answer{Name: name, Type: qtype}
		default:
			*ans = v.ans
		}
		return err
	}
}

// ask asks the upstream for name (canonical), into ans.
func (c *SharedCache) ask(ctx context.Context, name string, qtype uint16, ans *Answer) (err error) {
	if c.canon != nil {
		return c.canon.lookupCanonical(ctx, name, qtype, ans)
	}
	*ans, err = c.upstream.Lookup(ctx, name, qtype)
	return err
}

// maxRejoins bounds how often a question whose flight was given up by the
// domain leading it is asked through the cache again.
const maxRejoins = 3

// flyLookup asks key for a detached flight (see sharedFlight.detached).
func (c *SharedCache) flyLookup(ctx context.Context, key qkey, fl *sharedFlight) {
	fctx, cancel := detach(ctx)
	defer cancel()
	fl.err = c.ask(fctx, key.name, key.qtype, &fl.val.ans)
	fl.val.ttl = answerTTL(fl.val.ans, c.maxTTL)
	c.finish(fctx, key, fl)
}

// detach is ctx without its cancellation, but with its deadline: a
// detached flight ends when the question is answered or the deadline of
// the domain that started it passes, whichever comes first, and never
// because that domain stopped waiting early.
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	d := context.WithoutCancel(ctx)
	if dl, ok := ctx.Deadline(); ok {
		return context.WithDeadline(d, dl)
	}
	return context.WithCancel(d)
}

// sharedValue is what one question got: an Answer (Lookup) or a Reply
// (QueryDNSSEC), and how long it may be kept (0: not at all). It moves
// between the functions here by pointer: by value (some 300 octets, copied
// through every frame) it made SharedCache.do the frame where most
// goroutines of a bulk run outgrew their stacks.
type sharedValue struct {
	ans Answer
	rep *Reply // most values are Lookup's
	ttl time.Duration
}

// join answers key from the cache (v) or from a flight another domain
// leads (v, or v nil and no error when that domain gave up and this one
// should ask again), or starts a flight for the caller to lead (fl: ask,
// fill in fl.val and fl.err, then finish; or, when fl.detached, start the
// flight in a goroutine and await it). v is nil with an error when the
// caller's context ended while it waited. (No closure for the question:
// see Cache.join.)
func (c *SharedCache) join(ctx context.Context, key qkey) (v *sharedValue, fl *sharedFlight, err error) {
	c.mu.Lock()
	if v, ok := c.getLocked(key); ok {
		c.mu.Unlock()
		c.hits.Add(1)
		return v, nil, nil
	}
	if other, ok := c.calls[key]; ok {
		// Another domain is asking this now: wait for its answer, and
		// have it kept, since two domains share the name.
		other.shared = true
		if other.done == nil {
			other.done = make(chan struct{})
		}
		c.mu.Unlock()
		c.hits.Add(1)
		v, err = c.await(ctx, key, other)
		return v, nil, err
	}
	fl = flights.Get()
	fl.seenBefore = c.wantedLocked(key)
	if fl.seenBefore {
		fl.detached = true
		fl.done = make(chan struct{})
	}
	c.calls[key] = fl
	c.mu.Unlock()
	c.misses.Add(1)
	return nil, fl, nil
}

// await waits for fl's answer, or for ctx to end. v and err are both nil
// when the flight was given up by the domain leading it while ctx is
// still alive.
func (c *SharedCache) await(ctx context.Context, key qkey, fl *sharedFlight) (v *sharedValue, err error) {
	if !await(ctx, fl.done) {
		return nil, ctxError(key, ctx.Err())
	}
	// Read after done: set before it was closed.
	if fl.abandoned && fl.err != nil && ctx.Err() == nil {
		return nil, nil
	}
	return &fl.val, fl.err
}

// finish ends the flight its caller led: the answer is kept if another
// domain asked for it (or had asked before), and the waiters get it.
//
// alone reports that nobody else ever saw fl: no domain waited (a waiter
// makes done), and none can now (fl is out of calls, and kept answers are
// copies), so the caller may recycle it once it has read it.
func (c *SharedCache) finish(ctx context.Context, key qkey, fl *sharedFlight) (alone bool) {
	c.mu.Lock()
	delete(c.calls, key)
	if fl.err == nil && fl.val.ttl > 0 && (fl.seenBefore || fl.shared) {
		c.putLocked(key, &fl.val)
	}
	fl.abandoned = ctx.Err() != nil
	if fl.done != nil {
		close(fl.done)
	}
	c.mu.Unlock()
	return fl.done == nil
}

// flights recycles the flights nobody waited for, most of them (a
// domain's own names): an allocation per question less.
var flights = newFreeList(256, newPooledFlight)

// recycle returns a flight that finish found alone.
func recycle(fl *sharedFlight) {
	res := fl.sharedResult
	*res = sharedResult{}
	*fl = sharedFlight{sharedResult: res}
	flights.Put(fl)
}

// answerTTL is how long an answer may be kept: its records' smallest TTL,
// a negative answer at most sharedNegativeTTL, never over max.
func answerTTL(ans Answer, max time.Duration) time.Duration {
	ttl := max
	if ans.Outcome == Found {
		for _, rr := range ans.RRs {
			ttl = min(ttl, time.Duration(rr.Header().Ttl)*time.Second)
		}
	} else {
		ttl = min(ttl, sharedNegativeTTL)
	}
	return ttl
}

// replyTTL is answerTTL for a DNSSEC reply. Only answers are kept
// (NOERROR, NXDOMAIN): a SERVFAIL is a Reply too, and keeping it would
// let one failure make later domains' zones bogus or unknown.
func replyTTL(rep Reply, max time.Duration) time.Duration {
	if rep.Offline || rep.Rcode != dns.RcodeSuccess && rep.Rcode != dns.RcodeNameError {
		return 0
	}
	ttl := max
	for _, rr := range rep.Answer {
		ttl = min(ttl, time.Duration(rr.Header().Ttl)*time.Second)
	}
	if len(rep.Answer) == 0 {
		// RFC 2308 §5: a negative answer lives as long as its SOA says.
		ttl = min(ttl, sharedNegativeTTL)
		for _, rr := range rep.Authority {
			ttl = min(ttl, time.Duration(rr.Header().Ttl)*time.Second)
		}
	}
	return ttl
}

// sharedFlight is one upstream question with the domains waiting for it.
// Its fields are set under SharedCache.mu.
type sharedFlight struct {
	// done is made by the first domain that waits (most questions are a
	// domain's own, and nobody waits for them) and closed when the
	// answer is in.
	done chan struct{}
	// The outcome (val, err, abandoned), read by the waiters once done
	// is closed. A pointer: a batch's flights, most of them a domain's
	// own names that nobody waits for, get one only when someone does
	// (25 outcomes of 130 octets per DKIM batch were a twentieth of a
	// bulk run's allocated bytes); Lookup's flights are made with theirs
	// (pooledFlight).
	*sharedResult
	shared     bool // another domain waited: keep the answer
	seenBefore bool // asked once before: keep the answer
	// detached: a name another domain asked before (so likely asked by
	// more), asked in a goroutine of its own that the domain starting it
	// awaits like any other. That domain may stop waiting early (the
	// DNSSEC check calls off its root probe once the zone's own answers
	// tell) and the flight still ends with an answer to keep: the root's
	// DNSKEY was asked 104 times in a 1,000-domain run, each asker giving
	// up before the answer and every waiter then asking on its own.
	detached bool
}

// sharedResult is what a flight got.
type sharedResult struct {
	val       sharedValue
	err       error
	abandoned bool // the asking domain's context ended first
}

// pooledFlight is a flight of Lookup or QueryDNSSEC with its outcome, in
// one allocation, recycled by the flights free list.
type pooledFlight struct {
	fl  sharedFlight
	res sharedResult
}

func newPooledFlight() *sharedFlight {
	p := new(pooledFlight)
	p.fl.sharedResult = &p.res
	return &p.fl
}

// wantedLocked records a miss and reports whether the key was asked before
// (so it is worth keeping). c.mu is held.
func (c *SharedCache) wantedLocked(key qkey) bool {
	h, slot := c.seenSlot(key)
	if *slot == h {
		return true
	}
	*slot = h
	return false
}

// seenSlot returns key's hash (never 0, the empty slot) and its slot in
// c.seen. A collision of hashes only shares a name early.
func (c *SharedCache) seenSlot(key qkey) (uint64, *uint64) {
	h := maphash.Comparable(c.seed, key) | 1
	return h, &c.seen[h&uint64(len(c.seen)-1)]
}

// getLocked returns the answer kept for key; c.mu is held.
func (c *SharedCache) getLocked(key qkey) (*sharedValue, bool) {
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*sharedEntry)
	if !c.now().Before(e.expires) {
		c.lru.Remove(el)
		delete(c.entries, key)
		return nil, false
	}
	c.lru.MoveToFront(el)
	return &e.val, true
}

// putLocked keeps v for v.ttl (never a TTL of 0: use once, never keep,
// RFC 1035 §3.2.1); c.mu is held.
func (c *SharedCache) putLocked(key qkey, v *sharedValue) {
	if h, slot := c.seenSlot(key); *slot == h {
		*slot = 0
	}
	if el, ok := c.entries[key]; ok {
		c.lru.Remove(el)
	}
	c.entries[key] = c.lru.PushFront(&sharedEntry{key: key, val: *v, expires: c.now().Add(v.ttl)})
	for c.lru.Len() > c.max {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.entries, old.Value.(*sharedEntry).key)
	}
}

// SharedStats counts a shared cache's use.
type SharedStats struct {
	Hits    int64 // lookups answered from the cache
	Misses  int64 // lookups sent upstream
	Entries int   // answers kept now
}

// Stats returns the counters.
func (c *SharedCache) Stats() SharedStats {
	c.mu.Lock()
	n := c.lru.Len()
	c.mu.Unlock()
	return SharedStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Entries: n}
}
