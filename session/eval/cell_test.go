package eval

import (
	"errors"
	"go/scanner"
	"go/token"
	"reflect"
	"strings"
	"testing"
)

func TestSplitChunks(t *testing.T) {
	type c struct {
		kind    chunkKind
		line    int
		src     string
		lastOff int
	}
	cases := []struct {
		src  string
		want []c
	}{
		{"", nil},
		{";;", nil},
		{"// only a comment\n", nil},
		{"x := 1", []c{{stmtChunk, 1, "x := 1", 0}}},
		{"  x := 1", []c{{stmtChunk, 1, "  x := 1", 2}}},
		{"x := 1\nfunc f() {}\ny := 2", []c{
			{stmtChunk, 1, "x := 1\n", 0}, {declChunk, 2, "func f() {}\n", 0}, {stmtChunk, 3, "y := 2", 0}}},
		{"import \"fmt\"\nimport \"os\"\nfmt.Println(os.Args)", []c{
			{declChunk, 1, "import \"fmt\"\nimport \"os\"\n", 13}, {stmtChunk, 3, "fmt.Println(os.Args)", 0}}},
		{"func (t T) M() {}\nfunc() { println() }()", []c{
			{declChunk, 1, "func (t T) M() {}\n", 0}, {stmtChunk, 2, "func() { println() }()", 0}}},
		// Two items on one line: the second keeps its column.
		{"var x = 1; x++", []c{{declChunk, 1, "var x = 1; ", 0}, {stmtChunk, 1, "           x++", 11}}},
		{"// c\n\nx := 1 // t\n/* b */ y := 2", []c{{stmtChunk, 3, "x := 1 // t\n/* b */ y := 2", 20}}},
		{"type T struct {\n\tA int\n}\nt := T{\n\tA: 1,\n}\nt", []c{
			{declChunk, 1, "type T struct {\n\tA int\n}\n", 0}, {stmtChunk, 4, "t := T{\n\tA: 1,\n}\nt", 17}}},
		{"const c = 1\ntype U int\nvar (\n\tv = 2\n)\n", []c{{declChunk, 1, "const c = 1\ntype U int\nvar (\n\tv = 2\n)\n", 23}}},
		{"f := func() {\n}\nfunc g() {}", []c{{stmtChunk, 1, "f := func() {\n}\n", 0}, {declChunk, 3, "func g() {}", 0}}},
		{"go func() {}()\ndefer func() {}()", []c{{stmtChunk, 1, "go func() {}()\ndefer func() {}()", 15}}},
		// Unbalanced closers do not break the split.
		{"}\nx := 1", []c{{stmtChunk, 1, "}\nx := 1", 2}}},
	}
	for _, tc := range cases {
		var got []c
		for _, ch := range splitChunks(tc.src) {
			got = append(got, c{ch.kind, ch.line, ch.src, ch.lastOff})
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitChunks(%q) =\n%+v\nwant\n%+v", tc.src, got, tc.want)
		}
	}
}

// scanTokens returns the first tokens of src as splitChunks collects them.
func scanTokens(src string) []token.Token {
	fset := token.NewFileSet()
	f := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	s.Init(f, []byte(src), nil, 0)
	var toks []token.Token
	for len(toks) < 24 {
		_, tok, _ := s.Scan()
		if tok == token.EOF {
			break
		}
		toks = append(toks, tok)
	}
	return toks
}

func TestClassify(t *testing.T) {
	cases := []struct {
		src    string
		want   chunkKind
		method bool // isMethodDecl
	}{
		{"import \"fmt\"", declChunk, false},
		{"type T int", declChunk, false},
		{"const c = 1", declChunk, false},
		{"var v int", declChunk, false},
		{"func f() {}", declChunk, false},
		{"func G[T any](v T) T { return v }", declChunk, false},
		{"func (t T) M() {}", declChunk, true},
		{"func (t *T) M(a int) {}", declChunk, true},
		{"func (T) M() {}", declChunk, true},
		{"func (s *Stack[T]) Push(v T) {}", declChunk, true},
		{"func (p pair[K, V]) Key() K { return p.k }", declChunk, true},
		{"func (f func(int) (int, error)) Call() {}", declChunk, true},
		{"func() {}()", stmtChunk, false},
		{"func() int { return 1 }()", stmtChunk, false},
		{"func(a, b int) (int, error) { return 0, nil }(1, 2)", stmtChunk, false},
		{"func(x []int) {}(nil)", stmtChunk, false},
		{"func(m map[string]int) string { return \"\" }(nil)", stmtChunk, false},
		{"func", stmtChunk, false},
		{"func (", stmtChunk, false},
		{"x := 1", stmtChunk, false},
		{"fmt.Println()", stmtChunk, false},
		{"go func() {}()", stmtChunk, false},
		{"defer func() {}()", stmtChunk, false},
		{"", stmtChunk, false},
	}
	for _, c := range cases {
		toks := scanTokens(c.src)
		if got := classify(toks); got != c.want {
			t.Errorf("classify(%q) = %v, want %v", c.src, got, c.want)
		}
		if len(toks) > 0 && toks[0] == token.FUNC {
			if got := isMethodDecl(toks); got != c.method {
				t.Errorf("isMethodDecl(%q) = %v, want %v", c.src, got, c.method)
			}
		}
	}
}

// TestClassifyGenericResultLiteral: a method cannot have type parameters, so
// "func (...) Name[" never starts a method declaration; but isMethodDecl
// accepts "[" after the name and takes a called function literal whose
// result is an instantiated generic type for a declaration (a
// "missing type constraint" SyntaxError when the cell runs).
func TestClassifyGenericResultLiteral(t *testing.T) {
	for _, src := range []string{
		"func() Box[int] { return Box[int]{} }()",
		"func() List[string] { return nil }()",
	} {
		if got := classify(scanTokens(src)); got != stmtChunk {
			t.Errorf("classify(%q) = declChunk, want stmtChunk", src)
		}
	}
}

type wantPiece struct {
	kind pieceKind
	line int
	src  string
}

func pieces(c cell) []wantPiece {
	var out []wantPiece
	for _, p := range c.pieces {
		out = append(out, wantPiece{p.kind, p.line, p.src})
	}
	return out
}

func TestParseCell(t *testing.T) {
	cases := []struct {
		name   string
		code   string
		want   []wantPiece
		timed  bool
		timedL []int
	}{
		{name: "empty", code: ""},
		{name: "blank lines", code: "\n\n  \n"},
		{name: "go only", code: "x := 1\ny := 2", want: []wantPiece{{goPiece, 1, "x := 1\ny := 2"}}},
		{name: "shell between go", code: "x := 1\n!ls -l\ny := 2", want: []wantPiece{
			{goPiece, 1, "x := 1"}, {shellPiece, 2, "ls -l"}, {goPiece, 3, "\n\ny := 2"}}},
		{name: "shell lines", code: "!echo hi\n  !echo there  ", want: []wantPiece{
			{shellPiece, 1, "echo hi"}, {shellPiece, 2, "echo there"}}},
		{name: "bang after an operator is Go", code: "a := true &&\n!b", want: []wantPiece{{goPiece, 1, "a := true &&\n!b"}}},
		{name: "bang inside a call is Go", code: "f(a,\n!b)", want: []wantPiece{{goPiece, 1, "f(a,\n!b)"}}},
		{name: "bang after a blank line and a comment is still Go", code: "x := a ||\n\n// note\n!b", want: []wantPiece{
			{goPiece, 1, "x := a ||\n\n// note\n!b"}}},
		{name: "bang after a trailing comment is shell", code: "x := 1 // &&\n!ls", want: []wantPiece{
			{goPiece, 1, "x := 1 // &&"}, {shellPiece, 2, "ls"}}},
		{name: "bang after a closed literal is shell", code: "x := []int{\n\t1,\n}\n!echo hi", want: []wantPiece{
			{goPiece, 1, "x := []int{\n\t1,\n}"}, {shellPiece, 4, "echo hi"}}},
		{name: "go after leading blank lines", code: "\n\nx := 1", want: []wantPiece{{goPiece, 3, "\n\nx := 1"}}},
		{name: "cell time", code: "%%time\nx := 1", timed: true, want: []wantPiece{{goPiece, 2, "\nx := 1"}}},
		{name: "cell time alone", code: "%%time", timed: true},
		{name: "cell time with shell", code: "%%time\n!sleep 0", timed: true, want: []wantPiece{{shellPiece, 2, "sleep 0"}}},
		{name: "line time", code: "%time x := f()\ny := 2", timedL: []int{1}, want: []wantPiece{
			{goPiece, 1, "      x := f()"}, {goPiece, 2, "\ny := 2"}}},
		{name: "line time later", code: "x := 1\n  %time y := 2", timedL: []int{2}, want: []wantPiece{
			{goPiece, 1, "x := 1"}, {goPiece, 2, "\n        y := 2"}}},
		{name: "two timed lines", code: "%time a()\n%time b()", timedL: []int{1, 2}, want: []wantPiece{
			{goPiece, 1, "      a()"}, {goPiece, 2, "\n      b()"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, timedLines, err := parseCell(c.code)
			if err != nil {
				t.Fatalf("parseCell(%q): %v", c.code, err)
			}
			if !reflect.DeepEqual(pieces(got), c.want) {
				t.Errorf("parseCell(%q) pieces =\n%+v\nwant\n%+v", c.code, pieces(got), c.want)
			}
			if got.timed != c.timed {
				t.Errorf("timed = %v, want %v", got.timed, c.timed)
			}
			wantL := map[int]bool{}
			for _, l := range c.timedL {
				wantL[l] = true
			}
			if !reflect.DeepEqual(timedLines, wantL) {
				t.Errorf("timed lines = %v, want %v", timedLines, wantL)
			}
			// Every Go piece keeps the cell's line numbers.
			lines := strings.Split(c.code, "\n")
			for _, p := range got.pieces {
				if p.kind != goPiece {
					continue
				}
				for i, l := range strings.Split(p.src, "\n") {
					if strings.TrimSpace(l) != "" && !strings.Contains(lines[i], strings.TrimSpace(l)) {
						t.Errorf("piece line %d %q is not cell line %d %q", i+1, l, i+1, lines[i])
					}
				}
			}
		})
	}
}

func TestBareTimeMagic(t *testing.T) {
	_, _, err := parseCell("x := 1\n%time")
	if err == nil || !strings.Contains(err.Error(), "line 2: %time needs a statement to time") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseCellMagicErrors(t *testing.T) {
	cases := []struct {
		code  string
		line  int
		magic string
	}{
		{"%timeit x", 1, "%timeit"},
		{"%", 1, "%"},
		{"x := 1\n%%time", 2, "%%time"},
		{"x := 1\n\n  %matplotlib inline", 3, "%matplotlib"},
		{"!ls\n%who", 2, "%who"},
	}
	for _, c := range cases {
		_, _, err := parseCell(c.code)
		var me *magicError
		if !errors.As(err, &me) {
			t.Errorf("parseCell(%q): err = %v, want a magicError", c.code, err)
			continue
		}
		if me.line != c.line || me.magic != c.magic {
			t.Errorf("parseCell(%q): magic %q on line %d, want %q on line %d", c.code, me.magic, me.line, c.magic, c.line)
		}
		if !strings.Contains(err.Error(), c.magic) {
			t.Errorf("error %q does not name %s", err, c.magic)
		}
	}
	// A % that continues a Go line is Go (the modulo operator).
	if c, _, err := parseCell("x := 10 +\n%3"); err != nil || len(c.pieces) != 1 {
		t.Errorf("%%3 continuing a Go line: %v %v", pieces(c), err)
	}
}

// TestParseCellInsideLiterals: a line inside a multi-line raw string or
// block comment is Go text, whatever it starts with. continues() reports a
// line that opens a raw string or a comment as finished, so the next line
// starting with "!" becomes a shell command and one starting with "%" an
// unknown magic (a template holding "%s" at the start of a line cannot be
// written).
func TestParseCellInsideLiterals(t *testing.T) {
	for _, code := range []string{
		"tmpl := `\n%s items\n`",
		"usage := `Usage:\n!cmd runs a shell command\n`",
		"/*\n!not a command\n*/\nx := 1",
		"x := 1 /* note\n%not a magic */",
	} {
		c, _, err := parseCell(code)
		if err != nil {
			t.Errorf("parseCell(%q): %v", code, err)
			continue
		}
		if want := []wantPiece{{goPiece, 1, code}}; !reflect.DeepEqual(pieces(c), want) {
			t.Errorf("parseCell(%q) pieces = %+v, want the whole cell as Go", code, pieces(c))
		}
	}
	for _, line := range []string{"s := `abc", "x := 1 /* open"} {
		if !continues(line) {
			t.Errorf("continues(%q) = false, want true (a literal is open)", line)
		}
	}
}

func TestContinues(t *testing.T) {
	cases := []struct {
		line string
		want bool
	}{
		{"a &&", true},
		{"a ||", true},
		{"f(", true},
		{"x := []int{", true},
		{"if x {", true},
		{"a +", true},
		{"a.", true},
		{"a,", true},
		{"x :=", true},
		{"x := y /* c */ +", true},
		{"a", false},
		{"}", false},
		{")", false},
		{"x++", false},
		{"return", false},
		{"break", false},
		{"x := 1 // &&", false},
		{"s := \"str\"", false},
		{"", false},
		{"   ", false},
		{"x := 1;", false},
	}
	for _, c := range cases {
		if got := continues(c.line); got != c.want {
			t.Errorf("continues(%q) = %v, want %v", c.line, got, c.want)
		}
	}
}

func TestRewriteRangeInt(t *testing.T) {
	ints := map[string]bool{"n": true}
	cases := []struct {
		src  string
		kind chunkKind
		want string // "" for unchanged
	}{
		{"for i := range 10 {\n}", stmtChunk, "for _gosysI, _gosysN := (10)-(10), 10; _gosysI < _gosysN; _gosysI++ { i := _gosysI; _ = i;\n}"},
		{"for range 3 { f() }", stmtChunk, "for _gosysI, _gosysN := (3)-(3), 3; _gosysI < _gosysN; _gosysI++ { f() }"},
		{"for i := range n { }", stmtChunk, "for _gosysI, _gosysN := (n)-(n), n; _gosysI < _gosysN; _gosysI++ { i := _gosysI; _ = i; }"},
		{"for i := range -n {}", stmtChunk, "for _gosysI, _gosysN := (-n)-(-n), -n; _gosysI < _gosysN; _gosysI++ { i := _gosysI; _ = i;}"},
		{"for i := range len(s) * 2 {}", stmtChunk, "for _gosysI, _gosysN := (len(s) * 2)-(len(s) * 2), len(s) * 2; _gosysI < _gosysN; _gosysI++ { i := _gosysI; _ = i;}"},
		{"for i := range cap(s) {}", stmtChunk, "for _gosysI, _gosysN := (cap(s))-(cap(s)), cap(s); _gosysI < _gosysN; _gosysI++ { i := _gosysI; _ = i;}"},
		{"for i := range int64(7) {}", stmtChunk, "for _gosysI, _gosysN := (int64(7))-(int64(7)), int64(7); _gosysI < _gosysN; _gosysI++ { i := _gosysI; _ = i;}"},
		{"for i := range 1 << 3 {}", stmtChunk, "for _gosysI, _gosysN := (1 << 3)-(1 << 3), 1 << 3; _gosysI < _gosysN; _gosysI++ { i := _gosysI; _ = i;}"},
		{"for i := range (n % 4) {}", stmtChunk, "for _gosysI, _gosysN := ((n % 4))-((n % 4)), (n % 4); _gosysI < _gosysN; _gosysI++ { i := _gosysI; _ = i;}"},
		{"k := 5\nfor j := range k {}", stmtChunk, "k := 5\nfor _gosysI, _gosysN := (k)-(k), k; _gosysI < _gosysN; _gosysI++ { j := _gosysI; _ = j;}"},
		{"if true { var c uint8 = 3; for x := range c {} }", stmtChunk, "if true { var c uint8 = 3; for _gosysI, _gosysN := (c)-(c), c; _gosysI < _gosysN; _gosysI++ { x := _gosysI; _ = x;} }"},
		{"x := 1\n  for i := range 2 { x++ }\ny := x", stmtChunk, "x := 1\n  for _gosysI, _gosysN := (2)-(2), 2; _gosysI < _gosysN; _gosysI++ { i := _gosysI; _ = i; x++ }\ny := x"},
		{"for i := range 3 { for j := range 2 { _ = j } }", stmtChunk,
			"for _gosysI, _gosysN := (3)-(3), 3; _gosysI < _gosysN; _gosysI++ { i := _gosysI; _ = i; for _gosysI, _gosysN := (2)-(2), 2; _gosysI < _gosysN; _gosysI++ { j := _gosysI; _ = j; _ = j } }"},
		{"func g() { for i := range 4 {} }", declChunk, "func g() { for _gosysI, _gosysN := (4)-(4), 4; _gosysI < _gosysN; _gosysI++ { i := _gosysI; _ = i;} }"},
		{"func g(k int) { for i := range k {} }", declChunk, "func g(k int) { for _gosysI, _gosysN := (k)-(k), k; _gosysI < _gosysN; _gosysI++ { i := _gosysI; _ = i;} }"},
		{"var m = 9\nfunc g() { for range m {} }", declChunk, "var m = 9\nfunc g() { for _gosysI, _gosysN := (m)-(m), m; _gosysI < _gosysN; _gosysI++ {} }"},
		// Left alone: not certainly an integer, or not a := range with a key only.
		{"for i := range m { }", stmtChunk, ""},
		{"for i := range f() {}", stmtChunk, ""},
		{"for i := range x.N {}", stmtChunk, ""},
		{"for i := range myInt(3) {}", stmtChunk, ""},
		{"for i := range \"abc\" {}", stmtChunk, ""},
		{"for i := range 2.0 {}", stmtChunk, ""},
		{"for i := range []int{1} {}", stmtChunk, ""},
		{"for i, v := range 3 {}", stmtChunk, ""},
		{"for i = range 3 {}", stmtChunk, ""},
		{"for i := 0; i < 3; i++ {}", stmtChunk, ""},
		{"for i := range 10 {", stmtChunk, ""},  // a syntax error is yaegi's to report
		{"for i := range 10 {}", declChunk, ""}, // not a declaration: does not parse
	}
	for _, c := range cases {
		want := c.want
		if want == "" {
			want = c.src
		}
		got := rewriteRangeInt(c.src, c.kind, ints)
		if got != want {
			t.Errorf("rewriteRangeInt(%q) =\n%q\nwant\n%q", c.src, got, want)
		}
		if strings.Count(got, "\n") != strings.Count(c.src, "\n") {
			t.Errorf("rewriteRangeInt(%q) changed the line count", c.src)
		}
	}
	// The caller's names are not modified.
	if len(ints) != 1 {
		t.Errorf("intNames changed: %v", ints)
	}
}

// TestRewriteRangeIntNestedKey: the key of a range over an integer is an
// integer, so a nested "for j := range i" is an integer range too; it is
// left as it was, and yaegi then fails to compile the cell ("nil type").
func TestRewriteRangeIntNestedKey(t *testing.T) {
	src := "for i := range 4 { for j := range i { _ = j } }"
	if got := rewriteRangeInt(src, stmtChunk, nil); strings.Contains(got, "range") {
		t.Errorf("rewriteRangeInt(%q) = %q: inner range over the key i left as it was", src, got)
	}
}

func TestSplitCompound(t *testing.T) {
	type p = part
	cases := []struct {
		src  string
		want []part
	}{
		{"x := 1\ny := 2", []part{{"x := 1\ny := 2", false}}},
		{"if x { }", []part{{"if x { }", true}}},
		{"x := 1\nfor i := 0; i < 3; i++ {}\ny := 2", []part{
			p{"x := 1\n", false}, p{"      \nfor i := 0; i < 3; i++ {}", true}, p{"      \n                         \ny := 2", false}}},
		{"L: for { break L }\nz := 3", []part{p{"L: for { break L }", true}, p{"                  \nz := 3", false}}},
		{"{ a := 1 }", []part{{"{ a := 1 }", true}}},
		{"switch { }\nselect {}\nswitch x.(type) {}", []part{
			p{"switch { }", true}, p{"          \nselect {}", true}, p{"          \n         \nswitch x.(type) {}", true}}},
		{"for k, v := range m { _, _ = k, v }", []part{{"for k, v := range m { _, _ = k, v }", true}}},
		{"defer f()\ngo g()", []part{{"defer f()\ngo g()", false}}},
		{"x := := bad", []part{{"x := := bad", false}}},
		{"", nil},
	}
	for _, c := range cases {
		if got := splitCompound(c.src); !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitCompound(%+v) =\n%+v\nwant\n%+v", c.src, got, c.want)
		}
	}
}

func TestBlankOutsideAndAsFunction(t *testing.T) {
	if got, want := blankOutside("ab\ncd\nef", 3, 5), "  \ncd"; got != want {
		t.Errorf("blankOutside = %q, want %q", got, want)
	}
	if got, want := blankOutside("abc", 0, 3), "abc"; got != want {
		t.Errorf("blankOutside = %q, want %q", got, want)
	}
	if got, want := asFunction("  \n\tfor {}"), "  \n\tfunc "+compoundFunc+"() { for {}\n}"; got != want {
		t.Errorf("asFunction = %q, want %q", got, want)
	}
}

func TestHelpTarget(t *testing.T) {
	cases := []struct {
		code string
		want string // "" for not a help request
	}{
		{"fmt.Println?", "fmt.Println"},
		{"fmt.Println??", "fmt.Println"},
		{"?fmt", "fmt"},
		{"??x", "x"},
		{"  os.Args?  \n", "os.Args"},
		{"a.b.c?", "a.b.c"},
		{"_?", "_"},
		{"x1?", "x1"},
		{"x?y", ""},
		{"?", ""},
		{"??", ""},
		{"x ?", ""},
		{"1x?", ""},
		{"x???", ""},
		{"?x?", ""},
		{"f(x)?", ""},
		{"x := y?", ""},
		{"", ""},
	}
	for _, c := range cases {
		got, ok := helpTarget(c.code)
		if ok != (c.want != "") || got != c.want {
			t.Errorf("helpTarget(%q) = %q, %v; want %q", c.code, got, ok, c.want)
		}
	}
}

func TestIsCompleteTable(t *testing.T) {
	cases := []struct {
		code, status, indent string
	}{
		{"", "complete", ""},
		{"x := 1", "complete", ""},
		{"x := 1\n", "complete", ""},
		{"for {\n}", "complete", ""},
		{"x := []int{1,\n2}", "complete", ""},
		{"x := 1 // comment {", "complete", ""},
		{"!ls", "complete", ""},
		{"%time x := 1", "complete", ""},
		{"%%time\nx := 1", "complete", ""},
		{"func f() {", "incomplete", "    "},
		{"func f() {\n\tif x {", "incomplete", "        "},
		{"type T struct {", "incomplete", "    "},
		{"f(a,", "incomplete", "    "},
		{"a := 1 +", "incomplete", "    "},
		{"if x {\n} else", "incomplete", "    "},
		{"s := `abc", "incomplete", "    "},
		{"/* open", "incomplete", "    "},
		{"}", "invalid", ""},
		{")", "invalid", ""},
		{"x := := 3", "invalid", ""},
		{"%bogus", "invalid", ""},
		{"func f() {}\nfunc f(", "incomplete", "    "},
		{"x := 1\ny := := 2", "invalid", ""},
	}
	for _, c := range cases {
		status, indent := IsComplete(c.code)
		if status != c.status || indent != c.indent {
			t.Errorf("IsComplete(%q) = %s %q, want %s %q", c.code, status, indent, c.status, c.indent)
		}
	}
}

// TestIsCompleteUnterminatedLiteral: an interpreted string or a rune
// literal cannot continue on the next line, so no more input completes it:
// the answer is "invalid" (as IPython says for an open '...'). IsComplete
// takes every "not terminated" scanner error for an open raw string and
// says "incomplete", which keeps a console asking for more lines.
func TestIsCompleteUnterminatedLiteral(t *testing.T) {
	for _, code := range []string{`s := "abc`, `"unterminated`, `r := 'a`, "x := \"a\nb\""} {
		if status, _ := IsComplete(code); status != "invalid" {
			t.Errorf("IsComplete(%q) = %s, want invalid", code, status)
		}
	}
}
