package eval

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"gosys/internal/link"
)

// Recipe returns what a fresh session needs to declare again what the
// cells of this one declared: the imports, the source of every type,
// function, method and constant declaration, and every variable's name and
// type. Variables come without their values: a recipe declares, it never
// runs a cell again.
func (s *Session) Recipe() link.Recipe {
	s.declared.Store(false)
	var r link.Recipe
	s.mu.Lock()
	for name, path := range s.imports {
		if !strings.HasPrefix(name, "_gosys") && name != "rt" {
			r.Imports = append(r.Imports, link.Import{Name: name, Path: path})
		}
	}
	for _, name := range s.declOrder {
		d := s.decls[name]
		if d.kind == "var" || s.prelude[name] || d.native != "" {
			continue // variables are declared by type, below; every session has the prelude
		}
		r.Decls = append(r.Decls, link.Decl{Name: name, Kind: d.kind, Src: d.full})
	}
	s.mu.Unlock()
	sort.Slice(r.Imports, func(i, j int) bool { return r.Imports[i].Name < r.Imports[j].Name })
	for _, n := range s.nativePayload(nil) {
		r.Natives = append(r.Natives, link.Native{Path: n.Path, Dir: n.Dir})
	}
	for _, name := range sortedKeys(s.globalVars()) {
		if typ := s.varType(name); typ != "" {
			r.Vars = append(r.Vars, link.Var{Name: name, Type: typ})
		}
	}
	return r
}

// MayHaveDeclared reports whether a cell may have declared something since
// the last call of Recipe: a cell that was one expression (the usual "x"
// or "f(2)") did not, and needs no new recipe.
func (s *Session) MayHaveDeclared() bool { return s.declared.Load() }

// varType returns a session variable's type as Go source: as its
// declaration wrote it, else as reflect prints it (compiled types as
// pkg.Name, which the imports resolve).
func (s *Session) varType(name string) string {
	if typ := s.globalType(name); typ != "" {
		return typ
	}
	v, ok := s.globals()[name]
	if !ok || !v.IsValid() {
		return ""
	}
	return v.Type().String()
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Restore declares in this session, which must be fresh, what r lists:
// imports, then declarations from their source, then the variables with
// their zero values (so that the functions using them compile). Nothing
// is run. What cannot be declared again is left out and listed in Failed.
func (s *Session) Restore(r link.Recipe) link.Restored {
	var out link.Restored
	imports := map[string]string{}
	for _, imp := range r.Imports {
		imports[imp.Name] = imp.Path
	}
	vars := make([]namedType, len(r.Vars))
	for i, v := range r.Vars {
		vars[i] = namedType{name: v.Name, typ: v.Type}
	}
	var decls []string
	seen := map[string]bool{}
	for _, d := range r.Decls {
		if !seen[d.Src] {
			seen[d.Src] = true
			decls = append(decls, d.Src)
		}
	}
	// The native cells first: the declarations may use their names.
	for _, n := range r.Natives {
		if err := s.restoreNative(n.Path, n.Dir); err != nil {
			out.Failed = append(out.Failed, fmt.Sprintf("native cell %s: %v", n.Path, err))
		}
	}
	out.Failed = append(out.Failed, s.declareAll(imports, decls, vars)...)
	s.natives.mu.Lock()
	for _, name := range slices.Sorted(maps.Keys(s.natives.names)) {
		switch s.natives.names[name].Decls[name].Kind {
		case "type":
			out.Types = append(out.Types, name)
		case "func":
			out.Funcs = append(out.Funcs, name)
		case "const":
			out.Consts = append(out.Consts, name)
		case "var":
			out.Vars = append(out.Vars, name)
		}
	}
	s.natives.mu.Unlock()
	for _, imp := range r.Imports {
		if s.importPath(imp.Name) == imp.Path {
			out.Imports = append(out.Imports, imp.Name)
		}
	}
	for _, d := range r.Decls {
		if !s.isDeclared(d.Name) {
			continue
		}
		switch d.Kind {
		case "type":
			out.Types = append(out.Types, d.Name)
		case "func":
			out.Funcs = append(out.Funcs, d.Name)
		case "const":
			out.Consts = append(out.Consts, d.Name)
		}
	}
	globals := s.globals()
	for _, v := range r.Vars {
		if _, ok := globals[v.Name]; ok {
			out.Vars = append(out.Vars, v.Name)
		}
	}
	return out
}

// isDeclared reports whether the session has a declaration of name.
func (s *Session) isDeclared(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.decls[name]
	return ok
}

// namedType is a variable to declare: name and type as Go source.
type namedType struct{ name, typ string }

// declareAll declares imports, then the declarations decls (each the
// source of one top-level declaration) and the variables vars, in one file
// so that they may refer to each other. If that fails it declares them one
// by one, leaving out those that fail, and returns a line for each of
// those. Declarations are recorded as a cell's are.
func (s *Session) declareAll(imports map[string]string, decls []string, vars []namedType) (failed []string) {
	ctx := context.Background()
	names := make([]string, 0, len(imports))
	for name := range imports {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		src := fmt.Sprintf("import %s %q", name, imports[name])
		if src, left := s.dropKnownImports(src); left {
			if _, err := s.eval(ctx, 0, src); err != nil {
				failed = append(failed, fmt.Sprintf("import %q: %v", imports[name], err))
				continue
			}
			s.noteImports(src, 0)
		}
	}
	varBlock := func(vs []namedType) string {
		if len(vs) == 0 {
			return ""
		}
		var b strings.Builder
		b.WriteString("\nvar (\n")
		for _, v := range vs {
			fmt.Fprintf(&b, "\t%s %s\n", v.name, v.typ)
		}
		b.WriteString(")\n")
		return b.String()
	}
	// Declarations are kept as the cells wrote them: the rewrites a cell's
	// chunks get (fork sites, range over int...) are made again here.
	ints := s.intGlobals()
	prepared := func(src string) string { return s.rewrite(src, declChunk, 0, ints) }
	all := strings.Join(decls, "\n") + varBlock(vars)
	if strings.TrimSpace(all) == "" {
		return failed
	}
	if _, err := s.eval(ctx, 0, prepared(all)); err == nil {
		s.noteDeclared(decls, vars)
		return failed
	}
	// One by one: variables first (functions may use them), then the
	// declarations in their order, each retried once after the others
	// (a type may be used before it is declared).
	var okVars []namedType
	for _, v := range vars {
		if _, err := s.eval(ctx, 0, varBlock([]namedType{v})); err != nil {
			failed = append(failed, fmt.Sprintf("variable %s %s: %v", v.name, v.typ, firstLine(err)))
			continue
		}
		okVars = append(okVars, v)
	}
	var okDecls, later []string
	for pass := 0; pass < 2; pass++ {
		later = later[:0]
		for _, d := range decls {
			if _, err := s.eval(ctx, 0, prepared(d)); err != nil {
				if pass == 1 {
					head, _, _ := strings.Cut(strings.TrimSpace(d), "\n")
					failed = append(failed, fmt.Sprintf("%s: %v", head, firstLine(err)))
				}
				later = append(later, d)
				continue
			}
			okDecls = append(okDecls, d)
		}
		decls = append([]string(nil), later...)
		if len(decls) == 0 {
			break
		}
	}
	s.noteDeclared(okDecls, okVars)
	return failed
}

// noteDeclared records declarations made by declareAll as a cell's are.
func (s *Session) noteDeclared(decls []string, vars []namedType) {
	s.declared.Store(true)
	s.noteImports(strings.Join(decls, "\n"), 0)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vars {
		s.globalTypes[v.name] = v.typ
	}
}

// firstLine returns the first line of err's text.
func firstLine(err error) string {
	text, _, _ := strings.Cut(err.Error(), "\n")
	return text
}
