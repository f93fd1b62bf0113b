package dnsname

import (
	"fmt"
	"sync"
	"testing"
)

// The memo of OrganizationalPSL answers as the computation does, for more
// names than it has slots, asked at once from several goroutines.
func TestOrganizationalPSLMemo(t *testing.T) {
	names := []string{"example.com", "www.example.co.uk", "co.uk", "a.b.github.io", "shop.example", "com"}
	for i := range 3000 {
		names = append(names, fmt.Sprintf("d%04d.bench.example.org", i), fmt.Sprintf("x.d%04d.example.co.uk", i))
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, n := range names {
				d := MustParse(n)
				if got, want := OrganizationalPSL(d), organizationalPSL(d); got != want {
					t.Errorf("OrganizationalPSL(%s) = %s, want %s", n, got, want)
				}
			}
		})
	}
	wg.Wait()
}
