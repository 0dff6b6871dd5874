package cellctl

import (
	"gosys/internal/fdspace"

	"context"
	"errors"
	"os"
	"os/exec"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// readable reports whether fd polls readable right now.
func readable(t *testing.T, fd int) bool {
	t.Helper()
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 0)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func isOpen(fd int) bool {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil
}

func interrupted(s *Scope) bool {
	select {
	case <-s.Done():
		return true
	default:
		return false
	}
}

func TestNoScope(t *testing.T) {
	End()
	Interrupt() // does nothing
	s := Acquire()
	defer s.Release()
	if s != nil || s.FD() != -1 || s.Done() != nil || s.Context() != context.Background() {
		t.Fatalf("outside a cell: scope %v, FD %d, Done %v", s, s.FD(), s.Done())
	}
}

func TestInterruptWakesTheScope(t *testing.T) {
	if err := Begin(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(End)
	s := Acquire()
	defer s.Release()
	if readable(t, s.FD()) || interrupted(s) || s.Context().Err() != nil {
		t.Fatal("scope interrupted before Interrupt")
	}
	if flags, _ := unix.FcntlInt(uintptr(s.FD()), unix.F_GETFD, 0); flags&unix.FD_CLOEXEC == 0 {
		t.Error("scope descriptor is inherited by exec'd programs")
	}
	Interrupt()
	Interrupt() // idempotent
	if !readable(t, s.FD()) || !interrupted(s) || !errors.Is(context.Cause(s.Context()), ErrInterrupted) {
		t.Fatal("scope not interrupted after Interrupt")
	}
	late := Acquire() // a call that starts after the interrupt
	defer late.Release()
	if !readable(t, late.FD()) {
		t.Fatal("a later call in the interrupted scope would block")
	}
}

func TestBeginEndsThePreviousScope(t *testing.T) {
	if err := Begin(); err != nil {
		t.Fatal(err)
	}
	old := Acquire()
	fd := old.FD()
	if err := Begin(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(End)
	Interrupt()
	if interrupted(old) || readable(t, fd) {
		t.Fatal("interrupting the new cell interrupted the old one")
	}
	if !isOpen(fd) {
		t.Fatal("old scope's descriptor closed while held")
	}
	old.Release()
	// Released, the descriptor is reset and kept for a later scope, at
	// gosys's own numbers, never one a cell would get.
	if fd < fdspace.Floor() {
		t.Fatalf("scope descriptor %d is below fdspace.Floor() %d", fd, fdspace.Floor())
	}
	End()
	if err := Begin(); err != nil {
		t.Fatal(err)
	}
	cur := Acquire()
	defer cur.Release()
	if interrupted(cur) || readable(t, cur.FD()) {
		t.Fatal("a new scope starts interrupted (a reused descriptor was not reset)")
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Cleanup(End)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				s := Acquire()
				if s != nil && !isOpen(s.FD()) {
					t.Error("held scope's descriptor closed")
				}
				s.Release()
			}
		})
	}
	for range 200 {
		Begin()
		Interrupt()
		End()
	}
	wg.Wait()
}

// TestSetChild runs in a subprocess, since SetChild cannot be undone.
func TestSetChild(t *testing.T) {
	if os.Getenv("CELLCTL_TEST_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSetChild$")
		cmd.Env = append(os.Environ(), "CELLCTL_TEST_CHILD=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("subprocess: %v\n%s", err, out)
		}
		return
	}
	if IsChild() {
		t.Fatal("child before SetChild")
	}
	if err := Begin(); err != nil {
		t.Fatal(err)
	}
	SetChild()
	if !IsChild() {
		t.Fatal("not a child after SetChild")
	}
	if s := Acquire(); s != nil {
		s.Release()
		t.Fatal("a cell scope is current in the child")
	}
}
