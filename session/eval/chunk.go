package eval

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strconv"
	"strings"
)

// chunkKind says how yaegi must be fed a piece of a cell: yaegi parses a
// source either as a file of declarations or as statements of a function
// body, never both, so a cell that mixes them is cut into runs of one kind.
type chunkKind int

const (
	declChunk chunkKind = iota // import, func, type, var, const
	stmtChunk                  // anything else
)

// chunk is a run of top-level items of one kind, with its first line in the
// cell (1-based) so errors can point at the cell's own lines.
type chunk struct {
	kind chunkKind
	line int
	src  string
	// lastOff is where the chunk's final item starts in src: a cell's last
	// expression is looked for there.
	lastOff int
	end     int // offset in the cell just past the chunk
}

// splitChunks cuts Go source into runs of declarations and statements in
// source order. It only tokenizes: syntax errors surface when yaegi parses
// the chunks, with the cell's line numbers.
func splitChunks(src string) []chunk {
	fset := token.NewFileSet()
	file := fset.AddFile("cell", fset.Base(), len(src))
	var s scanner.Scanner
	s.Init(file, []byte(src), nil, scanner.ScanComments)

	type item struct {
		kind  chunkKind
		start int
	}
	var items []item
	depth := 0
	atStart := true
	// inHeader is set between if/for/switch and its body's brace: the
	// semicolons of "if x := f(); x > 0 {" do not end a statement.
	inHeader := false
	var toks []token.Token // first tokens of the current item, for classifying
	var start int
	for {
		pos, tok, _ := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.COMMENT {
			continue
		}
		off := file.Offset(pos)
		if atStart {
			if tok == token.SEMICOLON {
				continue
			}
			atStart, start, toks = false, off, toks[:0]
		}
		if len(toks) < 24 {
			toks = append(toks, tok)
		}
		switch tok {
		case token.IF, token.FOR, token.SWITCH:
			if depth == 0 {
				inHeader = true
			}
		case token.LBRACE:
			if depth == 0 {
				inHeader = false
			}
			depth++
		case token.LPAREN, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth > 0 {
				depth--
			}
		case token.SEMICOLON:
			if depth == 0 && !inHeader {
				items = append(items, item{classify(toks), start})
				atStart = true
			}
		}
	}
	if !atStart {
		items = append(items, item{classify(toks), start})
	}

	var chunks []chunk
	for i, it := range items {
		end := len(src)
		if i+1 < len(items) {
			end = items[i+1].start
		}
		if n := len(chunks); n > 0 && chunks[n-1].kind == it.kind {
			c := &chunks[n-1]
			c.lastOff = len(c.src) + (it.start - c.end)
			c.src += src[c.end:end]
			c.end = end
			continue
		}
		lineStart := strings.LastIndexByte(src[:it.start], '\n') + 1
		// Spaces in place of what precedes the item on its line keep yaegi's
		// columns equal to the cell's.
		pad := strings.Repeat(" ", it.start-lineStart)
		chunks = append(chunks, chunk{
			kind: it.kind, line: 1 + strings.Count(src[:it.start], "\n"),
			src: pad + src[it.start:end], lastOff: len(pad), end: end,
		})
	}
	return chunks
}

// classify decides from an item's first tokens whether it is a declaration.
// "func" starts a declaration unless it is a function literal: func(...){...}
// called or used as an expression statement.
func classify(toks []token.Token) chunkKind {
	if len(toks) == 0 {
		return stmtChunk
	}
	switch toks[0] {
	case token.IMPORT, token.TYPE, token.CONST, token.VAR:
		return declChunk
	case token.FUNC:
		if len(toks) > 1 && toks[1] == token.IDENT {
			return declChunk
		}
		if isMethodDecl(toks) {
			return declChunk
		}
	}
	return stmtChunk
}

// isMethodDecl reports whether toks (starting "func (") is a method
// declaration: the receiver's closing parenthesis is followed by a name and
// then "(" or "[". A function literal has "{" or a result type there.
func isMethodDecl(toks []token.Token) bool {
	if len(toks) < 2 || toks[1] != token.LPAREN {
		return false
	}
	depth := 0
	for j := 1; j < len(toks); j++ {
		switch toks[j] {
		case token.LPAREN, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACK:
			depth--
			if depth == 0 {
				// Methods have no type parameters: the name is followed by "(".
				return j+2 < len(toks) && toks[j+1] == token.IDENT && toks[j+2] == token.LPAREN
			}
		}
	}
	return false
}

// parsedChunk is a chunk parsed as Go: a declaration chunk as a file, a
// statement chunk as the body of a function.
type parsedChunk struct {
	fset   *token.FileSet
	file   *ast.File
	base   int // the token.Pos of the chunk's first byte
	prefix int // the length of the wrapper before the chunk on its first line
}

// parseChunk parses src, a chunk of kind.
func parseChunk(src string, kind chunkKind) (parsedChunk, error) {
	prefix, suffix := "package p;", ""
	if kind == stmtChunk {
		prefix, suffix = "package p; func _() {", "\n}"
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", prefix+src+suffix, parser.SkipObjectResolution)
	if err != nil {
		return parsedChunk{}, err
	}
	return parsedChunk{fset: fset, file: f, base: fset.File(f.Pos()).Base() + len(prefix), prefix: len(prefix)}, nil
}

// body returns the statements of a parsed statement chunk.
func (p parsedChunk) body() []ast.Stmt {
	return p.file.Decls[0].(*ast.FuncDecl).Body.List
}

// cellPos returns the cell line and column of pos, in a chunk whose first
// line is the cell's line `line`. A line directive in the chunk (a forked
// child's, see lineDirective) places what follows it; such chunks are
// rewritten with line 0.
func (p parsedChunk) cellPos(pos token.Pos, line int) (int, int) {
	at := p.fset.Position(pos)
	col := at.Column
	if p.fset.PositionFor(pos, false).Line == 1 {
		col -= p.prefix // the wrapper shares the chunk's first line
	}
	return line + at.Line - 1, col
}

// rawLine returns the line of pos in the chunk's own text (1-based), line
// directives ignored.
func (p parsedChunk) rawLine(pos token.Pos) int {
	return p.fset.PositionFor(pos, false).Line
}

// lineDirective returns a //line comment, to be put at the start of a
// line, that places the next line at the cell's line `line` and column col
// in source evaluated, rewritten and recorded with line 0 (whose own line
// N is the cell's line N-1, see Session.eval).
//
// A forked child compiles source put together from pieces of cells (the
// session's declarations, the site's code, a header of its own); the
// directives make its compile errors and panics name the lines and columns
// the learner sees. They name no file: yaegi keeps a file's imports under
// its name.
func lineDirective(line, col int) string {
	return "//" + linePosition(line, col)
}

// blockLineDirective is lineDirective's /*line*/ form: it places the
// character right after it, on the same line.
func blockLineDirective(line, col int) string {
	return "/*" + linePosition(line, col) + "*/"
}

func linePosition(line, col int) string {
	return "line :" + strconv.Itoa(max(line+1, 1)) + ":" + strconv.Itoa(max(col, 1))
}

// isLineDirective reports whether a comment's text is a line directive.
func isLineDirective(comment string) bool {
	return strings.HasPrefix(comment, "//line ") || strings.HasPrefix(comment, "/*line ")
}
