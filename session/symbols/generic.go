package symbols

import (
	_ "embed"
	"fmt"
	"reflect"

	"github.com/traefik/yaegi/interp"
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

// GenericSources returns the interpreted packages to compile, in the given
// order, with interp.Compile right after interp.Use(Stdlib()):
//
//   - "iter": the types Seq and Seq2 (no Pull);
//   - "cmp": Less, Compare and Or, redefining yaegi's Go 1.22 source;
//   - "slices": the Go 1.26 slices API, redefining yaegi's Go 1.22 source;
//   - "maps": the Go 1.26 maps API, redefining yaegi's Go 1.22 source.
//
// interp.Use(Stdlib()) has already compiled yaegi's own cmp, maps and
// slices sources (yaegi does it for any table with a "fmt/fmt" entry);
// these sources are compiled into the same packages and replace their
// functions, so they must come after it. Their doc comments list what
// differs from the standard library.
func GenericSources() []string {
	return []string{iterSource, cmpSource, slicesSource, mapsSource}
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

// Prelude returns source to Eval once per interpreter, after GenericSources
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
	// Exports are compiled packages, loaded first, in order.
	Exports []interp.Exports
	// Sources are interpreted packages, compiled next: they extend
	// packages the exports loaded (gosys's iter, cmp, slices, maps).
	Sources []string
	// Prelude is Go source evaluated last, before the first cell.
	Prelude []string
}

// Standard returns the kit of a gosys interpreter: the standard library
// (Stdlib), the generic sources (GenericSources), the prelude (Prelude),
// with extra exports loaded after the standard library and extra prelude
// lines after the prelude (the rt package and its import, say).
func Standard(extra []interp.Exports, prelude ...string) Kit {
	return Kit{
		Exports: append([]interp.Exports{Stdlib()}, extra...),
		Sources: GenericSources(),
		Prelude: append([]string{Prelude()}, prelude...),
	}
}

// Setup prepares i with k: Use of each export, then Compile of each
// source, then Eval of each prelude line. Stdlib must come first among the
// exports: yaegi applies its stdlib fixups (stdio, os.Args, env, log) when
// it sees it, and compiles its own Go 1.22 cmp/maps/slices sources, which
// the generic sources then extend and replace; the prelude needs both.
func (k Kit) Setup(i *interp.Interpreter) error {
	for _, e := range k.Exports {
		if err := i.Use(e); err != nil {
			return fmt.Errorf("symbols: use: %w", err)
		}
	}
	for n, src := range k.Sources {
		if _, err := i.Compile(src); err != nil {
			return fmt.Errorf("symbols: compile generic source %d: %w", n, err)
		}
	}
	for _, src := range k.Prelude {
		if _, err := i.Eval(src); err != nil {
			return fmt.Errorf("symbols: prelude %q: %w", src, err)
		}
	}
	return nil
}

// Setup prepares a new interpreter as Standard(nil) does.
func Setup(i *interp.Interpreter) error { return Standard(nil).Setup(i) }

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
