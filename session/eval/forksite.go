package eval

import (
	"errors"
	"go/ast"
	"go/token"
	"go/types"
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
// of the local variables the literal captures:
//
//	rt.Fork(func() { use(x) })  →  _gosysFork.Fork(7, []any{x}, func() { use(x) })
//
// The literal stays, so the parent still compiles it and reports its errors
// with the cell's lines. line is the chunk's first line in the cell (0 when
// the chunk places itself with line directives).
func (s *Session) rewriteForks(src string, kind chunkKind, line int) string {
	if !strings.Contains(src, "Fork") {
		return src
	}
	pc, err := parseChunk(src, kind)
	if err != nil {
		return src
	}
	f := pc.file
	off := func(p token.Pos) int { return int(p) - pc.base }
	sc := s.forkScopes(pc)

	type edit struct {
		from, to int
		text     string
	}
	var edits []edit
	for _, cf := range findCForks(pc, kind) {
		site, ok := s.cForkSite(cf, pc, src, line, sc)
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
		arg := call.Args[0]
		var lit string
		switch a := arg.(type) {
		case *ast.FuncLit:
			lit = src[off(a.Pos()):off(a.End())]
		case *ast.Ident:
			lit = "func() { " + a.Name + "() }"
		default:
			return true // left to rt.Fork, which explains what it needs
		}
		// The literal's own locals are its own; a function variable named
		// by rt.Fork(f) is a capture like any other.
		caps, _ := sc.captures(arg.Pos(), arg.End(), token.NoPos)
		site := fork.Site{Src: lit, Text: s.siteText(pc, src, line, arg.Pos(), arg.End())}
		site.Line, site.Col = pc.cellPos(arg.Pos(), line)
		for _, c := range caps {
			site.Captures = append(site.Captures, c.name)
			site.Types = append(site.Types, c.typ)
		}
		id := s.addSite(site)
		text := "_gosysFork.Fork(" + strconv.Itoa(id) + ", []any{" + strings.Join(site.Captures, ", ") + "}, "
		edits = append(edits, edit{off(call.Fun.Pos()), off(call.Lparen) + 1, text})
		if _, isIdent := arg.(*ast.Ident); isIdent {
			edits = append(edits, edit{off(arg.Pos()), off(arg.End()), lit})
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

// siteText returns the cell's lines from the line of from to the line of
// to (see cellLines).
func (s *Session) siteText(pc parsedChunk, src string, line int, from, to token.Pos) string {
	first, _ := pc.cellPos(from, line)
	last, _ := pc.cellPos(to, line)
	return s.cellLines(pc, src, line, from, first, last)
}

// cellLines returns the cell's lines first to last, as the cell has them
// when the session knows it (see forkContext), else as the chunk src has
// them; a line outside them is empty. at is a position of the chunk, which
// places the chunk's lines in the cell.
func (s *Session) cellLines(pc parsedChunk, src string, line int, at token.Pos, first, last int) string {
	if known := s.fctx.text; first >= 1 && last <= len(known) {
		return strings.Join(known[first-1:last], "\n")
	}
	out := make([]string, 0, last-first+1)
	own := strings.Split(src, "\n")
	atLine, _ := pc.cellPos(at, line)
	shift := pc.rawLine(at) - atLine // a cell line's index+1 in own
	for n := first; n <= last; n++ {
		if i := n + shift - 1; n >= 1 && i >= 0 && i < len(own) {
			out = append(out, own[i])
		} else {
			out = append(out, "")
		}
	}
	return strings.Join(out, "\n")
}

// capture is a local variable a fork site captures, with its type as Go
// source ("" when only the running value can tell).
type capture struct{ name, typ string }

// forkScopes resolves the names of a chunk by Go's scope rules, to find
// the locals a fork site captures: the chunk is type-checked on its own,
// its errors ignored (it names session variables, functions and packages
// the check does not know, which it leaves unresolved: not locals).
type forkScopes struct {
	pkg  *types.Package
	info *types.Info
	// declared are the types the source shows for the variables the chunk
	// declares, by the position of their names.
	declared map[token.Pos]varDecl
}

// forkScopes type-checks a parsed chunk for its fork sites.
func (s *Session) forkScopes(pc parsedChunk) *forkScopes {
	sc := &forkScopes{
		info:     &types.Info{Uses: map[*ast.Ident]types.Object{}},
		declared: varDecls(pc.file, s),
	}
	defer func() {
		if recover() != nil {
			sc.pkg = nil // no captures: never let the check take the session down
		}
	}()
	conf := types.Config{Importer: noImports{}, Error: func(error) {}}
	sc.pkg, _ = conf.Check("p", pc.fset, []*ast.File{pc.file}, sc.info)
	return sc
}

// noImports imports nothing: the type check makes a package of its own
// for each import, that declares nothing.
type noImports struct{}

func (noImports) Import(string) (*types.Package, error) {
	return nil, errors.New("not loaded")
}

// captures returns, sorted by name, the local variables and constants of
// the functions around the code from..to that it uses and that are
// declared outside it: what a child that runs that code must be given.
// Session variables and the chunk's package-level names are not captures
// (the child has them as the session has). When at is valid, the values
// are passed at at (an rt.Fork() call inside the code): ok is false when a
// capture's name means something else there.
func (sc *forkScopes) captures(from, to, at token.Pos) (out []capture, ok bool) {
	if sc.pkg == nil {
		return nil, true
	}
	seen := map[types.Object]bool{}
	for id, obj := range sc.info.Uses {
		if id.Pos() < from || id.Pos() >= to || seen[obj] || !sc.isLocal(obj) {
			continue
		}
		if obj.Pos() >= from && obj.Pos() < to {
			continue // the code's own
		}
		seen[obj] = true
		if at.IsValid() {
			if inner := sc.pkg.Scope().Innermost(at); inner == nil {
				return nil, false
			} else if _, o := inner.LookupParent(obj.Name(), at); o != obj {
				return nil, false
			}
		}
		typ := sc.declared[obj.Pos()].typ
		if typ == "" {
			typ = sourceType(types.Default(obj.Type()), sc.pkg)
		}
		out = append(out, capture{obj.Name(), typ})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, true
}

// isLocal reports whether obj is a variable or constant declared in a
// function of the chunk (a parameter, a result, a local).
func (sc *forkScopes) isLocal(obj types.Object) bool {
	switch o := obj.(type) {
	case *types.Var:
		if o.IsField() {
			return false
		}
	case *types.Const:
	default:
		return false
	}
	p := obj.Parent()
	return p != nil && p != types.Universe && p != sc.pkg.Scope() && obj.Pkg() == sc.pkg && obj.Name() != "_"
}

// sourceType writes t as Go source a forked child can compile, or returns
// "" when it cannot be named there: a type the check could not tell, one
// declared in a function.
func sourceType(t types.Type, pkg *types.Package) string {
	if !nameable(t, pkg, map[types.Type]bool{}) {
		return ""
	}
	return types.TypeString(t, func(p *types.Package) string {
		if p == pkg {
			return ""
		}
		return p.Name()
	})
}

// nameable reports whether every type t is made of has a name in a forked
// child: predeclared types and the chunk's package-level ones.
func nameable(t types.Type, pkg *types.Package, seen map[types.Type]bool) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	ok := func(ts ...types.Type) bool {
		for _, x := range ts {
			if !nameable(x, pkg, seen) {
				return false
			}
		}
		return true
	}
	tuple := func(tp *types.Tuple) bool {
		for i := range tp.Len() {
			if !ok(tp.At(i).Type()) {
				return false
			}
		}
		return true
	}
	switch x := t.(type) {
	case *types.Basic:
		return x.Kind() != types.Invalid && x.Kind() != types.UnsafePointer && x.Info()&types.IsUntyped == 0
	case *types.Alias:
		return ok(types.Unalias(x))
	case *types.Pointer:
		return ok(x.Elem())
	case *types.Slice:
		return ok(x.Elem())
	case *types.Array:
		return ok(x.Elem())
	case *types.Chan:
		return ok(x.Elem())
	case *types.Map:
		return ok(x.Key(), x.Elem())
	case *types.Named:
		obj := x.Obj()
		if obj.Pkg() != nil && (obj.Pkg() != pkg || obj.Parent() != pkg.Scope()) {
			return false
		}
		for i := range x.TypeArgs().Len() {
			if !ok(x.TypeArgs().At(i)) {
				return false
			}
		}
		return true
	case *types.Struct:
		for i := range x.NumFields() {
			if !ok(x.Field(i).Type()) {
				return false
			}
		}
		return true
	case *types.Signature:
		return x.TypeParams().Len() == 0 && tuple(x.Params()) && tuple(x.Results())
	case *types.Interface:
		for i := range x.NumEmbeddeds() {
			if !ok(x.EmbeddedType(i)) {
				return false
			}
		}
		for i := range x.NumExplicitMethods() {
			if !ok(x.ExplicitMethod(i).Type()) {
				return false
			}
		}
		return true
	}
	return false
}

// varDecl is a variable declared in a chunk, with the type its declaration
// shows ("" when only the running value can tell).
type varDecl struct {
	name, typ string
}

// varDecls finds the variables (and constants) a chunk declares, at any
// depth, by the position of their names.
func varDecls(f *ast.File, s *Session) map[token.Pos]varDecl {
	out := map[token.Pos]varDecl{}
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
				out[id.Pos()] = varDecl{id.Name, s.typeOfValue(d.Rhs, i, len(d.Lhs))}
			}
		case *ast.ValueSpec:
			for i, id := range d.Names {
				typ := ""
				if d.Type != nil {
					typ = text(d.Type)
				} else {
					typ = s.typeOfValue(d.Values, i, len(d.Names))
				}
				out[id.Pos()] = varDecl{id.Name, typ}
			}
		case *ast.Field:
			for _, id := range d.Names {
				typ := text(d.Type)
				if strings.HasPrefix(typ, "...") {
					typ = "[]" + typ[3:]
				}
				out[id.Pos()] = varDecl{id.Name, typ}
			}
		case *ast.RangeStmt:
			if d.Tok == token.DEFINE {
				for _, e := range []ast.Expr{d.Key, d.Value} {
					if id, ok := e.(*ast.Ident); ok {
						out[id.Pos()] = varDecl{id.Name, ""}
					}
				}
			}
		}
		return true
	})
	return out
}
