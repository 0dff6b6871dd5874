package fdspace

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// The small descriptor questions the kernel, the session, the fork starter
// and rt's wires all ask, answered once.

// IsOpen reports whether fd is an open descriptor of this process.
func IsOpen(fd int) bool {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil
}

// IsInheritable reports whether fd is open without close-on-exec: a
// process this one execs gets it.
func IsInheritable(fd int) bool {
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil && flags&unix.FD_CLOEXEC == 0
}

// Open returns this process's open descriptors, lowest first (the one used
// to list them is not among them).
func Open() ([]int, error) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil, fmt.Errorf("fdspace: list descriptors: %w", err)
	}
	fds := make([]int, 0, len(entries))
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil && IsOpen(fd) {
			fds = append(fds, fd)
		}
	}
	return fds, nil
}

// CloseInherited closes the descriptors above 2 that this process got from
// whoever started it without close-on-exec: a process that must begin with
// only 0, 1 and 2 (a kernel started by a launcher that leaked some).
func CloseInherited() {
	fds, err := Open()
	if err != nil {
		return
	}
	for _, fd := range fds {
		if fd > 2 && IsInheritable(fd) {
			unix.Close(fd)
		}
	}
}

// Rights returns the descriptors that SCM_RIGHTS control messages in oob
// (the out-of-band bytes of a recvmsg) carry. The caller owns them: each
// must be used or closed. Control messages of other kinds are skipped.
func Rights(oob []byte) ([]int, error) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("fdspace: control message: %w", err)
	}
	var fds []int
	for _, m := range msgs {
		if r, err := unix.ParseUnixRights(&m); err == nil {
			fds = append(fds, r...)
		}
	}
	return fds, nil
}
