package eval

import (
	"context"
	"os/exec"
	"strings"
	"testing"
)

// privateNativeCache gives the test a native cache of its own; the Go
// build cache stays the user's (it would move with XDG_CACHE_HOME, and a
// cold one compiles the standard library for plugins again).
func privateNativeCache(t *testing.T) {
	t.Helper()
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOCACHE: %v", err)
	}
	t.Setenv("GOCACHE", strings.TrimSpace(string(out)))
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
}

// TestNativeCells runs native cells and interpreted cells that use them
// in one session (the plugin builds need the go command and cgo).
func TestNativeCells(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins")
	}
	privateNativeCache(t)
	s := newTestSession(t)
	cases := []struct {
		code    string
		result  string // text/plain of the result, "" for none
		errName string
		errHas  string
	}{
		{code: "%%native\nfunc SumTo(n int) int {\n\ts := 0\n\tfor i := range n {\n\t\ts += i\n\t}\n\treturn s\n}\n\ntype Ring struct {\n\tbuf []byte\n}\n\nfunc (r *Ring) Put(b byte) { r.buf = append(r.buf, b) }\nfunc (r *Ring) Len() int   { return len(r.buf) }\n\nconst K = 6\n\nvar Calls int\n"},
		{code: "SumTo(10)", result: "45"},
		{code: "r := &Ring{}\nr.Put(1)\nr.Put(2)\nr.Len()", result: "2"},
		{code: "var u uint8 = K * 2\nu", result: "12"},
		{code: "Calls = 4\nCalls", result: "4"},
		{code: "func interpreted() int { return 1 }"},
		{code: "%%native\nfunc Uses() int {\n\treturn interpreted()\n}\n", errName: "CompileError", errHas: "interpreted is declared by an interpreted cell"},
		{code: "%%native\nfunc Broken() int {\n\treturn \"s\"\n}\n", errName: "CompileError", errHas: "line 3"},
		{code: "%%native\nfunc (r *Ring) Cap() int { return cap(r.buf) }\n", errName: "CompileError", errHas: "non-local type Ring (Ring is declared by an earlier native cell"},
		{code: "%%native\nfunc Twice(n int) int { return 2 * SumTo(n) }\n"},
		{code: "Twice(10)", result: "90"},
		{code: "%%native\nfunc SumTo(n int) int { return -n }\n"},
		{code: "SumTo(10)", result: "-10"},
		{code: "Twice(10)", result: "90"}, // built with the SumTo of its time
		{code: "func SumTo(n int) int { return 7 }\nSumTo(1)", result: "7"},
		// An interpreted type passed as a native interface (yaegi's wrapper).
		{code: "%%native\nimport \"io\"\n\ntype Shape interface {\n\tArea() float64\n\tScaled(k ...float64) Shape\n\tDump(w io.Writer) (int, error)\n}\n\nfunc Doubled(s Shape) float64 { return s.Scaled(2).Area() }\n"},
		{code: "import \"io\"\ntype Sq struct{ S float64 }\nfunc (q Sq) Area() float64 { return q.S * q.S }\nfunc (q Sq) Scaled(k ...float64) Shape { return Sq{q.S * k[0]} }\nfunc (q Sq) Dump(w io.Writer) (int, error) { return 0, nil }\nDoubled(Sq{1}) + Doubled(Sq{2})", result: "20"},
		{code: "%%native\nfunc Sum(shapes []Shape) float64 {\n\tt := 0.0\n\tfor _, s := range shapes {\n\t\tt += s.Area()\n\t}\n\treturn t\n}\n"},
		{code: "Sum([]Shape{Sq{1}, Sq{2}})", result: "5"},
	}
	for _, c := range cases {
		out := s.Execute(context.Background(), c.code)
		if c.errName != "" {
			if out.Err == nil {
				t.Errorf("%q: no error, want %s", c.code, c.errName)
				continue
			}
			tb := strings.Join(out.Err.Traceback, "\n")
			if out.Err.Name != c.errName || !strings.Contains(tb, c.errHas) {
				t.Errorf("%q: error %s %q\n%s\nwant %s containing %q", c.code, out.Err.Name, out.Err.Value, tb, c.errName, c.errHas)
			}
			continue
		}
		if out.Err != nil {
			t.Errorf("%q: error %s: %s", c.code, out.Err.Name, strings.Join(out.Err.Traceback, "\n"))
			continue
		}
		got := ""
		if out.Result != nil {
			got, _ = out.Result.Data["text/plain"].(string)
		}
		if got != c.result {
			t.Errorf("%q: result %q, want %q", c.code, got, c.result)
		}
	}
}

// TestNativeRecipe declares a native cell's names again in a fresh session
// from the recipe of the one that had them, as the kernel does when the
// session process dies.
func TestNativeRecipe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins")
	}
	privateNativeCache(t)
	s := newTestSession(t)
	for _, code := range []string{
		"%%native\nfunc Base() int { return 40 }\n",
		"%%native\nfunc Answer() int { return Base() + 2 }\n",
		"func viaNative() int { return Answer() }",
	} {
		if out := s.Execute(context.Background(), code); out.Err != nil {
			t.Fatalf("%q: %s", code, strings.Join(out.Err.Traceback, "\n"))
		}
	}
	r := s.Recipe()
	if len(r.Natives) != 2 {
		t.Fatalf("recipe natives %v, want 2", r.Natives)
	}
	for _, d := range r.Decls {
		if d.Name == "Base" || d.Name == "Answer" {
			t.Errorf("native %s in the recipe's declarations", d.Name)
		}
	}
	fresh := newTestSession(t)
	restored := fresh.Restore(r)
	if len(restored.Failed) > 0 {
		t.Fatalf("restore failed: %v", restored.Failed)
	}
	if !strings.Contains(strings.Join(restored.Funcs, " "), "Answer") {
		t.Errorf("restored funcs %v lack Answer", restored.Funcs)
	}
	out := fresh.Execute(context.Background(), "viaNative()")
	if out.Err != nil || out.Result.Data["text/plain"] != "42" {
		t.Fatalf("viaNative() in the fresh session: %+v", out)
	}
	// A native cell built in the fresh session uses a restored one.
	if out := fresh.Execute(context.Background(), "%%native\nfunc More() int { return Answer() + 1 }\n"); out.Err != nil {
		t.Fatal(strings.Join(out.Err.Traceback, "\n"))
	}
	if out := fresh.Execute(context.Background(), "More()"); out.Err != nil || out.Result.Data["text/plain"] != "43" {
		t.Fatalf("More(): %+v", out)
	}
}
