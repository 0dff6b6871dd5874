package osdata

import (
	"fmt"
	"os"
	"syscall"
	"time"

	"gosys/internal/procfs"
	"gosys/rt/cellctl"
)

// Proc is one process of a ProcTree.
type Proc struct {
	Pid, PPid int
	// State is the one-letter state of /proc/<pid>/stat: R running,
	// S sleeping, D waiting on I/O, Z zombie (ended, not waited for yet),
	// T stopped, t stopped by a tracer, X dead, I idle kernel thread.
	State   string
	Command string // the command line, or [comm] when it has none (a zombie)
	Depth   int    // 0 for the root, 1 for its children, ...
	RtChild bool   // started through rt (rt.Fork) and not reaped yet
}

// ReapedChild is a child started through rt that Wait or WaitPid reaped.
type ReapedChild struct {
	Pid    int
	Status syscall.WaitStatus
	Reaped time.Time
}

// ProcTree is a snapshot of a process and its descendants.
type ProcTree struct {
	// Procs holds the root first, then its descendants depth first, the
	// children of each process lowest pid first; a process's parent comes
	// before it.
	Procs []Proc
	// Reaped lists the children started through rt in this process and
	// already reaped, in the order they were reaped.
	Reaped []ReapedChild
}

// Procs returns this process (the kernel's session, or in a forked child
// that child) and its descendants, from /proc, and the children rt has
// reaped (from cellctl). A process that ends while /proc is read may be
// missing. This process's idle warm children (see idleForkChild) are left
// out.
func Procs() (ProcTree, error) {
	procs, err := procfs.All()
	if err != nil {
		return ProcTree{}, err
	}
	self := os.Getpid()
	if _, ok := procs[self]; !ok {
		st, err := procfs.ReadStat(self)
		if err != nil {
			return ProcTree{}, fmt.Errorf("read /proc/self/stat: %w", err)
		}
		procs[self] = st
	}
	rtKids := map[int]bool{}
	for _, c := range cellctl.Children() {
		rtKids[c.Pid] = true
	}
	kids := procfs.ChildMap(procs)
	var t ProcTree
	var walk func(pid, depth int)
	walk = func(pid, depth int) {
		st := procs[pid]
		t.Procs = append(t.Procs, Proc{Pid: pid, PPid: st.Ppid, State: string(st.State),
			Command: procfs.Cmdline(pid), Depth: depth, RtChild: rtKids[pid]})
		for _, k := range kids[pid] {
			if pid == self && !rtKids[k] && idleForkChild(k) {
				continue
			}
			walk(k, depth+1)
		}
	}
	walk(self, 0)
	for _, c := range cellctl.Reaped() {
		t.Reaped = append(t.Reaped, ReapedChild{Pid: c.Pid, Status: c.Status, Reaped: c.Reaped})
	}
	return t, nil
}

// idleForkChild reports whether pid is one of the kernel's warm children
// still waiting for a fork (the gosys binary in child mode that rt has not
// handed a function yet): plumbing, like close-on-exec descriptors, left out
// of the tree.
func idleForkChild(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && string(b) == "gosys\x00fork-child\x00"
}
