package message

import (
	"fmt"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/pkg/arc"
	"github.com/mailcheck/mailcheck/pkg/authres"
	"github.com/mailcheck/mailcheck/pkg/dkim"
)

// compare lines the receiver's recorded results up with the re-check and
// explains each disagreement with the cause the evidence points to.
func compare(recv []ReceivedResult, spfd SPFData, dk *dkim.MessageData, dm DMARCData, arcd ARCData) []Difference {
	out := []Difference{}
	arcSays := arcEarlier(recv, arcd)

	// SPF is compared only when it was re-checked (a client address known).
	if rs := receiverMethods(recv, "spf"); len(rs) > 0 && spfd.Evaluation != nil {
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
			out = append(out, Difference{Method: "spf", Receiver: r, Recheck: spfd.Result, Cause: cause})
		}
	}

	if rs := receiverMethods(recv, "dkim"); len(rs) > 0 && dk != nil {
		for _, rm := range rs {
			sig, ok := matchSignature(rm, dk.Signatures)
			if !ok || sameDKIM(rm.Result, sig.Result) {
				continue
			}
			subject := fmt.Sprintf("d=%s s=%s", sig.Domain, sig.Selector)
			var cause string
			switch {
			case sig.Result == dkim.ResultNeutral && sig.HeaderSignatureOK != nil:
				cause = "The body was not supplied, so the re-check could verify the signed header fields only."
			case isPass(rm.Result) && sig.BodyHashOK != nil && !*sig.BodyHashOK:
				cause = "The body changed after the receiver verified it: the copy checked here is not the one received (forwarded as an attachment, re-saved, or converted by a mail client)."
			case isPass(rm.Result) && (sig.Reason == "no key" || sig.Reason == "key revoked"):
				cause = fmt.Sprintf("The key at %s._domainkey.%s is gone or revoked now: the key was rotated since the message was received.", sig.Selector, sig.Domain)
			case isPass(rm.Result) && sig.Reason == "signature does not verify":
				cause = fmt.Sprintf("The key at %s._domainkey.%s no longer matches the signature: the key was rotated since the message was received, or a signed header field was changed after the receiver checked it.", sig.Selector, sig.Domain)
			case isPass(rm.Result) && sig.Result == dkim.ResultTemperror:
				cause = "The key could not be fetched now (DNS trouble); the receiver got it."
			case isPass(sig.Result) && sig.Expires != nil && (strings.Contains(strings.ToLower(rm.Comment+" "+rm.Reason), "expired") || rm.Result == "neutral"):
				cause = fmt.Sprintf("The signature carries x=%s: the receiver judged it after it had expired, while at the time the message was received (%s) it was valid. A signature that expires within days of sending makes late or re-checked deliveries fail.", sig.Expires.Format(time.RFC3339), dk.VerifiedAt.Format(time.RFC3339))
			case isPass(sig.Result) && (rm.Result == "temperror" || rm.Result == "permerror"):
				cause = "The receiver could not fetch or read the key when the message arrived (DNS trouble, or a key published later)."
			case isPass(sig.Result):
				cause = "The re-check verifies the signature the receiver failed: the key was published or fixed after the message arrived, or the message the receiver saw differed (a gateway in front of it changed it and a later hop restored it)."
			default:
				cause = "The receiver and the re-check read the signature differently: " + sig.Reason + "."
			}
			out = append(out, Difference{Method: "dkim", Subject: subject, Receiver: rm.Result, Recheck: sig.Result, Cause: cause})
		}
	}

	if rs := receiverMethods(recv, "dmarc"); len(rs) > 0 && !sameResult(rs[0].Result, dm.Result) {
		cause := "It follows from the SPF and DKIM differences above."
		switch {
		case isPass(rs[0].Result) && dm.Result == "fail" && (arcSays["dkim"] != "" || arcSays["spf"] != "" || arcSays["dmarc"] != ""):
			cause = "ARC explains it: the receiver trusted the ARC chain, in which " + firstOf(arcSays["dmarc"], arcSays["dkim"], arcSays["spf"]) + "; an intermediary (a mailing list, most likely) broke SPF or DKIM after that."
		case len(out) == 0:
			cause = "SPF and DKIM agree with the receiver, so the DMARC record or the alignment changed since, or the receiver applied a local override (ARC, a forwarding allow-list)."
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

// Explanation returns why SPF or DKIM failing here is expected, when the
// ARC chain validates and an earlier set recorded a pass: an intermediary
// changed the message or relayed it from its own address. "" otherwise.
func explainByARC(recv []ReceivedResult, arcd ARCData, method string) string {
	if s := arcEarlier(recv, arcd)[method]; s != "" {
		return s + "; an intermediary (a mailing list or forwarder) broke it after that, and the validated ARC chain explains it to receivers that trust the sealer"
	}
	return ""
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// sameDKIM: receivers write a signature that does not verify as fail,
// neutral or permerror (Gmail and mailauth say neutral for a body hash
// mismatch, RFC 6376 §6.1 says PERMFAIL); those are one conclusion.
func sameDKIM(a, b string) bool {
	invalid := func(s string) bool {
		switch strings.ToLower(s) {
		case "fail", "neutral", "permerror", "policy", "hardfail":
			return true
		}
		return false
	}
	return sameResult(a, b) || (invalid(a) && invalid(b))
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
