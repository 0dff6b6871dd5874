package fork

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// ChildArg is the argument that starts the gosys binary as a forked child.
const ChildArg = "fork-child"

// Start starts a child process running p: the gosys binary re-executed in
// child mode, with the same descriptor table as this process as far as a
// C fork would give it: every descriptor not marked close-on-exec (all those
// rt made) at its number, plus keep (descriptors behind captured Go files
// and connections), plus 0, 1 and 2. It returns the child's pid; the child
// is this process's own child.
func Start(p *Payload, keep []int) (int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, fmt.Errorf("fork: find the gosys binary: %w", err)
	}
	body, err := json.Marshal(p)
	if err != nil {
		return 0, fmt.Errorf("fork: encode payload: %w", err)
	}
	var pp [2]int
	if err := unix.Pipe2(pp[:], unix.O_CLOEXEC); err != nil {
		return 0, fmt.Errorf("fork: payload pipe: %w", err)
	}
	files, err := inherited(keep)
	if err != nil {
		unix.Close(pp[0])
		unix.Close(pp[1])
		return 0, err
	}
	payloadFD := len(files)
	files = append(files, uintptr(pp[0]))
	env := append(os.Environ(), EnvPayloadFD+"="+strconv.Itoa(payloadFD))
	pid, err := syscall.ForkExec(exe, []string{filepath.Base(exe), ChildArg}, &syscall.ProcAttr{
		Dir: p.Dir, Env: env, Files: files,
	})
	unix.Close(pp[0])
	if err != nil {
		unix.Close(pp[1])
		return 0, fmt.Errorf("fork: start child: %w", err)
	}
	// The child reads while we write: a payload larger than the pipe is fine.
	go func() {
		defer unix.Close(pp[1])
		for off := 0; off < len(body); {
			n, err := unix.Write(pp[1], body[off:])
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return // the child died; its exit status tells why
			}
			off += n
		}
	}()
	return pid, nil
}

// noFD marks a position of ProcAttr.Files the child must not have open.
const noFD = ^uintptr(0)

// inherited returns the ProcAttr.Files table that keeps each inheritable
// descriptor of this process (and those in keep) at its own number.
func inherited(keep []int) ([]uintptr, error) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil, fmt.Errorf("fork: list descriptors: %w", err)
	}
	var fds []int
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil {
			continue // the ReadDir descriptor itself, already closed
		}
		if fd <= 2 || flags&unix.FD_CLOEXEC == 0 || slices.Contains(keep, fd) {
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
