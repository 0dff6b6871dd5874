package symbols_test

import (
	"testing"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	stocksyscall "github.com/traefik/yaegi/stdlib/syscall"

	"gosys/kernel/symbols"
)

// BenchmarkNewInterpreter measures the per-interpreter setup cost:
//
//		go test ./kernel/symbols -run '^$' -bench NewInterpreter -benchmem
//
//	  - stock: interp.New + Use(stdlib.Symbols) + Use(stdlib/syscall.Symbols)
//	    (yaegi v0.16.1's Go 1.22 tables);
//	  - use: interp.New + Use(symbols.Stdlib()) (Go 1.26 tables, syscall
//	    included);
//	  - setup: interp.New + symbols.Setup (Use, GenericSources, Prelude), what
//	    the kernel does for each session.
func BenchmarkNewInterpreter(b *testing.B) {
	b.Run("stock", func(b *testing.B) {
		for b.Loop() {
			i := interp.New(interp.Options{})
			if err := i.Use(stdlib.Symbols); err != nil {
				b.Fatal(err)
			}
			if err := i.Use(stocksyscall.Symbols); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("use", func(b *testing.B) {
		syms := symbols.Stdlib()
		for b.Loop() {
			i := interp.New(interp.Options{})
			if err := i.Use(syms); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("setup", func(b *testing.B) {
		for b.Loop() {
			i := interp.New(interp.Options{})
			if err := symbols.Setup(i); err != nil {
				b.Fatal(err)
			}
		}
	})
}
