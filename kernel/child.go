package kernel

import (
	"errors"
	"fmt"
	"os"
	"time"

	"gosys/kernel/eval"
	"gosys/kernel/fork"
	"gosys/runtime/cellctl"
	"gosys/runtime/tracewire"

	"golang.org/x/sys/unix"
)

// RunForkChild is the life of a process started by rt.Fork: it reads its
// payload, rebuilds the session as the parent had it at the fork, runs the
// forked function and returns the exit status. Its descriptors 1 and 2 are
// the parent's: its output lands in the notebook.
func RunForkChild() int {
	cellctl.SetChild()
	session, err := eval.New(sessionOptions())
	if err != nil {
		fmt.Fprintf(os.Stderr, "gosys: forked child %d: %v\n", os.Getpid(), err)
		return 2
	}
	// A warm child has its interpreter ready before its payload arrives.
	p, err := fork.WaitHandoff()
	if errors.Is(err, fork.ErrNotWarm) {
		p, err = fork.ReadPayload()
	}
	if errors.Is(err, fork.ErrRefused) {
		return 0 // the parent starts a cold child instead: nothing to say
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gosys: forked child %d: %v\n", os.Getpid(), err)
		return 2
	}
	if p.TraceFD > 0 {
		// Programs the child execs do not take part in the trace.
		unix.CloseOnExec(p.TraceFD)
		tracewire.SetFD(p.TraceFD)
	}
	code := session.RunChild(p)
	if tracewire.Active() {
		now := time.Now()
		tracewire.Emit(tracewire.Event{Call: "exit", FD: -1, Ret: code, Start: now, End: now})
	}
	return code
}
