package osdata

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// StatusText says what a wait status means, as a shell would: "exited 3",
// "killed by SIGPIPE", "killed by SIGSEGV (core dumped)", "stopped by
// SIGSTOP", "continued". It is how ReapedChild.Status and
// TraceEvent.Status are put in words.
func StatusText(ws syscall.WaitStatus) string {
	switch {
	case ws.Exited():
		return fmt.Sprintf("exited %d", ws.ExitStatus())
	case ws.Signaled():
		s := "killed by " + signalName(ws.Signal())
		if ws.CoreDump() {
			s += " (core dumped)"
		}
		return s
	case ws.Stopped():
		return "stopped by " + signalName(ws.StopSignal())
	case ws.Continued():
		return "continued"
	}
	return fmt.Sprintf("status %#x", uint32(ws))
}

// signalName returns "SIGPIPE" or "signal 40".
func signalName(s syscall.Signal) string {
	if n := unix.SignalName(s); n != "" {
		return n
	}
	return fmt.Sprintf("signal %d", int(s))
}
