package supervise

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// The kernel process's children are reaped in one place: a process has one
// set of children, and wait4(-1) takes any of them. Session processes are
// registered so that their end is recorded; the others (orphans adopted
// from a dead session's processes) are just collected.
var children struct {
	once  sync.Once
	mu    sync.Mutex
	procs map[int]*proc
	early map[int]syscall.WaitStatus // reaped before they were registered
}

// watchChild records p's end when it is reaped.
func watchChild(p *proc) {
	children.once.Do(func() { go reap() })
	children.mu.Lock()
	defer children.mu.Unlock()
	if ws, ok := children.early[p.pid]; ok {
		delete(children.early, p.pid)
		p.ended(ws)
		return
	}
	if children.procs == nil {
		children.procs = map[int]*proc{}
	}
	children.procs[p.pid] = p
}

// isSession reports whether pid is a session process not reaped yet.
func isSession(pid int) bool {
	children.mu.Lock()
	defer children.mu.Unlock()
	return children.procs[pid] != nil
}

// reap collects the process's children for its life.
func reap() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGCHLD)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-sig:
		case <-tick.C:
		}
		for {
			var ws syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
			if err == syscall.EINTR {
				continue
			}
			if pid <= 0 || err != nil {
				break
			}
			children.mu.Lock()
			p := children.procs[pid]
			delete(children.procs, pid)
			if p == nil && len(children.early) < 1024 {
				// Maybe a session so quick to die that spawn has not
				// registered it yet; else an orphan, which is forgotten.
				if children.early == nil {
					children.early = map[int]syscall.WaitStatus{}
				}
				children.early[pid] = ws
			}
			children.mu.Unlock()
			if p != nil {
				p.ended(ws)
			}
		}
	}
}
