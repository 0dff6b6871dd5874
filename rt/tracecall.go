package rt

import (
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gosys/rt/tracewire"

	"golang.org/x/sys/unix"
)

// What each traced call does: beginCall before the system call, endCall
// with its event after it. They cost one atomic load when no trace runs.

// beginCall returns the time a traced call begins, or the zero time when no
// trace is running (and the call records nothing).
func beginCall() time.Time {
	if !tracewire.Active() {
		return time.Time{}
	}
	return time.Now()
}

// endCall records a call that began at start, unless start is zero.
func endCall(start time.Time, e TraceEvent, err error) {
	if start.IsZero() {
		return
	}
	e.Start, e.End = start, time.Now()
	if err != nil {
		e.Err = errText(err)
	}
	tracewire.Emit(tracewire.Event(e))
}

// fdEvent is an event for a call on fd, with what fd refers to now.
func fdEvent(call string, fd, ret int) TraceEvent {
	e := TraceEvent{Call: call, FD: fd, Ret: ret}
	e.Object, e.Local, e.Peer = describeFD(fd)
	return e
}

// describeFD names the object of fd and, for a socket, its addresses.
func describeFD(fd int) (object, local, peer string) {
	if fd < 0 {
		return "", "", ""
	}
	object, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	if err != nil {
		return "", "", ""
	}
	if !strings.HasPrefix(object, "socket:") {
		return object, "", ""
	}
	if sa, err := unix.Getsockname(fd); err == nil {
		local = unixSockaddrString(sa)
	}
	if sa, err := unix.Getpeername(fd); err == nil {
		peer = unixSockaddrString(sa)
	}
	return object, local, peer
}

// unixSockaddrString formats an x/sys/unix socket address as host:port.
func unixSockaddrString(sa unix.Sockaddr) string {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return sockaddrString(&syscall.SockaddrInet4{Port: a.Port, Addr: a.Addr})
	case *unix.SockaddrInet6:
		return sockaddrString(&syscall.SockaddrInet6{Port: a.Port, Addr: a.Addr, ZoneId: a.ZoneId})
	case *unix.SockaddrUnix:
		if a.Name == "" {
			return ""
		}
		return a.Name
	}
	return ""
}

// errText is the short name of a call's error: the errno's name (EPIPE),
// EOF, or the error's text.
func errText(err error) string {
	var errno syscall.Errno
	switch {
	case errors.Is(err, io.EOF):
		return "EOF"
	case errors.Is(err, ErrInterrupted):
		return "interrupted"
	case errors.As(err, &errno):
		if name := unix.ErrnoName(errno); name != "" {
			return name
		}
	}
	return err.Error()
}
