package eval

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"strconv"
	"strings"
)

// declared is a name a cell declared at the top level, kept for completion
// and inspection.
type declared struct {
	kind string // func, type, var, const
	src  string // the declaration as inspect shows it: doc comment and signature
	full string // the whole declaration, as a forked child replays it
	// line and col are where full starts in the cell that declared it, so
	// that a forked child places it there (see fork.Decl).
	line, col int
	// native is the package path of the native cell that declared it
	// (see runNative); "" for an interpreted declaration.
	native string
}

// noteImports records the imports and top-level declarations of a chunk of
// declarations whose first line is the cell's line `line` (0 when the
// source places itself with line directives, see lineDirective). Parse
// failures are ignored: the chunk already ran.
func (s *Session) noteImports(src string, line int) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package p;"+src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return
	}
	pc := parsedChunk{fset: fset, file: f, base: fset.File(f.Pos()).Base() + len("package p;"), prefix: len("package p;")}
	text := func(from, to token.Pos) string {
		a, b := int(from)-pc.base, int(to)-pc.base
		if a < 0 || b > len(src) || a > b {
			return ""
		}
		return strings.TrimSpace(src[a:b])
	}
	// start is where a declaration's recorded text begins: its doc comment,
	// less the line directives a forked child put before it.
	start := func(pos token.Pos, doc *ast.CommentGroup) token.Pos {
		if doc == nil {
			return pos
		}
		for _, c := range doc.List {
			if !isLineDirective(c.Text) {
				return c.Pos()
			}
		}
		return pos
	}
	record := func(name string, d declared, from token.Pos) {
		d.line, d.col = pc.cellPos(from, line)
		s.declare(name, d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		name := path.Base(p)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		if name != "_" && name != "." {
			s.imports[name] = p
		}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			from := start(d.Pos(), d.Doc)
			name := d.Name.Name
			if d.Recv != nil {
				name = recvName(d.Recv) + "." + name
			}
			record(name, declared{kind: "func", src: text(from, d.Type.End()), full: text(from, d.End())}, from)
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			from := start(d.Pos(), d.Doc)
			whole := text(from, d.End())
			for _, spec := range d.Specs {
				switch sp := spec.(type) {
				case *ast.TypeSpec:
					// yaegi keeps the first definition of a type: so does the record.
					if s.decls[sp.Name.Name].kind != "type" {
						record(sp.Name.Name, declared{kind: "type", src: whole, full: whole}, from)
					}
				case *ast.ValueSpec:
					for _, n := range sp.Names {
						record(n.Name, declared{kind: d.Tok.String(), src: whole, full: whole}, from)
					}
				}
			}
		}
	}
}

// declare records a declaration; s.mu must be held.
func (s *Session) declare(name string, d declared) {
	if d.native == "" {
		s.forgetNative(name)
	}
	if _, ok := s.decls[name]; !ok {
		s.declOrder = append(s.declOrder, name)
	}
	s.decls[name] = d
}

// recvName returns the base type name of a method receiver.
func recvName(fl *ast.FieldList) string {
	if fl == nil || len(fl.List) == 0 {
		return ""
	}
	t := fl.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// undefinedNames returns the names src uses on the right of := or = that
// are declared neither in src nor in the session, imports and builtins.
func (s *Session) undefinedNames(src string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p; func _() {"+src+"\n}", parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	known := map[string]bool{}
	for _, n := range s.topNames() {
		known[n] = true
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch d := n.(type) {
		case *ast.AssignStmt:
			if d.Tok == token.DEFINE {
				for _, l := range d.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						known[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			for _, id := range d.Names {
				known[id.Name] = true
			}
		case *ast.Field:
			for _, id := range d.Names {
				known[id.Name] = true
			}
		}
		return true
	})
	var missing []string
	body := f.Decls[0].(*ast.FuncDecl).Body
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(x.X, func(m ast.Node) bool {
				if id, ok := m.(*ast.Ident); ok && !known[id.Name] && id.Name != "_" {
					missing = append(missing, id.Name)
					known[id.Name] = true
				}
				return true
			})
			return false // x.Sel is a member, not a name
		case *ast.Ident:
			if !known[x.Name] && x.Name != "_" {
				missing = append(missing, x.Name)
				known[x.Name] = true
			}
		}
		return true
	})
	return missing
}

// dropKnownImports blanks out the imports of src that the session already
// has under the same name, so that running a cell again does not fail with
// "redeclared": yaegi refuses a second identical import. Lines and columns
// are kept. It reports whether anything but blank space is left.
func (s *Session) dropKnownImports(src string) (string, bool) {
	const prefix = "package p;"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", prefix+src, parser.ImportsOnly|parser.SkipObjectResolution)
	if err != nil {
		return src, true
	}
	base := fset.File(f.Pos()).Base() + len(prefix)
	b := []byte(src)
	blank := func(from, to token.Pos) {
		for i := int(from) - base; i < int(to)-base && i < len(b); i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
	}
	s.mu.Lock()
	known := func(spec *ast.ImportSpec) bool {
		p, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			return false
		}
		name := path.Base(p)
		if spec.Name != nil {
			name = spec.Name.Name
		}
		return s.imports[name] == p
	}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		all := true
		for _, sp := range gd.Specs {
			if !known(sp.(*ast.ImportSpec)) {
				all = false
			}
		}
		if all {
			blank(gd.Pos(), gd.End())
			continue
		}
		if gd.Lparen.IsValid() {
			for _, sp := range gd.Specs {
				if known(sp.(*ast.ImportSpec)) {
					end := sp.End()
					// import ("os"; "strings"): the separator goes too.
					if rest := b[int(end)-base:]; len(bytes.TrimLeft(rest, " \t")) > 0 && bytes.TrimLeft(rest, " \t")[0] == ';' {
						end += token.Pos(len(rest) - len(bytes.TrimLeft(rest, " \t")) + 1)
					}
					blank(sp.Pos(), end)
				}
			}
		}
	}
	s.mu.Unlock()
	out := string(b)
	return out, strings.TrimSpace(out) != ""
}
