package rt

import (
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"gosys/internal/fdspace"
	"gosys/rt/cellctl"
	"gosys/rt/tracewire"
	"gosys/rt/view"

	"golang.org/x/sys/unix"
)

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
	text := view.TraceText(events)
	if dropped > 0 {
		text += fmt.Sprintf("(%d more events were not kept)\n", dropped)
	}
	Display(map[string]any{"text/html": view.TraceHTML(events), "text/plain": text}, nil)
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
// the events in trace order (see TraceEvent.At).
func (r *traceRecorder) finish() ([]TraceEvent, int) {
	waitQuiet(&r.mu, &r.last, traceQuiet)
	_ = unix.Shutdown(r.recv, unix.SHUT_RDWR)
	r.wg.Wait()
	unix.Close(r.recv)
	r.mu.Lock()
	defer r.mu.Unlock()
	slices.SortStableFunc(r.events, func(a, b TraceEvent) int { return a.At().Compare(b.At()) })
	return r.events, r.dropped
}

// TraceText renders events as text, one line per call in the order Trace
// returns them: time in ms from the first call, pid, the call, and where
// its bytes went or came from. It is view.TraceText.
func TraceText(events []TraceEvent) string { return view.TraceText(events) }

// TraceHTML renders events as the sequence diagram Trace shows: TraceSVG
// as an HTML image on a white card. It is view.TraceHTML, which documents
// the drawing.
func TraceHTML(events []TraceEvent) string { return view.TraceHTML(events) }

// TraceSVG is the SVG document of TraceHTML, drawn in currentColor. It is
// view.TraceSVG.
func TraceSVG(events []TraceEvent) string { return view.TraceSVG(events) }

// TraceLabel is the one-line description of an event, C style:
// "write(4) = 6 \"hello\\n\"", "read(3) = 0 EOF", "wait() = 812 exited 3".
// It is view.TraceLabel.
func TraceLabel(e TraceEvent) string { return view.TraceLabel(e) }
