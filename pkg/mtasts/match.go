package mtasts

import "strings"

// Match reports whether an MX host name matches a policy mx pattern (RFC
// 8461 §4.1): names compare case-insensitively; "*." matches exactly one
// leftmost label, so "*.example.com" matches "mx1.example.com" but neither
// "a.b.example.com" nor "example.com".
func Match(pattern, host string) bool {
	pattern = strings.ToLower(strings.TrimSuffix(pattern, "."))
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		label, parent, found := strings.Cut(host, ".")
		return found && label != "" && parent == rest
	}
	return pattern == host
}

// Coverage compares MX hosts with policy patterns both ways.
type Coverage struct {
	// Uncovered are MX hosts that match no pattern: enforcing senders
	// refuse to deliver to them (§4.1, §5).
	Uncovered []string
	// Stale are patterns that match no current MX host.
	Stale []string
}

// Cover computes Coverage.
func Cover(patterns, hosts []string) Coverage {
	var c Coverage
	used := make([]bool, len(patterns))
	for _, h := range hosts {
		ok := false
		for i, p := range patterns {
			if Match(p, h) {
				ok, used[i] = true, true
			}
		}
		if !ok {
			c.Uncovered = append(c.Uncovered, strings.TrimSuffix(h, "."))
		}
	}
	for i, p := range patterns {
		if !used[i] {
			c.Stale = append(c.Stale, p)
		}
	}
	return c
}
