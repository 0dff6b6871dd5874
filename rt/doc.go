// Package rt is the runtime notebook cells see as rt: the lecture's C system
// calls in Go, plus display calls.
//
// Raw descriptors are plain ints, as in C. Descriptors rt makes are not
// close-on-exec (a child inherits them, as in C) and stay in blocking mode.
//
// Errors are returned Go style. An error from a system call names the call
// and its descriptor or path and unwraps to its syscall.Errno, so
// errors.Is(err, syscall.EPIPE) holds. Read returns io.EOF itself, unwrapped.
//
// Calls that may block (Read, Write, Accept, Connect, Wait, WaitPid) return
// an error wrapping ErrInterrupted soon after the running cell is
// interrupted, and leave their descriptor valid and usable. Outside a cell
// (in a plain Go program, or in a forked child) they block as their system
// calls do.
//
// The process ignores SIGPIPE: writing to a pipe or socket with no reader
// returns syscall.EPIPE. A forked child may ask for the default disposition
// with DefaultSIGPIPE.
//
// The display calls (HTML, Markdown, SVG, PNG, Display, ...) show rich
// output in the notebook as output of the running cell, or, in a forked
// child, of the cell that forked it. Output written to stdout before a
// display call appears before it. Each display carries a text/plain
// fallback; outside the kernel (no display socket in the environment, see
// gosys/rt/displaywire) that fallback is printed to stdout instead. A
// display that cannot be sent is reported on stderr.
//
// The views (ShowFDs, ShowFDsOf, ShowProcs, ShowSockets, Trace, Lanes,
// BarChart, LineChart) read the OS through gosys/rt/osdata, whose types rt
// names (FDInfo, SocketInfo, ProcTree, TraceEvent, ...: the same types),
// draw with gosys/rt/view and display the drawing. A cell that wants a
// drawing without showing it imports gosys/rt/view.
//
// Every function is safe for concurrent use.
package rt
