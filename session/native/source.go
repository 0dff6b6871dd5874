package native

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// PathPrefix is the import path under which native cells are packages:
// PathPrefix + "/c" + key. Interpreted cells never write it: the session
// imports the package for them.
const PathPrefix = "gosys/nativecell"

// symbolsVar returns the variable of the cell package name that maps its
// names to their values, for yaegi (generated into exports.go); the
// plugin's main package exports it as Symbols. Exported, for main; named
// after its package, so that a later cell's dot import of it clashes with
// nothing.
func symbolsVar(name string) string { return "GosysNativeSymbols_" + name }

// Decl is a top-level name a native cell declares.
type Decl struct {
	Name string `json:"name"`
	// Kind is func, type, var or const.
	Kind string `json:"kind"`
	// Src is the declaration as inspection shows it: its doc comment and
	// signature (a function's body left out).
	Src string `json:"src"`
	// Exported is false for a name only the cell itself can use: generic
	// functions and types (yaegi cannot instantiate compiled generics).
	Exported bool `json:"exported"`
}

// parsed is a native cell's source, parsed.
type parsed struct {
	fset  *token.FileSet
	file  *ast.File
	src   string
	decls []Decl
	// untyped are the constants whose value is untyped: yaegi gets them
	// as constants (go/constant values), so that interpreted code uses
	// them as Go would.
	untyped map[string]bool
	// uses are the identifiers the cell uses and does not declare at the
	// top level (candidates for earlier native cells' names).
	uses map[string]bool
	// wrappers are the Go source of the interface wrappers (see
	// interfaceWrapper), by interface name.
	wrappers map[string]string
}

// allowedImport reports whether a native cell may import path: the
// standard library, golang.org/x/sys/unix, gosys/rt and its packages
// (the packages the binary was built with: see the package comment).
func allowedImport(path string) bool {
	if path == "golang.org/x/sys/unix" || path == "gosys/rt" || strings.HasPrefix(path, "gosys/rt/") {
		return true
	}
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") && first != "gosys" && first != "cmd"
}

// parse parses a native cell's source, whose line 1 is the %%native line
// (blank in src), and lists its declarations.
func parse(src string) (*parsed, error) {
	fset := token.NewFileSet()
	// The package clause on line 1, where %%native was: lines stay the cell's.
	f, err := parser.ParseFile(fset, "cell", "package p;"+src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, cellErrors(err)
	}
	p := &parsed{fset: fset, file: f, src: src, untyped: map[string]bool{}, uses: map[string]bool{}, wrappers: map[string]string{}}
	base := fset.File(f.Pos()).Base() + len("package p;")
	text := func(from, to token.Pos) string {
		a, b := int(from)-base, int(to)-base
		if a < 0 || b > len(src) || a > b {
			return ""
		}
		return strings.TrimSpace(src[a:b])
	}
	start := func(n ast.Node, doc *ast.CommentGroup) token.Pos {
		if doc != nil {
			return doc.Pos()
		}
		return n.Pos()
	}
	var errs []string
	top := map[string]bool{}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if !allowedImport(path) {
			pos := fset.Position(imp.Pos())
			errs = append(errs, fmt.Sprintf("%d:%d: a native cell cannot import %q: it may import the standard library, golang.org/x/sys/unix and gosys/rt (earlier native cells' names it uses directly)", pos.Line, pos.Column, path))
		}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv != nil {
				continue // methods come with their type
			}
			top[d.Name.Name] = true
			if d.Name.Name == "init" || d.Name.Name == "_" {
				continue
			}
			p.decls = append(p.decls, Decl{Name: d.Name.Name, Kind: "func", Src: text(start(d, d.Doc), d.Type.End()), Exported: d.Type.TypeParams == nil})
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			whole := text(start(d, d.Doc), d.End())
			var lastType ast.Expr
			var lastValues []ast.Expr
			for _, spec := range d.Specs {
				switch sp := spec.(type) {
				case *ast.TypeSpec:
					top[sp.Name.Name] = true
					if sp.Name.Name != "_" {
						p.decls = append(p.decls, Decl{Name: sp.Name.Name, Kind: "type", Src: whole, Exported: sp.TypeParams == nil})
					}
					if it, ok := sp.Type.(*ast.InterfaceType); ok && sp.TypeParams == nil {
						if w, ok := interfaceWrapper(sp.Name.Name, it, text); ok {
							p.wrappers[sp.Name.Name] = w
						}
					}
				case *ast.ValueSpec:
					typ, values := sp.Type, sp.Values
					if d.Tok == token.CONST && typ == nil && len(values) == 0 {
						typ, values = lastType, lastValues // implicit repetition in a const group
					}
					lastType, lastValues = typ, values
					for i, n := range sp.Names {
						top[n.Name] = true
						if n.Name == "_" {
							continue
						}
						if d.Tok == token.CONST && typ == nil && i < len(values) && p.isUntyped(values[i]) {
							p.untyped[n.Name] = true
						}
						p.decls = append(p.decls, Decl{Name: n.Name, Kind: d.Tok.String(), Src: whole, Exported: true})
					}
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, &BuildError{Lines: errs}
	}
	ast.Inspect(f, p.noteUses(top))
	return p, nil
}

// isUntyped reports whether a constant's value expression is untyped:
// literals, iota, untyped constants of the cell and operators on them.
// Anything else (a conversion, another package's constant) counts as
// typed; yaegi then sees the constant's value with its type.
func (p *parsed) isUntyped(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		return x.Name == "iota" || x.Name == "true" || x.Name == "false" || p.untyped[x.Name]
	case *ast.ParenExpr:
		return p.isUntyped(x.X)
	case *ast.UnaryExpr:
		return p.isUntyped(x.X)
	case *ast.BinaryExpr:
		return p.isUntyped(x.X) && p.isUntyped(x.Y)
	}
	return false
}

// cellErrors turns a parse error of the cell into a BuildError.
func cellErrors(err error) error {
	list, ok := err.(scanner.ErrorList)
	if !ok {
		return &BuildError{Lines: []string{err.Error()}}
	}
	var lines []string
	for _, e := range list {
		lines = append(lines, fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Column, e.Msg))
	}
	return &BuildError{Lines: lines, Syntax: true}
}

// generate returns the files of the cell's package named name: cell.go
// (the cell, after dot imports of the earlier native cells it uses, its
// lines the cell's through a line directive) and exports.go (the symbol
// table for yaegi), and the plugin's main package.
func (p *parsed) generate(name string, deps []*Package) (cell, exports, main string) {
	var b strings.Builder
	fmt.Fprintf(&b, "package %s", name)
	for _, d := range deps {
		fmt.Fprintf(&b, "; import . %q", d.Path)
	}
	// The cell's line 1 is the %%native line, blank in p.src.
	b.WriteString("\n//line cell:1:1\n")
	b.WriteString(p.src)
	b.WriteString("\n")
	if len(p.wrappers) > 0 {
		// After the cell's lines, named so that no error claims a cell line.
		b.WriteString("\n//line gosys-interface-wrappers:1:1\n")
		for _, name := range slices.Sorted(maps.Keys(p.wrappers)) {
			b.WriteString(p.wrappers[name])
		}
	}
	cell = b.String()

	b.Reset()
	fmt.Fprintf(&b, "// Code generated by gosys for a native cell. DO NOT EDIT.\n\npackage %s\n\n", name)
	b.WriteString("import (\n\tgosysnativeConstant \"go/constant\"\n\tgosysnativeReflect \"reflect\"\n)\n\n")
	fmt.Fprintf(&b, "// %s maps the cell's names to their values, as yaegi's symbol tables do.\n", symbolsVar(name))
	fmt.Fprintf(&b, "var %s = map[string]gosysnativeReflect.Value{\n", symbolsVar(name))
	names := make([]Decl, 0, len(p.decls))
	for _, d := range p.decls {
		if d.Exported {
			names = append(names, d)
		}
	}
	sort.Slice(names, func(i, j int) bool { return names[i].Name < names[j].Name })
	for _, name := range slices.Sorted(maps.Keys(p.wrappers)) {
		fmt.Fprintf(&b, "\t%q: gosysnativeReflect.ValueOf((*%s)(nil)),\n", "_"+name, wrapperName(name))
	}
	for _, d := range names {
		var v string
		switch {
		case d.Kind == "type":
			v = fmt.Sprintf("gosysnativeReflect.ValueOf((*%s)(nil))", d.Name)
		case d.Kind == "var":
			v = fmt.Sprintf("gosysnativeReflect.ValueOf(&%s).Elem()", d.Name)
		case d.Kind == "const" && p.untyped[d.Name]:
			v = fmt.Sprintf("gosysnativeUntyped(%s)", d.Name)
		default:
			v = fmt.Sprintf("gosysnativeReflect.ValueOf(%s)", d.Name)
		}
		fmt.Fprintf(&b, "\t%q: %s,\n", d.Name, v)
	}
	b.WriteString("}\n\n")
	b.WriteString(`// gosysnativeUntyped is an untyped constant as yaegi wants it: a
// go/constant value (v is the constant with its default type).
func gosysnativeUntyped(v any) gosysnativeReflect.Value {
	var c gosysnativeConstant.Value
	switch x := v.(type) {
	case int:
		c = gosysnativeConstant.MakeInt64(int64(x))
	case rune:
		c = gosysnativeConstant.MakeInt64(int64(x))
	case float64:
		c = gosysnativeConstant.MakeFloat64(x)
	case string:
		c = gosysnativeConstant.MakeString(x)
	case bool:
		c = gosysnativeConstant.MakeBool(x)
	default:
		return gosysnativeReflect.ValueOf(v)
	}
	return gosysnativeReflect.ValueOf(c)
}
`)
	exports = b.String()
	main = fmt.Sprintf("// Code generated by gosys for a native cell. DO NOT EDIT.\n\n// The plugin of a native cell: its symbol table.\npackage main\n\nimport cell %q\n\n// Symbols is what gosys looks up in the plugin.\nvar Symbols = cell.%s\n\nfunc main() {}\n", PathPrefix+"/"+name, symbolsVar(name))
	return cell, exports, main
}

// noteUses returns the ast.Inspect visitor that records in p.uses the
// identifiers a cell uses, less what it only declares (a function's or
// method's name, field and parameter names), the selectors' member names
// and the names of top (the cell's top-level declarations).
func (p *parsed) noteUses(top map[string]bool) func(ast.Node) bool {
	var visit func(ast.Node) bool
	visit = func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncDecl:
			if x.Recv != nil {
				ast.Inspect(x.Recv, visit)
			}
			ast.Inspect(x.Type, visit)
			if x.Body != nil {
				ast.Inspect(x.Body, visit)
			}
			return false
		case *ast.Field:
			if x.Type != nil {
				ast.Inspect(x.Type, visit)
			}
			return false
		case *ast.SelectorExpr:
			ast.Inspect(x.X, visit)
			return false
		case *ast.Ident:
			if !top[x.Name] {
				p.uses[x.Name] = true
			}
		}
		return true
	}
	return visit
}

// wrapperName is the type of the interface wrapper of interface name.
func wrapperName(name string) string { return "_gosysnativeW_" + name }

// interfaceWrapper returns the source of the wrapper yaegi needs to pass a
// value of an interpreted type as the native interface name (as yaegi's
// symbol tables have one per interface, "_I": a struct of IValue and one
// function field W<Method> per method, whose methods call them). It is
// made for an interface of exported methods only, none embedded; text
// returns the cell's source between two positions.
func interfaceWrapper(name string, it *ast.InterfaceType, text func(from, to token.Pos) string) (string, bool) {
	var fields, methods strings.Builder
	for _, m := range it.Methods.List {
		ft, ok := m.Type.(*ast.FuncType)
		if !ok || len(m.Names) != 1 || !m.Names[0].IsExported() || ft.TypeParams != nil {
			return "", false // embedded, or not callable from another package
		}
		method := m.Names[0].Name
		var params, args []string
		for _, f := range ft.Params.List {
			typ := text(f.Type.Pos(), f.Type.End())
			n := max(len(f.Names), 1)
			for range n {
				p := fmt.Sprintf("p%d", len(params))
				params = append(params, p+" "+typ)
				if _, variadic := f.Type.(*ast.Ellipsis); variadic {
					p += "..."
				}
				args = append(args, p)
			}
		}
		results := ""
		if ft.Results != nil {
			results = " " + text(ft.Results.Pos(), ft.Results.End())
		}
		sig := "(" + strings.Join(params, ", ") + ")" + results
		fmt.Fprintf(&fields, "\tW%s func%s\n", method, sig)
		call := fmt.Sprintf("W.W%s(%s)", method, strings.Join(args, ", "))
		if ft.Results != nil {
			call = "return " + call
		}
		fmt.Fprintf(&methods, "func (W %s) %s%s { %s }\n\n", wrapperName(name), method, sig, call)
	}
	return fmt.Sprintf("// %s lets yaegi pass an interpreted value as a %s.\ntype %s struct {\n\tIValue interface{}\n%s}\n\n%s",
		wrapperName(name), name, wrapperName(name), fields.String(), methods.String()), true
}
