package cellctl

import "sync/atomic"

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
}

// IsChild reports whether SetChild was called in this process.
func IsChild() bool {
	return child.Load()
}
