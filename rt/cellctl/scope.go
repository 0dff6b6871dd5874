// Package cellctl is the kernel's handle on the runtime package rt: it opens,
// interrupts and ends the cancellation scope of the running cell, records
// whether this process is the kernel or a forked child, and keeps the
// registry of child processes started through rt.
//
// Notebook cells do not see this package; rt and the kernel do.
//
// Its state is package-level on purpose: a process runs at most one cell at
// a time, has one role and one set of children. Every function is safe for
// concurrent use.
package cellctl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sys/unix"

	"gosys/internal/fdspace"
)

// ErrInterrupted is the error a blocking rt call returns when the running
// cell is interrupted. rt.ErrInterrupted is the same value.
var ErrInterrupted = errors.New("interrupted: the cell was interrupted")

// scopes guards the current scope and every scope's reference count.
var scopes struct {
	mu  sync.Mutex
	cur *Scope
	// spare are eventfds of retired scopes, reset to zero, for the next
	// scopes: after the first cells no descriptor is made per cell, so a
	// cell's own new descriptors never race with one of gosys's.
	spare []int
}

// maxSpare bounds the eventfds kept for reuse.
const maxSpare = 4

// scopeFD returns a zeroed eventfd at fdspace.Floor or above; scopes.mu must
// be held.
func scopeFD() (int, error) {
	if n := len(scopes.spare); n > 0 {
		fd := scopes.spare[n-1]
		scopes.spare = scopes.spare[:n-1]
		return fd, nil
	}
	fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return -1, err
	}
	return fdspace.Lift(fd)
}

// Scope is one cell's cancellation scope. Blocking rt calls wait on its
// descriptor or its Done channel next to what they wait for. A nil *Scope is
// the absence of a cell: it is never interrupted.
type Scope struct {
	fd     int // eventfd, close-on-exec; readable once interrupted
	ctx    context.Context
	cancel context.CancelCauseFunc
	refs   int  // rt calls holding the scope; guarded by scopes.mu
	ended  bool // no longer current; guarded by scopes.mu
}

// Begin starts a new cell's scope and makes it current. The previous scope,
// if any, ends without being interrupted: calls still blocked in it stay
// blocked until what they wait for happens. It fails only when the scope's
// descriptor cannot be made; there is then no current scope.
func Begin() error {
	scopes.mu.Lock()
	defer scopes.mu.Unlock()
	endLocked()
	fd, err := scopeFD()
	if err != nil {
		return fmt.Errorf("cell scope: eventfd: %w", err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	scopes.cur = &Scope{fd: fd, ctx: ctx, cancel: cancel}
	return nil
}

// End ends the current scope without interrupting it. Until the next Begin,
// blocking rt calls are not interruptible and Interrupt does nothing.
func End() {
	scopes.mu.Lock()
	defer scopes.mu.Unlock()
	endLocked()
}

// Interrupt interrupts the current scope: every rt call blocked in it, and
// every one that would block in it later, returns ErrInterrupted. It is
// idempotent and does nothing when no scope is current.
func Interrupt() {
	scopes.mu.Lock()
	defer scopes.mu.Unlock()
	s := scopes.cur
	if s == nil || s.ctx.Err() != nil {
		return
	}
	// An eventfd whose counter is non-zero stays readable for every poller
	// until someone reads it, and nobody does: one write wakes them all.
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	for {
		if _, err := unix.Write(s.fd, one[:]); err != unix.EINTR {
			break
		}
	}
	s.cancel(ErrInterrupted)
}

// Acquire returns the current scope, or nil outside a cell, and keeps its
// descriptor open until Release. Each Acquire must be paired with one
// Release on the returned value.
func Acquire() *Scope {
	scopes.mu.Lock()
	defer scopes.mu.Unlock()
	s := scopes.cur
	if s != nil {
		s.refs++
	}
	return s
}

// Release gives back a scope obtained from Acquire. Release on nil does
// nothing.
func (s *Scope) Release() {
	if s == nil {
		return
	}
	scopes.mu.Lock()
	defer scopes.mu.Unlock()
	s.refs--
	s.closeIfUnused()
}

// FD returns a descriptor that becomes readable (POLLIN) when the scope is
// interrupted, valid until Release; -1 for the nil scope, which poll(2)
// ignores.
func (s *Scope) FD() int {
	if s == nil {
		return -1
	}
	return s.fd
}

// Done returns a channel closed when the scope is interrupted; nil (never
// ready) for the nil scope.
func (s *Scope) Done() <-chan struct{} {
	if s == nil {
		return nil
	}
	return s.ctx.Done()
}

// Context returns a context cancelled, with cause ErrInterrupted, when the
// scope is interrupted; context.Background() for the nil scope.
func (s *Scope) Context() context.Context {
	if s == nil {
		return context.Background()
	}
	return s.ctx
}

// endLocked retires the current scope; scopes.mu must be held.
func endLocked() {
	if s := scopes.cur; s != nil {
		scopes.cur = nil
		s.ended = true
		s.closeIfUnused()
	}
}

// closeIfUnused closes the descriptor of an ended scope nobody holds;
// scopes.mu must be held.
func (s *Scope) closeIfUnused() {
	if s.ended && s.refs == 0 && s.fd >= 0 {
		// Reset the counter (the descriptor is non-blocking) and keep it.
		var b [8]byte
		_, _ = unix.Read(s.fd, b[:])
		if len(scopes.spare) < maxSpare {
			scopes.spare = append(scopes.spare, s.fd)
		} else {
			unix.Close(s.fd)
		}
		s.fd = -1
	}
}
