package rt

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"gosys/internal/fdspace"
	"gosys/rt/cellctl"
	"gosys/rt/tracewire"

	"golang.org/x/sys/unix"
)

// TraceEvent is one rt call recorded by Trace.
//
// FD is the descriptor the call worked on (-1 when none): for Pipe the read
// end, for Dup and Dup2 the old descriptor, for Accept the listening
// socket. Ret is the call's result: bytes moved (Read, Write), the new
// descriptor (Pipe: the write end; Socket, Open, Dup, Dup2, Accept), the
// child's pid (Fork, Wait), the exit code (Exit); 0 otherwise.
type TraceEvent struct {
	Pid   int       // the process that made the call
	Start time.Time // when the call began
	End   time.Time // when it returned
	Call  string    // fork, exit, wait, pipe, read, write, close, socket, bind, listen, accept, connect, open, dup, dup2
	FD    int
	Ret   int
	Err   string // the error's errno name (EPIPE), EOF, interrupted, or text; "" on success
	// Object names what FD refers to: "pipe:[inode]", "socket:[inode]" or a
	// file's path; for Accept, Dup, Open, the new descriptor's.
	Object string
	// Local and Peer are a socket's addresses (for Accept and Connect, the
	// connection's), as host:port.
	Local, Peer string
	// Data is the start of the bytes a read or write moved: at most 32
	// bytes, invalid UTF-8 shown as '.'.
	Data string
	// Status says how a reaped child ended: "exited 3", "killed by SIGPIPE".
	Status string
}

// MaxTraceEvents is how many events Trace keeps; later ones are counted and
// dropped.
const MaxTraceEvents = 20000

// traceQuiet is how long Trace keeps listening after f returned, for events
// of children still on their way.
const traceQuiet = 100 * time.Millisecond

// Trace runs f while recording the rt calls that this process and every
// child forked during f make: Fork, Exit (and a child's end), Wait,
// WaitPid, Pipe, Read, Write, Close, Socket, Bind, Listen, Accept,
// Connect, Open, Dup, Dup2. It then shows them as a sequence diagram, one
// lifeline per process, with arrows for the bytes that moved from a write
// to a read through the same pipe or TCP connection, for connect → accept,
// fork → child and exit → wait, and returns the events in the order the
// calls returned.
//
// Not recorded: calls through Go's os and net packages, programs a child
// execs, children forked before f began, and events that arrive more than
// 100 ms after f returned. Trace inside a trace runs f and records nothing
// more (the outer trace goes on).
func Trace(f func()) []TraceEvent {
	if tracewire.Active() {
		fmt.Fprintln(os.Stderr, "rt.Trace: a trace is already running; its recording goes on")
		f()
		return nil
	}
	rec, err := startTrace()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rt.Trace:", err)
		f()
		return nil
	}
	scope := cellctl.Acquire()
	defer scope.Release()
	func() {
		defer rec.stopSending()
		f()
	}()
	events, dropped := rec.finish()
	select {
	case <-scope.Done():
		return events // interrupted: the cell is over, nothing to draw into
	default:
	}
	text := TraceText(events)
	if dropped > 0 {
		text += fmt.Sprintf("(%d more events were not kept)\n", dropped)
	}
	Display(map[string]any{"text/html": TraceHTML(events), "text/plain": text}, nil)
	return events
}

// traceRecorder is the receiving end of a trace.
type traceRecorder struct {
	send, recv int
	wg         sync.WaitGroup
	mu         sync.Mutex
	events     []TraceEvent
	dropped    int
	last       time.Time
}

func startTrace() (*traceRecorder, error) {
	sp, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("trace socket: %w", err)
	}
	// Both ends out of the cell's numbers (see fdspace).
	send, err := fdspace.Lift(sp[1])
	if err != nil {
		unix.Close(sp[0])
		unix.Close(sp[1])
		return nil, fmt.Errorf("trace socket: %w", err)
	}
	recv, err := fdspace.Lift(sp[0])
	if err != nil {
		unix.Close(sp[0])
		unix.Close(send)
		return nil, fmt.Errorf("trace socket: %w", err)
	}
	sp[0] = recv
	// Room for bursts (a child writing in a loop) while the reader catches up.
	if unix.SetsockoptInt(sp[0], unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 4<<20) != nil {
		_ = unix.SetsockoptInt(sp[0], unix.SOL_SOCKET, unix.SO_RCVBUF, 4<<20)
	}
	r := &traceRecorder{send: send, recv: sp[0], last: time.Now()}
	r.wg.Add(1)
	go r.read()
	tracewire.SetFD(send)
	return r, nil
}

// read collects events until the receiving end is shut down.
func (r *traceRecorder) read() {
	defer r.wg.Done()
	buf := make([]byte, tracewire.MaxDatagram+1)
	for {
		n, _, err := unix.Recvfrom(r.recv, buf, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return
		}
		e, err := tracewire.Decode(buf[:n])
		r.mu.Lock()
		r.last = time.Now()
		switch {
		case err != nil:
		case len(r.events) < MaxTraceEvents:
			r.events = append(r.events, TraceEvent(e))
		default:
			r.dropped++
		}
		r.mu.Unlock()
	}
}

// stopSending ends this process's part: its later calls are not recorded.
// Children keep sending on their copies until finish shuts the socket.
func (r *traceRecorder) stopSending() {
	tracewire.SetFD(-1)
	unix.Close(r.send)
}

// finish waits until nothing arrived for traceQuiet (at most a second),
// shuts the socket, so children's later sends fail and stop, and returns
// the events in trace order (see traceAt).
func (r *traceRecorder) finish() ([]TraceEvent, int) {
	waitQuiet(&r.mu, &r.last, traceQuiet)
	_ = unix.Shutdown(r.recv, unix.SHUT_RDWR)
	r.wg.Wait()
	unix.Close(r.recv)
	r.mu.Lock()
	defer r.mu.Unlock()
	slices.SortStableFunc(r.events, func(a, b TraceEvent) int { return traceAt(a).Compare(traceAt(b)) })
	return r.events, r.dropped
}

// traceAt is when a call counts as made, the order of the trace. A call
// that sends (write, close, connect, fork, exit) counts from when it
// began: its bytes, its end of file or its child can reach another process
// before it returns in its own. Every other call counts from when it
// returned, so a read always comes after the write it got bytes from.
func traceAt(e TraceEvent) time.Time {
	switch e.Call {
	case "write", "close", "connect", "fork", "exit":
		return e.Start
	}
	return e.End
}

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
