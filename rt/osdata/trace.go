package osdata

import "time"

// TraceEvent is one rt call recorded by rt.Trace.
//
// FD is the descriptor the call worked on (-1 when none): for Pipe the read
// end, for Dup and Dup2 the old descriptor, for Accept the listening
// socket. Ret is the call's result: bytes moved (Read, Write), the new
// descriptor (Pipe: the write end; Socket, Open, Dup, Dup2, Accept), the
// child's pid (Fork, Wait), the exit code (Exit); 0 otherwise.
type TraceEvent struct {
	Pid   int       // the process that made the call
	Start time.Time // when the call began
	End   time.Time // when it returned
	Call  string    // fork, exit, wait, pipe, read, write, close, socket, bind, listen, accept, connect, open, dup, dup2
	FD    int
	Ret   int
	Err   string // the error's errno name (EPIPE), EOF, interrupted, or text; "" on success
	// Object names what FD refers to: "pipe:[inode]", "socket:[inode]" or a
	// file's path; for Accept, Dup, Open, the new descriptor's.
	Object string
	// Local and Peer are a socket's addresses (for Accept and Connect, the
	// connection's), as host:port.
	Local, Peer string
	// Data is the start of the bytes a read or write moved: at most 32
	// bytes, invalid UTF-8 shown as '.'.
	Data string
	// Status says how a reaped child ended: "exited 3", "killed by SIGPIPE"
	// (see StatusText).
	Status string
}

// At is when the call counts as made, the order of a trace. A call that
// sends (write, close, connect, fork, exit) counts from when it began: its
// bytes, its end of file or its child can reach another process before it
// returns in its own. Every other call counts from when it returned, so a
// read always comes after the write it got bytes from.
func (e TraceEvent) At() time.Time {
	switch e.Call {
	case "write", "close", "connect", "fork", "exit":
		return e.Start
	}
	return e.End
}
