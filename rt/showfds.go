package rt

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"gosys/internal/procfs"
	"gosys/rt/cellctl"
)

// FDKind says what kind of kernel object a descriptor refers to.
type FDKind string

// The kinds of FDInfo.Kind.
const (
	FDFile   FDKind = "file"      // a regular file
	FDDir    FDKind = "directory" // a directory
	FDPipe   FDKind = "pipe"      // a pipe, or a named FIFO opened by path
	FDSocket FDKind = "socket"    // a socket of any family
	FDTTY    FDKind = "tty"       // a terminal: /dev/pts/N, /dev/ttyN, /dev/tty, /dev/console
	FDDevice FDKind = "device"    // another device, e.g. /dev/null
	FDAnon   FDKind = "anon"      // an anonymous inode: eventfd, epoll, pidfd, signalfd, ...
	FDOther  FDKind = "other"     // anything else, or unknown (the object vanished meanwhile)
)

// FDRef names one descriptor of one process.
type FDRef struct {
	Pid, FD int
	Access  string // "r", "w" or "rw", as in FDInfo
}

// FDInfo describes one open descriptor of a process.
type FDInfo struct {
	FD     int
	Target string // what it refers to: a path, pipe:[inode], socket:[inode], anon_inode:...
	Access string // "r", "w" or "rw"
	Cloexec,
	Nonblock bool
	Pos int64 // file offset

	Kind  FDKind
	Inode uint64 // the object's inode number (for pipes and sockets, the one in Target); 0 if unknown

	// Buffered is, for a pipe, the number of bytes written to it and not
	// read yet (from ioctl FIONREAD, which Linux answers on either end),
	// or -1 when it could not be found. It is 0 for other kinds.
	Buffered int

	// OtherEndClosed is, for a pipe, whether no descriptor of any process
	// holds its other end any more, as poll(2) reports it: for a read end
	// no writer is left (read gives EOF once the pipe is empty), for a
	// write end no reader is left (write gives EPIPE). It is false when
	// that could not be checked, and for other kinds.
	OtherEndClosed bool

	// Holders lists, for a pipe or a socket, every descriptor referring to
	// the same object among the processes searched (see FDsOf), this one
	// included, ordered by pid then descriptor. A process outside those
	// may hold it too.
	Holders []FDRef

	// Socket is, for a socket found in /proc/net (tcp, tcp6, udp, udp6,
	// unix), what the kernel says of it; nil otherwise.
	Socket *SocketInfo
}

// FDTable is the descriptor table of one process, as FDTables returns it.
type FDTable struct {
	Pid     int
	Command string   // the command line, or [comm] when it has none
	FDs     []FDInfo // lowest number first
	Err     string   // why the table could not be read; FDs is nil then
}

// FDs returns this process's open descriptors, from /proc/self/fd and
// /proc/self/fdinfo, lowest number first. The descriptor used to read the
// directory is left out. Pipes and sockets carry their holders and
// details as FDsOf describes.
func FDs() ([]FDInfo, error) {
	return FDsOf(os.Getpid())
}

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
// FDsOf gives it (Err set instead of failing when one cannot be read).
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
	fds, err := FDs()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rt.ShowFDs:", err)
		return
	}
	if !all {
		fds = withoutCloexec(fds)
	}
	pid := os.Getpid()
	Display(map[string]any{"text/html": FDsHTML(pid, fds), "text/plain": FDsText(pid, fds)}, nil)
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
	tables := FDTables(pids...)
	for i := range tables {
		tables[i].FDs = withoutCloexec(tables[i].FDs)
	}
	Display(map[string]any{"text/html": svgImageHTML(FDsOfSVG(tables)), "text/plain": FDsOfText(tables)}, nil)
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

// Describe says in words what the descriptor refers to, e.g. "pipe 52831,
// read end, 5 bytes buffered, write end held by pid 100 fd 4" (or "no
// write end open: read gives EOF once empty") or "TCP
// 127.0.0.1:8080 → 127.0.0.1:40112 ESTABLISHED". The wording is for
// people and may change.
func (f FDInfo) Describe() string {
	switch f.Kind {
	case FDPipe:
		var b strings.Builder
		if strings.HasPrefix(f.Target, "pipe:") {
			fmt.Fprintf(&b, "pipe %d", f.Inode)
		} else {
			fmt.Fprintf(&b, "FIFO %s", f.Target)
		}
		end, other, none := "read end", "write end", "no write end open: read gives EOF once empty"
		if f.Access == "w" {
			end, other, none = "write end", "read end", "no read end open: write gives EPIPE"
		} else if f.Access == "rw" {
			end, other, none = "read-write", "", ""
		}
		b.WriteString(", " + end)
		switch {
		case f.Buffered > 0:
			fmt.Fprintf(&b, ", %d bytes buffered", f.Buffered)
		case f.Buffered == 0:
			b.WriteString(", empty")
		default:
			b.WriteString(", bytes buffered unknown")
		}
		switch h := f.otherEnds(); {
		case other == "":
		case f.OtherEndClosed:
			b.WriteString(", " + none)
		case len(h) > 0:
			fmt.Fprintf(&b, ", %s held by %s", other, refList(h))
		case f.Holders != nil:
			fmt.Fprintf(&b, ", %s held outside this process tree", other)
		}
		return b.String()
	case FDSocket:
		if f.Socket != nil {
			return f.Socket.Describe()
		}
		return fmt.Sprintf("socket %d", f.Inode)
	case FDTTY:
		return "terminal " + f.Target
	case FDAnon:
		return strings.TrimPrefix(f.Target, "anon_inode:")
	}
	return f.Target
}

// otherEnds returns the holders of the other end of a pipe: the
// descriptors that can write to it for a read end, read for a write end.
func (f FDInfo) otherEnds() []FDRef {
	want := "w"
	if f.Access == "w" {
		want = "r"
	}
	var out []FDRef
	for _, h := range f.Holders {
		if strings.Contains(h.Access, want) {
			out = append(out, h)
		}
	}
	return out
}

// refList writes refs as "pid 100 fd 4, pid 101 fd 4".
func refList(refs []FDRef) string {
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = fmt.Sprintf("pid %d fd %d", r.Pid, r.FD)
	}
	return strings.Join(parts, ", ")
}

// flagWords lists the flags of f: "cloexec", "nonblock".
func (f FDInfo) flagWords() string {
	var flags []string
	if f.Cloexec {
		flags = append(flags, "cloexec")
	}
	if f.Nonblock {
		flags = append(flags, "nonblock")
	}
	return strings.Join(flags, ",")
}
