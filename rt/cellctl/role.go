package cellctl

import (
	"os/signal"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// child is the process's role: false in the kernel process (the default),
// true in a process forked for a cell.
var child atomic.Bool

// SetChild marks this process as a child forked for a cell. The child's
// entry point calls it before running the cell's code; it cannot be undone.
// From then on rt.Exit ends the process, rt.Exec replaces it and
// rt.DefaultSIGPIPE takes effect, as in C, and no cell scope is current, so
// blocking rt calls block as their system calls do.
func SetChild() {
	child.Store(true)
	End()
	DefaultSIGPIPE() // a C child starts with SIGPIPE's default disposition
}

// DefaultSIGPIPE installs SIGPIPE's default disposition: a write to a pipe
// or socket without a reader kills the process. Go keeps its own handler,
// which ignores SIGPIPE on descriptors other than 1 and 2; an all-zero
// struct sigaction is SIG_DFL.
func DefaultSIGPIPE() {
	signal.Reset(syscall.SIGPIPE)
	var act [4]uint64
	unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(syscall.SIGPIPE), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
}

// IsChild reports whether SetChild was called in this process.
func IsChild() bool {
	return child.Load()
}
