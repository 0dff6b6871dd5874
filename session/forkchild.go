package session

import (
	"io"

	"errors"
	"fmt"
	"os"
	"time"

	"gosys/rt/cellctl"
	"gosys/rt/tracewire"
	"gosys/session/eval"
	"gosys/session/fork"
)

// RunForkChild is the life of a process started by rt.Fork: it reads its
// payload, rebuilds the session as the parent had it at the fork, runs the
// forked function and returns the exit status. Its descriptors 1 and 2 are
// the parent's: its output lands in the notebook.
func RunForkChild() int {
	if err := fork.ChildStartup(); err != nil {
		fmt.Fprintf(os.Stderr, "gosys: forked child %d: %v\n", os.Getpid(), err)
		return 2
	}
	cellctl.SetChild()
	limitStack()
	opts := interpOptions()
	// A panic in a goroutine of the child's code ends the child, as a
	// panic ends a Go program, reported as the session reports one.
	opts.ChildExit = func(code int) { os.Exit(childExited(code)) }
	session, err := eval.New(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gosys: forked child %d: %v\n", os.Getpid(), err)
		return 2
	}
	// A warm child has its interpreter ready before its payload arrives.
	p, todo, err := fork.WaitHandoff(session.Prime)
	if errors.Is(err, fork.ErrNotWarm) {
		p, err = fork.ReadPayload()
	}
	if errors.Is(err, fork.ErrRefused) || errors.Is(err, io.EOF) {
		// The parent starts a cold child instead, or the session ended
		// before it needed this warm child: nothing to say.
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gosys: forked child %d: %v\n", os.Getpid(), err)
		return 2
	}
	if p.TraceFD > 0 {
		tracewire.SetFD(p.TraceFD)
	}
	code := session.RunChild(p, todo)
	if code == 0 {
		// The child's code came to its end: as C's return from main, that
		// is exit(3), which flushes the streams. A panic (status 2) is
		// C's abort: buffers are lost.
		cellctl.Exiting()
	}
	return childExited(code)
}

// childExited tells rt.Trace, if one is running, that the child exits with
// code, and returns code.
func childExited(code int) int {
	if tracewire.Active() {
		now := time.Now()
		tracewire.Emit(tracewire.Event{Call: "exit", FD: -1, Ret: code, Start: now, End: now})
	}
	return code
}
