// Package rtsymbols holds the yaegi symbol table of the runtime package, so
// cells can call rt.* as compiled code. Regenerate after changing rt's API.
package rtsymbols

import "github.com/traefik/yaegi/interp"

//go:generate go run ./internal/gen

// Symbols is rt's symbol table, keyed "gosys/rt/rt" as yaegi wants.
var Symbols = interp.Exports{}
