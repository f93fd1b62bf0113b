// Package resolver is mailcheck's only way to ask DNS. It keeps apart the
// outcomes that the mail-authentication RFCs treat differently: an answer, a
// name that does not exist (NXDOMAIN), a name with no records of the asked type
// (NODATA), and a failure to get an answer at all (SERVFAIL, REFUSED, timeout).
// SPF void lookups (RFC 7208 §4.6.4) and temperror (§4.4), DMARC's
// non-existent domains (RFC 9989) and DNSBL refusals all depend on that split,
// which net.Resolver folds away.
//
// Three implementations sit behind the one Resolver interface: Client (a
// recursive resolver over the network, via miekg/dns), Zones (answers from
// zone files, offline) and Cache (one answer per (name, type) per run).
package resolver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/miekg/dns"
)

// Resolver answers one question. Name is an ASCII domain name, with or
// without the trailing dot; case does not matter.
//
// A nil error means the question was answered: Outcome says whether with
// records, NXDOMAIN or NODATA. SERVFAIL, REFUSED, timeouts, CNAME loops and
// oversize answers are errors (see Error); they mean "unknown", never
// "no record".
type Resolver interface {
	Lookup(ctx context.Context, name string, qtype uint16) (Answer, error)
}

// Outcome is how a question was answered.
type Outcome string

const (
	Found    Outcome = "found"    // records of the asked type exist
	NXDomain Outcome = "nxdomain" // the name does not exist (RCODE 3)
	NoData   Outcome = "nodata"   // the name exists, without records of that type
)

// Answer is the reply to one question.
type Answer struct {
	// Name is the name asked, canonical: lower case with the trailing dot.
	Name    string
	Type    uint16
	Outcome Outcome
	// RRs are the records of the asked type, owned by the last name of the
	// CNAME chain. For qtype CNAME they are the CNAME itself.
	RRs []dns.RR
	// CNAMEs is the alias chain that was followed, in order: the targets.
	CNAMEs []string
	// Authentic is the AD bit: the resolver validated the answer with DNSSEC.
	// It is only as trustworthy as the path to the resolver.
	Authentic bool
	// Truncated is set when the UDP answer was truncated and TCP was used.
	Truncated bool
	// Size is the size in octets of the final DNS message on the wire.
	Size int
}

// Exists reports whether the name exists (it has records, maybe not of this type).
func (a Answer) Exists() bool { return a.Outcome != NXDomain }

// Void reports an answer with no records, NXDOMAIN or NODATA: what RFC 7208
// §4.6.4 calls a void lookup.
func (a Answer) Void() bool { return a.Outcome != Found }

// ErrorKind says why a question got no answer.
type ErrorKind string

const (
	KindServFail  ErrorKind = "servfail"   // RCODE 2
	KindRefused   ErrorKind = "refused"    // RCODE 5; also names outside loaded zone files
	KindRcode     ErrorKind = "rcode"      // another unexpected RCODE (FORMERR, NOTIMP, ...)
	KindTimeout   ErrorKind = "timeout"    // no reply within the per-query timeout, after retries
	KindNetwork   ErrorKind = "network"    // the resolver could not be reached at all
	KindLoop      ErrorKind = "cname-loop" // the CNAME chain comes back to a name it passed
	KindTooLarge  ErrorKind = "too-large"  // the answer is over the size bound
	KindMalformed ErrorKind = "malformed"  // the reply could not be parsed or does not match
	KindName      ErrorKind = "bad-name"   // the name cannot be asked (too long, empty label)
	KindCanceled  ErrorKind = "canceled"   // the caller's context ended first
)

// KindChainLong: more aliases than the depth bound, no name repeated; a
// long chain is not a loop.
const KindChainLong ErrorKind = "cname-chain-too-long"

// Error is a failure to get an answer.
type Error struct {
	Name  string
	Type  uint16
	Kind  ErrorKind
	Rcode int // for KindServFail, KindRefused, KindRcode
	Err   error
}

func (e *Error) Error() string {
	what := string(e.Kind)
	switch e.Kind {
	case KindServFail, KindRefused, KindRcode:
		what = dns.RcodeToString[e.Rcode]
		if what == "" {
			what = fmt.Sprintf("RCODE %d", e.Rcode)
		}
	}
	msg := fmt.Sprintf("%s %s: %s", TypeString(e.Type), e.Name, what)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is(err, ErrTimeout) and friends match on the kind.
func (e *Error) Is(target error) bool {
	k, ok := target.(kindError)
	return ok && ErrorKind(k) == e.Kind
}

type kindError ErrorKind

func (k kindError) Error() string { return string(k) }

// Sentinels for errors.Is.
var (
	ErrServFail  error = kindError(KindServFail)
	ErrRefused   error = kindError(KindRefused)
	ErrTimeout   error = kindError(KindTimeout)
	ErrNetwork   error = kindError(KindNetwork)
	ErrCNAMELoop error = kindError(KindLoop)
	ErrChainLong error = kindError(KindChainLong)
	ErrTooLarge  error = kindError(KindTooLarge)
	ErrBadName   error = kindError(KindName)
)

// KindOf returns the kind of a resolver error, or "" for other errors.
func KindOf(err error) ErrorKind {
	switch e := err.(type) {
	case nil:
		return ""
	case *Error: // the usual case, without errors.As's allocation
		return e.Kind
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// TypeString names a query type ("TXT").
func TypeString(t uint16) string {
	if s, ok := dns.TypeToString[t]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", t)
}

// Canonical returns name lower-cased with the trailing dot, as used in cache
// keys and answers. It does not validate.
func Canonical(name string) string {
	name = strings.TrimSpace(name)
	// The usual name is ASCII: lower-cased here, in one pass and at most
	// one allocation (dns.CanonicalName makes the FQDN, then maps it rune
	// by rune: 2% of a bulk run's CPU). Anything else goes through
	// dns.CanonicalName, so the result is always exactly its.
	upper := false
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= utf8.RuneSelf:
			return dns.CanonicalName(name)
		case 'A' <= c && c <= 'Z':
			upper = true
		}
	}
	fqdn := dns.IsFqdn(name) // not HasSuffix: "a\\." ends in an escaped dot
	switch {
	case !upper && fqdn:
		return name
	case !upper:
		return name + "."
	}
	b := make([]byte, len(name), len(name)+1)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	if !fqdn {
		b = append(b, '.')
	}
	return string(b)
}

// checkName refuses names that cannot be sent (RFC 1035 §2.3.4: 63-octet
// labels, 255 octets on the wire).
func checkName(name string, qtype uint16) error {
	if name == "." || name == "" {
		return &Error{Name: name, Type: qtype, Kind: KindName, Err: errors.New("empty name")}
	}
	if _, ok := dns.IsDomainName(name); !ok {
		return &Error{Name: name, Type: qtype, Kind: KindName, Err: errors.New("not a valid domain name")}
	}
	if len(name) > 254 { // with the trailing dot: 255 octets on the wire
		return &Error{Name: name, Type: qtype, Kind: KindName, Err: errors.New("name longer than 253 characters")}
	}
	return nil
}
