package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/internal/render"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// input is one domain to check, as given.
type input struct {
	raw  string
	line int // in --file; 0 for arguments
	d    dnsname.Domain
	err  error
	seq  int // position among the inputs this run checks
	// note says the line was an address or a URL, read as its domain.
	note report.Msg
}

// parseShard reads --shard i/n.
func parseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n || n > 1<<20 {
		return 0, 0, badInput("shard", report.Params{"value": s})
	}
	return i, n, nil
}

// shardKey is the stable hash that splits a list among shards and
// identifies a domain in a resume file: FNV-1a of the canonical name (the
// lower-case A-label form), so every machine, run and version agrees. A
// bad line hashes its text, so exactly one shard reports it.
func shardKey(in input) uint64 {
	h := fnv.New64a()
	if in.err != nil {
		h.Write([]byte("\x00bad\x00" + in.raw))
	} else {
		h.Write([]byte(in.d.String()))
	}
	return h.Sum64()
}

// lineInput parses one line of --file; ok is false for blank and comment
// lines.
func lineInput(name string, line int, text string) (input, bool) {
	text = strings.TrimSpace(text)
	if i := strings.IndexByte(text, '#'); i >= 0 {
		text = strings.TrimSpace(text[:i])
	}
	if text == "" {
		return input{}, false
	}
	// People paste what they have: contact@shop.fr, https://shop.fr/cart.
	host, what := pastedDomain(text)
	d, err := parseDomainArg("domain", host)
	if err != nil {
		return input{raw: text, line: line, err: lineError(name, line, err)}, true
	}
	in := input{raw: text, line: line, d: d}
	if what != "" {
		in.note = report.T("cli.err.line", report.Params{"file": name, "line": line,
			"error": pastedNote(render.SafeString(text), what, d)})
	}
	return in, true
}

// maxLine bounds a line of --file: a longer one is no domain name, and is
// reported (once) without being held in memory.
const maxLine = 4096

// maxSkip bounds how much of one overlong line is read and skipped.
const maxSkip = 1 << 20

// scanLines calls fn for each line of r (1-based numbers), a line longer
// than maxLine as its first maxLine bytes with long set. It stops when fn
// returns false.
func scanLines(r io.Reader, fn func(line int, text string, long bool) bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	line := 0
	for {
		b, err := br.ReadSlice('\n')
		long := false
		if bytes.IndexByte(b, 0) >= 0 {
			// A NUL is in no list of names: binary data (or /dev/zero,
			// one endless line) is refused, not skipped forever.
			return badInput("list_binary", report.Params{"line": line + 1})
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			// Keep the head, skip the rest of the line (bounded: a
			// line of megabytes is no list of names either).
			head := string(b[:min(len(b), maxLine)])
			for skipped := 0; errors.Is(err, bufio.ErrBufferFull); skipped += len(b) {
				if skipped > maxSkip {
					return badInput("list_long", report.Params{"line": line + 1, "max": maxSkip})
				}
				b, err = br.ReadSlice('\n')
			}
			b, long = []byte(head), true
		}
		if len(b) > maxLine {
			b, long = b[:maxLine], true
		}
		if len(b) > 0 || err == nil {
			line++
			if !fn(line, string(bytes.TrimRight(b, "\r\n")), long) {
				return nil
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// domainInputs streams the domains: arguments first, then --file, keeping
// those of this shard and not already in the resume file.
func domainInputs(ctx context.Context, f *Factory, opts *DomainOptions, skip *resumeSet) (<-chan input, func(), error) {
	var r io.Reader
	closer := func() {}
	name := opts.File
	switch opts.File {
	case "":
	case "-":
		r, name = f.IO.In, "stdin"
	default:
		fh, err := os.Open(opts.File)
		if err != nil {
			return nil, nil, badInput("file_open", report.Params{"flag": "--file", "value": opts.File, "reason": pathReason(err)})
		}
		r, closer = fh, func() { fh.Close() }
	}
	out := make(chan input)
	keep := func(in input) bool {
		if opts.Shards > 1 && shardKey(in)%uint64(opts.Shards) != uint64(opts.Shard) {
			return false
		}
		return in.err != nil || !skip.has(in)
	}
	send := func(in input) bool {
		if !keep(in) {
			return true
		}
		select {
		case out <- in:
			return true
		case <-ctx.Done():
			return false
		}
	}
	go func() {
		defer close(out)
		for _, d := range opts.Domains {
			if !send(input{raw: d.String(), d: d}) {
				return
			}
		}
		if r == nil {
			return
		}
		err := scanLines(r, func(line int, text string, long bool) bool {
			if long {
				return send(input{raw: text[:40], line: line, err: lineError(name, line, badInput("line_long", report.Params{"max": maxLine}))})
			}
			in, ok := lineInput(name, line, text)
			return !ok || send(in)
		})
		if err != nil {
			send(input{raw: "\x00read error", err: readError(name, err)})
		}
	}()
	return out, closer, nil
}

// countInputs counts what domainInputs will yield, for the progress line's
// total: only for a regular file, read a second time.
func countInputs(opts *DomainOptions, skip *resumeSet) (int, bool) {
	n := 0
	keep := func(in input) {
		if opts.Shards > 1 && shardKey(in)%uint64(opts.Shards) != uint64(opts.Shard) {
			return
		}
		if in.err != nil || !skip.has(in) {
			n++
		}
	}
	for _, d := range opts.Domains {
		keep(input{d: d})
	}
	if opts.File == "" {
		return n, true
	}
	if opts.File == "-" {
		return 0, false
	}
	fh, err := os.Open(opts.File)
	if err != nil {
		return 0, false
	}
	defer fh.Close()
	err = scanLines(fh, func(line int, text string, long bool) bool {
		if long {
			keep(input{raw: text[:40], err: errors.New("long")})
			return true
		}
		if in, ok := lineInput("", line, text); ok {
			keep(in)
		}
		return true
	})
	return n, err == nil
}

// resumeSet holds the domains an earlier run already wrote: 8-byte hashes
// in a sorted slice (8 MB for a million domains, where a set of names would
// take ten times that).
type resumeSet struct {
	keys []uint64
	// end is the length of the file up to its last complete line: a run
	// killed mid-write leaves a partial line, cut off before appending.
	end int64
}

func (s *resumeSet) has(in input) bool {
	if s == nil || in.err != nil {
		return false
	}
	_, ok := slices.BinarySearch(s.keys, shardKey(in))
	return ok
}

// maxReportLine bounds one line of a resume file.
const maxReportLine = 64 << 20

// readResume reads the reports of an earlier run (JSON Lines); a missing
// file is an empty run. A line that is not a complete domain report (cut
// off by a crash) does not count: its domain is checked again.
func readResume(path string) (*resumeSet, error) {
	fh, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return &resumeSet{}, nil
	}
	if err != nil {
		return nil, badInput("file_open", report.Params{"flag": "--resume", "value": path, "reason": pathReason(err)})
	}
	defer fh.Close()
	set := &resumeSet{}
	br := bufio.NewReaderSize(fh, 1<<20)
	var offset int64
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > maxReportLine {
			return nil, badInput("resume_line", report.Params{"value": path, "size": len(line)})
		}
		complete := err == nil
		offset += int64(len(line))
		if complete {
			set.end = offset
			var rep struct {
				Command string `json:"command"`
				Target  string `json:"target"`
			}
			if json.Unmarshal(line, &rep) == nil && rep.Command == "domain" {
				if d, perr := dnsname.Parse(rep.Target); perr == nil {
					set.keys = append(set.keys, shardKey(input{d: d}))
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, badInput("file_open", report.Params{"flag": "--resume", "value": path, "reason": pathReason(err)})
		}
	}
	slices.Sort(set.keys)
	return set, nil
}

// openResume opens the resume file for appending, first cutting off a
// partial last line.
func openResume(path string, set *resumeSet) (*os.File, error) {
	fh, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, badInput("file_open", report.Params{"flag": "--resume", "value": path, "reason": pathReason(err)})
	}
	if err := fh.Truncate(set.end); err != nil {
		fh.Close()
		return nil, fmt.Errorf("--resume: %w", err)
	}
	if _, err := fh.Seek(set.end, io.SeekStart); err != nil {
		fh.Close()
		return nil, fmt.Errorf("--resume: %w", err)
	}
	return fh, nil
}
