package eval

import (
	"go/token"
	"path"
	"reflect"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Completion is the answer to a complete_request.
type Completion struct {
	Matches []string
	// Start and End delimit, in characters, the text the matches replace.
	Start, End int
}

// builtins of the universe scope, offered with the keywords.
var builtins = []string{
	"append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make",
	"max", "min", "new", "panic", "print", "println", "real", "recover",
	"bool", "byte", "complex128", "complex64", "error", "float32", "float64", "int", "int16",
	"int32", "int64", "int8", "rune", "string", "uint", "uint16", "uint32", "uint64", "uint8",
	"uintptr", "any", "comparable", "true", "false", "nil", "iota",
}

// Complete returns the names that can stand where the cursor is: members of
// an imported package after "pkg.", fields and methods of a session variable
// after "v.", else session names, imported packages, keywords and builtins.
// cursor counts Unicode characters, as the protocol does.
func (s *Session) Complete(code string, cursor int) Completion {
	off := byteOffset(code, cursor)
	start := off
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(code[:start])
		if !isIdentRune(r) && r != '.' {
			break
		}
		start -= size
	}
	word := code[start:off]
	head, partial := "", word
	if i := strings.LastIndexByte(word, '.'); i >= 0 {
		head, partial = word[:i], word[i+1:]
	}
	var cands []string
	if head != "" {
		cands = s.members(head)
	} else {
		cands = s.topNames()
	}
	seen := map[string]bool{}
	var matches []string
	for _, c := range cands {
		if strings.HasPrefix(c, partial) && !seen[c] && !strings.HasPrefix(c, "_gosys") {
			seen[c] = true
			matches = append(matches, c)
		}
	}
	sort.Strings(matches)
	pStart := off - len(partial)
	return Completion{Matches: matches, Start: utf8.RuneCountInString(code[:pStart]), End: cursor}
}

// topNames are the names visible at the top level of a cell.
func (s *Session) topNames() []string {
	var names []string
	for i := token.BREAK; i <= token.VAR; i++ {
		if token.IsKeyword(i.String()) {
			names = append(names, i.String())
		}
	}
	names = append(names, builtins...)
	for n := range s.globals() {
		names = append(names, n)
	}
	s.mu.Lock()
	for n := range s.imports {
		names = append(names, n)
	}
	for n := range s.decls {
		if !strings.Contains(n, ".") {
			names = append(names, n)
		}
	}
	s.mu.Unlock()
	return names
}

// members lists what follows "head.": exported members of an imported
// package, or the fields and methods of a session variable's value.
func (s *Session) members(head string) []string {
	s.mu.Lock()
	path, isPkg := s.imports[head]
	if !isPkg {
		path, isPkg = s.stdPackage(head)
	}
	var methods []string
	for n := range s.decls {
		if t, m, ok := strings.Cut(n, "."); ok && t == head {
			methods = append(methods, m)
		}
	}
	s.mu.Unlock()
	if isPkg {
		var names []string
		for n := range s.packageSymbols(path) {
			if n != "" && unicode.IsUpper(rune(n[0])) {
				names = append(names, n)
			}
		}
		return names
	}
	if v, ok := s.globals()[head]; ok && v.IsValid() {
		return append(methods, fieldsAndMethods(v.Type())...)
	}
	return methods
}

// fieldsAndMethods lists a type's fields (through pointers) and methods.
func fieldsAndMethods(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumMethod(); i++ {
		names = append(names, t.Method(i).Name)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			names = append(names, t.Field(i).Name)
		}
	}
	return names
}

func isIdentRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// byteOffset converts a character offset into a byte offset of s.
func byteOffset(s string, chars int) int {
	off := 0
	for i := 0; i < chars && off < len(s); i++ {
		_, size := utf8.DecodeRuneInString(s[off:])
		off += size
	}
	return off
}

// stdPackage finds a loaded package whose name is name, for completing
// "strings.Spl" before the cell that imports strings has run. The shortest
// import path wins when several share the name.
func (s *Session) stdPackage(name string) (string, bool) {
	best := ""
	consider := func(p string) {
		if path.Base(p) == name && (best == "" || len(p) < len(best)) {
			best = p
		}
	}
	for p := range s.lazy {
		consider(p)
	}
	for p := range s.compiled {
		consider(p)
	}
	return best, best != ""
}

// compiledPackage returns the symbols of the compiled package path, which
// the interpreter loads first if it has not yet (a package is loaded when
// a cell, a completion or an inspection first names it).
func (s *Session) compiledPackage(path string) (map[string]reflect.Value, bool) {
	if s.lazy[path] {
		syms, ok := s.in.Symbols(path)[path]
		return syms, ok
	}
	syms, ok := s.compiled[path]
	return syms, ok
}

// packageSymbols returns the exported symbols of an imported package:
// compiled ones from the tables the session loaded, interpreted ones (the
// generic std packages) from yaegi, which can panic on some of them.
func (s *Session) packageSymbols(path string) (syms map[string]reflect.Value) {
	if syms, ok := s.compiledPackage(path); ok {
		return syms
	}
	defer func() {
		if recover() != nil {
			syms = nil
		}
	}()
	if s.generics.Need(path) != nil {
		return nil
	}
	return s.in.Symbols(path)[path]
}
