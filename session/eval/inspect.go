package eval

import (
	"fmt"
	"go/build"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"gosys/internal/stddoc"
)

// packageDoc is the documentation of one package.
type packageDoc struct {
	pkg *stddoc.Package
}

// Inspect describes the name under (or just before) the cursor: for a
// package member its declaration and doc comment, from the index of the
// standard library's documentation built into gosys (GOROOT's sources for
// a package the index lacks); for a name declared in a cell its
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
	return "\n\n" + pd.pkg.Synopsis
}

// packageDoc returns (once per package) the documentation of a standard
// package: from the index built into the binary (internal/stddoc), so a
// course image needs no Go source tree; from GOROOT/src only for a package
// the index lacks, when those sources are there.
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
	if p, ok := stddoc.Embedded(path); ok {
		return &packageDoc{p}
	}
	goroot := build.Default.GOROOT
	if goroot == "" {
		return nil
	}
	p, err := stddoc.FromSource(&build.Default, filepath.Join(goroot, "src", path), path)
	if err != nil {
		return nil
	}
	return &packageDoc{p}
}

// member renders the declaration and doc comment of name.
func (pd *packageDoc) member(name string) (string, bool) {
	return pd.pkg.Member(name)
}
