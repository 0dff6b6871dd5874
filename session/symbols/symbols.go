// Package symbols provides the yaegi symbol tables and interpreted sources
// that the gosys kernel loads into every interpreter, regenerated for the Go
// toolchain that builds the kernel (Go 1.26) instead of the Go 1.22 tables
// shipped in github.com/traefik/yaegi/stdlib.
//
// # Setting up an interpreter
//
// Use a Kit: Standard(extra, prelude...).Setup(i), or Setup(i) for the
// standard library alone. Kit.Setup is the one place that knows the order:
// the binary tables first (yaegi then applies its stdlib fixups and
// compiles its Go 1.22 cmp/maps/slices sources), then gosys's generic
// sources (which extend and replace those), then the prelude (min, max,
// clear; it needs both).
//
// # What Stdlib contains
//
// Every non-internal package listed by `go list std` for Go 1.26 that has
// non-generic exported API (164 tables, about 8,300 symbols), in yaegi's
// "importpath/name" key format, so interp.Use recognises the table as a
// stdlib through its "fmt/fmt" key. Compared with yaegi's stdlib.Symbols it
// adds the API of Go 1.23 to 1.26 (strings.Lines, os.Root, sync.WaitGroup.Go,
// ...), the packages structs, crypto/sha3, crypto/mlkem, crypto/hpke,
// crypto/fips140, embed, testing/synctest, testing/cryptotest,
// crypto/mlkem/mlkemtest, and:
//   - syscall on linux/amd64 and linux/arm64 (yaegi keeps it in a separate
//     table), without the symbols that could exit, fork or kill the process;
//   - crypto/hkdf and crypto/pbkdf2 instantiated with hash.Hash, and
//     math/rand/v2.N instantiated with int (see instances.go);
//   - BuiltinPath, the helper the prelude uses for clear;
//   - the "." entry holding MapTypes, as yaegi's stdlib.Symbols has.
//
// Not included: unsafe and os/exec (left out by yaegi's stdlib as well),
// plugin, runtime/cgo, runtime/race, runtime/coverage, time/tzdata, and the
// entirely generic packages cmp, maps, slices, iter, unique and weak (the
// first four come as interpreted source instead). Generic functions and
// types inside other packages (sync.OnceValue, atomic.Pointer,
// errors.AsType, reflect.TypeFor, ...) are skipped by the extractor.
// os.Exit and log.Fatal panic instead of exiting, as in yaegi's stdlib.
//
// README.md in this directory lists what works in cells and what does not;
// the tests in cells_test.go and limits_test.go check both lists.
//
// The files go1_26_*.go are generated: run `go generate` in this directory
// with the Go toolchain the kernel is built with.
package symbols

//go:generate go run ./internal/gen

import (
	"reflect"
	"slices"

	"github.com/traefik/yaegi/interp"
)

// Symbols holds the binary symbol tables loaded with every interpreter,
// keyed "importpath/name" as yaegi expects: gosys's own (MapTypes, the
// prelude's builtins) and the replacements and additions Stdlib puts over
// the standard packages (generic instantiations, interruptible and
// process calls). Use Stdlib rather than Symbols. Treat it as read-only:
// interp.Use copies it into each interpreter.
var Symbols = map[string]map[string]reflect.Value{}

// Lazy holds the standard library's symbol tables as functions that build
// them, filled by the init functions of the generated files: an
// interpreter builds a package's table when a cell first imports it
// (interp.UseLazy). Only the package's own API is there; Symbols' entries
// for the same package are added over it.
var Lazy = interp.LazyExports{}

func init() {
	Symbols["."] = map[string]reflect.Value{"MapTypes": reflect.ValueOf(MapTypes)}
}

// Stdlib returns the symbol tables to pass to interp.Use, after UseLazy of
// Lazy (see Kit for the full setup order). The returned map is shared: do
// not modify it.
func Stdlib() map[string]map[string]reflect.Value {
	prepareOnce.Do(prepare)
	return Symbols
}

// Keys returns the keys ("importpath/name") of every package an
// interpreter set up with Standard can import, lazy or not.
func Keys() []string {
	prepareOnce.Do(prepare)
	keys := make([]string, 0, len(Lazy)+len(Symbols))
	for k := range Lazy {
		keys = append(keys, k)
	}
	for k := range Symbols {
		if _, dup := Lazy[k]; !dup && k != "." {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
