package session

import (
	"runtime"
	"strings"
)

// stuckWhere names the compiled call the running cell is blocked in, as a
// learner knows it ("time.Sleep", "sync.(*WaitGroup).Wait"), from the
// stacks of the session's goroutines; "" when the cell is running
// interpreted code or cannot be found.
func stuckWhere() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		// The cell runs on the goroutine yaegi's EvalWithContextWait starts.
		if !strings.Contains(g, "EvalWithContextWait.func") {
			continue
		}
		return blockedIn(g)
	}
	return ""
}

// blockedIn returns the outermost function a goroutine's stack shows
// between the interpreter and the runtime: the compiled call the cell made.
func blockedIn(stack string) string {
	lines := strings.Split(stack, "\n")
	last := ""
	for i := 1; i < len(lines); i += 2 {
		fn := lines[i]
		if j := strings.LastIndexByte(fn, '('); j > 0 {
			fn = fn[:j]
		}
		switch {
		case strings.HasPrefix(fn, "github.com/traefik/yaegi/"), strings.HasPrefix(fn, "reflect."):
			return last // the interpreter called what came before
		case strings.HasPrefix(fn, "runtime."), strings.HasPrefix(fn, "internal/"),
			strings.HasPrefix(fn, "syscall."), strings.Contains(fn, "golang.org/x/sys/"):
			continue
		}
		last = strings.TrimPrefix(fn, "gosys/rt.")
		last = strings.TrimPrefix(last, "gosys/session/symbols.")
	}
	return ""
}
