package bounce

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/conformance"
	"github.com/mailcheck/mailcheck/pkg/mailfile"
)

type expectation struct {
	file      string
	index     int
	status    string
	replyCode string
	reason    string
	hard      bool
}

func loadExpected(t *testing.T, dir string) []expectation {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "expected.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []expectation
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 6 {
			t.Fatalf("expected.tsv: bad line %q", line)
		}
		n, err := strconv.Atoi(c[1])
		if err != nil {
			t.Fatalf("expected.tsv: bad index in %q", line)
		}
		out = append(out, expectation{file: c[0], index: n, status: c[2], replyCode: c[3], reason: c[4], hard: c[5] == "hard"})
	}
	return out
}

// statusAgrees compares a status with Sisimai's. Codes x.0.9NN are
// Sisimai's own for bounces that carry no status (README of the corpus):
// there only the class is what the message supports.
func statusAgrees(got, want string) bool {
	if parts := strings.Split(want, "."); len(parts) == 3 && len(parts[2]) == 3 && parts[1] == "0" && parts[2][0] == '9' {
		return got != "" && got[0] == want[0]
	}
	return got == want
}

type tally struct{ n, status, reason, hard int }

func (t tally) String() string {
	pct := func(k int) float64 { return 100 * float64(k) / float64(max(t.n, 1)) }
	return fmt.Sprintf("%d recipients: status %.1f%%, reason %.1f%%, hard/not-hard %.1f%%", t.n, pct(t.status), pct(t.reason), pct(t.hard))
}

func readHoldout(t *testing.T) map[string]bool {
	b, err := os.ReadFile("testdata/holdout.txt")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, l := range strings.Fields(string(b)) {
		m[l] = true
	}
	return m
}

// Floors for TestCorpusAgreement: what this package reached on the corpus
// (all 305 recipients). A change that lowers agreement fails the test.
const (
	floorStatus = 0.983
	floorReason = 0.865
	floorHard   = 0.927
)

// TestCorpusAgreement runs every message of the bounce corpus and compares
// each recipient with Sisimai's verdict. BOUNCE_DEBUG=1 lists the
// disagreements; deviations.tsv lists the ones where the message supports
// our reading.
func TestCorpusAgreement(t *testing.T) {
	dir := conformance.Path(t, "bounce")
	exp := loadExpected(t, dir)
	hold := readHoldout(t)
	dev := loadDeviations(t)
	cache := map[string]*Result{}
	var all, devSet, holdSet tally
	var misses []string
	deviations := 0
	for _, e := range exp {
		res, ok := cache[e.file]
		if !ok {
			res = analyzeFile(t, filepath.Join(dir, "messages", e.file))
			cache[e.file] = res
		}
		var got Recipient
		if e.index-1 < len(res.Recipients) {
			got = res.Recipients[e.index-1]
		}
		s, r, h := statusAgrees(got.Status, e.status), got.Reason == e.reason, (got.Bounce == Hard) == e.hard
		for _, tl := range []*tally{&all, map[bool]*tally{true: &holdSet, false: &devSet}[hold[e.file]]} {
			tl.n++
			if s {
				tl.status++
			}
			if r {
				tl.reason++
			}
			if h {
				tl.hard++
			}
		}
		key := fmt.Sprintf("%s\t%d", e.file, e.index)
		if d, ok := dev[key]; ok {
			// A listed deviation must still hold: we disagree, with the
			// value the list gives.
			ours := map[string]string{"reason": got.Reason, "status": got.Status}[d.field]
			want := map[string]string{"reason": e.reason, "status": e.status}[d.field]
			if ours != d.ours || ours == want {
				t.Errorf("deviations.tsv %s: %s is now %q (list says %q, Sisimai %q): update the list", key, d.field, ours, d.ours, want)
			}
			deviations++
		}
		if (!s || !r) && os.Getenv("BOUNCE_DEBUG") != "" && (os.Getenv("BOUNCE_DEBUG") == "all" || !hold[e.file]) {
			misses = append(misses, fmt.Sprintf("%s\twant %s/%s/%s got %s/%s/%s [%s] %s %q dev=%v", key, e.status, e.replyCode, e.reason,
				got.Status, got.ReplyCode, got.Reason, got.Command, got.Address, trunc(got.Diagnostic, 160), dev[key].why != ""))
		}
	}
	sort.Strings(misses)
	for _, m := range misses {
		t.Log(m)
	}
	t.Logf("all:      %v", all)
	t.Logf("dev:      %v", devSet)
	t.Logf("held-out: %v", holdSet)
	t.Logf("deviations kept on purpose (testdata/deviations.tsv): %d", deviations)
	check := func(name string, got int, floor float64) {
		if r := float64(got) / float64(all.n); r < floor {
			t.Errorf("%s agreement %.3f below the floor %.3f", name, r, floor)
		}
	}
	check("status", all.status, floorStatus)
	check("reason", all.reason, floorReason)
	check("hard/not-hard", all.hard, floorHard)
}

// analyzeFile reads a corpus file the way the command does (through
// pkg/mailfile: a file that starts with an mbox "From " line may hold
// several messages) and lists the recipients of all its messages in order.
func analyzeFile(t *testing.T, path string) *Result {
	t.Helper()
	all := &Result{Recipients: []Recipient{}}
	err := mailfile.Walk(context.Background(), []string{path}, nil, mailfile.Limits{}, func(it mailfile.Item) error {
		if it.Err != nil {
			return it.Err
		}
		all.Recipients = append(all.Recipients, Analyze(it.Data).Recipients...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// deviation is one entry of deviations.tsv.
type deviation struct{ field, ours, why string }

// loadDeviations reads deviations.tsv: file, recipient, field, our value,
// and why the message supports it.
func loadDeviations(t *testing.T) map[string]deviation {
	m := map[string]deviation{}
	b, err := os.ReadFile("testdata/deviations.tsv")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "#") || strings.TrimSpace(l) == "" {
			continue
		}
		c := strings.SplitN(l, "\t", 5)
		if len(c) < 5 || (c[2] != "reason" && c[2] != "status") || c[4] == "" {
			t.Fatalf("deviations.tsv: want file, recipient, reason|status, value, why: %q", l)
		}
		m[c[0]+"\t"+c[1]] = deviation{field: c[2], ours: c[3], why: c[4]}
	}
	return m
}
