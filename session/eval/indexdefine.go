package eval

import (
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
)

// yaegi 0.16 fails on a top-level "x := s[i]" when s's type came from a
// compiled function ("ais, _ := rt.LookupHost(...)": "undefined: rt" or
// "constant definition loop"), yet accepts the same with the type written
// out. rewriteIndexDefine writes it out as a conversion, "x :=
// (rt.AddrInfo)(s[i])" (a "var" would make yaegi read the chunk as
// declarations), on the same line, for each such statement at the top of a statement chunk whose
// element type it can tell from the session's recorded types and that names
// only packages the session imported.
func (s *Session) rewriteIndexDefine(src string, kind chunkKind) string {
	if kind != stmtChunk {
		return src
	}
	pc, err := parseChunk(src, kind)
	if err != nil {
		return src
	}
	type span struct {
		from, to int
		text     string
	}
	var spans []span
	for _, st := range pc.body() {
		as, ok := st.(*ast.AssignStmt)
		if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			continue
		}
		id, ok := as.Lhs[0].(*ast.Ident)
		if !ok || id.Name == "_" {
			continue
		}
		ix, ok := ast.Unparen(as.Rhs[0]).(*ast.IndexExpr)
		if !ok {
			continue
		}
		typ := s.elemType(s.typeOfExpr(ix.X))
		if typ == "" || !s.writableType(typ) {
			continue
		}
		// "x := e" → "x := (T)(e)".
		rhs := as.Rhs[0]
		from, to := int(rhs.Pos())-pc.base, int(rhs.End())-pc.base
		spans = append(spans, span{from, to, "(" + typ + ")(" + src[from:to] + ")"})
	}
	// Apply from the end so earlier offsets stay valid.
	sort.Slice(spans, func(i, j int) bool { return spans[i].from > spans[j].from })
	for _, sp := range spans {
		src = src[:sp.from] + sp.text + src[sp.to:]
	}
	return src
}

// elemType returns the element type of a slice, array or map type
// expression, or "" when typ is none of these.
func (s *Session) elemType(typ string) string {
	if typ == "" {
		return ""
	}
	e, err := parser.ParseExpr(typ)
	if err != nil {
		return ""
	}
	switch t := e.(type) {
	case *ast.ArrayType:
		return exprString(t.Elt)
	case *ast.MapType:
		return exprString(t.Value)
	}
	return ""
}

// predeclared are the type names a type expression may use unqualified.
var predeclared = map[string]bool{
	"bool": true, "byte": true, "complex64": true, "complex128": true, "error": true,
	"float32": true, "float64": true, "int": true, "int8": true, "int16": true, "int32": true,
	"int64": true, "rune": true, "string": true, "uint": true, "uint8": true, "uint16": true,
	"uint32": true, "uint64": true, "uintptr": true, "any": true,
}

// writableType reports whether a type expression can be written in a cell
// as it is: built from predeclared types and types of packages the session
// imported under the names it uses. Types the cells declared are left out:
// yaegi handles their elements already.
func (s *Session) writableType(typ string) bool {
	e, err := parser.ParseExpr(typ)
	if err != nil {
		return false
	}
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			pkg, isID := x.X.(*ast.Ident)
			ok = ok && isID && s.importPath(pkg.Name) != ""
			return false
		case *ast.Ident:
			ok = ok && predeclared[x.Name]
		case *ast.FuncType, *ast.StructType, *ast.InterfaceType:
			ok = false
		}
		return ok
	})
	return ok
}
