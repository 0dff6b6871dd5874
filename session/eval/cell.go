package eval

import (
	"fmt"
	"go/scanner"
	"go/token"
	"strings"
)

// pieceKind is what a part of a cell is run by.
type pieceKind int

const (
	goPiece    pieceKind = iota // Go source, evaluated by yaegi
	shellPiece                  // a "!command" line, run by /bin/sh
)

// piece is a run of a cell's lines of one kind. Go pieces keep their
// position: src holds blank lines in place of the lines before it, so line
// numbers stay the cell's.
type piece struct {
	kind pieceKind
	line int // 1-based first line in the cell
	src  string
}

// cell is a parsed notebook cell.
type cell struct {
	pieces []piece
	// timed is set by a leading %%time line.
	timed bool
}

// magicError reports a line starting with % that is not a known magic.
type magicError struct {
	line  int
	magic string
}

func (e *magicError) Error() string {
	return fmt.Sprintf("line %d: unknown magic %s (gosys knows %%time, and %%%%time and %%%%native as a cell's first line; a Go line cannot start with %%)", e.line, e.magic)
}

// parseCell splits code into Go pieces and shell lines and reads magics.
// "%time stmt" times the statements on its line; it is returned as a Go piece
// of its own with timed set through timedLines.
func parseCell(code string) (cell, map[int]bool, error) {
	var c cell
	timedLines := map[int]bool{}
	lines := strings.Split(code, "\n")
	var goLines []string // lines of the Go piece being built, "" for lines not in it
	flushGo := func() {
		if len(goLines) > 0 && strings.TrimSpace(strings.Join(goLines, "")) != "" {
			first := 0
			for first < len(goLines) && strings.TrimSpace(goLines[first]) == "" {
				first++
			}
			c.pieces = append(c.pieces, piece{kind: goPiece, line: first + 1, src: strings.Join(goLines, "\n")})
		}
		goLines = nil
	}
	prevContinues := false
	var lit literal // a raw string or block comment open at the line's start
	for i, l := range lines {
		n := i + 1
		t := strings.TrimSpace(l)
		inLiteral := lit != noLiteral
		lit = lit.after(l)
		switch {
		case inLiteral:
			// Text inside a literal is Go, whatever it starts with.
		case i == 0 && (t == "%%time" || strings.HasPrefix(t, "%%time ")):
			c.timed = true
			goLines = append(goLines, "")
			continue
		case strings.HasPrefix(t, "!") && !prevContinues:
			flushGo()
			c.pieces = append(c.pieces, piece{kind: shellPiece, line: n, src: strings.TrimSpace(t[1:])})
			// Keep later Go pieces' line numbers: pad with this line as blank.
			goLines = make([]string, n)
			prevContinues = false
			continue
		case t == "%time" && !prevContinues:
			return cell{}, nil, fmt.Errorf("line %d: %%time needs a statement to time on its line, e.g. %%time f(); %%%%time on a cell's first line times the whole cell", n)
		case strings.HasPrefix(t, "%time ") && !prevContinues:
			flushGo()
			goLines = make([]string, n)
			goLines[n-1] = strings.Repeat(" ", len(l)-len(strings.TrimLeft(l, " \t"))+len("%time ")) + strings.TrimSpace(t[len("%time "):])
			timedLines[n] = true
			flushGo()
			goLines = make([]string, n)
			continue
		case strings.HasPrefix(t, "%") && !prevContinues:
			f := strings.Fields(t)
			return cell{}, nil, &magicError{line: n, magic: f[0]}
		}
		if len(goLines) < n-1 {
			goLines = append(goLines, make([]string, n-1-len(goLines))...)
		}
		goLines = append(goLines, l)
		if t != "" && !strings.HasPrefix(t, "//") {
			prevContinues = continues(l)
		}
	}
	flushGo()
	return c, timedLines, nil
}

// continues reports whether a line of Go leaves its statement open (Go would
// not insert a semicolon at its end), so that a following line starting with
// "!" is Go ("a &&\n!b"), not a shell command.
func continues(line string) bool {
	fset := token.NewFileSet()
	f := fset.AddFile("", fset.Base(), len(line))
	var s scanner.Scanner
	open := false
	s.Init(f, []byte(line), func(_ token.Position, msg string) {
		open = open || msg == "raw string literal not terminated" || msg == "comment not terminated"
	}, 0)
	last := token.ILLEGAL
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON && lit == "\n" {
			return open
		}
		last = tok
	}
	return open || (last != token.ILLEGAL && last != token.SEMICOLON)
}

// literal is what multi-line construct is open at a line boundary.
type literal int

const (
	noLiteral    literal = iota
	rawString            // inside `...`
	blockComment         // inside /* ... */
)

// after returns what is open after line, given what was open before it.
// Interpreted strings and runes cannot span lines; a // comment ends the
// line.
func (l literal) after(line string) literal {
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch l {
		case rawString:
			if c == '`' {
				l = noLiteral
			}
			continue
		case blockComment:
			if c == '*' && i+1 < len(line) && line[i+1] == '/' {
				l, i = noLiteral, i+1
			}
			continue
		}
		switch {
		case c == '`':
			l = rawString
		case c == '/' && i+1 < len(line) && line[i+1] == '*':
			l, i = blockComment, i+1
		case c == '/' && i+1 < len(line) && line[i+1] == '/':
			return noLiteral
		case c == '"' || c == '\'':
			for i++; i < len(line) && line[i] != c; i++ {
				if line[i] == '\\' {
					i++
				}
			}
		}
	}
	return l
}
