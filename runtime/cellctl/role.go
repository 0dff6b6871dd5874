package cellctl

import (
	"sync"
	"sync/atomic"
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
}

// IsChild reports whether SetChild was called in this process.
func IsChild() bool {
	return child.Load()
}

// kernelPorts are the TCP ports of the kernel's own Jupyter connections.
var kernelPorts struct {
	mu    sync.Mutex
	ports map[int]bool
}

// SetKernelPorts records the TCP ports the kernel process listens on for
// its Jupyter connections, so that views of the process's sockets can leave
// them out: they are the notebook's plumbing, not the cell's experiment.
func SetKernelPorts(ports ...int) {
	kernelPorts.mu.Lock()
	defer kernelPorts.mu.Unlock()
	kernelPorts.ports = map[int]bool{}
	for _, p := range ports {
		kernelPorts.ports[p] = true
	}
}

// IsKernelPort reports whether port is one SetKernelPorts recorded.
func IsKernelPort(port int) bool {
	kernelPorts.mu.Lock()
	defer kernelPorts.mu.Unlock()
	return kernelPorts.ports[port]
}
