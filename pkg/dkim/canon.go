package dkim

// The pieces of RFC 6376 that verifying needs and go-msgauth does not
// export: the header section split into fields as written, the two
// canonicalizations, header selection and the signature check. pkg/arc
// builds ARC (RFC 8617 §4.1, which reuses them) on these, and VerifyAt
// uses them for a signature go-msgauth refuses by the wall clock.

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Field is one header field as it appears in the message: Name as written
// (before the colon, trailing white space removed) and Raw, the whole
// field with its folding and final CRLF, which is what the simple
// canonicalization hashes (RFC 6376 §3.4.1).
type Field struct {
	Name string
	Raw  string
}

// Value is the field body after the colon, folding kept.
func (f Field) Value() string {
	_, v, _ := strings.Cut(f.Raw, ":")
	return strings.TrimRight(v, "\r\n")
}

// ErrHeader is a line in the header section that is neither a field nor
// a continuation line (RFC 5322 §2.2).
var ErrHeader = errors.New("dkim: malformed header section")

// SplitMessage splits a message with CRLF line endings into its header
// fields, top first, and its body (after the empty line; nil when the
// message has none). Lines that start with white space continue the field
// above them (RFC 5322 §2.2.3).
func SplitMessage(raw []byte) ([]Field, []byte, error) {
	var head, body []byte
	switch {
	case len(bytes.TrimSpace(raw)) == 0:
		return nil, nil, nil
	case bytes.HasPrefix(raw, []byte("\r\n")):
		return nil, raw[2:], nil
	default:
		if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
			head, body = raw[:i+2], raw[i+4:]
		} else {
			head = raw
			if !bytes.HasSuffix(head, []byte("\r\n")) {
				head = append(bytes.Clone(head), '\r', '\n')
			}
		}
	}
	var fields []Field
	for len(head) > 0 {
		n := bytes.Index(head, []byte("\r\n"))
		if n < 0 {
			n = len(head) - 2
		}
		line := string(head[:n+2])
		head = head[n+2:]
		if line[0] == ' ' || line[0] == '\t' {
			if len(fields) == 0 {
				return nil, nil, ErrHeader
			}
			fields[len(fields)-1].Raw += line
			continue
		}
		name, _, ok := strings.Cut(line, ":")
		name = strings.TrimRight(name, " \t")
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") {
			return nil, nil, ErrHeader
		}
		fields = append(fields, Field{Name: name, Raw: line})
	}
	return fields, body, nil
}

// Canonicalization algorithms (RFC 6376 §3.4).
const (
	Simple  = "simple"
	Relaxed = "relaxed"
)

// CanonHeader canonicalizes one header field (Raw form, CRLF-terminated).
func CanonHeader(alg, raw string) string {
	if alg == Simple {
		return raw
	}
	// RFC 6376 §3.4.2: lower-case the name, unfold, reduce WSP runs to one
	// SP, drop WSP at the end of the value and around the colon.
	name, value, _ := strings.Cut(raw, ":")
	name = strings.ToLower(strings.TrimRight(name, " \t"))
	value = strings.ReplaceAll(value, "\r\n", "")
	var b strings.Builder
	b.Grow(len(name) + len(value) + 3)
	b.WriteString(name)
	b.WriteByte(':')
	ws := false
	started := false
	for i := 0; i < len(value); i++ {
		c := value[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			ws = true
			continue
		}
		if ws && started {
			b.WriteByte(' ')
		}
		ws = false
		started = true
		b.WriteByte(c)
	}
	b.WriteString("\r\n")
	return b.String()
}

// CanonBody canonicalizes a body (RFC 6376 §3.4.3, §3.4.4), then applies
// a length limit when l >= 0.
func CanonBody(alg string, body []byte, l int64) []byte {
	var out []byte
	if alg == Simple {
		// §3.4.3: strip trailing empty lines; an empty body is one CRLF.
		b := body
		for bytes.HasSuffix(b, []byte("\r\n\r\n")) {
			b = b[:len(b)-2]
		}
		switch {
		case len(b) == 0:
			out = []byte("\r\n")
		case !bytes.HasSuffix(b, []byte("\r\n")):
			out = append(bytes.Clone(b), '\r', '\n')
		default:
			out = b
		}
	} else {
		out = make([]byte, 0, len(body))
		lines := bytes.Split(body, []byte("\r\n"))
		if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
			lines = lines[:len(lines)-1]
		}
		for _, line := range lines {
			ws := false
			for _, c := range line {
				if c == ' ' || c == '\t' {
					ws = true
					continue
				}
				if ws {
					out = append(out, ' ')
				}
				ws = false
				out = append(out, c)
			}
			out = append(out, '\r', '\n')
		}
		// §3.4.4: ignore empty lines at the end; an empty body stays empty.
		for bytes.HasSuffix(out, []byte("\r\n\r\n")) {
			out = out[:len(out)-2]
		}
		if bytes.Equal(out, []byte("\r\n")) {
			out = out[:0]
		}
	}
	if l >= 0 && int64(len(out)) > l {
		out = out[:l]
	}
	return out
}

// HeaderData builds the header hash input of RFC 6376 §3.7: each field
// named in h=, the last unused instance first, canonicalized; then the
// signature field with b= emptied and without its final CRLF.
func HeaderData(canon string, fields []Field, names []string, self Field) []byte {
	used := make([]bool, len(fields))
	var b bytes.Buffer
	for _, n := range names {
		for i := len(fields) - 1; i >= 0; i-- {
			if !used[i] && strings.EqualFold(fields[i].Name, n) {
				used[i] = true
				b.WriteString(CanonHeader(canon, fields[i].Raw))
				break
			}
		}
	}
	b.WriteString(strings.TrimSuffix(CanonHeader(canon, WithoutB(self.Raw)), "\r\n"))
	return b.Bytes()
}

// WithoutB returns a signature field with the value of its b= tag removed
// (RFC 6376 §3.7: "with the value of the b= tag ... deleted"), keeping
// everything else, including the white space around it, as written.
func WithoutB(raw string) string {
	colon := strings.IndexByte(raw, ':')
	if colon < 0 {
		return raw
	}
	pos := colon + 1 // start of the current tag-spec in raw
	for pos < len(raw) {
		eq := strings.IndexByte(raw[pos:], '=')
		if eq < 0 {
			return raw
		}
		semi := strings.IndexByte(raw[pos+eq:], ';')
		name := stripFWS(raw[pos : pos+eq])
		if name == "b" {
			start := pos + eq + 1
			if semi < 0 {
				stop := len(raw)
				if strings.HasSuffix(raw, "\r\n") {
					stop -= 2
				}
				return raw[:start] + raw[stop:]
			}
			return raw[:start] + raw[pos+eq+semi:]
		}
		if semi < 0 {
			return raw
		}
		pos += eq + semi + 1
	}
	return raw
}

// MinRSABits is RFC 8301 §3.2: verifiers MUST NOT consider signatures
// made with RSA keys shorter than 1024 bits valid.
const MinRSABits = 1024

// Errors of VerifySignature.
var (
	// ErrSignature: the signature does not verify with the key.
	ErrSignature = errors.New("dkim: signature did not verify")
	// ErrAlgorithm: a= is not rsa-sha256 or ed25519-sha256, or does not
	// match the key.
	ErrAlgorithm = errors.New("dkim: unsupported or mismatched algorithm")
)

// VerifySignature checks the base64 signature b over the header hash
// input data with key, for algorithm a: rsa-sha256 (RFC 6376 §3.3.1) or
// ed25519-sha256 (RFC 8463 §3, which signs the SHA-256 hash). rsa-sha1 is
// refused (RFC 8301 §3.1), and so are RSA keys under MinRSABits.
func VerifySignature(key *Key, a, b string, data []byte) error {
	keyAlg, hashAlg, ok := strings.Cut(strings.ToLower(a), "-")
	if !ok || hashAlg != "sha256" || (keyAlg != "rsa" && keyAlg != "ed25519") {
		return fmt.Errorf("%w: a=%s", ErrAlgorithm, clip(a))
	}
	if key.Type != keyAlg {
		return fmt.Errorf("%w: a=%s with a %s key", ErrAlgorithm, clip(a), key.Type)
	}
	sig, err := base64.StdEncoding.DecodeString(stripFWS(b))
	if err != nil || len(sig) == 0 {
		return fmt.Errorf("%w: b= is not base64", ErrSyntax)
	}
	sum := sha256.Sum256(data)
	switch pub := key.Public.(type) {
	case *rsa.PublicKey:
		if pub.N.BitLen() < MinRSABits {
			return fmt.Errorf("%w: RSA key of %d bits, fewer than %d (RFC 8301 §3.2)", ErrBadKey, pub.N.BitLen(), MinRSABits)
		}
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
			return ErrSignature
		}
	case ed25519.PublicKey:
		if !ed25519.Verify(pub, sum[:], sig) {
			return ErrSignature
		}
	default:
		return fmt.Errorf("%w: %T", ErrBadKey, key.Public)
	}
	return nil
}

// BodyHash is the SHA-256 of the canonicalized body.
func BodyHash(canon string, body []byte, l int64) []byte {
	sum := sha256.Sum256(CanonBody(canon, body, l))
	return sum[:]
}

// SplitNames splits an h= value into field names.
func SplitNames(h string) []string {
	var out []string
	for _, n := range strings.Split(h, ":") {
		if n = stripFWS(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}
