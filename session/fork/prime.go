package fork

import (
	"errors"
	"fmt"
	"slices"

	"golang.org/x/sys/unix"
)

// A warm child is kept in step with the session: after a cell that
// changed the session, the parent sends each idle warm child the session's
// Prelude (its imports, declarations, native cells, and its variables'
// names and types) and the child declares it then, off the fork's path.
// A fork then declares only what the session added since (often nothing)
// before it sets the variables' values and runs the function.
//
// A child's declarations cannot be taken back: a prelude that does not
// extend the one a child has (a function declared again with another
// body, a variable whose type changed) cannot be applied to it. The parent
// lets such a child go and starts a fresh one; a fork whose payload does
// not extend the child's prelude is refused by the child, and the parent
// starts a cold child for it.

// Prelude is what a warm child declares ahead of a fork.
type Prelude struct {
	Imports map[string]string `json:"imports"`
	Decls   []Decl            `json:"decls"`
	// Natives carry their Path and Dir only: values come with a fork.
	Natives []Native `json:"natives,omitempty"`
	// Vars carry their Name and Type only.
	Vars []Var `json:"vars"`
}

// PreludeOf returns the part of p a warm child may have declared ahead.
func PreludeOf(p *Payload) *Prelude {
	pre := &Prelude{Imports: p.Imports, Decls: p.Decls}
	for _, n := range p.Natives {
		pre.Natives = append(pre.Natives, Native{Path: n.Path, Dir: n.Dir})
	}
	for _, v := range p.Vars {
		pre.Vars = append(pre.Vars, Var{Name: v.Name, Type: v.Type})
	}
	return pre
}

// Extend returns what next adds to pre, and whether next extends pre at
// all: the same imports under the same names and more, pre's declarations
// and native cells first and in the same order, pre's variables with the
// same types. A nil pre is extended by anything (the delta is next).
func (pre *Prelude) Extend(next *Prelude) (delta *Prelude, ok bool) {
	if pre == nil {
		return next, true
	}
	delta = &Prelude{Imports: map[string]string{}}
	for name, path := range pre.Imports {
		if next.Imports[name] != path {
			return nil, false
		}
	}
	for name, path := range next.Imports {
		if _, had := pre.Imports[name]; !had {
			delta.Imports[name] = path
		}
	}
	if len(next.Decls) < len(pre.Decls) || !slices.Equal(pre.Decls, next.Decls[:len(pre.Decls)]) {
		return nil, false
	}
	delta.Decls = next.Decls[len(pre.Decls):]
	if len(next.Natives) < len(pre.Natives) {
		return nil, false
	}
	for i, n := range pre.Natives {
		if next.Natives[i].Path != n.Path || next.Natives[i].Dir != n.Dir {
			return nil, false
		}
	}
	delta.Natives = next.Natives[len(pre.Natives):]
	had := map[string]string{}
	for _, v := range pre.Vars {
		had[v.Name] = v.Type
	}
	seen := 0
	for _, v := range next.Vars {
		typ, ok := had[v.Name]
		switch {
		case !ok:
			delta.Vars = append(delta.Vars, Var{Name: v.Name, Type: v.Type})
		case typ != v.Type:
			return nil, false
		default:
			seen++
		}
	}
	if seen != len(had) {
		return nil, false // a variable of pre is no longer one
	}
	return delta, true
}

// Empty reports whether the prelude declares nothing.
func (pre *Prelude) Empty() bool {
	return len(pre.Imports) == 0 && len(pre.Decls) == 0 && len(pre.Natives) == 0 && len(pre.Vars) == 0
}

// Equal reports whether two preludes declare the same: o extends pre by
// nothing (Extend already requires all of pre in o).
func (pre *Prelude) Equal(o *Prelude) bool {
	if pre == nil || o == nil {
		return pre == o
	}
	d, ok := pre.Extend(o)
	return ok && d.Empty()
}

// Active reports whether the session has forked, so that the pool keeps
// (or is starting) warm children a prelude is worth computing for.
func (p *Pool) Active() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.want > 0
}

// Prime gives the pool the session's prelude as of the cell that just
// ended. Each idle warm child is sent it in the background; a child whose
// declarations it does not extend is let go, and a fresh one started.
// Children started later get it when they start.
func (p *Pool) Prime(pre *Prelude) {
	p.mu.Lock()
	if p.prelude.Equal(pre) {
		p.mu.Unlock()
		return
	}
	p.prelude = pre
	idle := slices.Clone(p.idle)
	p.mu.Unlock()
	go func() {
		refill := false
		for _, w := range idle {
			if err := w.prime(pre); err != nil {
				p.logf("fork pool: warm child %d: %v; starting another", w.pid, err)
				p.remove(w)
				w.stop()
				refill = true
			}
		}
		if refill {
			p.Fill()
		}
	}()
}

// remove takes w out of the idle children, if it is there.
func (p *Pool) remove(w *warmChild) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i := slices.Index(p.idle, w); i >= 0 {
		p.idle = slices.Delete(p.idle, i, i+1)
	}
}

// errStale means a prelude does not extend what a warm child declared.
var errStale = errors.New("the session changed a declaration this child has")

// prime sends pre to the child, which declares what it adds to what it
// has. A child already handed over is left alone.
func (w *warmChild) prime(pre *Prelude) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gone {
		return nil
	}
	if _, ok := w.primed.Extend(pre); !ok {
		return errStale
	}
	msg, err := frame(handoff{Prime: pre})
	if err == nil {
		err = writeAll(w.ctrl, msg)
	}
	if err != nil {
		return fmt.Errorf("prime: %w", err)
	}
	w.primed = pre
	return nil
}

// stop ends an idle warm child the pool lets go.
func (w *warmChild) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gone {
		return
	}
	w.gone = true
	unix.Close(w.ctrl)
	kill(w.pid)
}
