// Package tracewire carries the events of rt.Trace from every process that
// takes part (the kernel, children forked during the trace) to the process
// that called rt.Trace: one JSON object per datagram on a SOCK_DGRAM unix
// socket, the trace socket.
//
// A process has at most one trace socket: SetFD names it, Emit sends on it.
// When no trace is running Emit does nothing and costs one atomic load.
package tracewire

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// MaxDatagram is the longest event Encode produces; a reader's buffer of
// this size holds any event.
const MaxDatagram = 4 << 10

// MaxData is how many bytes of the data a read or write moved an event
// keeps.
const MaxData = 32

// Event is one runtime call seen by a trace; osdata.TraceEvent (rt's
// TraceEvent) documents the fields (the two types convert into each other).
type Event struct {
	Pid   int       `json:"pid"`
	Start time.Time `json:"start"` // when the call began
	End   time.Time `json:"end"`   // when it returned
	Call  string    `json:"call"`  // fork, exit, wait, pipe, read, write, close, socket, bind, listen, accept, connect, open, dup, dup2
	FD    int       `json:"fd"`
	Ret   int       `json:"ret"`
	Err   string    `json:"err,omitempty"` // the error's text; "" on success
	// Object names what FD refers to: "pipe:[inode]", "socket:[inode]" or a
	// file's path; for accept and dup, what the new descriptor refers to.
	Object string `json:"obj,omitempty"`
	// Local and Peer are a socket's addresses (for accept and connect, the
	// new connection's), as host:port.
	Local string `json:"local,omitempty"`
	Peer  string `json:"peer,omitempty"`
	// Data is the start of the bytes a read or write moved, at most MaxData.
	Data string `json:"data,omitempty"`
	// Status says how a reaped child ended: "exited 3", "killed by SIGPIPE".
	Status string `json:"status,omitempty"`
}

// calls are the event names Decode accepts.
var calls = map[string]bool{
	"fork": true, "exit": true, "wait": true, "pipe": true, "read": true, "write": true,
	"close": true, "socket": true, "bind": true, "listen": true, "accept": true,
	"connect": true, "open": true, "dup": true, "dup2": true,
}

// Encode returns e as one datagram, after making Data valid UTF-8 (each
// invalid byte becomes '.') and clipping it to MaxData bytes on a rune
// boundary, and checking e as Decode does.
func Encode(e Event) ([]byte, error) {
	e.Data = clipData(e.Data)
	if err := e.validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("trace event: %w", err)
	}
	if len(b) > MaxDatagram {
		return nil, fmt.Errorf("trace event: %d bytes, more than %d", len(b), MaxDatagram)
	}
	return b, nil
}

// Decode parses one datagram. It fails on anything but a JSON object of an
// Event with a known call, a positive pid and End not before Start.
func Decode(b []byte) (Event, error) {
	var e Event
	if len(b) > MaxDatagram {
		return e, fmt.Errorf("trace event: %d bytes, more than %d", len(b), MaxDatagram)
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return Event{}, fmt.Errorf("trace event: %w", err)
	}
	if err := e.validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}

// clipData returns the valid UTF-8 start of s, at most MaxData bytes.
func clipData(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r == utf8.RuneError && len(s[i:]) > 0 {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				r = '.'
			}
		}
		if b.Len()+utf8.RuneLen(r) > MaxData {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (e Event) validate() error {
	switch {
	case !calls[e.Call]:
		return fmt.Errorf("trace event: unknown call %q", e.Call)
	case e.Pid <= 0:
		return fmt.Errorf("trace event: pid %d", e.Pid)
	case e.End.Before(e.Start):
		return errors.New("trace event: ends before it starts")
	case len(e.Data) > MaxData:
		return fmt.Errorf("trace event: %d bytes of data, more than %d", len(e.Data), MaxData)
	}
	return nil
}

// fd is this process's trace socket, -1 when no trace is running. It is
// process state: the one trace a process takes part in.
var fd atomic.Int64

func init() { fd.Store(-1) }

// SetFD makes fd (a SOCK_DGRAM socket connected to the tracer) the trace
// socket Emit sends on; -1 stops sending. The caller owns the descriptor.
func SetFD(n int) { fd.Store(int64(n)) }

// FD returns the trace socket, -1 when no trace is running.
func FD() int { return int(fd.Load()) }

// Active reports whether a trace is running in this process.
func Active() bool { return fd.Load() >= 0 }

// sendWait bounds how long Emit waits for room on a full trace socket
// before it drops the event: a stuck tracer must not stop the traced
// program.
const sendWait = time.Second

// Emit sends e, with this process's pid, to the tracer. It does nothing
// when no trace is running. When the tracer is gone (its end closed) it
// stops tracing in this process; an event that finds no room within a
// second is dropped.
func Emit(e Event) {
	n := FD()
	if n < 0 {
		return
	}
	e.Pid = unix.Getpid()
	b, err := Encode(e)
	if err != nil {
		return
	}
	deadline := time.Now().Add(sendWait)
	for {
		err := unix.Sendto(n, b, unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL, nil)
		switch {
		case err == nil:
			return
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN && time.Now().Before(deadline):
			fds := []unix.PollFd{{Fd: int32(n), Events: unix.POLLOUT}}
			_, _ = unix.Poll(fds, int(time.Until(deadline)/time.Millisecond)+1)
			continue
		case err == unix.EAGAIN:
			return
		}
		// ECONNREFUSED, EPIPE, EBADF...: the trace is over for this process.
		fd.CompareAndSwap(int64(n), -1)
		return
	}
}
