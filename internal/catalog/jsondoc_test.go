package catalog

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/schema"
)

// dataTypes lists the Section.Data type of each check: check name, package
// directory, type name, from the one list internal/schema keeps.
func dataTypes() []struct{ check, dir, typ string } {
	var out []struct{ check, dir, typ string }
	for _, c := range schema.Checks {
		if c.Data == nil {
			continue // no data to document
		}
		t := reflect.TypeOf(c.Data)
		dir := strings.TrimPrefix(t.PkgPath(), "github.com/mailcheck/mailcheck/")
		out = append(out, struct{ check, dir, typ string }{c.Name, dir, t.Name()})
	}
	// Types a section's data inlines, documented on their own.
	return append(out, struct{ check, dir, typ string }{"message.receiver fields[] (inlined)", "pkg/authres", "Results"})
}

// TestDataDocIsCurrent: docs/json-data.md documents every field of every
// check's data, generated from the source (field comments included); run
// `go test ./internal/catalog -update` after changing a data type.
func TestDataDocIsCurrent(t *testing.T) {
	var b strings.Builder
	b.WriteString("# The `data` of each section\n\n")
	b.WriteString("Generated from the Go types by `go test ./internal/catalog -update`; see [json.md](json.md) for the\n")
	b.WriteString("report around it. Paths use `[]` for arrays. Fields may be absent when empty.\n")
	for _, dt := range dataTypes() {
		named = map[string]ast.Expr{}
		types := parsePackage(t, filepath.Join("../..", dt.dir))
		if types[dt.typ] == nil {
			t.Fatalf("%s: no type %s", dt.dir, dt.typ)
		}
		fmt.Fprintf(&b, "\n## %s\n\n`%s.%s`\n\n| Path | Type | Meaning |\n|---|---|---|\n", dt.check, filepath.Base(dt.dir), dt.typ)
		walk(&b, types, dt.typ, "", map[string]bool{})
	}
	want := b.String()
	path := "../../docs/json-data.md"
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Error("docs/json-data.md is stale: run go test ./internal/catalog -update")
	}
}

// named holds the underlying type of the package's non-struct named types
// (type Status string), so they print as what JSON carries.
var named = map[string]ast.Expr{}

func parsePackage(t *testing.T, dir string) map[string]*ast.StructType {
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	out := map[string]*ast.StructType{}
	{
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				if ts, ok := n.(*ast.TypeSpec); ok {
					if st, ok := ts.Type.(*ast.StructType); ok {
						out[ts.Name.Name] = st
					} else {
						named[ts.Name.Name] = ts.Type
					}
				}
				return true
			})
		}
	}
	return out
}

func walk(b *strings.Builder, types map[string]*ast.StructType, name, prefix string, seen map[string]bool) {
	if seen[name] {
		return
	}
	seen[name] = true
	defer delete(seen, name)
	st := types[name]
	prevDoc, prevPath := "", ""
	for _, field := range st.Fields.List {
		tag := ""
		if field.Tag != nil {
			tag = reflect.StructTag(strings.Trim(field.Tag.Value, "`")).Get("json")
		}
		jsonName := strings.Split(tag, ",")[0]
		if jsonName == "-" {
			continue
		}
		if len(field.Names) == 0 { // embedded: its fields are inlined
			if id, ok := field.Type.(*ast.Ident); ok && types[id.Name] != nil {
				walk(b, types, id.Name, prefix, seen)
			}
			continue
		}
		if !field.Names[0].IsExported() {
			continue
		}
		if jsonName == "" {
			jsonName = field.Names[0].Name
		}
		typ, elem := typeString(field.Type)
		doc := strings.Join(strings.Fields(field.Doc.Text()+" "+field.Comment.Text()), " ")
		path := prefix + jsonName
		if doc == "" && prevDoc != "" && strings.Contains(prevDoc, field.Names[0].Name) {
			doc = "See `" + prevPath + "`."
		} else if doc != "" {
			prevDoc, prevPath = doc, path
		}
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", path, typ, strings.ReplaceAll(doc, "|", "\\|"))
		if elem != "" && types[elem] != nil {
			sub := path
			if strings.HasPrefix(typ, "array") {
				sub += "[]"
			}
			walk(b, types, elem, sub+".", seen)
		}
	}
}

// typeString names a field's JSON type, and the local struct type to
// descend into, if any.
func typeString(e ast.Expr) (string, string) {
	switch v := e.(type) {
	case *ast.Ident:
		switch v.Name {
		case "string":
			return "string", ""
		case "bool":
			return "boolean", ""
		case "int", "int64", "int32", "uint16", "uint32", "uint64", "uint8", "float64":
			return "number", ""
		}
		if u, ok := named[v.Name]; ok {
			return typeString(u)
		}
		return "object `" + v.Name + "`", v.Name
	case *ast.StarExpr:
		return typeString(v.X)
	case *ast.ArrayType:
		inner, elem := typeString(v.Elt)
		return "array of " + inner, elem
	case *ast.MapType:
		inner, elem := typeString(v.Value)
		return "object of " + inner, elem
	case *ast.SelectorExpr:
		full := fmt.Sprint(v.X) + "." + v.Sel.Name
		switch full {
		case "netip.Addr", "netip.Prefix", "time.Duration":
			if full == "time.Duration" {
				return "number (nanoseconds)", ""
			}
			return "string", ""
		case "time.Time":
			return "string (RFC 3339)", ""
		case "report.Msg":
			return "string (words, in `lang`)", ""
		case "report.Params":
			return "object (the facts, in every language the same)", ""
		}
		return "`" + full + "`", ""
	case *ast.InterfaceType:
		return "any", ""
	}
	return "?", ""
}
