package stddoc

import (
	"bytes"
	"go/build"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestEmbedded(t *testing.T) {
	if Version() == "" {
		t.Fatalf("embedded index unreadable: %v", parsed().err)
	}
	cases := []struct{ path, name, want string }{
		{"fmt", "Println", "func Println(a ...any) (n int, err error)\n\nPrintln formats using the default formats"},
		{"os", "Pipe", "func Pipe() (r *File, w *File, err error)"},
		{"os", "O_RDONLY", "\tO_RDONLY int = syscall.O_RDONLY // open the file read-only.\n\tO_WRONLY int"}, // a const group
		{"os", "ModeDir", "ModeDir"}, // a typed constant
		{"os", "File", "type File struct {"},
		{"os", "Open", "func Open(name string) (*File, error)"}, // a constructor of File
		{"syscall", "SIGPIPE", "SIGPIPE"},
		{"slices", "Sort", "func Sort[S ~[]E, E cmp.Ordered](x S)"},
		{"net/http", "Get", "func Get(url string) (resp *Response, err error)"},
	}
	for _, c := range cases {
		p, ok := Embedded(c.path)
		if !ok {
			t.Errorf("%s: not in the index", c.path)
			continue
		}
		text, ok := p.Member(c.name)
		if !ok || !strings.Contains(text, c.want) {
			t.Errorf("%s.%s = %q, %v; want it to contain %q", c.path, c.name, text, ok, c.want)
		}
	}
	if p, _ := Embedded("fmt"); !strings.HasPrefix(p.Synopsis, "Package fmt implements formatted I/O") {
		t.Errorf("fmt synopsis %q", p.Synopsis)
	}
	if p, _ := Embedded("fmt"); p != nil {
		if _, ok := p.Member("newPrinter"); ok {
			t.Error("an unexported name is in the index")
		}
	}
	if _, ok := Embedded("gosys/rt/rt"); ok {
		t.Error("gosys's own package in the standard library's index")
	}
}

// TestRoundTrip encodes a package parsed from source and decodes it.
func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := `// Package demo is a demonstration.
package demo

// Answer is the answer.
const Answer = 42

// Grouped constants.
const (
	A = iota // first
	B
	c
)

// T is a type.
type T struct {
	X int
	y int
}

// New makes a T.
func New() *T { return nil }

// Hello says hello.
func Hello(name string) string { return "hello " + name }

func hidden() {}
`
	if err := os.WriteFile(filepath.Join(dir, "demo.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := FromSource(&build.Default, dir, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Member("Hello"); got != "func Hello(name string) string\n\nHello says hello." {
		t.Errorf("Hello: %q", got)
	}
	if got, _ := p.Member("T"); !strings.Contains(got, "X int") || strings.Contains(got, "y int") ||
		!strings.Contains(got, "unexported") {
		t.Errorf("T: %q", got)
	}
	a, _ := p.Member("A")
	if b, _ := p.Member("B"); a != b || !strings.Contains(a, "Grouped constants.") {
		t.Errorf("A and B should share their group's text: %q / %q", a, b)
	}
	for _, hidden := range []string{"c", "hidden", "y"} {
		if _, ok := p.Member(hidden); ok {
			t.Errorf("%s is unexported but documented", hidden)
		}
	}
	var buf bytes.Buffer
	if err := Encode(&buf, "go-test", []*Package{p}); err != nil {
		t.Fatal(err)
	}
	h := parseHeader(buf.Bytes())
	if h.err != nil || h.version != "go-test" {
		t.Fatalf("header: %+v", h)
	}
	span := h.offsets["demo"]
	q, err := decodePackage("demo", buf.Bytes()[span[0]:span[1]])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, q) {
		t.Errorf("round trip:\n%+v\n%+v", p, q)
	}
	for _, bad := range [][]byte{nil, []byte("nonsense"), buf.Bytes()[:len(buf.Bytes())/2]} {
		if h := parseHeader(bad); h.err == nil && len(h.offsets) > 0 {
			if _, err := decodePackage("demo", bad[h.offsets["demo"][0]:h.offsets["demo"][1]]); err == nil && len(bad) < buf.Len() {
				t.Errorf("truncated index accepted")
			}
		}
	}
}
