package eval

import (
	"errors"
	"strings"

	"gosys/session/fork"
)

// Primer is a Forker that keeps its warm children in step with the
// session (see session/fork/prime.go): after each cell of a session that
// has forked, the session gives it its prelude.
type Primer interface {
	Active() bool
	Prime(*fork.Prelude)
}

// PrimeForker gives the forker the session's prelude after a cell, if it
// wants one. It runs on the cell's goroutine (it reads the interpreter's
// globals), after the cell's reply is decided; sending is the forker's,
// in the background.
func (s *Session) PrimeForker() {
	pr, ok := s.forker.(Primer)
	if !ok || !pr.Active() || s.child != nil {
		return
	}
	pre, err := s.forkPrelude()
	if err != nil {
		return // the next fork declares it all, as a cold child does
	}
	pr.Prime(pre)
}

// forkPrelude is the part of a payload a warm child may declare ahead: the
// session's imports, declarations, native cells, variables' names and
// types.
func (s *Session) forkPrelude() (*fork.Prelude, error) {
	p, _, err := s.payloadWith(fork.Site{}, nil, false)
	if err != nil {
		return nil, err
	}
	return fork.PreludeOf(p), nil
}

// Prime declares, in a warm child before its fork, what delta adds to the
// session (see fork.WaitHandoff).
func (s *Session) Prime(delta *fork.Prelude) error {
	_, err := s.declarePrelude(delta, nil)
	return err
}

// declarePrelude declares pre's native cells, then its imports,
// declarations and variables and the variables more in one file (the
// session's functions may use its variables, whose types are declared
// among them). what names the step that failed.
func (s *Session) declarePrelude(pre *fork.Prelude, more []namedType) (what string, err error) {
	// The native cells first: the session's declarations may use them.
	if err := s.loadNatives(pre.Natives); err != nil {
		return "loading the session's native cells", err
	}
	vars := make([]namedType, 0, len(pre.Vars)+len(more))
	for _, v := range pre.Vars {
		vars = append(vars, namedType{name: v.Name, typ: v.Type})
	}
	vars = append(vars, more...)
	if failed := s.declareAll(pre.Imports, childDecls(pre.Decls), vars); len(failed) > 0 {
		return "declaring the session's types, functions and variables", errors.New(strings.Join(failed, "; "))
	}
	return "", nil
}
