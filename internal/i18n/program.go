package i18n

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"text/template"
	"text/template/parse"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/mailcheck/mailcheck/pkg/report"
)

// The catalogs' templates use a small part of text/template: parameters
// ({{.host}}) and conditions on one parameter ({{if .sending}}...{{else}}
// ...{{end}}). A template made only of those is run here, from its parse
// tree, on the parameters themselves: no template data map per message, no
// reflection, and a nested message is worded only when the words use it.
// Anything else ({{if eq .a "b"}}, a value that text/template would print
// in its own way) runs through text/template, so the words are the same
// either way (TestProgramsAgree runs every message of the catalogs both
// ways).

// The plural forms, in the order of goi18n.Message's fields.
const (
	formZero = iota
	formOne
	formTwo
	formFew
	formMany
	formOther
	numForms
)

var formNames = [numForms]string{"zero", "one", "two", "few", "many", "other"}

func formText(m *goi18n.Message, form int) string {
	switch form {
	case formZero:
		return m.Zero
	case formOne:
		return m.One
	case formTwo:
		return m.Two
	case formFew:
		return m.Few
	case formMany:
		return m.Many
	}
	return m.Other
}

// entry is one message of a localizer, resolved once: its words (the
// language's, or English ones for a key the language lacks) and their
// programs, compiled on first use.
type entry struct {
	msg     *goi18n.Message
	english bool // from the English catalog: recorded as missing on use
	single  bool // one form (Other)
	static  bool // one form and no template action: the words are msg.Other
	progs   [numForms]atomic.Pointer[program]
}

func newEntry(m *goi18n.Message, english bool) *entry {
	e := &entry{msg: m, english: english}
	e.single = m.One == "" && m.Zero == "" && m.Two == "" && m.Few == "" && m.Many == ""
	e.static = e.single && !strings.Contains(m.Other, "{{")
	return e
}

// program returns the compiled form. A single-form message's template is
// named after its key, as text/template was given it before; a plural
// form's is parsed as go-i18n parses it (no name, missingkey=default), so
// that even an error reads the same.
func (e *entry) program(key string, form int) *program {
	if p := e.progs[form].Load(); p != nil {
		return p
	}
	name, opt := key, ""
	if !e.single {
		name, opt = "", "missingkey=default"
	}
	p := compile(name, opt, formText(e.msg, form))
	e.progs[form].Store(p)
	return p
}

// program is a compiled template.
type program struct {
	literal   string
	isLiteral bool
	err       error              // the template does not parse
	tmpl      *template.Template // text/template's own, for what nodes cannot do
	nodes     []pnode            // nil: run tmpl
	size      int                // the text's length, to size the output
}

type pnodeKind uint8

const (
	nodeText pnodeKind = iota
	nodeField
	nodeIf
)

// pnode is one piece of a template: text, a parameter, or a condition on
// a parameter with what to write when it holds and when it does not.
type pnode struct {
	kind      pnodeKind
	text      string // text; the parameter's name for a field or a condition
	then, els []pnode
}

func compile(name, option, text string) *program {
	if !strings.Contains(text, "{{") {
		return &program{literal: text, isLiteral: true}
	}
	t := template.New(name)
	if option != "" {
		t = t.Option(option)
	}
	t, err := t.Parse(text)
	if err != nil {
		return &program{err: err}
	}
	p := &program{tmpl: t, size: len(text) + 32}
	if t.Tree != nil && t.Root != nil {
		if nodes, ok := compileList(t.Root); ok {
			p.nodes = nodes
			if p.nodes == nil {
				p.nodes = []pnode{}
			}
		}
	}
	return p
}

func compileList(l *parse.ListNode) ([]pnode, bool) {
	if l == nil {
		return nil, true
	}
	var out []pnode
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			out = append(out, pnode{kind: nodeText, text: string(n.Text)})
		case *parse.ActionNode:
			name, ok := oneField(n.Pipe)
			if !ok {
				return nil, false
			}
			out = append(out, pnode{kind: nodeField, text: name})
		case *parse.IfNode:
			name, ok := oneField(n.Pipe)
			if !ok {
				return nil, false
			}
			then, ok := compileList(n.List)
			if !ok {
				return nil, false
			}
			els, ok := compileList(n.ElseList)
			if !ok {
				return nil, false
			}
			out = append(out, pnode{kind: nodeIf, text: name, then: then, els: els})
		default:
			return nil, false
		}
	}
	return out, true
}

// oneField: the pipeline is one parameter, {{.name}}, and nothing else.
func oneField(p *parse.PipeNode) (string, bool) {
	if p == nil || len(p.Decl) > 0 || p.IsAssign || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return "", false
	}
	f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
	if !ok || len(f.Ident) != 1 {
		return "", false
	}
	return f.Ident[0], true
}

// run words the program with the parameters of pre.
func (p *program) run(l *Localizer, pre *prepared) (string, error) {
	switch {
	case p.isLiteral:
		return p.literal, nil
	case p.err != nil:
		return "", p.err
	}
	if p.nodes != nil {
		var b strings.Builder
		b.Grow(p.size)
		if l.exec(p.nodes, &b, pre) {
			return b.String(), nil
		}
	}
	var b strings.Builder
	b.Grow(p.size)
	if err := p.tmpl.Execute(&b, pre.dataMap(l)); err != nil {
		return "", err
	}
	return b.String(), nil
}

// exec writes nodes to b as text/template would, and reports false for a
// value it leaves to text/template (a pointer, which text/template
// dereferences; a channel or a function, which it refuses).
func (l *Localizer) exec(nodes []pnode, b *strings.Builder, pre *prepared) bool {
	for i := range nodes {
		n := &nodes[i]
		switch n.kind {
		case nodeText:
			b.WriteString(n.text)
		case nodeField:
			v := pre.get(l, n.text)
			switch {
			case v.isStr:
				b.WriteString(v.s)
			case v.v == nil:
				// A parameter the check did not give (text/template's
				// missingkey=default).
				b.WriteString("<no value>")
			default:
				if !writeValue(b, v.v) {
					return false
				}
			}
		case nodeIf:
			v := pre.get(l, n.text)
			var truth bool
			switch {
			case v.isStr:
				truth = v.s != ""
			case v.v == nil:
				truth = false
			default:
				t, ok := template.IsTrue(v.v)
				if !ok {
					return false
				}
				truth = t
			}
			list := n.els
			if truth {
				list = n.then
			}
			if !l.exec(list, b, pre) {
				return false
			}
		}
	}
	return true
}

// writeValue prints v as text/template's fmt.Fprint does.
func writeValue(b *strings.Builder, v any) bool {
	var buf [24]byte
	switch v := v.(type) {
	case string:
		b.WriteString(v)
	case int:
		b.Write(strconv.AppendInt(buf[:0], int64(v), 10))
	case int64:
		b.Write(strconv.AppendInt(buf[:0], v, 10))
	case int32:
		b.Write(strconv.AppendInt(buf[:0], int64(v), 10))
	case uint16:
		b.Write(strconv.AppendUint(buf[:0], uint64(v), 10))
	case uint32:
		b.Write(strconv.AppendUint(buf[:0], uint64(v), 10))
	case uint64:
		b.Write(strconv.AppendUint(buf[:0], v, 10))
	case bool:
		b.WriteString(strconv.FormatBool(v))
	default:
		switch reflect.TypeOf(v).Kind() {
		case reflect.Pointer, reflect.Chan, reflect.Func:
			return false
		}
		b.WriteString(fmt.Sprint(v))
	}
	return true
}

// prepared holds the parameters of the messages of one finding (its
// title, detail, fix and hint share them), worded once each, when the
// words first use them.
type prepared struct {
	p    report.Params
	n    int     // parameters worded: arr[:n], then more
	arr  [4]pval // (no pointer into itself: the struct can stay on the stack)
	more []pval
	data map[string]any // for text/template and go-i18n, made once
	made bool
}

// pval is one parameter as the words use it: a string (a nested message
// worded, a list joined, a number written the language's way), else the
// value itself; v nil and !isStr: absent (or nil).
type pval struct {
	name  string
	s     string
	v     any
	isStr bool
}

func (pre *prepared) get(l *Localizer, name string) pval {
	for i := range pre.n {
		if pre.arr[i].name == name {
			return pre.arr[i]
		}
	}
	for i := range pre.more {
		if pre.more[i].name == name {
			return pre.more[i]
		}
	}
	raw, ok := pre.p[name]
	v := pval{name: name}
	if ok {
		v = l.param(name, raw)
	}
	if pre.n < len(pre.arr) {
		pre.arr[pre.n] = v
		pre.n++
	} else {
		pre.more = append(pre.more, v)
	}
	return v
}

// param words one parameter as valueText does for the template data map.
func (l *Localizer) param(name string, v any) pval {
	out := pval{name: name, isStr: true}
	switch v := v.(type) {
	case string:
		out.s = v
	case report.Msg:
		out.s = l.Text(v)
	case []report.Msg, []string, float64, error, fmt.Stringer:
		out.s, _ = l.valueText(v)
	default:
		out.isStr, out.v = false, v
	}
	return out
}

// dataMap is the template data of l.data, for text/template and go-i18n:
// every parameter, worded.
func (pre *prepared) dataMap(l *Localizer) map[string]any {
	if pre.made {
		return pre.data
	}
	pre.made = true
	if len(pre.p) == 0 {
		return nil
	}
	pre.data = make(map[string]any, len(pre.p))
	for k := range pre.p {
		v := pre.get(l, k)
		if v.isStr {
			pre.data[k] = v.s
		} else {
			pre.data[k] = v.v
		}
	}
	return pre.data
}

// pluralProbe is a message added to every language of the bundle whose
// forms are their own names: go-i18n words it in the form its CLDR rules
// choose for a count, which is how the localizer learns the form without
// asking go-i18n to match languages for every message.
const pluralProbe = "mailcheck.internal.plural_form"

func probeMessage() *goi18n.Message {
	return &goi18n.Message{ID: pluralProbe, Zero: "zero", One: "one", Two: "two", Few: "few", Many: "many", Other: "other"}
}

// formCacheSize: counts below it have their form remembered per language.
const formCacheSize = 256

// pluralForm is the form go-i18n's rules choose for count in the language
// of loc; ok is false when go-i18n would refuse the count (a float, a
// boolean), so that the caller lets go-i18n say so.
func pluralForm(loc *goi18n.Localizer, cache *[formCacheSize]atomic.Uint32, count any) (int, bool) {
	if count == nil {
		return formOther, true
	}
	n, isInt := count.(int)
	cached := isInt && n >= 0 && n < formCacheSize
	if cached {
		if f := cache[n].Load(); f != 0 {
			return int(f - 1), true
		}
	}
	s, err := loc.Localize(&goi18n.LocalizeConfig{MessageID: pluralProbe, PluralCount: count})
	if err != nil {
		return 0, false
	}
	for f, name := range formNames {
		if s == name {
			if cached {
				cache[n].Store(uint32(f + 1))
			}
			return f, true
		}
	}
	return 0, false
}
