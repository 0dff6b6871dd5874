package eval

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"

	"gosys/session/fork"
)

// C's shape of fork: rt.Fork() returns twice. The child runs the statement
// that contains the call, where the call's value is (0, nil), and every
// statement after it in the same block, then exits. The evaluator knows the
// cell's source, so it gives the child that code:
//
//   - at a cell's top level, the block is the rest of the cell: the child
//     runs it as a cell of its own (declarations, shell lines and all);
//     the variables of the cell are session variables, carried as they are
//     to every child;
//   - in a function or loop body, an if or case branch, it is the rest of
//     that body: the child runs it as a function literal, inside a loop of
//     one turn (so that break and continue end it, as reaching the end
//     does), with the values of the locals around it that it uses (found
//     by Go's scope rules, see forkScopes) as its parameters.
//
// The parent's call becomes a call of the fork hook with the site's number
// and those values; in the child's code the call becomes forkChild.

// forkChild is what rt.Fork() is in the child's own code: its value there.
const forkChild = "_gosysFork.Child()"

// forkContext is where the chunk being rewritten sits in its cell, for the
// top-level case. Execute sets it for each chunk (cells run one at a time).
type forkContext struct {
	ok    bool
	cell  string // the cell's code
	piece piece  // the Go piece the chunk belongs to
	shift int    // the piece offset of the chunk's offset 0
	// text are the cell's lines as far as the session knows them (index 0
	// is line 1): a site's Text is taken from them. A forked child knows
	// those of the site it runs.
	text []string
}

// cFork is one rt.Fork() call of a chunk.
type cFork struct {
	call *ast.CallExpr
	rest []ast.Stmt    // the statement that contains the call, and those after it in its block
	top  bool          // the block is the chunk's top-level statements
	fn   *ast.FuncType // the function whose body holds the block; nil at top level
	name string        // that function's name; "" for a function literal
}

// findCForks returns the rt.Fork() calls of a parsed chunk with their
// blocks.
func findCForks(pc parsedChunk, kind chunkKind) []cFork {
	var out []cFork
	var visitList func(list []ast.Stmt, top bool, fn *ast.FuncType, name string)
	visitNested := func(n ast.Node, fn *ast.FuncType, name string) {
		ast.Inspect(n, func(x ast.Node) bool {
			switch y := x.(type) {
			case *ast.BlockStmt:
				visitList(y.List, false, fn, name)
				return false
			case *ast.CaseClause:
				visitList(y.Body, false, fn, name)
				return false
			case *ast.CommClause:
				visitList(y.Body, false, fn, name)
				return false
			case *ast.FuncLit:
				visitList(y.Body.List, false, y.Type, "")
				return false
			}
			return true
		})
	}
	visitList = func(list []ast.Stmt, top bool, fn *ast.FuncType, name string) {
		for i, st := range list {
			for _, call := range headerForks(st) {
				out = append(out, cFork{call: call, rest: list[i:], top: top, fn: fn, name: name})
			}
			visitNested(st, fn, name)
		}
	}
	if kind == stmtChunk {
		visitList(pc.body(), true, nil, "")
		return out
	}
	for _, d := range pc.file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
			visitList(fd.Body.List, false, fd.Type, fd.Name.Name)
			continue
		}
		visitNested(d, nil, "")
	}
	return out
}

// headerForks returns the rt.Fork() calls of a statement outside its
// nested blocks and function literals: in its expression, its init, its
// condition.
func headerForks(st ast.Stmt) []*ast.CallExpr {
	var out []*ast.CallExpr
	ast.Inspect(st, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BlockStmt, *ast.FuncLit, *ast.CaseClause, *ast.CommClause:
			return false
		case *ast.CallExpr:
			if len(x.Args) == 0 && isRtFork(x.Fun) {
				out = append(out, x)
			}
		}
		return true
	})
	return out
}

// hasCFork reports whether Go source calls rt.Fork() (C's shape).
func hasCFork(src string) bool {
	return strings.Contains(src, "Fork()")
}

// cForkSite builds the site of one rt.Fork() call: the child's code and
// the locals it captures. src is the chunk's source, line its first line
// in the cell. ok is false when the call cannot be given a child (its
// block is at the top level and the cell is not known, or a captured
// local is shadowed where the call passes it).
func (s *Session) cForkSite(f cFork, pc parsedChunk, src string, line int, sc *forkScopes) (fork.Site, bool) {
	off := func(p token.Pos) int { return int(p) - pc.base }
	first, last := f.rest[0], f.rest[len(f.rest)-1]
	// The child's code: the rest of the block, its fork call replaced.
	code := src[off(first.Pos()):off(f.call.Pos())] + forkChild + src[off(f.call.End()):off(last.End())]
	startLine, startCol := pc.cellPos(first.Pos(), line)
	if f.top {
		if !s.fctx.ok {
			return fork.Site{}, false
		}
		return fork.Site{Line: startLine, Col: startCol, Cell: s.restOfCell(off(first.Pos()), off(f.call.Pos()), off(f.call.End()))}, true
	}
	// A function literal, on the line before the code, so that the code keeps
	// its lines and columns:
	//
	//	func() (_ T1, _ T2) { for _gosysOnce := true; _gosysOnce; _gosysOnce = false {
	//	        <code>
	//	}
	//	return }
	results := ""
	if f.fn != nil && f.fn.Results != nil && len(f.fn.Results.List) > 0 {
		var rs []string
		for _, r := range f.fn.Results.List {
			n := max(len(r.Names), 1)
			for range n {
				rs = append(rs, "_ "+exprString(r.Type))
			}
		}
		results = "(" + strings.Join(rs, ", ") + ") "
	}
	lit := "func() " + results + "{ for _gosysOnce := true; _gosysOnce; _gosysOnce = false {\n" +
		strings.Repeat(" ", max(startCol-1, 0)) + code + "\n}\nreturn }"
	lastLine, _ := pc.cellPos(last.End(), line)
	name := f.name
	if name == "_gosysChild" && s.child != nil {
		name = s.child.Func // a fork in a forked child's own code (see childFunc)
	}
	site := fork.Site{Line: startLine - 1, Col: 1, Src: lit, Func: name,
		Text: s.cellLines(pc, src, line, first.Pos(), startLine-1, lastLine)}
	if _, err := parser.ParseExpr(lit); err != nil {
		return fork.Site{}, false
	}
	caps, ok := sc.captures(first.Pos(), last.End(), f.call.Pos())
	if !ok {
		return fork.Site{}, false
	}
	for _, c := range caps {
		site.Captures = append(site.Captures, c.name)
		site.Types = append(site.Types, c.typ)
	}
	return site, true
}

// restOfCell returns the cell as the child of a top-level rt.Fork() runs
// it: everything before the statement blanked (lines kept, so errors point
// at the cell's lines), the call replaced by its value in the child, then
// the rest of the cell, its later pieces included. from, call and end are
// chunk offsets of the statement's start and of the call.
func (s *Session) restOfCell(from, call, end int) string {
	c := s.fctx
	p := c.piece.src
	a, b, e := from+c.shift, call+c.shift, end+c.shift
	var out strings.Builder
	for i := 0; i < a; i++ {
		if p[i] == '\n' {
			out.WriteByte('\n')
		} else {
			out.WriteByte(' ')
		}
	}
	out.WriteString(p[a:b])
	out.WriteString(forkChild)
	out.WriteString(p[e:])
	// The cell's lines after this piece: shell lines, later Go pieces.
	pieceLines := strings.Count(p, "\n") + 1
	lines := strings.Split(c.cell, "\n")
	if pieceLines < len(lines) {
		out.WriteString("\n")
		out.WriteString(strings.Join(lines[pieceLines:], "\n"))
	}
	return out.String()
}

// cForkEdit is the parent's call for a site: the fork hook with the site's
// number and the captured values.
func cForkEdit(id int, captures []string) string {
	return "_gosysFork.Fork(" + strconv.Itoa(id) + ", []any{" + strings.Join(captures, ", ") + "}, nil)"
}
