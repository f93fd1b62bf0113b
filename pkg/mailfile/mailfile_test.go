package mailfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type got struct {
	source string
	data   string
	err    error
}

func walk(t *testing.T, paths []string, stdin string, lim Limits) ([]got, error) {
	t.Helper()
	var out []got
	err := Walk(context.Background(), paths, strings.NewReader(stdin), lim, func(it Item) error {
		out = append(out, got{it.Source, string(it.Data), it.Err})
		return nil
	})
	return out, err
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const mbox = "From MAILER-DAEMON Mon Nov 30 10:00:00 2026\n" +
	"From: a@example.org\nSubject: one\n\nbody one\n>From the start\n>>From twice\n\n" +
	"From MAILER-DAEMON Mon Nov 30 10:01:00 2026\n" +
	"From: b@example.org\nSubject: two\n\nFrom here on, a line that is no separator\n\n" +
	"From MAILER-DAEMON Mon Nov 30 10:02:00 2026\n" +
	"From: c@example.org\nSubject: three\n\nlast\n"

func TestMboxSplit(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "box.mbox")
	write(t, p, mbox)
	items, err := walk(t, []string{p}, "", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []got{
		{p + ":1", "From: a@example.org\nSubject: one\n\nbody one\nFrom the start\n>From twice\n", nil},
		// An unquoted "From " body line after an empty line has no
		// timestamp: it stays in its message.
		{p + ":2", "From: b@example.org\nSubject: two\n\nFrom here on, a line that is no separator\n", nil},
		{p + ":3", "From: c@example.org\nSubject: three\n\nlast\n", nil},
	}
	if !slices.EqualFunc(items, want, func(a, b got) bool { return a.source == b.source && a.data == b.data && a.err == nil }) {
		t.Errorf("items\n got %+v\nwant %+v", items, want)
	}
}

func TestMboxCRLFAndTooLarge(t *testing.T) {
	big := strings.Repeat("x", 200) + "\r\n"
	in := "From a@b Mon Nov 30 10:00:00 2026\r\nSubject: small\r\n\r\nok\r\n\r\n" +
		"From a@b Mon Nov 30 10:00:01 2026\r\nSubject: big\r\n\r\n" + strings.Repeat(big, 10) + "\r\n" +
		"From a@b Mon Nov 30 10:00:02 2026\r\nSubject: after\r\n\r\nstill read\r\n"
	items, err := walk(t, []string{"-"}, in, Limits{MaxItemBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 {
		t.Fatalf("items %+v", items)
	}
	if items[0].source != "-:1" || items[0].data != "Subject: small\r\n\r\nok\r\n" {
		t.Errorf("first %+v", items[0])
	}
	if !errors.Is(items[1].err, ErrTooLarge) || items[1].data != "" {
		t.Errorf("second %+v, want ErrTooLarge", items[1])
	}
	if items[2].data != "Subject: after\r\n\r\nstill read\r\n" {
		t.Errorf("third %+v", items[2])
	}
}

func TestPlainFileAndBound(t *testing.T) {
	dir := t.TempDir()
	small, large := filepath.Join(dir, "a.eml"), filepath.Join(dir, "b.eml")
	write(t, small, "From: x@example.org\n\nhi\n")
	write(t, large, strings.Repeat("y", 101))
	items, err := walk(t, []string{small, large}, "", Limits{MaxItemBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].data != "From: x@example.org\n\nhi\n" || !errors.Is(items[1].err, ErrTooLarge) {
		t.Errorf("items %+v", items)
	}
}

func TestDirectory(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "b.eml"), "B")
	write(t, filepath.Join(dir, "a", "z.eml"), "AZ")
	write(t, filepath.Join(dir, ".hidden", "h.eml"), "H")
	write(t, filepath.Join(dir, ".DS_Store"), "junk")
	write(t, filepath.Join(dir, "c.mbox"), "From x Mon Nov 30 10:00:00 2026\nm1\n\nFrom x Mon Nov 30 10:00:00 2026\nm2\n")
	// A link back to the top must not loop; a link to a file is read.
	if err := os.Symlink(dir, filepath.Join(dir, "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "b.eml"), filepath.Join(dir, "d.eml")); err != nil {
		t.Fatal(err)
	}
	items, err := walk(t, []string{dir}, "", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var srcs, datas []string
	for _, it := range items {
		srcs = append(srcs, strings.TrimPrefix(it.source, dir+string(filepath.Separator)))
		datas = append(datas, it.data)
	}
	if want := []string{filepath.Join("a", "z.eml"), "b.eml", "c.mbox:1", "c.mbox:2", "d.eml"}; !slices.Equal(srcs, want) {
		t.Errorf("sources %+v, want %+v", srcs, want)
	}
	if want := []string{"AZ", "B", "m1\n", "m2\n", "B"}; !slices.Equal(datas, want) {
		t.Errorf("data %+v, want %+v", datas, want)
	}
}

func TestDepthAndCount(t *testing.T) {
	dir := t.TempDir()
	deep := dir
	for i := range 4 {
		deep = filepath.Join(deep, fmt.Sprint("d", i))
		write(t, filepath.Join(deep, "m.eml"), "M")
	}
	items, err := walk(t, []string{dir}, "", Limits{MaxDepth: 2})
	if err != nil {
		t.Fatal(err)
	}
	var files, tooDeep int
	for _, it := range items {
		switch {
		case it.err == nil && it.data == "M":
			files++
		case errors.Is(it.err, ErrTooDeep):
			tooDeep++
		}
	}
	if len(items) != 3 || files != 2 || tooDeep != 1 {
		t.Errorf("items %+v, want two files and one ErrTooDeep", items)
	}
	items, err = walk(t, []string{dir}, "", Limits{MaxItems: 2})
	if !errors.Is(err, ErrTooMany) || len(items) != 2 {
		t.Errorf("items %+v err %v, want 2 then ErrTooMany", items, err)
	}
}

func TestErrors(t *testing.T) {
	if _, err := walk(t, []string{filepath.Join(t.TempDir(), "nope")}, "", Limits{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing path: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Walk(ctx, []string{"-"}, strings.NewReader("x"), Limits{}, func(Item) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	stop := errors.New("stop")
	err = Walk(context.Background(), []string{"-"}, strings.NewReader(mbox), Limits{}, func(Item) error { return stop })
	if err != stop {
		t.Errorf("callback error: %v", err)
	}
}

// A single line far longer than the bound (noise with no newline) is
// refused without holding it.
func TestLongLineNoise(t *testing.T) {
	in := "From x Mon Nov 30 10:00:00 2026\n" + strings.Repeat("z", 5<<20)
	items, err := walk(t, []string{"-"}, in, Limits{MaxItemBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || !errors.Is(items[0].err, ErrTooLarge) {
		t.Errorf("items %d, first err %v", len(items), items[0].err)
	}
}

func BenchmarkMbox500(b *testing.B) {
	var buf bytes.Buffer
	for i := range 500 {
		fmt.Fprintf(&buf, "From MAILER-DAEMON Mon Nov 30 10:00:00 2026\nFrom: mailer-daemon@example.org\nSubject: bounce %d\n\n%s\n", i, strings.Repeat("Diagnostic text of a bounce.\n", 100))
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		n := 0
		_ = Walk(context.Background(), []string{"-"}, bytes.NewReader(data), Limits{}, func(Item) error { n++; return nil })
		if n != 500 {
			b.Fatal(n)
		}
	}
}

// FuzzWalk: any input ends, holds no more than it was given, and no
// message exceeds the bound.
func FuzzWalk(f *testing.F) {
	f.Add([]byte(mbox))
	f.Add([]byte("From x 1\n\nFrom y 2\n>From z\n"))
	f.Add([]byte("From: plain@example.org\n\nbody"))
	f.Fuzz(func(t *testing.T, in []byte) {
		total := 0
		err := Walk(context.Background(), []string{"-"}, bytes.NewReader(in), Limits{MaxItemBytes: 64}, func(it Item) error {
			if len(it.Data) > 64 {
				t.Fatalf("item of %d bytes over the bound", len(it.Data))
			}
			total += len(it.Data)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if total > len(in) {
			t.Fatalf("%d bytes out of %d in", total, len(in))
		}
	})
}
