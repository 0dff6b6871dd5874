// Package capture owns the kernel process's descriptors 0, 1 and 2. It moves
// descriptors 1 and 2 into pipes it reads, so that everything written to them
// (by cells, goroutines, C code or child processes that inherit them) becomes
// stream output of the right cell, batched and never lost; and it answers
// reads of descriptor 0 from the frontend.
package capture

import (
	"fmt"
	"os"
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
}

type stream struct {
	name    string
	fd      int // non-blocking read end of the pipe now behind fd 1 or 2
	pending []byte
	eof     bool
}

// StartOutput moves descriptors 1 and 2 into pipes and starts reading them.
// It returns a duplicate of the original descriptor 2 (close-on-exec) for the
// kernel's own log, which must never land in a cell. It is meant to be
// called once per process.
func StartOutput(sink StreamSink) (*Output, *os.File, error) {
	logFD, err := unix.FcntlInt(2, unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return nil, nil, fmt.Errorf("keep original stderr: %w", err)
	}
	o := &Output{sink: sink}
	for i, target := range []int{1, 2} {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			return nil, nil, fmt.Errorf("pipe for fd %d: %w", target, err)
		}
		// dup2 leaves the new fd 1/2 inheritable, so children write into it.
		if err := unix.Dup2(p[1], target); err != nil {
			return nil, nil, fmt.Errorf("dup2 pipe onto fd %d: %w", target, err)
		}
		unix.Close(p[1])
		if err := unix.SetNonblock(p[0], true); err != nil {
			return nil, nil, fmt.Errorf("nonblock read end of fd %d: %w", target, err)
		}
		o.streams[i] = &stream{name: [2]string{"stdout", "stderr"}[i], fd: p[0]}
	}
	for _, s := range o.streams {
		go o.read(s)
	}
	return o, os.NewFile(uintptr(logFD), "original-stderr"), nil
}

// SetParent flushes what is pending to the previous parent, then routes
// later text to m.
func (o *Output) SetParent(m *wire.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked(true)
	o.parent = m
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
	o.sink.Stream(o.parent, s.name, string(text))
	s.pending = append(s.pending[:0], s.pending[len(s.pending)-keep:]...)
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
