// Package eval runs notebook cells: Go source in one persistent yaegi
// session, "!command" lines in /bin/sh and the %time magics. It turns the
// value of a cell's last expression into a MIME bundle and every failure
// (syntax, compile, panic, interrupt, exit) into a protocol error whose
// line numbers are the cell's own.
package eval

import (
	"gosys/internal/content"
	"slices"
	"sync/atomic"

	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"io"
	"os"
	"path"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/traefik/yaegi/interp"

	"gosys/session/fork"
	"gosys/session/symbols"
)

// Options configure a Session.
type Options struct {
	// Kit is what the interpreter is set up with: the compiled packages
	// cells may import, the interpreted ones, the prelude (see symbols).
	Kit symbols.Kit
	// Stdin is what os.Stdin and fmt.Scan read in cells (descriptor 0).
	Stdin *os.File
	// Stdout and Stderr receive cell output (descriptors 1 and 2).
	Stdout, Stderr *os.File
	// Forker starts forked children; nil starts each one cold.
	Forker Forker
	// Env is the environment cells see through os.Getenv; nil means the
	// process's.
	Env []string
	// GoPanic, when set, receives each panic that ends a goroutine started
	// by a go statement of a cell, on that goroutine, with the number (see
	// SetCell) of the cell whose go statement started it; the session goes
	// on. Without it such a panic ends the process, as in Go.
	GoPanic func(cell int, e *content.Error)
	// PanicFrame, when set, is told of each line the interpreter writes for
	// a frame a panic unwinds, on the panicking goroutine g, as it is
	// written: if the panic ends the process, the frames were told.
	PanicFrame func(g uint64, line string)
	// ChildExit is set in a process rt.Fork started (see RunChild): it ends
	// the process with the status given. A panic that ends a goroutine of
	// the child's code is reported on Stderr as the session reports one
	// (GoPanic), then ends the process with status 2, as an unrecovered
	// panic ends a Go program; os.Exit in such a goroutine ends it with its
	// code.
	ChildExit func(code int)
}

// Forker starts a child process running a fork payload, keeping the
// descriptors in keep open at their numbers, and returns its pid.
type Forker interface {
	Start(p *fork.Payload, keep []int) (int, error)
}

// coldForker starts every child by re-executing the binary.
type coldForker struct{}

func (coldForker) Start(p *fork.Payload, keep []int) (int, error) { return fork.Start(p, keep) }

// Outcome is what a cell produced besides its streamed output.
type Outcome struct {
	// Result is the value of the last expression, nil when there is none.
	Result *content.Bundle
	// Err is set when the cell failed; the session survives it.
	Err *content.Error
	// Page is text for the frontend's pager ("fmt.Println?" asks for it).
	Page string
}

// Session is one yaegi interpreter that keeps its state across cells.
// Execute may not be called concurrently; Complete and Inspect may be called
// while a cell runs.
type Session struct {
	in     *interp.Interpreter
	stdout io.Writer
	stderr io.Writer
	trace  *panicTrace
	forker Forker
	shown  []any // values passed to the result hook by the last cell

	goPanic   func(int, *content.Error)
	childExit func(int)    // see Options.ChildExit
	cell      atomic.Int64 // see SetCell
	// declared is set when a chunk may have declared something since the
	// last Recipe (see DeclaredSince).
	declared atomic.Bool

	mu sync.Mutex // guards decls and imports, read by completion
	// imports maps a cell-visible package name to its import path.
	imports map[string]string
	// decls are the cells' top-level declarations by name ("T.M" for methods).
	decls map[string]declared
	// compiled maps the import path of each compiled package loaded with
	// the interpreter to its symbols; lazy holds those the interpreter
	// loads when first used (see compiledPackage).
	compiled map[string]map[string]reflect.Value
	lazy     map[string]bool
	// generics compiles the interpreted standard packages (slices, maps,
	// cmp, iter) when a cell first imports one.
	generics *symbols.Generics
	// sites are the session's rt.Fork calls by number.
	sites    map[int]fork.Site
	nextSite int
	// globalTypes are the type expressions of session variables, as their
	// declarations show them.
	globalTypes map[string]string
	// declOrder lists the names in decls in the order they were declared.
	declOrder []string
	// prelude are the names the prelude declared: every session has them.
	prelude map[string]bool
	// fctx places the chunk being rewritten in its cell (see forkContext).
	fctx forkContext
	// docs caches parsed documentation of standard packages by import path.
	docs map[string]*packageDoc
	// child is, in a forked child, the site it runs (see RunChild).
	child *fork.Site
	// natives are the session's native cells (see runNative).
	natives nativeState
}

// resultHook is the package path of the compiled function the session calls
// with the value of a cell's last expression.
const resultHook = "gosys/session/eval/result"

// New starts a session.
func New(opts Options) (*Session, error) {
	s := &Session{
		stdout: opts.Stdout, stderr: opts.Stderr, imports: map[string]string{}, decls: map[string]declared{},
		docs: map[string]*packageDoc{}, sites: map[int]fork.Site{}, globalTypes: map[string]string{},
	}
	s.trace = &panicTrace{out: opts.Stderr, onFrame: opts.PanicFrame}
	s.forker = opts.Forker
	if s.forker == nil {
		s.forker = coldForker{}
	}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	s.goPanic, s.childExit = opts.GoPanic, opts.ChildExit
	var goStatement func() func(any)
	if s.goPanic != nil || s.childExit != nil {
		goStatement = s.goStatement
	}
	s.in = interp.New(interp.Options{
		Stdin: opts.Stdin, Stdout: opts.Stdout, Stderr: s.trace, Env: env,
		Args: []string{"gosys"}, GoStatement: goStatement,
		// Never source from disk: see noSourceFS.
		GoPath: noSourceGoPath, SourcecodeFilesystem: noSourceFS{},
	})
	if err := opts.Kit.Setup(s.in); err != nil {
		return nil, err
	}
	s.generics = opts.Kit.NewGenerics(s.in)
	s.compiled, s.lazy = map[string]map[string]reflect.Value{}, map[string]bool{}
	for _, l := range opts.Kit.Lazy {
		for key := range l {
			s.lazy[path.Dir(key)] = true
		}
	}
	for _, syms := range opts.Kit.Exports {
		for key, m := range syms {
			if key != "." {
				s.compiled[path.Dir(key)] = m
			}
		}
	}
	show := func(vals ...any) { s.shown = vals }
	if err := s.in.Use(interp.Exports{
		resultHook + "/result": {"Show": reflect.ValueOf(show)},
		forkHook + "/forkhook": {
			"Fork":  reflect.ValueOf(s.forkCall),
			"Child": reflect.ValueOf(func() (int, error) { return 0, nil }),
		},
		".": {"MapTypes": reflect.ValueOf(map[reflect.Value][]reflect.Type{
			reflect.ValueOf(show): showInterfaces(),
		})},
	}); err != nil {
		return nil, fmt.Errorf("load result hook: %w", err)
	}
	hooks := `import (
	_gosysResult "` + resultHook + `"
	_gosysFork "` + forkHook + `"
	_gosysOS "os"
)`
	if _, err := s.in.Eval(hooks); err != nil {
		return nil, fmt.Errorf("import the session's hooks: %w", err)
	}
	// What the prelude declared and imported, as if cells had.
	for _, src := range append(slices.Clone(opts.Kit.Prelude), hooks) {
		s.noteImports(src, 0)
	}
	s.prelude = map[string]bool{}
	for _, name := range s.declOrder {
		s.prelude[name] = true
	}
	return s, nil
}

// Stop stops the running cell at once, before its context is cancelled:
// no statement of it starts after Stop returned. Calls blocked in compiled
// code return when they return; their callers go no further. Cancel the
// context too, so that Execute reports the interrupt.
func (s *Session) Stop() { s.in.Stop() }

// SetCell sets the number of the cell the next Execute runs; a goroutine
// panic is reported with the number of the cell that started it.
func (s *Session) SetCell(n int) { s.cell.Store(int64(n)) }

// goStatement is the interpreter's hook at each go statement: it binds the
// goroutine to the running cell and reports its panic through GoPanic (in
// a forked child, see childGoPanic).
func (s *Session) goStatement() func(any) {
	cell := int(s.cell.Load())
	return func(r any) {
		if s.childExit != nil {
			s.childGoPanic(r, s.trace.takeMine())
			return
		}
		s.goPanic(cell, describeGoroutinePanic(r, s.trace.takeMine(), cell, sources{}))
	}
}

// Execute runs one cell. ctx cancels it: the interpreter stops at its next
// statement, and Execute returns only once the cell's code has stopped, so
// none of it runs after (a call blocked in compiled code keeps it waiting:
// the rt package's calls, and the interruptible standard library calls the
// symbols package provides, return at once).
func (s *Session) Execute(ctx context.Context, code string) Outcome {
	if name, ok := helpTarget(code); ok {
		text, found := s.Inspect(name, utf8.RuneCountInString(name))
		if !found {
			e := &content.Error{Name: "NameError", Value: "nothing known about " + name}
			e.Traceback = []string{"NameError: " + e.Value}
			return Outcome{Err: e}
		}
		return Outcome{Page: text}
	}
	if src, ok := nativeSource(code); ok {
		return s.runNative(ctx, code, src)
	}
	c, timedLines, err := parseCell(code)
	if err != nil {
		return Outcome{Err: &content.Error{Name: "UsageError", Value: err.Error(), Traceback: []string{"UsageError: " + err.Error()}}}
	}
	start, startCPU := time.Now(), cpuTimes()
	var out Outcome
	for i, p := range c.pieces {
		last := i == len(c.pieces)-1
		switch p.kind {
		case shellPiece:
			out = Outcome{Err: runShell(ctx, p.src, s.env())}
		case goPiece:
			pStart, pCPU := time.Now(), cpuTimes()
			out = s.runGo(ctx, code, p, last)
			if timedLines[p.line] {
				reportTime(s.stdout, pStart, pCPU)
			}
		}
		if out.Err != nil {
			break
		}
	}
	if c.timed {
		reportTime(s.stdout, start, startCPU)
	}
	if out.Err == nil && ctx.Err() != nil {
		// Stopped by the interrupt between two evaluations, or by Stop
		// inside one that then returned no error: the cell did not finish.
		return Outcome{Err: interruptedError()}
	}
	return out
}

// helpPattern matches IPython's help syntax: "name?", "?name", "pkg.Name??".
var helpPattern = regexp.MustCompile(`^(?:\?{1,2}([A-Za-z_][\w.]*)|([A-Za-z_][\w.]*)\?{1,2})$`)

// helpTarget returns the name a help request asks about.
func helpTarget(code string) (string, bool) {
	m := helpPattern.FindStringSubmatch(strings.TrimSpace(code))
	if m == nil {
		return "", false
	}
	return m[1] + m[2], true
}

// runGo evaluates one Go piece chunk by chunk; the last chunk of the cell
// may yield the result.
func (s *Session) runGo(ctx context.Context, cellSrc string, p piece, lastPiece bool) Outcome {
	chunks := splitChunks(p.src)
	defer func() { s.fctx = forkContext{} }()
	lines := strings.Split(cellSrc, "\n")
	for i, ch := range chunks {
		// Where the chunk is, for rt.Fork() at the top level.
		s.fctx = forkContext{ok: true, cell: cellSrc, piece: p, shift: ch.end - len(ch.src), text: lines}
		if e := s.precheck(ch, cellSrc); e != nil {
			return Outcome{Err: e}
		}
		// Read again for each chunk: the one before may have declared some.
		ints := s.intGlobals()
		if ch.kind == stmtChunk && lastPiece && i == len(chunks)-1 {
			return s.runLast(ctx, cellSrc, ch, ints)
		}
		src := s.rewrite(ch.src, ch.kind, ch.line, ints)
		if ch.kind == declChunk {
			var left bool
			if src, left = s.dropKnownImports(src); !left {
				continue
			}
		}
		if err := s.evalChunk(ctx, ch.line, src, ch.kind); err != nil {
			return Outcome{Err: s.describe(err, cellSrc, src)}
		}
		if ch.kind == declChunk {
			// Recorded as written: a fresh session or a child rewrites it
			// again (its fork sites are its own).
			s.noteImports(ch.src, ch.line)
		}
	}
	return Outcome{}
}

// rewrite records the types of the variables a chunk declares (for forks
// and for the rewrites: a statement may index a slice an earlier statement
// of the chunk declared), then applies the source rewrites the chunk needs
// before yaegi sees it.
func (s *Session) rewrite(src string, kind chunkKind, line int, ints map[string]bool) string {
	s.declared.Store(true)
	s.noteGlobalTypes(src, kind)
	src = s.rewriteIndexDefine(src, kind)
	return s.rewriteForks(rewriteRangeInt(src, kind, ints), kind, line)
}

// evalChunk evaluates a rewritten chunk, statement chunks part by part
// (see splitCompound).
func (s *Session) evalChunk(ctx context.Context, line int, src string, kind chunkKind) error {
	if kind == declChunk {
		_, err := s.eval(ctx, line, src)
		return err
	}
	for _, p := range splitCompound(src) {
		if !p.compound {
			if _, err := s.eval(ctx, line, p.src); err != nil {
				return err
			}
			continue
		}
		if _, err := s.eval(ctx, line, asFunction(p.src)); err != nil {
			return err
		}
		if _, err := s.eval(ctx, line, compoundFunc+"()"); err != nil {
			return err
		}
	}
	return nil
}

// runLast evaluates the cell's final statements; if the very last one is an
// expression with a value, that value becomes the result.
func (s *Session) runLast(ctx context.Context, cellSrc string, ch chunk, ints map[string]bool) Outcome {
	head, tail := ch.src[:ch.lastOff], ch.src[ch.lastOff:]
	expr := strings.TrimRight(strings.TrimSpace(tail), ";")
	if !isValueExpr(expr) || hasCFork(expr) {
		src := s.rewrite(ch.src, ch.kind, ch.line, ints)
		if err := s.evalChunk(ctx, ch.line, src, ch.kind); err != nil {
			return Outcome{Err: s.describe(err, cellSrc, src)}
		}
		return Outcome{}
	}
	if strings.TrimSpace(head) != "" {
		src := s.rewrite(head, ch.kind, ch.line, ints)
		if err := s.evalChunk(ctx, ch.line, src, ch.kind); err != nil {
			return Outcome{Err: s.describe(err, cellSrc, src)}
		}
	}
	tailLine := ch.line + strings.Count(head, "\n")
	// Blank out the head so the expression keeps its line and column; the
	// result hook's call opens on the line before.
	pad := strings.Repeat(" ", len(head)-strings.LastIndexByte(head, '\n')-1)
	s.shown = nil
	expr = s.rewriteForks(expr, stmtChunk, tailLine)
	_, err := s.eval(ctx, tailLine-1, "_gosysResult.Show(\n"+pad+expr+")")
	if isCompileError(err) {
		// Not a single value (a call with no result, say): run it as a statement.
		_, err = s.eval(ctx, tailLine, pad+s.rewriteForks(tail, stmtChunk, tailLine))
		if err != nil {
			return Outcome{Err: s.describe(err, cellSrc, tail)}
		}
		return Outcome{}
	}
	if err != nil {
		return Outcome{Err: s.describe(err, cellSrc, tail)}
	}
	return Outcome{Result: bundleOf(s.shown)}
}

// eval evaluates src, which starts at 1-based cell line `line`. The source is
// preceded by line newlines: yaegi puts its own wrapper on the first line, so
// the cell's line L is yaegi's L+1 (see lineOf).
func (s *Session) eval(ctx context.Context, line int, src string) (v reflect.Value, err error) {
	s.trace.reset()
	defer func() {
		// yaegi panics on some inputs while compiling; never let that out.
		if r := recover(); r != nil {
			err = interp.Panic{Value: r}
		}
	}()
	if err := s.generics.For(src); err != nil {
		return reflect.Value{}, err
	}
	v, err = s.in.EvalWithContextWait(ctx, strings.Repeat("\n", line)+src)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // stopped (see Stop) before the context ended
	}
	return v, err
}

// isValueExpr reports whether the source of a final statement is an
// expression that may have a value worth showing. Calls of the print family
// and of Write methods are left as statements: their byte counts are noise.
func isValueExpr(src string) bool {
	if src == "" {
		return false
	}
	e, err := parser.ParseExpr(src)
	if err != nil {
		return false
	}
	call, ok := e.(*ast.CallExpr)
	return !ok || !quietCall(call)
}

// globals returns the session's variables and constants. yaegi's Globals
// can panic after a cell failed to compile half way; that must not take
// completion or the kernel down.
func (s *Session) globals() (g map[string]reflect.Value) {
	defer func() {
		if recover() != nil {
			g = map[string]reflect.Value{}
		}
	}()
	return s.in.Globals()
}

// intGlobals returns the names of session variables of integer type, for the
// range-over-int rewrite.
func (s *Session) intGlobals() map[string]bool {
	names := map[string]bool{}
	for name, v := range s.globals() {
		if !v.IsValid() {
			continue
		}
		switch v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			names[name] = true
		}
	}
	return names
}
