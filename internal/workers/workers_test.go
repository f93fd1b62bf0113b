package workers

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitGone waits until no worker is left, as a finished run must leave.
func waitGone(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for Workers() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d workers still alive after their idle timeout", Workers())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func shortIdle(t *testing.T) {
	old := idleTimeout.Load()
	idleTimeout.Store(int64(50 * time.Millisecond))
	t.Cleanup(func() { idleTimeout.Store(old) })
}

func TestGroupRunsEveryTaskAndWaits(t *testing.T) {
	shortIdle(t)
	var g Group
	var n atomic.Int32
	for range 100 {
		g.Go(func() { time.Sleep(time.Millisecond); n.Add(1) })
	}
	g.Wait()
	if n.Load() != 100 {
		t.Fatalf("ran %d of 100 tasks before Wait returned", n.Load())
	}
	waitGone(t)
}

// The point of the package: a second wave of tasks runs on the workers of
// the first, without starting goroutines.
func TestWorkersAreReused(t *testing.T) {
	shortIdle(t)
	waitGone(t)
	var g Group
	for range 8 {
		g.Go(func() { time.Sleep(5 * time.Millisecond) })
	}
	g.Wait()
	time.Sleep(5 * time.Millisecond) // let the workers reach their wait
	before := runtime.NumGoroutine()
	if Workers() != 8 {
		t.Fatalf("%d workers after 8 concurrent tasks, want 8", Workers())
	}
	for range 5 {
		var g Group
		for range 8 {
			g.Go(func() {})
		}
		g.Wait()
		time.Sleep(2 * time.Millisecond)
	}
	if Workers() > 8 {
		t.Errorf("%d workers after sequential waves of 8 tasks, want at most 8: idle workers were not reused", Workers())
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines went from %d to %d", before, after)
	}
	waitGone(t)
}

func TestLimit(t *testing.T) {
	shortIdle(t)
	var g Group
	g.SetLimit(3)
	var cur, peak atomic.Int32
	for range 30 {
		g.Go(func() {
			c := cur.Add(1)
			for {
				p := peak.Load()
				if c <= p || peak.CompareAndSwap(p, c) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			cur.Add(-1)
		})
	}
	g.Wait()
	if p := peak.Load(); p > 3 || p < 1 {
		t.Fatalf("peak concurrency %d with a limit of 3", p)
	}
	waitGone(t)
}

// Tasks that start tasks and wait for them (a check inside the audit's
// fan-out) never wait for a free worker: no deadlock however deep.
func TestNestedGroupsDoNotDeadlock(t *testing.T) {
	shortIdle(t)
	var leaves atomic.Int32
	var fan func(depth int)
	fan = func(depth int) {
		if depth == 0 {
			leaves.Add(1)
			return
		}
		var g Group
		for range 4 {
			g.Go(func() { fan(depth - 1) })
		}
		g.Wait()
	}
	done := make(chan struct{})
	go func() { fan(4); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("nested groups did not finish")
	}
	if leaves.Load() != 256 {
		t.Fatalf("%d leaves, want 256", leaves.Load())
	}
	waitGone(t)
}

func TestIdleBounded(t *testing.T) {
	shortIdle(t)
	var g Group
	release := make(chan struct{})
	for range MaxIdle + 50 {
		g.Go(func() { <-release })
	}
	close(release)
	g.Wait()
	time.Sleep(20 * time.Millisecond)
	if w := Workers(); w > MaxIdle {
		t.Fatalf("%d idle workers kept, at most %d", w, MaxIdle)
	}
	waitGone(t)
}

func BenchmarkGroup4(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var g Group
		for range 4 {
			g.Go(func() {})
		}
		g.Wait()
	}
}

// deep grows the stack of the goroutine it runs on, as a lookup and a
// parser do.
func deep(n int) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return deep(n-1) + int(pad[n%256])
}

// The comparison that matters: tasks that call deep enough to grow a
// fresh goroutine's stack.
func BenchmarkDeepTasks(b *testing.B) {
	b.Run("workers", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var g Group
			for range 4 {
				g.Go(func() { deep(40) })
			}
			g.Wait()
		}
	})
	b.Run("goroutines", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() { deep(40) })
			}
			wg.Wait()
		}
	})
}

// After a burst, a trickle of one task at a time keeps one worker busy and
// lets the others reach their idle timeout: the pool follows the load.
func TestPoolShrinksToTheLoad(t *testing.T) {
	shortIdle(t)
	waitGone(t)
	var g Group
	release := make(chan struct{})
	for range 50 {
		g.Go(func() { <-release })
	}
	close(release)
	g.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for Workers() > 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d workers after a long trickle of single tasks, want at most 2", Workers())
		}
		var g Group
		g.Go(func() {})
		g.Wait()
		time.Sleep(5 * time.Millisecond)
	}
	waitGone(t)
}
