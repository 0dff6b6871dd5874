package osdata

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
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

// SocketInfo is what the kernel says of one socket in /proc/net.
type SocketInfo struct {
	Proto string // "tcp", "tcp6", "udp", "udp6" or "unix"
	Type  string // unix: "stream", "dgram" or "seqpacket"; "" otherwise
	Inode uint64 // 0 for a socket no descriptor refers to any more (TIME_WAIT)

	// Local and Peer are "127.0.0.1:8080" or "[::1]:8080" (for unix
	// sockets: the bound path, "@name" when abstract, "" when unnamed).
	// Peer is "" when there is none (a listening socket).
	Local, Peer string

	// State is the TCP state as netstat names it (LISTEN, SYN_SENT,
	// SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE,
	// CLOSE_WAIT, LAST_ACK, CLOSING, NEW_SYN_RECV); for UDP ESTABLISHED
	// (connected) or CLOSE; for unix sockets LISTEN, CONNECTED,
	// UNCONNECTED, CONNECTING or DISCONNECTING.
	State string

	// SendQ and RecvQ are the bytes waiting in the send and receive
	// queues (for a TCP listener, RecvQ is the number of connections
	// waiting for accept). Zero for unix sockets.
	SendQ, RecvQ int64

	// Owners lists the descriptors referring to the socket among the
	// processes searched, ordered by pid then descriptor.
	Owners []FDRef
}

// Describe says in words what the socket is, e.g. "TCP 127.0.0.1:8080
// LISTEN" or "TCP 127.0.0.1:8080 → 127.0.0.1:40112 ESTABLISHED". The
// wording is for people and may change.
func (s SocketInfo) Describe() string {
	name := strings.ToUpper(strings.TrimSuffix(s.Proto, "6"))
	if s.Proto == "unix" {
		name = "unix " + s.Type
	}
	local := s.Local
	if local == "" {
		local = "(unnamed)"
	}
	if s.Peer != "" {
		local += " → " + s.Peer
	}
	return name + " " + local + " " + s.State
}
