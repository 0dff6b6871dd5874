package rt

import (
	"gosys/rt/cellctl"

	"golang.org/x/sys/unix"
)

// ErrInterrupted is wrapped by the error a blocking call returns when the
// running cell is interrupted: errors.Is(err, rt.ErrInterrupted) holds.
var ErrInterrupted = cellctl.ErrInterrupted

// await blocks until fd is ready for events (poll(2) flags) and returns nil,
// or returns ErrInterrupted once the running cell is interrupted. Outside a
// cell it waits for fd alone.
func await(fd int, events int16) error {
	s := cellctl.Acquire()
	defer s.Release()
	fds := []unix.PollFd{
		{Fd: int32(fd), Events: events},
		{Fd: int32(s.FD()), Events: unix.POLLIN},
	}
	for {
		_, err := unix.Poll(fds, -1)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return err
		case fds[1].Revents != 0:
			return ErrInterrupted
		case fds[0].Revents&unix.POLLNVAL != 0:
			return unix.EBADF
		case fds[0].Revents != 0:
			return nil
		}
	}
}

// nonblocking reports whether fd's open file description has O_NONBLOCK,
// in which case its system calls do not block and need no await.
func nonblocking(fd int) (bool, error) {
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	return flags&unix.O_NONBLOCK != 0, err
}

// openFor returns whether fd has O_NONBLOCK, and EBADF when it is not open
// for the access wanted (checkAccess), in one fcntl.
func openFor(fd, want int) (nonblock bool, err error) {
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return false, err
	}
	mode := flags & unix.O_ACCMODE
	if (want == unix.O_RDONLY && mode == unix.O_WRONLY) || (want == unix.O_WRONLY && mode == unix.O_RDONLY) {
		return false, unix.EBADF
	}
	return flags&unix.O_NONBLOCK != 0, nil
}
