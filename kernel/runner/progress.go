package runner

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// progress reports cells as they run: on a terminal a line per cell that
// shows the running cell and is completed in place, elsewhere a plain line
// per finished cell.
type progress struct {
	w     io.Writer
	tty   bool
	total int
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total}
	if f, ok := w.(*os.File); ok {
		_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
		p.tty = err == nil
	}
	return p
}

func (p *progress) prefix(n, cell int) string {
	return fmt.Sprintf("[%d/%d] cell %d ...", n, p.total, cell)
}

// start shows that cell (the n-th to run) is running.
func (p *progress) start(n, cell int) {
	if p.w != nil && p.tty {
		fmt.Fprint(p.w, p.prefix(n, cell))
	}
}

// done reports how the cell ended.
func (p *progress) done(n, cell int, status string, d time.Duration) {
	if p.w == nil {
		return
	}
	if p.tty {
		color := "\x1b[32m" // green
		if status != "ok" {
			color = "\x1b[31m" // red
		}
		fmt.Fprintf(p.w, "\r\x1b[K%s %s%s\x1b[0m %s\n", p.prefix(n, cell), color, status, formatDuration(d))
		return
	}
	fmt.Fprintf(p.w, "%s %s %s\n", p.prefix(n, cell), status, formatDuration(d))
}

// ansi matches the terminal escape sequences of colored tracebacks.
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]`)

// cellError shows a failed cell's error and traceback, indented.
func (p *progress) cellError(e *CellError) {
	if p.w == nil {
		return
	}
	lines := []string{e.Ename + ": " + e.Evalue}
	if len(e.Traceback) > 0 {
		lines = strings.Split(strings.TrimRight(strings.Join(e.Traceback, "\n"), "\n"), "\n")
	}
	for _, l := range lines {
		if !p.tty {
			l = ansi.ReplaceAllString(l, "")
		}
		fmt.Fprintf(p.w, "    %s\n", l)
	}
}

// formatDuration is 120ms below a second, 2.3s above.
func formatDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}
