package capture

import (
	"bytes"
	"fmt"
	"regexp"
	"time"
)

// A Go program that dies of a fatal error writes a report to stderr: a
// headline ("fatal error: stack overflow"), then stacks of every goroutine,
// tens of kilobytes of the interpreter's internals. When the session dies
// that way, the cell should show the headline, not the dump. So stderr text
// from a line that starts such a report is held back for a moment: if the
// session dies meanwhile, the supervisor calls Crashed, which publishes the
// headline and a note instead; if not (a forked child's crash, say), the
// text is published as it came.

// reportStart matches a line that starts a Go runtime crash report.
var reportStart = regexp.MustCompile(`(?m)^(fatal error: |runtime: |runtime/cgo: |SIG[A-Z]+: |goroutine \d+ \[|panic: .*\n\ngoroutine )`)

// holdFor is how long a suspected report is held after its last text
// before it is published.
const holdFor = time.Second

// maxHeld bounds the text held; past it the text is published.
const maxHeld = 4 << 20

// crashHold is the held report; guarded by Output.mu.
type crashHold struct {
	held  []byte
	timer *time.Timer
}

// holdLocked takes the stderr text about to be published and returns the
// part to publish now; a suspected report, and what follows it, is held.
func (o *Output) holdLocked(text []byte) []byte {
	h := &o.crash
	if h.held != nil {
		if len(h.held)+len(text) > maxHeld {
			return o.releaseLocked(text)
		}
		h.held = append(h.held, text...)
		// Still being written: a dying runtime writing a long report on a
		// busy machine can take more than holdFor from its first line.
		if h.timer != nil {
			h.timer.Reset(holdFor)
		}
		return nil
	}
	loc := reportStart.FindIndex(text)
	if loc == nil {
		return text
	}
	h.held = append([]byte{}, text[loc[0]:]...)
	h.timer = time.AfterFunc(holdFor, func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		if rest := o.releaseLocked(nil); len(rest) > 0 {
			o.sendLocked("stderr", rest)
		}
	})
	return text[:loc[0]]
}

// releaseLocked ends the hold and returns the held text followed by more.
func (o *Output) releaseLocked(more []byte) []byte {
	h := &o.crash
	out := append(h.held, more...)
	h.held = nil
	if h.timer != nil {
		h.timer.Stop()
		h.timer = nil
	}
	return out
}

// reportLines is how many lines of a held report a cell shows.
const reportLines = 6

// Crashed is called when the session died: what the pipes hold is read,
// and a held crash report is published cut to its first lines, with a
// note. It returns the whole report ("" if none was held) for the log and
// its headline for the error.
func (o *Output) Crashed() (report, headline string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked(true)
	if o.crash.held == nil {
		return "", ""
	}
	full := o.releaseLocked(nil)
	lines := bytes.SplitAfter(full, []byte("\n"))
	var shown []byte
	for i, l := range lines {
		t := bytes.TrimSpace(l)
		if i >= reportLines || (i > 0 && (len(t) == 0 || bytes.HasPrefix(t, []byte("goroutine ")) || bytes.Equal(t, []byte("runtime stack:")))) {
			break
		}
		shown = append(shown, l...)
		if headline == "" && (bytes.HasPrefix(t, []byte("fatal error: ")) || bytes.HasPrefix(t, []byte("panic: "))) {
			headline = string(t)
		}
	}
	if headline == "" {
		for _, l := range lines {
			if t := bytes.TrimSpace(l); bytes.HasPrefix(t, []byte("fatal error: ")) || bytes.HasPrefix(t, []byte("panic: ")) {
				headline = string(t)
				break
			}
		}
	}
	if rest := len(full) - len(shown); rest > 0 {
		shown = append(shown, fmt.Sprintf("[gosys: %d more bytes of the Go runtime's report are in the kernel's log]\n", rest)...)
	}
	o.sendLocked("stderr", shown)
	return string(full), headline
}
