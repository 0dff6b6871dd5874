package rt

import (
	"os"
	"syscall"

	"gosys/rt/osdata"
)

// The data the views show, under rt's names: each type is the one of
// gosys/rt/osdata (the same type, not a copy), documented there.
type (
	FDKind      = osdata.FDKind      // what kind of kernel object a descriptor refers to
	FDRef       = osdata.FDRef       // one descriptor of one process
	FDInfo      = osdata.FDInfo      // one open descriptor of a process
	FDTable     = osdata.FDTable     // the descriptor table of one process
	SocketInfo  = osdata.SocketInfo  // what the kernel says of one socket in /proc/net
	Proc        = osdata.Proc        // one process of a ProcTree
	ReapedChild = osdata.ReapedChild // a child started through rt that Wait or WaitPid reaped
	ProcTree    = osdata.ProcTree    // a snapshot of a process and its descendants
	TraceEvent  = osdata.TraceEvent  // one rt call recorded by Trace
	LaneText    = osdata.LaneText    // one write to descriptor 1 or 2 seen by Lanes
)

// The kinds of FDInfo.Kind.
const (
	FDFile   = osdata.FDFile   // a regular file
	FDDir    = osdata.FDDir    // a directory
	FDPipe   = osdata.FDPipe   // a pipe, or a named FIFO opened by path
	FDSocket = osdata.FDSocket // a socket of any family
	FDTTY    = osdata.FDTTY    // a terminal: /dev/pts/N, /dev/ttyN, /dev/tty, /dev/console
	FDDevice = osdata.FDDevice // another device, e.g. /dev/null
	FDAnon   = osdata.FDAnon   // an anonymous inode: eventfd, epoll, pidfd, signalfd, ...
	FDOther  = osdata.FDOther  // anything else, or unknown (the object vanished meanwhile)
)

// FDs returns this process's open descriptors, from /proc/self/fd and
// /proc/self/fdinfo, lowest number first. The descriptor used to read the
// directory is left out. Pipes and sockets carry their holders and
// details as FDsOf describes.
func FDs() ([]FDInfo, error) { return osdata.FDsOf(os.Getpid()) }

// FDsOf returns the open descriptors of process pid, lowest number first,
// with the holders of each pipe and socket among this process, its parent
// and the kernel's process tree, the bytes a pipe holds and whether its
// other end is closed, and what /proc/net says of a socket. See
// osdata.FDsOf for the details.
func FDsOf(pid int) ([]FDInfo, error) { return osdata.FDsOf(pid) }

// FDTables returns the descriptor tables of pids, in that order, each as
// FDsOf gives it (Err set instead of failing when one cannot be read),
// with its command line.
func FDTables(pids ...int) []FDTable { return osdata.FDTables(pids...) }

// Procs returns this process (the session, or in a forked child that
// child) and its descendants, from /proc, and the children rt has reaped
// with their status. Idle warm children are left out; a process that ends
// while /proc is read may be missing.
func Procs() (ProcTree, error) { return osdata.Procs() }

// Sockets returns the TCP sockets (IPv4 and IPv6) of this process and its
// descendants, each with its owners, and the closed connections the kernel
// still keeps (TIME_WAIT, ...) of their listening ports and peers; the
// kernel's own Jupyter connections are left out. Sorted by local port,
// listeners first. See osdata.Sockets for the details.
func Sockets() ([]SocketInfo, error) { return osdata.Sockets() }

// StatusText says what a wait status means, as a shell would: "exited 3",
// "killed by SIGPIPE", "killed by SIGSEGV (core dumped)", "stopped by
// SIGSTOP", "continued".
func StatusText(ws syscall.WaitStatus) string { return osdata.StatusText(ws) }
