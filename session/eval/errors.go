package eval

import (
	"gosys/internal/content"
	"runtime"
	"slices"

	"bytes"
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/traefik/yaegi/interp"

	"gosys/rt"
)

// positioned matches the "[file:]line:col: message" form of yaegi's and
// go/parser's errors.
var positioned = regexp.MustCompile(`^(?:[^\s:]*\.go:)?(\d+):(\d+): ?(.*)$`)

// panicLine matches what yaegi prints for each frame a panic unwinds.
var panicLine = regexp.MustCompile(`^(\d+):(\d+): panic: (.*)$`)

// sources are the learner's lines a traceback quotes, by cell line (index
// 0 is line 1).
type sources struct {
	cell []string // the cell's
	// decl, when set, returns the lines of the cell that declared function
	// fn, if its declaration spans line (see Session.declLines): a frame in
	// a function declared in another cell quotes that cell.
	decl func(fn string, line int) []string
}

// lines returns the lines a frame in function fn at line quotes.
func (s sources) lines(fn string, line int) []string {
	if s.decl != nil && fn != "main" && fn != compoundFunc {
		if lines := s.decl(fn, line); lines != nil {
			return lines
		}
	}
	return s.cell
}

// declLines returns the lines of the cell that declared the function a
// traceback names fn ("f", "M" for a method, "f.func" for a function
// literal in f), at their place (see placeLines), if that declaration
// spans line; else nil.
func (s *Session) declLines(fn string, line int) []string {
	for strings.HasSuffix(fn, ".func") {
		fn = strings.TrimSuffix(fn, ".func")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, d := range s.decls {
		if d.kind != "func" || (name != fn && !strings.HasSuffix(name, "."+fn)) {
			continue
		}
		if line >= d.line && line <= d.line+strings.Count(d.full, "\n") {
			return placeLines(strings.Repeat(" ", max(d.col-1, 0))+d.full, d.line)
		}
	}
	return nil
}

// placeLines returns text's lines at their place in a cell where text
// starts at line `line` (index 0 is line 1): the lines before it are
// empty, those before the cell's first left out.
func placeLines(text string, line int) []string {
	var out []string
	for range line - 1 {
		out = append(out, "")
	}
	for i, l := range strings.Split(text, "\n") {
		if line+i >= 1 {
			out = append(out, l)
		}
	}
	return out
}

// panicTrace sits in place of the interpreter's stderr: yaegi prints the
// frames of a panic, line by line, on the panicking goroutine, before the
// panic goes on. Those lines are kept, by goroutine, for the traceback; all
// else passes through.
type panicTrace struct {
	out     io.Writer
	onFrame func(g uint64, line string) // told of each frame as it comes; may be nil
	mu      sync.Mutex
	frames  map[uint64][]string // by goroutine id
	order   []uint64            // goroutines in the order their first frame came
	buf     []byte
}

// maxFrames bounds the frames kept per goroutine and the goroutines kept.
const maxFrames = 64

func (t *panicTrace) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	for {
		i := bytes.IndexByte(t.buf, '\n')
		if i < 0 {
			break
		}
		line := string(t.buf[:i])
		t.buf = t.buf[i+1:]
		if panicLine.MatchString(line) {
			g := goroutineID()
			t.addLocked(g, line)
			if t.onFrame != nil {
				t.onFrame(g, line)
			}
			continue
		}
		if _, err := io.WriteString(t.out, line+"\n"); err != nil {
			return 0, err
		}
	}
	// Text without a newline yet (a log prefix, say) is not a frame line:
	// pass it on so it is not delayed.
	if len(t.buf) > 0 && !startsWithDigit(t.buf) {
		_, err := t.out.Write(t.buf)
		t.buf = t.buf[:0]
		return len(p), err
	}
	return len(p), nil
}

func (t *panicTrace) addLocked(g uint64, line string) {
	if t.frames == nil {
		t.frames = map[uint64][]string{}
	}
	f, ok := t.frames[g]
	if !ok {
		if len(t.order) >= maxFrames {
			delete(t.frames, t.order[0])
			t.order = t.order[1:]
		}
		t.order = append(t.order, g)
	}
	if len(f) < maxFrames {
		t.frames[g] = append(f, line)
	}
}

func startsWithDigit(b []byte) bool { return len(b) > 0 && b[0] >= '0' && b[0] <= '9' }

// reset forgets every frame: a new evaluation starts.
func (t *panicTrace) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.frames, t.order, t.buf = nil, nil, nil
}

// takeAll returns the frames of every goroutine, in the order they came,
// and forgets them: those of the evaluation that just panicked (it runs on
// a goroutine of yaegi's), and of any panic a goroutine recovered from.
func (t *panicTrace) takeAll() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var all []string
	for _, g := range t.order {
		all = append(all, t.frames[g]...)
	}
	t.frames, t.order = nil, nil
	return all
}

// takeMine returns and forgets the frames printed on the calling goroutine.
func (t *panicTrace) takeMine() []string {
	g := goroutineID()
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.frames[g]
	delete(t.frames, g)
	t.order = slices.DeleteFunc(t.order, func(x uint64) bool { return x == g })
	return f
}

// goroutineID returns the calling goroutine's id, from the first line of
// its stack ("goroutine 42 [running]:"). Only panics pay for it.
func goroutineID() uint64 {
	var b [64]byte
	n := runtime.Stack(b[:], false)
	f := bytes.Fields(b[:n])
	if len(f) < 2 {
		return 0
	}
	id, _ := strconv.ParseUint(string(f[1]), 10, 64)
	return id
}

// isCompileError reports whether err came before the code ran.
func isCompileError(err error) bool {
	if err == nil {
		return false
	}
	var p interp.Panic
	if errors.As(err, &p) {
		return false
	}
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// interruptedError is the error of a cell stopped by an interrupt.
func interruptedError() *content.Error {
	return &content.Error{Name: "Interrupted", Value: "the cell was interrupted",
		Traceback: []string{"Interrupted: the cell was interrupted; the session keeps its state"}}
}

// describe turns an evaluation failure of src, a part of cellSrc, into a
// protocol error that points at the cell's lines.
func (s *Session) describe(err error, cellSrc, src string) *content.Error {
	lines := sources{cell: strings.Split(cellSrc, "\n"), decl: s.declLines}
	var p interp.Panic
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return interruptedError()
	case errors.As(err, &p):
		return s.describePanic(p, lines)
	}
	var list scanner.ErrorList
	name := "CompileError"
	if errors.As(err, &list) {
		name = "SyntaxError"
	}
	var msgs []string
	for _, m := range strings.Split(err.Error(), "\n") {
		if m = strings.TrimSpace(m); m != "" {
			msgs = append(msgs, m)
		}
	}
	e := &content.Error{Name: name}
	for i, m := range msgs {
		text, where := locate(m, lines.cell)
		text = explainMissingPackage(text)
		if strings.HasSuffix(text, "constant definition loop") {
			// yaegi's words for a name that is defined nowhere.
			if names := s.undefinedNames(src); len(names) > 0 {
				text = "undefined: " + strings.Join(names, ", ")
			}
		}
		if i == 0 {
			e.Value = text
			e.Traceback = append(e.Traceback, name+": "+text)
		} else {
			e.Traceback = append(e.Traceback, text)
		}
		e.Traceback = append(e.Traceback, where...)
	}
	if e.Value == "" {
		e.Value = err.Error()
		e.Traceback = []string{name + ": " + e.Value}
	}
	return e
}

// missingPackage matches yaegi's error for an import it has neither
// compiled symbols nor source for.
var missingPackage = regexp.MustCompile(`^import ("[^"]*") error: unable to find source related to: "[^"]*"$`)

// explainMissingPackage says in a learner's terms why an import failed:
// gosys never loads package source from disk (see noSourceFS).
func explainMissingPackage(text string) string {
	m := missingPackage.FindStringSubmatch(text)
	if m == nil {
		return text
	}
	return "cannot import " + m[1] + ": gosys does not provide this package (cells import the standard library and the packages compiled into gosys; no package source is loaded from disk)"
}

// describePanic reports a panic: its value, then the cell lines it unwound
// through, innermost first.
func (s *Session) describePanic(p interp.Panic, lines sources) *content.Error {
	frames := s.childFrames(s.trace.takeAll())
	if code, ok := exitCode(p.Value); ok {
		return content.NewError("Exit", fmt.Sprintf("the cell called exit(%d); the session process stays alive (exit ends only a forked child)", code))
	}
	if len(frames) == 0 && isRangeIntPanic(p.Value) {
		return content.NewError("CompileError", "yaegi cannot compile this cell ("+fmt.Sprint(p.Value)+
			"); range over a function, or over an integer whose type gosys cannot tell, is not supported yet")
	}
	return panicError(p.Value, frames, lines, "")
}

// describeGoroutinePanic reports a panic that ended a goroutine a go
// statement of cell started; frames are that goroutine's, quoted from
// lines (the session quotes none: the cell may have changed since).
func describeGoroutinePanic(v any, frames []string, cell int, lines sources) *content.Error {
	if code, ok := exitCode(v); ok {
		return content.NewError("Exit", fmt.Sprintf("a goroutine started by cell %d called exit(%d); the session process stays alive (exit ends only a forked child)", cell, code))
	}
	return panicError(v, frames, lines, " in a goroutine")
}

// panicError describes a panic with value v: its kind and value, then the
// cell lines it unwound through, innermost first, quoted from lines when
// they are given. where is appended to the kind (" in a goroutine").
func panicError(v any, frames []string, lines sources, where string) *content.Error {
	value := fmt.Sprint(v)
	name := "panic"
	if _, ok := v.(interface{ RuntimeError() }); ok || isReflectRangePanic(value) {
		name = "runtime error"
		value = strings.TrimPrefix(value, "runtime error: ")
	}
	e := &content.Error{Name: name + where, Value: value}
	head := "panic: " + fmt.Sprint(v)
	if where != "" {
		head += " (" + strings.TrimSpace(where) + ")"
	}
	e.Traceback = []string{head}
	block := false // the frame before was a top-level compound statement's
	for _, f := range frames {
		m := panicLine.FindStringSubmatch(f)
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		fn := strings.TrimSuffix(strings.TrimPrefix(m[3], "main."), "(...)")
		quoted := lines.lines(fn, line-1)
		switch {
		case fn == "main" && block:
			// The call of the function a top-level compound statement runs
			// in (see asFunction): the frame before said it all.
			block = false
			continue
		case fn == "main" || fn == compoundFunc:
			block = fn == compoundFunc
			fn = "the cell"
		case fn == "func" || strings.HasSuffix(fn, ".func"):
			fn = "a function literal"
		}
		e.Traceback = append(e.Traceback, fmt.Sprintf("  in %s, cell line %d:%d", fn, line-1, col))
		e.Traceback = append(e.Traceback, quote(quoted, line-1, col)...)
	}
	return e
}

// exitCode recognizes the panics that stand in for exiting the process:
// yaegi's os.Exit and the runtime's rt.Exit.
func exitCode(v any) (int, bool) {
	if s, ok := v.(string); ok && strings.HasPrefix(s, "os.Exit(") && strings.HasSuffix(s, ")") {
		n, err := strconv.Atoi(s[len("os.Exit(") : len(s)-1])
		return n, err == nil
	}
	if x, ok := v.(*rt.ExitError); ok {
		return x.Code, true
	}
	return 0, false
}

// locate splits "line:col: msg" into msg and the quoted cell line.
func locate(msg string, lines []string) (string, []string) {
	m := positioned.FindStringSubmatch(msg)
	if m == nil {
		return msg, nil
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	line-- // see Session.eval
	return m[3], append([]string{fmt.Sprintf("  at cell line %d:%d", line, col)}, quote(lines, line, col)...)
}

// quote returns the cell line and a caret under col, or nothing when the
// position is outside the cell.
func quote(lines []string, line, col int) []string {
	if line < 1 || line > len(lines) {
		return nil
	}
	text := strings.ReplaceAll(lines[line-1], "\t", " ")
	prefix := fmt.Sprintf("  %4d | ", line)
	out := []string{prefix + text}
	if col >= 1 && col <= len(text)+1 {
		out = append(out, strings.Repeat(" ", len(prefix)+col-1)+"^")
	}
	return out
}

// isReflectRangePanic recognizes an index error that yaegi lets reflect
// raise instead of the Go runtime.
func isReflectRangePanic(v string) bool {
	return strings.HasPrefix(v, "reflect: ") && strings.Contains(v, "out of range")
}
