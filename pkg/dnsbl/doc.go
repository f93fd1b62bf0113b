// Package dnsbl checks addresses and domains against DNS blocklists (RFC 5782)
// without ever calling an error a listing.
//
// A DNSBL is a DNS zone: to ask whether 192.0.2.99 is listed on
// zen.spamhaus.org, a client asks the A record of 99.2.0.192.zen.spamhaus.org
// (RFC 5782 §2.1; IPv6 addresses as 32 reversed nibbles, §2.4; domains as
// themselves on domain lists, §3). NXDOMAIN means not listed; an A record in
// 127.0.0.0/8 is a listing code whose meaning the list documents, and a TXT
// record at the same name gives a reason (§2.1).
//
// Every popular checker gets one thing wrong: it treats any A record as
// "listed". Lists answer refusals with A records too (Spamhaus
// 127.255.255.254 for queries through public resolvers, URIBL and SURBL
// 127.0.0.1), and a resolver that rewrites NXDOMAIN answers with addresses
// outside 127/8. This package decodes every answer through a versioned
// catalog of the lists' codes (lists.json, embedded; --lists replaces it),
// reports refusals and bogus answers as unknown, and checks each list once
// per run against its RFC 5782 §5 test entries (127.0.0.2 listed, 127.0.0.1
// not; ::ffff:7f00:2 and ::ffff:7f00:1 for IPv6; TEST and INVALID for domain
// lists, or the list's own test domain), so a dead list or one that lists
// the world makes its answers unknown rather than wrong. Defunct lists
// (SORBS, NJABL, AHBL, ...) are never queried.
//
// All questions of a run go out at once: the (target, list) queries, the
// health probes (two per list and kind) beside them, and never more than 4
// at a time to one list: politeness is owed to each operator, so the bound
// is per list, not global. A run costs one round trip plus one for the TXT
// reasons of listings, not one per list. (Over a bulk run, a shared cache
// asks each list's self-test once.)
//
// DNS names queried: A at <reversed address>.<zone> and <domain>.<zone> for
// every applicable (target, list); A at the test entries of every list used;
// TXT at the name of each listing. For a domain target, also MX of the domain,
// TXT of the domain (its SPF record), MX of mx:-terms, and A/AAAA of MX hosts
// and of a:-terms.
package dnsbl
