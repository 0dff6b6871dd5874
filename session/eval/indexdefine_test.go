package eval

import (
	"context"
	"testing"
)

// TestRewriteIndexDefine checks which top-level "x := s[i]" get their type
// written out, from types the session recorded for earlier cells and for
// earlier statements of the same chunk.
func TestRewriteIndexDefine(t *testing.T) {
	s := newTestSession(t)
	if out := s.Execute(context.Background(), "import (\n\t\"os\"\n\t\"strings\"\n)\nents, _ := os.ReadDir(\"/\")\nm := map[string][]int{}"); out.Err != nil {
		t.Fatal(out.Err.Value)
	}
	// os.ReadDir's elements are fs.DirEntry: left alone until io/fs is imported.
	if got := s.rewrite("e := ents[0]", stmtChunk, 1, nil); got != "e := ents[0]" {
		t.Errorf("rewrote with a package the session did not import: %q", got)
	}
	if out := s.Execute(context.Background(), `import "io/fs"`); out.Err != nil {
		t.Fatal(out.Err.Value)
	}
	for _, c := range []struct{ in, want string }{
		{"e := ents[0]", "e := (fs.DirEntry)(ents[0])"},
		{"e := (ents[1])", "e := (fs.DirEntry)((ents[1]))"},
		{"v := m[\"a\"]", "v := ([]int)(m[\"a\"])"},
		{"fs := strings.Fields(\"a b\")\nf := fs[0]", "fs := strings.Fields(\"a b\")\nf := (string)(fs[0])"},
		{"e, ok := m[\"a\"]", "e, ok := m[\"a\"]"}, // comma-ok: left alone
		{"n := len(ents)", "n := len(ents)"},
		{"e := unknown[0]", "e := unknown[0]"},
		{"type pt struct{ x int }\npts := []pt{{1}}\np := pts[0]", "type pt struct{ x int }\npts := []pt{{1}}\np := pts[0]"}, // a cell's type: left alone
		{"if true {\n\te := ents[0]\n\t_ = e\n}", "if true {\n\te := ents[0]\n\t_ = e\n}"},                                   // not top level
	} {
		if got := s.rewrite(c.in, stmtChunk, 1, nil); got != c.want {
			t.Errorf("rewrite %q = %q, want %q", c.in, got, c.want)
		}
	}
}
