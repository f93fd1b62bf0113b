package dnsbl

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mailcheck/mailcheck/pkg/dnsname"
	"github.com/mailcheck/mailcheck/pkg/report"
)

// MaxCatalogSize bounds a catalog file read with LoadCatalogFile.
const MaxCatalogSize = 1 << 20

//go:embed lists.json
var embeddedCatalog []byte

// Kind is the kind of name a list is queried with (RFC 5782 §2, §3).
type Kind string

const (
	KindIPv4   Kind = "ipv4"   // reversed octets (RFC 5782 §2.1)
	KindIPv6   Kind = "ipv6"   // reversed nibbles (RFC 5782 §2.4)
	KindDomain Kind = "domain" // the domain prefixed to the zone (RFC 5782 §3)
)

// Class says how much a listing matters; it picks the finding.
type Class string

const (
	ClassMajor         Class = "major"         // lists most receivers use to reject: critical
	ClassPolicy        Class = "policy"        // Spamhaus PBL: end-user space that should not send direct-to-MX
	ClassMinor         Class = "minor"         // smaller lists: some receivers use them
	ClassInformational Class = "informational" // collateral or weak signals: info only
	ClassAllow         Class = "allow"         // an allow-list or good-reputation answer
)

// rank orders classes from harmless to worst, so that one answer carrying
// several codes is judged by its worst.
func (c Class) rank() int {
	switch c {
	case ClassMajor:
		return 4
	case ClassPolicy:
		return 3
	case ClassMinor:
		return 2
	case ClassInformational:
		return 1
	case ClassAllow:
		return 0
	}
	return -1
}

// Purpose is what a list answers about.
type Purpose string

const (
	PurposeBlock      Purpose = "block"
	PurposeAllow      Purpose = "allow"
	PurposeReputation Purpose = "reputation" // answers good and bad (Hostkarma, Mailspike rep)
)

// Catalog is the set of lists mailcheck knows: the embedded lists.json, or a
// file given with --lists.
type Catalog struct {
	Version string    `json:"version"`
	Comment string    `json:"comment,omitempty"`
	Lists   []*List   `json:"lists"`
	Defunct []Defunct `json:"defunct,omitempty"`
	// Source is where the catalog came from: "embedded" or a file path.
	Source string `json:"-"`
}

// List is one DNS list.
type List struct {
	Zone     string   `json:"zone"`
	Name     string   `json:"name,omitempty"`
	Operator string   `json:"operator,omitempty"`
	Kinds    []Kind   `json:"kinds"`
	Purpose  Purpose  `json:"purpose,omitempty"`
	Class    Class    `json:"class"`
	Default  bool     `json:"default,omitempty"`
	Bitmask  bool     `json:"bitmask,omitempty"`
	Info     string   `json:"info,omitempty"`
	Aliases  []string `json:"aliases,omitempty"`
	Notes    string   `json:"notes,omitempty"`
	Test     *Test    `json:"test,omitempty"`
	Codes    []Code   `json:"codes,omitempty"`
	Errors   []Code   `json:"errors,omitempty"`
	// Status "defunct" in a user's catalog keeps the list from being queried.
	Status string `json:"status,omitempty"`

	codes  []compiledCode
	errors []compiledCode
}

// Test overrides the RFC 5782 §5 test entries of a domain list, for lists
// that document their own test domain.
type Test struct {
	Listed    string `json:"listed,omitempty"`
	NotListed string `json:"not_listed,omitempty"`
	// Skip disables the health check, for a list known not to follow §5.
	Skip bool `json:"skip,omitempty"`
}

// Code is one answer value: "127.0.0.2", or a pattern with "*" octets
// ("127.0.*.255"). Class overrides the list's class for this code.
type Code struct {
	Code    string `json:"code"`
	Meaning string `json:"meaning"`
	Class   Class  `json:"class,omitempty"`
	// PublicResolver marks a refusal that public or shared resolvers get.
	PublicResolver bool `json:"public_resolver,omitempty"`

	key string // our own codes (universalErrors): the catalog key of the meaning
}

// meaning is what the code says for the answer b: the list's words with
// the wildcards it matched filled in, or our catalog message.
func (c *Code) meaning(b [4]byte) report.Msg {
	if c.key != "" {
		return report.T(c.key, nil)
	}
	return report.Lit(expand(c.Meaning, b))
}

// Defunct is a zone known to be dead: never queried, and a finding when configured.
type Defunct struct {
	Zone  string `json:"zone"` // the zone, or a parent domain covering all of an operator's zones
	Since string `json:"since,omitempty"`
	Note  string `json:"note"`
}

type compiledCode struct {
	octets [4]int // -1 is a wildcard
	code   *Code
}

func (c compiledCode) match(a [4]byte) bool {
	for i, o := range c.octets {
		if o >= 0 && int(a[i]) != o {
			return false
		}
	}
	return true
}

func (c compiledCode) exact() bool {
	for _, o := range c.octets {
		if o < 0 {
			return false
		}
	}
	return true
}

// Errors from catalog parsing; test with errors.Is.
var (
	ErrCatalog = errors.New("invalid DNSBL catalog")
	ErrZone    = errors.New("invalid DNSBL zone")
)

var (
	defaultOnce    sync.Once
	defaultCatalog *Catalog
	defaultErr     error
)

// DefaultCatalog returns the embedded catalog. It is parsed once and shared:
// callers must not modify it.
func DefaultCatalog() *Catalog {
	defaultOnce.Do(func() {
		defaultCatalog, defaultErr = ParseCatalog(embeddedCatalog)
		if defaultCatalog != nil {
			defaultCatalog.Source = "embedded"
		}
	})
	if defaultErr != nil {
		// The embedded file is tested; failing here is a build defect.
		panic("dnsbl: embedded catalog: " + defaultErr.Error())
	}
	return defaultCatalog
}

// LoadCatalogFile reads a replacement catalog (--lists FILE), bounded in size.
func LoadCatalogFile(path string) (*Catalog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxCatalogSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxCatalogSize {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes", path, ErrCatalog, MaxCatalogSize)
	}
	c, err := ParseCatalog(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.Source = path
	return c, nil
}

// ParseCatalog reads and validates a catalog in the lists.json format.
func ParseCatalog(data []byte) (*Catalog, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCatalog, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the catalog object", ErrCatalog)
	}
	if strings.TrimSpace(c.Version) == "" {
		return nil, fmt.Errorf("%w: no version", ErrCatalog)
	}
	seen := map[string]bool{}
	for i, l := range c.Lists {
		if l == nil {
			return nil, fmt.Errorf("%w: list %d is null", ErrCatalog, i)
		}
		if err := l.compile(); err != nil {
			return nil, fmt.Errorf("%w: list %d (%s): %v", ErrCatalog, i, l.Zone, err)
		}
		if seen[l.Zone] {
			return nil, fmt.Errorf("%w: zone %s listed twice", ErrCatalog, l.Zone)
		}
		seen[l.Zone] = true
	}
	for i, d := range c.Defunct {
		z, err := ParseZone(d.Zone)
		if err != nil {
			return nil, fmt.Errorf("%w: defunct %d: %v", ErrCatalog, i, err)
		}
		c.Defunct[i].Zone = z
	}
	return &c, nil
}

// ParseZone checks a zone name given by a user or a catalog and returns it in
// canonical form: lower case, ASCII, no trailing dot.
func ParseZone(s string) (string, error) {
	d, err := dnsname.ParseAny(s)
	if err != nil {
		return "", &ZoneError{Spec: s, Name: err}
	}
	if d.NumLabels() < 2 {
		return "", &ZoneError{Spec: s, OneLabel: true}
	}
	return d.String(), nil
}

// ZoneError is a blocklist zone (a --list value, a catalog's zone) that
// cannot be used, and why: in English from Error, in fields for a caller
// that words it otherwise. It is an ErrZone.
type ZoneError struct {
	Spec     string
	Name     error  // the zone is no domain name: dnsname's error
	OneLabel bool   // a single label: no list lives at a top-level domain
	Kind     string // an unknown kind after the colon
}

func (e *ZoneError) Error() string {
	switch {
	case e.Name != nil:
		return fmt.Sprintf("%v %q: %v", ErrZone, e.Spec, e.Name)
	case e.OneLabel:
		return fmt.Sprintf("%v %q: a zone needs at least two labels", ErrZone, e.Spec)
	default:
		return fmt.Sprintf("%v %q: unknown kind %q (want ipv4, ipv6 or domain)", ErrZone, e.Spec, e.Kind)
	}
}

func (e *ZoneError) Is(target error) bool { return target == ErrZone }

func (e *ZoneError) Unwrap() error { return e.Name }

func (l *List) compile() error {
	z, err := ParseZone(l.Zone)
	if err != nil {
		return err
	}
	l.Zone = z
	if len(l.Kinds) == 0 {
		return errors.New("no kinds (ipv4, ipv6, domain)")
	}
	for _, k := range l.Kinds {
		switch k {
		case KindIPv4, KindIPv6, KindDomain:
		default:
			return fmt.Errorf("unknown kind %q", k)
		}
	}
	switch l.Purpose {
	case "":
		l.Purpose = PurposeBlock
	case PurposeBlock, PurposeAllow, PurposeReputation:
	default:
		return fmt.Errorf("unknown purpose %q", l.Purpose)
	}
	if l.Class == "" {
		l.Class = ClassMinor
	}
	if l.Class.rank() < 0 {
		return fmt.Errorf("unknown class %q", l.Class)
	}
	for i, a := range l.Aliases {
		if !strings.HasPrefix(a, "*.") {
			return fmt.Errorf("alias %q: must start with \"*.\"", a)
		}
		z, err := ParseZone(strings.TrimPrefix(a, "*."))
		if err != nil {
			return fmt.Errorf("alias %q: %v", a, err)
		}
		l.Aliases[i] = "*." + z
	}
	l.codes, l.errors = nil, nil
	for i := range l.Codes {
		c := &l.Codes[i]
		if c.Class != "" && c.Class.rank() < 0 {
			return fmt.Errorf("code %s: unknown class %q", c.Code, c.Class)
		}
		cc, err := compileCode(c, l.Bitmask)
		if err != nil {
			return err
		}
		l.codes = append(l.codes, cc)
	}
	for i := range l.Errors {
		cc, err := compileCode(&l.Errors[i], false)
		if err != nil {
			return err
		}
		l.errors = append(l.errors, cc)
	}
	return nil
}

func compileCode(c *Code, bitmask bool) (compiledCode, error) {
	cc := compiledCode{code: c}
	parts := strings.Split(strings.TrimSpace(c.Code), ".")
	if len(parts) != 4 {
		return cc, fmt.Errorf("code %q: want four octets (a \"*\" matches any)", c.Code)
	}
	for i, p := range parts {
		if p == "*" {
			cc.octets[i] = -1
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 || (len(p) > 1 && p[0] == '0') {
			return cc, fmt.Errorf("code %q: bad octet %q", c.Code, p)
		}
		cc.octets[i] = n
	}
	// RFC 5782 §2.3: answers live in 127.0.0.0/8.
	if cc.octets[0] != 127 {
		return cc, fmt.Errorf("code %q: outside 127.0.0.0/8", c.Code)
	}
	if strings.TrimSpace(c.Meaning) == "" {
		return cc, fmt.Errorf("code %q: no meaning", c.Code)
	}
	if bitmask {
		last := cc.octets[3]
		if cc.octets[1] != 0 || cc.octets[2] != 0 || last <= 0 || last&(last-1) != 0 {
			return cc, fmt.Errorf("code %q: a bitmask list's codes are 127.0.0.<one bit>", c.Code)
		}
	}
	return cc, nil
}

// Takes reports whether the list takes queries of kind k.
func (l *List) Takes(k Kind) bool {
	for _, v := range l.Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// Title is the list's display name.
func (l *List) Title() string {
	if l.Name != "" {
		return l.Name
	}
	return l.Zone
}

// Lookup finds the list for a zone: by its zone, or through an alias (a DQS
// zone "KEY.zen.dq.spamhaus.net" takes ZEN's codes).
func (c *Catalog) Lookup(zone string) (*List, bool) {
	for _, l := range c.Lists {
		if l.Zone == zone {
			return l, true
		}
	}
	for _, l := range c.Lists {
		for _, a := range l.Aliases {
			if strings.HasSuffix(zone, a[1:]) && len(zone) > len(a)-1 {
				cp := *l
				cp.Zone = zone
				cp.Default = false
				cp.Aliases = nil
				return &cp, true
			}
		}
	}
	return nil, false
}

// DefunctFor returns the defunct entry covering a zone.
func (c *Catalog) DefunctFor(zone string) (Defunct, bool) {
	for _, d := range c.Defunct {
		if zone == d.Zone || strings.HasSuffix(zone, "."+d.Zone) {
			return d, true
		}
	}
	return Defunct{}, false
}

// genericList is a zone named with --list that the catalog does not know:
// RFC 5782 semantics only (any 127/8 answer is a listing).
func genericList(zone string, kinds []Kind) *List {
	l := &List{
		Zone:    zone,
		Kinds:   kinds,
		Purpose: PurposeBlock,
		Class:   ClassMinor,
		Notes:   "not in the catalog: RFC 5782 semantics (any 127.0.0.0/8 answer is a listing)",
	}
	return l
}

// ParseListSpec reads a --list value: "ZONE" (an IPv4 list, or the kinds the
// catalog knows for it) or "ZONE:KIND[,KIND]" with kinds ipv4, ipv6, domain.
func ParseListSpec(spec string) (zone string, kinds []Kind, err error) {
	zs, ks, hasKinds := strings.Cut(strings.TrimSpace(spec), ":")
	zone, err = ParseZone(zs)
	if err != nil {
		return "", nil, err
	}
	if !hasKinds {
		return zone, nil, nil
	}
	for _, k := range strings.Split(ks, ",") {
		switch kk := Kind(strings.ToLower(strings.TrimSpace(k))); kk {
		case KindIPv4, KindIPv6, KindDomain:
			kinds = append(kinds, kk)
		default:
			return "", nil, &ZoneError{Spec: spec, Kind: k}
		}
	}
	return zone, kinds, nil
}

// DefunctZone is a configured zone that was not queried because it is dead.
type DefunctZone struct {
	Zone  string `json:"zone"`
	Since string `json:"since,omitempty"`
	Note  string `json:"note"`
}

// selectLists returns the lists to query: the catalog's default lists (or all
// of them when the catalog came from --lists and marks none default), plus
// the extra zones, minus defunct ones. Defunct zones are never queried
// (SORBS, shut down by Proofpoint on 5 June 2024, NJABL, AHBL, ...); the built-in defunct registry
// applies even to a replacement catalog.
//
// The selection is the same for every domain of a run, so it is made once
// per (catalog, extra) and shared: callers must not change what it returns
// (a catalog is not changed once in use either: checks read it at once).
// Building it again for every domain of a bulk run was 2 % of the CPU.
func selectLists(c *Catalog, extra []string) (lists []*List, defunct []DefunctZone, bad []string) {
	sel := selectFor(c, extra)
	return sel.lists, sel.defunct, sel.bad
}

// selectFor is selectLists' selection, with the lists' health probes.
func selectFor(c *Catalog, extra []string) *selection {
	key := selectionKey{c, strconv.Itoa(len(extra)) + "\x00" + strings.Join(extra, "\x00")}
	if v, ok := selections.Load(key); ok {
		return v.(*selection)
	}
	lists, defunct, bad := buildSelection(c, extra)
	sel := &selection{lists: slices.Clip(lists), defunct: slices.Clip(defunct), bad: slices.Clip(bad)}
	// The RFC 5782 §5 probes depend on the list and kind only: named once
	// per run, not for every domain (six names a domain, pprof).
	sel.probes = make([][numKinds]probes, len(sel.lists))
	for i, l := range sel.lists {
		for k := range numKinds {
			p := &sel.probes[i][k]
			p.listed, p.notListed, p.ok = testProbes(l, kindAt(k))
		}
	}
	if selectionCount.Load() < maxSelections {
		if v, loaded := selections.LoadOrStore(key, sel); loaded {
			return v.(*selection)
		}
		selectionCount.Add(1)
	}
	return sel
}

// numKinds counts the kinds of list; kindAt and kindIndex number them.
const numKinds = 3

func kindAt(i int) Kind { return [numKinds]Kind{KindIPv4, KindIPv6, KindDomain}[i] }

func kindIndex(k Kind) int {
	switch k {
	case KindIPv4:
		return 0
	case KindIPv6:
		return 1
	}
	return 2
}

// probes are the two health-check questions of a (list, kind); ok is false
// when the list's health check is disabled.
type probes struct {
	listed, notListed probe
	ok                bool
}

type selectionKey struct {
	catalog *Catalog
	extra   string
}

type selection struct {
	lists   []*List
	defunct []DefunctZone
	bad     []string
	probes  [][numKinds]probes // by list, then kindIndex
}

// maxSelections bounds the memo: a run has one or two catalogs and one
// --list set; a program using the package with many catalogs still gets
// right answers, only not memoized beyond this.
const maxSelections = 64

var (
	selections     sync.Map // selectionKey -> *selection
	selectionCount atomic.Int32
)

// buildSelection makes what selectLists returns.
func buildSelection(c *Catalog, extra []string) (lists []*List, defunct []DefunctZone, bad []string) {
	builtin := DefaultCatalog()
	isDefunct := func(zone, status string) bool {
		d, ok := c.DefunctFor(zone)
		if !ok {
			d, ok = builtin.DefunctFor(zone)
		}
		if !ok && status == "defunct" {
			d, ok = Defunct{Zone: zone, Note: "marked defunct in the catalog"}, true
		}
		if ok {
			defunct = append(defunct, DefunctZone{Zone: zone, Since: d.Since, Note: d.Note})
		}
		return ok
	}
	seen := map[string]bool{}
	anyDefault := false
	for _, l := range c.Lists {
		anyDefault = anyDefault || l.Default
	}
	for _, l := range c.Lists {
		if !l.Default && anyDefault {
			continue
		}
		if seen[l.Zone] {
			continue
		}
		seen[l.Zone] = true
		if isDefunct(l.Zone, l.Status) {
			continue
		}
		lists = append(lists, l)
	}
	for _, spec := range extra {
		zone, kinds, err := ParseListSpec(spec)
		if err != nil {
			bad = append(bad, spec)
			continue
		}
		if seen[zone] {
			continue
		}
		seen[zone] = true
		l, ok := c.Lookup(zone)
		if !ok {
			l, ok = builtin.Lookup(zone)
		}
		if !ok {
			if kinds == nil {
				kinds = []Kind{KindIPv4}
			}
			l = genericList(zone, kinds)
		} else if kinds != nil {
			cp := *l
			cp.Kinds = kinds
			l = &cp
		}
		if isDefunct(zone, l.Status) {
			continue
		}
		lists = append(lists, l)
	}
	return lists, defunct, bad
}

// in127 reports whether a is in 127.0.0.0/8, where RFC 5782 §2.3 puts every
// DNSBL answer.
func in127(a netip.Addr) bool {
	return a.Is4() && a.As4()[0] == 127
}
