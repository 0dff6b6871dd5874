package runner

import (
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

func TestSplitLines(t *testing.T) {
	cases := []struct {
		in   string
		want []any
	}{
		{"", []any{}},
		{"a", []any{"a"}},
		{"a\n", []any{"a\n"}},
		{"a\nb", []any{"a\n", "b"}},
		{"a\r\nb\rc\n\n", []any{"a\r\n", "b\r", "c\n", "\n"}},
		{"x\vy\fz\x1cw\u2028é\u0085", []any{"x\v", "y\f", "z\x1c", "w\u2028", "é\u0085"}},
	}
	for _, c := range cases {
		if got := splitLines(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitLines(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPythonFloat(t *testing.T) {
	cases := map[float64]string{
		0: "0.0", 1: "1.0", -2.5: "-2.5", 1e6: "1000000.0", 1e15: "1000000000000000.0",
		1e16: "1e+16", 1.5e-5: "1.5e-05", 0.0001: "0.0001", 0.1: "0.1", 123.456: "123.456", 1e100: "1e+100",
	}
	for f, want := range cases {
		if got, err := pythonFloat(f); err != nil || got != want {
			t.Errorf("pythonFloat(%v) = %q, %v; want %q", f, got, err, want)
		}
	}
}

// TestMarshalPythonMatchesPython compares marshalPython with Python's own
// json.dumps as nbformat calls it, when /usr/bin/python3 exists.
func TestMarshalPythonMatchesPython(t *testing.T) {
	const python = "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		t.Skipf("%s not installed", python)
	}
	doc := `{"b": [1, 2.5, -3e2, true, false, null, {}, [], ""],
		"a": {"z": "tab\there \"q\" back\\slash \u0001 \u001f \u007f <>&'", "é": "ünï\u2028code ☃ 🐹", "A": [[[]]]},
		"c": "line1\nline2\r\n"}`
	var v any
	d := json.NewDecoder(strings.NewReader(doc))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	got, err := marshalPython(v)
	if err != nil {
		t.Fatal(err)
	}
	py := exec.Command(python, "-c", `import json,sys
print(json.dumps(json.load(sys.stdin), indent=1, sort_keys=True, ensure_ascii=False, separators=(",", ": ")), end="")`)
	py.Stdin = strings.NewReader(doc)
	want, err := py.Output()
	if err != nil {
		t.Fatal(err)
	}
	// Python reformats -3e2 as -300.0; marshalPython keeps the spelling.
	w := strings.Replace(string(want), "-300.0", "-3e2", 1)
	if string(got) != w {
		t.Errorf("marshalPython:\n%s\nPython:\n%s", got, w)
	}
}
