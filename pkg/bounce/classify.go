package bounce

import (
	"regexp"
	"strings"
	"sync"
)

// pattern is one wording that names a reason. Patterns are matched against
// the lower-cased diagnostic; the first list that matches wins, so the
// specific ones come first.
type pattern struct {
	reason string
	lits   []string              // alternatives without metacharacters: substring tests
	re     func() *regexp.Regexp // the other alternatives, nil when none
}

func p(reason string, res ...string) pattern {
	pt := pattern{reason: reason}
	var rest []string
	for _, r := range res {
		if regexp.QuoteMeta(r) == r {
			pt.lits = append(pt.lits, r)
		} else {
			rest = append(rest, r)
		}
	}
	if len(rest) > 0 {
		// Compiled on first use, not at init: the tables' alternations
		// cost about 6 ms and 1.2 MB at every start of mailcheck, for
		// every command, when only bounce reads them (TestPatternsCompile
		// compiles them all, so a bad one still fails the tests).
		src := `(?:` + strings.Join(rest, `|`) + `)`
		pt.re = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(src) })
	}
	return pt
}

// match reports whether the lower-cased text has one of the wordings.
func (pt pattern) match(text string) bool {
	for _, l := range pt.lits {
		if strings.Contains(text, l) {
			return true
		}
	}
	return pt.re != nil && pt.re().MatchString(text)
}

// strong patterns name a cause precisely enough to win over a generic status
// code (a "5.1.1 mailbox full" is a full mailbox).
var strong = []pattern{
	p("securityerror", `unauthenticated senders?`, `authentication required`, `must (?:be )?authenticat`, `must issue a starttls`, `encryption required`,
		`tls required but not supported`, `authentication credentials invalid`, `authentication turned on in your email client`, `account not subscribed to ses`),
	p("mailboxfull", `mail ?box (?:is )?(?:full|over)`, `mailbox size`, `over ?quota`, `quota (?:exceeded|exceed|full|reached|violation|usage)`, `exceeded (?:the |his |her |their )?(?:storage|quota|mailbox)`,
		`full mailbox`, `user is over`, `storage (?:allocation|quota|space)`, `too much mail`, `(?:folder|inbox|account|box) (?:is |was )?full`,
		`disk quota`, `would exceed`, `not enough (?:disk |storage )?space`, `not sufficient disk space`, `insufficient (?:storage|space) (?:for|in) (?:the |this )?(?:user|mailbox)`,
		`boite (?:aux lettres |du destinataire )?pleine`, `boîte (?:aux lettres |du destinataire )?pleine`, `est pleine`, `mailbox has exceeded`, `quota`, `postfach voll`,
		`no space left on device`, `does not have enough space`, `space has been used up`, `too many messages on the server`, `exceeded the local limit`, `mail file size exceeds`),
	p("networkerror", `dns query failed`, `name server reply`, `unexpected name server`, `no route to host`, `network is unreachable`, `host is unreachable`,
		`too many hops`, `hop count exceeded`, `maximum forwarding loop count`, `unable to resolve route`, `host name lookup failure`, `dns records for the destination computer could not be found`),
	p("expired", `message expired`, `retry time(?:out)? (?:exceeded|reached)`, `delivery time expired`, `did not accept our requests to connect`, `message timed out`,
		`still undelivered after`, `unable to deliver in \d+ (?:minutes|hours)`, `(?:failed|after) \d+ (?:delivery )?attempts`, `delivery expired`, `have been failing for a long time`,
		`could not be delivered for more than`, `retry time not reached for any host after a long failure`, `unable to deliver message after multiple retries`,
		`was not reachable within the allowed queue period`, `expired after sitting in queue`),
	p("syntaxerror", `incorrectly constructed`, `malformed address`, `command parameter not implemented`, `syntax error`),
	p("toomanyconn", `frequency limited`, `too many (?:connections|sessions|concurrent|simultaneous|errors from your ip)`, `connection limit`, `connection rate limit`,
		`max emails per hour`, `maximum sending rate exceeded`, `daily message quota exceeded`, `trop de connexions`),
	p("rejected", `address (?:that )?(?:has been|is) blacklisted`, `sender address rejected`, `sender (?:domain|address) .{0,30}(?:invalid|not found|unknown|does not exist|must exist|is empty)`,
		`from: domain is invalid`, `domain of sender address`, `sender verif(?:y|ication) failed`, `you may not have permission to post`, `sender (?:email address )?rejected`,
		`sender was rejected`, `invalid sender`, `sender is in my badmailfrom`, `sender address has been blacklisted`, `your envelope sender has been denied`, `batv`,
		`null sender is not allowed`, `empty envelope senders not allowed`, `unroutable sender address`, `sender not pre-approved`, `emetteur invalide`, `mail from not owned by user`,
		`your email address has been blacklisted`, `bogus mail from`, `access denied \(in reply to mail from`),
	p("norelaying", `email address is not verified`, `identities failed the check`, `relay(?:ing)? (?:access )?(?:denied|not permitted|not allowed|prohibited|refused)`, `not permitted to relay`, `unable to relay`,
		`we do not relay`, `relay not (?:permitted|allowed)`, `no relaying`, `relaying denied`, `not a gateway`, `relay access`, `cannot relay`, `isn't allowed to relay`,
		`relaying mail to .{0,60} is not allowed`, `as a relay`, `insecure mail relay`, `not local host`, `we don't handle mail for`, `isn't in my list of allowed rcpthosts`,
		`not allowed to relay through`, `not an open relay`, `requires authentication when attempting to send to a non-local`),
	p("authfailure", `\b5\.7\.(?:2[0-36]|509|515)\b`, `\bdmarc\b`, `\bspf\b.{0,40}(?:fail|check|record|policy|not (?:pass|permit|designate))`,
		`sender policy framework`, `\bdkim\b.{0,40}(?:fail|invalid|signature|required)`, `unauthenticated (?:e-?mail|mail|message)`, `is unauthenticated`, `mail is not authenticated`,
		`authentication (?:level|checks? (?:failed|did not pass))`, `does not designate`, `not (?:an )?authori[sz]ed (?:to send|sender|ip)`,
		`sender domain.{0,40}(?:not pass|fail)`, `spf (?:hard)?fail`),
	p("requireptr", `\b5\.7\.25\b`, `\bptr\b`, `reverse (?:dns|lookup|mapping|address|hostname|resolution)`, `\brdns\b`,
		`cannot find your hostname`, `can't find your hostname`, `hostname does not match`, `ip name lookup failed`, `fcrdns`,
		`cannot resolve your (?:address|ip|hostname)`, `mismatches client ip`, `does not match (?:your |the )?(?:ip|client)`, `unresolvable (?:address|ip|client)`, `client host rejected: cannot`,
		`no (?:dns )?(?:reverse|ptr)`, `not have (?:a )?(?:valid )?(?:reverse|ptr)`, `custom reverse dns`),
	p("virusdetected", `\bvirus`, `malware`, `\binfected\b`, `trojan`, `potentially executable attachment`, `used by recent viruses`),
	p("exceedlimit", `exceeds? (?:the |an )?administrative limit`),
	p("mesgtoobig", `\b5\.3\.4\b`, `message (?:is |was |file )?too (?:big|large|long)`, `(?:message )?size (?:exceeds|too large|limit)`,
		`exceeds (?:the )?(?:maximum |max )?(?:allowed )?(?:inbound )?(?:message )?size`, `mail too large`, `too big for`, `message exceeds`,
		`exceeded maximum inbound message size`, `max message size`, `line limit exceeded`, `taille limite du message`),
	p("exceedlimit", `\b5\.2\.3\b`, `exceeds? (?:the )?(?:\w+ )?limit`, `limit exceeded`),
	p("suspend", `suspended`, `suspend the service`, `\bdisabled\b`, `deactivated`, `\binactive\b`, `account (?:has been |is )?(?:closed|locked|frozen|expired|blocked|discontinued|terminated)`,
		`not (?:an )?active`, `temporar(?:y|ily) locked`, `\blocked\b`, `\bfrozen\b`, `mailbox (?:is )?(?:disabled|locked|closed)`, `temporarily (?:deactivated|unavailable for)`,
		`account (?:is )?(?:not |un)available`, `has been (?:closed|disabled)`, `user is terminated`, `mailbox unavailable or access denied`),
	p("hasmoved", `has moved`, `\bmoved to\b`, `address (?:has )?changed`, `\b5\.1\.6\b`, `no longer (?:valid|in use|available at)`),
	p("badreputation", `reputation`, `\bs3140\b`, `unsolicited mail originating from your ip`),
	p("speeding", `\b4\.7\.28\b`, `\b5\.7\.28\b`, `unusual rate`, `at a rate that`, `rate limit`, `rate of (?:unsolicited )?(?:mail|e-?mail|messages)`, `too many (?:messages|mails|emails)`,
		`sending (?:rate|too fast)`, `throttl`, `\btoo fast\b`, `exceeded (?:the )?(?:sending )?rate`, `\btss04\b`, `try again slower`, `try again later.{0,30}rate`),
	p("userunknown", `not listed in (?:the )?(?:domino directory|public name|.{0,30}directory|.{0,30}address book)`),
	p("spamdetected", `blacklisted url`, `\buribl\b`, `spamcop\.net url`, `url in (?:the )?message`),
	p("blocked", `blocked using`, `blacklist`, `black list`, `blocklist`, `block list`, `\blisted (?:in|on|at|by)\b`, `spamhaus`, `\brbl\b`, `dnsbl`, `spamcop`,
		`barracuda`, `sorbs`, `\bs3150\b`, `\b5\.7\.(?:606|607|608|708)\b`, `client host .{0,80}(?:blocked|rejected|refused)`, `(?:your|the sending|sender|remote) (?:ip|host|server|network|remotehost)(?: address)? .{0,40}(?:blocked|banned|rejected|refused|listed|not allowed|looks)`,
		`ip (?:address )?(?:is |has been )?(?:blocked|banned|blacklisted)`, `refused to talk to me`, `\bbanned\b`, `connection (?:refused|rejected|denied)`, `not allowed to send`,
		`\btss09\b`, `access denied.{0,20}(?:ip|banned|ban)`, `\bban\b`, `my name was rejected`, `helo (?:command |name )?(?:rejected|invalid|refused)`, `invalid (?:helo|ehlo)`,
		`dynamic ip`, `not currently accepting mail from your ip`, `temporarily deferred due to (?:unexpected volume or )?user complaints`, `veuillez essayer plus tard`,
		`open proxy`, `you are not allowed to connect`, `is not allowed to send mail from this ip`, `all mail from ip`, `too many spams from your ip`,
		`not passed validation`, `use the smtp server of your isp`, `invalid ip for sending`, `your access to this mail system has been rejected`),
	p("spamdetected", `spam`, `\bjunk\b`, `unsolicited`, `bulk mail`, `bulk.advertising`, `content filter`, `suspicious`, `scored too high`, `phish`, `unacceptable content`,
		`recurrent pattern detection`, `flagged as`, `message content rejected`, `\bube\b`),
	p("policyviolation", `polic(?:y|ies) (?:violation|reasons|rejection)`, `violat`, `prohibited`, `not allowed by (?:our )?policy`, `local policy`, `\bpolicy\b.{0,30}(?:reject|denied|block)`, `content policy`,
		`attachment`, `embedded images`, `organizational settings`),
	p("notcompliantrfc", `rfc ?(?:5322|2822|822|5321|2045)`, `not (?:rfc )?compliant`, `multiple (?:from|subject|date|message-id|to) (?:fields|headers)`, `multiple addresses in from`, `duplicate header`,
		`missing (?:required )?(?:header|message-id|date)`, `malformed (?:header|message)`, `bare lf`),
	p("contenterror", `\b[45]\.6\.\d+\b`, `header (?:error|syntax|invalid|size exceeds)`, `(?:invalid|malformed|illegal) (?:mime|header|content|character|attachment)`, `line too long`, `8[- ]?bit`, `charset`,
		`contains invalid header`, `too many headers`),
	p("securityerror", `starttls`, `\btls\b.{0,30}(?:required|needed|must|fail)`, `encryption (?:required|needed)`, `certificate`, `\bssl\b`, `authentication failure`, `verification failure`,
		`executable files are not allowed`),
	p("notaccept", `null mx`, `nullmx`, `does not accept (?:e-?)?mail`, `\b5\.7\.27\b`, `not accept(?:ing)? (?:any )?(?:e-?)?mail`, `accepts no mail`,
		`couldn't find (?:a|any) mail exchanger`, `no (?:valid )?(?:mx|mail exchanger)`, `no route for current request`),
	p("hostunknown", `host (?:or domain name )?(?:not found|unknown)`, `unknown host`, `domain (?:name )?(?:not found|does not exist|unknown|doesn't exist|is not valid|invalid|is invalid|must exist)`, `no such domain`, `nxdomain`,
		`name or service not known`, `unrouteable (?:mail domain|address)`, `mx (?:record )?(?:lookup|not found)`, `invalid domain`, `host .{0,80} not found`, `unknown domain`,
		`not resolvable`, `domain .{0,60} (?:does not|doesn't) exist`, `domain is not reachable`, `(?:^|[\s:<\[])[a-z0-9-]+(?:\.[a-z0-9-]+)+>?:? (?:does not|doesn't) exist`, `hostname .{0,40} not found`,
		`could not resolve`, `domain lookup failed`, `host not found`, `account or domain may not exist`, `mail domain mentioned in email address is unknown`, `domain must exist`),
}

var mailboxFullIndex = func() int {
	for i, pt := range strong {
		if pt.reason == "mailboxfull" {
			return i
		}
	}
	panic("no mailboxfull pattern")
}()

// userunknown and filtered share their wording; the SMTP command decides:
// refused at RCPT the address is unknown, after DATA a filter refused it.
var unknownUser = p("userunknown", `user unknown`, `unknown user`, `no such (?:user|mailbox|recipient|address|account|local user|person|email)`,
	`(?:user|recipient|mailbox|address|account|addressee)(?: \S+)? (?:does not|doesn't|did not) exist`, `does not exist`, `not exist`,
	`(?:recipient|user|mailbox|address|addressee|account)(?: address)? (?:not found|unknown|invalid|not valid)`, `invalid (?:recipient|mailbox|user|address|account)`,
	`unknown (?:recipient|mailbox|address|local|alias)`, `not (?:a )?(?:valid|known) (?:user|recipient|mailbox|address)`, `mailbox (?:is )?unavailable`, `mailbox not available`,
	`addressee unknown`, `recipientnotfound`, `doesn't have a`, `no mailbox`, `not listed in`, `bad destination mailbox`, `name is not recognized`,
	`account .{0,30} not found`, `user not found`, `no valid recipients`, `not our customer`, `inconnu`, `n'existe pas`, `unbekannt`,
	`invalid recipient`, `rejected: undeliverable address`, `not a valid (?:user|recipient|mailbox|address)`, `user .{0,40} not (?:found|known)`, `mailbox .{0,40}(?:not found|unknown)`,
	`no such`, `unknown or illegal alias`, `destinataire invalide`, `invalid final delivery`, `no mailbox here`, `recipient address rejected`, `access denied`,
	`requested action not taken: mailbox unavailable`, `address unknown`, `bad address`, `badrcptto`, `not in my validrcptto`, `invalid address`, `is not a known user`,
	`no account by that name`, `not found in directory`, `not known at this site`, `recipient is not local`, `recipient not ok`, `recipient unknown`, `recipient is unknown`,
	`resolver\.adr\.recipient`, `email name is not found`, `no longer accepts mail`, `wrong or no longer valid`, `user not active`, `user missing home directory`, `utilisateur inconnu`,
	`no existe`, `unknown virtual user`, `ディレクトリ.{0,12}(?:見つかりません|ありません)`, `(?:ユーザ|宛先|アドレス).{0,30}(?:見つかりません|存在しません)`, `存在しないユーザ`, `address does not exist`, `archived recipient`, `could not be found`, `user doesn't exist`)

var emptyUserUnknown = lazy(`(?:\b[245]\d\d|->)(?: |: ): user unknown`)

var filteredWords = p("filtered", `not accepting (?:any )?mail`, `only accepting mail from specific`, `bounced address`, `has restricted sms`, `user refuses`, `refuse[sd]? to (?:accept|receive)`, `rejected by (?:the )?recipient`, `due to (?:the )?receiver'?s policy`,
	`restricted`, `this account is protected`, `user reject`, `recipient (?:is )?only accepting`, `recipient preferences`, `content filter`, `filter`)

var rejectedWords = p("rejected", `sender (?:address )?(?:rejected|refused|denied|blocked|not allowed|verify failed|unknown|domain)`, `domain of sender address`, `envelope sender`,
	`sender verification`, `your (?:e-?mail )?address (?:has been |is )?(?:rejected|blocked|blacklisted)`)

var generic = []pattern{
	p("systemfull", `insufficient system storage`, `system (?:storage|disk) (?:is )?full`, `out of (?:disk|storage)`, `disk (?:is )?full`),
	p("mailererror", `mailer error`, `x-unix`, `command died`, `unknown mailer`, `procmail`, `exit (?:status|code)`, `pipe to`, `program failed`, `\bsh: `, `error in pipe`),
	p("expired", `in the queue too long`, `too long in (?:the )?queue`, `connection timed out`, `giving up on`, `server did not respond`, `failed to deliver to domain`),
	p("systemerror", `mail (?:forwarding )?loop`, `loops back`, `loop detected`, `routing loop`, `forwarding loop`, `would create a mail loop`, `loop was found`,
		`system error`, `internal (?:server )?error`, `server error`, `local error`, `configuration error`, `config error`, `temporary local problem`, `ldap`, `resources temporarily`,
		`temporarily unavailable`, `service (?:is )?(?:currently |temporarily )?(?:not available|unavailable)`, `try again later`, `system (?:problem|failure)`, `i/o error`,
		`interrupted system call`, `error while being processed`, `could not load drd`, `can't create user output file`, `timeout waiting for input`),
	p("networkerror", `network error`, `connection (?:reset|closed|lost|dropped)`, `unreachable`, `lost connection`, `name service error`, `dns (?:failure|error|timeout|problem)`,
		`timed out`, `timeout`, `could not connect`),
	p("expired", `expired`, `could not be delivered (?:with)?in`, `delivery time`, `giving up`, `gave up`, `maximum time`, `for more than`, `undelivered for`,
		`has not yet been delivered`, `will (?:continue to )?(?:re)?try`, `delayed`, `delivery attempts will continue`),
	p("syntaxerror", `command unrecognized`, `unrecognized command`, `command not (?:recognized|implemented)`, `bad sequence`, `improper sequence`),
	p("securityerror", `\bauthentication\b`, `\bsecurity\b`),
}

// statusReason names the reason an RFC 3463 status code gives by itself
// (RFC 3463 §3, the IANA registry of RFC 5248). Codes too general to say
// anything (x.0.0, 5.7.1) are absent.
var statusReason = map[string]string{
	"1.0": "userunknown", "1.1": "userunknown", "1.2": "hostunknown", "1.3": "userunknown", "1.4": "userunknown", "1.5": "userunknown", "1.6": "hasmoved",
	"1.7": "rejected", "1.8": "rejected", "1.10": "userunknown",
	"2.0": "filtered", "2.1": "userunknown", "2.2": "mailboxfull", "2.3": "exceedlimit", "2.4": "systemerror",
	"3.0": "systemerror", "3.1": "systemfull", "3.2": "notaccept", "3.3": "systemerror", "3.4": "mesgtoobig", "3.5": "systemerror",
	"4.0": "networkerror", "4.1": "expired", "4.3": "systemerror", "4.4": "hostunknown", "4.5": "systemfull", "4.6": "networkerror", "4.7": "expired",
	"5.1": "syntaxerror", "5.2": "syntaxerror", "5.3": "toomanyconn", "5.4": "syntaxerror", "5.5": "syntaxerror", "5.6": "syntaxerror",
	"6.0": "contenterror", "6.1": "contenterror", "6.2": "contenterror", "6.3": "contenterror", "6.4": "contenterror", "6.5": "contenterror", "6.6": "contenterror", "6.7": "contenterror", "6.8": "contenterror", "6.9": "contenterror",
	"7.2": "securityerror", "7.3": "securityerror", "7.4": "securityerror", "7.5": "securityerror", "7.6": "securityerror", "7.7": "securityerror", "7.8": "securityerror", "7.9": "securityerror",
	"7.10": "securityerror", "7.11": "securityerror", "7.13": "suspend", "7.14": "securityerror", "7.15": "securityerror", "7.16": "securityerror", "7.17": "hasmoved", "7.18": "hasmoved",
	"7.20": "authfailure", "7.21": "authfailure", "7.22": "authfailure", "7.23": "authfailure", "7.24": "authfailure", "7.25": "requireptr", "7.26": "authfailure", "7.27": "notaccept",
	"7.28": "speeding", "7.29": "authfailure", "7.30": "securityerror",
}

// classify decides the reason of one recipient from its status, reply
// code, command and wording.
func classify(r *Recipient) {
	if r.Reason == "feedback" || r.Reason == "vacation" {
		return
	}
	if r.Action == "delivered" || r.Action == "relayed" || r.Action == "expanded" || strings.HasPrefix(r.Status, "2.") {
		r.Reason = "delivered"
		return
	}
	text := strings.ToLower(r.Diagnostic)
	switch {
	case r.DiagnosticType == "X-UNIX":
		// RFC 3464 §2.3.6: the local mailer program answered, not a
		// server; a full disk or mailbox is still a full mailbox.
		r.Reason = "mailererror"
		if strong[mailboxFullIndex].match(text) {
			r.Reason = "mailboxfull"
		}
		return
	case r.Command == "CONN" || r.Command == "HELO":
		// Refused before any address was given: the client itself.
		if !strings.Contains(text, "dmarc") && !strings.Contains(text, "5.7.26") {
			r.Reason = "blocked"
			return
		}
	}
	sub := ""
	if parts := strings.SplitN(r.Status, ".", 2); len(parts) == 2 {
		sub = parts[1]
	}
	byStatus := statusReason[sub]
	if strings.HasPrefix(r.Status, "5.") && sub == "4.1" {
		// 4.4.1 is a timeout; Exchange Online's 5.4.1 is its
		// "Recipient address rejected: Access denied", left to the words.
		byStatus = ""
	}
	// A code of the authentication family (RFC 7372, 8689) names its cause
	// more exactly than any wording.
	switch byStatus {
	case "authfailure", "requireptr", "mailboxfull", "hasmoved", "notaccept", "mesgtoobig":
		if !(byStatus == "mailboxfull" && r.Command == "DATA" && strings.Contains(text, "spam")) {
			r.Reason = byStatus
			return
		}
	}
	for _, pt := range strong {
		if pt.match(text) {
			r.Reason = pt.reason
			// An x.1.1 code (RFC 3463 §3.2: bad destination mailbox) yields
			// only to wording that puts the fault elsewhere.
			if byStatus == "userunknown" && strings.HasPrefix(sub, "1.") {
				switch pt.reason {
				case "norelaying", "blocked", "mailboxfull", "hasmoved", "rejected", "authfailure", "notaccept", "hostunknown", "requireptr", "badreputation", "spamdetected", "virusdetected", "notcompliantrfc", "speeding", "toomanyconn", "expired", "syntaxerror", "securityerror", "networkerror":
				default:
					r.Reason = "userunknown"
				}
			}
			return
		}
	}
	if strings.HasSuffix(r.Address, "@googlegroups.com") {
		// Google Groups answers in the poster's language that the group may
		// not exist or refuses the poster: the sender is refused.
		r.Reason = "rejected"
		return
	}
	if unknownUser.match(text) || byStatus == "userunknown" {
		// Refused at RCPT, the address is unknown; refused after the data
		// was sent (or at an unknown stage, the mailbox having been
		// accepted), a filter refused it: the field's convention.
		switch {
		case emptyUserUnknown.MatchString(text):
			// au (ezweb.ne.jp) and others answer "550 : User unknown",
			// naming no address, when the recipient's own reception filter
			// refused the sender.
			r.Reason = "filtered"
		case byStatus == "userunknown" || r.Command == "RCPT":
			r.Reason = "userunknown"
		case r.Command == "MAIL":
			r.Reason = "rejected"
		case r.Command == "DATA":
			r.Reason = "filtered"
		default:
			r.Reason = "userunknown"
		}
		return
	}
	if filteredWords.match(text) {
		r.Reason = "filtered"
		return
	}
	if byStatus != "" && byStatus != "syntaxerror" && byStatus != "securityerror" {
		r.Reason = byStatus
		return
	}
	if rejectedWords.match(text) {
		r.Reason = "rejected"
		return
	}
	for _, pt := range generic {
		if pt.match(text) {
			r.Reason = pt.reason
			return
		}
	}
	switch {
	case byStatus != "":
		r.Reason = byStatus
	case r.ReplyCode >= "500" && r.ReplyCode <= "504":
		// RFC 5321 §4.2.2: 500-504 are syntax and sequence errors.
		r.Reason = "syntaxerror"
	case r.Action == "delayed":
		r.Reason = "expired"
	case r.Command == "HELO" || r.Command == "CONN":
		r.Reason = "blocked"
	case r.Command == "MAIL":
		r.Reason = "rejected"
	case strings.HasPrefix(r.Status, "5.7") || strings.HasPrefix(r.Status, "4.7"):
		r.Reason = "securityerror"
	case r.DiagnosticType == "X-UNIX":
		r.Reason = "mailererror"
	case text != "":
		r.Reason = "onhold"
	default:
		r.Reason = "undefined"
	}
}

// hardness follows the field's convention (Sisimai's): an address or a
// domain that does not exist or moved is a hard bounce, and so is a domain
// that accepts no mail (null MX, RFC 7505) when the failure is permanent;
// everything else may succeed on a later try or after a fix.
func hardness(r *Recipient) string {
	switch r.Reason {
	case "delivered", "feedback", "vacation":
		return None
	case "userunknown", "hasmoved", "hostunknown":
		return Hard
	case "notaccept":
		if strings.HasPrefix(r.Status, "4") || strings.HasPrefix(r.ReplyCode, "4") {
			return Soft
		}
		return Hard
	}
	return Soft
}

// responsibleFor says who must act for each reason.
func responsibleFor(r *Recipient) string {
	if r.Action == "delayed" {
		return RespNobody
	}
	switch r.Reason {
	case "authfailure", "requireptr", "badreputation", "blocked", "securityerror", "norelaying", "rejected", "speeding", "toomanyconn", "syntaxerror", "feedback":
		return RespSender
	case "userunknown", "mailboxfull", "suspend", "hasmoved", "hostunknown", "notaccept", "filtered", "exceedlimit", "systemfull", "mailererror":
		return RespRecipient
	case "spamdetected", "virusdetected", "mesgtoobig", "contenterror", "policyviolation", "notcompliantrfc":
		return RespContent
	case "delivered", "vacation":
		return RespNobody
	case "expired", "networkerror", "systemerror":
		if strings.HasPrefix(r.Status, "4") {
			return RespNobody
		}
		return RespRecipient
	}
	return RespUnknown
}
