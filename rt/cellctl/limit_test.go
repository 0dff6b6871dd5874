package cellctl

import (
	"errors"
	"os"
	"syscall"
	"testing"
)

func TestChildLimit(t *testing.T) {
	t.Cleanup(func() { os.Unsetenv(EnvChildTable) })
	if err := CreateChildTable(2); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { table.mu.Lock(); table.slots = nil; table.mu.Unlock() })
	start := func() (int, Slot, error) {
		s, err := ReserveChild()
		if err != nil {
			return 0, s, err
		}
		pid := startChild(t, "exec sleep 60")
		s.Commit(pid)
		return pid, s, nil
	}
	a, _, err := start()
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := start()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := start(); !errors.Is(err, syscall.EAGAIN) || !errors.Is(err, ErrTooManyChildren) {
		t.Fatalf("third fork with a limit of 2: %v; want EAGAIN", err)
	}
	// A child reaped through rt frees its slot.
	syscall.Kill(a, syscall.SIGKILL)
	reapSoon(t, a)
	if n := LiveChildren(); n != 1 {
		t.Fatalf("%d slots taken after reaping one of two", n)
	}
	c, _, err := start()
	if err != nil {
		t.Fatalf("fork after a reap: %v", err)
	}
	// A child reaped by other code is found gone when the table is full.
	syscall.Kill(b, syscall.SIGKILL)
	var ws syscall.WaitStatus
	syscall.Wait4(b, &ws, 0, nil)
	if _, _, err := start(); err != nil {
		t.Fatalf("fork after a reap outside rt: %v", err)
	}
	// A reservation that is cancelled frees its slot at once.
	syscall.Kill(c, syscall.SIGKILL)
	reapSoon(t, c)
	s, err := ReserveChild()
	if err != nil {
		t.Fatal(err)
	}
	s.Cancel()
	if n := LiveChildren(); n != 1 {
		t.Fatalf("%d slots taken, want 1", n)
	}
	for _, c := range Children() {
		syscall.Kill(c.Pid, syscall.SIGKILL)
		if _, _, err := Reap(c.Pid); errors.Is(err, syscall.ECHILD) {
			continue // reaped outside rt above
		}
		reapSoon(t, c.Pid)
	}
}
