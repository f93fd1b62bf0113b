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
}

var (
	mu sync.Mutex
	// idle is a stack: the worker idle the shortest time is handed the
	// next task, so the pool shrinks to what the load needs and the
	// workers beyond it reach their idle timeout.
	idle    []*worker
	running atomic.Int32
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

// work runs t, then waits for more until IdleTimeout passes without any,
// or MaxIdle others are already waiting.
func work(t task) {
	defer running.Add(-1)
	w := &worker{tasks: make(chan task, 1)}
	var timer *time.Timer
	for {
		t.run()
		mu.Lock()
		if len(idle) >= MaxIdle {
			mu.Unlock()
			return
		}
		idle = append(idle, w)
		mu.Unlock()
		wait := time.Duration(idleTimeout.Load())
		if timer == nil {
			timer = time.NewTimer(wait)
		} else {
			timer.Reset(wait)
		}
		select {
		case t = <-w.tasks:
			continue
		case <-timer.C:
		}
		mu.Lock()
		if i := slices.Index(idle, w); i >= 0 {
			idle = slices.Delete(idle, i, i+1)
			mu.Unlock()
			return
		}
		mu.Unlock()
		// Taken off the stack just before the timer fired: its task is
		// on the way.
		t = <-w.tasks
	}
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
