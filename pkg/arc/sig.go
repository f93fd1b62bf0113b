package arc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
	"github.com/mailcheck/mailcheck/pkg/resolver"
)

// Errors of a signature check; a permanent one fails the chain, a
// temporary one makes it undecidable.
var (
	ErrKeyTemp = errors.New("arc: key lookup failed")
	ErrKey     = errors.New("arc: no usable key")
	ErrSig     = errors.New("arc: signature does not verify")
	ErrBody    = errors.New("arc: body hash does not match")
	ErrTags    = errors.New("arc: malformed signature")
)

// keyCache fetches each key record once per validation.
type keyCache struct {
	r  resolver.Resolver
	mu sync.Mutex
	m  map[string]keyResult
}

type keyResult struct {
	key *dkim.Key
	rec *dkim.KeyRecord
	err error
}

func (c *keyCache) get(ctx context.Context, selector, domain string) (*dkim.Key, *dkim.KeyRecord, error) {
	name := selector + "._domainkey." + domain
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]keyResult{}
	}
	if k, ok := c.m[name]; ok {
		c.mu.Unlock()
		return k.key, k.rec, k.err
	}
	c.mu.Unlock()
	k := fetchKey(ctx, c.r, name)
	c.mu.Lock()
	c.m[name] = k
	c.mu.Unlock()
	return k.key, k.rec, k.err
}

func fetchKey(ctx context.Context, r resolver.Resolver, name string) keyResult {
	txts, ans, err := resolver.LookupTXT(ctx, r, name)
	if err != nil {
		if resolver.KindOf(err) == resolver.KindName {
			return keyResult{err: newErr(ErrKey, "key_name", report.Params{"name": name}, err, "%s: %v", name, err)}
		}
		return keyResult{err: newErr(ErrKeyTemp, "key_temp", report.Params{"name": name}, err, "%s: %v", name, err)}
	}
	if ans.Outcome != resolver.Found || len(txts) == 0 {
		return keyResult{err: newErr(ErrKey, "no_key", report.Params{"name": name}, nil, "no key record at %s", name)}
	}
	if len(txts) > 1 {
		// RFC 6376 §3.6.2.2 lets a verifier pick; several DKIM verifiers
		// (go-msgauth among them) refuse, which is the safe reading.
		return keyResult{err: newErr(ErrKey, "key_multiple", report.Params{"name": name, "count": len(txts)}, nil, "%d TXT records at %s", len(txts), name)}
	}
	rec, err := dkim.ParseKeyRecord(txts[0].Text())
	if err != nil {
		return keyResult{err: newErr(ErrKey, "key_record", report.Params{"name": name}, err, "%s: %v", name, err)}
	}
	key, err := dkim.DecodeKey(rec.EffectiveKeyType(), rec.PublicKey)
	if err != nil {
		return keyResult{rec: rec, err: newErr(ErrKey, "key_record", report.Params{"name": name}, err, "%s: %v", name, err)}
	}
	if key.Type == "rsa" && key.Bits < dkim.MinRSABits {
		return keyResult{rec: rec, err: newErr(ErrKey, "key_short", report.Params{"name": name, "bits": key.Bits, "min": dkim.MinRSABits}, nil,
			"%s: RSA key of %d bits, fewer than %d (RFC 8301 §3.2)", name, key.Bits, dkim.MinRSABits)}
	}
	return keyResult{key: key, rec: rec}
}

// verifySignature checks b (base64) over data with the key for s/d and
// algorithm a ("rsa-sha256" or "ed25519-sha256"; RFC 8617 §4.1.1 allows no
// other, and RFC 8301 §3.1 forbids rsa-sha1).
func verifySignature(ctx context.Context, keys *keyCache, a, s, d, b string, data []byte) error {
	if _, err := dnsname.Parse(d); err != nil {
		return newErr(ErrTags, "bad_d", report.Params{"value": fmt.Sprintf("%q", d)}, nil, "d=%q is not a domain name", d)
	}
	if _, err := dnsname.ParseAny(s + "._domainkey." + d); err != nil || s == "" {
		return newErr(ErrTags, "bad_s", report.Params{"value": fmt.Sprintf("%q", s)}, nil, "s=%q is not a selector", s)
	}
	key, rec, err := keys.get(ctx, s, d)
	if err != nil {
		return err
	}
	if !rec.AllowsSHA256() {
		return newErr(ErrKey, "key_hash", nil, nil, "key h= does not allow sha256")
	}
	if !rec.ForEmail() {
		return newErr(ErrKey, "key_service", nil, nil, "key s= does not allow email")
	}
	switch err := dkim.VerifySignature(key, a, b, data); {
	case err == nil:
		return nil
	case errors.Is(err, dkim.ErrSignature):
		return ErrSig
	default:
		return newErr(ErrTags, "algorithm", nil, err, "%s", strings.TrimPrefix(err.Error(), "dkim: "))
	}
}

func stripWSP(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
}
