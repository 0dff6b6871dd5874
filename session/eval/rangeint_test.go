package eval

import (
	"context"
	"testing"
)

// cellResult runs code in s and returns its text/plain result, failing the
// test on an error.
func cellResult(t *testing.T, s *Session, code string) string {
	t.Helper()
	out := s.Execute(context.Background(), code)
	if out.Err != nil {
		t.Errorf("cell %q: %s: %s", code, out.Err.Name, out.Err.Value)
		return ""
	}
	if out.Result == nil {
		return ""
	}
	text, _ := out.Result.Data["text/plain"].(string)
	return text
}

// TestRangeIntCells runs range-over-int loops the rewrite handles.
func TestRangeIntCells(t *testing.T) {
	s := newTestSession(t)
	cases := []struct{ code, want string }{
		{"w := uint16(3)\nq := 0\nfor x := range w { q += int(x) }\nq", "3"},
		{"var m int64 = 2", ""},
		{"r := 0\nfor range m { r++ }\nr", "2"}, // m is a session variable now
		{"p := 0\nfor i := range 3 { for j := range 2 { p += i * j } }\np", "3"},
		{"func tri(n int) (t int) {\n\tfor i := range n {\n\t\tt += i\n\t}\n\treturn\n}\ntri(4)", "6"},
	}
	for _, c := range cases {
		if got := cellResult(t, s, c.code); got != c.want {
			t.Errorf("cell %q = %q, want %q", c.code, got, c.want)
		}
	}
}

// TestRangeIntKeyAssignedInBody: in Go 1.22 the key of "for i := range n"
// takes the values 0..n-1 whatever the body does to it. The three-clause
// rewrite increments the variable the body changed, so the loop runs fewer
// times: here i is 2, 5 (sum 7) instead of 2, 3, 4, 5, 6 (sum 20).
func TestRangeIntKeyAssignedInBody(t *testing.T) {
	s := newTestSession(t)
	if got := cellResult(t, s, "sum := 0\nfor i := range 5 {\n\ti += 2\n\tsum += i\n}\nsum"); got != "20" {
		t.Errorf("sum = %q, want 20", got)
	}
}

// TestRangeIntOverVarDeclaredInSameCell: "names declared as integers in the
// cell" are rewritten, but runGo collects the session's integer variables
// once, before the cell's declaration chunk runs, and a var declaration is
// a chunk of its own: the loop over c is left alone and the cell fails to
// compile ("nil type").
func TestRangeIntOverVarDeclaredInSameCell(t *testing.T) {
	s := newTestSession(t)
	if got := cellResult(t, s, "var c uint8 = 3\nt := 0\nfor x := range c { t += int(x) }\nt"); got != "3" {
		t.Errorf("t = %q, want 3", got)
	}
}
