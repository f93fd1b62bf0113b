package resolver

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// udpPool sends queries to one server over a few long-lived UDP sockets,
// each read by one goroutine that hands every reply to the query waiting
// for its ID. Opening a socket per query (what dns.Client does) cost more
// CPU than everything else in a bulk run: a socket, a connect, an epoll
// registration and a close for each of tens of thousands of questions.
//
// Spoofing resistance (RFC 5452 §9.2: unpredictable ID and source port):
// IDs are random and unique per socket, the sockets are connected (the
// kernel drops datagrams from any other address), the reply must repeat
// the question (checkReply), and each socket is replaced after
// maxSocketUses queries, so its source port changes often.
type udpPool struct {
	server   string
	slots    []udpSlot
	next     atomic.Uint32
	recvSlot int // the room each reply gets in a reader's buffers

	// Queries sent one at a time that arrive while another is being
	// sent go out together in the next sendmmsg: a domain's checks start
	// at once and each asks its first question right away, and a
	// datagram costs about half as much CPU in a batch as alone
	// (loopback, 2 cores: ~5 against ~10 µs).
	qmu     sync.Mutex
	queue   []queued
	qslot   *udpSlot // the slot of the queued queries, while one gathers
	qbuf    []byte   // the queued datagrams, copied
	qspare  []queued // the previous queue, for reuse
	qbspare []byte
}

// maxFlushRounds bounds the batches one query's caller sends for others.
const maxFlushRounds = 4

// queued is one datagram waiting for its batch.
type queued struct {
	sock  *udpSocket
	id    uint16
	ch    chan udpReply
	start int // of the datagram in qbuf
	end   int
}

// pendingQuery is a query waiting for its reply: where the reply goes, and
// the name asked (canonical, with its trailing dot), which the reply's
// question takes as its own string when it repeats it octet for octet
// (one allocation less per reply: see fastUnpack).
type pendingQuery struct {
	ch   chan udpReply // a query of its own (exchange)
	bw   *batchWaiter  // or query i of batch gen (exchangeBatch)
	i    int32
	gen  uint32
	name string
	id   uint16
	// deadline is when the query stops waiting for its reply (monoNow):
	// the socket's reader then hands it errAttemptTimeout (sweep).
	deadline int64
}

// pendingTable is a socket's pending queries by ID: an array indexed by
// the ID itself, where a map (a hash, a probe and a write per query, for
// picking a free ID, registering, delivering and forgetting) was 2 % of a
// bulk run's CPU. The array is 128 KiB without pointers (the collector
// does not scan it); the entries are as many as were ever pending at once
// (a freed entry is reused). A socket serves maxSocketUses queries, so
// tables are recycled (pendingTables), not made per socket.
type pendingTable struct {
	at   [1 << 16]uint16 // ID -> 1 + its entry's index in q; 0: free
	q    []pendingQuery
	free []uint16 // indices of q's unused entries
	n    int      // live entries
}

// pendingTables keeps the tables of closed sockets for the next ones (a
// free list: see replyChans).
var pendingTables = newFreeList(2*udpSockets, func() *pendingTable { return new(pendingTable) })

// putPendingTable keeps t, empty, for another socket.
func putPendingTable(t *pendingTable) {
	if t.n == 0 { // else the collector takes it
		pendingTables.Put(t)
	}
}

// get returns the pending query with id, or nil.
func (t *pendingTable) get(id uint16) *pendingQuery {
	if j := t.at[id]; j != 0 {
		return &t.q[j-1]
	}
	return nil
}

// add registers q, whose ID must be free. (Fewer than 1<<16 are pending:
// maxPendingPerSocket.)
func (t *pendingTable) add(q pendingQuery) {
	var j int
	if n := len(t.free); n > 0 {
		j = int(t.free[n-1])
		t.free = t.free[:n-1]
		t.q[j] = q
	} else {
		j = len(t.q)
		t.q = append(t.q, q)
	}
	t.at[q.id] = uint16(j + 1)
	t.n++
}

// remove drops the pending query with id, which must be there.
func (t *pendingTable) remove(id uint16) {
	j := t.at[id] - 1
	t.at[id] = 0
	t.q[j] = pendingQuery{} // no references kept
	t.free = append(t.free, j)
	t.n--
}

type udpSlot struct {
	pool *udpPool
	mu   sync.Mutex
	sock *udpSocket
}

const (
	udpSockets    = 4
	maxSocketUses = 2048
	// udpIdle is how long a socket with nothing pending is kept: long
	// enough to serve the next wave of a run, short enough that a finished
	// run leaves no reader goroutine behind for long.
	udpIdle = time.Second
	// maxPendingPerSocket keeps IDs easy to find (and unpredictable).
	maxPendingPerSocket = 8192
)

type udpSocket struct {
	conn    *net.UDPConn
	batch   batchWriter // conn, for sendmmsg
	slot    *udpSlot
	mu      sync.Mutex
	pending *pendingTable
	uses    int
	retired bool // no new queries; closed once nothing is pending
	closed  bool
	// wake is the socket's read deadline (monoNow), never later than a
	// pending query's deadline nor than idleAt; idleAt is when the
	// reader next looks whether the socket is idle. Under mu.
	wake, idleAt int64
	expired      []pendingQuery // the reader's, for sweep
}

// monoEpoch and monoNow give deadlines as monotonic nanoseconds: an int64
// in each pending query, compared without a time.Time's wall clock.
var monoEpoch = time.Now()

func monoNow() int64 { return int64(time.Since(monoEpoch)) }

// setWakeLocked moves the socket's read deadline to t; k.mu is held (so
// that the reader and the queries registering never undo each other's).
func (k *udpSocket) setWakeLocked(t int64) {
	k.wake = t
	_ = k.conn.SetReadDeadline(monoEpoch.Add(time.Duration(t)))
}

func newUDPPool(server string, udpSize uint16) *udpPool {
	p := &udpPool{server: server, slots: make([]udpSlot, udpSockets), recvSlot: recvSlot(udpSize)}
	for i := range p.slots {
		p.slots[i].pool = p
	}
	return p
}

var errPoolBusy = errors.New("too many queries pending on one socket")

// udpReply is a reply as the reader parsed it, or why it could not.
//
// The reader, one long-lived goroutine per socket, parses: its stack has
// grown once to what parsing a reply needs, whereas the many short-lived
// goroutines that checks start per question each grew their own, and that
// stack copying was 15% of a bulk run's CPU. It also saves copying each
// datagram out of the read buffer (unpackReply copies what it keeps).
type udpReply struct {
	msg *dns.Msg
	blk *replyBlock // msg's block, if it has one: see replyBlock.release
	err error
}

// errAttemptTimeout is an attempt that got no reply in time; a net.Error
// whose Timeout is true, so the query is sent again.
var errAttemptTimeout error = attemptTimeout{}

type attemptTimeout struct{}

func (attemptTimeout) Error() string   { return "no reply within the per-query timeout" }
func (attemptTimeout) Timeout() bool   { return true }
func (attemptTimeout) Temporary() bool { return true }

// replyChans are reused across queries: an allocation less per query. A
// bounded free list, not a sync.Pool: a bulk run collects garbage every
// few dozen milliseconds and each collection emptied the pool, so that one
// query in two made its channel anew.
var replyChans = newFreeList(2*DefaultMaxInFlight, func() chan udpReply { return make(chan udpReply, 1) })

// freeList keeps up to a fixed number of things for reuse.
type freeList[T any] struct {
	free  chan T
	fresh func() T
}

func newFreeList[T any](n int, fresh func() T) *freeList[T] {
	return &freeList[T]{free: make(chan T, n), fresh: fresh}
}

// Get returns a kept thing, or a new one.
func (l *freeList[T]) Get() T {
	select {
	case x := <-l.free:
		return x
	default:
		return l.fresh()
	}
}

// Put keeps x unless enough are kept.
func (l *freeList[T]) Put(x T) {
	select {
	case l.free <- x:
	default:
	}
}

// exchange sends the query wire (packed by packQuery; its ID is replaced
// in place: one caller's attempts use it one after the other) and waits
// for the reply until timeout passes or ctx ends.
//
// The timeout is no timer of its own: the socket's reader hands the query
// errAttemptTimeout once its deadline passes (sweep), so the wait is one
// channel receive (and ctx). A timer per query, reset, stopped and waited
// on in a three-way select, was most of the single lookups' select cost.
//
// blk is the reply's block, for the caller to release once it is done
// with the message (see replyBlock.release), or nil.
func (p *udpPool) exchange(ctx context.Context, wire []byte, name string, timeout time.Duration) (msg *dns.Msg, blk *replyBlock, err error) {
	sock, id, ch, flush, err := p.enqueue(wire, name, monoNow()+int64(timeout))
	if err != nil {
		return nil, nil, err
	}
	reuse := false
	defer func() {
		sock.forget(id, ch)
		if reuse {
			// Only after forget, which compares channels: once back in
			// the pool, ch may be another query's.
			replyChans.Put(ch)
		}
	}()
	if flush {
		p.flush()
	}
	var reply udpReply
	var ok bool
	if done := ctx.Done(); done == nil {
		reply, ok = <-ch
	} else {
		select {
		case reply, ok = <-ch:
		case <-done:
			return nil, nil, ctx.Err()
		}
	}
	if !ok {
		return nil, nil, errSocketClosed
	}
	// Whoever sent (the reader with the reply or the timeout, a failed
	// send) took the ID out of pending first, so nothing else will send
	// on ch: it can serve another query. (A channel whose caller stopped
	// waiting is never reused: a reply could still be on its way.)
	reuse = true
	return reply.msg, reply.blk, reply.err
}

// enqueue registers a query and queues its datagram (copied: the caller's
// buffer may be reused before the batch goes). flush says the caller
// gathers this batch and must send it (flush); otherwise the caller that
// gathers it sends this datagram too, or delivers the write error on ch.
func (p *udpPool) enqueue(wire []byte, name string, deadline int64) (sock *udpSocket, id uint16, ch chan udpReply, flush bool, err error) {
	p.qmu.Lock()
	defer p.qmu.Unlock()
	slot := p.qslot
	if slot == nil {
		slot = &p.slots[(p.next.Add(1)-1)%uint32(len(p.slots))]
	}
	if sock, id, ch, err = slot.register(p.server, name, deadline); err != nil {
		return nil, 0, nil, false, err
	}
	start := len(p.qbuf)
	p.qbuf = append(p.qbuf, wire...)
	binary.BigEndian.PutUint16(p.qbuf[start:], id)
	p.queue = append(p.queue, queued{sock: sock, id: id, ch: ch, start: start, end: len(p.qbuf)})
	if p.qslot == nil {
		p.qslot = slot
		return sock, id, ch, true, nil
	}
	return sock, id, ch, false, nil
}

// flush sends what is queued, and goes on sending what others queue while
// it does, until the queue is empty: the queries asked during one
// sendmmsg go out in the next, and nobody waits for a batch to fill (an
// earlier version yielded first to let a batch gather: more per batch, but
// a yielded goroutine can wait behind every other ready one).
//
// A caller flushes a few rounds at most: with queries arriving all the
// time it would never get back to its own. Past that, a goroutine of its
// own takes over the gathering.
func (p *udpPool) flush() {
	for round := 0; ; round++ {
		p.qmu.Lock()
		queue, buf := p.queue, p.qbuf
		if len(queue) == 0 {
			p.qslot = nil // the next query gathers anew
			p.qmu.Unlock()
			return
		}
		if round == maxFlushRounds {
			p.qmu.Unlock()
			go p.flush()
			return
		}
		p.queue, p.qbuf = p.qspare[:0], p.qbspare[:0]
		p.qspare, p.qbspare = nil, nil // taken: two queues never share an array
		p.qmu.Unlock()

		for lo := 0; lo < len(queue); {
			// One sendmmsg per socket (the slot's socket can be
			// renewed while a batch gathers).
			hi := lo + 1
			for hi < len(queue) && queue[hi].sock == queue[lo].sock {
				hi++
			}
			d := datagramBatches.Get().(*datagrams)
			for _, q := range queue[lo:hi] {
				d.wires = append(d.wires, buf[q.start:q.end])
			}
			err := queue[lo].sock.send(d)
			d.reset()
			datagramBatches.Put(d)
			if err != nil {
				for _, q := range queue[lo:hi] {
					q.sock.fail(q.id, q.ch, err)
				}
			}
			lo = hi
		}

		clear(queue) // no references kept to sockets and channels
		p.qmu.Lock()
		p.qspare, p.qbspare = queue[:0], buf[:0]
		p.qmu.Unlock()
	}
}

// fail hands err to the query with id, unless it has its reply already
// or stopped waiting.
func (k *udpSocket) fail(id uint16, ch chan udpReply, err error) {
	k.mu.Lock()
	mine := false
	if k.pending != nil {
		q := k.pending.get(id)
		mine = q != nil && q.ch == ch
	}
	if mine {
		k.pending.remove(id)
	}
	k.mu.Unlock()
	if mine {
		ch <- udpReply{err: err} // buffered, and nothing else sends once the ID is gone
	}
}

// register picks a free random ID on the slot's current socket, opening or
// renewing the socket as needed.
func (s *udpSlot) register(server, name string, deadline int64) (*udpSocket, uint16, chan udpReply, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sock, err := s.socketLocked(server, 1)
	if err != nil {
		return nil, 0, nil, err
	}
	defer sock.mu.Unlock()
	ch := replyChans.Get()
	id := sock.freeIDLocked()
	sock.pending.add(pendingQuery{ch: ch, name: name, id: id, deadline: deadline})
	sock.uses++
	if deadline < sock.wake {
		sock.setWakeLocked(deadline)
	}
	return sock, id, ch, nil
}

// registerBatch registers the queries of w's batch, asking names, on one
// socket, waiting until deadline: query i gets the ID w.ids[i].
func (s *udpSlot) registerBatch(server string, names []string, w *batchWaiter, deadline int64) (*udpSocket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sock, err := s.socketLocked(server, len(names))
	if err != nil {
		return nil, err
	}
	defer sock.mu.Unlock()
	w.ids = slices.Grow(w.ids[:0], len(names))[:len(names)]
	for i, name := range names {
		id := sock.freeIDLocked()
		sock.pending.add(pendingQuery{bw: w, i: int32(i), gen: w.gen, name: name, id: id, deadline: deadline})
		w.ids[i] = id
	}
	sock.uses += len(names)
	if deadline < sock.wake {
		sock.setWakeLocked(deadline)
	}
	return sock, nil
}

// socketLocked returns the slot's socket, opened or renewed as needed,
// with its lock held and room for n more pending queries. s.mu is held.
func (s *udpSlot) socketLocked(server string, n int) (*udpSocket, error) {
	if s.sock != nil && s.sock.uses >= maxSocketUses {
		s.sock.retire()
		s.sock = nil
	}
	if s.sock == nil {
		raddr, err := net.ResolveUDPAddr("udp", server)
		if err != nil {
			return nil, err
		}
		conn, err := net.DialUDP("udp", nil, raddr)
		if err != nil {
			return nil, err
		}
		_ = conn.SetReadBuffer(4 << 20) // bursts of replies; the kernel caps it
		k := &udpSocket{conn: conn, batch: newBatchWriter(conn, raddr), slot: s, pending: pendingTables.Get()}
		k.idleAt = monoNow() + int64(udpIdle)
		k.setWakeLocked(k.idleAt) // before any query lowers it
		s.sock = k
		go k.read()
	}
	sock := s.sock
	sock.mu.Lock()
	if sock.pending.n+n > maxPendingPerSocket {
		sock.mu.Unlock()
		return nil, errPoolBusy
	}
	return sock, nil
}

// freeIDLocked picks a random ID no pending query has; k.mu is held.
func (k *udpSocket) freeIDLocked() uint16 {
	for {
		// math/rand/v2's generator is ChaCha8, seeded from the OS per
		// thread: unpredictable, without crypto/rand's cost per call.
		id := uint16(rand.Uint32())
		if k.pending.at[id] == 0 {
			return id
		}
	}
}

// batchWaiter is where the reader puts the replies of one batch, and how
// it tells the batch's goroutine that the last one is in: one wake-up per
// batch, where a channel per query made the goroutine wait (select, park,
// wake) for one reply after another. Kept with the client's scratch, it
// serves one batch after another; gen tells them apart, so that a late
// reply to an earlier batch is dropped.
type batchWaiter struct {
	mu        sync.Mutex
	gen       uint32
	out       []udpReply // the batch's replies, by query
	remaining int        // queries without their reply yet
	closed    bool       // the batch stopped waiting: no more replies go in
	done      chan struct{}
	ids       []uint16 // the queries' IDs
}

// open readies w for a batch of len(out) queries.
func (w *batchWaiter) open(out []udpReply) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done == nil {
		w.done = make(chan struct{}, 1)
	}
	w.gen++
	w.out, w.remaining, w.closed = out, len(out), false
}

// put hands reply to query i of batch gen, unless that batch is over.
func (w *batchWaiter) put(gen uint32, i int32, reply udpReply) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || w.gen != gen {
		reply.blk.release() // nobody will read it
		return
	}
	w.out[i] = reply
	if w.remaining--; w.remaining == 0 {
		w.done <- struct{}{} // buffered, one per batch: never blocks
	}
}

// close ends the batch: replies coming later are dropped. What came is in
// w.out.
func (w *batchWaiter) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	w.out = nil
	select {
	case <-w.done: // the last reply came as the batch stopped waiting
	default:
	}
}

// errSocketClosed is the reply to a query whose socket broke or closed.
var errSocketClosed = errors.New("socket closed before the reply")

// exchangeBatch is exchange for many queries at once: one socket, one
// sendmmsg for all (a write per query was the largest single cost of a bulk
// run), no timer (the reader sweeps the deadlines), one goroutine waiting,
// woken once (batchWaiter). out[i], of zero values when called, becomes
// what exchange would have returned for wires[i], asking names[i]. w is
// the caller's, for this batch alone.
func (p *udpPool) exchangeBatch(ctx context.Context, wires [][]byte, names []string, timeout time.Duration, out []udpReply, w *batchWaiter) {
	slot := &p.slots[(p.next.Add(1)-1)%uint32(len(p.slots))]
	w.open(out)
	sock, err := slot.registerBatch(p.server, names, w, monoNow()+int64(timeout))
	if err != nil {
		w.close()
		for i := range out {
			out[i].err = err
		}
		return
	}
	defer sock.forgetBatch(w) // once closed: see forgetBatch
	for i, wire := range wires {
		binary.BigEndian.PutUint16(wire, w.ids[i])
	}
	if err := sock.writeBatch(wires); err != nil {
		w.close()
		for i := range out {
			out[i] = udpReply{err: err}
		}
		return
	}
	// Every query ends with its reply, its timeout (sweep) or its
	// socket's closing: done comes, unless ctx ends first.
	var expired error // the replies not in by then get it
	if !await(ctx, w.done) {
		expired = ctx.Err()
	}
	w.close()
	if expired != nil {
		for i := range out {
			if out[i].msg == nil && out[i].err == nil {
				out[i].err = expired
			}
		}
	}
}

// forgetBatch drops the IDs of w's batch that no reply took, once the
// batch is closed (w.gen is then still the batch's: the next batch opens
// w only after this returns).
func (k *udpSocket) forgetBatch(w *batchWaiter) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.pending == nil {
		return // closed, its reader gone: nothing pending
	}
	for _, id := range w.ids {
		if q := k.pending.get(id); q != nil && q.bw == w && q.gen == w.gen {
			k.pending.remove(id)
		}
	}
	k.closeIfDoneLocked()
}

// datagrams is a batch of datagrams to send, kept for reuse: its slices
// (a message and a one-buffer list per datagram) were allocated for every
// batch.
type datagrams struct {
	wires [][]byte
	msgs  []ipv4.Message
}

var datagramBatches = sync.Pool{New: func() any { return new(datagrams) }}

func (d *datagrams) reset() {
	clear(d.wires) // no reference kept to the datagrams
	clear(d.msgs)
	d.wires, d.msgs = d.wires[:0], d.msgs[:0]
}

// writeBatch sends every datagram, in as few system calls as the kernel
// takes them.
func (k *udpSocket) writeBatch(wires [][]byte) error {
	d := datagramBatches.Get().(*datagrams)
	defer func() {
		d.reset()
		datagramBatches.Put(d)
	}()
	d.wires = append(d.wires, wires...)
	return k.send(d)
}

// send sends d's datagrams, in as few system calls as the kernel takes
// them.
func (k *udpSocket) send(d *datagrams) error {
	d.msgs = slices.Grow(d.msgs[:0], len(d.wires))[:len(d.wires)]
	for i := range d.wires {
		d.msgs[i] = ipv4.Message{Buffers: d.wires[i : i+1 : i+1]}
	}
	msgs := d.msgs
	for len(msgs) > 0 {
		n, err := k.batch.WriteBatch(msgs, 0)
		if err != nil {
			return err
		}
		if n == 0 {
			return errors.New("sendmmsg sent nothing")
		}
		msgs = msgs[n:]
	}
	return nil
}

// batchWriter is ipv4.PacketConn or ipv6.PacketConn: sendmmsg on Linux,
// one write per message elsewhere. (ipv4.Message and ipv6.Message are the
// same type.)
type batchWriter interface {
	WriteBatch(ms []ipv4.Message, flags int) (int, error)
}

func newBatchWriter(conn *net.UDPConn, raddr *net.UDPAddr) batchWriter {
	if raddr.IP.To4() != nil {
		return ipv4.NewPacketConn(conn)
	}
	return ipv6.NewPacketConn(conn)
}

// retire stops new queries on the socket; it closes once the pending ones
// are done. The slot's lock is held.
func (k *udpSocket) retire() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.retired = true
	k.closeIfDoneLocked()
}

func (k *udpSocket) closeIfDoneLocked() {
	if k.retired && (k.pending == nil || k.pending.n == 0) && !k.closed {
		k.closed = true
		k.conn.Close()
	}
}

// forget drops a query's ID once its caller stopped waiting, unless the ID
// already went to the next query (the reader deletes an ID as it delivers).
func (k *udpSocket) forget(id uint16, ch chan udpReply) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.pending == nil {
		return // closed, its reader gone: nothing pending
	}
	if q := k.pending.get(id); q != nil && q.ch == ch {
		k.pending.remove(id)
	}
	k.closeIfDoneLocked()
}

// recvSlot is the room a reader gives each datagram: the advertised EDNS0
// payload size (RFC 6891 §6.2.5), with room to spare for servers that
// ignore it but stay under 4 KiB. A longer datagram goes to TCP (see
// recvBufs). Eight 64 KiB slots per socket, a reader's share of the 40
// MiB a bulk run is given, made the collector run a quarter more often.
func recvSlot(udpSize uint16) int { return max(int(udpSize), 4096) }

// recvFree recycles readers' buffers of the default slot: a socket is
// renewed every maxSocketUses queries. (Not a sync.Pool: a collection
// empties it, and a bulk run collects every few dozen milliseconds.)
var recvFree = make(chan *recvBufs, 2*udpSockets)

func getRecvBufs(slot int) *recvBufs {
	if slot == recvSlot(DefaultUDPSize) {
		select {
		case b := <-recvFree:
			return b
		default:
		}
	}
	return newRecvBufs(slot)
}

func putRecvBufs(b *recvBufs) {
	b.release()
	if b.slot != recvSlot(DefaultUDPSize) {
		return
	}
	select {
	case recvFree <- b:
	default: // enough kept; the collector takes this one
	}
}

// read hands each datagram to the query with its ID; it ends when the
// socket closes, or when it was idle with nothing pending. It reads as
// many datagrams per system call as have arrived (recvmmsg on Linux).
func (k *udpSocket) read() {
	rb := getRecvBufs(k.slot.pool.recvSlot)
	defer putRecvBufs(rb)
	defer k.dropTable()
	for {
		got, err := rb.read(k.conn)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && k.sweep() {
				continue
			}
			k.shutdown()
			return
		}
		for i := range got {
			k.deliver(rb.bufs[i][:rb.n[i]], rb.trunc[i])
		}
	}
}

// deliver parses one datagram for the query waiting for its ID, if any. A
// datagram cut short (longer than the reader's room for it) is delivered
// as a truncated reply: the query is asked again over TCP.
func (k *udpSocket) deliver(dgram []byte, cut bool) {
	if len(dgram) < 12 { // shorter than a DNS header: noise
		return
	}
	id := binary.BigEndian.Uint16(dgram[:2])
	k.mu.Lock()
	var q pendingQuery
	if p := k.pending.get(id); p != nil {
		q = *p
		k.pending.remove(id)
	}
	k.mu.Unlock()
	if q.ch == nil && q.bw == nil {
		return
	}
	var reply udpReply
	if cut {
		msg := new(dns.Msg)
		msg.Id, msg.Response, msg.Truncated = id, true, true
		reply.msg = msg
	} else {
		reply.msg, reply.blk, reply.err = unpackReplyTo(dgram, q.name)
	}
	if q.bw != nil {
		q.bw.put(q.gen, q.i, reply)
		return
	}
	q.ch <- reply // buffered: never blocks
}

// sweep runs when the read deadline passes: it hands errAttemptTimeout to
// the queries past their deadline, retires the socket if it is idle (and
// reports false), and sets the next deadline: the earliest pending one, or
// idleAt. The deadline is thus moved about once per udpIdle under load,
// not per datagram (which reprogrammed a runtime timer per reply), nor per
// query; the socket is found idle after udpIdle to 2*udpIdle of silence.
func (k *udpSocket) sweep() (alive bool) {
	now := monoNow()
	k.mu.Lock()
	t := k.pending
	expired := k.expired[:0]
	next := int64(1<<63 - 1)
	for j := range t.q {
		q := &t.q[j]
		switch {
		case q.ch == nil && q.bw == nil: // free
		case q.deadline <= now:
			expired = append(expired, *q)
			t.remove(q.id)
		default:
			next = min(next, q.deadline)
		}
	}
	idle := now >= k.idleAt && t.n == 0
	if !idle {
		if now >= k.idleAt {
			k.idleAt = now + int64(udpIdle)
		}
		k.setWakeLocked(min(next, k.idleAt))
	}
	k.closeIfDoneLocked() // retired, and the last queries expired
	k.mu.Unlock()
	for _, q := range expired {
		reply := udpReply{err: errAttemptTimeout}
		if q.bw != nil {
			q.bw.put(q.gen, q.i, reply)
		} else {
			q.ch <- reply // buffered, and nothing else sends once the ID is gone
		}
	}
	clear(expired) // no references kept
	k.expired = expired[:0]
	// Not idle after all (a query came since): the read deadline has
	// passed, so the next read sweeps again at once and sets it anew.
	return !idle || !k.idle()
}

// dropTable gives the pending table back once the reader ends: the socket
// is closed, so nothing registers on it any more, and what was pending was
// failed (shutdown) or there was nothing (idle). Late forgets find no
// table and do nothing.
func (k *udpSocket) dropTable() {
	k.mu.Lock()
	t := k.pending
	k.pending = nil
	k.mu.Unlock()
	putPendingTable(t)
}

// idle retires an idle socket from its slot and reports whether it did.
func (k *udpSocket) idle() bool {
	k.slot.mu.Lock()
	defer k.slot.mu.Unlock()
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.pending.n > 0 {
		return false
	}
	if k.slot.sock == k {
		k.slot.sock = nil
	}
	k.retired = true
	k.closeIfDoneLocked()
	return true
}

// shutdown fails whatever is still pending (the socket broke or closed).
func (k *udpSocket) shutdown() {
	k.slot.mu.Lock()
	if k.slot.sock == k {
		k.slot.sock = nil
	}
	k.slot.mu.Unlock()
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, q := range k.pending.q {
		if q.ch == nil && q.bw == nil {
			continue // gone
		}
		k.pending.remove(q.id)
		if q.bw != nil {
			q.bw.put(q.gen, q.i, udpReply{err: errSocketClosed})
		} else {
			close(q.ch)
		}
	}
	k.retired = true
	if !k.closed {
		k.closed = true
		k.conn.Close()
	}
}
