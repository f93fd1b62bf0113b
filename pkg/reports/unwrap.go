package reports

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"path"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// Limits bound what one input item may expand into. Zero fields take the
// defaults.
type Limits struct {
	// MaxBytes caps the decompressed bytes of one item, all its
	// attachments and archive entries together (default 64 MiB).
	MaxBytes int64
	// MaxRatio caps decompressed/compressed size once the output passes
	// 1 MiB (default 200): a real report compresses 10 to 50 times, a
	// gzip or zip bomb a thousand times.
	MaxRatio int64
	// MaxEntries caps the entries of one zip archive (default 64).
	MaxEntries int
	// MaxParts caps the MIME parts of one message (default 256).
	MaxParts int
	// MaxDepth caps wrappers inside wrappers: a message carrying a zip
	// holding a gzip is depth 3 (default 6).
	MaxDepth int
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 64 << 20
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = 200
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = 64
	}
	if l.MaxParts <= 0 {
		l.MaxParts = 256
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 6
	}
	return l
}

// ratioFloor is the output size under which the ratio is not checked: a
// small, repetitive report can compress very well.
const ratioFloor = 1 << 20

// Errors of decompression; the item is named with the reason.
var (
	ErrTooLarge = errors.New("decompresses to more than the size limit")
	ErrRatio    = errors.New("compression ratio above the limit (a decompression bomb?)")
	ErrEntries  = errors.New("zip archive has more entries than the limit")
	ErrDepth    = errors.New("archives nested deeper than the limit")
)

// docKind says how a document found in an item is read.
type docKind int

const (
	docXML docKind = iota
	docJSON
	docFailure
)

// document is one report-bearing piece of an item, after unwrapping.
type document struct {
	source string
	kind   docKind
	data   []byte
	// failure is the parsed failure report, for docFailure.
	failure *Report
	notes   []report.Msg
}

// extractor unwraps one item into documents, within the limits.
type extractor struct {
	lim      Limits
	total    int64
	docs     []document
	problems []Problem
	// stopped: a limit of the whole item was hit (a bomb); nothing more
	// of the item is read, so a nested bomb yields one line, not one per
	// entry.
	stopped bool
	// in is the size of the item as read; the item's whole output is
	// held to the ratio too, so that many entries each under the ratio
	// floor (a 42.zip) cannot add up to a bomb.
	in int64
	// more counts problems past maxProblemsPerItem.
	more int
}

// maxProblemsPerItem bounds the problems one item reports; the rest are
// counted in one line.
const maxProblemsPerItem = 10

// Problem is an input piece that could not be read, or was read only in
// part.
type Problem struct {
	Source string `json:"source"`
	// Status: "unreadable" (nothing read from it) or "recovered" (read
	// after a repair the reason names).
	Status string `json:"status"`
	// Code names the reason ("gzip", "not_a_report", "xml"...): the
	// catalog message reports.problem.<code>, or reports.note.<code>
	// for a repair; Reason is its words.
	Code   string     `json:"code"`
	Reason report.Msg `json:"reason"`
}

func (x *extractor) fail(src string, err error) {
	if x.stopped {
		return
	}
	if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrRatio) || errors.Is(err, ErrDepth) {
		// A limit of the whole item: stop reading it, and say only
		// that: the entries that came before it are the bomb's filler.
		x.stopped = true
		x.problems, x.more = x.problems[:0], 0
		code, reason := reasonOf(err)
		x.problems = append(x.problems, Problem{Source: src, Status: "unreadable", Code: code,
			Reason: report.T("reports.problem.stopped", report.Params{"reason": reason})})
		return
	}
	if len(x.problems) >= maxProblemsPerItem {
		x.more++
		return
	}
	code, reason := reasonOf(err)
	x.problems = append(x.problems, Problem{Source: src, Status: "unreadable", Code: code, Reason: reason})
}

// finish adds the line counting the problems past the bound.
func (x *extractor) finish(src string) {
	if x.more > 0 {
		x.problems = append(x.problems, Problem{Source: src, Status: "unreadable", Code: "more",
			Reason: report.T("reports.problem.more", report.Params{"count": x.more})})
	}
}

// walk sniffs data and unwraps it: gzip and zip by their magic numbers,
// XML and JSON by their first character, a message by its header.
func (x *extractor) walk(src string, data []byte, depth int, notes []report.Msg) {
	if x.stopped {
		return
	}
	if depth > x.lim.MaxDepth {
		x.fail(src, ErrDepth)
		return
	}
	switch {
	case len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b:
		out, n, err := x.gunzip(data)
		if err != nil {
			x.fail(src, err)
			return
		}
		if n != "" {
			notes = append(notes, note(n, nil))
		}
		x.walk(src, out, depth+1, notes)
		return
	case bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06")):
		x.unzip(src, data, depth, notes)
		return
	}
	if u, ok := fromUTF16(data); ok {
		data = u
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(trimmed) == 0:
		x.fail(src, problemf("empty", nil))
	case trimmed[0] == '<':
		x.docs = append(x.docs, document{source: src, kind: docXML, data: fromLatin1(trimmed), notes: notes})
	case trimmed[0] == '{':
		x.docs = append(x.docs, document{source: src, kind: docJSON, data: trimmed, notes: notes})
	case looksLikeMessage(trimmed):
		x.message(src, trimmed, depth, notes, false)
	case findFeedback(trimmed) >= 0:
		// Junk before the report: parseAggregate finds the element.
		x.docs = append(x.docs, document{source: src, kind: docXML, data: trimmed, notes: notes})
	default:
		x.fail(src, problemf("not_a_report", nil))
	}
}

var gzipPool, chunkPool sync.Pool

// gunzip inflates every member of a gzip stream (RFC 1952 §2.2 allows
// several; some reporters concatenate). Bytes after the last member that
// are not a member (trailing garbage, padding) are ignored with a note,
// as is a bad checksum when the data read as a whole.
func (x *extractor) gunzip(data []byte) ([]byte, string, error) {
	br := bytes.NewReader(data)
	zr, _ := gzipPool.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(br)
	} else {
		err = zr.Reset(br)
	}
	if err != nil {
		return nil, "", wrapErr("gzip", err)
	}
	defer gzipPool.Put(zr)
	var hint int64
	if len(data) >= 18 {
		hint = int64(binary.LittleEndian.Uint32(data[len(data)-4:]))
	}
	out, err := x.inflate(zr, int64(len(data)), hint)
	switch {
	case err == nil:
		return out, "", nil
	case errors.Is(err, ErrTooLarge), errors.Is(err, ErrRatio):
		return nil, "", err
	case len(out) > 0 && errors.Is(err, gzip.ErrHeader):
		return out, "gzip_trailing", nil
	case len(out) > 0 && errors.Is(err, gzip.ErrChecksum):
		return out, "gzip_checksum", nil
	case len(out) > 0 && errors.Is(err, io.ErrUnexpectedEOF):
		return out, "gzip_truncated", nil
	default:
		return nil, "", wrapErr("gzip", err)
	}
}

// inflate reads r to the end within the size and ratio limits. in is the
// compressed size the output is compared with.
//
// hint is the size the container announces (gzip's ISIZE, RFC 1952 §2.3.1;
// a zip entry's uncompressed size), 0 when unknown: the buffer is made
// that large at once, within the limits, so a large report is not copied
// through growing buffers (which, for one refused at 64 MiB, had reached
// 128 MiB first). A lying hint costs at most the limits.
func (x *extractor) inflate(r io.Reader, in, hint int64) ([]byte, error) {
	size := min(in*16, 4<<20) // reports compress 10 to 50 times
	if hint > 0 {
		size = min(hint+1, max(in*x.lim.MaxRatio, ratioFloor))
	}
	buf := make([]byte, 0, min(size, max(x.lim.MaxBytes-x.total, 0)+1))
	cp, _ := chunkPool.Get().(*[]byte)
	if cp == nil {
		b := make([]byte, 32<<10)
		cp = &b
	}
	defer chunkPool.Put(cp)
	chunk := *cp
	for {
		n, err := r.Read(chunk)
		if n > 0 {
			// Checked before the bytes are kept.
			x.total += int64(n)
			if x.total > x.lim.MaxBytes {
				return nil, &readError{code: "too_large", p: report.Params{"bytes": x.lim.MaxBytes}, err: ErrTooLarge}
			}
			if out := int64(len(buf) + n); out > ratioFloor && out > in*x.lim.MaxRatio || x.in > 0 && x.total > ratioFloor && x.total > x.in*x.lim.MaxRatio {
				return nil, &readError{code: "ratio", p: report.Params{"ratio": x.lim.MaxRatio}, err: ErrRatio}
			}
			buf = append(buf, chunk[:n]...)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func (x *extractor) unzip(src string, data []byte, depth int, notes []report.Msg) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		x.fail(src, wrapErr("zip", err))
		return
	}
	if len(zr.File) > x.lim.MaxEntries {
		x.fail(src, &readError{code: "entries", p: report.Params{"count": len(zr.File), "limit": x.lim.MaxEntries}, err: ErrEntries})
		return
	}
	found := false
	for _, f := range zr.File {
		if x.stopped {
			return
		}
		if f.FileInfo().IsDir() || isAppleDouble(f.Name) {
			continue
		}
		found = true
		name := src + "!" + safeName(f.Name)
		rc, err := f.Open()
		if err != nil {
			x.fail(name, wrapErr("zip", err))
			continue
		}
		// The compressed size bounds what is read from the archive, so a
		// lying header cannot make the ratio look better than it is.
		out, err := x.inflate(rc, max(int64(f.CompressedSize64), 1), int64(min(f.UncompressedSize64, 1<<40)))
		rc.Close()
		if err != nil {
			if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrRatio) {
				x.fail(name, err)
				return
			}
			x.fail(name, wrapErr("zip", err))
			continue
		}
		x.walk(name, out, depth+1, notes)
	}
	if !found {
		x.fail(src, problemf("zip_empty", nil))
	}
}

// looksLikeMessage: the first line is an RFC 5322 header field (a name, a
// colon) or an mbox "From " line.
func looksLikeMessage(b []byte) bool {
	if bytes.HasPrefix(b, []byte("From ")) {
		return true
	}
	line := b
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		line = b[:i]
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return false
	}
	for _, c := range line[:colon] {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// message reads an email: an RFC 6591 failure report, or a message carrying
// aggregate or TLS reports as attachments (RFC 7489 §7.2.1.1: gzip or zip,
// any content type; RFC 8460 §5.3: application/tlsrpt+gzip or +json).
func (x *extractor) message(src string, data []byte, depth int, notes []report.Msg, quiet bool) {
	if depth > x.lim.MaxDepth {
		x.fail(src, ErrDepth)
		return
	}
	before := len(x.docs) + len(x.problems)
	if bytes.HasPrefix(data, []byte("From ")) { // one mbox separator line, as saved by some clients
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		}
	}
	msg, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(data)))
	if err != nil {
		x.fail(src, wrapErr("header", err))
		return
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		x.fail(src, wrapErr("message", err))
		return
	}
	parts := 0
	x.part(src, msg.Header, textproto.MIMEHeader(msg.Header), body, depth, notes, &parts)
	if len(x.docs)+len(x.problems) == before && !quiet {
		x.fail(src, problemf("no_report_in_message", nil))
	}
}

// part handles one MIME entity. top is the message's own header (for
// failure reports: the reporter and the report's Message-ID).
func (x *extractor) part(src string, top mail.Header, h textproto.MIMEHeader, body []byte, depth int, notes []report.Msg, parts *int) {
	if x.stopped {
		return
	}
	*parts++
	if *parts > x.lim.MaxParts {
		if *parts == x.lim.MaxParts+1 {
			x.fail(src, problemf("parts", report.Params{"n": x.lim.MaxParts}))
		}
		return
	}
	ct, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		ct = "text/plain"
	}
	if strings.HasPrefix(ct, "multipart/") {
		if ct == "multipart/report" && strings.EqualFold(params["report-type"], "feedback-report") {
			if rep, err := parseFailure(top, body, params["boundary"]); err == nil {
				x.docs = append(x.docs, document{source: src, kind: docFailure, failure: rep, notes: notes})
				return
			}
		}
		boundary := params["boundary"]
		if boundary == "" {
			x.fail(src, problemf("no_boundary", nil))
			return
		}
		mr := multipart.NewReader(bytes.NewReader(body), boundary)
		for i := 1; ; i++ {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				x.fail(src, wrapErr("mime", err))
				return
			}
			b, err := io.ReadAll(io.LimitReader(p, x.lim.MaxBytes+1))
			if err != nil {
				x.fail(src, &readError{code: "mime_part", p: report.Params{"part": i, "error": libErr(err)}})
				return
			}
			if int64(len(b)) > x.lim.MaxBytes {
				x.fail(src, &readError{code: "mime_part_too_large", p: report.Params{"part": i}, err: ErrTooLarge})
				return
			}
			x.part(src, top, p.Header, b, depth+1, notes, parts)
		}
	}
	if ct == "message/rfc822" {
		// A report email forwarded as an attachment is read; any other
		// attached message is not a report and is skipped quietly.
		// RFC 2046 §5.2.1 allows no base64 here, yet webmail forwards
		// send it: decoded first.
		if dec, err := decodeCTE(h.Get("Content-Transfer-Encoding"), body); err == nil {
			body = dec
		}
		x.message(src, body, depth+1, notes, true)
		return
	}
	if ct == "message/feedback-report" || ct == "text/rfc822-headers" || ct == "message/global" {
		return
	}
	decoded, err := decodeCTE(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		x.fail(src, err)
		return
	}
	name := partName(h)
	switch {
	case strings.HasPrefix(ct, "application/"), ct == "text/xml":
	case strings.HasPrefix(ct, "text/"):
		// A text body is a report only when it is one (some reporters
		// send the XML inline); cover letters are skipped.
		// A gzip or zip labelled as text is read too.
		t := bytes.TrimSpace(decoded)
		if !(bytes.HasPrefix(decoded, []byte{0x1f, 0x8b}) || bytes.HasPrefix(decoded, []byte("PK\x03\x04")) || bytes.HasPrefix(t, []byte("<?xml")) || bytes.HasPrefix(t, []byte("<feedback")) || bytes.HasPrefix(t, []byte("{")) && bytes.Contains(t, []byte("organization-name"))) {
			return
		}
	default:
		return
	}
	psrc := src
	if name != "" {
		psrc += "#" + name
	}
	x.walk(psrc, decoded, depth+1, notes)
}

func partName(h textproto.MIMEHeader) string {
	if _, p, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && p["filename"] != "" {
		return safeName(p["filename"])
	}
	if _, p, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil && p["name"] != "" {
		return safeName(p["name"])
	}
	return ""
}

// safeName keeps the base of a name from a message or an archive, short.
func safeName(n string) string {
	return truncate(path.Base(strings.ReplaceAll(n, "\\", "/")), 120)
}

// decodeCTE undoes a Content-Transfer-Encoding (RFC 2045 §6). Base64 with
// line breaks, stray white space or missing padding is accepted: reporters
// send all of these.
func decodeCTE(cte string, body []byte) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		clean := make([]byte, 0, len(body))
		for _, c := range body {
			if c > ' ' && c != '=' {
				clean = append(clean, c)
			}
		}
		out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
		n, err := base64.RawStdEncoding.Decode(out, clean)
		if err != nil {
			return nil, wrapErr("base64", err)
		}
		return out[:n], nil
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil {
			return nil, wrapErr("quoted_printable", err)
		}
		return out, nil
	default:
		return body, nil
	}
}

// isAppleDouble: an entry macOS adds when it zips a folder (__MACOSX/,
// "._name" resource forks), not a report.
func isAppleDouble(name string) bool {
	return strings.HasPrefix(name, "__MACOSX/") || strings.HasPrefix(path.Base(name), "._")
}

// fromUTF16 decodes a document in UTF-16 (XML 1.0 §4.3.3: a byte-order
// mark, or '<' with a zero byte beside it) into UTF-8, as some reporters
// write their XML.
func fromUTF16(b []byte) ([]byte, bool) {
	var order binary.ByteOrder
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		order, b = binary.LittleEndian, b[2:]
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		order, b = binary.BigEndian, b[2:]
	case bytes.HasPrefix(b, []byte{'<', 0}):
		order = binary.LittleEndian
	case bytes.HasPrefix(b, []byte{0, '<'}):
		order = binary.BigEndian
	default:
		return nil, false
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = order.Uint16(b[2*i:])
	}
	out := make([]byte, 0, len(u))
	for _, r := range utf16.Decode(u) {
		out = utf8.AppendRune(out, r)
	}
	return out, true
}

// fromLatin1 converts an XML document declared ISO-8859-1 (or
// windows-1252, read as ISO-8859-1) that is not valid UTF-8 into UTF-8:
// French and German reporters send those, and their names would
// otherwise read as U+FFFD.
func fromLatin1(b []byte) []byte {
	if utf8.Valid(b) || !bytes.HasPrefix(b, []byte("<?xml")) {
		return b
	}
	decl := b[:min(len(b), 100)]
	if i := bytes.Index(decl, []byte("?>")); i >= 0 {
		decl = decl[:i]
	}
	decl = bytes.ToLower(decl)
	if !bytes.Contains(decl, []byte("iso-8859-1")) && !bytes.Contains(decl, []byte("latin1")) && !bytes.Contains(decl, []byte("windows-1252")) {
		return b
	}
	out := make([]byte, 0, len(b)+len(b)/8)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}
