package eval

import (
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

	"gosys/kernel/publish"
	rt "gosys/runtime"
)

// positioned matches the "[file:]line:col: message" form of yaegi's and
// go/parser's errors.
var positioned = regexp.MustCompile(`^(?:[^\s:]*\.go:)?(\d+):(\d+): ?(.*)$`)

// panicLine matches what yaegi prints for each frame a panic unwinds.
var panicLine = regexp.MustCompile(`^(\d+):(\d+): panic: (.*)$`)

// panicTrace sits in place of the interpreter's stderr: yaegi prints the
// frames of a panicking cell there, line by line, before returning the
// panic. Those lines are kept for the traceback; all else passes through.
type panicTrace struct {
	out    io.Writer
	mu     sync.Mutex
	frames []string
	buf    []byte
}

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
			t.frames = append(t.frames, line)
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

func startsWithDigit(b []byte) bool { return len(b) > 0 && b[0] >= '0' && b[0] <= '9' }

func (t *panicTrace) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.frames, t.buf = nil, nil
}

func (t *panicTrace) take() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.frames
	t.frames = nil
	return f
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

// describe turns an evaluation failure of src, a part of cellSrc, into a
// protocol error that points at the cell's lines.
func (s *Session) describe(err error, cellSrc, src string) *publish.Error {
	lines := strings.Split(cellSrc, "\n")
	var p interp.Panic
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return &publish.Error{Name: "Interrupted", Value: "the cell was interrupted",
			Traceback: []string{"Interrupted: the cell was interrupted; the session keeps its state"}}
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
	e := &publish.Error{Name: name}
	for i, m := range msgs {
		text, where := locate(m, lines)
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
func (s *Session) describePanic(p interp.Panic, lines []string) *publish.Error {
	frames := s.trace.take()
	value := fmt.Sprint(p.Value)
	if code, ok := exitCode(p.Value); ok {
		e := &publish.Error{Name: "Exit", Value: fmt.Sprintf("the cell called exit(%d); the kernel process stays alive (exit ends only a forked child)", code)}
		e.Traceback = []string{"Exit: " + e.Value}
		return e
	}
	if len(frames) == 0 && isRangeIntPanic(p.Value) {
		e := &publish.Error{Name: "CompileError", Value: "yaegi cannot compile this cell (" + value +
			"); range over a function, or over an integer whose type gosys cannot tell, is not supported yet"}
		e.Traceback = []string{"CompileError: " + e.Value}
		return e
	}
	name := "panic"
	if _, ok := p.Value.(interface{ RuntimeError() }); ok || isReflectRangePanic(value) {
		name = "runtime error"
		value = strings.TrimPrefix(value, "runtime error: ")
	}
	e := &publish.Error{Name: name, Value: value}
	e.Traceback = []string{"panic: " + fmt.Sprint(p.Value)}
	for _, f := range frames {
		m := panicLine.FindStringSubmatch(f)
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		fn := strings.TrimSuffix(strings.TrimPrefix(m[3], "main."), "(...)")
		if fn == "main" {
			fn = "the cell"
		}
		e.Traceback = append(e.Traceback, fmt.Sprintf("  in %s, cell line %d:%d", fn, line-1, col))
		e.Traceback = append(e.Traceback, quote(lines, line-1, col)...)
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
