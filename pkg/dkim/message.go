package dkim

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/mailcheck/mailcheck/pkg/report"
	"io"
	"net/mail"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/dnsname"
)

// ErrBadMessage is returned by ReadMessage and ParseMessage for input that
// is not an RFC 5322 message this check can judge: no header, a line that is
// not a header field, no From field or more than one, a From without a
// domain, or more than MaxMessageSize octets. The CLI maps it to exit 2.
var ErrBadMessage = errors.New("dkim: malformed message")

// MaxMessageSize bounds what ReadMessage reads: above the 25-35 MB limits
// of the large mailbox providers, so any message that can be delivered fits.
const MaxMessageSize = 64 << 20

// maxSignatures bounds how many DKIM-Signature fields are verified; each
// costs a DNS lookup and a public-key operation, and a hostile message could
// carry thousands.
const maxSignatures = 16

// Message is a parsed raw message, ready for Check.
type Message struct {
	raw []byte // with CRLF line endings and a header terminator
	// fields are the header fields, unfolded only in name; values keep
	// their folding so DKIM tags are seen as signed.
	fields []headerField
	// From is the From field's first address, and FromDomain its domain.
	From       string
	FromDomain dnsname.Domain
	// Authors counts the mailboxes in From (RFC 5322 §3.6.2 allows several).
	Authors int
	// Normalized records repairs made before verification, for the report.
	Normalized []report.Msg
}

type headerField struct {
	name  string // as written, trimmed
	value string // after the colon, folding kept, trimmed
}

// ReadMessage reads at most MaxMessageSize octets from r and parses them.
func ReadMessage(r io.Reader) (*Message, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxMessageSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading message: %w", err)
	}
	if len(b) > MaxMessageSize {
		return nil, fmt.Errorf("%w: larger than %d MiB", ErrBadMessage, MaxMessageSize>>20)
	}
	return ParseMessage(b)
}

// ParseMessage parses a raw message. It keeps the bytes exact, except for
// two repairs that files saved on disk commonly need and that are recorded
// in Message.Normalized: a message with only LF line endings gets CRLF (the
// wire form that signers hashed, RFC 5322 §2.1), and a leading mbox
// "From " line is dropped.
func ParseMessage(b []byte) (*Message, error) {
	m := &Message{}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrBadMessage)
	}
	if !bytes.Contains(b, []byte("\r\n")) && bytes.Contains(b, []byte("\n")) {
		b = bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
		m.Normalized = append(m.Normalized, report.T("dkim.normalized.crlf", nil))
	} else {
		b = bytes.Clone(b)
	}
	if bytes.HasPrefix(b, []byte("From ")) {
		if i := bytes.Index(b, []byte("\r\n")); i >= 0 {
			b = b[i+2:]
			m.Normalized = append(m.Normalized, report.T("dkim.normalized.mbox_from", nil))
		}
	}
	if bytes.HasPrefix(b, []byte("\r\n")) {
		return nil, fmt.Errorf("%w: no header fields before the empty line", ErrBadMessage)
	}
	end := bytes.Index(b, []byte("\r\n\r\n"))
	var head []byte
	if end < 0 {
		// RFC 5322 §2.1: the body is optional, and so is the empty line
		// before it; verifiers need the header terminated.
		if !bytes.HasSuffix(b, []byte("\r\n")) {
			b = append(b, '\r', '\n')
		}
		head = b[:len(b)-2]
		b = append(b, '\r', '\n')
		m.Normalized = append(m.Normalized, report.T("dkim.normalized.no_body", nil))
	} else {
		head = b[:end]
	}
	m.raw = b

	for i, line := range strings.Split(string(head), "\r\n") {
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(m.fields) == 0 {
				return nil, fmt.Errorf("%w: line 1 starts with white space, not a header field", ErrBadMessage)
			}
			m.fields[len(m.fields)-1].value += "\r\n" + line
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimRight(name, " \t")
		if !ok || !validFieldName(name) {
			return nil, fmt.Errorf("%w: header line %d %q is not a field (name \":\" value, RFC 5322 §2.2)", ErrBadMessage, i+1, clip(line))
		}
		m.fields = append(m.fields, headerField{name: name, value: strings.TrimSpace(value)})
	}
	if len(m.fields) == 0 {
		return nil, fmt.Errorf("%w: no header fields", ErrBadMessage)
	}

	froms := m.values("From")
	switch {
	case len(froms) == 0:
		return nil, fmt.Errorf("%w: no From field (RFC 5322 §3.6 requires exactly one)", ErrBadMessage)
	case len(froms) > 1:
		return nil, fmt.Errorf("%w: %d From fields (RFC 5322 §3.6 allows one; DMARC receivers reject such mail, RFC 7489 §6.6.1)", ErrBadMessage, len(froms))
	}
	addr, n, err := parseFrom(unfold(froms[0]))
	if err != nil {
		return nil, fmt.Errorf("%w: From: %v", ErrBadMessage, err)
	}
	at := strings.LastIndexByte(addr, '@')
	dom, err := dnsname.ParseAny(addr[at+1:])
	if err != nil {
		return nil, fmt.Errorf("%w: From domain %q: %v", ErrBadMessage, clip(addr[at+1:]), err)
	}
	m.From, m.FromDomain, m.Authors = addr, dom, n
	return m, nil
}

// validFieldName: RFC 5322 §3.6.8, printable US-ASCII except colon.
func validFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 {
			return false
		}
	}
	return true
}

func unfold(s string) string {
	return strings.NewReplacer("\r\n", "", "\n", "").Replace(s)
}

// parseFrom returns the first mailbox of a From value and how many there
// are. When net/mail refuses the syntax (obsolete forms, raw 8-bit names),
// it falls back to the last <addr-spec>, or to the whole value when that is
// a bare address, because a domain is all this check needs.
func parseFrom(v string) (string, int, error) {
	if list, err := mail.ParseAddressList(v); err == nil && len(list) > 0 {
		if strings.Contains(list[0].Address, "@") {
			return list[0].Address, len(list), nil
		}
	}
	if i := strings.LastIndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			a := strings.TrimSpace(v[i+1 : i+j])
			if k := strings.LastIndexByte(a, '@'); k > 0 && k < len(a)-1 {
				return a, 1, nil
			}
		}
	}
	a := strings.TrimSpace(v)
	if k := strings.LastIndexByte(a, '@'); k > 0 && k < len(a)-1 && !strings.ContainsAny(a, " \t<>,;") {
		return a, 1, nil
	}
	return "", 0, fmt.Errorf("no address with a domain in %q", clip(v))
}

// values returns the values of the fields with this name, in order.
// Field names compare case-insensitively (RFC 5322 §1.2.2).
func (m *Message) values(name string) []string {
	var out []string
	for _, f := range m.fields {
		if strings.EqualFold(f.name, name) {
			out = append(out, f.value)
		}
	}
	return out
}

// count returns how many fields have this name.
func (m *Message) count(name string) int { return len(m.values(name)) }

// Signatures returns the raw values of the DKIM-Signature fields, top first.
func (m *Message) Signatures() []string { return m.values("DKIM-Signature") }

// Size is the length of the message as verified.
func (m *Message) Size() int { return len(m.raw) }
