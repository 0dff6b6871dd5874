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
)

// Symbols holds the binary symbol tables, keyed "importpath/name" as yaegi
// expects. It is filled by the init functions of the generated files and
// completed by the first call to Stdlib (generic instantiations, iterator
// wrappers): use Stdlib rather than Symbols. Treat it as read-only:
// interp.Use copies it into each interpreter.
var Symbols = map[string]map[string]reflect.Value{}

func init() {
	Symbols["."] = map[string]reflect.Value{"MapTypes": reflect.ValueOf(MapTypes)}
}

// Stdlib returns the symbol tables to pass to interp.Use (see the package
// documentation for the full setup order). The returned map is shared:
// do not modify it.
func Stdlib() map[string]map[string]reflect.Value {
	prepareOnce.Do(prepare)
	return Symbols
}
