package fork

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"gosys/internal/fdspace"
	"gosys/rt/cellctl"
	"gosys/rt/displaywire"
)

// ChildArg is the argument that starts the gosys binary as a forked child.
const ChildArg = "fork-child"

// Descriptors and the child: the learner's descriptors (every one not
// marked close-on-exec, those behind captured Go files and connections, and
// 0, 1, 2) are at the same numbers in the child, as after fork(2). gosys's
// own descriptors the child needs (the display socket, the children table,
// the trace socket, the payload or control socket) are passed at free
// positions after them, named in the child's environment; the child moves
// them to fdspace.Floor or above before anything else (see ChildStartup).

// internalFD is one of gosys's descriptors a child receives.
type internalFD struct {
	env string // the environment variable that names it in the child
	fd  int    // its number here
}

// internalFDs returns the descriptors every child of this process needs.
func internalFDs() []internalFD {
	var out []internalFD
	if v, ok := os.LookupEnv(displaywire.EnvFD); ok {
		if fd, err := strconv.Atoi(v); err == nil {
			out = append(out, internalFD{displaywire.EnvFD, fd})
		}
	}
	if fd := cellctl.ChildTableFD(); fd >= 0 {
		out = append(out, internalFD{cellctl.EnvChildTable, fd})
	}
	return out
}

// EnvTraceFD names the environment variable that gives a cold-started child
// the rt.Trace socket.
const EnvTraceFD = "GOSYS_FORK_TRACE_FD"

// childFiles returns the ProcAttr.Files table and environment of a child:
// learner descriptors at their numbers, then extra at free positions, each
// named in the environment.
func childFiles(learner []uintptr, extra []internalFD) ([]uintptr, []string) {
	files := slices.Clone(learner)
	env := os.Environ()
	for _, x := range extra {
		env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, x.env+"=") })
		env = append(env, x.env+"="+strconv.Itoa(len(files)))
		files = append(files, uintptr(x.fd))
	}
	return files, env
}

// Start starts a child process running p: the gosys binary re-executed in
// child mode, with the learner's descriptors of this process as a C fork
// would give them (every descriptor not marked close-on-exec, at its number,
// plus keep, descriptors behind captured Go files and connections, plus 0,
// 1 and 2). It returns the child's pid; the child is this process's own.
func Start(p *Payload, keep []int) (int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, fmt.Errorf("fork: find the gosys binary: %w", err)
	}
	learner, err := inherited(keep)
	if err != nil {
		return 0, err
	}
	var pp [2]int
	if err := unix.Pipe2(pp[:], unix.O_CLOEXEC); err != nil {
		return 0, fmt.Errorf("fork: payload pipe: %w", err)
	}
	extra := append(internalFDs(), internalFD{EnvPayloadFD, pp[0]})
	if p.TraceFD > 0 {
		extra = append(extra, internalFD{EnvTraceFD, p.TraceFD})
	}
	files, env := childFiles(learner, extra)
	body, err := json.Marshal(p)
	if err != nil {
		unix.Close(pp[0])
		unix.Close(pp[1])
		return 0, fmt.Errorf("fork: encode payload: %w", err)
	}
	pid, err := syscall.ForkExec(exe, []string{filepath.Base(exe), ChildArg}, &syscall.ProcAttr{
		Dir: p.Dir, Env: env, Files: files,
	})
	unix.Close(pp[0])
	if err != nil {
		unix.Close(pp[1])
		return 0, fmt.Errorf("fork: start child: %w", err)
	}
	// The fork is complete when Start returns, even if this process ends at
	// once (a child that forks and exits): the payload is written first. A
	// pipe as large as the payload (up to 1 MiB) takes it without waiting
	// for the child to read.
	_, _ = unix.FcntlInt(uintptr(pp[1]), unix.F_SETPIPE_SZ, min(max(len(body), 4096), 1<<20))
	_ = writeAll(pp[1], body) // on error the child died; its status tells why
	unix.Close(pp[1])
	return pid, nil
}

// noFD marks a position of ProcAttr.Files the child must not have open.
const noFD = ^uintptr(0)

// inherited returns the ProcAttr.Files table that keeps each learner
// descriptor of this process (and those in keep) at its own number: every
// descriptor not marked close-on-exec, and 0, 1 and 2.
func inherited(keep []int) ([]uintptr, error) {
	open, err := fdspace.Open()
	if err != nil {
		return nil, fmt.Errorf("fork: %w", err)
	}
	var fds []int
	for _, fd := range open {
		if fd <= 2 || fdspace.IsInheritable(fd) || slices.Contains(keep, fd) {
			fds = append(fds, fd)
		}
	}
	if len(fds) == 0 {
		return nil, nil
	}
	files := make([]uintptr, slices.Max(fds)+1)
	for i := range files {
		files[i] = noFD
	}
	for _, fd := range fds {
		files[fd] = uintptr(fd)
	}
	return files, nil
}

// ChildStartup prepares a forked child's descriptors before anything else
// runs in it: gosys's own descriptors move to fdspace.Floor or above (their
// environment variables follow), Go's runtime starts its poller there, and
// the children table is mapped. It must be the first thing the child does.
func ChildStartup() error {
	for _, name := range []string{displaywire.EnvFD, cellctl.EnvChildTable, EnvPayloadFD, EnvControlFD, EnvTraceFD} {
		if _, err := fdspace.LiftEnv(name); err != nil {
			return err
		}
	}
	if err := fdspace.StartRuntime(); err != nil {
		fmt.Fprintf(os.Stderr, "gosys: forked child %d: %v\n", os.Getpid(), err)
	}
	return cellctl.OpenChildTable()
}

func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}
