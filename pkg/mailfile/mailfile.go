// Package mailfile reads the mail a user hands to mailcheck: message
// files, mbox files, directories of either, and standard input, with every
// read bounded. It yields one Item per file or per mbox message and leaves
// the parsing to the caller (pkg/bounce, pkg/message, pkg/reports).
//
// An mbox is recognized by its first line, a "From " separator line
// (RFC 4155 §2). Messages are split on separator lines (sender, then a
// timestamp) that start the file or follow an empty line, the rule mail
// readers apply to the mboxo and mboxrd variants alike; mboxrd quoting
// (">From ", ">>From "...) loses one ">" so the message is what was
// delivered.
package mailfile

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Errors carried by an Item or returned by Walk; test with errors.Is.
var (
	// ErrTooLarge: one file or one mbox message is larger than
	// Limits.MaxItemBytes. The rest of the input is still read.
	ErrTooLarge = errors.New("larger than the size limit")
	// ErrTooMany: the input holds more items than Limits.MaxItems. Walk
	// stops and returns it after the last item it was allowed to yield.
	ErrTooMany = errors.New("more files and messages than the limit")
	// ErrTooDeep: a directory lies deeper than Limits.MaxDepth below the
	// path given; it is reported as an item and not entered.
	ErrTooDeep = errors.New("directory nested deeper than the limit")
)

// Defaults for a zero Limits field.
const (
	DefaultMaxItemBytes = 32 << 20
	DefaultMaxItems     = 100000
	DefaultMaxDepth     = 16
)

// Limits bound one Walk. Zero fields take the defaults above.
type Limits struct {
	MaxItemBytes int64 // one file, or one mbox message
	MaxItems     int   // files and messages in all
	MaxDepth     int   // directory levels below a path given
}

func (l Limits) withDefaults() Limits {
	if l.MaxItemBytes <= 0 {
		l.MaxItemBytes = DefaultMaxItemBytes
	}
	if l.MaxItems <= 0 {
		l.MaxItems = DefaultMaxItems
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// Item is one file, or one message of an mbox.
type Item struct {
	// Source names where the item came from: the path; "path:N" for
	// message N (from 1) of an mbox; "-" (or "-:N") for standard input.
	Source string
	// Data is the file, or the mbox message without its separator line,
	// as read. Nil when Err is set.
	Data []byte
	// Err says why this item could not be read (ErrTooLarge, ErrTooDeep,
	// a permission error...). Walk goes on with the next item.
	Err error
}

// Walk reads each path in order and calls fn once per item. A path is a
// file, a directory (walked recursively in lexical order; entries whose
// names start with "." are passed over, and symbolic links are followed
// to files only, so a link cannot make a loop), or "-" for stdin. Walk
// stops when fn returns an error (and returns it), when ctx ends (and
// returns ctx.Err()), or after MaxItems items (ErrTooMany). A path that
// does not exist is an error for Walk itself, since it is a usage mistake
// rather than a bad file.
func Walk(ctx context.Context, paths []string, stdin io.Reader, lim Limits, fn func(Item) error) error {
	w := &walker{ctx: ctx, lim: lim.withDefaults(), fn: fn}
	for _, p := range paths {
		if err := w.path(p, stdin); err != nil {
			return err
		}
	}
	return nil
}

type walker struct {
	ctx   context.Context
	lim   Limits
	fn    func(Item) error
	count int
}

func (w *walker) emit(it Item) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if w.count >= w.lim.MaxItems {
		return fmt.Errorf("%w (%d)", ErrTooMany, w.lim.MaxItems)
	}
	w.count++
	return w.fn(it)
}

func (w *walker) path(p string, stdin io.Reader) error {
	if p == "-" {
		if stdin == nil {
			return errors.New("no standard input")
		}
		return w.stream("-", stdin)
	}
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return w.file(p)
	}
	root := filepath.Clean(p)
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if cerr := w.ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			// An unreadable directory or entry is that item's failure.
			if path == root {
				return err
			}
			if d != nil && d.IsDir() {
				if e := w.emit(Item{Source: path, Err: err}); e != nil {
					return e
				}
				return fs.SkipDir
			}
			return w.emit(Item{Source: path, Err: err})
		}
		if path != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if path != root && depth(root, path) > w.lim.MaxDepth {
				if e := w.emit(Item{Source: path, Err: fmt.Errorf("%w (%d)", ErrTooDeep, w.lim.MaxDepth)}); e != nil {
					return e
				}
				return fs.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			st, err := os.Stat(path)
			if err != nil {
				return w.emit(Item{Source: path, Err: err})
			}
			if !st.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil // sockets, devices, pipes found in a tree: not mail
		}
		return w.file(path)
	})
}

func depth(root, path string) int {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return 0
	}
	return strings.Count(rel, string(filepath.Separator)) + 1
}

func (w *walker) file(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return w.emit(Item{Source: p, Err: err})
	}
	defer f.Close()
	return w.stream(p, f)
}

// stream reads one file or stdin: an mbox is split, anything else is one
// item read up to the bound.
func (w *walker) stream(name string, r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(5)
	if IsMbox(head) {
		return w.mbox(name, br)
	}
	data, err := io.ReadAll(io.LimitReader(br, w.lim.MaxItemBytes+1))
	switch {
	case err != nil:
		return w.emit(Item{Source: name, Err: err})
	case int64(len(data)) > w.lim.MaxItemBytes:
		return w.emit(Item{Source: name, Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, w.lim.MaxItemBytes)})
	}
	return w.emit(Item{Source: name, Data: data})
}

// IsMbox reports whether data starts like an mbox: a "From " separator
// line (RFC 4155 §2), never a "From:" header field.
func IsMbox(head []byte) bool {
	return bytes.HasPrefix(head, []byte("From "))
}

// mbox splits br into messages, streaming: one message is held at a time,
// and a message over the bound is skipped to the next separator.
func (w *walker) mbox(name string, br *bufio.Reader) error {
	var (
		msg       bytes.Buffer
		n         int
		inMsg     bool
		tooLarge  bool
		prevBlank = true
	)
	flush := func() error {
		if !inMsg {
			return nil
		}
		n++
		src := name + ":" + strconv.Itoa(n)
		if tooLarge {
			msg.Reset()
			tooLarge = false
			return w.emit(Item{Source: src, Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, w.lim.MaxItemBytes)})
		}
		// The empty line before the next separator belongs to the mbox,
		// not to the message (RFC 4155 §2).
		data := msg.Bytes()
		if bytes.HasSuffix(data, []byte("\r\n\r\n")) {
			data = data[:len(data)-2]
		} else if bytes.HasSuffix(data, []byte("\n\n")) {
			data = data[:len(data)-1]
		}
		out := append([]byte(nil), data...)
		msg.Reset()
		return w.emit(Item{Source: src, Data: out})
	}
	for {
		line, err := readLine(br, w.lim.MaxItemBytes+1)
		if len(line) > 0 {
			if prevBlank && isSeparator(line) {
				if e := flush(); e != nil {
					return e
				}
				inMsg = true
				prevBlank = false
				continue
			}
			prevBlank = isBlank(line)
			if !tooLarge {
				if q := quotedFrom(line); q {
					line = line[1:]
				}
				if int64(msg.Len()+len(line)) > w.lim.MaxItemBytes {
					tooLarge = true
					msg.Reset()
				} else {
					msg.Write(line)
				}
			}
		}
		if err == io.EOF {
			return flush()
		}
		if err != nil {
			if e := flush(); e != nil {
				return e
			}
			return w.emit(Item{Source: name, Err: err})
		}
		if cerr := w.ctx.Err(); cerr != nil {
			return cerr
		}
	}
}

// readLine returns the next line with its ending. A line longer than max
// is returned cut at max bytes (the rest is read as further lines): the
// caller's size bound then trips, and memory stays bounded.
func readLine(br *bufio.Reader, max int64) ([]byte, error) {
	var buf []byte
	for {
		frag, err := br.ReadSlice('\n')
		buf = append(buf, frag...)
		if err == bufio.ErrBufferFull {
			if int64(len(buf)) >= max {
				return buf, nil
			}
			continue
		}
		return buf, err
	}
}

// isSeparator reports a From_ line: "From ", the envelope sender, then a
// timestamp (RFC 4155 §2). Asking for a digit after the sender keeps a
// body line such as "From here on, ..." that a writer forgot to quote
// inside its message.
func isSeparator(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("From "))
	if !ok {
		return false
	}
	_, date, ok := bytes.Cut(bytes.TrimLeft(rest, " "), []byte(" "))
	return ok && bytes.ContainsAny(date, "0123456789")
}

func isBlank(line []byte) bool {
	return len(bytes.TrimRight(line, "\r\n")) == 0
}

// quotedFrom reports an mboxrd-quoted separator: one or more ">" then
// "From ".
func quotedFrom(line []byte) bool {
	i := 0
	for i < len(line) && line[i] == '>' {
		i++
	}
	return i > 0 && bytes.HasPrefix(line[i:], []byte("From "))
}
