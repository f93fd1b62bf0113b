// Package schema generates the JSON Schema of every command's JSON output
// (docs/schema/v<schema_version>/<command>.json) from the Go types: the
// report model of pkg/report, and each check's Section.Data type listed in
// types.go. The schema is the contract: what `--format json` writes
// validates against it (the package's tests check it), and a field that
// is removed or changes meaning bumps report.SchemaVersion.
//
// Arrays are "type": "array", never null: consumers need no nil checks.
// A field without omitempty is required; one with omitempty may be absent.
package schema

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"sort"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/mailcheck/mailcheck/pkg/report"
	orderedmap "github.com/pb33f/ordered-map/v2"
)

// Source says where the Go sources are, for their comments. Dir is a
// directory; ImportPath is the import path of the current directory, from
// which Dir is reached (jsonschema joins the two to name each package): in
// this package's tests, Dir "../../pkg" and ImportPath
// "github.com/mailcheck/mailcheck/internal/schema".
type Source struct{ Dir, ImportPath string }

// BaseURL is where the published schemas live.
const BaseURL = "https://github.com/mailcheck/mailcheck/blob/main/docs/schema"

// ID is the $id of command's schema.
func ID(command string) string {
	return fmt.Sprintf("%s/v%d/%s.json", BaseURL, report.SchemaVersion, command)
}

// Names lists the commands with a schema, sorted.
func Names() []string {
	names := make([]string, 0, len(Commands))
	for n := range Commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Generate returns the JSON Schema of command's `--format json` output,
// indented, ending in a newline. When src.Dir is set, the Go doc comments
// of the types and fields under it become the schema's descriptions.
func Generate(command string, src Source) ([]byte, error) {
	c, ok := Commands[command]
	if !ok {
		return nil, fmt.Errorf("schema: no command %q", command)
	}
	r := reflector()
	if src.Dir != "" {
		if err := r.AddGoComments(src.ImportPath, src.Dir); err != nil {
			return nil, fmt.Errorf("schema: reading comments: %w", err)
		}
	}
	if c.Root != nil {
		doc := r.Reflect(c.Root)
		doc.ID = jsonschema.ID(ID(command))
		doc.Title = fmt.Sprintf("mailcheck %s output, schema_version %d", command, report.SchemaVersion)
		doc.Description = fmt.Sprintf("The --format json output of mailcheck %s.", command)
		return marshal(doc)
	}
	root := r.Reflect(&report.Report{})
	for _, check := range c.Checks {
		data, ok := DataOf(check)
		if !ok {
			return nil, fmt.Errorf("schema: command %s names check %q, which types.go does not list", command, check)
		}
		if data == nil {
			continue // a section that carries no data (the "score" note)
		}
		ds := r.Reflect(data)
		// Every definition the check's type needs joins the root's; the
		// names are the Go type names qualified by package, so two
		// checks' "Data" never collide.
		for name, def := range ds.Definitions {
			root.Definitions[name] = def
		}
	}
	section := root.Definitions["Section"]
	if section == nil {
		return nil, fmt.Errorf("schema: no Section definition")
	}
	// "check" names one of the command's checks, and "data" is that
	// check's type: an if/then per check, so a section's data is
	// validated against its own check's type.
	enum := make([]any, len(c.Checks))
	for i, check := range c.Checks {
		enum[i] = check
		data, _ := DataOf(check)
		dataSchema := &jsonschema.Schema{Type: "null"}
		if data != nil {
			dataSchema = &jsonschema.Schema{Ref: "#/$defs/" + defName(reflect.TypeOf(data))}
		}
		section.AllOf = append(section.AllOf, &jsonschema.Schema{
			If:   &jsonschema.Schema{Properties: props("check", &jsonschema.Schema{Const: check}), Required: []string{"check"}},
			Then: &jsonschema.Schema{Properties: props("data", dataSchema)},
		})
	}
	if p, ok := section.Properties.Get("check"); ok {
		p.Enum = enum
	}
	rep := root.Definitions["Report"]
	if rep == nil {
		return nil, fmt.Errorf("schema: no Report definition")
	}
	if p, ok := rep.Properties.Get("schema_version"); ok {
		p.Const = report.SchemaVersion
	}
	if p, ok := rep.Properties.Get("command"); ok {
		p.Const = command
	}

	doc := &jsonschema.Schema{Version: jsonschema.Version, Definitions: root.Definitions}
	ref := &jsonschema.Schema{Ref: "#/$defs/Report"}
	if c.Many {
		doc.Type = "array"
		doc.Items = ref
		doc.Description = fmt.Sprintf("The --format json output of mailcheck %s: an array with one report per domain, in input order, even for one domain. Each line of --format jsonl is one report (#/$defs/Report).", command)
	} else {
		doc.Ref = ref.Ref
		doc.Description = fmt.Sprintf("The --format json output of mailcheck %s: one report. --format jsonl writes the same report on one line.", command)
	}
	doc.ID = jsonschema.ID(ID(command))
	doc.Title = fmt.Sprintf("mailcheck %s report, schema_version %d", command, report.SchemaVersion)
	return marshal(doc)
}

func marshal(doc *jsonschema.Schema) ([]byte, error) {
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

func props(name string, s *jsonschema.Schema) *orderedmap.OrderedMap[string, *jsonschema.Schema] {
	p := orderedmap.New[string, *jsonschema.Schema]()
	p.Set(name, s)
	return p
}

// reflector turns Go types into schemas the way encoding/json writes them.
func reflector() *jsonschema.Reflector {
	return &jsonschema.Reflector{
		// Definitions named package.Type: spf.Data, dkim.Data.
		Namer: func(t reflect.Type) string { return defName(t) },
		// Structs are closed: a field the schema does not know is a
		// field the documentation does not describe.
		AllowAdditionalProperties: false,
		DoNotReference:            false,
		Mapper:                    mapper,
	}
}

func defName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pkg := t.PkgPath()
	if pkg == "" || t.Name() == "" {
		return t.Name()
	}
	if pkg == reflect.TypeOf(report.Report{}).PkgPath() {
		return t.Name() // the report model: Report, Section, Finding
	}
	return pathBase(pkg) + "." + t.Name()
}

func pathBase(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// mapper gives the schema of types whose JSON is not their Go structure
// (they have MarshalJSON or MarshalText).
func mapper(t reflect.Type) *jsonschema.Schema {
	switch t {
	case reflect.TypeOf(netip.Addr{}):
		return &jsonschema.Schema{Type: "string", Description: "an IPv4 or IPv6 address"}
	case reflect.TypeOf(netip.Prefix{}):
		return &jsonschema.Schema{Type: "string", Description: "an IP prefix, address/length"}
	case reflect.TypeOf(netip.AddrPort{}):
		return &jsonschema.Schema{Type: "string", Description: "address:port"}
	case reflect.TypeOf(time.Time{}):
		return &jsonschema.Schema{Type: "string", Format: "date-time"}
	case reflect.TypeOf(report.Severity("")):
		s := &jsonschema.Schema{Type: "string"}
		for _, v := range report.Severities {
			s.Enum = append(s.Enum, string(v))
		}
		return s
	case reflect.TypeOf(report.Msg{}):
		return &jsonschema.Schema{Type: "string", Description: "words for a person, in the report's language (lang)"}
	case reflect.TypeOf(report.Params{}):
		return &jsonschema.Schema{Type: "object", Description: "the facts of this finding (domain, record, count...), the same in every language; keys per finding ID in docs/findings/",
			AdditionalProperties: jsonschema.TrueSchema}
	case reflect.TypeOf(report.Status("")):
		return &jsonschema.Schema{Type: "string", Enum: []any{
			string(report.StatusPass), string(report.StatusWarn), string(report.StatusFail),
			string(report.StatusUnknown), string(report.StatusSkipped)}}
	}
	return nil
}
