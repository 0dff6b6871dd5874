package rt_test

import (
	"errors"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
	"testing"

	"gosys/rt"
	"gosys/rt/cellctl"
)

// startChild runs script in /bin/sh as a child registered with rt, killed
// and reaped at the end of the test if still there.
func startChild(t *testing.T, script string) int {
	t.Helper()
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", script}, &syscall.ProcAttr{Files: []uintptr{0, 1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	cellctl.RegisterChild(pid)
	t.Cleanup(func() {
		if slices.ContainsFunc(cellctl.Children(), func(c cellctl.Child) bool { return c.Pid == pid }) {
			syscall.Kill(pid, syscall.SIGKILL)
			rt.WaitPid(pid)
		}
	})
	return pid
}

// checkReaped checks pid is no zombie and the registry recorded status.
func checkReaped(t *testing.T, pid int, status syscall.WaitStatus) {
	t.Helper()
	if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("/proc/%d still there after the wait: %v", pid, err)
	}
	i := slices.IndexFunc(cellctl.Reaped(), func(c cellctl.Child) bool { return c.Pid == pid })
	if i < 0 {
		t.Fatalf("pid %d not in the registry's reaped children", pid)
	}
	if c := cellctl.Reaped()[i]; c.Status != status || c.Reaped.Before(c.Started) {
		t.Errorf("registry records %+v; want status %v", c, status)
	}
}

func TestWaitPidExitStatus(t *testing.T) {
	pid := startChild(t, "exit 42")
	status, err := rt.WaitPid(pid)
	if err != nil || !status.Exited() || status.ExitStatus() != 42 {
		t.Fatalf("WaitPid = %v, %v; want exit 42", status, err)
	}
	checkReaped(t, pid, status)
	if _, err := rt.WaitPid(pid); !errors.Is(err, syscall.ECHILD) {
		t.Fatalf("second WaitPid = %v; want ECHILD", err)
	}
}

func TestWaitReapsOnlyRtChildren(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "exit 3")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a := startChild(t, "exit 1")
	b := startChild(t, "kill -TERM $$")

	got := map[int]syscall.WaitStatus{}
	for range 2 {
		pid, status, err := rt.Wait()
		if err != nil {
			t.Fatal(err)
		}
		got[pid] = status
		checkReaped(t, pid, status)
	}
	if s := got[a]; s.ExitStatus() != 1 {
		t.Errorf("child a: %v; want exit 1", s)
	}
	if s := got[b]; !s.Signaled() || s.Signal() != syscall.SIGTERM {
		t.Errorf("child b: %v; want killed by SIGTERM", s)
	}
	if _, _, err := rt.Wait(); !errors.Is(err, syscall.ECHILD) {
		t.Errorf("Wait with no rt child left = %v; want ECHILD", err)
	}
	var ee *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Errorf("os/exec child: Wait = %v; want exit status 3", err)
	}
}

func TestWaitPidUnknownPid(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "exit 0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.WaitPid(cmd.Process.Pid); !errors.Is(err, syscall.ECHILD) {
		t.Errorf("WaitPid of an os/exec child = %v; want ECHILD", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("os/exec Wait: %v", err)
	}
}
