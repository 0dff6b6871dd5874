package rt

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// Socket makes a socket as socket(2) does, e.g. Socket(ai.Family,
// ai.SockType, ai.Protocol). The descriptor is blocking and not
// close-on-exec.
func Socket(family, sockType, protocol int) (fd int, err error) {
	t := beginCall()
	fd, err = unix.Socket(family, sockType, protocol)
	if !t.IsZero() {
		e := fdEvent("socket", fd, fd)
		e.FD = -1
		endCall(t, e, err)
	}
	if err != nil {
		return -1, fmt.Errorf("socket: %w", err)
	}
	return fd, nil
}

// Bind sets SO_REUSEADDR on fd, as the lecture's server setup does, so a
// restarted server can bind its port while old connections linger, then
// binds fd to ai.Addr as bind(2) does. An AF_INET6 socket keeps the
// system's default IPV6_V6ONLY.
func Bind(fd int, ai AddrInfo) error {
	var err error = syscall.EINVAL
	if t := beginCall(); !t.IsZero() {
		defer func() {
			e := fdEvent("bind", fd, 0)
			if e.Local == "" {
				e.Local = sockaddrString(ai.Addr)
			}
			endCall(t, e, err)
		}()
	}
	if ai.Addr != nil {
		err = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	}
	if err == nil {
		err = syscall.Bind(fd, ai.Addr)
	}
	if err != nil {
		return fmt.Errorf("bind fd %d to %s: %w", fd, sockaddrString(ai.Addr), err)
	}
	return nil
}

// Listen marks fd as accepting connections, with at most backlog of them
// waiting for Accept, as listen(2) does.
func Listen(fd, backlog int) error {
	t := beginCall()
	err := unix.Listen(fd, backlog)
	if !t.IsZero() {
		endCall(t, fdEvent("listen", fd, 0), err)
	}
	if err != nil {
		return fmt.Errorf("listen on fd %d: %w", fd, err)
	}
	return nil
}

// Accept waits for a connection on the listening socket fd and returns its
// new descriptor, blocking and not close-on-exec, as accept(2) does. On a
// descriptor with O_NONBLOCK set it does not wait (syscall.EAGAIN).
// Another process accepting on the same socket may take the connection
// Accept was woken for; Accept then waits, uninterruptibly, for the next.
func Accept(fd int) (conn int, err error) {
	if t := beginCall(); !t.IsZero() {
		defer func() {
			e := fdEvent("accept", conn, conn)
			e.FD = fd
			endCall(t, e, err)
		}()
	}
	nb, err := nonblocking(fd)
	for err == nil {
		if !nb {
			if err = await(fd, unix.POLLIN); err != nil {
				break
			}
		}
		conn, _, err = unix.Accept4(fd, 0)
		if err == nil {
			return conn, nil
		}
		if err == unix.EINTR {
			err = nil
		}
	}
	return -1, fmt.Errorf("accept on fd %d: %w", fd, err)
}

// Connect connects fd to ai.Addr as connect(2) does and returns the
// connection's error, e.g. syscall.ECONNREFUSED. While it waits the socket
// is non-blocking; it is blocking again when Connect returns. When the cell
// is interrupted the connection attempt goes on in the background, and a
// later Connect gives syscall.EALREADY or syscall.EISCONN. On a descriptor
// with O_NONBLOCK set it does not wait (syscall.EINPROGRESS, as in C).
func Connect(fd int, ai AddrInfo) error {
	t := beginCall()
	err := connect(fd, ai.Addr)
	if !t.IsZero() {
		e := fdEvent("connect", fd, 0)
		if e.Peer == "" {
			e.Peer = sockaddrString(ai.Addr)
		}
		endCall(t, e, err)
	}
	if err != nil {
		return fmt.Errorf("connect fd %d to %s: %w", fd, sockaddrString(ai.Addr), err)
	}
	return nil
}

func connect(fd int, sa syscall.Sockaddr) (err error) {
	if sa == nil {
		return syscall.EINVAL
	}
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return err
	}
	if flags&unix.O_NONBLOCK != 0 {
		return syscall.Connect(fd, sa)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFL, flags|unix.O_NONBLOCK); err != nil {
		return err
	}
	defer func() {
		if _, rerr := unix.FcntlInt(uintptr(fd), unix.F_SETFL, flags); err == nil {
			err = rerr
		}
	}()
	err = syscall.Connect(fd, sa)
	if err != syscall.EINPROGRESS {
		return err
	}
	if err := await(fd, unix.POLLOUT); err != nil {
		return err
	}
	soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err == nil && soerr != 0 {
		err = syscall.Errno(soerr)
	}
	return err
}
