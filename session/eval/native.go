package eval

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/traefik/yaegi/interp"

	"gosys/internal/content"
	"gosys/session/fork"
	"gosys/session/native"
)

// nativeMagic is the first line of a native cell.
const nativeMagic = "%%native"

// nativeState is what a session knows of its native cells.
type nativeState struct {
	builder native.Builder
	mu      sync.Mutex // guards what follows, read by forks
	// bound are the native packages the session imported, in the order a
	// fresh interpreter must import them to end with the same names: a
	// package bound again moves to the end.
	bound []*native.Package
	// names maps each name an earlier native cell declared, and no later
	// cell declared again, to its package.
	names map[string]*native.Package
}

// nativeSource returns the source of a native cell, its first line (the
// magic) blank so that lines stay the cell's.
func nativeSource(code string) (string, bool) {
	first, rest, _ := strings.Cut(code, "\n")
	if strings.TrimSpace(first) != nativeMagic {
		return "", false
	}
	return "\n" + rest, true
}

// runNative compiles a native cell (or finds it built) and binds its
// names in the session, replacing what earlier cells bound to them.
func (s *Session) runNative(ctx context.Context, code, src string) Outcome {
	s.natives.mu.Lock()
	visible := map[string]*native.Package{}
	for name, p := range s.natives.names {
		if token.IsExported(name) {
			visible[name] = p
		}
	}
	s.natives.mu.Unlock()
	pkg, err := s.natives.builder.Build(ctx, src, visible)
	if err != nil {
		return Outcome{Err: s.describeNative(err, code)}
	}
	if err := s.useNative(pkg); err != nil {
		return Outcome{Err: content.NewError("NativeError", err.Error())}
	}
	return Outcome{}
}

// useNative binds a native package's names in the session and records
// its declarations (for completion, inspection and the recipe).
func (s *Session) useNative(pkg *native.Package) error {
	if err := s.bindNative(pkg); err != nil {
		return err
	}
	s.mu.Lock()
	for _, d := range pkg.Order {
		s.declare(d.Name, declared{kind: d.Kind, src: d.Src, full: d.Src, native: pkg.Path})
	}
	s.mu.Unlock()
	s.declared.Store(true)
	return nil
}

// restoreNative loads a native cell's package from its cache entry and
// uses it, in a fresh session that replaces one that died (see Restore).
func (s *Session) restoreNative(path, dir string) error {
	pkg, err := native.Restore(path, dir)
	if err != nil {
		return err
	}
	return s.useNative(pkg)
}

// bindNative hands a native package to the interpreter and imports its
// names into the session, over any of the same names.
func (s *Session) bindNative(p *native.Package) error {
	if err := s.in.Use(interp.Exports{p.Path + "/" + p.Name: p.Symbols}); err != nil {
		return fmt.Errorf("native cell: %w", err)
	}
	if _, err := s.in.Eval(`import . "` + p.Path + `"`); err != nil {
		return fmt.Errorf("native cell: import its names: %w", err)
	}
	s.natives.mu.Lock()
	defer s.natives.mu.Unlock()
	if s.natives.names == nil {
		s.natives.names = map[string]*native.Package{}
	}
	for i, b := range s.natives.bound {
		if b.Path == p.Path {
			s.natives.bound = append(s.natives.bound[:i:i], s.natives.bound[i+1:]...)
			break
		}
	}
	s.natives.bound = append(s.natives.bound, p)
	for name, d := range p.Decls {
		if d.Exported {
			s.natives.names[name] = p
		}
	}
	return nil
}

// forgetNative drops name from the native names: an interpreted cell
// declared it again. s.mu is held.
func (s *Session) forgetNative(name string) {
	s.natives.mu.Lock()
	delete(s.natives.names, name)
	s.natives.mu.Unlock()
}

// nativePayload lists the native packages a forked child loads, in order,
// with the values of their variables (encoded by enc, with the session's
// variables: memory they share stays shared). A variable whose value
// cannot be carried keeps, in the child, its initial value.
func (s *Session) nativePayload(enc *fork.Encoder) []fork.Native {
	s.natives.mu.Lock()
	defer s.natives.mu.Unlock()
	out := make([]fork.Native, len(s.natives.bound))
	for i, p := range s.natives.bound {
		out[i] = fork.Native{Path: p.Path, Dir: p.Dir}
		for _, d := range p.Order {
			if d.Kind != "var" || s.natives.names[d.Name] != p {
				continue
			}
			if enc == nil {
				break
			}
			if x, err := enc.Encode(p.Symbols[d.Name]); err == nil {
				out[i].Vars = append(out[i].Vars, fork.Var{Name: d.Name, Value: x})
			}
		}
	}
	return out
}

// setNativeVars gives, in a forked child, the native cells' variables the
// values they had in the parent.
func (s *Session) setNativeVars(p *fork.Payload) error {
	dec := fork.NewDecoder(s.lookupType, p.Pointers)
	for _, n := range p.Natives {
		pkg, ok := s.nativePackageByPath(n.Path)
		if !ok {
			continue
		}
		for _, v := range n.Vars {
			if dst := pkg.Symbols[v.Name]; dst.IsValid() && dst.CanSet() {
				if err := dec.Decode(v.Value, dst); err != nil {
					return fmt.Errorf("%s: %w", v.Name, err)
				}
			}
		}
	}
	return nil
}

// loadNatives loads and binds, in a forked child, the native packages of
// its parent, in the parent's order.
func (s *Session) loadNatives(ns []fork.Native) error {
	for _, n := range ns {
		p, err := native.Load(n.Path, n.Dir)
		if err != nil {
			return err
		}
		if err := s.bindNative(p); err != nil {
			return err
		}
	}
	return nil
}

// nativePackage returns the native package whose package name is name
// (compiled types print as name.T).
func (s *Session) nativePackage(name string) (*native.Package, bool) {
	return s.findNative(func(p *native.Package) bool { return p.Name == name })
}

// nativePackageByPath returns the bound native package of import path path.
func (s *Session) nativePackageByPath(path string) (*native.Package, bool) {
	return s.findNative(func(p *native.Package) bool { return p.Path == path })
}

// findNative returns the first bound native package match accepts.
func (s *Session) findNative(match func(*native.Package) bool) (*native.Package, bool) {
	s.natives.mu.Lock()
	defer s.natives.mu.Unlock()
	for _, p := range s.natives.bound {
		if match(p) {
			return p, true
		}
	}
	return nil, false
}

// cellPosition matches the start of a BuildError line placed in the cell.
var cellPosition = regexp.MustCompile(`^(\d+):\d+: `)

// nonLocalMethod matches the compiler's refusal of a method on a type of
// an earlier native cell.
var nonLocalMethod = regexp.MustCompile(`cannot define new methods on non-local type c[0-9a-f]+\.([\pL_][\pL\pN_]*)`)

// nativeQualifier matches a native cell's package name qualifying a name
// in a compiler message ("c0123abcd.Ring").
var nativeQualifier = regexp.MustCompile(`\bc[0-9a-f]{20}\.`)

// undefinedName matches the compiler's words for a name it does not know.
var undefinedName = regexp.MustCompile(`undefined: ([\pL_][\pL\pN_]*)$`)

// describeNative turns a failed native build into the cell's error: its
// lines are the cell's, and a name the cell could not use says why.
func (s *Session) describeNative(err error, code string) *content.Error {
	var be *native.BuildError
	if !errors.As(err, &be) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return s.describe(err, code, "")
		}
		return content.NewError("NativeError", err.Error())
	}
	lines := make([]string, len(be.Lines))
	for i, l := range be.Lines {
		if m := cellPosition.FindStringSubmatch(l); m != nil {
			// describe reads yaegi's lines, one past the cell's (see eval).
			n, _ := strconv.Atoi(m[1])
			l = strconv.Itoa(n+1) + l[len(m[1]):]
		}
		if m := nonLocalMethod.FindStringSubmatch(l); m != nil {
			l += fmt.Sprintf(" (%s is declared by an earlier native cell: a method is declared in the cell of its type; add it there and run that cell again)", m[1])
		}
		// The packages of native cells are the cells: their names say nothing.
		l = nativeQualifier.ReplaceAllString(l, "")
		lines[i] = l
		if m := undefinedName.FindStringSubmatch(l); m != nil {
			lines[i] += s.whyUndefined(m[1])
		}
	}
	e := s.describe(errors.New(strings.Join(lines, "\n")), code, "")
	if be.Syntax {
		e.Name = "SyntaxError"
		for i, t := range e.Traceback {
			e.Traceback[i] = strings.Replace(t, "CompileError: ", "SyntaxError: ", 1)
		}
	}
	return e
}

// whyUndefined explains why a native cell cannot use name, when the
// session has it: it is interpreted, or unexported by another native cell.
func (s *Session) whyUndefined(name string) string {
	s.mu.Lock()
	d, ok := s.decls[name]
	s.mu.Unlock()
	_, isVar := s.globals()[name]
	switch {
	case ok && d.native != "":
		return fmt.Sprintf(" (%s is declared by an earlier native cell but not exported: another native cell can use only capitalized names)", name)
	case ok || isVar:
		return fmt.Sprintf(" (%s is declared by an interpreted cell: a native cell is compiled on its own, with the standard library, golang.org/x/sys/unix, gosys/rt and earlier native cells; declare %s in a %%%%native cell to use it here)", name, name)
	}
	return ""
}
