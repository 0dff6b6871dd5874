package stddoc

import (
	"errors"
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// gofmt prints declarations as gofmt lays them out: tabs for indentation,
// spaces for alignment.
var gofmt = &printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 8}

// FromSource parses the package in dir (its non-test Go files that
// build.Default would build) and renders its exported names' documentation:
// a function's signature, a type's declaration (unexported fields
// filtered), the const or var group a name belongs to, each followed by its
// doc comment.
func FromSource(ctx *build.Context, dir, path string) (*Package, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		if ok, _ := ctx.MatchFile(dir, n); !ok {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments)
		if err == nil {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil, errors.New("no Go files in " + dir)
	}
	dp, err := doc.NewFromFiles(fset, files, path)
	if err != nil {
		return nil, err
	}
	p := &Package{Path: path, Synopsis: dp.Synopsis(dp.Doc), Members: map[string]int{}}
	add := func(names []string, decl ast.Node, comment string) {
		var b strings.Builder
		if fd, ok := decl.(*ast.FuncDecl); ok {
			decl = &ast.FuncDecl{Recv: fd.Recv, Name: fd.Name, Type: fd.Type} // signature only
		}
		_ = gofmt.Fprint(&b, fset, decl)
		if comment != "" {
			b.WriteString("\n\n" + strings.TrimSpace(comment))
		}
		i := len(p.Texts)
		p.Texts = append(p.Texts, b.String())
		for _, n := range names {
			if _, dup := p.Members[n]; !dup && token.IsExported(n) {
				p.Members[n] = i
			}
		}
	}
	// The order of the lookup this replaces: functions, then types and
	// their constructors, then variables and constants.
	for _, f := range dp.Funcs {
		add([]string{f.Name}, f.Decl, f.Doc)
	}
	for _, t := range dp.Types {
		add([]string{t.Name}, t.Decl, t.Doc)
		for _, f := range t.Funcs {
			add([]string{f.Name}, f.Decl, f.Doc)
		}
	}
	for _, t := range dp.Types { // typed constants and variables
		for _, vs := range [][]*doc.Value{t.Vars, t.Consts} {
			for _, v := range vs {
				add(v.Names, v.Decl, v.Doc)
			}
		}
	}
	for _, vs := range [][]*doc.Value{dp.Vars, dp.Consts} {
		for _, v := range vs {
			add(v.Names, v.Decl, v.Doc)
		}
	}
	return p, nil
}
