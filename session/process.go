package session

import (
	"fmt"
	"os"
	"runtime/debug"

	"golang.org/x/sys/unix"

	"gosys/runtime/cellctl"
)

// maxStack bounds a goroutine's stack in the session and its children (Go's
// default is 1 GB): a recursion that does not end fails sooner and takes
// less memory with it. Interpreted recursion still goes about 100,000
// calls deep.
const maxStack = 256 << 20

// limitStack applies maxStack.
func limitStack() { debug.SetMaxStack(maxStack) }

// startProcess sets up the session process: it adopts the orphans of the
// processes it starts (so that they die with it), dies with the kernel,
// and takes its limits.
func startProcess(cfg Config) error {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("become the subreaper of the cells' processes: %w", err)
	}
	// SIGTERM, not SIGKILL: the session first ends what the cells started.
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGTERM), 0, 0, 0); err != nil {
		return fmt.Errorf("parent-death signal: %w", err)
	}
	if os.Getppid() == 1 {
		return fmt.Errorf("the kernel that started this session is gone")
	}
	limitStack()
	if cfg.MemoryLimit > 0 {
		// A hard limit: an allocation past it fails (the Go runtime then
		// reports "out of memory" and the kernel says why). Children inherit
		// it, each for itself. The collector works harder before it.
		lim := unix.Rlimit{Cur: uint64(cfg.MemoryLimit), Max: uint64(cfg.MemoryLimit)}
		if err := unix.Setrlimit(unix.RLIMIT_DATA, &lim); err != nil {
			return fmt.Errorf("memory limit: %w", err)
		}
		debug.SetMemoryLimit(cfg.MemoryLimit / 10 * 9)
	}
	if cfg.MaxChildren > 0 {
		if err := cellctl.CreateChildTable(cfg.MaxChildren); err != nil {
			return err
		}
	}
	return nil
}
