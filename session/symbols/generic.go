package symbols

import (
	_ "embed"
	"fmt"
	"reflect"
	"strings"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib/generic"
)

// Interpreted sources, kept as real Go packages under internal/gensrc so
// that the Go toolchain type-checks them (see internal/gensrc/doc.go for
// the yaegi restrictions they follow).
var (
	//go:embed internal/gensrc/iter/iter.go
	iterSource string
	//go:embed internal/gensrc/cmp/cmp.go
	cmpSource string
	//go:embed internal/gensrc/slices/slices.go
	slicesSource string
	//go:embed internal/gensrc/maps/maps.go
	mapsSource string
)

// GenericPackage is one interpreted standard package: its sources, to
// compile in order after the packages it imports (Deps).
type GenericPackage struct {
	Path    string
	Deps    []string
	Sources []string
}

// GenericPackages returns the interpreted standard packages, each after
// those it depends on:
//
//   - "iter": the types Seq and Seq2 (no Pull);
//   - "cmp": yaegi's Go 1.22 source, then gosys's Less, Compare and Or,
//     which replace yaegi's;
//   - "slices": yaegi's Go 1.22 source, then the Go 1.26 slices API;
//   - "maps": yaegi's Go 1.22 source, then the Go 1.26 maps API.
//
// The Go 1.26 sources are compiled into the same packages as yaegi's and
// replace their functions, so they come after them. Their doc comments
// list what differs from the standard library.
func GenericPackages() []GenericPackage {
	return []GenericPackage{
		{Path: "iter", Sources: []string{iterSource}},
		{Path: "cmp", Sources: []string{generic.Sources[0], cmpSource}},
		{Path: "slices", Deps: []string{"cmp", "iter"}, Sources: []string{generic.Sources[2], slicesSource}},
		{Path: "maps", Deps: []string{"iter"}, Sources: []string{generic.Sources[1], mapsSource}},
	}
}

// BuiltinPath is the import path of the small binary package the prelude
// uses; Stdlib registers it.
const BuiltinPath = "gosys/session/symbols/builtin"

// prelude defines, in the interpreter's main package, the Go 1.21 builtins
// that yaegi v0.16 does not know. It is evaluated once per interpreter.
const prelude = `import _gosys_builtin "` + BuiltinPath + `"

// min returns the smallest of its arguments (NaN if any is NaN).
func min[_T ~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr | ~float32 | ~float64 | ~string](x, y _T, more ..._T) _T {
	if x != x {
		return x
	}
	if y != y || y < x {
		x = y
	}
	for _, v := range more {
		if v != v || v < x {
			x = v
		}
		if x != x {
			return x
		}
	}
	return x
}

// max returns the largest of its arguments (NaN if any is NaN).
func max[_T ~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr | ~float32 | ~float64 | ~string](x, y _T, more ..._T) _T {
	if x != x {
		return x
	}
	if y != y || y > x {
		x = y
	}
	for _, v := range more {
		if v != v || v > x {
			x = v
		}
		if x != x {
			return x
		}
	}
	return x
}

// clear deletes all entries of a map, or zeroes all elements of a slice.
func clear(v any) { _gosys_builtin.Clear(v) }
`

// Prelude returns source to Eval once per interpreter, after the tables
// and before the first cell. It defines min, max and clear in the main
// package (yaegi v0.16 does not have these Go 1.21 builtins) and imports
// BuiltinPath under the name _gosys_builtin. Cells may redeclare min, max
// and clear. Differences from the real builtins:
//
//   - min and max are ordinary generic functions over the basic ordered
//     types (and types defined on them) and need at least two arguments
//     (min(x) panics inside yaegi);
//   - the type comes from the first argument: min(3, 2.5) is 2 (2.5
//     truncated to int), and min(3, x) with x float64 does not compile;
//     write min(3.0, 2.5) or min(x, 3);
//   - the result is never constant: const c = min(1, 2) is silently 0 and
//     var f float64 = min(1, 2) fails;
//   - like every generic call, x := min(a, b) at the top level of a cell
//     panics in yaegi; write x := int(min(a, b)), or declare x first, or use
//     it inside a function;
//   - min(-0.0, 0.0) does not distinguish the zeros (NaN is handled);
//   - clear accepts any value and panics at run time, not compile time, when
//     it is not a map or a slice.
func Prelude() string { return prelude }

// Kit is what an interpreter of gosys is set up with. Setup applies it in
// the one order that works; every gosys interpreter (the session, a forked
// child, a test) is set up through a Kit.
type Kit struct {
	// Lazy are compiled packages loaded when first imported.
	Lazy []interp.LazyExports
	// Exports are compiled packages, loaded next, in order; a package of
	// Lazy and of Exports gets both, Exports' symbols winning.
	Exports []interp.Exports
	// Sources are interpreted packages compiled next.
	Sources []string
	// Generic are interpreted packages compiled when first imported, by
	// a Generics the interpreter's user keeps (they take milliseconds and
	// megabytes that a session which never imports them should not pay).
	Generic []GenericPackage
	// Prelude is Go source evaluated last, before the first cell.
	Prelude []string
}

// Standard returns the kit of a gosys interpreter: the standard library
// (Lazy, Stdlib), the generic packages (GenericPackages, compiled on
// demand), the prelude (Prelude), with extra exports loaded after the
// standard library and extra prelude lines after the prelude (the rt
// package and its import, say).
func Standard(extra []interp.Exports, prelude ...string) Kit {
	return Kit{
		Lazy:    []interp.LazyExports{Lazy},
		Exports: append([]interp.Exports{Stdlib()}, extra...),
		Generic: GenericPackages(),
		Prelude: append([]string{Prelude()}, prelude...),
	}
}

// Setup prepares i with k: UseLazy of each lazy table, Use of each export,
// Compile of each source, then Eval of each prelude line. The generic
// packages are left to a Generics.
func (k Kit) Setup(i *interp.Interpreter) error {
	for _, l := range k.Lazy {
		if err := i.UseLazy(l); err != nil {
			return fmt.Errorf("symbols: use lazy: %w", err)
		}
	}
	for _, e := range k.Exports {
		if err := i.Use(e); err != nil {
			return fmt.Errorf("symbols: use: %w", err)
		}
	}
	for n, src := range k.Sources {
		if _, err := i.Compile(src); err != nil {
			return fmt.Errorf("symbols: compile source %d: %w", n, err)
		}
	}
	for _, src := range k.Prelude {
		if _, err := i.Eval(src); err != nil {
			return fmt.Errorf("symbols: prelude %q: %w", src, err)
		}
	}
	return nil
}

// Generics compiles a kit's generic packages into one interpreter when
// they are first needed. Not safe for concurrent use: call it where the
// interpreter compiles (before an Eval).
type Generics struct {
	i    *interp.Interpreter
	pkgs map[string]GenericPackage
	done map[string]bool
}

// NewGenerics returns the compiler of k's generic packages into i.
func (k Kit) NewGenerics(i *interp.Interpreter) *Generics {
	g := &Generics{i: i, pkgs: map[string]GenericPackage{}, done: map[string]bool{}}
	for _, p := range k.Generic {
		g.pkgs[p.Path] = p
	}
	return g
}

// For compiles the generic packages src may import, with what they import,
// unless compiled already. It looks for their quoted paths in src: a
// string literal that spells one costs a compile, nothing else.
func (g *Generics) For(src string) error {
	for path := range g.pkgs {
		if !g.done[path] && strings.Contains(src, `"`+path+`"`) {
			if err := g.Need(path); err != nil {
				return err
			}
		}
	}
	return nil
}

// Need compiles the generic package path and its dependencies, once.
func (g *Generics) Need(path string) error {
	p, ok := g.pkgs[path]
	if !ok || g.done[path] {
		return nil
	}
	g.done[path] = true
	for _, d := range p.Deps {
		if err := g.Need(d); err != nil {
			return err
		}
	}
	for n, src := range p.Sources {
		if _, err := g.i.Compile(src); err != nil {
			return fmt.Errorf("symbols: compile %s source %d: %w", path, n, err)
		}
	}
	return nil
}

// Setup prepares a new interpreter as Standard(nil) does, with every
// generic package compiled.
func Setup(i *interp.Interpreter) error {
	k := Standard(nil)
	if err := k.Setup(i); err != nil {
		return err
	}
	g := k.NewGenerics(i)
	for _, p := range k.Generic {
		if err := g.Need(p.Path); err != nil {
			return err
		}
	}
	return nil
}

// builtinClear implements clear for the prelude.
func builtinClear(v any) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Invalid:
		panic("invalid argument: clear(nil)")
	case reflect.Map, reflect.Slice:
		if !rv.IsNil() {
			rv.Clear()
		}
	default:
		panic(fmt.Sprintf("invalid argument: clear(%v) (argument must be (or constrained by) map or slice)", rv.Type()))
	}
}

func init() {
	Symbols[BuiltinPath+"/builtin"] = map[string]reflect.Value{
		"Clear": reflect.ValueOf(builtinClear),
	}
}
