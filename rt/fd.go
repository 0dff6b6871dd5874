package rt

import (
	"errors"
	"fmt"
	"gosys/rt/cellctl"
	"io"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// pipeBuf is PIPE_BUF on Linux: once poll(2) reports a pipe writable, a
// write of this many bytes does not block.
const pipeBuf = 4096

// Pipe makes a pipe as pipe(2) does: bytes written to w are read from r.
// Both descriptors are blocking and not close-on-exec.
func Pipe() (r, w int, err error) {
	t := beginCall()
	var p [2]int
	if err := unix.Pipe2(p[:], 0); err != nil {
		endCall(t, TraceEvent{Call: "pipe", FD: -1, Ret: -1}, err)
		return -1, -1, fmt.Errorf("pipe: %w", err)
	}
	if !t.IsZero() {
		endCall(t, fdEvent("pipe", p[0], p[1]), nil)
	}
	return p[0], p[1], nil
}

// Read reads up to len(p) bytes from fd with one read(2) and returns how
// many it read. It returns 0, io.EOF at end of file, e.g. on a pipe whose
// write ends are all closed. On a descriptor with O_NONBLOCK set it does not
// wait (syscall.EAGAIN, as in C).
func Read(fd int, p []byte) (n int, err error) {
	t := beginCall()
	n, err = read(fd, p)
	if !t.IsZero() {
		e := fdEvent("read", fd, n)
		e.Data = string(p[:max(n, 0)])
		if err == nil && n == 0 && len(p) > 0 {
			e.Err = "EOF"
		}
		endCall(t, e, err)
	}
	switch {
	case err != nil:
		return 0, fmt.Errorf("read from fd %d: %w", fd, err)
	case n == 0 && len(p) > 0:
		return 0, io.EOF
	}
	return n, nil
}

func read(fd int, p []byte) (int, error) {
	nb, err := openFor(fd, unix.O_RDONLY)
	if err != nil {
		return 0, err
	}
	if !nb && len(p) > 0 {
		// What is there already is read without waiting, in one system
		// call (pipes and sockets); only an empty descriptor is waited on,
		// where an interrupt can wake the wait.
		n, err := unix.Preadv2(fd, [][]byte{p}, -1, unix.RWF_NOWAIT)
		if err == nil {
			return n, nil
		}
		if err != unix.EAGAIN && err != unix.EOPNOTSUPP && err != unix.EINVAL && err != unix.EINTR {
			return n, err
		}
	}
	for {
		if !nb && len(p) > 0 {
			if err := await(fd, unix.POLLIN); err != nil {
				return 0, err
			}
		}
		n, err := unix.Read(fd, p)
		if err != unix.EINTR {
			return n, err
		}
	}
}

// Write writes all of p to fd, looping over short writes as the lecture's C
// write loop does, and returns len(p), or how many bytes it wrote before an
// error (an interrupt of the running cell included). A pipe or socket with
// no reader gives syscall.EPIPE. On a
// descriptor with O_NONBLOCK set it stops at syscall.EAGAIN, as in C.
// Concurrent writes of up to 4096 bytes to one pipe are not interleaved.
func Write(fd int, p []byte) (n int, err error) {
	if t := beginCall(); !t.IsZero() {
		defer func() {
			e := fdEvent("write", fd, n)
			e.Data = string(p[:n])
			endCall(t, e, err)
		}()
	}
	nb, err := openFor(fd, unix.O_WRONLY)
	var st unix.Stat_t
	if err == nil {
		err = unix.Fstat(fd, &st)
	}
	kind := st.Mode & unix.S_IFMT
	for err == nil && n < len(p) {
		var m int
		m, err = writeOnce(fd, kind, nb, p[n:])
		n += max(m, 0)
		switch {
		case err == unix.EINTR:
			err = nil
		case err == unix.EAGAIN && !nb:
			// Full: wait where an interrupt can wake the wait.
			err = await(fd, unix.POLLOUT)
		}
	}
	if err != nil {
		if errors.Is(err, unix.EPIPE) && !cellctl.IsChild() && !epipeSaid.Swap(true) {
			return n, fmt.Errorf("write to fd %d: %w (no process has the read end open; the session process ignores SIGPIPE, a forked child would have been killed by it, as in C)", fd, err)
		}
		return n, fmt.Errorf("write to fd %d: %w", fd, err)
	}
	return n, nil
}

// writeOnce writes what fd takes of p now. A pipe or socket takes what it
// has room for without blocking (a pipe, up to 4096 bytes whole or not at
// all, as C's), or says EAGAIN; any other descriptor is written once poll
// says it can be, so that an interrupt is never stuck behind a write
// blocked on a reader that does not read.
func writeOnce(fd int, kind uint32, nb bool, p []byte) (int, error) {
	switch {
	case kind == unix.S_IFSOCK:
		return unix.SendmsgN(fd, p, nil, nil, unix.MSG_DONTWAIT)
	case kind == unix.S_IFIFO && !nb:
		m, err := unix.Pwritev2(fd, [][]byte{p}, -1, unix.RWF_NOWAIT)
		switch {
		case err == nil && m == 0:
			return 0, unix.EAGAIN
		case err != unix.EOPNOTSUPP && err != unix.EINVAL:
			return m, err
		}
		// A kernel without RWF_NOWAIT for pipes: within what poll promised.
		if err := await(fd, unix.POLLOUT); err != nil {
			return 0, err
		}
		return unix.Write(fd, p[:min(pipeBuf, len(p))])
	case !nb:
		if err := await(fd, unix.POLLOUT); err != nil {
			return 0, err
		}
	}
	return unix.Write(fd, p)
}

// epipeSaid is set once the session has explained, in the error text of an
// EPIPE, why it got EPIPE and not SIGPIPE.
var epipeSaid atomic.Bool

// Close closes fd as close(2) does.
func Close(fd int) error {
	t := beginCall()
	var e TraceEvent
	if !t.IsZero() {
		e = fdEvent("close", fd, 0)
	}
	err := unix.Close(fd)
	endCall(t, e, err)
	if err != nil {
		return fmt.Errorf("close fd %d: %w", fd, err)
	}
	return nil
}

// Open opens path as open(2) does, with flags syscall.O_* and, when it
// creates the file, permissions perm (less the umask). The descriptor is not
// close-on-exec unless flags has O_CLOEXEC. Opening a FIFO blocks as open(2)
// does, and an interrupt does not end that wait.
func Open(path string, flags int, perm uint32) (fd int, err error) {
	t := beginCall()
	fd, err = unix.Open(path, flags, perm)
	if !t.IsZero() {
		e := fdEvent("open", fd, fd)
		e.FD, e.Object = -1, path
		endCall(t, e, err)
	}
	if err != nil {
		return -1, fmt.Errorf("open %s: %w", path, err)
	}
	return fd, nil
}

// Dup returns a new descriptor, the lowest free number, for the open file
// of fd, as dup(2) does. It is not close-on-exec.
func Dup(fd int) (int, error) {
	t := beginCall()
	nfd, err := unix.Dup(fd)
	if !t.IsZero() {
		endCall(t, fdEvent("dup", fd, nfd), err)
	}
	if err != nil {
		return -1, fmt.Errorf("dup fd %d: %w", fd, err)
	}
	return nfd, nil
}

// Dup2 makes newfd refer to the open file of oldfd, closing newfd first if
// it was open, as dup2(2) does; newfd is not close-on-exec. When oldfd ==
// newfd it only checks that oldfd is open.
func Dup2(oldfd, newfd int) error {
	t := beginCall()
	var err error
	if oldfd == newfd {
		_, err = unix.FcntlInt(uintptr(oldfd), unix.F_GETFD, 0)
	} else {
		err = unix.Dup3(oldfd, newfd, 0)
	}
	if !t.IsZero() {
		endCall(t, fdEvent("dup2", oldfd, newfd), err)
	}
	if err != nil {
		return fmt.Errorf("dup2 fd %d to %d: %w", oldfd, newfd, err)
	}
	return nil
}
