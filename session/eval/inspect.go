package eval

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// packageDoc is the parsed documentation of one package.
type packageDoc struct {
	fset *token.FileSet
	pkg  *doc.Package
}

// Inspect describes the name under (or just before) the cursor: for a
// package member its declaration and doc comment, read from the Go sources
// in GOROOT when they are installed; for a name declared in a cell its
// declaration; for a session variable its type and value. ok is false when
// nothing is known about the name.
func (s *Session) Inspect(code string, cursor int) (text string, ok bool) {
	off := byteOffset(code, cursor)
	start, end := off, off
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(code[:start])
		if !isIdentRune(r) && r != '.' {
			break
		}
		start -= size
	}
	for end < len(code) {
		r, size := utf8.DecodeRuneInString(code[end:])
		if !isIdentRune(r) {
			break
		}
		end += size
	}
	word := strings.Trim(code[start:end], ".")
	if word == "" {
		return "", false
	}
	head, name, qualified := strings.Cut(word, ".")
	if qualified {
		if i := strings.LastIndexByte(word, '.'); i >= 0 {
			head, name = word[:i], word[i+1:]
		}
	}
	s.mu.Lock()
	path, isPkg := s.imports[head]
	d, isDecl := s.decls[word]
	s.mu.Unlock()
	if !isPkg && !isDecl {
		// A standard package not imported yet: its documentation helps as
		// much before the import as after.
		if p, ok := s.stdPackage(head); ok {
			if _, shadowed := s.globals()[head]; !shadowed {
				path, isPkg = p, true
			}
		}
	}
	switch {
	case qualified && isPkg:
		return s.packageMember(path, name)
	case !qualified && isPkg:
		return fmt.Sprintf("package %s // import %q", head, path) + s.packageSynopsis(path), true
	case isDecl:
		return d.src, true
	}
	if v, ok := s.globals()[word]; ok && v.IsValid() {
		return fmt.Sprintf("var %s %s = %s", word, v.Type(), plainText(v.Interface())), true
	}
	return "", false
}

// packageMember returns the signature and doc of path.name.
func (s *Session) packageMember(path, name string) (string, bool) {
	var sig string
	if v, ok := s.packageSymbols(path)[name]; ok && v.IsValid() {
		sig = fmt.Sprintf("%s.%s: %s", filepath.Base(path), name, v.Type())
	}
	pd := s.packageDoc(path)
	if pd != nil {
		if text, ok := pd.member(name); ok {
			return text, true
		}
	}
	return sig, sig != ""
}

// packageSynopsis is the first sentence of a package's doc, if known.
func (s *Session) packageSynopsis(path string) string {
	pd := s.packageDoc(path)
	if pd == nil {
		return ""
	}
	return "\n\n" + pd.pkg.Synopsis(pd.pkg.Doc)
}

// packageDoc parses (once) the sources of a standard package from GOROOT.
func (s *Session) packageDoc(path string) *packageDoc {
	s.mu.Lock()
	pd, done := s.docs[path]
	s.mu.Unlock()
	if done {
		return pd
	}
	pd = loadDoc(path)
	s.mu.Lock()
	s.docs[path] = pd
	s.mu.Unlock()
	return pd
}

func loadDoc(path string) *packageDoc {
	dir := filepath.Join(build.Default.GOROOT, "src", path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		if ok, _ := build.Default.MatchFile(dir, n); !ok {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments)
		if err == nil {
			files = append(files, f)
		}
	}
	p, err := doc.NewFromFiles(fset, files, path)
	if err != nil {
		return nil
	}
	return &packageDoc{fset: fset, pkg: p}
}

// member renders the declaration and doc comment of name.
func (pd *packageDoc) member(name string) (string, bool) {
	render := func(decl ast.Node, comment string) (string, bool) {
		var b strings.Builder
		if fd, ok := decl.(*ast.FuncDecl); ok {
			fd = &ast.FuncDecl{Recv: fd.Recv, Name: fd.Name, Type: fd.Type} // signature only
			decl = fd
		}
		_ = printer.Fprint(&b, pd.fset, decl)
		if comment != "" {
			b.WriteString("\n\n" + strings.TrimSpace(comment))
		}
		return b.String(), true
	}
	for _, f := range pd.pkg.Funcs {
		if f.Name == name {
			return render(f.Decl, f.Doc)
		}
	}
	for _, t := range pd.pkg.Types {
		if t.Name == name {
			return render(t.Decl, t.Doc)
		}
		for _, f := range t.Funcs {
			if f.Name == name {
				return render(f.Decl, f.Doc)
			}
		}
	}
	for _, vs := range [][]*doc.Value{pd.pkg.Vars, pd.pkg.Consts} {
		for _, v := range vs {
			for _, n := range v.Names {
				if n == name {
					return render(v.Decl, v.Doc)
				}
			}
		}
	}
	return "", false
}
