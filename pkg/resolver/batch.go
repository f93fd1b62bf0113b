package resolver

import (
	"context"
	"slices"
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
	ents []*cacheEntry
	fls  []*sharedFlight
	ask  batchAsk
	got  []Result
	// flights are a SharedCache batch's flights, kept when no other
	// domain saw any of them (the usual batch: a domain's own names),
	// zero values; nil when they went with the domains waiting on them.
	// A batch's flights were a fifth of the caches' allocated bytes.
	flights []sharedFlight
}

// maxScratch: a scratch grown past this many questions is let go;
// maxScratchFlights: the flights kept with a scratch at most.
const (
	maxScratch        = 256
	maxScratchFlights = 64
)

var scratches = newFreeList(64, func() *batchScratch { return new(batchScratch) })

// getScratch returns a scratch for n questions: n keys, and room for n in
// the rest.
func getScratch(n int) *batchScratch {
	s := scratches.Get()
	s.keys = slices.Grow(s.keys[:0], n)[:n]
	s.ents = slices.Grow(s.ents[:0], n)
	s.fls = slices.Grow(s.fls[:0], n)
	s.ask.qs = slices.Grow(s.ask.qs[:0], n)
	s.ask.idx = slices.Grow(s.ask.idx[:0], n)
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
	s.got = s.got[:0]
	if cap(s.keys) <= maxScratch {
		scratches.Put(s)
	}
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

// sendScratch is send with the results that do not go into out itself in
// s.got.
func (b *batchAsk) sendScratch(ctx context.Context, r Resolver, out []Result, s *batchScratch) []Result {
	got := out
	if len(b.idx) != len(out) {
		s.got = slices.Grow(s.got[:0], len(b.idx))[:len(b.idx)]
		got = s.got
	}
	lookupCanonicalInto(ctx, r, b.qs, got)
	return got
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
	var out []TXT
	for _, rr := range ans.RRs {
		if t, ok := rr.(*dns.TXT); ok {
			out = append(out, TXTOf(t.Txt))
		}
	}
	return out
}

// LookupBatch implements BatchResolver: the questions answered or being
// asked are taken from the entries as Lookup would; the rest go upstream
// together.
func (c *Cache) LookupBatch(ctx context.Context, qs []Question, out []Result) {
	c.lookups.Add(int64(len(qs)))
	type wait struct {
		i int
		e *cacheEntry
	}
	var waits []wait
	// Sized once (most questions of a batch are new: a domain's own
	// names) and reused.
	sc := getScratch(len(qs))
	mine := sc.ents // entries this batch asks, by question
	defer func() {
		sc.ents = mine // cleared with the rest
		putScratch(sc)
	}()
	ask := &sc.ask
	keys := sc.keys
	c.mu.Lock()
	for i, q := range qs {
		keys[i] = cacheKey(q.Name, q.Type)
		e, ok := c.entries[keys[i]]
		switch {
		case ok && e.ready:
			out[i] = Result{e.ans, e.err}
		case ok:
			if e.done == nil {
				e.done = make(chan struct{})
			}
			waits = append(waits, wait{i, e})
		default:
			e = c.newEntryLocked()
			c.entries[keys[i]] = e
			mine = append(mine, e)
			ask.add(i, keys[i])
		}
	}
	c.mu.Unlock()

	if len(ask.qs) > 0 {
		c.misses.Add(int64(len(ask.qs)))
		got := ask.sendScratch(ctx, c.upstream, out, sc)
		abandoned := ctx.Err() != nil
		c.mu.Lock()
		for j, e := range mine {
			e.ans, e.err, e.abandoned = got[j].Answer, got[j].Err, abandoned
			i := ask.idx[j]
			if keepable(ctx, e.err) {
				e.ready = true
			} else {
				delete(c.entries, keys[i])
			}
			if e.done != nil {
				close(e.done)
			}
			out[i] = got[j]
		}
		c.mu.Unlock()
	}

	var retry []int
	for _, w := range waits {
		select {
		case <-w.e.done:
			if w.e.abandoned && w.e.err != nil && ctx.Err() == nil {
				retry = append(retry, w.i) // the asking caller gave up; we did not
				continue
			}
			out[w.i] = Result{w.e.ans, w.e.err}
		case <-ctx.Done():
			out[w.i] = Result{Answer{Name: keys[w.i].name, Type: qs[w.i].Type}, ctxError(keys[w.i], ctx.Err())}
		}
	}
	askAgain(ctx, c.upstream, keys, retry, out)
}

// LookupBatch implements BatchResolver under the rules of Lookup: kept
// answers and flights that other domains lead are used, the rest go
// upstream together.
func (c *SharedCache) LookupBatch(ctx context.Context, qs []Question, out []Result) {
	c.lookupBatch(ctx, qs, out, false)
}

func (c *SharedCache) lookupBatchCanonical(ctx context.Context, qs []Question, out []Result) {
	c.lookupBatch(ctx, qs, out, true)
}

// lookupBatch is LookupBatch; canonical says the names are already.
func (c *SharedCache) lookupBatch(ctx context.Context, qs []Question, out []Result, canonical bool) {
	type wait struct {
		i  int
		fl *sharedFlight
	}
	var waits []wait
	sc := getScratch(len(qs))
	mine := sc.fls
	defer func() {
		sc.fls = mine // cleared with the rest
		putScratch(sc)
	}()
	// The flights of the questions asked, all at once: the scratch's
	// (kept by the last batch whose flights nobody else saw) or new.
	flights := sc.flights
	sc.flights = nil
	ask := &sc.ask
	keys := sc.keys
	for i, q := range qs {
		if canonical {
			keys[i] = qkey{name: q.Name, qtype: q.Type}
		} else {
			keys[i] = cacheKey(q.Name, q.Type)
		}
	}
	c.mu.Lock()
	for i := range qs {
		if v, ok := c.getLocked(keys[i]); ok {
			c.hits.Add(1)
			out[i] = Result{Answer: v.ans}
			continue
		}
		if fl, ok := c.calls[keys[i]]; ok {
			fl.shared = true
			if fl.done == nil {
				fl.done = make(chan struct{})
			}
			c.hits.Add(1)
			waits = append(waits, wait{i, fl})
			continue
		}
		if cap(flights) < len(qs) {
			flights = make([]sharedFlight, 0, len(qs))
		}
		flights = append(flights, sharedFlight{})
		fl := &flights[len(flights)-1]
		fl.seenBefore = c.wantedLocked(keys[i])
		c.calls[keys[i]] = fl
		mine = append(mine, fl)
		ask.add(i, keys[i])
	}
	c.mu.Unlock()

	if len(ask.qs) > 0 {
		c.misses.Add(int64(len(ask.qs)))
		got := ask.sendScratch(ctx, c.upstream, out, sc)
		abandoned := ctx.Err() != nil
		alone := true // nobody else saw these flights
		c.mu.Lock()
		for j, fl := range mine {
			i := ask.idx[j]
			delete(c.calls, keys[i])
			if got[j].Err == nil && (fl.seenBefore || fl.shared) {
				if v := (sharedValue{ans: got[j].Answer, ttl: answerTTL(got[j].Answer, c.maxTTL)}); v.ttl > 0 {
					c.putLocked(keys[i], &v)
				}
			}
			if fl.done != nil {
				// Read by the waiters once done is closed.
				fl.val.ans, fl.err, fl.abandoned = got[j].Answer, got[j].Err, abandoned
				close(fl.done)
				alone = false
			}
			out[i] = got[j]
		}
		c.mu.Unlock()
		if alone && cap(flights) <= maxScratchFlights {
			// Out of calls, and nobody waited: nobody can hold one now
			// (kept answers are copies). Reused by the next batch.
			clear(flights)
			sc.flights = flights[:0]
		}
	} else {
		sc.flights = flights // not handed out
	}

	var retry []int
	for _, w := range waits {
		select {
		case <-w.fl.done:
			if w.fl.abandoned && w.fl.err != nil && ctx.Err() == nil {
				retry = append(retry, w.i)
				continue
			}
			out[w.i] = Result{w.fl.val.ans, w.fl.err}
		case <-ctx.Done():
			out[w.i] = Result{Err: ctxError(keys[w.i], ctx.Err())}
		}
	}
	// The domains that led these flights ran out of time; this one has
	// not: its own questions.
	c.misses.Add(int64(len(retry)))
	askAgain(ctx, c.upstream, keys, retry, out)
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
	c.lookupBatch(ctx, qs, out, false)
}

func (c *Client) lookupBatchCanonical(ctx context.Context, qs []Question, out []Result) {
	c.lookupBatch(ctx, qs, out, true)
}

// lookupBatch is LookupBatch; canonical says the names are already.
func (c *Client) lookupBatch(ctx context.Context, qs []Question, out []Result, canonical bool) {
	if c.opts.Rotate && len(c.servers) > 1 {
		// Each question would start at its own server.
		lookupEach(ctx, c, qs, out, 0)
		return
	}
	if most := min(maxBatch, cap(c.inFlight)); len(qs) > most {
		var wg sync.WaitGroup
		for lo := 0; lo < len(qs); lo += most {
			hi := min(lo+most, len(qs))
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.lookupBatch(ctx, qs[lo:hi], out[lo:hi], canonical)
			}()
		}
		wg.Wait()
		return
	}
	sc := clientScratches.Get()
	defer sc.put()
	wires := slices.Grow(sc.wires[:0], len(qs))
	idx := slices.Grow(sc.idx[:0], len(qs))
	// Every datagram in one buffer, sized for all (a name's wire form is
	// its length plus one; Canonical adds a dot at most).
	size := 0
	for _, q := range qs {
		size += 12 + len(q.Name) + 2 + 4 + 11
	}
	buf := slices.Grow(sc.buf[:0], size)
	defer func() { sc.wires, sc.idx, sc.buf = wires, idx, buf }()
	for i, q := range qs {
		qname := q.Name
		if !canonical {
			qname = Canonical(q.Name)
		}
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
		idx = append(idx, i)
	}

	var firsts []udpReply
	if n := len(wires); n > 0 {
		// The in-flight bound, one place per datagram, taken by one
		// batch at a time: two batches each holding part of what they
		// need could otherwise wait for each other forever.
		taken := 0
		var err error
		c.batchMu.Lock()
		for ; taken < n; taken++ {
			if err = c.acquire(ctx); err != nil {
				break
			}
		}
		c.batchMu.Unlock()
		firsts = slices.Grow(sc.firsts[:0], n)[:n]
		sc.firsts = firsts
		if err != nil {
			for j := range firsts {
				firsts[j].err = err
			}
		} else {
			c.udp[0].exchangeBatch(ctx, wires, c.opts.Timeout, firsts)
		}
		for range taken {
			c.release()
		}
	}

	wg := &sc.wg
	later := func(run func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run()
		}()
	}
	j := 0
	for _, i := range idx {
		if i < 0 {
			i = -1 - i
			later(func() { out[i].Err = c.follow(ctx, &out[i].Answer, out[i].Answer.Name, nil) })
			continue
		}
		first := &firsts[j]
		j++
		if mayNeedNetwork(first, len(c.servers)) {
			later(func() { out[i].Err = c.follow(ctx, &out[i].Answer, out[i].Answer.Name, first) })
			continue
		}
		// A final reply: read here, with no goroutine, unless it is an
		// alias whose target must be asked.
		ans := &out[i].Answer
		msg, size, err := c.exchange(ctx, ans.Name, ans.Type, first)
		if err != nil {
			out[i].Err = c.failed(ans, err)
			continue
		}
		next, done, err := c.absorb(ans, msg, size, ans.Name)
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
	idx    []int
	buf    []byte
	firsts []udpReply
	wg     sync.WaitGroup
}

var clientScratches = newFreeList(64, func() *clientScratch { return new(clientScratch) })

func (s *clientScratch) put() {
	clear(s.wires)
	clear(s.firsts) // the replies, for the collector
	s.wires, s.idx, s.buf, s.firsts = s.wires[:0], s.idx[:0], s.buf[:0], s.firsts[:0]
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
