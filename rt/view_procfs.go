package rt

import (
	"fmt"
	"gosys/internal/procfs"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Reading /proc for the views: descriptor tables, process status, and who
// holds a pipe or a socket.

// accessOf turns open(2) flags into "r", "w" or "rw".
func accessOf(flags int64) string {
	switch flags & unix.O_ACCMODE {
	case unix.O_RDONLY:
		return "r"
	case unix.O_WRONLY:
		return "w"
	}
	return "rw"
}

// bracketInode returns N of "pipe:[N]" or "socket:[N]" for the given
// prefix ("pipe" or "socket").
func bracketInode(target, prefix string) (uint64, bool) {
	s, ok := strings.CutPrefix(target, prefix+":[")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, "]")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// readFDTable reads the descriptors of pid with their kind, flags, offset
// and inode; holders, buffers and socket details are left for
// enrichFDTables.
func readFDTable(pid int) ([]FDInfo, error) {
	base := "/proc/" + strconv.Itoa(pid)
	dir, err := os.Open(base + "/fd")
	if err != nil {
		return nil, fmt.Errorf("list descriptors of pid %d: %w", pid, err)
	}
	names, err := dir.Readdirnames(-1)
	skip := -1
	if pid == os.Getpid() {
		skip = int(dir.Fd())
	}
	dir.Close()
	if err != nil {
		return nil, fmt.Errorf("list descriptors of pid %d: %w", pid, err)
	}
	var out []FDInfo
	for _, n := range names {
		fd, err := strconv.Atoi(n)
		if err != nil || fd == skip {
			continue
		}
		target, err := os.Readlink(base + "/fd/" + n)
		if err != nil {
			continue // closed meanwhile
		}
		info := FDInfo{FD: fd, Target: target}
		if b, err := os.ReadFile(base + "/fdinfo/" + n); err == nil {
			f := procfs.ParseFDInfo(b)
			info.Pos, info.Inode, info.Access = f.Pos, f.Ino, accessOf(f.Flags)
			info.Cloexec = f.Flags&unix.O_CLOEXEC != 0
			info.Nonblock = f.Flags&unix.O_NONBLOCK != 0
		}
		var st unix.Stat_t
		statErr := unix.Stat(base+"/fd/"+n, &st)
		if statErr == nil && info.Inode == 0 {
			info.Inode = st.Ino
		}
		info.Kind = kindOf(target, st.Mode, st.Rdev, statErr == nil)
		if ino, ok := bracketInode(target, string(info.Kind)); ok {
			info.Inode = ino
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b FDInfo) int { return a.FD - b.FD })
	return out, nil
}

// kindOf classifies a descriptor from its link target and, when ok, the
// stat of the object.
func kindOf(target string, mode uint32, rdev uint64, ok bool) FDKind {
	switch {
	case strings.HasPrefix(target, "pipe:["):
		return FDPipe
	case strings.HasPrefix(target, "socket:["):
		return FDSocket
	case strings.HasPrefix(target, "anon_inode:"):
		return FDAnon
	case !ok:
		return FDOther
	}
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return FDFile
	case unix.S_IFDIR:
		return FDDir
	case unix.S_IFIFO:
		return FDPipe
	case unix.S_IFSOCK:
		return FDSocket
	case unix.S_IFCHR:
		// 4: virtual consoles and serial ttys, 5: /dev/tty and /dev/console,
		// 136-143: Unix98 pseudo-terminal slaves.
		if m := unix.Major(rdev); m == 4 || m == 5 || m >= 136 && m <= 143 {
			return FDTTY
		}
		return FDDevice
	case unix.S_IFBLK:
		return FDDevice
	}
	return FDOther
}

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
