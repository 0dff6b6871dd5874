package symbols_test

import (
	"bytes"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"

	"gosys/session/symbols"
)

// Each case is one notebook cell, given as the steps the kernel evaluates
// with Eval in a fresh interpreter set up with symbols.Setup. A cell has
// several steps where yaegi needs them: imports, and declarations followed
// by statements, must be evaluated separately (see TestKnownLimitations).

type cell struct {
	name  string
	steps []string
	want  string // fmt.Sprint of the value of the last step
}

// newInterp returns an interpreter set up as documented for the kernel.
func newInterp(t *testing.T) (*interp.Interpreter, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	i := interp.New(interp.Options{Stdout: &out, Stderr: &out})
	if err := symbols.Setup(i); err != nil {
		t.Fatalf("Setup: %v", err)
	}
	return i, &out
}

// eval evaluates src, turning a panic of the interpreter into a value.
func eval(i *interp.Interpreter, src string) (v reflect.Value, err error, panicked any) {
	defer func() { panicked = recover() }()
	v, err = i.Eval(src)
	return v, err, nil
}

func show(v reflect.Value) string {
	if !v.IsValid() {
		return "<no value>"
	}
	if v.CanInterface() {
		return fmt.Sprint(v.Interface())
	}
	return v.String()
}

// run evaluates all steps but the last, which must succeed, and returns the
// outcome of the last one.
func run(t *testing.T, steps []string) (reflect.Value, error, any) {
	t.Helper()
	i, _ := newInterp(t)
	for n, s := range steps[:len(steps)-1] {
		if _, err, p := eval(i, s); err != nil || p != nil {
			t.Fatalf("step %d %q: err=%v panic=%v", n, s, err, p)
		}
	}
	return eval(i, steps[len(steps)-1])
}

// works lists modern Go that runs in gosys cells.
var works = []cell{
	// Generics written in cells.
	{"generic func single type param", []string{
		`func Rev[E any](s []E) []E { r := make([]E, 0, len(s)); for i := len(s) - 1; i >= 0; i-- { r = append(r, s[i]) }; return r }`,
		`Rev([]string{"a", "b", "c"})`}, "[c b a]"},
	{"generic func explicit instantiation with two type params", []string{
		`import "fmt"`,
		`func Map[T, U any](s []T, f func(T) U) []U { r := make([]U, 0, len(s)); for _, v := range s { r = append(r, f(v)) }; return r }`,
		`Map[int, string]([]int{1, 2}, func(i int) string { return fmt.Sprint(i * 10) })`}, "[10 20]"},
	{"generic type with methods", []string{
		`type Stack[T any] struct{ items []T }`,
		`func (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }`,
		`func (s *Stack[T]) Len() int { return len(s.items) }`,
		`s := &Stack[string]{}; s.Push("a"); s.Push("b"); s.Len()`}, "2"},
	{"generic func with cmp.Ordered constraint", []string{
		`import "cmp"`,
		`func Largest[T cmp.Ordered](s []T) T { m := s[0]; for _, v := range s { if v > m { m = v } }; return m }`,
		`Largest([]float64{1, 2.5, 2})`}, "2.5"},

	// Builtins from the prelude.
	{"min ints", []string{`min(3, 1, 2)`}, "1"},
	{"max floats", []string{`max(2.5, 1.0, -3.0)`}, "2.5"},
	{"min strings", []string{`min("b", "a", "c")`}, "a"},
	{"min typed variable first", []string{`x := 2.5; min(x, 3)`}, "2.5"},
	{"max named type", []string{`type D int`, `max(D(3), D(7))`}, "7"},
	{"min in function", []string{`func f(a, b int) int { return min(a, b) + 1 }`, `f(5, 3)`}, "4"},
	{"max NaN", []string{`import "math"`, `math.IsNaN(max(1.0, math.NaN(), 3.0))`}, "true"},
	{"clear map", []string{`m := map[string]int{"a": 1, "b": 2}; clear(m); len(m)`}, "0"},
	{"clear slice", []string{`s := []int{1, 2, 3}; clear(s); s`}, "[0 0 0]"},
	{"clear slice of interpreted structs", []string{`type P struct{ A int; B string }`, `s := []P{{1, "x"}}; clear(s); s`}, "[{0 }]"},
	{"user may redeclare max", []string{`func max(a, b int) int { return 42 }`, `max(1, 2)`}, "42"},
	{"local max variable shadows", []string{`max := 5; max + 1`}, "6"},

	// slices (interpreted Go 1.26 API).
	{"slices.Max", []string{`import "slices"`, `slices.Max([]int{1, 5, 3})`}, "5"},
	{"slices.Min", []string{`import "slices"`, `slices.Min([]string{"b", "a"})`}, "a"},
	{"slices.MaxFunc", []string{`import "slices"`, `slices.MaxFunc([]string{"aa", "b", "cc"}, func(a, b string) int { return len(a) - len(b) })`}, "aa"},
	{"slices.MinFunc", []string{`import "slices"`, `slices.MinFunc([]string{"aa", "b", "c"}, func(a, b string) int { return len(a) - len(b) })`}, "b"},
	{"slices.Sort", []string{`import "slices"`, `s := []int{3, 1, 2}; slices.Sort(s); s`}, "[1 2 3]"},
	{"slices.Sort floats with NaN first", []string{`import ("math"; "slices")`, `s := []float64{2, math.NaN(), 1}; slices.Sort(s); math.IsNaN(s[0]) && s[1] == 1 && s[2] == 2`}, "true"},
	{"slices.Sort named slice type", []string{`import "slices"`, `type Ints []int`, `s := Ints{3, 1, 2}; slices.Sort(s); s`}, "[1 2 3]"},
	{"slices.SortFunc interpreted structs", []string{`import "slices"`, `type P struct{ N string; A int }`, `s := []P{{"x", 3}, {"y", 1}}; slices.SortFunc(s, func(a, b P) int { return a.A - b.A }); s`}, "[{y 1} {x 3}]"},
	{"slices.SortFunc with binary strings.Compare", []string{`import ("slices"; "strings")`, `s := []string{"b", "A", "a"}; slices.SortFunc(s, strings.Compare); s`}, "[A a b]"},
	{"slices.SortStableFunc", []string{`import "slices"`, `s := []string{"bb", "a", "cc", "d"}; slices.SortStableFunc(s, func(a, b string) int { return len(a) - len(b) }); s`}, "[a d bb cc]"},
	{"slices.IsSorted", []string{`import "slices"`, `slices.IsSorted([]int{1, 2, 2, 3}) && !slices.IsSorted([]int{2, 1})`}, "true"},
	{"slices.IsSortedFunc", []string{`import "slices"`, `slices.IsSortedFunc([]int{3, 2, 1}, func(a, b int) int { return b - a })`}, "true"},
	{"slices.BinarySearch", []string{`import "slices"`, `i, ok := slices.BinarySearch([]int{1, 3, 5}, 3); []any{i, ok}`}, "[1 true]"},
	{"slices.BinarySearch missing", []string{`import "slices"`, `i, ok := slices.BinarySearch([]string{"a", "c"}, "b"); []any{i, ok}`}, "[1 false]"},
	{"slices.BinarySearchFunc", []string{`import "slices"`, `i, ok := slices.BinarySearchFunc([]int{1, 3, 5}, "5", func(e int, t string) int { return e - int(t[0]-'0') }); []any{i, ok}`}, "[2 true]"},
	{"slices.Reverse", []string{`import "slices"`, `s := []int{1, 2, 3}; slices.Reverse(s); s`}, "[3 2 1]"},
	{"slices.Contains", []string{`import "slices"`, `slices.Contains([]string{"a", "b"}, "b")`}, "true"},
	{"slices.ContainsFunc", []string{`import "slices"`, `slices.ContainsFunc([]int{1, 4}, func(v int) bool { return v%2 == 0 })`}, "true"},
	{"slices.Index", []string{`import "slices"`, `slices.Index([]string{"a", "b"}, "b")`}, "1"},
	{"slices.IndexFunc", []string{`import "slices"`, `slices.IndexFunc([]int{1, 3, 4}, func(v int) bool { return v%2 == 0 })`}, "2"},
	{"slices.Equal", []string{`import "slices"`, `slices.Equal([]int{1, 2}, []int{1, 2}) && !slices.Equal([]int{1}, []int{2})`}, "true"},
	{"slices.EqualFunc", []string{`import ("slices"; "strconv")`, `slices.EqualFunc([]int{1, 2}, []string{"1", "2"}, func(a int, b string) bool { return strconv.Itoa(a) == b })`}, "true"},
	{"slices.Compare", []string{`import "slices"`, `[]int{slices.Compare([]int{1, 2}, []int{1, 3}), slices.Compare([]int{1, 2}, []int{1}), slices.Compare([]int{1}, []int{1})}`}, "[-1 1 0]"},
	{"slices.CompareFunc", []string{`import "slices"`, `slices.CompareFunc([]int{1}, []int{2}, func(a, b int) int { return a - b })`}, "-1"},
	{"slices.Insert", []string{`import "slices"`, `slices.Insert([]int{1, 2}, 1, 7, 8)`}, "[1 7 8 2]"},
	{"slices.Insert at end", []string{`import "slices"`, `slices.Insert([]int{1, 2}, 2, 3)`}, "[1 2 3]"},
	{"slices.Delete zeroes tail", []string{`import "slices"`, `func f() []any { s := []int{1, 2, 3, 4}; r := slices.Delete(s, 1, 3); return []any{r, s} }`, `f()`}, "[[1 4] [1 4 0 0]]"},
	{"slices.DeleteFunc", []string{`import "slices"`, `slices.DeleteFunc([]int{1, 2, 3, 4}, func(v int) bool { return v%2 == 0 })`}, "[1 3]"},
	{"slices.Replace", []string{`import "slices"`, `slices.Replace([]int{1, 2, 3, 4}, 1, 3, 9)`}, "[1 9 4]"},
	{"slices.Compact", []string{`import "slices"`, `slices.Compact([]int{1, 1, 2, 2, 2, 3, 1})`}, "[1 2 3 1]"},
	{"slices.CompactFunc", []string{`import ("slices"; "strings")`, `slices.CompactFunc([]string{"a", "A", "b"}, strings.EqualFold)`}, "[a b]"},
	{"slices.Clone", []string{`import "slices"`, `func f() []any { a := []int{1, 2}; b := slices.Clone(a); b[0] = 9; return []any{a, b, slices.Clone([]int(nil)) == nil} }`, `f()`}, "[[1 2] [9 2] true]"},
	{"slices.Concat", []string{`import "slices"`, `slices.Concat([]int{1}, []int{2, 3}, []int{4})`}, "[1 2 3 4]"},
	{"slices.Repeat", []string{`import "slices"`, `slices.Repeat([]string{"a", "b"}, 2)`}, "[a b a b]"},
	{"slices.Grow and Clip", []string{`import "slices"`, `func f() []any { s := slices.Grow([]int{1}, 10); c := slices.Clip(s); return []any{len(s), cap(s) >= 11, cap(c)} }`, `f()`}, "[1 true 1]"},
	{"slices.Values called with yield", []string{`import "slices"`, `n := 0; slices.Values([]int{1, 2, 3})(func(v int) bool { n += v; return true }); n`}, "6"},
	{"slices.All called with yield", []string{`import "slices"`, `n := 0; slices.All([]string{"a", "b", "c"})(func(i int, s string) bool { n += i; return true }); n`}, "3"},
	{"slices.Backward stops on false", []string{`import "slices"`, `got := []int{}; slices.Backward([]int{1, 2, 3})(func(i, v int) bool { got = append(got, v); return len(got) < 2 }); got`}, "[3 2]"},
	{"slices.Chunk", []string{`import "slices"`, `got := [][]int{}; slices.Chunk([]int{1, 2, 3, 4, 5}, 2)(func(c []int) bool { got = append(got, c); return true }); got`}, "[[1 2] [3 4] [5]]"},
	{"slices.Collect of slices.Values", []string{`import "slices"`, `slices.Collect(slices.Values([]int{1, 2}))`}, "[1 2]"},
	{"slices.AppendSeq", []string{`import "slices"`, `slices.AppendSeq([]int{0}, slices.Values([]int{1, 2}))`}, "[0 1 2]"},
	{"slices.Sorted of maps.Keys", []string{`import ("maps"; "slices")`, `slices.Sorted(maps.Keys(map[string]int{"b": 1, "a": 2, "c": 3}))`}, "[a b c]"},
	{"slices.SortedFunc", []string{`import "slices"`, `slices.SortedFunc(slices.Values([]int{1, 3, 2}), func(a, b int) int { return b - a })`}, "[3 2 1]"},
	{"slices.SortedStableFunc", []string{`import "slices"`, `slices.SortedStableFunc(slices.Values([]string{"bb", "a", "cc", "d"}), func(a, b string) int { return len(a) - len(b) })`}, "[a d bb cc]"},
	{"slices.Collect of binary iterator with explicit type", []string{`import ("slices"; "strings")`, `slices.Collect[string](strings.SplitSeq("a,b,c", ","))`}, "[a b c]"},

	{"generic result assigned at top level via conversion", []string{`import "slices"`, `m := int(slices.Max([]int{1, 5, 3})); m + 1`}, "6"},
	{"generic result assigned at top level to declared var", []string{`import "slices"`, `var c []int`, `c = slices.Clone([]int{1, 2}); c`}, "[1 2]"},
	{"min result assigned at top level via conversion", []string{`m := int(min(4, 2)); m`}, "2"},

	// maps (interpreted Go 1.26 API).
	{"maps.Clone", []string{`import "maps"`, `func f() []int { a := map[string]int{"a": 1}; b := maps.Clone(a); b["b"] = 2; return []int{len(a), len(b)} }`, `f()`}, "[1 2]"},
	{"maps.Copy", []string{`import "maps"`, `d := map[string]int{"a": 1}; maps.Copy(d, map[string]int{"b": 2}); len(d)`}, "2"},
	{"maps.Equal", []string{`import "maps"`, `maps.Equal(map[string]int{"a": 1}, map[string]int{"a": 1})`}, "true"},
	{"maps.EqualFunc", []string{`import "maps"`, `maps.EqualFunc(map[string]int{"a": 1}, map[string]float64{"a": 1}, func(a int, b float64) bool { return float64(a) == b })`}, "true"},
	{"maps.DeleteFunc", []string{`import "maps"`, `m := map[string]int{"a": 1, "b": 2}; maps.DeleteFunc(m, func(k string, v int) bool { return v > 1 }); m`}, "map[a:1]"},
	{"maps.Values", []string{`import ("maps"; "slices")`, `slices.Sorted(maps.Values(map[string]int{"a": 2, "b": 1}))`}, "[1 2]"},
	{"maps.Collect of slices.All", []string{`import ("maps"; "slices")`, `maps.Collect(slices.All([]string{"a", "b"}))`}, "map[0:a 1:b]"},
	{"maps.Insert", []string{`import "maps"`, `m := map[string]int{}; maps.Insert(m, maps.All(map[string]int{"x": 1})); m`}, "map[x:1]"},

	// cmp.
	{"cmp.Compare", []string{`import "cmp"`, `[]int{cmp.Compare(1, 2), cmp.Compare("b", "a"), cmp.Compare(1.5, 1.5)}`}, "[-1 1 0]"},
	{"cmp.Less", []string{`import "cmp"`, `cmp.Less(1.5, 2.0)`}, "true"},
	{"cmp.Or", []string{`import "cmp"`, `cmp.Or("", "", "x")`}, "x"},

	// iter: the types, used without range.
	{"iter.Seq declared in a cell", []string{`import "iter"`,
		`func count(n int) iter.Seq[int] { return func(yield func(int) bool) { for i := 0; i < n; i++ { if !yield(i) { return } } } }`,
		`t := 0; count(4)(func(v int) bool { t += v; return true }); t`}, "6"},
	{"iter.Seq variable holding strings.Lines", []string{`import ("iter"; "strings")`,
		`var s iter.Seq[string] = strings.Lines("a\nb\n")`,
		`n := 0; s(func(string) bool { n++; return true }); n`}, "2"},

	// Standard library API added in Go 1.20–1.26 (non-generic).
	{"strings.Cut", []string{`import "strings"`, `before, after, ok := strings.Cut("k=v", "="); before + "|" + after + "|" + map[bool]string{true: "ok"}[ok]`}, "k|v|ok"},
	{"strings.CutPrefix", []string{`import "strings"`, `s, ok := strings.CutPrefix("go1.26", "go"); []any{s, ok}`}, "[1.26 true]"},
	{"strings.Lines called with yield (1.24)", []string{`import "strings"`, `n := 0; strings.Lines("a\nb\nc")(func(l string) bool { n++; return true }); n`}, "3"},
	{"bytes.FieldsSeq (1.24)", []string{`import "bytes"`, `n := 0; bytes.FieldsSeq([]byte(" a b  c "))(func([]byte) bool { n++; return true }); n`}, "3"},
	{"reflect.Type.Fields iterator method (1.26)", []string{`import "reflect"`, `type T struct{ A, B int }`, `n := 0; reflect.TypeOf(T{}).Fields()(func(f reflect.StructField) bool { n++; return true }); n`}, "2"},
	{"os.OpenRoot (1.24)", []string{`import "os"`, `r, err := os.OpenRoot(os.TempDir()); err == nil && r.Name() == os.TempDir()`}, "true"},
	{"crypto/sha3 (1.24)", []string{`import ("crypto/sha3"; "encoding/hex")`, `h := sha3.Sum256([]byte("abc")); hex.EncodeToString(h[:4])`}, "3a985da7"},
	{"crypto/pbkdf2 instantiated with hash.Hash (1.24)", []string{`import ("crypto/pbkdf2"; "crypto/sha256")`, `k, err := pbkdf2.Key(sha256.New, "pw", []byte("salt"), 1, 8); []any{len(k), err}`}, "[8 <nil>]"},
	{"crypto/hkdf instantiated with hash.Hash (1.24)", []string{`import ("crypto/hkdf"; "crypto/sha256")`, `k, err := hkdf.Key(sha256.New, []byte("secret"), nil, "info", 16); []any{len(k), err}`}, "[16 <nil>]"},
	{"crypto/mlkem (1.24)", []string{`import "crypto/mlkem"`, `k, _ := mlkem.GenerateKey768(); len(k.EncapsulationKey().Bytes())`}, "1184"},
	{"structs.HostLayout (1.23)", []string{`import "structs"`, `type T struct { _ structs.HostLayout; A int }`, `T{A: 1}.A`}, "1"},
	{"sync.WaitGroup.Go (1.25)", []string{`import "sync"`, `var wg sync.WaitGroup`, `n := 0; var mu sync.Mutex; wg.Go(func() { mu.Lock(); n++; mu.Unlock() }); wg.Wait(); n`}, "1"},
	{"encoding/json omitzero (1.24)", []string{`import "encoding/json"`, "type P struct { A int `json:\"a,omitzero\"` }", `b, _ := json.Marshal(P{}); string(b)`}, "{}"},
	{"go/version (1.22)", []string{`import "go/version"`, `version.Compare("go1.26", "go1.22")`}, "1"},
	{"math/rand/v2 N instantiated with int", []string{`import "math/rand/v2"`, `n := rand.N(10); n >= 0 && n < 10`}, "true"},

	// Kernel-relevant std behaviour.
	{"syscall linux", []string{`import ("os"; "syscall")`, `syscall.Getpid() == os.Getpid()`}, "true"},
	{"fmt uses interpreted String method", []string{`import "fmt"`, `type T struct{}`, `func (T) String() string { return "hi" }`, `fmt.Sprint(T{})`}, "hi"},
	{"json uses interpreted MarshalJSON method", []string{`import "encoding/json"`, `type T struct{}`, `func (T) MarshalJSON() ([]byte, error) { return []byte("42"), nil }`, `b, _ := json.Marshal(T{}); string(b)`}, "42"},
	{"crypto/hpke present (1.26)", []string{`import "crypto/hpke"`, `hpke.DHKEM != nil`}, "true"},
	{"io.Copy with interpreted reader", []string{`import ("bytes"; "io"; "strings")`, `type R struct{ r io.Reader }`, `func (x R) Read(p []byte) (int, error) { return x.r.Read(p) }`, `b := &bytes.Buffer{}; n, _ := io.Copy(b, R{strings.NewReader("abc")}); []any{n, b.String()}`}, "[3 abc]"},
}

func TestWorks(t *testing.T) {
	for _, c := range works {
		t.Run(c.name, func(t *testing.T) {
			v, err, p := run(t, c.steps)
			if err != nil || p != nil {
				t.Fatalf("err=%v panic=%v", err, p)
			}
			if got := show(v); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestOutputAndExit checks the stdio and exit fixups yaegi applies to a
// stdlib table (they depend on the "fmt/fmt" key of Stdlib).
func TestOutputAndExit(t *testing.T) {
	i, out := newInterp(t)
	if _, err, p := eval(i, `import ("fmt"; "log"; "os")`); err != nil || p != nil {
		t.Fatalf("import: %v %v", err, p)
	}
	if _, err, p := eval(i, `fmt.Println("to the cell")`); err != nil || p != nil {
		t.Fatalf("println: %v %v", err, p)
	}
	if !strings.Contains(out.String(), "to the cell") {
		t.Errorf("fmt.Println did not go to the interpreter's stdout: %q", out.String())
	}
	if _, err, p := eval(i, `os.Exit(3)`); err == nil && p == nil {
		t.Errorf("os.Exit returned normally")
	} else if !strings.Contains(fmt.Sprint(err, p), "os.Exit(3)") {
		t.Errorf("os.Exit: err=%v panic=%v", err, p)
	}
	if _, err, p := eval(i, `log.Fatal("boom")`); err == nil && p == nil {
		t.Errorf("log.Fatal returned normally")
	}
	if v, err, p := eval(i, `1 + 1`); err != nil || p != nil || show(v) != "2" {
		t.Errorf("interpreter unusable after os.Exit: %v %v %v", show(v), err, p)
	}
}

func TestStdlibContents(t *testing.T) {
	syms := map[string]bool{}
	for _, k := range symbols.Keys() {
		syms[k] = true
	}
	syms["."] = symbols.Stdlib()["."] != nil
	if runtime.GOOS == "linux" && (runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64") {
		if _, ok := syms["syscall/syscall"]; !ok {
			t.Errorf("Stdlib has no syscall")
		}
	}
	for _, k := range []string{"fmt/fmt", ".", "os/os", "crypto/sha3/sha3", "structs/structs",
		"crypto/hkdf/hkdf", "crypto/pbkdf2/pbkdf2", "math/rand/v2/rand", "testing/synctest/synctest", symbols.BuiltinPath + "/builtin"} {
		if _, ok := syms[k]; !ok {
			t.Errorf("Stdlib has no %q", k)
		}
	}
	for _, k := range []string{"cmp/cmp", "slices/slices", "maps/maps", "iter/iter", "unique/unique", "weak/weak", "os/exec/exec", "unsafe/unsafe"} {
		if _, ok := syms[k]; ok {
			t.Errorf("Stdlib unexpectedly has %q", k)
		}
	}
	if _, ok := symbols.Stdlib()["."]["MapTypes"]; !ok {
		t.Errorf(`Stdlib["."] has no MapTypes`)
	}
	strs, os := symbols.Lazy["strings/strings"](), symbols.Lazy["os/os"]()
	for _, s := range []string{"Lines", "SplitSeq", "Cut"} {
		if _, ok := strs[s]; !ok {
			t.Errorf("strings.%s missing", s)
		}
	}
	if _, ok := os["OpenRoot"]; !ok {
		t.Errorf("os.OpenRoot missing")
	}
}
