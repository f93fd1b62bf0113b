package audit

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/testclock"
	"github.com/mailcheck/mailcheck/internal/workers"
	"github.com/mailcheck/mailcheck/pkg/check"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// Run leaves nothing running behind it: once it returns, the only
// goroutines beyond those before it are idle workers (internal/workers),
// which exit on their own. Counted exactly, so the resolver is the zone
// files (no sockets, no reader goroutines that come and go).
func TestRunLeavesNoGoroutines(t *testing.T) {
	zones, err := resolver.LoadZones(demoZone)
	if err != nil {
		t.Fatal(err)
	}
	d := dnsname.MustParse("shop.example")
	others := func() int { return runtime.NumGoroutine() - workers.Workers() }
	// A worker counts itself out just before its goroutine ends: wait for
	// the count to come down rather than read it once.
	settle := func(want int) int {
		deadline := time.Now().Add(3 * time.Second)
		n := others()
		for n > want && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
			n = others()
		}
		return n
	}
	before := others()
	for range 3 {
		env := check.Env{Resolver: resolver.NewCache(zones), Now: testclock.Func()}
		if rep := Run(context.Background(), env, d, Options{}); len(rep.Sections) == 0 {
			t.Fatal("no sections")
		}
	}
	// Other tests of the package leave servers whose goroutines may end
	// meanwhile: fewer is fine. Then no goroutine may be left in a check.
	if after := settle(before); after > before {
		t.Errorf("%d goroutines besides the workers before the runs, %d after", before, after)
	}
	buf := make([]byte, 1<<20)
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		inCheck := strings.Contains(g, "github.com/mailcheck/mailcheck/pkg/") && !strings.Contains(g, "resolver.(*udpSocket).read")
		if inCheck && !strings.Contains(g, "TestRunLeavesNoGoroutines") {
			t.Errorf("a goroutine left running in a check:\n%s", g)
		}
	}
}
