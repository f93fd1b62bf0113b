package message

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/i18n"
	"github.com/mailcheck/mailcheck/pkg/dnsname"
)

func dkimResults(v Verdicts) []string {
	var out []string
	for _, d := range v.DKIM {
		out = append(out, d.Domain+"/"+d.Selector+"="+d.Result)
	}
	return out
}

// A message sent directly: every re-check passes and agrees with the
// receiver's Authentication-Results.
func TestDirectMessage(t *testing.T) {
	env := world(t)
	raw := "Return-Path: <bounce@shop.example>\r\n" +
		received("mx1.receiver.example", "10.0.0.5", "mx2.receiver.example", "LMTP", sent().Add(5*time.Second)) +
		"Authentication-Results: mx1.receiver.example; spf=pass smtp.mailfrom=bounce@shop.example;\r\n dkim=pass header.d=shop.example header.s=s1; dmarc=pass header.from=shop.example\r\n" +
		"Authentication-Results: forged.example; dkim=pass\r\n" +
		received("mail.shop.example", "192.0.2.10", "mx1.receiver.example", "ESMTPS", sent().Add(2*time.Second)) +
		signDKIM(t, original(""))
	secs := run(t, env, raw, Options{})
	v := verdicts(secs)
	if v.SPF != "pass" || v.DMARC != "pass" || v.ARC != "none" || !slices.Equal(dkimResults(v), []string{"shop.example/s1=pass"}) {
		t.Fatalf("verdicts %+v", v)
	}
	d := secs["message"].Data.(*Data)
	if d.Boundary.Method != BoundaryAuthServID || d.Boundary.IP != "192.0.2.10" || d.Boundary.HELO != "mail.shop.example" || d.Boundary.Hop != 2 {
		t.Errorf("boundary %+v", d.Boundary)
	}
	if d.AtSource != AtBoundary || !d.At.Equal(sent().Add(2*time.Second)) {
		t.Errorf("judged at %v (%s)", d.At, d.AtSource)
	}
	if len(d.Differences) != 0 {
		t.Errorf("differences %+v", d.Differences)
	}
	if got := ids(secs["message.receiver"]); !slices.Contains(got, ReceiverOther.ID) {
		t.Errorf("receiver findings %v", got)
	}
	path := secs["message.path"].Data.(*PathData)
	if len(path.Hops) != 2 || path.Hops[0].DelaySeconds == nil || *path.Hops[0].DelaySeconds != 3 || path.Hops[1].TLS == nil || !*path.Hops[1].TLS {
		t.Errorf("path %+v", path.Hops)
	}
	cl := secs["message.checklist"].Data.(*ChecklistData)
	for _, it := range cl.Items {
		if strings.HasPrefix(it.ID, "list_unsubscribe.") {
			if it.Status != StatusUnknown {
				t.Errorf("%s: %s", it.Requirement, it.Status)
			}
			continue
		}
		if it.Status != StatusPass {
			t.Errorf("%s: %s (%s)", it.Requirement, it.Status, it.Detail)
		}
	}
}

// Relayed through a mailing list that adds a footer and seals ARC: SPF
// (for the list's address) and DKIM fail, the chain passes and records the
// earlier passes. The receiver recorded dkim=pass for a copy that was
// then changed again: that difference is explained as a body change.
func TestListRelayWithARC(t *testing.T) {
	env := world(t)
	signed := signDKIM(t, original(""))
	inbound := received("mail.shop.example", "192.0.2.10", "lists.list.example", "ESMTPS", sent().Add(time.Second)) + signed
	footer := strings.TrimSuffix(inbound, "\r\n") + "\r\n--\r\nlist footer\r\n"
	sealed := seal(t, footer, 1, "spf=pass smtp.mailfrom=bounce@shop.example; dkim=pass header.d=shop.example; dmarc=pass", "none")
	raw := "Return-Path: <list-bounces@list.example>\r\n" +
		"Authentication-Results: mx.receiver.example; spf=pass smtp.mailfrom=list-bounces@list.example;\r\n dkim=fail header.d=shop.example header.s=s1; arc=pass; dmarc=fail header.from=shop.example\r\n" +
		received("lists.list.example", "198.51.100.7", "mx.receiver.example", "ESMTP", sent().Add(time.Minute)) +
		sealed
	secs := run(t, env, raw, Options{})
	v := verdicts(secs)
	if v.SPF != "pass" || v.DMARC != "fail" || v.ARC != "pass" || !slices.Equal(dkimResults(v), []string{"shop.example/s1=fail"}) {
		t.Fatalf("verdicts %+v", v)
	}
	d := secs["message"].Data.(*Data)
	if len(d.Differences) != 0 {
		t.Errorf("differences %+v", d.Differences)
	}
	dm := secs["message.dmarc"].Data.(*DMARCData)
	if dm.Disposition != "reject" || dm.SPFAligned || dm.SPFDomain != "list.example" {
		t.Errorf("dmarc %+v", dm)
	}
	if got := ids(secs["message.checklist"]); !slices.Contains(got, TLSMissing.ID) || !slices.Contains(got, "ptr.not_fcrdns") {
		t.Errorf("checklist findings %v", got)
	}

	// The receiver said dkim=pass: the copy here differs from the one it saw.
	raw2 := strings.Replace(raw, "dkim=fail header.d=shop.example", "dkim=pass header.d=shop.example", 1)
	raw2 = strings.Replace(raw2, "dmarc=fail header.from", "dmarc=pass header.from", 1)
	d2 := run(t, env, raw2, Options{})["message"].Data.(*Data)
	causes := map[string]string{}
	for _, df := range d2.Differences {
		causes[df.Method] = df.Cause.Key
	}
	if causes["dkim"] != "message.cause.dkim.body_changed" || causes["dmarc"] != "message.cause.dmarc.arc" || causes["spf"] != "" {
		t.Errorf("causes %+v", causes)
	}
	// The DKIM failure itself is explained by the chain, next to it.
	dks := secs["message.dkim"]
	if !slices.Contains(ids(dks), "dkim.sig.invalid") || len(dks.Display.Facts) != 1 || dks.Display.Facts[0].Value.Key != "message.arc.explains" {
		t.Fatalf("dkim section without the ARC explanation: %v %+v", ids(dks), dks.Display.Facts)
	}
	i18n.For(i18n.English).LocalizeSection(&dks)
	if got := dks.Display.Facts[0].Value.String(); !strings.Contains(got, "ARC set i=1 (lists.list.example) recorded dkim=pass") {
		t.Errorf("ARC explanation %q", got)
	}
	fr := secs["message.dmarc"]
	i18n.For(i18n.French).LocalizeSection(&fr)
	if f := fr.Findings[0]; f.ID != DMARCFail.ID || !strings.Contains(f.Detail, "demande aux serveurs destinataires de le rejeter") || !strings.Contains(f.Detail, "le jeu ARC i=1 (lists.list.example) a enregistré") {
		t.Errorf("French: %s: %s", f.ID, f.Detail)
	}
}

// Pasted headers: DKIM is neutral (header signature verified, body not
// available), and the report says what could not be checked.
func TestHeadersOnly(t *testing.T) {
	env := world(t)
	full := "Return-Path: <bounce@shop.example>\r\n" + received("mail.shop.example", "192.0.2.10", "mx.receiver.example", "ESMTPS", sent()) + signDKIM(t, original(""))
	headers, _, _ := strings.Cut(full, "\r\n\r\n")
	secs := run(t, env, strings.ReplaceAll(headers, "\r\n", "\n")+"\n", Options{IP: "203.0.113.9"})
	v := verdicts(secs)
	if !slices.Equal(dkimResults(v), []string{"shop.example/s1=neutral"}) || v.SPF != "fail" || v.DMARC != "neutral" {
		t.Fatalf("verdicts %+v", v)
	}
	d := secs["message"].Data.(*Data)
	if !d.HeadersOnly || len(d.Unchecked) == 0 || !slices.Contains(ids(secs["message"]), HeadersOnly.ID) {
		t.Errorf("headers only not reported: %+v", d)
	}
	if s := secs["message.spf"].Data.(*SPFData); s.IPSource != SourceFlag {
		t.Errorf("ip source %s", s.IPSource)
	}
	// A tampered signed header fails even without the body.
	tampered := strings.Replace(headers, "Subject: Your order", "Subject: Your 0rder", 1) + "\r\n"
	if v := verdicts(run(t, env, tampered, Options{})); !slices.Equal(dkimResults(v), []string{"shop.example/s1=fail"}) {
		t.Errorf("tampered: %+v", v)
	}
}

// DKIM x= is judged at the boundary's date, or at --at.
func TestExpiryJudgedWhenReceived(t *testing.T) {
	env := world(t)
	x := sent().Add(time.Hour)
	msg := original("")
	fields, body, _ := splitForSign(t, msg)
	bh := bodyHash(body)
	sig := signWith(t, "DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/relaxed; d=shop.example; s=s1; t="+unix(sent())+"; x="+unix(x)+"; h=from:to:subject; bh="+bh+";", headerData(fields, "from", "to", "subject"))
	raw := received("mail.shop.example", "192.0.2.10", "mx.receiver.example", "ESMTPS", sent().Add(time.Minute)) + sig + msg
	if v := verdicts(run(t, env, raw, Options{})); !slices.Equal(dkimResults(v), []string{"shop.example/s1=pass"}) {
		t.Errorf("on arrival: %+v", v)
	}
	if v := verdicts(run(t, env, raw, Options{At: x.Add(time.Second)})); !slices.Equal(dkimResults(v), []string{"shop.example/s1=neutral"}) || v.DMARC == "neutral" {
		// Expired is neutral (RFC 8601 §2.7.1), and decides nothing for
		// DMARC: only a missing body makes DMARC undecided.
		t.Errorf("after x=: %+v", v)
	}
}

func TestBoundary(t *testing.T) {
	hops := []Hop{
		ParseReceived(1, "from mx1.corp.example (mx1.corp.example [10.0.0.1]) by mx2.corp.example with ESMTP; Sun, 1 Nov 2026 12:00:05 +0000"),
		ParseReceived(2, "from out.sender.example (out.sender.example [198.51.100.20]) by mx1.corp.example with ESMTPS; Sun, 1 Nov 2026 12:00:02 +0000"),
		ParseReceived(3, "from [192.168.1.9] by out.sender.example with ESMTPSA; Sun, 1 Nov 2026 12:00:00 +0000"),
	}
	b := findBoundary(hops, dnsname.MustParse("corp.example"), nil)
	if b.Method != BoundaryReceiver || b.Hop != 2 || b.IP != "198.51.100.20" {
		t.Errorf("receiver: %+v", b)
	}
	b = findBoundary(hops, dnsname.Domain{}, nil)
	if b.Method != BoundaryHeuristic || b.Hop != 2 {
		t.Errorf("heuristic: %+v", b)
	}
	b = findBoundary(hops[2:], dnsname.Domain{}, nil)
	if b.Method != BoundaryNone || b.IP != "" {
		t.Errorf("none: %+v", b)
	}
}

func TestChecklistBulk(t *testing.T) {
	env := world(t)
	extra := "List-Unsubscribe: <mailto:u@shop.example>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
	raw := received("mail.shop.example", "192.0.2.10", "mx.receiver.example", "ESMTPS", sent()) + signDKIM(t, original(extra))
	secs := run(t, env, raw, Options{})
	got := ids(secs["message.checklist"])
	if !slices.Contains(got, ListUnsubNoHTTPS.ID) || slices.Contains(got, ListUnsubNoPost.ID) {
		t.Errorf("findings %v", got)
	}
	cl := secs["message.checklist"].Data.(*ChecklistData)
	for _, it := range cl.Items {
		if it.ID == "list_unsubscribe.signed" && it.Status != StatusFail {
			t.Errorf("unsigned List-Unsubscribe: %s", it.Status)
		}
	}
	// Signed with both fields: covered.
	extra = "List-Unsubscribe: <https://shop.example/u/1>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
	raw = received("mail.shop.example", "192.0.2.10", "mx.receiver.example", "ESMTPS", sent()) +
		signDKIM(t, original(extra), "From", "To", "Subject", "List-Unsubscribe", "List-Unsubscribe-Post")
	cl = run(t, env, raw, Options{})["message.checklist"].Data.(*ChecklistData)
	for _, it := range cl.Items {
		if strings.HasPrefix(it.ID, "list_unsubscribe.") && it.Status != StatusPass {
			t.Errorf("%s: %s (%s)", it.ID, it.Status, it.Detail.Key)
		}
	}
}

func TestTwoFromFields(t *testing.T) {
	env := world(t)
	raw := received("mail.shop.example", "192.0.2.10", "mx.receiver.example", "ESMTPS", sent()) +
		"From: evil@attacker.example\r\n" + signDKIM(t, original(""))
	secs := run(t, env, raw, Options{})
	v := verdicts(secs)
	if v.DMARC != "permerror" || !slices.Equal(dkimResults(v), []string{"shop.example/s1=pass"}) {
		t.Errorf("verdicts %+v", v)
	}
	if !slices.Contains(ids(secs["message.checklist"]), FromCount.ID) {
		t.Errorf("findings %v", ids(secs["message.checklist"]))
	}
}

func TestParseRefoldsLostFolding(t *testing.T) {
	in := "Received: from a.example (a.example [192.0.2.1])\nby mx.example.net with ESMTPS id 1;\nSun, 1 Nov 2026 12:00:00 +0000\nFrom: a@a.example\nSubject: x\n\n"
	m, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	hops := ParsePath(m)
	if len(m.Fields) != 3 || len(hops) != 1 || hops[0].By != "mx.example.net" || hops[0].Date == nil {
		t.Errorf("fields %d, hops %+v", len(m.Fields), hops)
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{"", "   \n", "not a header line\n\nbody", " leading continuation\n"} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// Headers pasted from a Gmail-like "show original" page: a summary above
// the fields, an internal hand-off hop on top ("by 2002:...", no from),
// Received-SPF, and CRLF/LF mixed by the clipboard.
func TestPastedGmailHeaders(t *testing.T) {
	env := world(t)
	signed := signDKIM(t, original(""))
	head, _, _ := strings.Cut(signed, "\r\n\r\n")
	raw := "Original Message\nMessage ID\t<42@shop.example>\nCreated at:\tyesterday\n\n" +
		"Delivered-To: customer@receiver.example\r\n" +
		"Received: by 2002:a05:6a10:1234:b0:55::5 with SMTP id x1;\r\n        " + rfc5322(sent().Add(3*time.Second)) + "\r\n" +
		"Return-Path: <bounce@shop.example>\r\n" +
		"Received: from mail.shop.example (mail.shop.example. [192.0.2.10])\r\n        by mx.receiver.example with ESMTPS id y2\r\n        for <customer@receiver.example>; " + rfc5322(sent().Add(2*time.Second)) + "\r\n" +
		"Received-SPF: pass (receiver.example: domain of bounce@shop.example designates 192.0.2.10 as permitted sender) client-ip=192.0.2.10;\r\n" +
		"Authentication-Results: mx.receiver.example;\r\n       dkim=pass header.i=@shop.example header.s=s1;\r\n       spf=pass smtp.mailfrom=bounce@shop.example;\r\n       dmarc=pass (p=REJECT) header.from=shop.example\r\n" +
		strings.ReplaceAll(head, "\r\n", "\n") + "\n"
	secs := run(t, env, raw, Options{})
	d := secs["message"].Data.(*Data)
	if d.Boundary.Method != BoundaryAuthServID || d.Boundary.Hop != 2 || d.Boundary.IP != "192.0.2.10" {
		t.Errorf("boundary %+v", d.Boundary)
	}
	if !d.HeadersOnly || len(d.Differences) != 1 || d.Differences[0].Method != "dkim" {
		t.Errorf("headers only %v, differences %+v", d.HeadersOnly, d.Differences)
	}
	rd := secs["message.receiver"].Data.(*ReceiverData)
	spfOwn := 0
	for _, f := range rd.Fields {
		if f.Field == "Received-SPF" && f.Receiver {
			spfOwn++
		}
	}
	if rd.AuthServID != "mx.receiver.example" || spfOwn != 1 {
		t.Errorf("receiver %s, Received-SPF attributed %d", rd.AuthServID, spfOwn)
	}
	if v := d.Verdicts; v.SPF != "pass" || v.DMARC != "pass" || !slices.Equal(dkimResults(v), []string{"shop.example/s1=neutral"}) {
		t.Errorf("verdicts %+v", v)
	}
}

// Microsoft 365 writes Authentication-Results without an authserv-id; the
// top one is still the receiver's, and the boundary is found from the
// hops (Microsoft's "with Microsoft SMTP Server (version=TLS1_2...)").
func TestMicrosoftHeaders(t *testing.T) {
	env := world(t)
	raw := "Authentication-Results: spf=pass (sender IP is 192.0.2.10)\r\n smtp.mailfrom=shop.example; dkim=pass (signature was verified)\r\n header.d=shop.example;dmarc=pass action=none\r\n header.from=shop.example;compauth=pass reason=100\r\n" +
		"Received: from mail.shop.example (192.0.2.10) by AM0PR01MB1234.eurprd01.prod.outlook.com (2603:10a6:208:1::1) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.1; " + rfc5322(sent().Add(time.Second)) + "\r\n" +
		"Return-Path: bounce@shop.example\r\n" + signDKIM(t, original(""))
	secs := run(t, env, raw, Options{})
	d := secs["message"].Data.(*Data)
	if d.Boundary.IP != "192.0.2.10" || d.Boundary.Method != BoundaryHeuristic {
		t.Errorf("boundary %+v", d.Boundary)
	}
	if v := d.Verdicts; v.SPF != "pass" || v.DMARC != "pass" || len(d.Differences) != 0 {
		t.Errorf("verdicts %+v differences %+v", v, d.Differences)
	}
	if slices.Contains(ids(secs["message.receiver"]), ReceiverMissing.ID) {
		t.Error("receiver results not attributed")
	}
	path := secs["message.path"].Data.(*PathData)
	if h := path.Hops[0]; h.TLS == nil || !*h.TLS {
		t.Errorf("TLS not read from %q", h.Raw)
	}
}

// An Authentication-Results field with the receiver's authserv-id below
// the sender's own Received field came with the message: forged.
func TestForgedReceiverResults(t *testing.T) {
	env := world(t)
	raw := "Authentication-Results: mx.receiver.example; spf=fail smtp.mailfrom=bounce@shop.example\r\n" +
		received("mail.shop.example", "203.0.113.9", "mx.receiver.example", "ESMTPS", sent().Add(time.Second)) +
		"Received: from [10.0.0.2] by mail.shop.example with ESMTPSA; " + rfc5322(sent()) + "\r\n" +
		"Authentication-Results: mx.receiver.example; spf=pass; dkim=pass; dmarc=pass\r\n" +
		"Return-Path: <bounce@shop.example>\r\n" + original("")
	secs := run(t, env, raw, Options{})
	rd := secs["message.receiver"].Data.(*ReceiverData)
	if !rd.Fields[0].Receiver || rd.Fields[1].Receiver || !rd.Fields[1].Forged {
		t.Errorf("fields %+v", rd.Fields)
	}
	if !slices.Contains(ids(secs["message.receiver"]), ReceiverForged.ID) {
		t.Errorf("findings %v", ids(secs["message.receiver"]))
	}
	if d := secs["message"].Data.(*Data); len(d.Differences) != 0 {
		t.Errorf("the forged pass was compared: %+v", d.Differences)
	}
}
