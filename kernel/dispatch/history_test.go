package dispatch

import (
	"encoding/json"
	"reflect"
	"testing"
)

func intp(n int) *int { return &n }

// testHistory holds lines 1-7 with repeated and multi-line cells.
func testHistory() *history {
	h := &history{}
	for i, code := range []string{
		"x := 1",         // 1
		"fmt.Println(x)", // 2
		"x := 1",         // 3
		"for i := range 3 {\n\tfmt.Println(i)\n}", // 4
		"y := x + 1",      // 5
		"fmt.Println(x)",  // 6
		"path/to/file.go", // 7
	} {
		h.add(i+1, code)
	}
	return h
}

func lines(es []historyEntry) []int {
	out := []int{}
	for _, e := range es {
		out = append(out, e.line)
	}
	return out
}

func TestHistoryQuery(t *testing.T) {
	cases := []struct {
		name string
		req  historyRequest
		want []int
	}{
		{"tail default 10", historyRequest{AccessType: "tail"}, []int{1, 2, 3, 4, 5, 6, 7}},
		{"tail n", historyRequest{AccessType: "tail", N: intp(3)}, []int{5, 6, 7}},
		{"tail n larger than history", historyRequest{AccessType: "tail", N: intp(100)}, []int{1, 2, 3, 4, 5, 6, 7}},
		{"tail n zero", historyRequest{AccessType: "tail", N: intp(0)}, []int{}},
		{"range all", historyRequest{AccessType: "range"}, []int{1, 2, 3, 4, 5, 6, 7}},
		{"range from start", historyRequest{AccessType: "range", Start: 5}, []int{5, 6, 7}},
		{"range stop exclusive", historyRequest{AccessType: "range", Start: 2, Stop: intp(4)}, []int{2, 3}},
		{"range empty", historyRequest{AccessType: "range", Start: 4, Stop: intp(4)}, []int{}},
		{"range current session", historyRequest{AccessType: "range", Session: currentSession, Start: 6}, []int{6, 7}},
		{"range other session", historyRequest{AccessType: "range", Session: 2}, []int{}},
		{"range previous session", historyRequest{AccessType: "range", Session: -1}, []int{}},
		{"search default pattern", historyRequest{AccessType: "search"}, []int{1, 2, 3, 4, 5, 6, 7}},
		{"search star", historyRequest{AccessType: "search", Pattern: "*"}, []int{1, 2, 3, 4, 5, 6, 7}},
		{"search prefix", historyRequest{AccessType: "search", Pattern: "fmt*"}, []int{2, 6}},
		{"search is anchored", historyRequest{AccessType: "search", Pattern: "Println"}, []int{}},
		{"search contains", historyRequest{AccessType: "search", Pattern: "*Println*"}, []int{2, 4, 6}},
		{"search star spans newlines", historyRequest{AccessType: "search", Pattern: "for*}"}, []int{4}},
		{"search star spans slashes", historyRequest{AccessType: "search", Pattern: "path*.go"}, []int{7}},
		{"search unique keeps latest", historyRequest{AccessType: "search", Pattern: "*", Unique: true}, []int{3, 4, 5, 6, 7}},
		{"search n keeps latest", historyRequest{AccessType: "search", Pattern: "*", N: intp(2)}, []int{6, 7}},
		{"search unique and n", historyRequest{AccessType: "search", Pattern: "*x*", Unique: true, N: intp(2)}, []int{5, 6}},
		{"search n larger than matches", historyRequest{AccessType: "search", Pattern: "fmt*", N: intp(10)}, []int{2, 6}},
		{"unknown access type", historyRequest{AccessType: "bogus"}, []int{}},
		{"no access type", historyRequest{}, []int{}},
	}
	h := testHistory()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := lines(h.query(c.req)); !reflect.DeepEqual(got, c.want) {
				t.Errorf("query(%+v) lines = %v, want %v", c.req, got, c.want)
			}
		})
	}
}

// TestHistorySearchNZero: IPython's search with n=0 is "LIMIT 0", no
// entries. The loop appends before it checks n, so one entry comes back.
func TestHistorySearchNZero(t *testing.T) {
	got := lines(testHistory().query(historyRequest{AccessType: "search", Pattern: "*", N: intp(0)}))
	if len(got) != 0 {
		t.Errorf("search with n=0 returned lines %v, want none", got)
	}
}

// TestHistoryTailNegativeN: n comes from the client's JSON; a negative n
// must not crash the kernel (it slices past the end of the history).
func TestHistoryTailNegativeN(t *testing.T) {
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("tail with n=-1 panicked: %v", r)
		}
	}()
	got := lines(testHistory().query(historyRequest{AccessType: "tail", N: intp(-1)}))
	if len(got) != 0 {
		t.Errorf("tail with n=-1 returned lines %v, want none", got)
	}
}

func TestHistoryEmpty(t *testing.T) {
	h := &history{}
	for _, r := range []historyRequest{
		{AccessType: "tail"}, {AccessType: "tail", N: intp(5)}, {AccessType: "range"}, {AccessType: "search", Pattern: "*"},
	} {
		if got := h.query(r); len(got) != 0 {
			t.Errorf("empty history query(%+v) = %v", r, got)
		}
	}
}

// TestHistoryQueryCopies checks that a query result is not changed by later
// additions.
func TestHistoryQueryCopies(t *testing.T) {
	h := testHistory()
	got := h.query(historyRequest{AccessType: "tail", N: intp(2)})
	h.add(8, "later")
	if lines(got)[0] != 6 || got[1].code != "path/to/file.go" {
		t.Errorf("result changed after add: %+v", got)
	}
}

func TestHistoryRequestJSON(t *testing.T) {
	var r historyRequest
	raw := `{"output": true, "raw": true, "hist_access_type": "range", "session": 0, "start": 2, "stop": 5, "n": 3, "pattern": "a*", "unique": true}`
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		t.Fatal(err)
	}
	want := historyRequest{Output: true, Raw: true, AccessType: "range", Start: 2, Stop: intp(5), N: intp(3), Pattern: "a*", Unique: true}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("decoded %+v, want %+v", r, want)
	}
	// jupyter_client sends "n": null and "stop": null for "not given".
	r = historyRequest{}
	if err := json.Unmarshal([]byte(`{"hist_access_type": "tail", "n": null, "stop": null}`), &r); err != nil {
		t.Fatal(err)
	}
	if r.N != nil || r.Stop != nil {
		t.Errorf("null n/stop decoded as %v/%v, want nil", r.N, r.Stop)
	}
}

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		pattern, code string
		want          bool
	}{
		{"*", "", true},
		{"*", "anything\nat all", true},
		{"", "", true},
		{"", "x", false},
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"abc", "xabc", false},
		{"a*c", "abbbc", true},
		{"a*c", "ac", true},
		{"a*c", "a\nb\nc", true},
		{"a*c", "a/b/c", true},
		{"a*c", "abcd", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a?c", "a\nc", true},
		{"a??", "abc", true},
		{"?", "é", true}, // one character, two bytes
		{"[abc]x", "bx", true},
		{"[abc]x", "dx", false},
		{"[a-c]x", "bx", true},
		{"[a-c]x", "-x", false},
		{"[0-9]*", "7 lines", true},
		{"[^0-9]*", "7 lines", false},
		{"[^0-9]*", "x = 7", true},
		{"[.]go", ".go", true},
		{"[.]go", "xgo", false},
		{"[*]", "*", true},
		{"[*]", "a", false},
		{"x[", "x[", true}, // an unclosed [ is literal
		{"x[", "xa", false},
		{"a.b", "a.b", true},
		{"a.b", "axb", false},
		{"(x)+", "(x)+", true},
		{"(x)+", "xx", false},
		{"$x^", "$x^", true},
		{`a\b`, `a\b`, true},
		{"fmt.Print*(x)", "fmt.Println(x)", true},
		{"*|*", "a|b", true},
		{"*|*", "ab", false},
	}
	for _, c := range cases {
		if got := globMatch(c.pattern, c.code); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", c.pattern, c.code, got, c.want)
		}
	}
}

// TestGlobMatchNonASCII: literal non-ASCII characters in a pattern must match
// themselves. globMatch walks the pattern byte by byte and writes
// string(byte), which turns each byte of "é" into its own rune (U+00C3,
// U+00A9), so the pattern never matches.
func TestGlobMatchNonASCII(t *testing.T) {
	cases := []struct {
		pattern, code string
	}{
		{"café", "café"},
		{"*é*", "x := \"é\""},
		{"*世界*", "fmt.Println(\"hello, 世界\")"},
		{"[é]", "é"},
		{"[éa]*x", "éyx"},
		{"[^é]界", "世界"},
		{"?界*", "世界!"},
	}
	for _, c := range cases {
		if !globMatch(c.pattern, c.code) {
			t.Errorf("globMatch(%q, %q) = false, want true", c.pattern, c.code)
		}
	}
}

func TestReplyType(t *testing.T) {
	cases := []struct{ in, want string }{
		{"execute_request", "execute_reply"},
		{"kernel_info_request", "kernel_info_reply"},
		{"comm_info_request", "comm_info_reply"},
		{"shutdown_request", "shutdown_reply"},
		{"a_request", "a_reply"},
		{"_request", "_request_reply"},
		{"request", "request_reply"},
		{"comm_msg", "comm_msg_reply"},
		{"execute_request_x", "execute_request_x_reply"},
		{"", "_reply"},
	}
	for _, c := range cases {
		if got := replyType(c.in); got != c.want {
			t.Errorf("replyType(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
