package rt

import (
	"fmt"
	"os"
	"slices"

	"gosys/rt/cellctl"
	"gosys/rt/osdata"
	"gosys/rt/view"
)

// The Show calls: each reads the OS (osdata), draws it (view) and displays
// the drawing with a plain-text copy.

// ShowFDs shows this process's descriptor table in the notebook: number,
// what it refers to (a pipe with its end, bytes buffered and the holders
// of its other end; a socket with its addresses and TCP state; a file
// path; a tty), access mode, flags and offset, as an HTML table with a
// plain-text copy. In a forked child it shows the child's table. By
// default the kernel's own plumbing (descriptors marked close-on-exec,
// which a forked child would not get) is left out, so the table reads like
// a C program's; ShowAllFDs shows everything.
func ShowFDs() { showFDs(false) }

// ShowAllFDs is ShowFDs including close-on-exec descriptors.
func ShowAllFDs() { showFDs(true) }

func showFDs(all bool) {
	pid := os.Getpid()
	fds, err := osdata.FDsOf(pid)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rt.ShowFDs:", err)
		return
	}
	if !all {
		fds = withoutCloexec(fds)
	}
	Display(map[string]any{"text/html": view.FDsHTML(pid, fds), "text/plain": view.FDsText(pid, fds)}, nil)
}

// ShowFDsOf shows the descriptor tables of pids side by side as one
// diagram, as an OS lecture draws them: process boxes left and right, the
// kernel objects they refer to (pipes, sockets, files, ttys) in the
// middle, and an arrow labeled r, w or rw from every descriptor to its
// object, so two descriptors sharing a pipe point at the same box. With no
// pids it shows this process and its children started by rt that were not
// waited for yet. Close-on-exec descriptors are left out, as in ShowFDs.
// A plain-text copy comes along.
func ShowFDsOf(pids ...int) {
	if len(pids) == 0 {
		pids = []int{os.Getpid()}
		for _, c := range cellctl.Children() {
			pids = append(pids, c.Pid)
		}
	}
	tables := osdata.FDTables(pids...)
	for i := range tables {
		tables[i].FDs = withoutCloexec(tables[i].FDs)
	}
	Display(map[string]any{"text/html": view.SVGImageHTML(view.FDsOfSVG(tables)), "text/plain": view.FDsOfText(tables)}, nil)
}

// withoutCloexec returns the descriptors of fds not marked close-on-exec.
// The display socket is inherited on purpose (a child's displays must reach
// the notebook) but is plumbing all the same, so it is left out too.
func withoutCloexec(fds []FDInfo) []FDInfo {
	display, ok := displayFD()
	return slices.DeleteFunc(slices.Clone(fds), func(f FDInfo) bool {
		return f.Cloexec || (ok && f.FD == display)
	})
}

// ShowProcs shows the tree of this process and its descendants (pid,
// state, command; zombies marked) and the exit status of the children rt
// has reaped, as a nested HTML list with a plain-text copy.
func ShowProcs() {
	t, err := osdata.Procs()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rt.ShowProcs:", err)
		return
	}
	Display(map[string]any{"text/html": view.ProcsHTML(t), "text/plain": view.ProcsText(t)}, nil)
}

// ShowSockets shows the TCP sockets of this process and its descendants
// (see Sockets) as an HTML table with a plain-text copy: protocol, local
// and peer address, state, queued bytes and the pid and descriptor of
// each owner.
func ShowSockets() {
	s, err := osdata.Sockets()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rt.ShowSockets:", err)
		return
	}
	Display(map[string]any{"text/html": view.SocketsHTML(s), "text/plain": view.SocketsText(s)}, nil)
}
