package native

import (
	"context"
	"errors"
	"go/constant"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// builder returns a Builder whose cache is the test's own.
func builder(t *testing.T) *Builder {
	t.Helper()
	privateCache(t)
	return &Builder{}
}

// privateCache gives the test a native cache of its own; the Go build
// cache stays the user's (it would move with XDG_CACHE_HOME, and a cold one
// compiles the standard library for plugins again: most of a minute).
func privateCache(t *testing.T) {
	t.Helper()
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOCACHE: %v", err)
	}
	t.Setenv("GOCACHE", strings.TrimSpace(string(out)))
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
}

func TestBuildLoadAndCache(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin")
	}
	b := builder(t)
	src := "\nfunc SumTo(n int) int { s := 0; for i := range n { s += i }; return s }\n" +
		"type Ring struct{ buf []byte }\nfunc (r *Ring) Put(c byte) { r.buf = append(r.buf, c) }\nfunc (r *Ring) Len() int { return len(r.buf) }\n" +
		"const K = 7\nconst Typed int64 = 3\nvar Count int\nfunc Max[T int | float64](a, b T) T { return max(a, b) }\n"
	p, err := b.Build(context.Background(), src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Cached {
		t.Error("first build reported as cached")
	}
	if got := p.Symbols["SumTo"].Call([]reflect.Value{reflect.ValueOf(10)})[0].Int(); got != 45 {
		t.Errorf("SumTo(10) = %d, want 45", got)
	}
	if _, ok := p.Symbols["K"].Interface().(constant.Value); !ok {
		t.Errorf("K is %v, want an untyped constant", p.Symbols["K"].Type())
	}
	if p.Symbols["Typed"].Type() != reflect.TypeFor[int64]() {
		t.Errorf("Typed is %v, want int64", p.Symbols["Typed"].Type())
	}
	if !p.Symbols["Count"].CanSet() {
		t.Error("Count is not settable")
	}
	if _, ok := p.Symbols["Max"]; ok {
		t.Error("the generic Max was exported")
	}
	ring := reflect.New(p.Symbols["Ring"].Type().Elem())
	ring.MethodByName("Put").Call([]reflect.Value{reflect.ValueOf(byte(1))})
	if n := ring.MethodByName("Len").Call(nil)[0].Int(); n != 1 {
		t.Errorf("Len = %d", n)
	}
	again, err := b.Build(context.Background(), src, nil)
	if err != nil || !again.Cached || again.Path != p.Path {
		t.Fatalf("rebuild: %v cached=%v path %s vs %s", err, again != nil && again.Cached, again.Path, p.Path)
	}
	// A later cell uses the first one's names.
	later, err := b.Build(context.Background(), "\nfunc Twice(n int) int { r := &Ring{}; r.Put(1); return 2*SumTo(n) + r.Len() - 1 }\n", map[string]*Package{"SumTo": p, "Ring": p})
	if err != nil {
		t.Fatal(err)
	}
	if got := later.Symbols["Twice"].Call([]reflect.Value{reflect.ValueOf(10)})[0].Int(); got != 90 {
		t.Errorf("Twice(10) = %d, want 90", got)
	}
}

func TestBuildErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	b := builder(t)
	for _, c := range []struct{ src, want string }{
		{"\nfunc F() int {\n\treturn undefinedThing\n}\n", "3:9: undefined: undefinedThing"},
		{"\nfunc F() int {\n\treturn \"s\"\n}\n", "3:9: cannot use \"s\""},
		{"\nfunc F( {\n", "2:9:"},
		{"\nimport \"example.com/x\"\n", "2:8: a native cell cannot import \"example.com/x\""},
	} {
		_, err := b.Build(context.Background(), c.src, nil)
		var be *BuildError
		if !errors.As(err, &be) {
			t.Errorf("%q: error %v, want a BuildError", c.src, err)
			continue
		}
		if !strings.Contains(be.Error(), c.want) {
			t.Errorf("%q: error %q, want it to contain %q", c.src, be.Error(), c.want)
		}
	}
}

func TestBuildInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	b := builder(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Build(ctx, "\nfunc G() int { return 1 }\n", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled build: %v, want context.Canceled", err)
	}
}

// TestUnusedEarlierCell: a cell whose local variable has an earlier native
// cell's name does not import that cell (the first build says it is
// unused; the build is made again without it).
func TestUnusedEarlierCell(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins")
	}
	b := builder(t)
	first, err := b.Build(context.Background(), "\nfunc Base() int { return 1 }\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.Build(context.Background(), "\nfunc Local() int {\n\tBase := 2\n\treturn Base\n}\n", map[string]*Package{"Base": first})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Deps) != 0 {
		t.Errorf("deps %v, want none", p.Deps)
	}
	if got := p.Symbols["Local"].Call(nil)[0].Int(); got != 2 {
		t.Errorf("Local() = %d", got)
	}
}

// TestPrune: entries unused for a month go, recent ones stay.
func TestPrune(t *testing.T) {
	cache := t.TempDir()
	old, recent := filepath.Join(cache, "cold"), filepath.Join(cache, "cwarm")
	for _, d := range []string{old, recent} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-pruneAge - time.Hour)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	(&toolchain{cache: cache}).prune()
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("an entry unused for a month is still there: %v", err)
	}
	if _, err := os.Stat(recent); err != nil {
		t.Errorf("a recent entry went: %v", err)
	}
}
