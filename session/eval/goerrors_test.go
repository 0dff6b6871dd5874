package eval

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"gosys/session/symbols"
)

// newFullSession is a session set up as the session process sets it up:
// the standard library, the generic sources and the prelude.
func newFullSession(t *testing.T) *Session {
	t.Helper()
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { devnull.Close() })
	s, err := New(Options{Kit: symbols.Standard(nil), Stdin: devnull, Stdout: devnull, Stderr: devnull})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGoRuntimeErrors checks that run-time errors read as Go's own, at the
// cell line where they happen (the list).
func TestGoRuntimeErrors(t *testing.T) {
	s := newFullSession(t)
	if out := s.Execute(context.Background(), "import \"fmt\"\ntype P struct{ X int }"); out.Err != nil {
		t.Fatal(out.Err)
	}
	cases := []struct {
		code  string
		name  string
		value string
		line  int // the cell line the traceback points at first
	}{
		{"xs := []int{1, 2, 3}\n_ = xs[5]", "runtime error", "index out of range [5] with length 3", 2},
		{"ys := []int{1, 2, 3}\ni := -1\nfmt.Println(ys[i])", "runtime error", "index out of range [-1]", 3},
		{"s := \"abc\"\n_ = s[10]", "runtime error", "index out of range [10] with length 3", 2},
		{"a := [3]int{}\nk := 7\na[k] = 1", "runtime error", "index out of range [7] with length 3", 3},
		{"zs := []int{1, 2, 3}\nhi := 9\n_ = zs[1:hi]", "runtime error", "slice bounds out of range [:9] with capacity 3", 3},
		{"var m map[string]int\nm[\"a\"] = 1", "runtime error", "assignment to entry in nil map", 2},
		{"var p *P\n_ = p.X", "runtime error", "invalid memory address or nil pointer dereference", 2},
		{"var q *P\nfmt.Println(q.X)", "runtime error", "invalid memory address or nil pointer dereference", 2},
		{"a, b := 1, 0\n_ = a / b", "runtime error", "integer divide by zero", 2},
		{"var x any = \"s\"\n_ = x.(int)", "runtime error", "interface conversion: interface {} is string, not int", 2},
		{"c := make(chan int)\nclose(c)\nc <- 1", "runtime error", "send on closed channel", 3},
		{"for i := 0; i < 5; i++ {\n\tw := []int{1}\n\t_ = w[i]\n}", "runtime error", "index out of range [1] with length 1", 3},
		{"if true {\n\tvar r *P\n\tr.X = 2\n}", "runtime error", "invalid memory address or nil pointer dereference", 3},
		{"func f(n int) int {\n\tws := []int{1}\n\treturn ws[n]\n}\nf(3)", "runtime error", "index out of range [3] with length 1", 3},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.code, "\n", "; "), func(t *testing.T) {
			out := s.Execute(context.Background(), c.code)
			if out.Err == nil {
				t.Fatalf("no error")
			}
			if out.Err.Name != c.name || out.Err.Value != c.value {
				t.Errorf("got %s: %s; want %s: %s", out.Err.Name, out.Err.Value, c.name, c.value)
			}
			want := fmt.Sprintf("cell line %d:", c.line)
			if len(out.Err.Traceback) < 2 || !strings.Contains(out.Err.Traceback[1], want) {
				t.Errorf("traceback %q does not point at %s", out.Err.Traceback, want)
			}
		})
	}
}

// TestMistakesTheInterpreterWouldHide checks the errors made before a
// chunk reaches the interpreter.
func TestMistakesTheInterpreterWouldHide(t *testing.T) {
	s := newFullSession(t)
	cases := []struct{ code, want string }{
		{"ln, err := net.Listen(\"tcp\", \":0\")", `undefined: net (import "net" first)`},
		{"x := min(3, 4)", "convert it to its type (x := T(min(3, 4)), e.g. int(...)), or call min inside a function"},
		{"var v = max(3, 4)", "call max inside a function"},
		{"var w int = min(3, 4)", "call min inside a function"},
		{"import \"slices\"\ny := slices.Max([]int{1, 5})", "call slices.Max inside a function"},
		{"type T struct{ A int }", ""},
		{"type T struct{ A int }", ""}, // the same again: fine
		{"type T struct{ B string }", "type T is declared already, as struct{ A int }"},
	}
	for _, c := range cases {
		out := s.Execute(context.Background(), c.code)
		switch {
		case c.want == "" && out.Err != nil:
			t.Errorf("%q: %v", c.code, out.Err)
		case c.want != "" && (out.Err == nil || !strings.Contains(out.Err.Value, c.want)):
			t.Errorf("%q: error %v; want it to say %q", c.code, out.Err, c.want)
		}
	}
	// The workarounds the message gives work, with a type T declared.
	for _, code := range []string{"z := int(min(3, 4))\nz", "z2 := int(slices.Min([]int{5, 3}))\nz2", "func m() int { return min(3, 4) }\nm()"} {
		if out := s.Execute(context.Background(), code); out.Err != nil || out.Result.Data["text/plain"] != "3" {
			t.Errorf("%q: %+v %+v", code, out.Err, out.Result)
		}
	}
}
