package eval

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"gosys/session/fork"
)

// TestForkSiteCaptures checks which locals a fork site captures, and their
// types: names resolve by Go's scope rules from the site outward, not by
// name over the chunk.
func TestForkSiteCaptures(t *testing.T) {
	s := newTestSession(t)
	if out := s.Execute(context.Background(), "c := 1\ntype P struct{ x int }"); out.Err != nil {
		t.Fatal(out.Err)
	}
	cases := []struct {
		name string
		src  string
		kind chunkKind
		// captures and types of each site, in source order.
		want [][2][]string
	}{
		{"a name declared again in a later function", "func loopFork() {\n\tfor i := 0; i < 1; i++ {\n\t\tc := 7\n\t\tif pid, _ := rt.Fork(); pid == 0 {\n\t\t\tprintln(c)\n\t\t}\n\t}\n}\n" +
			"func other() {\n\tc := \"s\"\n\tif pid, _ := rt.Fork(); pid == 0 {\n\t\tprintln(c)\n\t}\n}", declChunk,
			[][2][]string{{{"c"}, {"int"}}, {{"c"}, {"string"}}}},
		{"session variables are not captures", "func g() {\n\trt.Fork(func() { println(c) })\n\tpid, _ := rt.Fork()\n\tprintln(pid, c)\n}", declChunk,
			[][2][]string{{nil, nil}, {nil, nil}}},
		{"the literal's own names", "func h() {\n\tc := 2\n\t_ = c\n\trt.Fork(func() { c := 3; println(c) })\n}", declChunk,
			[][2][]string{{nil, nil}}},
		{"receiver, parameters, named results, range variables", "func (p *P) run(k int, xs ...string) (r int) {\n\tfor j, v := range xs {\n\t\tif pid, _ := rt.Fork(); pid == 0 {\n\t\t\tprintln(p.x, k, j, v, r, len(xs))\n\t\t}\n\t}\n\treturn\n}", declChunk,
			[][2][]string{{{"j", "k", "p", "r", "v", "xs"}, {"int", "int", "*P", "int", "string", "[]string"}}}},
		{"if and switch inits, type switch, closure parameter", "func ts(x any) {\n\tif y := 2; y > 1 {\n\t\tswitch z := 1.5; v := x.(type) {\n\t\tcase int:\n\t\t\tf := func(a int) { rt.Fork(func() { println(v, a, y, z) }) }\n\t\t\tf(1)\n\t\t}\n\t}\n}", declChunk,
			[][2][]string{{{"a", "v", "y", "z"}, {"int", "int", "int", "float64"}}}},
		{"fields, keys, labels and local constants", "func k() {\n\tx := 5\n\tconst n = 3\n\tp := P{x: 1}\nloop:\n\tfor {\n\t\trt.Fork(func() { q := P{x: n}; println(p.x, q.x); _ = x })\n\t\tbreak loop\n\t}\n}", declChunk,
			[][2][]string{{{"n", "p", "x"}, {"int", "P", "int"}}}},
		{"a cell's top-level statements", "d := 4\nfor i := 0; i < 2; i++ {\n\trt.Fork(func() { println(i, d, c) })\n}", stmtChunk,
			[][2][]string{{{"d", "i"}, {"int", "int"}}}},
		{"a function named by rt.Fork(f)", "func m() {\n\tf := func() {}\n\trt.Fork(f)\n\trt.Fork(m)\n}", declChunk,
			[][2][]string{{{"f"}, {"func()"}}, {nil, nil}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := s.nextSite
			out := s.rewriteForks(c.src, c.kind, 1)
			if strings.Contains(out, "rt.Fork") {
				t.Errorf("a call was left to rt.Fork:\n%s", out)
			}
			var got [][2][]string
			for id := before + 1; id <= s.nextSite; id++ {
				got = append(got, [2][]string{s.sites[id].Captures, s.sites[id].Types})
			}
			if len(got) != len(c.want) {
				t.Fatalf("%d sites, want %d", len(got), len(c.want))
			}
			// Sites are numbered C's shape first, then function literals;
			// each list here has one kind, or one site of each in order.
			for i := range got {
				if !reflect.DeepEqual(got[i], c.want[i]) {
					t.Errorf("site %d: captures %q types %q, want %q %q", i, got[i][0], got[i][1], c.want[i][0], c.want[i][1])
				}
			}
		})
	}
}

// TestForkSitePlaces checks where a site puts the child's code in its
// cell, and what it quotes from it, in a cell and in a forked child's
// declarations (placed by line directives).
func TestForkSitePlaces(t *testing.T) {
	s := newTestSession(t)
	cell := "x := 1\n\nfunc srv() {\n\tfor i := 0; i < 1; i++ {\n\t\tpid, _ := rt.Fork()\n\t\tif pid == 0 {\n\t\t\tprintln(i)\n\t\t}\n\t}\n\tgo rt.Fork(func() {\n\t\tprintln(x)\n\t})\n}"
	want := []fork.Site{
		{Line: 4, Col: 1, Func: "srv", Text: "\tfor i := 0; i < 1; i++ {\n\t\tpid, _ := rt.Fork()\n\t\tif pid == 0 {\n\t\t\tprintln(i)\n\t\t}"},
		{Line: 10, Col: 13, Text: "\tgo rt.Fork(func() {\n\t\tprintln(x)\n\t})"},
	}
	check := func(t *testing.T) {
		t.Helper()
		for i, w := range want {
			got := s.sites[s.nextSite-len(want)+1+i]
			if got.Line != w.Line || got.Col != w.Col || got.Func != w.Func || got.Text != w.Text {
				t.Errorf("site %d: line %d col %d func %q text\n%s\nwant line %d col %d func %q text\n%s", i, got.Line, got.Col, got.Func, got.Text, w.Line, w.Col, w.Func, w.Text)
			}
		}
	}
	s.Execute(context.Background(), cell) // rt is not known: the rewrite is what is tested
	check(t)
	// As a forked child declares srv again: from the session's record.
	s.mu.Lock()
	decls := s.declsLocked()
	s.mu.Unlock()
	var src []string
	for _, d := range childDecls(decls) {
		if strings.Contains(d, "func srv") {
			src = append(src, d)
		}
	}
	if len(src) != 1 || decls[len(decls)-1].Line != 3 || decls[len(decls)-1].Col != 1 {
		t.Fatalf("srv's declaration %+v, sources %q", decls, src)
	}
	s.rewriteForks(strings.Join(src, "\n"), declChunk, 0)
	check(t)
}

// TestForkSiteHiddenCapture checks that an rt.Fork() whose captured local
// is hidden where the call would pass it is left to rt.Fork: the child
// cannot be given the right value.
func TestForkSiteHiddenCapture(t *testing.T) {
	s := newTestSession(t)
	src := "func ok(int, error) bool { return true }\nfunc f() {\n\tc := 1\n\tif c := 2; ok(rt.Fork()) {\n\t\tprintln(c)\n\t}\n\tprintln(c)\n}"
	if out := s.rewriteForks(src, declChunk, 1); out != src {
		t.Errorf("rewritten:\n%s", out)
	}
}
