package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"
)

// comparePairs runs two mailcheck binaries at the same time against the
// one DNS server, o.pairs times (the one started first alternates), and
// prints each one's CPU per domain and how often the second used less.
//
// On a shared machine the CPU a run takes swings by a third from one
// minute to the next, whatever the binary: runs in turn compare two
// moments as much as two binaries. Two runs at the same time share the
// moment (and the cores, the DNS server and the caches), so the
// difference between them is the binaries'. Each then has about half the
// cores, so the figures are higher than a run alone; compare them with
// each other, not with a lone run's.
func comparePairs(o bulkOptions, args []string, dir string, total int) error {
	if o.binary == "" {
		return fmt.Errorf("-against needs -mailcheck: the two binaries to compare")
	}
	bins := [2]string{o.binary, o.against}
	var cpu [2][]float64
	fmt.Printf("mailcheck domain --file (%d generated domains) --no-probe --format jsonl --concurrency %d, DNS delay %v: %d pairs at the same time\n",
		total, o.concurrency, o.delay, o.pairs)
	fmt.Printf("  %-4s %14s %14s\n", "pair", "A ms/domain", "B ms/domain")
	for p := range o.pairs {
		var wg sync.WaitGroup
		var errs [2]error
		for k := range 2 {
			j := k ^ p&1 // which binary starts first alternates
			wg.Add(1)
			go func() {
				defer wg.Done()
				var d time.Duration
				d, errs[j] = timedRun(bins[j], args, filepath.Join(dir, fmt.Sprintf("out-%c.jsonl", 'A'+j)))
				cpu[j] = append(cpu[j], d.Seconds()*1000/float64(total))
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		fmt.Printf("  %-4d %14.3f %14.3f\n", p+1, cpu[0][p], cpu[1][p])
	}
	lower := 0
	for p := range o.pairs {
		if cpu[1][p] < cpu[0][p] {
			lower++
		}
	}
	ma, mb := median(cpu[0]), median(cpu[1])
	fmt.Printf("  A %s: median %.3f ms per domain\n  B %s: median %.3f ms per domain (%+.1f %%), lower in %d of %d pairs\n",
		bins[0], ma, bins[1], mb, (mb/ma-1)*100, lower, o.pairs)
	return nil
}

// timedRun runs bin with args, its reports to out, and returns the CPU
// time it used (user and system).
func timedRun(bin string, args []string, out string) (time.Duration, error) {
	f, err := os.Create(out)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout = f
	err = cmd.Run()
	if cmd.ProcessState == nil {
		return 0, err
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 && code != 1 {
		return 0, fmt.Errorf("%s exited %d", bin, code)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, fmt.Errorf("no resource usage for %s", bin)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
