package message

import (
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/arc"
	"github.com/mailcheck/mailcheck/pkg/authres"
	"github.com/mailcheck/mailcheck/pkg/dkim"
)

// compare lines the receiver's recorded results up with the re-check and
// explains each disagreement with the cause the evidence points to.
func compare(recv []ReceivedResult, spfd SPFData, dk *dkim.MessageData, dm DMARCData, arcd ARCData) []Difference {
	out := []Difference{}
	arcSays := arcEarlier(recv, arcd)

	if rs := receiverMethods(recv, "spf"); len(rs) > 0 {
		r := rs[0].Result
		if !sameResult(r, spfd.Result) {
			cause := ""
			switch {
			case isPass(r) && !isPass(spfd.Result):
				cause = fmt.Sprintf("The receiver's SPF check passed, the re-check for %s does not: the sender's SPF record changed since the message was received, or the receiver saw another client than the boundary found here (check --ip and --sender).", orDash(spfd.IP))
			case isPass(spfd.Result):
				cause = fmt.Sprintf("The re-check passes for %s but the receiver did not: the receiver judged another client (the message was forwarded and the forwarder's address is not in the sender's SPF record), or the record was fixed after the message was received.", orDash(spfd.IP))
			default:
				cause = "The SPF record or its includes changed since the message was received, or the receiver saw another client or sender."
			}
			if s := arcSays["spf"]; s != "" && !isPass(r) {
				cause = "A forwarder broke SPF: " + s + ". ARC explains it, if the receiver trusts that sealer."
			}
			out = append(out, Difference{Method: "spf", Receiver: r, Recheck: spfd.Result, Cause: cause})
		}
	}

	if rs := receiverMethods(recv, "dkim"); len(rs) > 0 && dk != nil {
		for _, rm := range rs {
			sig, ok := matchSignature(rm, dk.Signatures)
			if !ok || sameResult(rm.Result, sig.Result) {
				continue
			}
			subject := fmt.Sprintf("d=%s s=%s", sig.Domain, sig.Selector)
			var cause string
			switch {
			case sig.Result == dkim.ResultNeutral:
				cause = "The body was not supplied, so the re-check could verify the signed header fields only."
			case isPass(rm.Result) && sig.BodyHashOK != nil && !*sig.BodyHashOK:
				cause = "The body changed after the receiver verified it: the copy checked here is not the one received (forwarded as an attachment, re-saved, or converted by a mail client)."
			case isPass(rm.Result) && (sig.Reason == "no key" || sig.Reason == "key revoked"):
				cause = fmt.Sprintf("The key at %s._domainkey.%s is gone or revoked now: the key was rotated since the message was received.", sig.Selector, sig.Domain)
			case isPass(rm.Result) && sig.Reason == "signature does not verify":
				cause = fmt.Sprintf("The key at %s._domainkey.%s no longer matches the signature: the key was rotated since the message was received, or a signed header field was changed after the receiver checked it.", sig.Selector, sig.Domain)
			case isPass(rm.Result) && sig.Result == dkim.ResultTemperror:
				cause = "The key could not be fetched now (DNS trouble); the receiver got it."
			case isPass(sig.Result) && (rm.Result == "temperror" || rm.Result == "permerror"):
				cause = "The receiver could not fetch or read the key when the message arrived (DNS trouble, or a key published later)."
			case isPass(sig.Result):
				cause = "The re-check verifies the signature the receiver failed: the key was published or fixed after the message arrived, or the message the receiver saw differed (a gateway in front of it changed it and a later hop restored it)."
			default:
				cause = "The receiver and the re-check read the signature differently: " + sig.Reason + "."
			}
			if s := arcSays["dkim"]; s != "" && !isPass(rm.Result) {
				cause = "An intermediary (a mailing list, most likely) changed the message after it was signed: " + s + ". ARC explains it, if the receiver trusts that sealer."
			}
			out = append(out, Difference{Method: "dkim", Subject: subject, Receiver: rm.Result, Recheck: sig.Result, Cause: cause})
		}
	}

	if rs := receiverMethods(recv, "dmarc"); len(rs) > 0 && !sameResult(rs[0].Result, dm.Result) {
		cause := "It follows from the SPF and DKIM differences above."
		if len(out) == 0 {
			cause = "SPF and DKIM agree with the receiver, so the DMARC record or the alignment changed since, or the receiver applied a local override (ARC, a forwarding allow-list)."
			if s := arcSays["dmarc"]; s != "" {
				cause = "The receiver's DMARC result differs: " + s + "."
			}
		}
		out = append(out, Difference{Method: "dmarc", Receiver: rs[0].Result, Recheck: dm.Result, Cause: cause})
	}

	if rs := receiverMethods(recv, "arc"); len(rs) > 0 && !sameResult(rs[0].Result, arcResult(arcd)) {
		cause := "The chain was sealed again after the receiver checked it, or a key changed since: " + orDash(arcd.Reason) + "."
		if arcd.BodyUnchecked {
			cause = "The body was not supplied, so the ARC-Message-Signature body hash could not be checked."
		}
		out = append(out, Difference{Method: "arc", Receiver: rs[0].Result, Recheck: arcResult(arcd), Cause: cause})
	}
	return out
}

// arcEarlier says, per method, what the earliest sealed ARC-Authentication-
// Results recorded when it passed there, provided the chain validates:
// the evidence that an intermediary, not the sender, broke SPF or DKIM.
func arcEarlier(recv []ReceivedResult, arcd ARCData) map[string]string {
	out := map[string]string{}
	if arcd.CV != arc.Pass {
		return out
	}
	best := map[string]int{}
	for _, r := range recv {
		if r.Field != "ARC-Authentication-Results" || r.Error != "" {
			continue
		}
		for _, m := range r.Methods {
			if !isPass(m.Result) {
				continue
			}
			if i, seen := best[m.Method]; seen && i <= r.Instance {
				continue
			}
			best[m.Method] = r.Instance
			out[m.Method] = fmt.Sprintf("the ARC set i=%d (%s) recorded %s=pass before the message reached the receiver", r.Instance, r.AuthServID, m.Method)
		}
	}
	return out
}

// matchSignature finds the re-checked signature a receiver's dkim result
// is about: by header.d (or the domain of header.i) and header.s, or by the
// header.b prefix (RFC 6008 §2).
func matchSignature(rm authres.Method, sigs []dkim.SignatureData) (dkim.SignatureData, bool) {
	d := strings.ToLower(rm.Get("header", "d"))
	if d == "" {
		if i := rm.Get("header", "i"); i != "" {
			d = strings.ToLower(i[strings.LastIndexByte(i, '@')+1:])
		}
	}
	s := rm.Get("header", "s")
	var candidates []dkim.SignatureData
	for _, sig := range sigs {
		if d != "" && sig.Domain != d {
			continue
		}
		if s != "" && sig.Selector != s {
			continue
		}
		candidates = append(candidates, sig)
	}
	if len(candidates) == 1 {
		return candidates[0], true
	}
	return dkim.SignatureData{}, false
}

func isPass(r string) bool { return strings.EqualFold(r, "pass") }

// sameResult compares results, treating RFC 8601's "hardfail" (older
// receivers) as fail and "policy" as fail-like.
func sameResult(a, b string) bool {
	norm := func(s string) string {
		s = strings.ToLower(s)
		if s == "hardfail" {
			return "fail"
		}
		return s
	}
	return norm(a) == norm(b)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
