package rt

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"gosys/rt/cellctl"
)

// Wait waits for any child started through rt (by Fork) to end, reaps it,
// and returns its pid and status, as wait(2) does. Children started
// otherwise, e.g. by os/exec, are never reaped by Wait. With no such child
// left it returns an error wrapping syscall.ECHILD.
func Wait() (pid int, status syscall.WaitStatus, err error) {
	t := beginCall()
	c, err := wait(-1)
	endWait(t, c, err)
	if err != nil {
		return -1, 0, fmt.Errorf("wait: %w", err)
	}
	return c.Pid, c.Status, nil
}

// WaitPid waits for the child pid, started through rt (by Fork), to end,
// reaps it and returns its status, as waitpid(pid, &status, 0) does; pid -1
// means any such child, as in Wait. Any other pid, or one already reaped,
// gives an error wrapping syscall.ECHILD.
func WaitPid(pid int) (status syscall.WaitStatus, err error) {
	t := beginCall()
	c, err := wait(pid)
	endWait(t, c, err)
	if err != nil {
		return 0, fmt.Errorf("waitpid %d: %w", pid, err)
	}
	return c.Status, nil
}

// endWait records a Wait or WaitPid that began at t, unless t is zero.
func endWait(t time.Time, c cellctl.Child, err error) {
	if t.IsZero() {
		return
	}
	e := TraceEvent{Call: "wait", FD: -1, Ret: c.Pid}
	if err == nil {
		e.Status = StatusText(c.Status)
	} else {
		e.Ret = -1
	}
	endCall(t, e, err)
}

// wait reaps the registered child pid, or any when pid is -1, waking on
// SIGCHLD to look again.
func wait(pid int) (cellctl.Child, error) {
	sigchld := make(chan os.Signal, 1)
	signal.Notify(sigchld, syscall.SIGCHLD)
	defer signal.Stop(sigchld)
	s := cellctl.Acquire()
	defer s.Release()
	for {
		c, ok, err := cellctl.Reap(pid)
		if ok || err != nil {
			return c, err
		}
		select {
		case <-sigchld:
		case <-s.Done():
			return cellctl.Child{}, ErrInterrupted
		}
	}
}
