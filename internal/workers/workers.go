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
// IdleTimeout without work, so a finished run leaves none behind.
package workers

import (
	"sync"
	"sync/atomic"
	"time"
)

// MaxIdle bounds the workers kept waiting for work: enough for the
// concurrent domains of a bulk run, each with a few tasks in flight.
const MaxIdle = 512

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

var (
	handoff = make(chan task) // unbuffered: a send succeeds only to a waiting worker
	idle    atomic.Int32
	running atomic.Int32
)

// start runs t on an idle worker, or on a new goroutine.
func start(t task) {
	select {
	case handoff <- t:
	default:
		running.Add(1)
		go work(t)
	}
}

// work runs t, then waits for more until IdleTimeout passes without any,
// or MaxIdle others are already waiting.
func work(t task) {
	defer running.Add(-1)
	var timer *time.Timer
	for {
		t.run()
		if idle.Add(1) > MaxIdle {
			idle.Add(-1)
			return
		}
		wait := time.Duration(idleTimeout.Load())
		if timer == nil {
			timer = time.NewTimer(wait)
		} else {
			timer.Reset(wait)
		}
		select {
		case t = <-handoff:
			idle.Add(-1)
		case <-timer.C:
			idle.Add(-1)
			return
		}
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
