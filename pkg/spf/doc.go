// Package spf parses, validates and evaluates Sender Policy Framework records
// (RFC 7208).
//
// SPF lets a domain list the hosts allowed to use it in the SMTP MAIL FROM
// (and HELO) identity. A policy is one TXT record at the domain that starts
// with "v=spf1"; its terms may pull in other domains' records (include,
// redirect), so the real policy is a tree of records, and RFC 7208 §4.6.4
// caps the DNS work a verifier may do while walking it.
//
// The package does three things:
//
//   - Parse reads one record into a typed Record that serializes back with
//     String, so a fix can print the exact record to publish.
//   - Check validates the published policy of a domain without a sender: it
//     walks the whole include/redirect tree once, resolving siblings
//     concurrently, and counts the worst case of DNS-querying terms and of
//     void lookups (for an IPv4 and an IPv6 sender), which real evaluation only
//     reaches for senders listed late in the tree. Analyze does the same for
//     a program, returning the typed evidence (*Data) and the findings.
//   - Evaluate runs check_host() (RFC 7208 §4) for one client IP, sender and
//     HELO name, with macros (§7), the processing limits checked before each
//     lookup (§4.6.4) and the exp= explanation (§6.2).
//
// Findings carry an ID, a severity (or a declared variant's) and typed
// parameters; their words, and those of the summary, the evidence labels,
// syntax errors (TermError.Reason) and evaluation problems, are in the
// message catalogs (internal/i18n/locales/spf.*.toml), one per language.
//
// DNS names queried: TXT at the domain and at every include and redirect
// target; type SPF (99) at the checked domain, only to warn that it is
// obsolete (§3.1); MX at the domain (a null MX marks a parked domain); A, AAAA
// and MX for the targets of a, mx and exists terms; TXT at a static exp=
// target. Evaluation adds the names its terms expand to, and PTR names for
// ptr and %{p}.
package spf
