package eval

import (
	"gosys/runtime/cellctl"

	"gosys/internal/content"

	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// runShell runs a "!command" line with /bin/sh, its output streamed to the
// cell (descriptors 1 and 2 are the cell's). Its stdin is /dev/null: a
// command waiting for input would hang the cell. An interrupt sends SIGINT
// to the command's process group, then SIGKILL a second later. A non-zero
// exit status is reported on stderr but does not fail the cell, as in
// IPython. env is the environment cells see (nil: the process's own).
func runShell(ctx context.Context, command string, env []string) *content.Error {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	cmd.Env = env // the environment cells set with os.Setenv; nil: the process's
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) }
	cmd.WaitDelay = time.Second
	err := cmd.Start()
	if err == nil {
		// The session's orphan reaper must leave the shell to Wait.
		cellctl.Own(cmd.Process.Pid)
		err = cmd.Wait()
		cellctl.Disown(cmd.Process.Pid)
	}
	if ctx.Err() != nil {
		if cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		return &content.Error{Name: "Interrupted", Value: "the cell was interrupted",
			Traceback: []string{"Interrupted: !" + command}}
	}
	if err != nil {
		if _, ok := err.(*exec.ExitError); ok {
			fmt.Fprintf(os.Stderr, "!%s: %v\n", command, err)
			return nil
		}
		return &content.Error{Name: "ShellError", Value: err.Error(), Traceback: []string{"ShellError: !" + command + ": " + err.Error()}}
	}
	return nil
}
