package interp

import (
	"context"
	"errors"
	"reflect"
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
