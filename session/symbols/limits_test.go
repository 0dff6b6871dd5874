package symbols_test

import (
	"fmt"
	"strings"
	"testing"
)

// limitation is a cell that does not behave as in Go 1.26 under yaegi
// v0.16.1. The test asserts today's behaviour of the last step, so that it
// fails, and the list gets updated, when yaegi changes. Exactly one of
// errContains, panicContains, want is set.
type limitation struct {
	name          string
	steps         []string
	errContains   string // Eval returns an error containing this
	panicContains string // Eval panics with a value containing this
	want          string // Eval succeeds, with this (wrong) value
}

var limitations = []limitation{
	// Language features.
	{name: "range over int panics", steps: []string{`x := 0; for i := range 3 { x += i }; x`}, panicContains: "nil type"},
	{name: "range over func panics", steps: []string{`import "slices"`, `n := 0; for v := range slices.Values([]int{1, 2}) { n += v }; n`}, panicContains: "nil type"},
	{name: "range over binary iterator panics", steps: []string{`import "strings"`, `n := 0; for l := range strings.Lines("a\nb") { n += len(l) }; n`}, panicContains: "nil type"},
	{name: "new with expression gives zero value (Go 1.26)", steps: []string{`p := new(42); *p`}, want: "0"},
	{name: "generic type alias fails (Go 1.24)", steps: []string{`type A[T any] = []T`, `var a A[int] = []int{1}`}, errContains: "constant definition loop"},

	// yaegi generics.
	{name: "top-level define of generic call result panics", steps: []string{`import "slices"`, `m := slices.Max([]int{1, 2}); m`}, panicContains: "nil reflect type"},
	{name: "top-level define of min result panics", steps: []string{`m := min(1, 2); m`}, panicContains: "nil reflect type"},
	{name: "top-level define of generic slice result panics", steps: []string{`import "slices"`, `c := slices.Clone([]int{1}); c`}, panicContains: "nil pointer dereference"},
	{name: "inference of two type params from a func argument is wrong", steps: []string{`import "fmt"`,
		`func Map[T, U any](s []T, f func(T) U) []U { r := make([]U, 0, len(s)); for _, v := range s { r = append(r, f(v)) }; return r }`,
		`Map([]int{1, 2}, func(i int) string { return fmt.Sprint(i) })`}, errContains: "cannot use type func(int) string as type func(int) int"},
	{name: "core type constraint S ~[]E cannot be inferred", steps: []string{`func First[S ~[]E, E any](s S) E { return s[0] }`, `First([]int{1})`}, errContains: "undefined type for E"},
	{name: "generic call with empty variadic part panics", steps: []string{`import "slices"`, `slices.Insert([]int{1, 2}, 1)`}, panicContains: "index out of range"},
	{name: "slices.Concat with one argument panics", steps: []string{`import "slices"`, `slices.Concat([]int{1})`}, panicContains: "index out of range"},
	{name: "cmp.Or with one argument panics", steps: []string{`import "cmp"`, `cmp.Or(0)`}, panicContains: "index out of range"},
	{name: "min with one argument panics", steps: []string{`min(1)`}, panicContains: "index out of range"},
	{name: "variadic-only generic function cannot infer", steps: []string{`func Sum[T int | float64](xs ...T) T { var s T; for _, x := range xs { s += x }; return s }`, `Sum(1, 2)`}, errContains: "undefined type for T"},
	{name: "type param inferred from binary iterator fails without explicit instantiation", steps: []string{`import ("slices"; "strings")`, `slices.Collect(strings.Lines("a\nb\n"))`}, errContains: "undefined type for E"},
	{name: "conversion to instantiated generic type fails", steps: []string{`import ("iter"; "strings")`, `iter.Seq[string](strings.Lines("a"))`}, errContains: "type not found: iter.Seq[string]"},
	{name: "channel of type parameter fails", steps: []string{`func Via[V any](v V) V { c := make(chan V, 1); c <- v; return <-c }`, `Via(4)`}, errContains: "unaddressable value"},
	{name: "redefined generic function keeps old instantiation", steps: []string{`func F[T any](x T) T { return x }`, `F(1)`, `func F[T any](x T) T { var z T; return z }`, `F(1)`}, want: "1"},
	{name: "same-name generic functions collide across packages", steps: []string{`import ("cmp"; "slices")`, `a, b := 1, 2; cmp.Compare(a, b)`, `slices.Compare([]int{1}, []int{2})`}, errContains: "cannot use type []int as type int"},
	{name: "named slice type is lost in results", steps: []string{`import ("fmt"; "slices")`, `type Ints []int`, `func f() string { return fmt.Sprintf("%T", slices.Clone(Ints{1})) }`, `f()`}, want: "[]int"},

	// Prelude builtins.
	{name: "min mixing untyped int then float truncates", steps: []string{`func f() float64 { return float64(min(3, 2.5)) }`, `f()`}, want: "2"},
	{name: "min untyped constant then float variable fails", steps: []string{`x := 1.5; min(3, x)`}, errContains: "cannot use type float64 as type untyped int"},
	{name: "min result is not constant", steps: []string{`const c = min(1, 2)`, `c`}, want: "0"},
	{name: "min result does not convert like an untyped constant", steps: []string{`var f float64 = min(1, 2)`}, errContains: "not assignable"},
	{name: "clear of non-map non-slice panics at run time", steps: []string{`clear(3)`}, errContains: "invalid argument: clear(int)"},

	// Packages and std API.
	{name: "iter.Pull missing", steps: []string{`import "iter"`, `iter.Pull`}, errContains: "undefined selector: iter.Pull"},
	{name: "import unique fails", steps: []string{`import "unique"`}, errContains: `unable to find source related to: "unique"`},
	{name: "import weak fails", steps: []string{`import "weak"`}, errContains: `unable to find source related to: "weak"`},
	{name: "import os/exec fails (restricted)", steps: []string{`import "os/exec"`}, errContains: `unable to find source related to: "os/exec"`},
	{name: "generic std function sync.OnceValue missing", steps: []string{`import "sync"`, `sync.OnceValue`}, errContains: "has no symbol OnceValue"},
	{name: "generic std function errors.AsType missing (Go 1.26)", steps: []string{`import "errors"`, `errors.AsType`}, errContains: "has no symbol AsType"},
	{name: "generic std function reflect.TypeFor missing", steps: []string{`import "reflect"`, `reflect.TypeFor`}, errContains: "has no symbol TypeFor"},
	{name: "rand.N only for int", steps: []string{`import ("math/rand/v2"; "time")`, `rand.N(time.Second)`}, errContains: "cannot use"},

	// yaegi REPL behaviour the kernel must handle.
	{name: "re-importing a package in a later cell fails", steps: []string{`import "fmt"`, `import "fmt"`}, errContains: "redeclared in this block"},
	{name: "declaration followed by statements in one Eval fails", steps: []string{`var x = 1
x + 1`}, errContains: "expected declaration"},
}

func TestKnownLimitations(t *testing.T) {
	for _, c := range limitations {
		t.Run(c.name, func(t *testing.T) {
			v, err, p := run(t, c.steps)
			switch {
			case c.panicContains != "":
				if p == nil || !strings.Contains(fmt.Sprint(p), c.panicContains) {
					t.Errorf("want panic containing %q, got value=%s err=%v panic=%v", c.panicContains, show(v), err, p)
				}
			case c.errContains != "":
				if err == nil || !strings.Contains(err.Error(), c.errContains) {
					t.Errorf("want error containing %q, got value=%s err=%v panic=%v", c.errContains, show(v), err, p)
				}
			default:
				if err != nil || p != nil || show(v) != c.want {
					t.Errorf("want value %q, got value=%s err=%v panic=%v", c.want, show(v), err, p)
				}
			}
		})
	}
}

// TestInterpreterSurvivesPanics checks that an interpreter stays usable
// after the yaegi panics listed above, so the kernel can recover them and
// keep the session.
func TestInterpreterSurvivesPanics(t *testing.T) {
	i, _ := newInterp(t)
	for _, s := range []string{`import "slices"`, `y := 41`} {
		if _, err, p := eval(i, s); err != nil || p != nil {
			t.Fatalf("%q: %v %v", s, err, p)
		}
	}
	for _, s := range []string{`for i := range 3 { _ = i }`, `m := slices.Max([]int{1}); m`, `min(1)`} {
		if _, err, p := eval(i, s); p == nil {
			t.Errorf("%q did not panic (err=%v): update TestKnownLimitations", s, err)
		}
	}
	v, err, p := eval(i, `y + 1`)
	if err != nil || p != nil || show(v) != "42" {
		t.Errorf("after panics: value=%s err=%v panic=%v", show(v), err, p)
	}
	v, err, p = eval(i, `slices.Max([]int{3, 9})`)
	if err != nil || p != nil || show(v) != "9" {
		t.Errorf("generics after panics: value=%s err=%v panic=%v", show(v), err, p)
	}
}
