package eval

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"

	"gosys/session/symbols"
)

func newTestSession(t *testing.T) *Session {
	t.Helper()
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { devnull.Close() })
	s, err := New(Options{Kit: symbols.Kit{Lazy: []interp.LazyExports{symbols.Lazy}, Exports: []interp.Exports{symbols.Stdlib()}}, Stdin: devnull, Stdout: devnull, Stderr: devnull})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCells runs a sequence of cells in one session and checks each one's
// result text or error.
func TestCells(t *testing.T) {
	s := newTestSession(t)
	cases := []struct {
		code    string
		result  string // text/plain of the result, "" for none
		errName string
		errHas  string
	}{
		{code: "import \"fmt\"\nx := 3\nfunc f(a int) int { return a * 2 }\nfmt.Println(f(x))\nf(x) + 1", result: "7"},
		{code: "type T struct{ A int }\nt := T{4}\nt", result: "{A:4}"},
		{code: "x + 1", result: "4"},
		{code: "\"ab\"", result: `"ab"`},
		{code: "fmt.Println(\"hi\")"},
		{code: "import \"strconv\"\nstrconv.Atoi(\"12\")", result: "12, <nil>"},
		{code: "type S struct{}\nfunc (S) String() string { return \"S!\" }\nS{}", result: "S!"},
		{code: "func G[T any](v T) T { return v }\nG(5)", result: "5"},
		{code: "n := 0\nfor i := range 4 { n += i }\nn", result: "6"},
		{code: "func sum(k int) (t int) {\n\tfor i := range k {\n\t\tt += i\n\t}\n\treturn\n}\nsum(5)", result: "10"},
		{code: "y := 1\nz := undefinedName + 2", errName: "CompileError", errHas: "undefined: undefinedName"},
		{code: "func boom() { panic(\"boom\") }\n\nboom()", errName: "panic", errHas: "boom"},
		{code: "var a []int\n_ = a[5]", errName: "runtime error", errHas: "out of range"},
		{code: "import \"os\"\nos.Exit(3)", errName: "Exit", errHas: "exit(3)"},
		{code: "1 +", errName: "SyntaxError"},
		{code: "%foo", errName: "UsageError", errHas: "%foo"},
		{code: "x", result: "3"},
		{code: "import \"fmt\"\nimport (\n\t\"strings\"\n\t\"os\"\n)\nstrings.ToUpper(\"again\")", result: `"AGAIN"`},
		{code: "func f(a int) int { return a * 3 }\nf(2)", result: "6"},
	}
	for _, c := range cases {
		out := s.Execute(context.Background(), c.code)
		if c.errName != "" {
			if out.Err == nil || out.Err.Name != c.errName || !strings.Contains(out.Err.Value, c.errHas) {
				t.Errorf("cell %q: got error %+v, want %s containing %q", c.code, out.Err, c.errName, c.errHas)
			}
			continue
		}
		if out.Err != nil {
			t.Errorf("cell %q: unexpected error %+v", c.code, out.Err)
			continue
		}
		got := ""
		if out.Result != nil {
			got, _ = out.Result.Data["text/plain"].(string)
		}
		if got != c.result {
			t.Errorf("cell %q: result %q, want %q", c.code, got, c.result)
		}
	}
}

// TestErrorLines checks that errors point at the cell's own line numbers.
func TestErrorLines(t *testing.T) {
	s := newTestSession(t)
	cases := []struct{ code, want string }{
		{"a := 1\n_ = a\nb := nope", "cell line 3:"},
		{"func f() {\n\tpanic(\"x\")\n}\n\nf()", "in f, cell line 2:"},
		{"import \"fmt\"\nfunc g() int {\n  return 1\n}\nfmt.Println(g(\n", "cell line"},
	}
	for _, c := range cases {
		out := s.Execute(context.Background(), c.code)
		if out.Err == nil {
			t.Errorf("cell %q: no error", c.code)
			continue
		}
		if tb := strings.Join(out.Err.Traceback, "\n"); !strings.Contains(tb, c.want) {
			t.Errorf("cell %q: traceback\n%s\nwant it to contain %q", c.code, tb, c.want)
		}
	}
}

func TestInterruptEndlessLoop(t *testing.T) {
	s := newTestSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	out := s.Execute(ctx, "for {}")
	if out.Err == nil || out.Err.Name != "Interrupted" {
		t.Fatalf("got %+v, want Interrupted", out.Err)
	}
	out = s.Execute(context.Background(), "40 + 2")
	if out.Err != nil || out.Result.Data["text/plain"] != "42" {
		t.Fatalf("session unusable after interrupt: %+v %+v", out.Err, out.Result)
	}
}

func TestCompleteAndInspect(t *testing.T) {
	s := newTestSession(t)
	s.Execute(context.Background(), "import \"fmt\"\n// Twice doubles.\nfunc Twice(x int) int { return 2 * x }\nvalue := 3")
	c := s.Complete("fmt.Pri", 7)
	if strings.Join(c.Matches, ",") != "Print,Printf,Println" || c.Start != 4 || c.End != 7 {
		t.Errorf("complete fmt.Pri: %+v", c)
	}
	c = s.Complete("x := val", 8)
	if len(c.Matches) != 1 || c.Matches[0] != "value" {
		t.Errorf("complete val: %+v", c)
	}
	if text, ok := s.Inspect("Twice(2)", 2); !ok || !strings.Contains(text, "Twice doubles") {
		t.Errorf("inspect Twice: %q %v", text, ok)
	}
	if text, ok := s.Inspect("fmt.Println", 6); !ok || !strings.Contains(text, "func Println") {
		t.Errorf("inspect fmt.Println: %q %v", text, ok)
	}
}

func TestIsComplete(t *testing.T) {
	cases := []struct{ code, want string }{
		{"x := 1", "complete"},
		{"func f() {", "incomplete"},
		{"a := 1 +", "incomplete"},
		{"s := `abc", "incomplete"},
		{"x := := 3", "invalid"},
		{"}", "invalid"},
		{"!ls", "complete"},
	}
	for _, c := range cases {
		if got, _ := IsComplete(c.code); got != c.want {
			t.Errorf("IsComplete(%q) = %s, want %s", c.code, got, c.want)
		}
	}
}
