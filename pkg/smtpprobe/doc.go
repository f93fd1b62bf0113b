// Package smtpprobe tells whether this machine can reach SMTP servers on
// ports 25, 587 and 465, and what those servers do once reached. It probes
// without sending mail: TCP connect, the complete greeting
// (RFC 5321 §4.2, multi-line too), EHLO with HELO as fallback (§4.1.1.1),
// STARTTLS on 25 and 587 (RFC 3207) or Implicit TLS on 465 (RFC 8314 §3.3),
// EHLO again inside TLS (RFC 3207 §4.2), then QUIT. It never sends MAIL,
// RCPT, DATA or AUTH: that would look like abuse and can get the probing
// address listed.
//
// DNS names queried, all through check.Env.Resolver: for a domain, its MX
// (RFC 5321 §5.1), _submission._tcp and _submissions._tcp SRV records
// (RFC 6186 §3.1, RFC 8314 §5.1), and the A records of smtp.<domain> and
// mail.<domain> when there is no SRV; for every host probed, its A and AAAA
// records. Connections go through check.Env.Dialer, one per host, port and
// address family.
//
// The results make two sections. "ports" is about the network mailcheck runs
// on: comparing outcomes across ports and hosts tells "this
// network blocks port 25" apart from "that server is down"; it is reported
// beside any domain score, never in it. "smtp" is about the servers:
// greeting, STARTTLS, certificates and AUTH before TLS.
package smtpprobe
