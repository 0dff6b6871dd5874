package symbols

import (
	"fmt"
	"os"
	"reflect"
	"syscall"

	"gosys/rt"
	"gosys/rt/cellctl"
)

// The process calls of syscall and golang.org/x/sys/unix, as a cell sees
// them. Cells run in the
// session process, which must outlive them, and in the children rt.Fork
// starts, which are theirs to end. So, as for rt.Exit and rt.Exec:
//
//   - syscall.Exit (unix.Exit) ends a forked child with its status, as exit(2) does; in
//     the session process it ends the cell with an error (like os.Exit);
//   - syscall.Exec (unix.Exec) replaces a forked child; in the session process it
//     replaces nothing and returns an error wrapping rt.ErrKernelProcess.
//
// Everything else (Kill, ForkExec, Syscall, Ptrace...) is the real call: a
// cell that kills its own session gets a report of it and a fresh session.
var processCalls = map[string]map[string]reflect.Value{
	"syscall/syscall": {
		"Exit": reflect.ValueOf(syscallExit),
		"Exec": reflect.ValueOf(syscallExec),
	},
	"golang.org/x/sys/unix/unix": {
		"Exit": reflect.ValueOf(syscallExit),
		"Exec": reflect.ValueOf(syscallExec),
	},
}

func syscallExit(code int) {
	if cellctl.IsChild() {
		syscall.Exit(code)
	}
	panic(&rt.ExitError{Code: code})
}

func syscallExec(argv0 string, argv, envv []string) error {
	if !cellctl.IsChild() {
		return fmt.Errorf("exec %s: %w", argv0, rt.ErrKernelProcess)
	}
	return syscall.Exec(argv0, argv, envv)
}

// osFindProcess is os.FindProcess: the extractor routes it here (yaegi's
// stdlib refuses the interpreter's own pid); gosys does not refuse it.
func osFindProcess(pid int) (*os.Process, error) { return os.FindProcess(pid) }
