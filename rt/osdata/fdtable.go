package osdata

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"gosys/internal/procfs"

	"golang.org/x/sys/unix"
)

// Reading a process's descriptor table from /proc/<pid>/fd and fdinfo.

// FDsOf returns the open descriptors of process pid, from /proc/<pid>/fd
// and /proc/<pid>/fdinfo, lowest number first. For this process the
// descriptor used to read the directory is left out.
//
// Holders of pipes and sockets are searched among this process, its
// parent, and the process tree of the kernel (the topmost ancestor running
// the same program as this one, which is this process itself in the
// kernel) with all its descendants, pid included if it is one of them.
// Socket details come from this process's network namespace. A process
// that ends while it is read may give a partial table; one that is gone,
// or whose descriptors may not be read, gives an error.
func FDsOf(pid int) ([]FDInfo, error) {
	fds, err := readFDTable(pid)
	if err != nil {
		return nil, err
	}
	tables := []FDTable{{Pid: pid, FDs: fds}}
	enrichFDTables(tables)
	return tables[0].FDs, nil
}

// FDTables returns the descriptor tables of pids, in that order, each as
// FDsOf gives it (Err set instead of failing when one cannot be read),
// with its command line.
func FDTables(pids ...int) []FDTable {
	tables := make([]FDTable, len(pids))
	for i, pid := range pids {
		tables[i] = FDTable{Pid: pid, Command: procfs.Cmdline(pid)}
		fds, err := readFDTable(pid)
		if err != nil {
			tables[i].Err = err.Error()
			continue
		}
		tables[i].FDs = fds
	}
	enrichFDTables(tables)
	return tables
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
