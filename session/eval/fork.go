package eval

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/traefik/yaegi/interp"

	"gosys/rt/cellctl"
	"gosys/rt/tracewire"
	"gosys/session/fork"
)

// addSite registers a fork site and returns its number.
func (s *Session) addSite(site fork.Site) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextSite++
	s.sites[s.nextSite] = site
	return s.nextSite
}

// forkCall is what rewritten rt.Fork calls run: it starts a child that runs
// the site's function with the captured values vals, and returns its pid.
func (s *Session) forkCall(id int, vals []any, _ func()) (int, error) {
	s.mu.Lock()
	site, ok := s.sites[id]
	s.mu.Unlock()
	if !ok || len(vals) != len(site.Captures) {
		return -1, fmt.Errorf("rt.Fork: unknown fork site %d", id)
	}
	start := time.Now()
	p, fds, err := s.payload(site, vals)
	pid := -1
	if err == nil {
		p.TraceFD = tracewire.FD() // the child gets it at a number of its own
		pid, err = s.start(p, fds)
	}
	if tracewire.Active() {
		e := tracewire.Event{Call: "fork", FD: -1, Ret: pid, Start: start, End: time.Now()}
		if err != nil {
			e.Ret, e.Err = -1, err.Error()
		}
		tracewire.Emit(e)
	}
	if err != nil {
		return -1, err
	}
	cellctl.RegisterChild(pid)
	return pid, nil
}

// start starts a child for p within the children limit of the whole
// session tree (see cellctl), and returns its pid.
func (s *Session) start(p *fork.Payload, fds []int) (int, error) {
	slot, err := cellctl.ReserveChild()
	if err != nil {
		return -1, fmt.Errorf("rt.Fork: %w", err)
	}
	pid, err := s.forker.Start(p, fds)
	if err != nil {
		slot.Cancel()
		return -1, fmt.Errorf("rt.Fork: %w", err)
	}
	slot.Commit(pid)
	return pid, nil
}

// payload assembles what the child of site needs.
func (s *Session) payload(site fork.Site, vals []any) (*fork.Payload, []int, error) {
	return s.payloadWith(site, vals, true)
}

// payloadWith assembles a payload; without values, its variables have
// their names and types only (what a prelude needs: prime.go).
func (s *Session) payloadWith(site fork.Site, vals []any, values bool) (*fork.Payload, []int, error) {
	enc := &fork.Encoder{}
	reached := s.reachedNames(site.Src)
	vars := map[string]fork.Var{}
	p := &fork.Payload{Site: site, Imports: map[string]string{}}
	if values {
		p.Env = s.env()
	}
	// Session variables, all of them (the child's code may call functions
	// that use them), then the captured locals: a local shadowing a session
	// variable is the child's code's, the variable stays its functions'.
	for name, v := range s.globals() {
		if !s.isVariable(name) {
			continue
		}
		typ := s.globalType(name)
		if typ == "" {
			typ = v.Type().String() // compiled types print as pkg.Name, resolved through the child's imports
		}
		if !values {
			vars[name] = fork.Var{Name: name, Type: typ}
			continue
		}
		x, err := enc.Encode(v)
		if err != nil {
			if reached[name] {
				return nil, nil, fmt.Errorf("rt.Fork: variable %s of type %s: %w", name, typ, err)
			}
			vars[name] = fork.Var{Name: name, Type: typ, Zero: true}
			continue
		}
		vars[name] = fork.Var{Name: name, Type: typ, Value: x, Reached: reached[name]}
	}
	for i, name := range site.Captures {
		v := reflect.ValueOf(vals[i])
		typ := site.Types[i]
		if typ == "" && v.IsValid() {
			typ = v.Type().String() // compiled types print as pkg.Name, resolved through the child's imports
		}
		if typ == "" {
			// A nil interface value: nothing tells its static type.
			typ = "any"
		}
		x, err := enc.Encode(v)
		if err != nil {
			return nil, nil, fmt.Errorf("rt.Fork: variable %s of type %s: %w", name, typ, err)
		}
		p.Captures = append(p.Captures, fork.Var{Name: name, Type: typ, Value: x, Reached: true})
	}
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p.Vars = append(p.Vars, vars[n])
	}
	if values {
		p.Natives = s.nativePayload(enc)
	} else {
		p.Natives = s.nativePayload(nil)
	}
	p.Pointers = enc.Pointers
	s.mu.Lock()
	for n, ip := range s.imports {
		if !strings.HasPrefix(n, "_gosys") {
			p.Imports[n] = ip
		}
	}
	p.Decls = s.declsLocked()
	p.Sites = map[int]fork.Site{}
	for id, st := range s.sites {
		p.Sites[id] = st
	}
	s.mu.Unlock()
	for _, v := range slices.Concat(p.Vars, p.Captures) {
		for _, pkg := range packagesIn(v.Type) {
			if _, ok := p.Imports[pkg]; !ok {
				if ip, ok := s.stdPackage(pkg); ok {
					p.Imports[pkg] = ip
				} else if n, ok := s.nativePackage(pkg); ok {
					p.Imports[pkg] = n.Path
				}
			}
		}
	}
	if !values {
		return p, nil, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return nil, nil, fmt.Errorf("rt.Fork: working directory: %w", err)
	}
	p.Dir = dir
	return p, enc.FDs, nil
}

// isVariable reports whether a name from yaegi's globals is a variable
// (not a constant, not the session's own plumbing).
func (s *Session) isVariable(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.decls[name].kind != "const" && !strings.HasPrefix(name, "_gosys")
}

// env is the environment cells see (yaegi keeps its own copy), or nil when
// it is the process's own, which the child has already.
func (s *Session) env() []string {
	v, err := s.in.Eval("_gosysOS.Environ()")
	if err != nil {
		return nil
	}
	env, _ := v.Interface().([]string)
	real := os.Environ()
	if slices.Equal(slices.Sorted(slices.Values(env)), slices.Sorted(slices.Values(real))) {
		return nil
	}
	return env
}

var qualified = regexp.MustCompile(`\b([a-z_][A-Za-z0-9_]*)\.[A-Z]`)

// packagesIn returns the package names a type expression refers to.
func packagesIn(typ string) []string {
	var out []string
	for _, m := range qualified.FindAllStringSubmatch(typ, -1) {
		out = append(out, m[1])
	}
	return out
}

// reachedNames over-approximates the names the child's code can reach: the
// literal's identifiers and, transitively, those of the session functions
// and methods it names.
func (s *Session) reachedNames(src string) map[string]bool {
	reached := map[string]bool{}
	queue := []string{src}
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(queue) > 0 {
		text := queue[0]
		queue = queue[1:]
		for _, id := range identifiers(text) {
			if reached[id] {
				continue
			}
			reached[id] = true
			for name, d := range s.decls {
				if d.kind != "func" {
					continue
				}
				if name == id || strings.HasSuffix(name, "."+id) {
					queue = append(queue, d.full)
				}
			}
		}
	}
	return reached
}

// identifiers returns the identifiers of Go source, not the words of its
// strings and comments.
func identifiers(src string) []string {
	fset := token.NewFileSet()
	f := fset.AddFile("", fset.Base(), len(src))
	var sc scanner.Scanner
	sc.Init(f, []byte(src), nil, 0)
	var out []string
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			return out
		}
		if tok == token.IDENT {
			out = append(out, lit)
		}
	}
}

// declsLocked returns the session's declarations in the order they were
// made, each placed in its cell; s.mu must be held.
func (s *Session) declsLocked() []fork.Decl {
	var out []fork.Decl
	seen := map[string]bool{}
	for _, name := range s.declOrder {
		d := s.decls[name]
		if d.kind == "var" || s.prelude[name] || seen[d.full] || d.native != "" {
			continue // a native declaration comes with its package (Payload.Natives)
		}
		seen[d.full] = true
		out = append(out, fork.Decl{Src: d.full, Line: d.line, Col: d.col})
	}
	return out
}

// childDecls returns the sources a forked child declares ds from, each
// placed in its cell by a line directive.
func childDecls(ds []fork.Decl) []string {
	srcs := make([]string, len(ds))
	for i, d := range ds {
		srcs[i] = "\n" + lineDirective(d.Line, 1) + "\n" + strings.Repeat(" ", max(d.Col-1, 0)) + d.Src
	}
	return srcs
}

// captureVar is the session variable a forked child decodes the i-th
// captured local into, before passing it to the site's function.
func captureVar(i int) string { return "_gosysCapture" + strconv.Itoa(i) }

// childFunc returns the declaration of _gosysChild, the function a forked
// child runs: the site's function literal with the captured locals as its
// parameters (so that a local shadowing a session variable does so only
// in the site's code), placed in its cell by line directives.
func childFunc(site fork.Site, caps []fork.Var) (string, error) {
	fset := token.NewFileSet()
	e, err := parser.ParseExprFrom(fset, "", site.Src, 0)
	if err != nil {
		return "", err
	}
	fl, ok := e.(*ast.FuncLit)
	if !ok {
		return "", fmt.Errorf("not a function literal: %.40q", site.Src)
	}
	params := make([]string, len(caps))
	for i, c := range caps {
		params[i] = c.Name + " " + c.Type
	}
	// The text after the literal's parameters, where the cell has it.
	after := fset.Position(fl.Type.Params.Closing).Offset + 1
	line := site.Line + strings.Count(site.Src[:after], "\n")
	col := after - strings.LastIndexByte(site.Src[:after], '\n')
	if line == site.Line {
		col += site.Col - 1
	}
	return "\n" + lineDirective(site.Line, site.Col) + "\nfunc _gosysChild(" + strings.Join(params, ", ") + ")" +
		blockLineDirective(line, col) + site.Src[after:], nil
}

// childFrames renames, in a forked child that runs a site's function, the
// frames of a traceback as the learner knows them: _gosysChild is the
// function that holds an rt.Fork() in C's shape, or the function literal
// given to rt.Fork; the top-level call of it is the child's own, left out.
func (s *Session) childFrames(frames []string) []string {
	if s.child == nil || s.child.Cell != "" {
		return frames
	}
	name := s.child.Func
	if name == "" {
		name = "func" // a function literal
	}
	var out []string
	for _, f := range frames {
		m := panicLine.FindStringSubmatch(f)
		switch {
		case m == nil:
		case m[3] == "main(...)":
			continue
		case strings.HasPrefix(m[3], "main._gosysChild("):
			f = strings.Replace(f, "main._gosysChild(", "main."+name+"(", 1)
		}
		out = append(out, f)
	}
	return out
}

// childSources are the lines a forked child quotes: those of its site (or
// the rest of the cell it runs) and of the declarations it replayed.
func (s *Session) childSources() sources {
	src := sources{decl: s.declLines}
	if s.child != nil {
		if s.child.Cell != "" {
			src.cell = strings.Split(s.child.Cell, "\n")
		} else {
			src.cell = placeLines(s.child.Text, s.child.Line)
		}
	}
	return src
}

// childGoPanic ends a forked child one of whose goroutines panicked, as
// the panic would end a Go program: its report on stderr, as the session
// reports a goroutine's panic, then exit status 2. os.Exit in the
// goroutine ends the child with its code.
func (s *Session) childGoPanic(r any, frames []string) {
	if code, ok := exitCode(r); ok {
		s.childExit(code)
		return
	}
	e := describeGoroutinePanic(r, s.childFrames(frames), 0, s.childSources())
	fmt.Fprintln(s.stderr, strings.Join(e.Traceback, "\n"))
	s.childExit(2)
}

// RunChild runs a forked function in this session, which must be fresh, and
// returns the exit status the child process should end with: 0 when the
// function returns, 2 after a panic (its traceback on stderr), the code of
// os.Exit. rt.Exit ends the process itself.
//
// todo is what p adds to what the child declared ahead (fork.WaitHandoff),
// nil when it declared nothing ahead: then all of p's prelude.
func (s *Session) RunChild(p *fork.Payload, todo *fork.Prelude) int {
	ctx := context.Background()
	fail := func(what string, err error) int {
		fmt.Fprintf(s.stderr, "gosys: forked child %d: %s: %v\n", os.Getpid(), what, err)
		return 2
	}
	site := p.Site
	s.mu.Lock()
	// Code compiled here names the sites its rewriting registered here.
	// A child that declared the session ahead has registered its own,
	// which the parent's numbers must not replace.
	if todo == nil {
		s.sites = p.Sites
		todo = fork.PreludeOf(p)
	}
	for id := range p.Sites {
		if _, taken := s.sites[id]; !taken {
			s.sites[id] = p.Sites[id]
		}
		s.nextSite = max(s.nextSite, id)
	}
	s.child = &site
	s.mu.Unlock()
	if len(p.Env) > 0 {
		s.setEnv(p.Env)
		// rt.Exec and children of the child read the process's own.
		os.Clearenv()
		for _, kv := range p.Env {
			k, v, _ := strings.Cut(kv, "=")
			os.Setenv(k, v)
		}
	}
	captures := make([]namedType, len(p.Captures))
	for i, v := range p.Captures {
		captures[i] = namedType{name: captureVar(i), typ: v.Type}
	}
	if what, err := s.declarePrelude(todo, captures); err != nil {
		return fail(what, err)
	}
	if len(p.Vars)+len(p.Captures) > 0 {
		globals := s.globals()
		// One decoder for all: values that shared memory in the parent
		// share it here.
		dec := fork.NewDecoder(s.lookupType, p.Pointers)
		set := func(name string, v fork.Var) error {
			if v.Zero {
				return nil
			}
			dst, ok := globals[name]
			if !ok || !dst.CanSet() {
				return errors.New("not settable")
			}
			if err := dec.Decode(v.Value, dst); err != nil && v.Reached {
				return err
			}
			return nil
		}
		for _, v := range p.Vars {
			if err := set(v.Name, v); err != nil {
				return fail("setting "+v.Name, err)
			}
		}
		for i, v := range p.Captures {
			if err := set(captureVar(i), v); err != nil {
				return fail("setting "+v.Name, err)
			}
		}
	}
	if err := s.setNativeVars(p); err != nil {
		return fail("setting the native cells' variables", err)
	}
	if site.Cell != "" {
		// rt.Fork() at a cell's top level: the rest of the cell.
		return s.runChildCell(site.Cell)
	}
	body, err := childFunc(site, p.Captures)
	if err != nil {
		return fail("the forked function", err)
	}
	// The child may fork in turn; its sites quote the lines of this one.
	s.fctx = forkContext{text: placeLines(site.Text, site.Line)}
	body = s.rewriteForks(body, declChunk, 0)
	s.fctx = forkContext{}
	if _, err := s.eval(ctx, 0, body); err != nil {
		return fail("compiling the forked function", err)
	}
	args := make([]string, len(p.Captures))
	for i := range args {
		args[i] = captureVar(i)
	}
	s.trace.reset()
	_, err = s.eval(ctx, 0, "_gosysChild("+strings.Join(args, ", ")+")")
	if err == nil {
		return 0
	}
	var pv interp.Panic
	if errors.As(err, &pv) {
		if code, ok := exitCode(pv.Value); ok {
			return code // os.Exit in the child: yaegi turned it into a panic
		}
	}
	e := s.describe(err, strings.Join(placeLines(site.Text, site.Line), "\n"), "")
	fmt.Fprintln(s.stderr, strings.Join(e.Traceback, "\n"))
	return 2
}

// runChildCell runs the rest of a cell in a child forked by rt.Fork() at
// the cell's top level, and returns its exit status: 0 at the end, 2 after
// an error (written to stderr as the cell would show it). rt.Exit and
// os.Exit end the process themselves.
func (s *Session) runChildCell(code string) int {
	out := s.Execute(context.Background(), code)
	if out.Err != nil {
		fmt.Fprintln(s.stderr, strings.Join(out.Err.Traceback, "\n"))
		return 2
	}
	return 0
}

// setEnv replaces the environment cells see.
func (s *Session) setEnv(env []string) {
	var b strings.Builder
	b.WriteString("_gosysOS.Clearenv()\n")
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&b, "_gosysOS.Setenv(%q, %q)\n", k, v)
	}
	_, _ = s.in.Eval(b.String())
}

// lookupType finds a compiled type by reflect's name for it.
func (s *Session) lookupType(name string) (reflect.Type, bool) {
	stars := len(name) - len(strings.TrimLeft(name, "*"))
	pkg, sym, ok := strings.Cut(name[stars:], ".")
	if !ok {
		return nil, false
	}
	var syms map[string]reflect.Value
	if n, ok := s.nativePackage(pkg); ok {
		syms = n.Symbols
	} else if ip, ok := s.stdPackage(pkg); ok {
		syms, _ = s.compiledPackage(ip)
	} else {
		return nil, false
	}
	v, ok := syms[sym]
	if !ok || !v.IsValid() || v.Kind() != reflect.Pointer {
		return nil, false
	}
	t := v.Type().Elem()
	for range stars {
		t = reflect.PointerTo(t)
	}
	return t, true
}
