package eval

import (
	"go/ast"
	"strings"
)

// part is a piece of a statement chunk that yaegi is given on its own. Its
// src is the whole chunk with everything outside the piece blanked, so the
// cell's lines and columns hold.
type part struct {
	src      string
	compound bool
}

// splitCompound cuts a statement chunk into runs of simple statements and
// single top-level compound statements (for, if, switch, select, blocks).
// A compound statement is then run as the body of a named function
// (see Session.runCompound) for two yaegi 0.16 defects: a multi-value :=
// in a nested block of a cell's top level loses its variables ("undefined:
// err" for `for ... { n, err := f() }`), and a loop inside a function
// literal cannot be interrupted. Such a statement declares nothing at the
// top level, so running it in a function changes no meaning.
func splitCompound(src string) []part {
	pc, err := parseChunk(src, stmtChunk)
	if err != nil {
		return []part{{src: src}}
	}
	base := pc.base
	var parts []part
	from := 0 // start of the pending run of simple statements
	flush := func(to int) {
		if strings.TrimSpace(src[from:to]) != "" {
			parts = append(parts, part{src: blankOutside(src, from, to)})
		}
	}
	for _, st := range pc.body() {
		inner := st
		if l, ok := st.(*ast.LabeledStmt); ok {
			inner = l.Stmt
		}
		switch inner.(type) {
		case *ast.ForStmt, *ast.RangeStmt, *ast.IfStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt,
			*ast.SelectStmt, *ast.BlockStmt:
			start, end := int(st.Pos())-base, int(st.End())-base
			flush(start)
			parts = append(parts, part{src: blankOutside(src, start, end), compound: true})
			from = end
		}
	}
	flush(len(src))
	return parts
}

// blankOutside keeps src[from:to] and turns the rest into spaces, keeping
// newlines before it; what follows it is dropped.
func blankOutside(src string, from, to int) string {
	b := []byte(src[:to])
	for i := 0; i < from; i++ {
		if b[i] != '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}

// compoundFunc is the function a top-level compound statement runs in.
const compoundFunc = "_gosysBlock"

// asFunction turns a blanked compound part into the declaration of
// compoundFunc, its header placed just before the statement.
func asFunction(p string) string {
	i := len(p) - len(strings.TrimLeft(p, " \n\t"))
	return p[:i] + "func " + compoundFunc + "() { " + p[i:] + "\n}"
}
