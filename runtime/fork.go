package rt

import "errors"

// ErrForkOutsideCell is returned by Fork when it is not called from a
// notebook cell: only the kernel can start a child that runs a cell's code.
var ErrForkOutsideCell = errors.New("rt.Fork: runs only in a gosys notebook cell, called with a function literal or a function's name")

// Fork creates a child process that runs child and returns the child's pid
// to the parent, like fork(2) followed by a call of child in the child.
//
// The child is a real process: its own pid, the kernel (or the forking
// process) as its parent, and a copy of the parent's descriptor table:
// every descriptor made with rt is open in the child under the same number,
// as are those behind *os.File, net.Conn and net.Listener values the child
// uses. child sees what a forked C child sees: the variables it uses, with
// their values at the moment of the fork (numbers, strings, byte slices,
// arrays, slices, maps, pointers and structs of these, descriptors), and
// every function, type and import of the session. Changes the child makes
// stay in the child.
//
// The child ends with status 0 when child returns, with code at
// rt.Exit(code), with status 2 and the panic's traceback on stderr when it
// panics, and as the signal says when a signal kills it. Its output is the
// cell's output, interleaved in real order with the parent's.
//
// Where a captured value cannot be carried into the child (a channel, a
// function, a locked mutex), Fork returns an error naming the variable and
// its type and starts no child.
//
// How: the kernel rewrites each rt.Fork call of a cell into a call that also
// carries the function's source and the captured values; the child is the
// gosys binary re-executed, which declares the session again and runs the
// function. Fork called any other way returns ErrForkOutsideCell.
func Fork(child func()) (pid int, err error) {
	return 0, ErrForkOutsideCell
}
