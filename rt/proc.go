package rt

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"gosys/rt/cellctl"

	"golang.org/x/sys/unix"
)

// ExitError is the panic value of Exit in the session process (where cells
// run). The session recovers it and ends the cell with it; the session goes
// on.
type ExitError struct {
	Code int // the code passed to Exit
}

// Error says Exit was called in the session process and with which code.
func (e *ExitError) Error() string {
	return fmt.Sprintf("rt.Exit(%d) called in the session process: the cell ended, the session is alive", e.Code)
}

// ErrKernelProcess is wrapped by the error of Exec called in the session
// process (where cells run; before gosys 0.2 that was the kernel process),
// which it would replace, ending the session.
var ErrKernelProcess = errors.New("not allowed in the session process, it would end the session; call it in a child made by rt.Fork")

// Exit ends a forked child process with status code, as exit(3) does: the
// buffers of its open FILEs are flushed first; deferred functions do not
// run. In the session process it does not return
// either: it panics with an *ExitError, which ends the running cell with an
// error and leaves the session alive.
func Exit(code int) {
	if cellctl.IsChild() {
		cellctl.Exiting() // flushes stdio, as exit(3) does
		t := beginCall()
		endCall(t, TraceEvent{Call: "exit", FD: -1, Ret: code}, nil)
		os.Exit(code)
	}
	panic(&ExitError{Code: code})
}

// Getpid returns the process ID of the calling process.
func Getpid() int {
	return unix.Getpid()
}

// Getppid returns the process ID of the calling process's parent.
func Getppid() int {
	return unix.Getppid()
}

// Kill sends signal sig to process pid, as kill(2) does: pid 0 means the
// caller's process group, -1 every process it may signal, -n the group n.
// The error unwraps to kill(2)'s errno (syscall.ESRCH: no such process,
// syscall.EPERM: not allowed). Killing the session itself (rt.Getpid() in
// a cell) ends the session: the kernel reports it and starts a fresh one.
func Kill(pid int, sig syscall.Signal) error {
	if err := unix.Kill(pid, sig); err != nil {
		return fmt.Errorf("kill %d %s: %w", pid, unix.SignalName(sig), err)
	}
	return nil
}

// Exec replaces the calling forked child with the program path, as C's
// execlp(path, path, args..., NULL) does: the program's argv is path
// followed by args, its environment os.Environ(). A path without a slash is
// looked up in the directories of $PATH (/bin:/usr/bin when unset). Exec
// returns only on failure, with execve(2)'s error (syscall.ENOENT when no
// such program exists). In the session process it replaces nothing and
// returns an error wrapping ErrKernelProcess.
func Exec(path string, args ...string) error {
	if !cellctl.IsChild() {
		return fmt.Errorf("exec %s: %w", path, ErrKernelProcess)
	}
	argv := append([]string{path}, args...)
	if strings.Contains(path, "/") {
		return fmt.Errorf("exec %s: %w", path, syscall.Exec(path, argv, os.Environ()))
	}
	dirs, ok := os.LookupEnv("PATH")
	if !ok {
		dirs = "/bin:/usr/bin"
	}
	var err error = syscall.ENOENT
	for _, dir := range filepath.SplitList(dirs) {
		if dir == "" {
			dir = "."
		}
		switch e := syscall.Exec(filepath.Join(dir, path), argv, os.Environ()); {
		case errors.Is(e, syscall.EACCES):
			err = e
		case errors.Is(e, syscall.ENOENT), errors.Is(e, syscall.ENOTDIR):
		default:
			return fmt.Errorf("exec %s in %s: %w", path, dir, e)
		}
	}
	return fmt.Errorf("exec %s: %w", path, err)
}

// DefaultSIGPIPE gives SIGPIPE its default disposition in a forked child:
// from then on a write to a pipe or socket with no reader kills the process
// with SIGPIPE instead of returning syscall.EPIPE, as in C. A forked child
// starts that way; DefaultSIGPIPE undoes IgnoreSIGPIPE. In the session
// process, which must survive broken pipes, it changes nothing and says so
// on stderr.
func DefaultSIGPIPE() {
	if !cellctl.IsChild() {
		fmt.Fprintln(os.Stderr, "rt.DefaultSIGPIPE: ignored in the session process (it would end the session); call it in a child made by rt.Fork")
		return
	}
	cellctl.DefaultSIGPIPE()
}

// IgnoreSIGPIPE makes a write to a pipe or socket with no reader return
// syscall.EPIPE instead of killing the process, as signal(SIGPIPE, SIG_IGN)
// does in C. The session process always ignores SIGPIPE.
func IgnoreSIGPIPE() {
	signal.Ignore(syscall.SIGPIPE)
}
