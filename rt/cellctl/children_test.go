package cellctl

import (
	"errors"
	"syscall"
	"testing"
	"time"
)

func startChild(t *testing.T, script string) int {
	t.Helper()
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", script}, &syscall.ProcAttr{Files: []uintptr{0, 1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	RegisterChild(pid)
	return pid
}

// reapSoon calls Reap until it reports a child, for at most 5 s.
func reapSoon(t *testing.T, pid int) Child {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		c, ok, err := Reap(pid)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return c
		}
	}
	t.Fatalf("Reap(%d): nothing ended in 5 s", pid)
	return Child{}
}

func TestRegistry(t *testing.T) {
	w := startChild(t, "exec sleep 60")
	e := startChild(t, "exit 5")
	if cs := Children(); len(cs) != 2 || cs[0].Pid != w || cs[1].Pid != e {
		t.Fatalf("Children() = %+v; want pids %d, %d", cs, w, e)
	}

	c := reapSoon(t, -1)
	if c.Pid != e || c.Status.ExitStatus() != 5 || c.Reaped.IsZero() {
		t.Fatalf("Reap(-1) = %+v; want pid %d with exit 5", c, e)
	}
	if _, ok, err := Reap(w); ok || err != nil {
		t.Fatalf("Reap of a running child = %v, %v; want not ready", ok, err)
	}
	if _, _, err := Reap(e); !errors.Is(err, syscall.ECHILD) {
		t.Fatalf("Reap of a reaped child = %v; want ECHILD", err)
	}

	syscall.Kill(w, syscall.SIGKILL)
	if c := reapSoon(t, w); c.Status.Signal() != syscall.SIGKILL {
		t.Fatalf("Reap(%d) = %+v; want killed", w, c)
	}
	if cs := Children(); len(cs) != 0 {
		t.Fatalf("Children() = %+v after reaping all", cs)
	}
	if rs := Reaped(); len(rs) < 2 || rs[len(rs)-2].Pid != e || rs[len(rs)-1].Pid != w {
		t.Fatalf("Reaped() = %+v; want pids %d, %d last, in reap order", rs, e, w)
	}
	if _, _, err := Reap(-1); !errors.Is(err, syscall.ECHILD) {
		t.Fatalf("Reap(-1) with no child = %v; want ECHILD", err)
	}
}

func TestChildReapedElsewhereIsDropped(t *testing.T) {
	pid := startChild(t, "exit 0")
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Reap(-1); !errors.Is(err, syscall.ECHILD) {
		t.Fatalf("Reap(-1) = %v; want ECHILD", err)
	}
	for _, c := range append(Children(), Reaped()...) {
		if c.Pid == pid {
			t.Fatalf("registry still lists %+v", c)
		}
	}
}
