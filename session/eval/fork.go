package eval

import (
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/traefik/yaegi/interp"

	"gosys/runtime/cellctl"
	"gosys/runtime/tracewire"
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
	enc := &fork.Encoder{}
	reached := s.reachedNames(site.Src)
	vars := map[string]fork.Var{}
	// Session variables first; captured values (possibly locals shadowing a
	// global) override them.
	for name, v := range s.globals() {
		if !s.isVariable(name) {
			continue
		}
		typ := s.globalType(name)
		if typ == "" {
			typ = v.Type().String() // compiled types print as pkg.Name, resolved through the child's imports
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
		vars[name] = fork.Var{Name: name, Type: typ, Value: x, Reached: true}
	}
	p := &fork.Payload{Site: site, Imports: map[string]string{}, Env: s.env()}
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p.Vars = append(p.Vars, vars[n])
	}
	s.mu.Lock()
	for n, ip := range s.imports {
		if !strings.HasPrefix(n, "_gosys") {
			p.Imports[n] = ip
		}
	}
	p.Decls = s.declSourceLocked()
	p.Sites = map[int]fork.Site{}
	for id, st := range s.sites {
		p.Sites[id] = st
	}
	s.mu.Unlock()
	for _, v := range p.Vars {
		for _, pkg := range packagesIn(v.Type) {
			if _, ok := p.Imports[pkg]; !ok {
				if ip, ok := s.stdPackage(pkg); ok {
					p.Imports[pkg] = ip
				}
			}
		}
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

// declSourceLocked returns the session's declarations as one file, in the
// order they were made; s.mu must be held.
func (s *Session) declSourceLocked() string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, name := range s.declOrder {
		d := s.decls[name]
		if d.kind == "var" || s.prelude[name] || seen[d.full] {
			continue
		}
		seen[d.full] = true
		b.WriteString(d.full)
		b.WriteString("\n")
	}
	return b.String()
}

// RunChild runs a forked function in this session, which must be fresh, and
// returns the exit status the child process should end with: 0 when the
// function returns, 2 after a panic (its traceback on stderr), the code of
// os.Exit. rt.Exit ends the process itself.
func (s *Session) RunChild(p *fork.Payload) int {
	ctx := context.Background()
	fail := func(what string, err error) int {
		fmt.Fprintf(os.Stderr, "gosys: forked child %d: %s: %v\n", os.Getpid(), what, err)
		return 2
	}
	s.mu.Lock()
	s.sites = p.Sites
	for id := range p.Sites {
		s.nextSite = max(s.nextSite, id)
	}
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
	vars := make([]namedType, len(p.Vars))
	for i, v := range p.Vars {
		vars[i] = namedType{name: v.Name, typ: v.Type}
	}
	// One file of declarations: the session's functions may use its
	// variables and the variables' types are declared among them.
	if failed := s.declareAll(p.Imports, []string{p.Decls}, vars); len(failed) > 0 {
		return fail("declaring the session's types, functions and variables", errors.New(strings.Join(failed, "; ")))
	}
	if len(p.Vars) > 0 {
		globals := s.globals()
		for _, v := range p.Vars {
			if v.Zero {
				continue
			}
			dst, ok := globals[v.Name]
			if !ok || !dst.CanSet() {
				return fail("setting "+v.Name, errors.New("not settable"))
			}
			if err := fork.Decode(v.Value, dst, s.lookupType); err != nil && v.Reached {
				return fail("setting "+v.Name, err)
			}
		}
	}
	site := p.Site
	if site.Cell != "" {
		// rt.Fork() at a cell's top level: the rest of the cell.
		return s.runChildCell(site.Cell)
	}
	body := strings.Repeat(" ", max(site.Col-1, 0)) + "func _gosysChild" + strings.TrimPrefix(site.Src, "func")
	// The child may fork in turn.
	body = s.rewriteForks(body, declChunk, site.Line)
	if _, err := s.eval(ctx, site.Line, body); err != nil {
		return fail("compiling the forked function", err)
	}
	s.trace.reset()
	_, err := s.eval(ctx, site.Line, "_gosysChild()")
	if err == nil {
		return 0
	}
	var pv interp.Panic
	if errors.As(err, &pv) {
		if code, ok := exitCode(pv.Value); ok {
			return code // os.Exit in the child: yaegi turned it into a panic
		}
	}
	e := s.describe(err, site.Src, "")
	fmt.Fprintln(os.Stderr, strings.Join(e.Traceback, "\n"))
	return 2
}

// runChildCell runs the rest of a cell in a child forked by rt.Fork() at
// the cell's top level, and returns its exit status: 0 at the end, 2 after
// an error (written to stderr as the cell would show it). rt.Exit and
// os.Exit end the process themselves.
func (s *Session) runChildCell(code string) int {
	out := s.Execute(context.Background(), code)
	if out.Err != nil {
		fmt.Fprintln(os.Stderr, strings.Join(out.Err.Traceback, "\n"))
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
	ip, ok := s.stdPackage(pkg)
	if !ok {
		return nil, false
	}
	v, ok := s.compiled[ip][sym]
	if !ok || !v.IsValid() || v.Kind() != reflect.Pointer {
		return nil, false
	}
	t := v.Type().Elem()
	for range stars {
		t = reflect.PointerTo(t)
	}
	return t, true
}
