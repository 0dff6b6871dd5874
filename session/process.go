package session

import (
	"fmt"
	"os"
	"runtime/debug"

	"golang.org/x/sys/unix"

	"gosys/rt/cellctl"
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
		// The kernel watches the memory of the session's processes and stops
		// the session past the limit, with a clear message. Each process
		// also gets a hard limit of twice that, so that one huge allocation
		// fails at once ("out of memory") instead of taking the machine
		// before the kernel looks; its collector works harder near the
		// limit itself. Children inherit the hard limit.
		hard := uint64(cfg.MemoryLimit) * 2
		if err := unix.Setrlimit(unix.RLIMIT_DATA, &unix.Rlimit{Cur: hard, Max: hard}); err != nil {
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
