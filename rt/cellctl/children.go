package cellctl

import (
	"slices"
	"sync"
	"syscall"
	"time"
)

// Child is what the registry knows of one child process started through rt.
type Child struct {
	Pid     int
	Started time.Time          // when RegisterChild was called
	Reaped  time.Time          // when Wait or WaitPid collected it; zero while it is not
	Status  syscall.WaitStatus // meaningful once Reaped is set
}

// registry holds the children started through rt: live ones in the order
// they were registered, then reaped ones in the order they were reaped.
var registry struct {
	mu     sync.Mutex
	live   []Child
	reaped []Child
}

// RegisterChild adds pid, a child of this process just started through rt
// (by rt.Fork), to the children rt.Wait and rt.WaitPid may reap. Nothing
// else may wait for pid: children started by os/exec are never registered,
// so rt never reaps them.
func RegisterChild(pid int) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	registry.live = append(registry.live, Child{Pid: pid, Started: time.Now()})
}

// owned holds the children of this process that code outside the registry
// waits for itself (a shell command's, a process a cell started directly).
var owned struct {
	mu   sync.Mutex
	pids map[int]bool
}

// Own marks pid, a child of this process, as waited for by its starter, so
// the session's orphan reaper leaves it alone; Disown ends that once it was
// waited for.
func Own(pid int) {
	owned.mu.Lock()
	defer owned.mu.Unlock()
	if owned.pids == nil {
		owned.pids = map[int]bool{}
	}
	owned.pids[pid] = true
}

// Disown undoes Own.
func Disown(pid int) {
	owned.mu.Lock()
	defer owned.mu.Unlock()
	delete(owned.pids, pid)
}

// IsDirectChild reports whether pid is a child this process started and
// somebody in it will wait for: one registered by RegisterChild and not
// reaped yet, or one marked by Own.
func IsDirectChild(pid int) bool {
	owned.mu.Lock()
	o := owned.pids[pid]
	owned.mu.Unlock()
	if o {
		return true
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	for _, c := range registry.live {
		if c.Pid == pid {
			return true
		}
	}
	return false
}

// Children returns the registered children not reaped yet, oldest first.
// The slice is the caller's.
func Children() []Child {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return slices.Clone(registry.live)
}

// Reaped returns the registered children reaped so far, with their status,
// in the order they were reaped. The slice is the caller's.
func Reaped() []Child {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return slices.Clone(registry.reaped)
}

// Reap collects, without blocking, the status of the registered child pid,
// or of any registered child when pid is -1, and records it. ok is false
// when none of them has ended yet. The error is syscall.ECHILD when there is
// no such child left to wait for, or wait4's error.
//
// A registered child that something other than Reap waited for (wait4 says
// ECHILD) is dropped from the registry without a record.
func Reap(pid int) (c Child, ok bool, err error) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	running := false
	for i := 0; i < len(registry.live); {
		p := registry.live[i].Pid
		if pid != -1 && p != pid {
			i++
			continue
		}
		var status syscall.WaitStatus
		got, err := syscall.Wait4(p, &status, syscall.WNOHANG, nil)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.ECHILD:
			registry.live = slices.Delete(registry.live, i, i+1)
			continue
		case err != nil:
			return Child{}, false, err
		case got != p:
			running = true
			i++
			continue
		}
		c = registry.live[i]
		ReleaseChild(p)
		c.Reaped, c.Status = time.Now(), status
		registry.live = slices.Delete(registry.live, i, i+1)
		registry.reaped = append(registry.reaped, c)
		return c, true, nil
	}
	if !running {
		return Child{}, false, syscall.ECHILD
	}
	return Child{}, false, nil
}
