// Package osdata is what rt's views show, and how it is read from the
// kernel: descriptor tables (FDsOf, FDTables) with the holders of each pipe
// and socket, TCP sockets (Sockets), the process tree (Procs), and the
// records rt.Trace and rt.Lanes make (TraceEvent, LaneText).
//
// It reads /proc (through gosys/internal/procfs), and asks the kernel about
// pipes with ioctl and poll; it neither draws nor displays anything (that
// is gosys/rt/view and rt). What only rt knows, such as the children it
// started and reaped or the kernel's own ports, it reads from
// gosys/rt/cellctl.
//
// Notebook cells see these types as rt.FDInfo, rt.SocketInfo, ... (the
// same types under rt's names) and call rt.FDs, rt.Sockets, ... to get
// them.
//
// Every function is safe for concurrent use.
package osdata
