package session

import (
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"gosys/internal/procfs"
	"gosys/rt/cellctl"
)

// The session is the subreaper of every process the cells start: a
// process whose parent ends is adopted by the session, not by init, so it
// ends with the session. Adopted processes that end become the session's
// zombies: reapOrphans collects those. It must never take the status of a
// process somebody in the session waits for (a child of rt.Fork, a shell of
// a "!" line, a process a cell started itself): it reaps only a zombie it
// found twice, at least orphanAge apart, that cellctl does not know as a
// direct child.

// orphanAge is how long a zombie is left to its waiter before it is taken
// for an orphan.
const orphanAge = 200 * time.Millisecond

// reapOrphans collects adopted processes that ended, for the session's
// life.
func reapOrphans() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGCHLD)
	seen := map[int]time.Time{}
	for {
		// Idle, only a SIGCHLD starts a sweep: an idle session reads no /proc.
		if len(seen) == 0 {
			<-sig
		} else {
			select {
			case <-sig:
			case <-time.After(orphanAge):
			}
		}
		now := time.Now()
		zombies := map[int]bool{}
		for _, pid := range procfs.Children(os.Getpid()) {
			if st, err := procfs.ReadStat(pid); err == nil && st.State == 'Z' && !cellctl.IsDirectChild(pid) {
				zombies[pid] = true
			}
		}
		for pid := range seen {
			if !zombies[pid] {
				delete(seen, pid)
			}
		}
		for pid := range zombies {
			first, ok := seen[pid]
			if !ok {
				seen[pid] = now
				continue
			}
			if now.Sub(first) >= orphanAge {
				if got, _ := unix.Wait4(pid, nil, unix.WNOHANG, nil); got == pid {
					cellctl.ReleaseChild(pid)
				}
				delete(seen, pid)
			}
		}
	}
}

// terminate ends every process the cells started: the session's children,
// then those orphaned by their end (adopted by the session), until none is
// left or two seconds passed. Each is killed and reaped.
func terminate() {
	deadline := time.Now().Add(2 * time.Second)
	for {
		kids := procfs.Children(os.Getpid())
		for _, pid := range kids {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
		for {
			pid, err := unix.Wait4(-1, nil, unix.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
		if len(kids) == 0 || time.Now().After(deadline) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}
