package eval

import (
	"go/scanner"
	"go/token"
	"strings"
)

// IsComplete answers is_complete_request for a console: "incomplete" (with
// the indent for the next line) while brackets, a raw string or a comment
// are open or the last line ends in an operator; "invalid" when the code can
// never parse; else "complete".
func IsComplete(code string) (status, indent string) {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(code))
	var s scanner.Scanner
	open, bad := false, false
	s.Init(file, []byte(code), func(_ token.Position, msg string) {
		// A raw string or block comment may go on on the next line; an
		// interpreted string or rune cannot.
		switch msg {
		case "raw string literal not terminated", "comment not terminated":
			open = true
		case "string literal not terminated", "rune literal not terminated":
			bad = true
		}
	}, 0)
	depth := 0
	for {
		_, tok, _ := s.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
			if depth < 0 {
				return "invalid", ""
			}
		}
	}
	if bad {
		return "invalid", ""
	}
	lines := strings.Split(strings.TrimRight(code, " \t\n"), "\n")
	if open || depth > 0 || (len(lines) > 0 && continues(lines[len(lines)-1])) {
		return "incomplete", strings.Repeat("    ", max(depth, 1))
	}
	c, _, err := parseCell(code)
	if err != nil {
		return "invalid", ""
	}
	for _, p := range c.pieces {
		if p.kind != goPiece {
			continue
		}
		for _, ch := range splitChunks(p.src) {
			if _, err := parseChunk(ch.src, ch.kind); err != nil {
				return "invalid", ""
			}
		}
	}
	return "complete", ""
}
