package resolver

import (
	"context"
	"iter"
	"slices"
	"strings"
	"sync"

	"github.com/miekg/dns"
	"golang.org/x/sync/errgroup"
)

// Question is one question of a batch.
type Question struct {
	Name string
	Type uint16
}

// Result is the outcome of one question of a batch: what Lookup returns.
type Result struct {
	Answer Answer
	Err    error
}

// BatchResolver is implemented by resolvers that ask many questions at
// once more cheaply than one at a time: the DKIM selector guesses are 25
// questions per domain, two thirds of a bulk run's queries. Each result is
// exactly what Lookup would have returned for its question; only the cost
// differs (one goroutine instead of one per question, one sendmmsg instead
// of one write per question).
type BatchResolver interface {
	Resolver
	// LookupBatch sets out[i] to the outcome of qs[i]; len(out) == len(qs).
	LookupBatch(ctx context.Context, qs []Question, out []Result)
}

// LookupBatch asks r every question of qs: in one batch when r can, else
// each with Lookup, at most limit at once (limit <= 0: all at once).
func LookupBatch(ctx context.Context, r Resolver, qs []Question, limit int) []Result {
	out := make([]Result, len(qs))
	lookupBatchInto(ctx, r, qs, out, limit)
	return out
}

// Batch asks r every question of qs as LookupBatch does, and yields each
// result with its index, in order, for a range loop:
//
//	for i, res := range resolver.Batch(ctx, r, qs, limit) { ... }
//
// The results are in room kept for reuse, cleared once the loop ends: a
// slice of results per batch, some ten a domain, was one of the
// resolver's largest allocations (2.8 KiB for the DKIM guesses alone).
// A result yielded may be kept (it is a copy); the loop must not keep the
// sequence itself.
func Batch(ctx context.Context, r Resolver, qs []Question, limit int) iter.Seq2[int, Result] {
	return func(yield func(int, Result) bool) {
		out := getResults(len(qs))
		defer putResults(out)
		lookupBatchInto(ctx, r, qs, out.rs, limit)
		for i := range out.rs {
			if !yield(i, out.rs[i]) {
				return
			}
		}
	}
}

// results is room for a batch's results, kept for reuse (see Batch).
type results struct{ rs []Result }

// resultsKept bounds the free list of results: one per batch being
// asked, a few hundred at 64 domains at once.
const resultsKept = 512

var resultsFree = newFreeList(resultsKept, func() *results { return new(results) })

func getResults(n int) *results {
	r := resultsFree.Get()
	if cap(r.rs) < n {
		r.rs = make([]Result, n, max(n, minScratch))
	}
	r.rs = r.rs[:n]
	return r
}

// putResults clears r (nothing kept alive, and the next batch starts from
// zero values) and keeps it unless it grew past maxScratch.
func putResults(r *results) {
	clear(r.rs)
	if cap(r.rs) <= maxScratch {
		resultsFree.Put(r)
	}
}

// lookupBatchInto is LookupBatch into out (len(out) == len(qs)).
func lookupBatchInto(ctx context.Context, r Resolver, qs []Question, out []Result, limit int) {
	if b, ok := r.(BatchResolver); ok {
		b.LookupBatch(ctx, qs, out)
		return
	}
	lookupEach(ctx, r, qs, out, limit)
}

// batchAsk is the part of a batch that a cache sends upstream: question
// ask.qs[j] is the batch's question ask.idx[j].
type batchAsk struct {
	qs  []Question
	idx []int
}

// batchScratch is a batch's bookkeeping in one of the caches, kept for
// reuse: with the checks' fan-outs made batches a domain asks some 15, and
// their slices (keys, entries, the questions sent upstream, their indexes)
// were a tenth of its allocations. Nothing outlives the call that takes
// one: the layers below copy what they keep, and their goroutines end
// before they return.
type batchScratch struct {
	keys []qkey
	ents []*cacheEntry   // Cache: the entries asked, by ask index
	fls  []*sharedFlight // SharedCache: the flights led, by ask index
	ask  batchAsk
	got  []Result
	// waits are the questions another caller is asking: their answers
	// are awaited once this batch's own are in; retry, those whose
	// asking caller gave up.
	waits []batchWait
	retry []int
	// flights are the SharedCache flights of the batch, in one array
	// (flown); spare, one that nobody else saw, kept for the next batch.
	flown, spare []sharedFlight
}

// batchWait is question i of a batch, being asked by another caller: an
// entry of the Cache, or a flight of the SharedCache.
type batchWait struct {
	i  int
	e  *cacheEntry
	fl *sharedFlight
}

// minScratch is the room a scratch is made with: a domain's DKIM guesses
// (25) fit, so that a scratch is made once, not made for a small batch and
// grown when it meets the guesses (with 8, 1,355 slices of 5 per 1,000
// domains were growth). maxScratch: a scratch grown past this many
// questions is let go.
const (
	minScratch = 32
	maxScratch = 256
)

// scratches is a sync.Pool, not a bounded free list like the UDP pool's
// (whose things are held for microseconds): a scratch is held while its
// batch is on the network, and at 64 domains some 470 were out at once;
// a free list of 64 ran dry, and 1,651 scratches were made (and grown)
// in a 1,000-domain run, against 828 with the pool, which holds as many
// as the peak needs until two collections pass.
//
// In front of the pool, a bounded free list that the collector does not
// empty: a bulk run collects every few hundred milliseconds, and the
// pool, emptied at every other collection, then made some 1,000
// scratches anew per 1,000 domains (five slices each).
var (
	scratches   = sync.Pool{New: func() any { return new(batchScratch) }}
	scratchFree = make(chan *batchScratch, scratchesKept)
)

// scratchesKept is how many scratches the free list keeps: at 64 domains
// at once, some 470 are out at the peak (a 1,000-domain run then made 466
// scratches in all, against 1,013 made or grown with the pool alone). At
// 32 questions a scratch is 2.3 KiB: the free list holds at most the peak,
// which the pool held too.
const scratchesKept = 512

// getScratch returns a scratch for n questions: n keys, and room for n in
// the rest.
func getScratch(n int) *batchScratch {
	var s *batchScratch
	select {
	case s = <-scratchFree:
	default:
		s = scratches.Get().(*batchScratch)
	}
	if cap(s.keys) < n {
		// All five at once, for n (at least minScratch): a scratch
		// meets a few sizes of batch, and grows once for the largest.
		c := max(n, minScratch)
		s.keys = make([]qkey, 0, c)
		s.ents = make([]*cacheEntry, 0, c)
		s.fls = make([]*sharedFlight, 0, c)
		s.ask.qs = make([]Question, 0, c)
		s.ask.idx = make([]int, 0, c)
	}
	s.keys = s.keys[:n]
	return s
}

// putScratch clears what the batch wrote (so that nothing is kept alive
// and the next batch starts from zero values) and keeps s.
func putScratch(s *batchScratch) {
	clear(s.keys)
	clear(s.ents)
	clear(s.fls)
	clear(s.ask.qs)
	clear(s.got)
	clear(s.waits)
	s.ents, s.fls, s.ask.qs, s.ask.idx = s.ents[:0], s.fls[:0], s.ask.qs[:0], s.ask.idx[:0]
	s.got, s.waits, s.retry = s.got[:0], s.waits[:0], s.retry[:0]
	s.flown = nil // others may hold it: see SharedCache.settle
	if cap(s.keys) > maxScratch {
		return
	}
	select {
	case scratchFree <- s:
	default:
		scratches.Put(s)
	}
}

// send asks the upstream (canon when it is one of this package's
// resolvers) the questions of s.ask, and returns their answers (results).
func (s *batchScratch) send(ctx context.Context, canon canonicalResolver, upstream Resolver, out []Result) []Result {
	got := s.results(out)
	if canon != nil {
		canon.lookupBatchCanonical(ctx, s.ask.qs, got)
	} else {
		lookupBatchInto(ctx, upstream, s.ask.qs, got, 0)
	}
	return got
}

// results is where the answers to s.ask go, by ask index: out itself when
// every question of the batch goes upstream in order (a domain's own
// names, the usual case), else s.got.
func (s *batchScratch) results(out []Result) []Result {
	if len(s.ask.idx) == len(out) {
		return out
	}
	s.got = slices.Grow(s.got[:0], len(s.ask.idx))[:len(s.ask.idx)]
	return s.got
}

func (b *batchAsk) add(i int, key qkey) {
	b.qs = append(b.qs, Question{key.name, key.qtype})
	b.idx = append(b.idx, i)
}

// send asks r and returns the results by ask index: written into out
// itself when every question of the batch goes upstream in order (a
// domain's own names, the usual case), else into a slice of their own.
func (b *batchAsk) send(ctx context.Context, r Resolver, out []Result) []Result {
	got := out
	if len(b.idx) != len(out) {
		got = make([]Result, len(b.idx))
	}
	lookupCanonicalInto(ctx, r, b.qs, got)
	return got
}

// lookupCanonicalInto is lookupBatchInto for questions whose names are
// canonical (a cache's keys).
func lookupCanonicalInto(ctx context.Context, r Resolver, qs []Question, out []Result) {
	if cr, ok := r.(canonicalResolver); ok {
		cr.lookupBatchCanonical(ctx, qs, out)
		return
	}
	lookupBatchInto(ctx, r, qs, out, 0)
}

// askAgain asks r the batch's questions at retry itself (another caller
// led them and gave up), into out.
func askAgain(ctx context.Context, r Resolver, keys []qkey, retry []int, out []Result) {
	if len(retry) == 0 {
		return
	}
	var b batchAsk
	for _, i := range retry {
		b.add(i, keys[i])
	}
	for j, res := range b.send(ctx, r, make([]Result, len(retry))) {
		out[retry[j]] = res
	}
}

// lookupEach asks each question with its own Lookup, concurrently.
func lookupEach(ctx context.Context, r Resolver, qs []Question, out []Result, limit int) {
	var g errgroup.Group
	if limit > 0 {
		g.SetLimit(limit)
	}
	for i, q := range qs {
		g.Go(func() error {
			out[i].Answer, out[i].Err = r.Lookup(ctx, q.Name, q.Type)
			return nil
		})
	}
	_ = g.Wait() // the lookups never fail the group: errors are per result
}

// TXTRecords returns the TXT records of an answer with their strings
// intact, as LookupTXT does.
func TXTRecords(ans Answer) []TXT {
	// Two allocations whatever the number of records: the records, and
	// one array for all their strings (an apex often has several TXT
	// records: SPF, site verifications). One when no string has an
	// escape, the usual case: each record's strings are then its
	// record's own (capped: an append by the caller copies; strings are
	// immutable and no caller writes into the slice).
	records, strs, escaped := 0, 0, false
	for _, rr := range ans.RRs {
		if t, ok := rr.(*dns.TXT); ok {
			records++
			strs += len(t.Txt)
			for _, s := range t.Txt {
				escaped = escaped || strings.IndexByte(s, '\\') >= 0
			}
		}
	}
	if records == 0 {
		return nil
	}
	out := make([]TXT, 0, records)
	if !escaped {
		for _, rr := range ans.RRs {
			if t, ok := rr.(*dns.TXT); ok {
				out = append(out, TXT{Strings: t.Txt[:len(t.Txt):len(t.Txt)]})
			}
		}
		return out
	}
	all := make([]string, strs)
	for _, rr := range ans.RRs {
		if t, ok := rr.(*dns.TXT); ok {
			one := all[:len(t.Txt):len(t.Txt)] // capped: an append by the caller copies
			all = all[len(t.Txt):]
			for i, s := range t.Txt {
				one[i] = Unescape(s)
			}
			out = append(out, TXT{Strings: one})
		}
	}
	return out
}

// LookupBatch implements BatchResolver: the questions answered or being
// asked are taken from the entries as Lookup would; the rest go upstream
// together.
//
// In phases of their own (claim, settle, awaitBatch), so that what is on
// the stack on the way to the network is a small frame (see Cache.Lookup):
// this one was a kilobyte, its SharedCache counterpart more.
func (c *Cache) LookupBatch(ctx context.Context, qs []Question, out []Result) {
	c.lookups.Add(int64(len(qs)))
	// Sized once (most questions of a batch are new: a domain's own
	// names) and reused.
	sc := getScratch(len(qs))
	c.claim(qs, out, sc)
	if len(sc.ask.qs) > 0 {
		c.misses.Add(int64(len(sc.ask.qs)))
		c.settle(ctx, sc, sc.send(ctx, c.canon, c.upstream, out), out)
	}
	if len(sc.waits) > 0 {
		c.awaitBatch(ctx, qs, out, sc)
	}
	putScratch(sc)
}

// claim answers the questions of qs that have an answer, notes those being
// asked (sc.waits), and makes entries for the rest, to be asked (sc.ask,
// sc.ents).
//
//go:noinline
func (c *Cache) claim(qs []Question, out []Result, sc *batchScratch) {
	keys := sc.keys
	for i, q := range qs {
		keys[i] = cacheKey(q.Name, q.Type)
	}
	c.mu.Lock()
	for i := range qs {
		e, ok := c.entries[keys[i]]
		switch {
		case ok && e.ready:
			out[i].Answer, out[i].Err = e.ans, e.err
		case ok:
			if e.done == nil {
				e.done = make(chan struct{})
			}
			sc.waits = append(sc.waits, batchWait{i: i, e: e})
		default:
			e = c.newEntryLocked()
			c.entries[keys[i]] = e
			sc.ents = append(sc.ents, e)
			sc.ask.add(i, keys[i])
		}
	}
	c.mu.Unlock()
}

// settle fills in the entries this batch asked with the answers got (by
// ask index), and out.
//
//go:noinline
func (c *Cache) settle(ctx context.Context, sc *batchScratch, got, out []Result) {
	abandoned := ctx.Err() != nil
	c.mu.Lock()
	for j, e := range sc.ents {
		r, i := &got[j], sc.ask.idx[j]
		e.ans, e.err, e.abandoned = r.Answer, r.Err, abandoned
		if !abandoned && keptError(r.Err) {
			e.ready = true
		} else {
			delete(c.entries, sc.keys[i])
		}
		if e.done != nil {
			close(e.done)
		}
		if r != &out[i] {
			out[i] = *r
		}
	}
	c.mu.Unlock()
}

// awaitBatch waits for the answers of the questions other callers were
// asking (sc.waits), and asks itself those whose caller gave up.
//
//go:noinline
func (c *Cache) awaitBatch(ctx context.Context, qs []Question, out []Result, sc *batchScratch) {
	retry := sc.retry[:0]
	for _, w := range sc.waits {
		if !await(ctx, w.e.done) {
			out[w.i] = Result{Answer{Name: sc.keys[w.i].name, Type: qs[w.i].Type}, ctxError(sc.keys[w.i], ctx.Err())}
			continue
		}
		if w.e.abandoned && w.e.err != nil && ctx.Err() == nil {
			retry = append(retry, w.i) // the asking caller gave up; we did not
			continue
		}
		out[w.i].Answer, out[w.i].Err = w.e.ans, w.e.err
	}
	sc.retry = retry
	askAgain(ctx, c.upstream, sc.keys, retry, out)
}

// LookupBatch implements BatchResolver under the rules of Lookup: kept
// answers and flights that other domains lead are used, the rest go
// upstream together.
func (c *SharedCache) LookupBatch(ctx context.Context, qs []Question, out []Result) {
	c.lookupBatchCanonical(ctx, canonicalQuestions(qs), out)
}

// lookupBatchCanonical is LookupBatch for canonical names (see
// canonicalResolver), in phases as Cache.LookupBatch.
func (c *SharedCache) lookupBatchCanonical(ctx context.Context, qs []Question, out []Result) {
	sc := getScratch(len(qs))
	c.claim(qs, out, sc)
	if len(sc.ask.qs) > 0 {
		c.misses.Add(int64(len(sc.ask.qs)))
		c.settle(ctx, sc, sc.send(ctx, c.canon, c.upstream, out), out)
	}
	if len(sc.waits) > 0 {
		c.awaitBatch(ctx, out, sc)
	}
	namedErrors(qs, out, sc.keys)
	putScratch(sc)
}

// claim answers the questions of qs that have an answer kept, notes those
// another domain is asking (sc.waits), and starts flights for the rest, to
// be asked (sc.ask, sc.fls).
//
//go:noinline
func (c *SharedCache) claim(qs []Question, out []Result, sc *batchScratch) {
	keys := sc.keys
	for i, q := range qs {
		keys[i] = qkey{name: q.Name, qtype: q.Type}
	}
	// The flights of the questions asked, allocated at once (see
	// batchScratch.flights).
	var flights []sharedFlight
	c.mu.Lock()
	for i := range qs {
		if v, ok := c.getLocked(keys[i]); ok {
			c.hits.Add(1)
			out[i].Answer, out[i].Err = v.ans, nil
			continue
		}
		if fl, ok := c.calls[keys[i]]; ok {
			fl.shared = true
			if fl.done == nil {
				fl.done = make(chan struct{})
			}
			c.hits.Add(1)
			sc.waits = append(sc.waits, batchWait{i: i, fl: fl})
			continue
		}
		if len(flights) == 0 {
			flights = sc.flights(len(qs) - i)
		}
		fl := &flights[0]
		flights = flights[1:]
		fl.seenBefore = c.wantedLocked(keys[i])
		c.calls[keys[i]] = fl
		sc.fls = append(sc.fls, fl)
		sc.ask.add(i, keys[i])
	}
	c.mu.Unlock()
}

// settle ends the flights this batch led with the answers got (by ask
// index): kept if another domain asked for them (or had asked before),
// handed to the domains waiting, and written into out.
//
//go:noinline
func (c *SharedCache) settle(ctx context.Context, sc *batchScratch, got, out []Result) {
	abandoned := ctx.Err() != nil
	alone := true // no other domain waited on a flight of the batch
	c.mu.Lock()
	for j, fl := range sc.fls {
		r, i := &got[j], sc.ask.idx[j]
		delete(c.calls, sc.keys[i])
		alone = alone && fl.done == nil
		if r.Err == nil && (fl.seenBefore || fl.shared) {
			if ttl := answerTTL(r.Answer, c.maxTTL); ttl > 0 {
				c.putLocked(sc.keys[i], &sharedValue{ans: r.Answer, ttl: ttl})
			}
		}
		if fl.done != nil {
			// Read by the waiters once done is closed.
			fl.sharedResult = &sharedResult{val: sharedValue{ans: r.Answer}, err: r.Err, abandoned: abandoned}
			close(fl.done)
		}
		if r != &out[i] {
			out[i] = *r
		}
	}
	c.mu.Unlock()
	if alone {
		// Out of calls, and no waiter holds one (a waiter makes done,
		// under c.mu): nobody else can refer to these flights now.
		clear(sc.flown)
		sc.spare, sc.flown = sc.flown[:0], nil
	}
}

// flights returns n zero flights for the batch: the spare array when it
// is large enough, else a new one. (Not reused when another domain
// waited on one: that domain reads it after done; kept with every
// scratch, flights made the live heap 2 MiB larger when a flight held its
// outcome, 130 octets: now 24.)
func (sc *batchScratch) flights(n int) []sharedFlight {
	if cap(sc.spare) >= n {
		sc.flown, sc.spare = sc.spare[:n], nil
	} else {
		sc.flown = make([]sharedFlight, n)
	}
	return sc.flown
}

// awaitBatch waits for the flights other domains lead (sc.waits), and
// asks itself the questions whose domain gave up.
//
//go:noinline
func (c *SharedCache) awaitBatch(ctx context.Context, out []Result, sc *batchScratch) {
	retry := sc.retry[:0]
	for _, w := range sc.waits {
		if !await(ctx, w.fl.done) {
			out[w.i] = Result{Err: ctxError(sc.keys[w.i], ctx.Err())}
			continue
		}
		if w.fl.abandoned && w.fl.err != nil && ctx.Err() == nil {
			retry = append(retry, w.i)
			continue
		}
		out[w.i].Answer, out[w.i].Err = w.fl.val.ans, w.fl.err
	}
	sc.retry = retry
	// The domains that led these flights ran out of time; this one has
	// not: its own questions.
	c.misses.Add(int64(len(retry)))
	askAgain(ctx, c.upstream, sc.keys, retry, out)
}

// namedErrors names the question in the failures that came without an
// answer (a waiter's own deadline, an upstream of another package).
func namedErrors(qs []Question, out []Result, keys []qkey) {
	for i := range out {
		if out[i].Err != nil && out[i].Answer.Name == "" {
			out[i].Answer = Answer{Name: keys[i].name, Type: qs[i].Type}
		}
	}
}

// LookupBatch implements BatchResolver: the first attempt of every
// question goes out in one batch of datagrams on one socket (sendmmsg),
// and one goroutine waits for the replies; whatever needs more (a retry,
// another server, TCP, an alias to follow) then goes on exactly as in
// Lookup, in a goroutine of its own.
func (c *Client) LookupBatch(ctx context.Context, qs []Question, out []Result) {
	c.lookupBatchCanonical(ctx, canonicalQuestions(qs), out)
}

// lookupBatchCanonical is LookupBatch for canonical names (see
// canonicalResolver), in phases of their own as Cache.LookupBatch: pack
// the datagrams, send them and wait (the phase that goes down to the
// socket, with small frames), read the replies.
func (c *Client) lookupBatchCanonical(ctx context.Context, qs []Question, out []Result) {
	if c.opts.Rotate && len(c.servers) > 1 {
		// Each question would start at its own server.
		lookupEach(ctx, c, qs, out, 0)
		return
	}
	if most := min(maxBatch, cap(c.inFlight)); len(qs) > most {
		c.splitBatch(ctx, qs, out, most)
		return
	}
	sc := clientScratches.Get().(*clientScratch)
	c.packBatch(qs, out, sc)
	if len(sc.wires) > 0 {
		c.sendBatch(ctx, sc)
	}
	c.readBatch(ctx, out, sc)
	sc.put()
}

// splitBatch asks a batch larger than most in batches of most, at once.
//
//go:noinline
func (c *Client) splitBatch(ctx context.Context, qs []Question, out []Result, most int) {
	var wg sync.WaitGroup
	for lo := 0; lo < len(qs); lo += most {
		hi := min(lo+most, len(qs))
		wg.Go(func() { c.lookupBatchCanonical(ctx, qs[lo:hi], out[lo:hi]) })
	}
	wg.Wait()
}

// packBatch writes the first datagram of every question that can be sent
// (sc.wires, in sc.buf), and sc.idx: the question of each datagram, or -1-i
// for question i that goes the one-by-one way (a name Pack must escape).
// A name that cannot be asked gets its error in out.
//
//go:noinline
func (c *Client) packBatch(qs []Question, out []Result, sc *clientScratch) {
	wires := slices.Grow(sc.wires[:0], len(qs))
	names := slices.Grow(sc.names[:0], len(qs))
	idx := slices.Grow(sc.idx[:0], len(qs))
	// Every datagram in one buffer, sized for all (a name's wire form is
	// its length plus one; Canonical adds a dot at most).
	size := 0
	for _, q := range qs {
		size += 12 + len(q.Name) + 2 + 4 + 11
	}
	buf := slices.Grow(sc.buf[:0], size)
	for i, q := range qs {
		qname := q.Name
		out[i].Answer = Answer{Name: qname, Type: q.Type}
		if err := checkName(qname, q.Type); err != nil {
			out[i].Err = err
			continue
		}
		start := len(buf)
		more, ok := appendQuery(buf, 0, qname, q.Type, dns.ClassINET, flagRD|flagAD, c.opts.UDPSize, 0)
		if !ok {
			// A name Pack must escape: the one-by-one path.
			idx = append(idx, -1-i)
			continue
		}
		buf = more
		// Capped: the datagrams never share room (the pool writes
		// each one's ID in place).
		wires = append(wires, buf[start:len(buf):len(buf)])
		names = append(names, qname)
		idx = append(idx, i)
	}
	sc.wires, sc.names, sc.idx, sc.buf = wires, names, idx, buf
}

// sendBatch sends sc.wires and waits for their replies (sc.firsts).
//
//go:noinline
func (c *Client) sendBatch(ctx context.Context, sc *clientScratch) {
	n := len(sc.wires)
	// The in-flight bound, one place per datagram, taken by one batch at
	// a time: two batches each holding part of what they need could
	// otherwise wait for each other forever.
	taken := 0
	var err error
	c.batchMu.Lock()
	for ; taken < n; taken++ {
		if err = c.acquire(ctx); err != nil {
			break
		}
	}
	c.batchMu.Unlock()
	sc.firsts = slices.Grow(sc.firsts[:0], n)[:n]
	if err != nil {
		for j := range sc.firsts {
			sc.firsts[j].err = err
		}
	} else {
		c.udp[0].exchangeBatch(ctx, sc.wires, sc.names, c.opts.Timeout, sc.firsts, &sc.waiter)
	}
	for range taken {
		c.release()
	}
}

// readBatch reads the first replies into out: a final reply here, with no
// goroutine; whatever needs more (a retry, another server, TCP, an alias
// to follow) goes on exactly as in Lookup, in a goroutine of its own, and
// readBatch returns once they all have.
//
//go:noinline
func (c *Client) readBatch(ctx context.Context, out []Result, sc *clientScratch) {
	wg := &sc.wg
	later := func(run func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run()
		}()
	}
	j := 0
	for _, i := range sc.idx {
		if i < 0 {
			i = -1 - i
			later(func() { out[i].Err = c.follow(ctx, &out[i].Answer, out[i].Answer.Name, nil) })
			continue
		}
		first := &sc.firsts[j]
		j++
		if mayNeedNetwork(first, len(c.servers)) {
			later(func() { out[i].Err = c.follow(ctx, &out[i].Answer, out[i].Answer.Name, first) })
			continue
		}
		// A final reply: read here, with no goroutine, unless it is an
		// alias whose target must be asked. What exchange would do with
		// it is checkReply (mayNeedNetwork ruled out the rest), without
		// packing the query again for a send that will not happen.
		ans := &out[i].Answer
		msg, size, err := c.checkReply(ans.Name, first.msg, ans.Name, ans.Type)
		if err != nil {
			first.blk.release() // an error refers to no message
			out[i].Err = c.failed(ans, err)
			continue
		}
		next, done, err := c.absorb(ans, msg, size, ans.Name)
		// ans keeps the answer section's records only, which are not in
		// the block (see replyBlock).
		first.blk.release()
		*first = udpReply{}
		if done || err != nil {
			out[i].Err = err
			continue
		}
		later(func() { out[i].Err = c.follow(ctx, ans, next, nil) })
	}
	wg.Wait()
}

// clientScratch is Client.LookupBatch's bookkeeping, kept for reuse (see
// batchScratch): the datagrams, their order, the first replies. The
// goroutines that go on with a question end before the call returns.
type clientScratch struct {
	wires  [][]byte
	names  []string // asked by wires
	idx    []int
	buf    []byte
	firsts []udpReply
	// waiter is the UDP pool's bookkeeping of the batch (its own
	// allocations per batch, made there, were two to four).
	waiter batchWaiter
	wg     sync.WaitGroup
}

// clientScratches: a sync.Pool for the reason scratches is.
var clientScratches = sync.Pool{New: func() any { return new(clientScratch) }}

func (s *clientScratch) put() {
	clear(s.wires)
	clear(s.names)
	clear(s.firsts) // the replies, for the collector
	s.wires, s.names, s.idx, s.buf, s.firsts = s.wires[:0], s.names[:0], s.idx[:0], s.buf[:0], s.firsts[:0]
	if cap(s.wires) <= maxBatch {
		clientScratches.Put(s)
	}
}

// maxBatch bounds the datagrams of one batch (the in-flight bound is
// taken for all of them at once).
const maxBatch = 64

// mayNeedNetwork reports whether the rest of a lookup whose first attempt
// got first may send more: a failure or a timeout (retried, or asked of
// the next server), a truncated reply (TCP), a SERVFAIL or refusal with
// another server to ask.
func mayNeedNetwork(first *udpReply, servers int) bool {
	if first.err != nil || first.msg.Truncated {
		return true
	}
	switch first.msg.Rcode {
	case dns.RcodeServerFailure, dns.RcodeRefused:
		return servers > 1
	}
	return false
}

// ctxError is the error of a question whose caller's context ended while it
// waited for another caller's answer.
func ctxError(key qkey, err error) error {
	kind := KindCanceled
	if err == context.DeadlineExceeded {
		kind = KindTimeout
	}
	return &Error{Name: key.name, Type: key.qtype, Kind: kind, Err: err}
}
