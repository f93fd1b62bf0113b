package message

import (
	"fmt"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/pkg/arc"
	"github.com/mailcheck/mailcheck/pkg/authres"
	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/mailcheck/mailcheck/pkg/report"
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
			var cause report.Msg
			p := report.Params{"ip": orDash(spfd.IP)}
			switch {
			case isPass(r) && !isPass(spfd.Result):
				cause = report.T("message.cause.spf.receiver_passed", p)
			case isPass(spfd.Result):
				cause = report.T("message.cause.spf.recheck_passes", p)
			default:
				cause = report.T("message.cause.spf.changed", p)
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
			p := report.Params{"selector": sig.Selector, "domain": sig.Domain, "verified_at": dk.VerifiedAt.Format(time.RFC3339), "reason": dkim.ReasonMsg(sig.Reason)}
			key := ""
			switch {
			case sig.Result == dkim.ResultNeutral && sig.HeaderSignatureOK != nil:
				key = "no_body"
			case isPass(rm.Result) && sig.BodyHashOK != nil && !*sig.BodyHashOK:
				key = "body_changed"
			case isPass(rm.Result) && (sig.Reason == "no key" || sig.Reason == "key revoked"):
				key = "key_gone"
			case isPass(rm.Result) && sig.Reason == "signature does not verify":
				key = "key_changed"
			case isPass(rm.Result) && sig.Result == dkim.ResultTemperror:
				key = "key_temperror"
			case isPass(sig.Result) && sig.Expires != nil && (strings.Contains(strings.ToLower(rm.Comment+" "+rm.Reason), "expired") || rm.Result == "neutral"):
				key = "expired"
				p["expires"] = sig.Expires.Format(time.RFC3339)
			case isPass(sig.Result) && (rm.Result == "temperror" || rm.Result == "permerror"):
				key = "receiver_no_key"
			case isPass(sig.Result):
				key = "recheck_passes"
			default:
				key = "read_differently"
			}
			out = append(out, Difference{Method: "dkim", Subject: subject, Receiver: rm.Result, Recheck: sig.Result, Cause: report.T("message.cause.dkim."+key, p)})
		}
	}

	if rs := receiverMethods(recv, "dmarc"); len(rs) > 0 && !sameResult(rs[0].Result, dm.Result) {
		cause := report.T("message.cause.dmarc.follows", nil)
		switch {
		case isPass(rs[0].Result) && dm.Result == "fail" && (!arcSays["dkim"].IsZero() || !arcSays["spf"].IsZero() || !arcSays["dmarc"].IsZero()):
			cause = report.T("message.cause.dmarc.arc", report.Params{"earlier": firstOf(arcSays["dmarc"], arcSays["dkim"], arcSays["spf"])})
		case len(out) == 0:
			cause = report.T("message.cause.dmarc.changed", nil)
		}
		out = append(out, Difference{Method: "dmarc", Receiver: rs[0].Result, Recheck: dm.Result, Cause: cause})
	}

	if rs := receiverMethods(recv, "arc"); len(rs) > 0 && !sameResult(rs[0].Result, arcResult(arcd)) {
		cause := report.T("message.cause.arc.resealed", report.Params{"reason": arcWhy(arcd)})
		if arcd.BodyUnchecked {
			cause = report.T("message.cause.arc.no_body", nil)
		}
		out = append(out, Difference{Method: "arc", Receiver: rs[0].Result, Recheck: arcResult(arcd), Cause: cause})
	}
	return out
}

// arcEarlier says, per method, what the earliest sealed ARC-Authentication-
// Results recorded when it passed there, provided the chain validates:
// the evidence that an intermediary, not the sender, broke SPF or DKIM.
func arcEarlier(recv []ReceivedResult, arcd ARCData) map[string]report.Msg {
	out := map[string]report.Msg{}
	if arcd.CV != arc.Pass {
		return out
	}
	best := map[string]int{}
	for _, r := range recv {
		if r.Field != "ARC-Authentication-Results" || !r.Error.IsZero() {
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
			out[m.Method] = report.T("message.arc.earlier", report.Params{"instance": r.Instance, "authserv_id": r.AuthServID, "method": m.Method})
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

// explainByARC returns why SPF or DKIM failing here is expected, when the
// ARC chain validates and an earlier set recorded a pass: an intermediary
// changed the message or relayed it from its own address. Zero otherwise.
func explainByARC(recv []ReceivedResult, arcd ARCData, method string) report.Msg {
	if s := arcEarlier(recv, arcd)[method]; !s.IsZero() {
		return report.T("message.arc.explains", report.Params{"earlier": s})
	}
	return report.Msg{}
}

func firstOf(ms ...report.Msg) report.Msg {
	for _, m := range ms {
		if !m.IsZero() {
			return m
		}
	}
	return report.Msg{}
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
