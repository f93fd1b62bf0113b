// Package workers runs the short concurrent tasks of the checks (a few
// lookups each, per domain) on long-lived goroutines rather than on a new
// goroutine per task.
//
// A new goroutine starts with a small stack and grows it by copying as soon
// as a task calls a few levels deep (a DNS lookup, a parser): in a bulk run
// that growth (runtime.newstack/copystack) cost more CPU than the checks
// themselves. A worker keeps its stack from task to task. Go hands a task
// to an idle worker when one is waiting and otherwise starts a new
// goroutine, which becomes a worker once its task is done: Go never blocks
// and never waits for another task, so tasks that start tasks and wait for
// them cannot deadlock. Idle workers are bounded (MaxIdle) and exit after
// IdleTimeout without work, so a finished run leaves none behind; the most
// recently idle is used first, so the pool follows the load.
package workers

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// MaxIdle bounds the workers kept waiting for work. Each keeps the stack
// its tasks grew, and stacks count against a run's memory limit: in the
// 1,000-domain bulk run (under internal/cli's soft memory limit, then 40 MiB) 512 idle
// workers meant 44 to 49 GC cycles against 35 to 42 without workers; 128
// keep the cycles there and still start only ~11 goroutines a domain
// instead of 63. Since then the checks start fewer tasks and the limit is
// 48 MiB: on NSD (benchdomain bulk -server nsd -delay 0, 3,000 domains)
// 128 idle workers still started 3.3 goroutines a domain, each growing
// its stack from 8 KiB again (newstack/copystack, 5 % of the CPU); 256
// start 1.6, with 23-24 GC cycles either way and the peak RSS of 1,000
// domains at 56-57 MiB either way.
const MaxIdle = 256

// IdleTimeout is how long a worker waits for a task before it exits.
const IdleTimeout = 2 * time.Second

// idleTimeout is IdleTimeout, shortened by the tests.
var idleTimeout atomic.Int64

func init() { idleTimeout.Store(int64(IdleTimeout)) }

type task struct {
	f  func()
	wg *sync.WaitGroup
	// sem, when set, is the Group's limit: released when f returns.
	sem chan struct{}
}

func (t task) run() {
	defer t.wg.Done()
	if t.sem != nil {
		defer func() { <-t.sem }()
	}
	t.f()
}

// worker is an idle worker's mailbox.
type worker struct {
	tasks chan task // capacity 1: a task handed over never blocks the sender
	since time.Time // when it last became idle (under mu)
}

var (
	mu sync.Mutex
	// idle is a stack: the worker idle the shortest time is handed the
	// next task, so the pool shrinks to what the load needs and the
	// workers beyond it reach their idle timeout. The bottom of the stack
	// has been idle the longest.
	idle    []*worker
	running atomic.Int32
	// sweeper ends the workers idle for IdleTimeout, oldest first: one
	// timer for the pool, armed while someone is idle (sweeping), instead
	// of a timer reset and a select at every idle wait. That timer and
	// select were a third of the bulk run's select cost (in process, NSD,
	// 6,000 domains: 2.3 % of all CPU in workers.work).
	sweeper  *time.Timer
	sweeping bool
)

// start runs t on an idle worker, or on a new goroutine.
func start(t task) {
	mu.Lock()
	if n := len(idle); n > 0 {
		w := idle[n-1]
		idle[n-1] = nil
		idle = idle[:n-1]
		mu.Unlock()
		w.tasks <- t
		return
	}
	mu.Unlock()
	running.Add(1)
	go work(t)
}

// work runs t, then waits for more until the sweeper ends it (IdleTimeout
// without a task), or ends at once when MaxIdle others are already waiting.
func work(t task) {
	defer running.Add(-1)
	w := &worker{tasks: make(chan task, 1)}
	for {
		t.run()
		mu.Lock()
		if len(idle) >= MaxIdle {
			mu.Unlock()
			return
		}
		w.since = time.Now()
		idle = append(idle, w)
		if !sweeping {
			sweeping = true
			wait := time.Duration(idleTimeout.Load())
			if sweeper == nil {
				sweeper = time.AfterFunc(wait, sweep)
			} else {
				sweeper.Reset(wait)
			}
		}
		mu.Unlock()
		if t = <-w.tasks; t.wg == nil {
			return // the sweeper's: idle too long
		}
	}
}

// sweep ends the workers idle for IdleTimeout or more, and sets the timer
// again for the next one to reach it while any is idle.
func sweep() {
	mu.Lock()
	defer mu.Unlock()
	wait := time.Duration(idleTimeout.Load())
	now := time.Now()
	n := 0
	for n < len(idle) && now.Sub(idle[n].since) >= wait {
		idle[n].tasks <- task{} // its mailbox is empty: it is idle
		n++
	}
	idle = slices.Delete(idle, 0, n)
	if len(idle) == 0 {
		sweeping = false
		return
	}
	sweeper.Reset(wait - now.Sub(idle[0].since))
}

// Workers reports the worker goroutines alive (running a task or idle).
func Workers() int { return int(running.Load()) }

// Group is a set of tasks to wait for, like errgroup.Group without errors:
// the checks' tasks record their outcome themselves. The zero Group has no
// limit.
type Group struct {
	wg  sync.WaitGroup
	sem chan struct{}
}

// SetLimit bounds the tasks of the group running at once (n <= 0: no
// bound). Call it before the first Go.
func (g *Group) SetLimit(n int) {
	if n <= 0 {
		g.sem = nil
		return
	}
	g.sem = make(chan struct{}, n)
}

// Go runs f on a worker. With a limit, it blocks until fewer than the
// limit of the group's tasks are running.
func (g *Group) Go(f func()) {
	if g.sem != nil {
		g.sem <- struct{}{}
	}
	g.wg.Add(1)
	start(task{f: f, wg: &g.wg, sem: g.sem})
}

// Wait waits for every task started with Go.
func (g *Group) Wait() { g.wg.Wait() }
