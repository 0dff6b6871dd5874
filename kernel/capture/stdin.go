package capture

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"gosys/internal/procfs"
)

// Input answers reads of a session's descriptor 0. Descriptor 0 is a pipe
// whose write end Input holds; while a cell runs, Input watches the
// session's threads (and its children's) and, when one blocks in read(0)
// (os.Stdin, fmt.Scan, bufio, C code alike), asks the frontend for a line
// and writes it into the pipe.
type Input struct {
	mu sync.Mutex
	w  int // write end of the pipe behind the session's fd 0; -1 after EOF
}

// Asker asks the frontend for one line of input (an input_request on the
// stdin channel) and returns the user's reply.
type Asker func(ctx context.Context, prompt string, password bool) (string, error)

// pollInput is how often the threads are looked at while a cell runs.
const pollInput = 20 * time.Millisecond

// NewInput returns an Input without a pipe yet.
func NewInput() *Input { return &Input{w: -1} }

// NewPipe makes a new pipe for the session's descriptor 0 and returns its
// read end (close-on-exec), which the caller gives to the session and
// closes. The previous pipe's write end is closed: a read still blocked on
// it gets end-of-file.
func (in *Input) NewPipe() (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return -1, fmt.Errorf("stdin pipe: %w", err)
	}
	if in.w >= 0 {
		unix.Close(in.w)
	}
	in.w = p[1]
	return p[0], nil
}

// Ended reports whether the session's descriptor 0 was given end-of-file
// (after an interrupt or allow_stdin false): the next cell needs NewPipe.
func (in *Input) Ended() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.w < 0
}

// EOF gives end-of-file to the session's descriptor 0: a read blocked in it
// returns.
func (in *Input) EOF() { in.giveEOF() }

// Serve answers reads of the descriptor 0 of process pid (the session) and
// of its children until ctx ends. When allowed is false (the request said
// allow_stdin false) a read gets end-of-file at once, like a program run
// with </dev/null. Errors of ask end the input for this cell the same way.
func (in *Input) Serve(ctx context.Context, pid int, allowed bool, ask Asker) {
	tick := time.NewTicker(pollInput)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if !readingStdin(pid) || in.pending() > 0 {
			continue
		}
		if !allowed {
			in.giveEOF()
			return
		}
		line, err := ask(ctx, "", false)
		if err != nil {
			in.giveEOF()
			return
		}
		in.mu.Lock()
		_, err = unix.Write(in.w, []byte(line+"\n"))
		in.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (in *Input) giveEOF() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.w >= 0 {
		unix.Close(in.w)
		in.w = -1
	}
}

// pending returns the bytes written to the pipe and not read yet: a
// reader that has input waiting is not asking for more.
func (in *Input) pending() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.w < 0 {
		return 0
	}
	n, err := unix.IoctlGetInt(in.w, unix.TIOCINQ) // FIONREAD
	if err != nil {
		return 0
	}
	return n
}

// readingStdin reports whether a thread of pid or of one of its children
// is blocked in read(0, ...). /proc/PID/task/TID/syscall starts with the
// system call's number and its first argument.
func readingStdin(pid int) bool {
	for _, p := range append([]int{pid}, procfs.Children(pid)...) {
		tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(p) + "/task")
		for _, t := range tasks {
			b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/task/" + t.Name() + "/syscall")
			if err != nil {
				continue
			}
			f := strings.Fields(string(b))
			if len(f) >= 2 && f[0] == strconv.Itoa(unix.SYS_READ) && f[1] == "0x0" {
				return true
			}
		}
	}
	return false
}
