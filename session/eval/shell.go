package eval

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"gosys/internal/content"
	"gosys/rt/cellctl"
)

// runShell runs a "!command" line with /bin/sh, its output streamed to the
// cell (descriptors 1 and 2 are the cell's) and the learner's other
// descriptors inherited, as C's system(3) gives them. Its stdin is
// /dev/null: a command waiting for input would hang the cell. An interrupt
// sends SIGINT to the command's process group, then SIGKILL a second later.
// A non-zero exit status is reported on stderr but does not fail the cell,
// as in IPython. env is the environment cells see (nil: the process's).
//
// It uses fork and exec directly rather than os/exec, which would hold a
// pidfd at a low descriptor number, one the learner sees in
// `!ls /proc/$PPID/fd`.
func runShell(ctx context.Context, command string, env []string) *content.Error {
	if env == nil {
		env = os.Environ()
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		return content.NewError("ShellError", err.Error())
	}
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", command}, &syscall.ProcAttr{
		Env:   env,
		Files: []uintptr{null.Fd(), 1, 2},
		Sys:   &syscall.SysProcAttr{Setpgid: true},
	})
	null.Close()
	if err != nil {
		return content.NewError("ShellError", "!"+command+": "+err.Error())
	}
	// The session's orphan reaper must leave the shell to this wait.
	cellctl.Own(pid)
	defer cellctl.Disown(pid)
	done := make(chan syscall.WaitStatus, 1)
	go func() {
		var ws syscall.WaitStatus
		for {
			_, err := syscall.Wait4(pid, &ws, 0, nil)
			if err != syscall.EINTR {
				break
			}
		}
		done <- ws
	}()
	var ws syscall.WaitStatus
	select {
	case ws = <-done:
	case <-ctx.Done():
		_ = syscall.Kill(-pid, syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(time.Second):
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			<-done
		}
		return content.NewError("Interrupted", "the cell was interrupted (!"+command+")")
	}
	switch {
	case ws.Signaled():
		fmt.Fprintf(os.Stderr, "!%s: killed by signal %d\n", command, ws.Signal())
	case ws.ExitStatus() != 0:
		fmt.Fprintf(os.Stderr, "!%s: exit status %d\n", command, ws.ExitStatus())
	}
	return nil
}
