package rt

import "errors"

// ErrForkOutsideCell is returned by Fork when it is not called from a
// notebook cell: only the session can start a child that runs a cell's
// code.
var ErrForkOutsideCell = errors.New("rt.Fork: runs only in a gosys notebook cell, written as rt.Fork() or rt.Fork(f) in the cell's own code (not called through a function value or from compiled code)")

// ErrNoChildFunc is returned by rt.Fork(nil).
var ErrNoChildFunc = errors.New("rt.Fork(nil): no function for the child to run")

// Fork creates a child process, like fork(2), in one of two shapes.
//
// rt.Fork() returns twice, as fork(2) does: in the parent with the child's
// pid, in the child with 0. The child runs the statement that contains the
// call (where the call's value is 0, nil) and every statement after it in
// the same block: at a cell's top level the rest of the cell, in a
// function or a loop body the rest of that body. It exits with status 0
// when it reaches the end of that block (C's child would go on past the
// block: end it with rt.Exit).
//
// rt.Fork(child) runs child in the child process and returns the child's
// pid to the parent, like fork(2) followed by a call of child in the child.
//
// The child is a real process: its own pid, the session (or the forking
// process) as its parent, and a copy of the parent's descriptor table:
// every descriptor made with rt is open in the child under the same number,
// as are those behind *os.File, net.Conn and net.Listener values the child
// uses. The child sees what a forked C child sees: the variables it uses,
// with their values at the moment of the fork (numbers, strings, byte
// slices, arrays, slices, maps, pointers and structs of these,
// descriptors), and every function, type and import of the session.
// Changes the child makes stay in the child.
//
// The child ends with status 0 when it reaches the end (of child, or of
// the block), with code at rt.Exit(code), with status 2 and the panic's
// traceback on stderr when it panics, and as the signal says when a signal
// kills it (SIGPIPE among them: a forked child has SIGPIPE's default
// disposition, see IgnoreSIGPIPE). Its output is the cell's output,
// interleaved in real order with the parent's.
//
// A fork that fails returns -1 and the error, as C's does: a value that
// cannot be carried into the child (a channel, a function, a locked mutex;
// the error names the variable and its type), too many children
// (syscall.EAGAIN), rt.Fork(nil) (ErrNoChildFunc), or a call the session
// could not prepare (ErrForkOutsideCell).
//
// How: the session rewrites each rt.Fork call of a cell into a call that
// also carries the child's code and the values it uses; the child is the
// gosys binary re-executed (or started ahead and waiting), which declares
// the session again and runs that code.
func Fork(child ...func()) (pid int, err error) {
	if len(child) == 1 && child[0] == nil {
		return -1, ErrNoChildFunc
	}
	return -1, ErrForkOutsideCell
}
