package message

import "github.com/mailcheck/mailcheck/pkg/report"

// dkimReasons are pkg/dkim's stable reasons (SignatureData.Reason, the
// words of its conformance manifest), by the key that words them for the
// signatures table here. A reason not listed is shown as it is.
var dkimReasons = map[string]string{
	"body hash mismatch":                          "body_hash",
	"signature does not verify":                   "signature",
	"key revoked":                                 "revoked",
	"key type does not match signature algorithm": "key_type",
	"no key":                         "no_key",
	"body length limit (l=) refused": "body_length",
	"x= is not after t=":             "expiry_before_signing",
	"i= domain differs from d= but the key has t=s":                    "strict_identity",
	"multiple key records":                                             "multiple_keys",
	"signature expired (x=)":                                           "expired",
	"rsa-sha1 not accepted (RFC 8301)":                                 "sha1",
	"RSA key shorter than 1024 bits (RFC 8301)":                        "short_key",
	"signature v= is not 1":                                            "version",
	"signature lacks a required tag":                                   "missing_tag",
	"From not signed":                                                  "from_unsigned",
	"i= is not within d=":                                              "identity",
	"key h= does not allow the signature's hash":                       "key_hash",
	"key s= does not allow email":                                      "key_service",
	"unknown key type":                                                 "unknown_key_type",
	"key record v= is not DKIM1":                                       "key_version",
	"key unparseable":                                                  "key_unparseable",
	"key record syntax error":                                          "key_syntax",
	"DNS error fetching the key":                                       "key_dns",
	"malformed signature":                                              "malformed",
	"unsupported canonicalization":                                     "canonicalization",
	"unsupported query method (q=)":                                    "query_method",
	"unsupported algorithm":                                            "algorithm",
	"body not available (headers only); the header signature verifies": "no_body",
}

// dkimReason words a DKIM signature's reason.
func dkimReason(r string) report.Msg {
	if k, ok := dkimReasons[r]; ok {
		return report.T("message.dkim.reason."+k, nil)
	}
	return report.Lit(r)
}
