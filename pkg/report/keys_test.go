package report

import (
	"fmt"
	"sync"
	"testing"
)

// Keys joins as + does, from any number of goroutines, and never
// remembers more than its bound.
func TestKeys(t *testing.T) {
	m := NewKeys("x.")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2 * maxKeys {
				name := fmt.Sprint(i % (maxKeys + 50))
				if got := m.Key(name); got != "x."+name {
					t.Errorf("goroutine %d: Key(%q) = %q", g, name, got)
				}
			}
		})
	}
	wg.Wait()
	if n := m.n.Load(); n > maxKeys {
		t.Errorf("%d names remembered, more than %d", n, maxKeys)
	}

	one := NewKeys("y.")
	for i := range maxKeys + 50 {
		one.Key(fmt.Sprint(i))
	}
	stored := 0
	one.keys.Range(func(_, _ any) bool { stored++; return true })
	if n := one.n.Load(); n != maxKeys || stored != maxKeys {
		t.Errorf("%d names counted, %d stored, want %d", n, stored, maxKeys)
	}
	if got := one.T("a", nil); got.Key != "y.a" {
		t.Errorf("T: key %q", got.Key)
	}
}
