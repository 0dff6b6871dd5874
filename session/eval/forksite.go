package eval

import (
	"go/ast"
	"go/token"
	"sort"
	"strconv"
	"strings"

	"gosys/session/fork"
)

// forkHook is the package path of the compiled function rewritten
// rt.Fork calls go to.
const forkHook = "gosys/session/eval/forkhook"

// rewriteForks rewrites each rt.Fork(func() {...}) in a chunk into a call of
// the session's fork hook that also passes the site's number and the values
// of the variables the literal captures:
//
//	rt.Fork(func() { use(x) })  →  _gosysFork.Fork(7, []any{x}, func() { use(x) })
//
// The literal stays, so the parent still compiles it and reports its errors
// with the cell's lines. line is the chunk's first line in the cell.
func (s *Session) rewriteForks(src string, kind chunkKind, line int) string {
	if !strings.Contains(src, "Fork") {
		return src
	}
	pc, err := parseChunk(src, kind)
	if err != nil {
		return src
	}
	f, fset, base := pc.file, pc.fset, pc.base
	off := func(p token.Pos) int { return int(p) - base }
	cellVars := varDecls(f, s)
	globals := s.globalVars()

	type edit struct {
		from, to int
		text     string
	}
	var edits []edit
	for _, cf := range findCForks(pc, kind) {
		site, ok := s.cForkSite(cf, pc, src, line, cellVars, globals)
		if !ok {
			continue // left to rt.Fork, which says why it cannot fork
		}
		id := s.addSite(site)
		edits = append(edits, edit{off(cf.call.Pos()), off(cf.call.End()), cForkEdit(id, site.Captures)})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 || !isRtFork(call.Fun) {
			return true
		}
		if id, ok := call.Args[0].(*ast.Ident); ok && id.Name == "nil" {
			return true // rt.Fork(nil) fails as C's fork does
		}
		var lit string
		var uses map[string]token.Pos
		switch a := call.Args[0].(type) {
		case *ast.FuncLit:
			lit = src[off(a.Pos()):off(a.End())]
			uses = freeNames(a)
		case *ast.Ident:
			lit = "func() { " + a.Name + "() }"
			uses = map[string]token.Pos{}
		default:
			return true // left to rt.Fork, which explains what it needs
		}
		pos := fset.Position(call.Args[0].Pos())
		site := fork.Site{Line: line + pos.Line - 1, Src: lit, Col: pos.Column}
		if pos.Line == 1 {
			site.Col -= pc.prefix
		}
		names := make([]string, 0, len(uses))
		for name, at := range uses {
			if d, ok := cellVars[name]; ok && d.pos < at {
				names = append(names, name)
			} else if globals[name] {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		for _, name := range names {
			typ := ""
			if d, ok := cellVars[name]; ok {
				typ = d.typ
			} else {
				typ = s.globalType(name)
			}
			site.Captures = append(site.Captures, name)
			site.Types = append(site.Types, typ)
		}
		id := s.addSite(site)
		text := "_gosysFork.Fork(" + strconv.Itoa(id) + ", []any{" + strings.Join(names, ", ") + "}, "
		edits = append(edits, edit{off(call.Fun.Pos()), off(call.Lparen) + 1, text})
		if _, isIdent := call.Args[0].(*ast.Ident); isIdent {
			edits = append(edits, edit{off(call.Args[0].Pos()), off(call.Args[0].End()), lit})
		}
		return true
	})
	sort.Slice(edits, func(i, j int) bool { return edits[i].from > edits[j].from })
	for _, e := range edits {
		src = src[:e.from] + e.text + src[e.to:]
	}
	return src
}

// isRtFork matches rt.Fork.
func isRtFork(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Fork" {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == "rt"
}

// freeNames returns the names a function literal uses that it does not
// declare itself, with the position of their first use. Selectors' member
// names and struct literal keys are not uses. A name declared in the literal
// before its first use is the literal's own.
func freeNames(lit *ast.FuncLit) map[string]token.Pos {
	declared := map[string]bool{}
	uses := map[string]token.Pos{}
	declare := func(fl *ast.FieldList) {
		if fl == nil {
			return
		}
		for _, f := range fl.List {
			for _, n := range f.Names {
				declared[n.Name] = true
			}
		}
	}
	var walk func(n ast.Node) bool
	walk = func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			declare(x.Type.Params)
			declare(x.Type.Results)
		case *ast.AssignStmt:
			for _, r := range x.Rhs {
				ast.Inspect(r, walk)
			}
			for _, l := range x.Lhs {
				if id, ok := l.(*ast.Ident); ok && x.Tok == token.DEFINE {
					declared[id.Name] = true
				} else {
					ast.Inspect(l, walk)
				}
			}
			return false
		case *ast.ValueSpec:
			for _, v := range x.Values {
				ast.Inspect(v, walk)
			}
			if x.Type != nil {
				ast.Inspect(x.Type, walk)
			}
			for _, id := range x.Names {
				declared[id.Name] = true
			}
			return false
		case *ast.RangeStmt:
			ast.Inspect(x.X, walk)
			if x.Tok == token.DEFINE {
				for _, e := range []ast.Expr{x.Key, x.Value} {
					if id, ok := e.(*ast.Ident); ok {
						declared[id.Name] = true
					}
				}
			}
			ast.Inspect(x.Body, walk)
			return false
		case *ast.SelectorExpr:
			ast.Inspect(x.X, walk)
			return false
		case *ast.KeyValueExpr:
			if _, ok := x.Key.(*ast.Ident); !ok {
				ast.Inspect(x.Key, walk)
			}
			ast.Inspect(x.Value, walk)
			return false
		case *ast.LabeledStmt:
			ast.Inspect(x.Stmt, walk)
			return false
		case *ast.BranchStmt:
			return false
		case *ast.Ident:
			if !declared[x.Name] && x.Name != "_" {
				if _, seen := uses[x.Name]; !seen {
					uses[x.Name] = x.Pos()
				}
			}
		}
		return true
	}
	ast.Inspect(lit, walk)
	return uses
}

// varDecl is a variable declared in a cell, with the type its declaration
// shows ("" when only the running value can tell).
type varDecl struct {
	pos token.Pos
	typ string
}

// varDecls finds the variables a chunk declares, at any depth (scopes are
// not told apart: the latest declaration of a name wins).
func varDecls(f *ast.File, s *Session) map[string]varDecl {
	out := map[string]varDecl{}
	text := func(e ast.Expr) string { return exprString(e) }
	ast.Inspect(f, func(n ast.Node) bool {
		switch d := n.(type) {
		case *ast.AssignStmt:
			if d.Tok != token.DEFINE {
				return true
			}
			for i, l := range d.Lhs {
				id, ok := l.(*ast.Ident)
				if !ok || id.Name == "_" {
					continue
				}
				out[id.Name] = varDecl{id.Pos(), s.typeOfValue(d.Rhs, i, len(d.Lhs))}
			}
		case *ast.ValueSpec:
			for i, id := range d.Names {
				typ := ""
				if d.Type != nil {
					typ = text(d.Type)
				} else {
					typ = s.typeOfValue(d.Values, i, len(d.Names))
				}
				out[id.Name] = varDecl{id.Pos(), typ}
			}
		case *ast.Field:
			for _, id := range d.Names {
				typ := text(d.Type)
				if strings.HasPrefix(typ, "...") {
					typ = "[]" + typ[3:]
				}
				out[id.Name] = varDecl{id.Pos(), typ}
			}
		case *ast.RangeStmt:
			if d.Tok == token.DEFINE {
				for _, e := range []ast.Expr{d.Key, d.Value} {
					if id, ok := e.(*ast.Ident); ok {
						out[id.Name] = varDecl{id.Pos(), ""}
					}
				}
			}
		}
		return true
	})
	return out
}
