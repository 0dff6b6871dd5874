package eval

import (
	"gosys/internal/content"

	"encoding/base64"
	"fmt"
	"go/ast"
	"reflect"
	"sort"
	"strings"

	"gosys/rt"
)

// showInterfaces are the interfaces yaegi must wrap an interpreted value in
// when handing it to the result hook, so that methods declared in cells are
// visible to it. Only interfaces with wrappers in the loaded symbols work.
func showInterfaces() []reflect.Type {
	// yaegi wraps the value in the first of these it implements, so the
	// rich ones come first.
	return []reflect.Type{
		reflect.TypeFor[rt.HTMLer](),
		reflect.TypeFor[rt.SVGer](),
		reflect.TypeFor[rt.Markdowner](),
		reflect.TypeFor[rt.PNGer](),
		reflect.TypeFor[error](),
		reflect.TypeFor[fmt.Stringer](),
	}
}

// bundleOf renders the values of a cell's last expression.
func bundleOf(vals []any) *content.Bundle {
	// Nothing, or a lone nil (rt.Close(fd) went well): nothing to show, as
	// IPython shows nothing for None.
	if len(vals) == 0 || (len(vals) == 1 && vals[0] == nil) {
		return nil
	}
	data := map[string]any{}
	texts := make([]string, len(vals))
	for i, v := range vals {
		texts[i] = plainText(v)
	}
	data["text/plain"] = strings.Join(texts, ", ")
	if len(vals) == 1 {
		rich := true
		switch v := vals[0].(type) {
		case rt.HTMLer:
			data["text/html"] = v.HTML()
		case rt.Markdowner:
			data["text/markdown"] = v.Markdown()
			data["text/plain"] = v.Markdown()
		case rt.SVGer:
			data["image/svg+xml"] = v.SVG()
		case rt.PNGer:
			data["image/png"] = base64.StdEncoding.EncodeToString(v.PNG())
		default:
			rich = false
		}
		if _, isStringer := vals[0].(fmt.Stringer); rich && !isStringer && data["text/markdown"] == nil {
			// yaegi's wrapper has no useful Go syntax: describe the value.
			data["text/plain"] = "<" + strings.Join(mimeTypes(data), ", ") + ">"
		}
	}
	return &content.Bundle{Data: data, Metadata: map[string]any{}}
}

// plainText formats one value as a Go programmer reads it: strings quoted,
// struct fields named, errors and Stringers by their own text.
func plainText(v any) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("%v (its String method panicked: %v)", reflect.TypeOf(v), r)
		}
	}()
	switch x := v.(type) {
	case nil:
		return "<nil>"
	case error:
		return x.Error()
	case fmt.Stringer:
		return x.String()
	case string:
		return fmt.Sprintf("%q", x)
	case []byte:
		return fmt.Sprintf("%q", x)
	}
	return fmt.Sprintf("%+v", v)
}

// quietCall reports whether a final call is one whose results are not worth
// showing: the fmt print family and Write methods return byte counts.
func quietCall(call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	name := sel.Sel.Name
	if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "fmt" {
		return strings.HasPrefix(name, "Print") || strings.HasPrefix(name, "Fprint")
	}
	switch name {
	case "Write", "WriteString", "WriteByte", "WriteRune", "Print", "Printf", "Println":
		return true
	}
	return false
}

// mimeTypes lists the rich types of a bundle.
func mimeTypes(data map[string]any) []string {
	var out []string
	for k := range data {
		if k != "text/plain" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
