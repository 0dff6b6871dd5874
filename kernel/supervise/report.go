package supervise

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"gosys/internal/content"
	"gosys/internal/link"
)

// maxTail is how many of a dead session's last stderr lines its report
// quotes.
const maxTail = 12

// describeDeath says in a learner's terms why a session ended: what the
// kernel killed it for, else what the Go runtime's headline on stderr says
// (a panic in a goroutine, a fatal error), else the signal or exit status.
// frames are the interpreter's frames of the last panic, if any.
func describeDeath(ws syscall.WaitStatus, killed, stuck, tail, report string, frames []string, cfg Config) *content.Error {
	var name, value string
	kind, text := headline(tail)
	if kind == "" {
		kind, text = headline(report)
	}
	switch {
	case killed == killInterrupt:
		name = "Interrupted"
		where := "it was still running"
		if stuck != "" {
			where = "it was blocked in " + stuck
		}
		value = fmt.Sprintf("the cell did not stop within %v of the interrupt (%s), so the session process was restarted (GOSYS_INTERRUPT_GRACE sets the wait)", cfg.InterruptGrace, where)
	case killed == killMemory:
		name = "MemoryError"
		value = fmt.Sprintf("the session and the processes it started used more than %s of memory, the limit (GOSYS_MEMORY_LIMIT changes it), so the session process was stopped", bytesText(cfg.MemoryLimit))
	case killed == killHung:
		name, value = "SessionError", "the session process stopped answering and was killed"
	case kind == "fatal" && (strings.Contains(text, "out of memory") || strings.Contains(text, "cannot allocate memory")),
		cfg.MemoryLimit > 0 && strings.Contains(report+tail, "pthread_create failed"):
		name = "MemoryError"
		value = "the session process ran out of memory"
		if cfg.MemoryLimit > 0 {
			value += fmt.Sprintf(" (it may use %s; GOSYS_MEMORY_LIMIT changes it)", bytesText(cfg.MemoryLimit))
		}
	case kind == "fatal" && strings.Contains(text, "stack overflow"):
		name, value = "fatal error", "stack overflow: a recursion that does not end?"
	case kind == "fatal":
		name, value = "fatal error", text
	case kind == "panic":
		name, value = "panic in a goroutine", text
	case ws.Signaled():
		name = "Killed"
		value = "the session process was killed by " + signalName(ws.Signal())
	case ws.Exited():
		name = "SessionExit"
		value = fmt.Sprintf("the session process exited with status %d", ws.ExitStatus())
	default:
		name, value = "SessionError", "the session process ended"
	}
	tb := []string{name + ": " + value}
	if kind == "panic" {
		tb = append(tb, frameLines(frames)...)
	}
	if lines := lastLines(tail, maxTail); len(lines) > 0 && killed == "" {
		tb = append(tb, "", "The last lines the session wrote to stderr:")
		for _, l := range lines {
			tb = append(tb, "    "+l)
		}
	}
	return &content.Error{Name: name, Value: value, Traceback: tb}
}

// crashHead matches the Go runtime's headline of a crash.
var crashHead = regexp.MustCompile(`^(panic|fatal error): (.*)$`)

// headline finds the last crash headline in a stderr tail: kind "panic"
// or "fatal", and its text.
func headline(tail string) (kind, text string) {
	lines := strings.Split(tail, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		m := crashHead.FindStringSubmatch(strings.TrimSpace(lines[i]))
		if m == nil {
			continue
		}
		text = strings.TrimSuffix(strings.TrimSuffix(m[2], " [recovered, repanicked]"), " [recovered]")
		if m[1] == "panic" {
			return "panic", text
		}
		return "fatal", text
	}
	return "", ""
}

// frameLine matches the interpreter's line for a frame a panic unwound.
var frameLine = regexp.MustCompile(`^(\d+):(\d+): panic: (.*)$`)

// frameLines turns the interpreter's frames into "in f, cell line L:C".
func frameLines(frames []string) []string {
	var out []string
	for _, f := range frames {
		m := frameLine.FindStringSubmatch(f)
		if m == nil {
			continue
		}
		line, _ := strconv.Atoi(m[1])
		// The interpreter counts one line more than the cell (see eval).
		out = append(out, fmt.Sprintf("  in %s, line %d:%s of the cell that declared it", funcName(m[3]), line-1, m[2]))
	}
	return out
}

// funcName names the function of an interpreter frame ("main.f(...)") as
// a learner wrote it.
func funcName(frame string) string {
	fn := strings.TrimSuffix(strings.TrimPrefix(frame, "main."), "(...)")
	switch {
	case fn == "main":
		return "the cell"
	case fn == "func" || strings.HasSuffix(fn, ".func"):
		return "a function literal"
	}
	return fn
}

// lastLines returns the last n non-empty lines of text.
func lastLines(text string, n int) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = append([]string{"..."}, out[len(out)-n:]...)
	}
	return out
}

// signalName names a signal as C does ("SIGKILL").
func signalName(s syscall.Signal) string {
	if n := unix.SignalName(s); n != "" {
		return n
	}
	return "signal " + strconv.Itoa(int(s))
}

// bytesText writes a size for a reader: "2.0 GiB", "512 MiB".
func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// restartNote tells what a fresh session declared again and what was lost.
func restartNote(r link.Restored, asked link.Recipe) []string {
	out := []string{"A fresh session process was started."}
	var parts []string
	add := func(what string, names []string) {
		if len(names) > 0 {
			parts = append(parts, what+" "+strings.Join(names, ", "))
		}
	}
	add("imports", r.Imports)
	add("types", r.Types)
	add("functions", r.Funcs)
	add("constants", r.Consts)
	if len(parts) > 0 {
		out = append(out, "Declared again from their source (not run again): "+strings.Join(parts, "; ")+".")
	}
	if len(r.Vars) > 0 {
		out = append(out, "Variables declared again with their zero values (their values were lost): "+strings.Join(r.Vars, ", ")+".")
	}
	if len(r.Failed) > 0 {
		out = append(out, "Could not be declared again:")
		for _, f := range r.Failed {
			out = append(out, "    "+f)
		}
	}
	if len(asked.Imports)+len(asked.Decls)+len(asked.Vars)+len(asked.Natives) == 0 {
		out = append(out, "Earlier cells had declared nothing to keep.")
	}
	return out
}

// frameAge is how recent the last panic frame must be to belong to a
// session's fatal panic.
const frameAge = 2 * time.Second
