package rt

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Reading /proc for the views: descriptor tables, process status, and who
// holds a pipe or a socket.

// fdinfoFields is what /proc/<pid>/fdinfo/<fd> says of a descriptor.
type fdinfoFields struct {
	pos   int64
	flags int64 // open(2) flags, from octal
	ino   uint64
}

// parseFDInfo parses the "key:\tvalue" lines of an fdinfo file, ignoring
// lines it does not know.
func parseFDInfo(b []byte) fdinfoFields {
	var f fdinfoFields
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		switch k {
		case "pos":
			f.pos, _ = strconv.ParseInt(v, 10, 64)
		case "flags":
			f.flags, _ = strconv.ParseInt(v, 8, 64)
		case "ino":
			f.ino, _ = strconv.ParseUint(v, 10, 64)
		}
	}
	return f
}

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
			f := parseFDInfo(b)
			info.Pos, info.Inode, info.Access = f.pos, f.ino, accessOf(f.flags)
			info.Cloexec = f.flags&unix.O_CLOEXEC != 0
			info.Nonblock = f.flags&unix.O_NONBLOCK != 0
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

// procStat is what the views use of /proc/<pid>/stat.
type procStat struct {
	Pid, PPid int
	State     byte
	Comm      string
}

var errBadStat = errors.New("malformed /proc/<pid>/stat")

// parseStat parses "pid (comm) S ppid ...". comm may hold spaces and
// parentheses: it ends at the last ')'.
func parseStat(b []byte) (procStat, error) {
	s := string(b)
	open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || close < open {
		return procStat{}, errBadStat
	}
	pid, err := strconv.Atoi(strings.TrimSpace(s[:open]))
	fields := strings.Fields(s[close+1:])
	if err != nil || len(fields) < 2 || len(fields[0]) != 1 {
		return procStat{}, errBadStat
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return procStat{}, errBadStat
	}
	return procStat{Pid: pid, PPid: ppid, State: fields[0][0], Comm: s[open+1 : close]}, nil
}

// readStat reads and parses /proc/<pid>/stat.
func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	return parseStat(b)
}

// allProcs reads the stat of every process in /proc; processes that end
// meanwhile are left out.
func allProcs() (map[int]procStat, error) {
	dir, err := os.Open("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	names, err := dir.Readdirnames(-1)
	dir.Close()
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	out := make(map[int]procStat, len(names))
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		if st, err := readStat(pid); err == nil {
			out[pid] = st
		}
	}
	return out, nil
}

// childrenOf maps each pid to its children, lowest pid first.
func childrenOf(procs map[int]procStat) map[int][]int {
	kids := map[int][]int{}
	for pid, st := range procs {
		kids[st.PPid] = append(kids[st.PPid], pid)
	}
	for _, k := range kids {
		slices.Sort(k)
	}
	return kids
}

// descendants returns root and all its descendants, depth first.
func descendants(root int, kids map[int][]int) []int {
	out := []int{root}
	for i := 0; i < len(out); i++ {
		out = append(out, kids[out[i]]...)
	}
	return out
}

// procCommand returns pid's command line joined by spaces, or "[comm]"
// when it has none (a kernel thread, a zombie), or "" when pid is gone.
func procCommand(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err == nil && len(b) > 0 {
		return strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
	}
	if st, err := readStat(pid); err == nil {
		return "[" + st.Comm + "]"
	}
	return ""
}

// holderScope returns the processes searched for holders of a pipe or a
// socket: this process, its parent, the kernel (the topmost ancestor
// running this program) and the kernel's descendants.
func holderScope() []int {
	self := os.Getpid()
	procs, err := allProcs()
	if err != nil {
		return []int{self, os.Getppid()}
	}
	exe, _ := os.Readlink("/proc/self/exe")
	root := self
	for {
		parent := procs[root].PPid
		if parent <= 1 {
			break
		}
		if pexe, err := os.Readlink("/proc/" + strconv.Itoa(parent) + "/exe"); err != nil || pexe != exe {
			break
		}
		root = parent
	}
	scope := descendants(root, childrenOf(procs))
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
				ref.Access = accessOf(parseFDInfo(b).flags)
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
