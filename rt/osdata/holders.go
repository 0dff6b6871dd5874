package osdata

import (
	"os"
	"slices"
	"strconv"

	"gosys/internal/procfs"
)

// Who else holds a pipe or a socket: the descriptors of other processes
// that refer to the same object, and what the kernel says of it.

// holderScope returns the processes searched for holders of a pipe or a
// socket: this process, its parent, the kernel (the topmost ancestor
// running this program) and the kernel's descendants.
func holderScope() []int {
	self := os.Getpid()
	procs, err := procfs.All()
	if err != nil {
		return []int{self, os.Getppid()}
	}
	exe, _ := os.Readlink("/proc/self/exe")
	root := self
	for {
		parent := procs[root].Ppid
		if parent <= 1 {
			break
		}
		if pexe, err := os.Readlink("/proc/" + strconv.Itoa(parent) + "/exe"); err != nil || pexe != exe {
			break
		}
		root = parent
	}
	scope := procfs.Subtree(root, procfs.ChildMap(procs))
	if !slices.Contains(scope, os.Getppid()) {
		scope = append(scope, os.Getppid())
	}
	return scope
}

// scanHolders finds, among the descriptors of pids, those whose link
// target is in want, and returns them by target.
func scanHolders(pids []int, want map[string]bool) map[string][]FDRef {
	out := map[string][]FDRef{}
	if len(want) == 0 {
		return out
	}
	for _, pid := range pids {
		base := "/proc/" + strconv.Itoa(pid)
		dir, err := os.Open(base + "/fd")
		if err != nil {
			continue
		}
		names, _ := dir.Readdirnames(-1)
		dir.Close()
		for _, n := range names {
			target, err := os.Readlink(base + "/fd/" + n)
			fd, aerr := strconv.Atoi(n)
			if err != nil || aerr != nil || !want[target] {
				continue
			}
			ref := FDRef{Pid: pid, FD: fd, Access: "rw"}
			if b, err := os.ReadFile(base + "/fdinfo/" + n); err == nil {
				ref.Access = accessOf(procfs.ParseFDInfo(b).Flags)
			}
			out[target] = append(out[target], ref)
		}
	}
	for _, refs := range out {
		slices.SortFunc(refs, func(a, b FDRef) int {
			if a.Pid != b.Pid {
				return a.Pid - b.Pid
			}
			return a.FD - b.FD
		})
	}
	return out
}

// enrichFDTables fills in the holders and bytes buffered of pipes and the
// holders and /proc/net details of sockets.
func enrichFDTables(tables []FDTable) {
	want := map[string]bool{}
	sockets := false
	for _, t := range tables {
		for _, f := range t.FDs {
			if f.Kind == FDPipe || f.Kind == FDSocket {
				want[f.Target] = true
			}
			sockets = sockets || f.Kind == FDSocket
		}
	}
	if len(want) == 0 {
		return
	}
	holders := scanHolders(holderScope(), want)
	var net map[uint64]SocketInfo
	if sockets {
		net = netSockets()
	}
	for ti := range tables {
		t := &tables[ti]
		for i := range t.FDs {
			f := &t.FDs[i]
			switch f.Kind {
			case FDPipe:
				f.Holders = holders[f.Target]
				probePipe(t.Pid, f)
			case FDSocket:
				f.Holders = holders[f.Target]
				if s, ok := net[f.Inode]; ok {
					s.Owners = f.Holders
					f.Socket = &s
				}
			}
		}
	}
}
