package report

import (
	"fmt"
	"sync"
	"testing"
)

// Keys joins as + does, from any number of goroutines, and stops
// remembering names past its bound.
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
	if n := m.n.Load(); n != maxKeys {
		t.Errorf("%d names remembered, want %d", n, maxKeys)
	}
	if got := m.T("a", nil); got.Key != "x.a" {
		t.Errorf("T: key %q", got.Key)
	}
}
