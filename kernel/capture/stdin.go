package capture

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Input answers reads of descriptor 0. Descriptor 0 is a pipe whose write end
// the kernel holds; while a cell runs, Input watches the process's threads
// and, when one blocks in read(0) (os.Stdin, fmt.Scan, bufio, C code alike),
// asks the frontend for a line and writes it into the pipe.
type Input struct {
	mu sync.Mutex
	w  int // write end of the pipe behind fd 0; -1 after EOF was given
}

// Asker asks the frontend for one line of input (an input_request on the
// stdin channel) and returns the user's reply.
type Asker func(ctx context.Context, prompt string, password bool) (string, error)

// pollInput is how often the threads are looked at while a cell runs.
const pollInput = 20 * time.Millisecond

// StartInput puts a pipe behind descriptor 0. It is meant to be called once
// per process.
func StartInput() (*Input, error) {
	in := &Input{w: -1}
	if err := in.renew(); err != nil {
		return nil, err
	}
	return in, nil
}

// renew puts a fresh pipe behind fd 0 if the last one was closed.
func (in *Input) renew() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.w >= 0 {
		return nil
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return fmt.Errorf("stdin pipe: %w", err)
	}
	if err := unix.Dup2(p[0], 0); err != nil {
		return fmt.Errorf("dup2 stdin pipe onto fd 0: %w", err)
	}
	unix.Close(p[0])
	in.w = p[1]
	return nil
}

// Serve answers reads of fd 0 until ctx ends. When allowed is false (the
// request said allow_stdin false) a read gets end-of-file at once, like a
// program run with </dev/null. Errors of ask end the input for this cell the
// same way.
func (in *Input) Serve(ctx context.Context, allowed bool, ask Asker) {
	defer in.renew()
	tick := time.NewTicker(pollInput)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if !threadReadingStdin() || pendingStdin() > 0 {
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

// pendingStdin returns the bytes written to fd 0 not read yet: a reader that
// has input waiting is not asking for more.
func pendingStdin() int {
	n, err := unix.IoctlGetInt(0, unix.TIOCINQ) // FIONREAD
	if err != nil {
		return 0
	}
	return n
}

// threadReadingStdin reports whether a thread of this process is blocked in
// read(0, ...). /proc/self/task/TID/syscall starts with the syscall number
// and its first argument.
func threadReadingStdin() bool {
	tasks, _ := filepath.Glob("/proc/self/task/*/syscall")
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) >= 2 && f[0] == fmt.Sprint(unix.SYS_READ) && f[1] == "0x0" {
			return true
		}
	}
	return false
}
