package interp

import (
	"context"
	"errors"
	"fmt"
	"go/constant"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Tests of the gosys patches (PATCHES.md); upstream's own tests are not
// carried.

func evalInt(t *testing.T, i *Interpreter, src string) int64 {
	t.Helper()
	v, err := i.Eval(src)
	if err != nil {
		t.Fatalf("Eval(%q): %v", src, err)
	}
	return v.Int()
}

func TestFuncLiteralStatementRunsOnce(t *testing.T) {
	i := New(Options{})
	if _, err := i.Eval("var n int"); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Eval("func() { n++ }()"); err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 3; k++ {
		if got := evalInt(t, i, "n"); got != 1 {
			t.Fatalf("n = %d after one call of the literal; a later Eval ran it again", got)
		}
	}
}

func TestEvalWithContextWaitStopsAndWaits(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	i := New(Options{})
	if err := i.Use(Exports{"blk/blk": {"Wait": reflect.ValueOf(func() {
		entered <- struct{}{}
		<-release
	})}}); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Eval("import \"blk\"\nvar n int"); err != nil {
		t.Fatal(err)
	}

	// An endless loop, in a function literal too, stops in place.
	for _, src := range []string{"for { n++ }", "func() { for { n++ } }()"} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		_, err := i.EvalWithContextWait(ctx, src)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s: err = %v", src, err)
		}
		a := evalInt(t, i, "n")
		time.Sleep(20 * time.Millisecond)
		if b := evalInt(t, i, "n"); a != b {
			t.Fatalf("%s: still running after EvalWithContextWait returned (n %d then %d)", src, a, b)
		}
	}

	// A compiled call: no return before it ends, and the rest never runs.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := i.EvalWithContextWait(ctx, "blk.Wait()\nn = -1")
		done <- err
	}()
	<-entered
	cancel()
	select {
	case err := <-done:
		t.Fatalf("returned (%v) while the compiled call was still blocked", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if got := evalInt(t, i, "n"); got == -1 {
		t.Fatal("the statement after the interrupted call ran")
	}
}

func TestStopBeforeTheBlockedCallReturns(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	i := New(Options{})
	if err := i.Use(Exports{"blk/blk": {"Wait": reflect.ValueOf(func() {
		entered <- struct{}{}
		<-release
	})}}); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Eval("import \"blk\"\nvar n int"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := i.EvalWithContextWait(context.Background(), "blk.Wait()\nn = -1")
		done <- err
	}()
	<-entered
	i.Stop()
	i.Stop()       // twice is fine
	close(release) // the blocked call returns only now, after Stop
	if err := <-done; err != nil {
		t.Fatalf("err = %v", err)
	}
	if got := evalInt(t, i, "n"); got == -1 {
		t.Fatal("the statement after the stopped call ran")
	}
	// Nothing runs from an already cancelled context.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := i.EvalWithContextWait(ctx, "n = -2"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if got := evalInt(t, i, "n"); got == -2 {
		t.Fatal("a cancelled evaluation ran")
	}
	i.Stop() // no evaluation runs: nothing happens
}

func TestGoStatementPanicIsHandled(t *testing.T) {
	got := make(chan any, 4)
	starts := 0
	i := New(Options{GoStatement: func() func(any) {
		starts++
		tag := starts
		return func(r any) { got <- []any{tag, r} }
	}})
	if err := i.Use(Exports{"blk/blk": {"Panic": reflect.ValueOf(func(s string) { panic(s) })}}); err != nil {
		t.Fatal(err)
	}
	srcs := []string{
		"import \"blk\"",
		"go func() { panic(\"literal\") }()",
		"func f(s string) { panic(s) }",
		"go f(\"declared\")",
		"go blk.Panic(\"compiled\")",
	}
	for _, src := range srcs {
		if _, err := i.Eval(src); err != nil {
			t.Fatalf("Eval(%q): %v", src, err)
		}
	}
	want := map[string]int{"literal": 1, "declared": 2, "compiled": 3}
	for k := 0; k < 3; k++ {
		select {
		case v := <-got:
			pair := v.([]any)
			if want[pair[1].(string)] != pair[0].(int) {
				t.Errorf("panic %v reached the handler of go statement %v", pair[1], pair[0])
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a goroutine's panic never reached the handler")
		}
	}
}

func TestRuntimeErrorsReadAsGo(t *testing.T) {
	cases := []struct{ src, want string }{
		{"xs := []int{1, 2, 3}\n_ = xs[5]", "runtime error: index out of range [5] with length 3"},
		{"i := -1\nys := []int{1}\n_ = ys[i]", "runtime error: index out of range [-1]"},
		{"s := \"abc\"\nk := 4\n_ = s[k]", "runtime error: index out of range [4] with length 3"},
		{"zs := []int{1, 2, 3}\nh := 5\n_ = zs[:h]", "runtime error: slice bounds out of range [:5] with capacity 3"},
		{"ws := []int{1, 2, 3}\nl, h := 2, 1\n_ = ws[l:h]", "runtime error: slice bounds out of range [2:1]"},
		{"p := (*struct{ X int })(nil)\n_ = p.X", "runtime error: invalid memory address or nil pointer dereference"},
		{"x := interface{}(\"s\")\n_ = x.(int)", "runtime error: interface conversion: interface {} is string, not int"},
	}
	for _, c := range cases {
		var stderr strings.Builder
		i := New(Options{Stderr: &stderr})
		_, err := i.Eval(c.src)
		var p Panic
		if !errors.As(err, &p) {
			t.Errorf("%q: err %v, want a panic", c.src, err)
			continue
		}
		re, ok := p.Value.(interface {
			error
			RuntimeError()
		})
		if !ok || re.Error() != c.want {
			t.Errorf("%q: panic value %#v, want the runtime.Error %q", c.src, p.Value, c.want)
		}
		// The frame printed is the line of the faulting statement, not the
		// first line of the source.
		lines := strings.Count(c.src, "\n") + 1
		if !strings.HasPrefix(stderr.String(), fmt.Sprintf("%d:", lines)) {
			t.Errorf("%q: frame %q, want line %d", c.src, stderr.String(), lines)
		}
	}
}

func TestUseLazyLoadsOnFirstImportOnly(t *testing.T) {
	i := New(Options{})
	calls := map[string]int{}
	lazy := func(key string, syms map[string]reflect.Value) func() map[string]reflect.Value {
		return func() map[string]reflect.Value { calls[key]++; return syms }
	}
	if err := i.UseLazy(LazyExports{
		"example.org/a/a": lazy("a", map[string]reflect.Value{"Answer": reflect.ValueOf(func() int { return 42 })}),
		"example.org/b/b": lazy("b", map[string]reflect.Value{"Other": reflect.ValueOf(func() int { return 7 })}),
	}); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 0 {
		t.Fatalf("UseLazy loaded %v before any import", calls)
	}
	if _, err := i.Eval(`import "example.org/a"`); err != nil {
		t.Fatal(err)
	}
	if got := evalInt(t, i, `a.Answer()`); got != 42 {
		t.Fatalf("a.Answer() = %d, want 42", got)
	}
	evalInt(t, i, `a.Answer()`)
	if calls["a"] != 1 || calls["b"] != 0 {
		t.Fatalf("loads after importing a twice: %v, want a once and b never", calls)
	}
	// ImportUsed and Symbols see a lazy package without an import of it.
	if _, ok := i.Symbols("example.org/b")["example.org/b"]["Other"]; !ok || calls["b"] != 1 {
		t.Fatalf("Symbols did not load b: %v", calls)
	}
	if err := i.UseLazy(LazyExports{"nopackage": nil}); err == nil {
		t.Fatal("UseLazy accepted a key without a package name")
	}
}

func TestUseLazyConcurrentImports(t *testing.T) {
	// Two goroutines of one interpreter (a cell and a completion request)
	// may load packages at once: run with -race.
	i := New(Options{})
	var n atomic.Int64
	load := func() map[string]reflect.Value {
		n.Add(1)
		return map[string]reflect.Value{"F": reflect.ValueOf(func() int { return 1 })}
	}
	if err := i.UseLazy(LazyExports{"example.org/c/c": load}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	for k := 0; k < 8; k++ {
		go func() {
			defer func() { done <- struct{}{} }()
			_ = i.Symbols("example.org/c")
		}()
	}
	for k := 0; k < 8; k++ {
		<-done
	}
	if got := n.Load(); got != 1 {
		t.Fatalf("the package was loaded %d times, want 1", got)
	}
}

// nativeCount is a variable of a compiled package, for
// TestCompiledPackageNamesDotImported.
var nativeCount int

func TestCompiledPackageNamesDotImported(t *testing.T) {
	i := New(Options{})
	err := i.Use(Exports{"example.com/native/native": {
		"Count": reflect.ValueOf(&nativeCount).Elem(),
		"K":     reflect.ValueOf(constant.MakeInt64(7)),
		"Typed": reflect.ValueOf(time.Second),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := i.Eval(`import . "example.com/native"`); err != nil {
		t.Fatal(err)
	}
	// An untyped constant of a dot-imported package stays untyped.
	if _, err := i.Eval(`var u uint8 = K * 30`); err != nil {
		t.Fatal(err)
	}
	if got := evalInt(t, i, "int64(u)"); got != 210 {
		t.Errorf("u = %d, want 210", got)
	}
	// A variable of a compiled package can be assigned, qualified or not.
	if _, err := i.Eval(`Count = 40`); err != nil {
		t.Fatal(err)
	}
	if nativeCount != 40 {
		t.Errorf("Count = 40 left %d", nativeCount)
	}
	// A typed constant still cannot.
	if _, err := i.Eval(`Typed = 3`); err == nil || !strings.Contains(err.Error(), "cannot assign") {
		t.Errorf("Typed = 3: %v, want cannot assign", err)
	}
}
