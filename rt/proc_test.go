package rt_test

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"

	"gosys/rt"
)

func TestExitInKernelPanics(t *testing.T) {
	defer func() {
		e, ok := recover().(*rt.ExitError)
		if !ok || e.Code != 3 || !strings.Contains(e.Error(), "rt.Exit(3)") {
			t.Fatalf("recovered %v; want *ExitError with code 3", e)
		}
	}()
	rt.Exit(3)
	t.Fatal("Exit returned")
}

func TestExitInChildExits(t *testing.T) {
	status, out := runRole(t, "exit")
	if !status.Exited() || status.ExitStatus() != 7 {
		t.Fatalf("child status %v, output %q; want exit 7", status, out)
	}
}

func TestExecInChild(t *testing.T) {
	for _, path := range []string{"/bin/sh", "sh"} {
		status, out := runRole(t, "exec", "EXEC_PATH="+path)
		if !status.Exited() || status.ExitStatus() != 9 {
			t.Errorf("Exec(%q): child status %v, output %q; want exit 9 from sh", path, status, out)
		}
	}
	status, out := runRole(t, "exec", "EXEC_PATH=no-such-program-xyz")
	if status.ExitStatus() != 1 || !strings.Contains(out, syscall.ENOENT.Error()) {
		t.Errorf("Exec of a missing program: status %v, output %q; want ENOENT", status, out)
	}
}

func TestExecInKernelRefused(t *testing.T) {
	if err := rt.Exec("/bin/true"); !errors.Is(err, rt.ErrKernelProcess) {
		t.Fatalf("Exec in the kernel = %v; want ErrKernelProcess", err)
	}
}

func TestGetpid(t *testing.T) {
	if rt.Getpid() != os.Getpid() || rt.Getppid() != os.Getppid() {
		t.Fatalf("Getpid, Getppid = %d, %d; want %d, %d", rt.Getpid(), rt.Getppid(), os.Getpid(), os.Getppid())
	}
}
