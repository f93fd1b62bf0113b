package report

// Clauses returns the messages as one, separated as the language separates
// clauses ("; " in English, " ; " in French): a list of problems that
// themselves hold commas, where the list separator would be ambiguous.
func Clauses(ms []Msg) Msg {
	switch len(ms) {
	case 0:
		return Msg{}
	case 1:
		return ms[0]
	}
	return T("clauses", Params{"first": ms[0], "rest": Clauses(ms[1:])})
}
