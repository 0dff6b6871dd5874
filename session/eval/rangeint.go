package eval

import (
	"go/ast"
	"go/token"
	"sort"
	"strings"
)

// yaegi 0.16 crashes on Go 1.22's range over an integer. rewriteRangeInt
// turns "for i := range n {" into a three-clause loop on the same line, for
// every n it can tell is an integer without type checking: integer literals,
// len and cap, arithmetic on those, and names declared as integers in the
// cell or in the session (intNames). The loop variable gets n's type, and n
// is evaluated before the loop as the spec says (twice, which is harmless
// for these side-effect-free forms).
func rewriteRangeInt(src string, kind chunkKind, intNames map[string]bool) string {
	pc, err := parseChunk(src, kind)
	if err != nil {
		return src // yaegi reports the syntax error with the cell's lines
	}
	f := pc.file
	names := map[string]bool{}
	for n := range intNames {
		names[n] = true
	}
	collectIntNames(f, names)

	type edit struct {
		from, to int
		text     string
	}
	var edits []edit
	base := pc.base
	ast.Inspect(f, func(n ast.Node) bool {
		rs, ok := n.(*ast.RangeStmt)
		if !ok || rs.Value != nil || (rs.Key != nil && rs.Tok != token.DEFINE) || !isIntExpr(rs.X, names) {
			return true
		}
		x := src[int(rs.X.Pos())-base : int(rs.X.End())-base]
		key := "_gosysI"
		if id, ok := rs.Key.(*ast.Ident); ok {
			key = id.Name
		} else if rs.Key != nil {
			return true
		}
		// The counter is hidden; the body gets its own copy of it each
		// iteration, as Go 1.22 gives: changing it does not skip iterations.
		text := "for _gosysI, _gosysN := (" + x + ")-(" + x + "), " + x + "; _gosysI < _gosysN; _gosysI++ "
		edits = append(edits, edit{int(rs.For) - base, int(rs.Body.Lbrace) - base, text})
		if key != "_gosysI" {
			at := int(rs.Body.Lbrace) - base + 1
			edits = append(edits, edit{at, at, " " + key + " := _gosysI; _ = " + key + ";"})
		}
		return true
	})
	sort.Slice(edits, func(i, j int) bool { return edits[i].from > edits[j].from })
	for _, e := range edits {
		src = src[:e.from] + e.text + src[e.to:]
	}
	return src
}

// collectIntNames adds names declared with an integer type or an integer
// initial value anywhere in f (scopes are ignored: a near miss only means a
// loop is left as it was).
func collectIntNames(f *ast.File, names map[string]bool) {
	ast.Inspect(f, func(n ast.Node) bool {
		switch d := n.(type) {
		case *ast.AssignStmt:
			if d.Tok == token.DEFINE && len(d.Lhs) == len(d.Rhs) {
				for i, l := range d.Lhs {
					if id, ok := l.(*ast.Ident); ok && isIntExpr(d.Rhs[i], names) {
						names[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			for i, id := range d.Names {
				if isIntType(d.Type) || (d.Type == nil && i < len(d.Values) && isIntExpr(d.Values[i], names)) {
					names[id.Name] = true
				}
			}
		case *ast.RangeStmt:
			if id, ok := d.Key.(*ast.Ident); ok && d.Value == nil && isIntExpr(d.X, names) {
				names[id.Name] = true
			}
		case *ast.Field:
			if isIntType(d.Type) {
				for _, id := range d.Names {
					names[id.Name] = true
				}
			}
		}
		return true
	})
}

func isIntType(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && isIntTypeName(id.Name)
}

func isIntTypeName(s string) bool {
	switch s {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "byte", "rune":
		return true
	}
	return false
}

// isIntExpr reports whether e is certainly an integer.
func isIntExpr(e ast.Expr, names map[string]bool) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return x.Kind == token.INT
	case *ast.Ident:
		return names[x.Name]
	case *ast.ParenExpr:
		return isIntExpr(x.X, names)
	case *ast.UnaryExpr:
		return x.Op == token.SUB && isIntExpr(x.X, names)
	case *ast.BinaryExpr:
		switch x.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.SHL, token.SHR, token.AND, token.OR, token.XOR:
			return isIntExpr(x.X, names) && (isIntExpr(x.Y, names) || x.Op == token.SHL || x.Op == token.SHR)
		}
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok {
			return id.Name == "len" || id.Name == "cap" || (isIntTypeName(id.Name) && len(x.Args) == 1)
		}
	}
	return false
}

// isRangeIntPanic reports whether a compile-time panic of yaegi is its
// known failure on a range statement it cannot type.
func isRangeIntPanic(v any) bool {
	s, ok := v.(string)
	return ok && strings.Contains(s, "nil type")
}
