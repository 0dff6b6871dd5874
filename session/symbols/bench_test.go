package symbols_test

import (
	"testing"

	"github.com/traefik/yaegi/interp"

	"gosys/session/symbols"
)

// BenchmarkNewInterpreter measures the per-interpreter setup cost:
//
//		go test ./session/symbols -run '^$' -bench NewInterpreter -benchmem
//
//	  - use: interp.New + Use(symbols.Stdlib()) (Go 1.26 tables, syscall
//	    included);
//	  - setup: interp.New + symbols.Setup (Use, GenericPackages, Prelude), what
//	    the kernel does for each session.
func BenchmarkNewInterpreter(b *testing.B) {
	b.Run("use", func(b *testing.B) {
		syms := symbols.Stdlib()
		for b.Loop() {
			i := interp.New(interp.Options{})
			if err := i.UseLazy(symbols.Lazy); err != nil {
				b.Fatal(err)
			}
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
