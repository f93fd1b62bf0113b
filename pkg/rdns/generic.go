package rdns

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// genericWords are label fragments that access and hosting providers put
// in the reverse names of addresses they assign automatically. Receivers
// (Spamhaus PBL-style policies, SpamAssassin's RDNS_DYNAMIC, many MTAs)
// score such names as end-user or unmanaged hosts.
var genericWords = map[string]bool{
	"dyn": true, "dynamic": true, "dynip": true, "dsl": true, "adsl": true, "vdsl": true, "xdsl": true,
	"pool": true, "dhcp": true, "dialup": true, "dial": true, "ppp": true, "pppoe": true,
	"cable": true, "cpe": true, "broadband": true, "residential": true, "customer": true,
	"cust": true, "client": true, "clients": true, "unassigned": true, "nat": true, "ftth": true,
}

// Generic says why a PTR name looks assigned automatically rather than
// chosen for a mail server (catalog keys rdns.generic.*), or a zero Msg
// when it does not. It is a heuristic
// of our own: the address's digits embedded in the name, or words
// such as "dyn", "dsl" and "pool" left of the registered domain.
func Generic(name string, addr netip.Addr) report.Msg {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	labels := strings.Split(name, ".")
	// Only the labels left of the last two are the provider's naming
	// scheme; "dsl-provider.example" itself is a company name.
	host := labels
	if len(labels) > 2 {
		host = labels[:len(labels)-2]
	}
	for _, l := range host {
		for _, w := range strings.FieldsFunc(l, func(r rune) bool { return r < 'a' || r > 'z' }) {
			if genericWords[w] {
				return report.T("rdns.generic.word", report.Params{"word": w})
			}
		}
	}
	left := strings.Join(host, ".")
	if addr.Is4() || addr.Is4In6() {
		b := addr.Unmap().As4()
		// Two of the low octets as separate numbers (192-0-2-1, 1.2.0.192,
		// ip-2-1), or all four run together zero-padded, or in hex.
		nums := map[string]bool{}
		for _, tok := range strings.FieldsFunc(left, func(r rune) bool { return r < '0' || r > '9' }) {
			nums[strings.TrimLeft(tok, "0")] = true
		}
		oct := func(i int) string { return strings.TrimLeft(strconv.Itoa(int(b[i])), "0") }
		if nums[oct(2)] && nums[oct(3)] && (nums[oct(1)] || nums[oct(0)]) {
			return report.T("rdns.generic.embeds", report.Params{"address": addr.Unmap().String()})
		}
		padded := fmt.Sprintf("%03d%03d%03d%03d", b[0], b[1], b[2], b[3])
		hex := fmt.Sprintf("%02x%02x%02x%02x", b[0], b[1], b[2], b[3])
		if strings.Contains(left, padded) || strings.Contains(left, hex) {
			return report.T("rdns.generic.embeds", report.Params{"address": addr.Unmap().String()})
		}
		return report.Msg{}
	}
	full := strings.ReplaceAll(netip.AddrFrom16(addr.As16()).StringExpanded(), ":", "")
	dashed := strings.ReplaceAll(addr.String(), ":", "-")
	if strings.Contains(strings.ReplaceAll(left, "-", ""), full) || strings.Contains(left, dashed) {
		return report.T("rdns.generic.embeds", report.Params{"address": addr.String()})
	}
	return report.Msg{}
}
