package eval

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// The child of a fork declares the variables it inherits with the type
// they have in the parent. yaegi's reflect types of interpreted values are
// anonymous, so the type expression is read from the cell source where the
// declaration tells it; the functions here derive it without type checking.

// exprString prints an expression as source.
func exprString(e ast.Expr) string {
	var b bytes.Buffer
	_ = printer.Fprint(&b, token.NewFileSet(), e)
	return b.String()
}

// typeOfValue gives the type of the i-th of n variables declared from rhs.
func (s *Session) typeOfValue(rhs []ast.Expr, i, n int) string {
	if len(rhs) == n {
		return s.typeOfExpr(rhs[i])
	}
	if len(rhs) == 1 {
		if call, ok := rhs[0].(*ast.CallExpr); ok {
			return s.resultType(call, i)
		}
	}
	return ""
}

var basicLitTypes = map[token.Token]string{
	token.INT: "int", token.FLOAT: "float64", token.IMAG: "complex128", token.CHAR: "rune", token.STRING: "string",
}

// typeOfExpr returns the type of e when its form tells it, else "".
func (s *Session) typeOfExpr(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.BasicLit:
		return basicLitTypes[x.Kind]
	case *ast.CompositeLit:
		if x.Type != nil {
			return exprString(x.Type)
		}
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			if t := s.typeOfExpr(x.X); t != "" {
				return "*" + t
			}
		}
		if x.Op == token.NOT {
			return "bool"
		}
		return s.typeOfExpr(x.X)
	case *ast.ParenExpr:
		return s.typeOfExpr(x.X)
	case *ast.Ident:
		switch x.Name {
		case "true", "false":
			return "bool"
		}
		return s.globalType(x.Name)
	case *ast.BinaryExpr:
		switch x.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ, token.LAND, token.LOR:
			return "bool"
		case token.SHL, token.SHR:
			return s.typeOfExpr(x.X)
		}
		tx, ty := s.typeOfExpr(x.X), s.typeOfExpr(x.Y)
		if tx == "" || ty == "" {
			// 800 * time.Millisecond: the operand the form does not tell
			// may be the one that sets the type; let the value tell.
			return ""
		}
		if tx != "int" && tx != "float64" {
			return tx
		}
		return ty
	case *ast.SliceExpr:
		return s.typeOfExpr(x.X)
	case *ast.CallExpr:
		return s.callType(x)
	}
	return ""
}

// callType is the type of a call: a conversion's type, make's and new's,
// or the function's single result.
func (s *Session) callType(call *ast.CallExpr) string {
	switch f := call.Fun.(type) {
	case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.StarExpr:
		return exprString(f)
	case *ast.ParenExpr:
		return exprString(f.X)
	case *ast.Ident:
		switch {
		case f.Name == "make" && len(call.Args) > 0:
			return exprString(call.Args[0])
		case f.Name == "new" && len(call.Args) > 0:
			return "*" + exprString(call.Args[0])
		case f.Name == "len" || f.Name == "cap" || f.Name == "copy":
			return "int"
		case f.Name == "string" || isIntTypeName(f.Name) || f.Name == "float64" || f.Name == "float32" || f.Name == "bool":
			return f.Name
		}
		s.mu.Lock()
		d := s.decls[f.Name]
		s.mu.Unlock()
		if d.kind == "type" {
			return f.Name
		}
	case *ast.SelectorExpr:
		if pkg, ok := f.X.(*ast.Ident); ok {
			if v, ok := s.packageSymbols(s.importPath(pkg.Name))[f.Sel.Name]; ok && v.IsValid() &&
				v.Kind() == reflect.Pointer && v.IsNil() {
				return exprString(f) // a compiled type used as a conversion
			}
		}
	}
	return s.resultType(call, 0)
}

// resultType is the type of the i-th result of the function call calls.
func (s *Session) resultType(call *ast.CallExpr, i int) string {
	switch f := call.Fun.(type) {
	case *ast.SelectorExpr:
		pkg, ok := f.X.(*ast.Ident)
		if !ok {
			return ""
		}
		v, ok := s.packageSymbols(s.importPath(pkg.Name))[f.Sel.Name]
		if !ok || !v.IsValid() || v.Kind() != reflect.Func || v.Type().NumOut() <= i {
			return ""
		}
		return v.Type().Out(i).String()
	case *ast.Ident:
		s.mu.Lock()
		d := s.decls[f.Name]
		s.mu.Unlock()
		if d.kind != "func" {
			return ""
		}
		fd, err := parser.ParseFile(token.NewFileSet(), "", "package p;"+d.full, parser.SkipObjectResolution)
		if err != nil || len(fd.Decls) == 0 {
			return ""
		}
		fn, ok := fd.Decls[0].(*ast.FuncDecl)
		if !ok || fn.Type.Results == nil {
			return ""
		}
		var results []string
		for _, r := range fn.Type.Results.List {
			for range max(1, len(r.Names)) {
				results = append(results, exprString(r.Type))
			}
		}
		if i < len(results) {
			return results[i]
		}
	}
	return ""
}

// importPath returns the import path of a package name the session knows.
func (s *Session) importPath(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.imports[name]
}

// globalType returns the recorded type expression of a session variable.
func (s *Session) globalType(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.globalTypes[name]
}

// globalVars returns the names of the session's variables.
func (s *Session) globalVars() map[string]bool {
	out := map[string]bool{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for name := range s.globals() {
		if s.decls[name].kind == "const" || strings.HasPrefix(name, "_gosys") {
			continue
		}
		out[name] = true
	}
	return out
}

// noteGlobalTypes records the types of the variables a chunk declares at its
// top level, for forks in later cells.
func (s *Session) noteGlobalTypes(src string, kind chunkKind) {
	pc, err := parseChunk(src, kind)
	if err != nil {
		return
	}
	f := pc.file
	var top []ast.Node
	if kind == stmtChunk {
		for _, st := range pc.body() {
			top = append(top, st)
		}
	} else {
		for _, d := range f.Decls {
			top = append(top, d)
		}
	}
	for _, n := range top {
		file := &ast.File{Name: ast.NewIdent("p")}
		switch d := n.(type) {
		case *ast.AssignStmt:
			if d.Tok != token.DEFINE {
				continue
			}
			file.Decls = []ast.Decl{&ast.FuncDecl{Name: ast.NewIdent("_"), Type: &ast.FuncType{},
				Body: &ast.BlockStmt{List: []ast.Stmt{d}}}}
		case *ast.DeclStmt:
			file.Decls = []ast.Decl{d.Decl}
		case *ast.GenDecl:
			if d.Tok != token.VAR {
				continue
			}
			file.Decls = []ast.Decl{d}
		default:
			continue
		}
		// In source order: of two declarations of a name, the later wins;
		// each statement sees the types of those before it (alias := n).
		decls := varDecls(file, s)
		s.mu.Lock()
		for _, pos := range slices.Sorted(maps.Keys(decls)) {
			if v := decls[pos]; v.typ != "" {
				s.globalTypes[v.name] = v.typ
			}
		}
		s.mu.Unlock()
	}
}
