// Package capture is the kernel's side of the session's descriptors 0, 1
// and 2. Descriptors 1 and 2 of every session process are pipes whose read
// ends capture holds, so that everything written to them (by cells,
// goroutines, C code or child processes that inherit them) becomes stream
// output of the right cell, batched and never lost; descriptor 0 is a pipe
// whose write end it holds, to answer reads from the frontend. The pipes
// outlive a session: a restarted session gets the same 1 and 2.
package capture

import (
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"gosys/kernel/wire"
)

// StreamSink receives captured text; the publisher implements it.
type StreamSink interface {
	Stream(parent *wire.Message, name, text string)
}

// Batching: like ipykernel, text is held briefly so that a loop printing a
// line at a time becomes a few messages, not thousands.
const (
	flushDelay = 50 * time.Millisecond
	flushSize  = 1 << 20
)

// Output captures descriptors 1 and 2. Text goes to the parent set last with
// SetParent: the running cell, or after it ended the cell that ran last.
type Output struct {
	sink StreamSink

	mu      sync.Mutex // guards everything below and every read of the pipes
	parent  *wire.Message
	streams [2]*stream
	timer   *time.Timer
	writers [2]int // write ends, given to each session as its 1 and 2

	limit     int64  // bytes published per cell before dropping; 0: none
	published int64  // bytes published since SetParent
	dropped   int64  // bytes dropped since SetParent
	tail      []byte // the last bytes of stderr since SetParent
	crash     crashHold
}

type stream struct {
	name    string
	fd      int // non-blocking read end of the pipe
	pending []byte
	eof     bool
}

// tailSize is how much of stderr Output keeps for Tail.
const tailSize = 8 << 10

// NewOutput makes the two pipes and starts reading them. limit caps the
// bytes published for one cell (between two SetParent calls); text past it
// is dropped and counted (see EndCell). 0 means no limit.
func NewOutput(sink StreamSink, limit int64) (*Output, error) {
	o := &Output{sink: sink, limit: limit}
	for i := range o.streams {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			return nil, fmt.Errorf("pipe for fd %d: %w", i+1, err)
		}
		if err := unix.SetNonblock(p[0], true); err != nil {
			return nil, fmt.Errorf("nonblock read end of fd %d: %w", i+1, err)
		}
		// Room for bursts while the kernel publishes (best effort).
		_, _ = unix.FcntlInt(uintptr(p[1]), unix.F_SETPIPE_SZ, 1<<20)
		o.streams[i] = &stream{name: [2]string{"stdout", "stderr"}[i], fd: p[0]}
		o.writers[i] = p[1]
	}
	for _, s := range o.streams {
		go o.read(s)
	}
	return o, nil
}

// Writers returns the write ends of the stdout and stderr pipes
// (close-on-exec), for a session's descriptors 1 and 2.
func (o *Output) Writers() (stdout, stderr int) { return o.writers[0], o.writers[1] }

// SetParent flushes what is pending to the previous parent, then routes
// later text to m.
func (o *Output) SetParent(m *wire.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked(true)
	if o.crash.held != nil {
		o.sendLocked("stderr", o.releaseLocked(nil))
	}
	o.parent = m
	o.published, o.dropped, o.tail = 0, 0, o.tail[:0]
}

// EndCell flushes, and if text was dropped since SetParent, publishes a
// line saying how much, to the same parent. It returns the bytes dropped.
func (o *Output) EndCell() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked(true)
	d := o.dropped
	if d > 0 {
		o.sink.Stream(o.parent, "stderr", fmt.Sprintf(
			"\n[gosys: %d bytes of output were dropped: a cell may print %d bytes (GOSYS_MAX_OUTPUT changes it)]\n",
			d, o.limit))
		o.dropped = 0
	}
	return d
}

// Tail returns the last bytes written to stderr since SetParent (up to
// 8 KiB), after reading what the pipes hold: the last words of a session
// that died.
func (o *Output) Tail() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked(true)
	return string(o.tail)
}

// Flush publishes everything written to descriptors 1 and 2 so far,
// including what is still in the pipes. After it returns, any text a process
// wrote before the call has been published.
func (o *Output) Flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked(true)
}

// read waits for data on s and moves it into s.pending.
func (o *Output) read(s *stream) {
	fds := []unix.PollFd{{Fd: int32(s.fd), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(fds, -1)
		if err != nil && err != unix.EINTR {
			return
		}
		o.mu.Lock()
		// Text the other stream got earlier goes out first, so stdout and
		// stderr keep their relative order as far as the reads can tell.
		for _, other := range o.streams {
			if other != s && len(other.pending) > 0 {
				o.publishLocked(other, false)
			}
		}
		o.drainLocked(s)
		eof := s.eof
		if len(s.pending) >= flushSize {
			o.flushLocked(false)
		} else if len(s.pending) > 0 && o.timer == nil {
			o.timer = time.AfterFunc(flushDelay, o.timedFlush)
		}
		o.mu.Unlock()
		if eof {
			return
		}
	}
}

func (o *Output) timedFlush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.timer = nil
	o.flushLocked(false)
}

// drainLocked reads s's pipe until it is empty.
func (o *Output) drainLocked(s *stream) {
	var buf [64 << 10]byte
	for !s.eof {
		n, err := unix.Read(s.fd, buf[:])
		if n > 0 {
			s.pending = append(s.pending, buf[:n]...)
		}
		if err == unix.EINTR {
			continue
		}
		if n == 0 && err == nil {
			s.eof = true
		}
		if err != nil || n < len(buf) {
			return
		}
	}
}

// flushLocked publishes pending text. A partial UTF-8 sequence at the end is
// kept for the next flush unless final is set (the pipes were drained and a
// message boundary follows).
func (o *Output) flushLocked(final bool) {
	for _, s := range o.streams {
		if final {
			o.drainLocked(s)
		}
		o.publishLocked(s, final)
	}
}

// publishLocked publishes s's pending text; see flushLocked for final.
func (o *Output) publishLocked(s *stream, final bool) {
	text := s.pending
	keep := 0
	if !final {
		keep = partialRune(text)
	}
	text = text[:len(text)-keep]
	if len(text) == 0 {
		return
	}
	if s.name == "stderr" {
		o.tail = append(o.tail, text...)
		if len(o.tail) > tailSize {
			o.tail = append(o.tail[:0], o.tail[len(o.tail)-tailSize:]...)
		}
		text = o.holdLocked(text)
	}
	o.sendLocked(s.name, text)
	s.pending = append(s.pending[:0], s.pending[len(s.pending)-keep:]...)
}

// sendLocked publishes text on stream name within the cell's limit: past
// it, text is counted, not sent.
func (o *Output) sendLocked(name string, text []byte) {
	if len(text) == 0 {
		return
	}
	if o.limit > 0 && o.published+int64(len(text)) > o.limit {
		n := int(max(o.limit-o.published, 0))
		n -= partialRune(text[:n])
		if n > 0 {
			o.sink.Stream(o.parent, name, string(text[:n]))
		}
		o.published = o.limit
		o.dropped += int64(len(text) - n)
		return
	}
	o.published += int64(len(text))
	o.sink.Stream(o.parent, name, string(text))
}

// partialRune returns how many trailing bytes of b start a UTF-8 sequence
// that is not complete yet.
func partialRune(b []byte) int {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		c := b[len(b)-i]
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return i
			}
			return 0
		}
	}
	return 0
}
