package reports

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// A small, strict XML tokenizer for aggregate reports. encoding/xml is
// correct but allocates per token and reads at a few tens of MB/s; reports
// arrive by the thousand, so this reads the subset XML 1.0 documents use
// (elements, attributes, character data, the five predefined entities and
// character references, CDATA, comments, processing instructions, a
// DOCTYPE) without allocating per token, and refuses what is not well
// formed: bad names, unmatched end tags, '<' in character data, bad
// entities. Namespace prefixes are dropped: RFC 9990 reports come with and
// without urn:ietf:params:xml:ns:dmarc-2.0, with or without a prefix.

type tokKind int

const (
	tokEOF tokKind = iota
	tokStart
	tokEnd
	tokText
)

// maxXMLDepth bounds element nesting; a report needs 5 levels.
const maxXMLDepth = 64

type xmlScanner struct {
	b []byte
	i int
	// stack holds the raw names of open elements, for end-tag matching.
	stack [][]byte
	// name is the local name of the last start or end tag (a view into b).
	name []byte
	// text is the character data of the last text token, entities decoded.
	text    []byte
	textBuf []byte
	// pendingEnd: the last start tag was <x/>; an end token follows.
	pendingEnd bool
}

var errXML = errors.New("malformed XML")

// errTruncated: the document ends inside an element (a transfer cut short).
var errTruncated = errors.New("the report is cut short")

// errorf returns the error what (the catalog message reports.xml.<what>)
// at the scanner's position.
func (s *xmlScanner) errorf(what string, p report.Params) error {
	w := report.T("reports.xml."+what, p)
	if s.i >= len(s.b) {
		// The error is the end of the input: a document cut short.
		return &readError{code: "truncated", p: report.Params{"what": w}, err: errTruncated}
	}
	line := 1 + bytes.Count(s.b[:min(s.i, len(s.b))], []byte{'\n'})
	return &readError{code: "xml", p: report.Params{"line": line, "what": w}, err: errXML}
}

// next returns the next token. Comments, processing instructions and the
// DOCTYPE are skipped.
func (s *xmlScanner) next() (tokKind, error) {
	if s.pendingEnd {
		s.pendingEnd = false
		return s.end()
	}
	for {
		if s.i >= len(s.b) {
			if len(s.stack) > 0 {
				return tokEOF, &readError{code: "truncated", p: report.Params{"what": report.T("reports.xml.inside", report.Params{"element": truncate(string(s.stack[len(s.stack)-1]), 60)})}, err: errTruncated}
			}
			return tokEOF, nil
		}
		if s.b[s.i] != '<' {
			return s.charData()
		}
		rest := s.b[s.i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest[4:], []byte("-->"))
			if end < 0 {
				s.i = len(s.b)
				return tokEOF, s.errorf("comment", nil)
			}
			s.i += 4 + end + 3
		case bytes.HasPrefix(rest, []byte("<?")):
			end := bytes.Index(rest[2:], []byte("?>"))
			if end < 0 {
				s.i = len(s.b)
				return tokEOF, s.errorf("pi", nil)
			}
			s.i += 2 + end + 2
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			end := bytes.Index(rest[9:], []byte("]]>"))
			if end < 0 {
				s.i = len(s.b)
				return tokEOF, s.errorf("cdata", nil)
			}
			s.text = rest[9 : 9+end]
			s.i += 9 + end + 3
			return tokText, nil
		case bytes.HasPrefix(rest, []byte("<!")):
			if len(s.stack) > 0 {
				return tokEOF, s.errorf("declaration_inside", nil)
			}
			if err := s.skipDecl(); err != nil {
				return tokEOF, err
			}
		case len(rest) > 1 && rest[1] == '/':
			return s.endTag()
		default:
			return s.startTag()
		}
	}
}

// skipDecl skips <!DOCTYPE ...>, with an internal subset in brackets.
func (s *xmlScanner) skipDecl() error {
	depth := 0
	var quote byte
	for j := s.i + 2; j < len(s.b); j++ {
		c := s.b[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '>' && depth <= 0:
			s.i = j + 1
			return nil
		}
	}
	s.i = len(s.b)
	return s.errorf("declaration", nil)
}

func (s *xmlScanner) charData() (tokKind, error) {
	j := bytes.IndexByte(s.b[s.i:], '<')
	var raw []byte
	if j < 0 {
		raw = s.b[s.i:]
		s.i = len(s.b)
	} else {
		raw = s.b[s.i : s.i+j]
		s.i += j
	}
	if bytes.IndexByte(raw, '&') < 0 {
		s.text = raw
		return tokText, nil
	}
	out, err := decodeEntities(s.textBuf[:0], raw)
	if err != nil {
		var re *readError
		if errors.As(err, &re) {
			return tokEOF, s.errorf(re.code, re.p)
		}
		return tokEOF, err
	}
	s.textBuf = out
	s.text = out
	return tokText, nil
}

func decodeEntities(dst, raw []byte) ([]byte, error) {
	for len(raw) > 0 {
		amp := bytes.IndexByte(raw, '&')
		if amp < 0 {
			return append(dst, raw...), nil
		}
		dst = append(dst, raw[:amp]...)
		raw = raw[amp:]
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 || semi > 12 {
			return nil, problemf("bare_amp", nil)
		}
		ent := string(raw[1:semi])
		switch ent {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			if len(ent) < 2 || ent[0] != '#' {
				return nil, problemf("entity", report.Params{"entity": ent})
			}
			var n uint64
			var err error
			if ent[1] == 'x' {
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			} else {
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			}
			if err != nil || n == 0 || n > utf8.MaxRune {
				return nil, problemf("char_ref", report.Params{"entity": ent})
			}
			dst = utf8.AppendRune(dst, rune(n))
		}
		raw = raw[semi+1:]
	}
	return dst, nil
}

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= 0x80
}

func isNameChar(c byte) bool {
	return isNameStart(c) || c >= '0' && c <= '9' || c == '-' || c == '.'
}

// readName reads an XML name at s.i.
func (s *xmlScanner) readName() ([]byte, error) {
	start := s.i
	if s.i >= len(s.b) || !isNameStart(s.b[s.i]) {
		return nil, s.errorf("name", nil)
	}
	for s.i < len(s.b) && isNameChar(s.b[s.i]) {
		s.i++
	}
	return s.b[start:s.i], nil
}

func localName(n []byte) []byte {
	if k := bytes.LastIndexByte(n, ':'); k >= 0 {
		return n[k+1:]
	}
	return n
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *xmlScanner) skipSpace() {
	for s.i < len(s.b) && isSpace(s.b[s.i]) {
		s.i++
	}
}

func (s *xmlScanner) startTag() (tokKind, error) {
	s.i++ // '<'
	name, err := s.readName()
	if err != nil {
		return tokEOF, err
	}
	// Attributes: name="value" or name='value', values without '<'.
	for {
		hadSpace := s.i < len(s.b) && isSpace(s.b[s.i])
		s.skipSpace()
		if s.i >= len(s.b) {
			return tokEOF, s.errorf("start_tag", report.Params{"element": truncate(string(name), 60)})
		}
		c := s.b[s.i]
		if c == '>' {
			s.i++
			break
		}
		if c == '/' {
			if s.i+1 >= len(s.b) || s.b[s.i+1] != '>' {
				return tokEOF, s.errorf("slash", report.Params{"element": truncate(string(name), 60)})
			}
			s.i += 2
			s.pendingEnd = true
			break
		}
		if !hadSpace {
			return tokEOF, s.errorf("char", report.Params{"char": fmt.Sprintf("%q", c), "element": truncate(string(name), 60)})
		}
		if _, err := s.readName(); err != nil {
			return tokEOF, s.errorf("attr", report.Params{"element": truncate(string(name), 60)})
		}
		s.skipSpace()
		if s.i >= len(s.b) || s.b[s.i] != '=' {
			return tokEOF, s.errorf("attr_no_value", report.Params{"element": truncate(string(name), 60)})
		}
		s.i++
		s.skipSpace()
		if s.i >= len(s.b) || (s.b[s.i] != '"' && s.b[s.i] != '\'') {
			return tokEOF, s.errorf("attr_unquoted", report.Params{"element": truncate(string(name), 60)})
		}
		q := s.b[s.i]
		end := bytes.IndexByte(s.b[s.i+1:], q)
		if end < 0 || bytes.IndexByte(s.b[s.i+1:s.i+1+end], '<') >= 0 {
			return tokEOF, s.errorf("attr_value", report.Params{"element": truncate(string(name), 60)})
		}
		s.i += end + 2
	}
	if len(s.stack) >= maxXMLDepth {
		return tokEOF, s.errorf("depth", report.Params{"n": maxXMLDepth})
	}
	s.stack = append(s.stack, name)
	s.name = localName(name)
	return tokStart, nil
}

func (s *xmlScanner) endTag() (tokKind, error) {
	s.i += 2 // "</"
	name, err := s.readName()
	if err != nil {
		return tokEOF, err
	}
	s.skipSpace()
	if s.i >= len(s.b) || s.b[s.i] != '>' {
		return tokEOF, s.errorf("end_tag", report.Params{"element": truncate(string(name), 60)})
	}
	s.i++
	if len(s.stack) == 0 || !bytes.Equal(s.stack[len(s.stack)-1], name) {
		return tokEOF, s.errorf("mismatch", report.Params{"element": truncate(string(name), 60)})
	}
	return s.end()
}

func (s *xmlScanner) end() (tokKind, error) {
	top := s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	s.name = localName(top)
	return tokEnd, nil
}
