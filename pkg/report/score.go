package report

// Score is the domain score of `mailcheck domain` (docs/scoring.md): a pure
// function of the sections' findings.
type Score struct {
	// Value is the final score, 0 to 100, after caps.
	Value int `json:"value"`
	// Grade: A >= 90, B >= 75, C >= 60, D >= 40, F below.
	Grade string `json:"grade"`
	// Summary says in one sentence what the score means for the domain's
	// mail (set by pkg/audit).
	Summary Msg `json:"summary,omitzero"`
	// Uncapped is the weighted category score before caps.
	Uncapped int `json:"uncapped"`
	// Cap is the cap that bound the score, when one did.
	Cap *Cap `json:"cap,omitempty"`
	// Caps lists every cap whose condition held, lowest first.
	Caps       []Cap           `json:"caps,omitempty"`
	Categories []CategoryScore `json:"categories"`
}

// Cap limits the score when a condition holds, whatever else is right.
type Cap struct {
	Limit  int      `json:"limit"`
	Reason Msg      `json:"reason"`
	IDs    []string `json:"finding_ids"`
}

// CategoryScore is one category's share of the score.
type CategoryScore struct {
	Name string `json:"name"`
	// Label is the name in the report's language (JSON keeps Name).
	Label  Msg `json:"-"`
	Weight int `json:"weight"`
	// Status: "scored", or "insufficient data" when every section of the
	// category is unknown or skipped; the category is then left out and
	// the other weights renormalized.
	Status   string   `json:"status"`
	Sections []string `json:"sections"`
	// Factor is the category's score from 0 to 1: 1 minus the deductions
	// over 10, floored at 0.
	Factor     float64     `json:"factor"`
	Deductions []Deduction `json:"deductions,omitempty"`
}

// Deduction is one finding's cost in its category.
type Deduction struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Points   int      `json:"points"`
}

// Readiness is one row of the mailbox-provider sender requirements
// checklist (Gmail, Yahoo, Outlook.com, laposte.net, Orange, Free), kept
// apart from the score.
type Readiness struct {
	Requirement Msg `json:"requirement"`
	// Applies says which provider and to whom ("Gmail, Yahoo: all
	// senders", "laposte.net: all senders").
	Applies Msg `json:"applies"`
	// Status: "pass", "fail", or "unverifiable" (DNS cannot tell, or the
	// checks it depends on were unknown).
	Status string `json:"status"`
	Detail Msg    `json:"detail"`
}

// TopFix points at one of the findings to fix first.
type TopFix struct {
	Check    string   `json:"check"`
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Title    Msg      `json:"title"`
	Fix      Msg      `json:"fix"`
	// Priority ranks fixes by what they change for delivery (higher
	// first): mail refused or failing authentication before a domain
	// anyone can spoof, before partial protection, before hygiene.
	Priority int `json:"priority,omitempty"`
	// Record is the record to publish. When several findings change the
	// same record (DMARC tags, SPF terms), it is one record that applies
	// them all, and IDs lists those findings.
	Record *Record   `json:"record,omitempty"`
	IDs    []string  `json:"finding_ids,omitempty"`
	Later  *LaterFix `json:"later,omitempty"`
}

// LaterFix is the second step of a staged change: the record to publish
// once the first has been watched, and what to watch for (DMARC p=none to
// quarantine now, reject once reports show legitimate mail passing).
type LaterFix struct {
	Record *Record `json:"record"`
	When   Msg     `json:"when"`
}
