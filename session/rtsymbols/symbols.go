// Package rtsymbols holds the yaegi symbol tables of the gosys packages a
// cell may import, so cells call them as compiled code: gosys/rt (every
// cell imports it), gosys/rt/view (the views' renderers, for drawing
// without showing) and gosys/rt/osdata (the types of the views' data, which
// rt also names). Regenerate after changing their API.
package rtsymbols

import "github.com/traefik/yaegi/interp"

//go:generate go run ./internal/gen

// Symbols holds the tables, keyed "gosys/rt/rt", "gosys/rt/view/view" and
// "gosys/rt/osdata/osdata" as yaegi wants.
var Symbols = interp.Exports{}
