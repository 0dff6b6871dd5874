package eval

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"

	"gosys/internal/content"
)

// Checks made before a chunk reaches the interpreter, for mistakes it would
// report badly or not at all.

// precheck returns an error for a chunk the interpreter would mishandle:
// a package used without its import (yaegi may compile it and panic with
// a nil dereference when it runs), a type declared again with another
// shape (yaegi keeps the first one silently), a variable defined at the
// top level from a generic function's result (yaegi cannot). nil when the
// chunk is fine as far as these go.
func (s *Session) precheck(ch chunk, cellSrc string) *content.Error {
	if ch.kind == stmtChunk {
		if e := s.missingImport(ch, cellSrc); e != nil {
			return e
		}
	} else if e := s.typeRedefined(ch, cellSrc); e != nil {
		return e
	}
	return s.genericDefine(ch, cellSrc)
}

// missingImport reports a standard package used without its import.
func (s *Session) missingImport(ch chunk, cellSrc string) *content.Error {
	// Quick look first: an identifier followed by a dot that names a
	// standard package the session has not imported.
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(ch.src))
	var sc scanner.Scanner
	sc.Init(file, []byte(ch.src), nil, 0)
	candidates := map[string]bool{}
	prev, prevLit := token.ILLEGAL, ""
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.PERIOD && prev == token.IDENT && s.importPath(prevLit) == "" {
			if _, std := s.stdPackage(prevLit); std {
				candidates[prevLit] = true
			}
		}
		prev, prevLit = tok, lit
	}
	if len(candidates) == 0 {
		return nil
	}
	for _, name := range s.undefinedNames(ch.src) {
		if !candidates[name] {
			continue
		}
		path, _ := s.stdPackage(name)
		e := content.NewError("CompileError", fmt.Sprintf("undefined: %s (import %q first)", name, path))
		if line, col, ok := firstUse(ch, name); ok {
			lines := strings.Split(cellSrc, "\n")
			e.Traceback = append(e.Traceback, fmt.Sprintf("  at cell line %d:%d", line, col))
			e.Traceback = append(e.Traceback, quote(lines, line, col)...)
		}
		return e
	}
	return nil
}

// firstUse returns the cell line and column of the first identifier name
// of a chunk.
func firstUse(ch chunk, name string) (line, col int, ok bool) {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(ch.src))
	var sc scanner.Scanner
	sc.Init(file, []byte(ch.src), nil, 0)
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			return 0, 0, false
		}
		if tok == token.IDENT && lit == name {
			p := fset.Position(pos)
			return ch.line + p.Line - 1, p.Column, true
		}
	}
}

// genericDefine reports "x := min(a, b)" or "var x = min(a, b)" at a
// chunk's top level: yaegi cannot give a session variable the type of a
// generic function's result (it fails, or silently leaves the variable
// zero).
func (s *Session) genericDefine(ch chunk, cellSrc string) *content.Error {
	if !strings.Contains(ch.src, "=") {
		return nil
	}
	pc, err := parseChunk(ch.src, ch.kind)
	if err != nil {
		return nil
	}
	type def struct {
		at   token.Pos
		lhs  ast.Expr
		call *ast.CallExpr
	}
	var defs []def
	if ch.kind == stmtChunk {
		for _, st := range pc.body() {
			if as, ok := st.(*ast.AssignStmt); ok && as.Tok == token.DEFINE && len(as.Rhs) == 1 {
				if call, ok := as.Rhs[0].(*ast.CallExpr); ok {
					defs = append(defs, def{as.Pos(), as.Lhs[0], call})
				}
			}
		}
	} else {
		for _, d := range pc.file.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				if len(vs.Values) == 1 {
					if call, ok := vs.Values[0].(*ast.CallExpr); ok {
						defs = append(defs, def{vs.Pos(), vs.Names[0], call})
					}
				}
			}
		}
	}
	for _, d := range defs {
		if !s.isGeneric(d.call.Fun) {
			continue
		}
		name, call := exprString(d.lhs), exprString(d.call)
		e := content.NewError("CompileError", fmt.Sprintf(
			"%s = %s at the top level of a cell: the interpreter (yaegi) cannot give a session variable the type of a generic function's result; "+
				"convert it to its type (%s := T(%s), e.g. int(...)), or call %s inside a function",
			name, call, name, call, exprString(d.call.Fun)))
		p := pc.fset.Position(d.at)
		line, col := ch.line+p.Line-1, p.Column
		if p.Line == 1 {
			col -= pc.prefix
		}
		e.Traceback = append(e.Traceback, fmt.Sprintf("  at cell line %d:%d", line, col))
		e.Traceback = append(e.Traceback, quote(strings.Split(cellSrc, "\n"), line, col)...)
		return e
	}
	return nil
}

// genericPackages are the interpreted generic standard packages.
var genericPackages = map[string]bool{"slices": true, "maps": true, "cmp": true}

// isGeneric reports whether fun names a generic function the prelude or
// the interpreted packages define: min, max, slices.Max...
func (s *Session) isGeneric(fun ast.Expr) bool {
	switch f := fun.(type) {
	case *ast.Ident:
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.prelude[f.Name] && f.Name != "clear"
	case *ast.SelectorExpr:
		id, ok := f.X.(*ast.Ident)
		return ok && genericPackages[s.importPath(id.Name)]
	}
	return false
}

// typeRedefined reports a type a declaration chunk declares again with
// another shape: yaegi keeps the first definition and would fail later, at
// a use of the new one.
func (s *Session) typeRedefined(ch chunk, cellSrc string) *content.Error {
	if !strings.Contains(ch.src, "type") {
		return nil
	}
	pc, err := parseChunk(ch.src, declChunk)
	if err != nil {
		return nil
	}
	for _, d := range pc.file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, sp := range gd.Specs {
			ts := sp.(*ast.TypeSpec)
			old, ok := s.typeShape(ts.Name.Name)
			if !ok || old == typeSpecShape(ts) {
				continue
			}
			e := content.NewError("CompileError", fmt.Sprintf(
				"type %s is declared already, as %s: the interpreter cannot give a type another shape in the same session; "+
					"give the new type another name, or restart the kernel", ts.Name.Name, old))
			p := pc.fset.Position(ts.Pos())
			line, col := ch.line+p.Line-1, p.Column
			if p.Line == 1 {
				col -= pc.prefix
			}
			e.Traceback = append(e.Traceback, fmt.Sprintf("  at cell line %d:%d", line, col))
			e.Traceback = append(e.Traceback, quote(strings.Split(cellSrc, "\n"), line, col)...)
			return e
		}
	}
	return nil
}

// typeShape returns the shape of a type the cells declared: its type
// parameters and underlying type as Go source.
func (s *Session) typeShape(name string) (string, bool) {
	s.mu.Lock()
	d, ok := s.decls[name]
	s.mu.Unlock()
	if !ok || d.kind != "type" {
		return "", false
	}
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p;"+d.full, parser.SkipObjectResolution)
	if err != nil {
		return "", false
	}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, sp := range gd.Specs {
			if ts, ok := sp.(*ast.TypeSpec); ok && ts.Name.Name == name {
				return typeSpecShape(ts), true
			}
		}
	}
	return "", false
}

// typeSpecShape prints a type declaration's shape canonically.
func typeSpecShape(ts *ast.TypeSpec) string {
	shape := exprString(ts.Type)
	if ts.TypeParams != nil {
		var ps []string
		for _, f := range ts.TypeParams.List {
			for _, n := range f.Names {
				ps = append(ps, n.Name+" "+exprString(f.Type))
			}
		}
		shape = "[" + strings.Join(ps, ", ") + "] " + shape
	}
	if ts.Assign.IsValid() {
		shape = "= " + shape
	}
	return shape
}
