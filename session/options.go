package session

import (
	"os"

	"github.com/traefik/yaegi/interp"

	"gosys/session/eval"
	"gosys/session/rtsymbols"
	"gosys/session/symbols"
)

// interpOptions are the interpreter's options, the same in the session
// process and in the children it forks.
func interpOptions() eval.Options {
	return eval.Options{
		Kit:    symbols.Standard([]interp.Exports{rtsymbols.Symbols}, `import "gosys/rt"`),
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	}
}
