package view_test

import (
	"math"
	"slices"
	"syscall"
	"time"

	"gosys/rt/osdata"
	"gosys/rt/view"
)

// Fixed inputs of the rendering tests: a parent (4242) and its child
// (4243) sharing a pipe after the fork, the child having closed its write
// end, plus the usual descriptors of a lecture program.

func fixturePipe(access string, holders []osdata.FDRef, fd int, buffered int) osdata.FDInfo {
	return osdata.FDInfo{FD: fd, Target: "pipe:[52831]", Access: access, Kind: osdata.FDPipe, Inode: 52831,
		Buffered: buffered, Holders: holders}
}

var (
	fixtureHolders = []osdata.FDRef{{Pid: 4242, FD: 3, Access: "r"}, {Pid: 4242, FD: 4, Access: "w"}, {Pid: 4243, FD: 3, Access: "r"}}

	fixtureListen = osdata.SocketInfo{Proto: "tcp", Inode: 7001, Local: "127.0.0.1:8080", State: "LISTEN",
		Owners: []osdata.FDRef{{Pid: 4242, FD: 5, Access: "rw"}, {Pid: 4243, FD: 5, Access: "rw"}}}
	fixtureConn = osdata.SocketInfo{Proto: "tcp", Inode: 7002, Local: "127.0.0.1:8080", Peer: "127.0.0.1:40112",
		State: "ESTABLISHED", RecvQ: 12, Owners: []osdata.FDRef{{Pid: 4242, FD: 6, Access: "rw"}}}
	fixtureClient = osdata.SocketInfo{Proto: "tcp6", Inode: 7003, Local: "[::1]:40200", Peer: "[::1]:8080",
		State: "CLOSE_WAIT", SendQ: 3, Owners: []osdata.FDRef{{Pid: 4243, FD: 7, Access: "rw"}}}
	fixtureTimeWait = osdata.SocketInfo{Proto: "tcp", Local: "127.0.0.1:40100", Peer: "127.0.0.1:8080", State: "TIME_WAIT"}
)

// fixtureParentFDs is the parent's table.
func fixtureParentFDs() []osdata.FDInfo {
	listen, conn := fixtureListen, fixtureConn
	return []osdata.FDInfo{
		{FD: 0, Target: "/dev/pts/0", Access: "rw", Kind: osdata.FDTTY, Inode: 3},
		{FD: 1, Target: "/dev/pts/0", Access: "rw", Kind: osdata.FDTTY, Inode: 3},
		{FD: 2, Target: "/dev/pts/0", Access: "rw", Kind: osdata.FDTTY, Inode: 3},
		fixturePipe("r", fixtureHolders, 3, 5),
		fixturePipe("w", fixtureHolders, 4, 5),
		{FD: 5, Target: "socket:[7001]", Access: "rw", Kind: osdata.FDSocket, Inode: 7001, Holders: listen.Owners, Socket: &listen},
		{FD: 6, Target: "socket:[7002]", Access: "rw", Kind: osdata.FDSocket, Inode: 7002, Holders: conn.Owners, Socket: &conn, Nonblock: true},
		{FD: 8, Target: "/tmp/notes <b>&amp; \"quoted\".txt", Access: "w", Kind: osdata.FDFile, Inode: 99, Pos: 1234},
		{FD: 9, Target: "pipe:[60000]", Access: "w", Kind: osdata.FDPipe, Inode: 60000, Buffered: -1, OtherEndClosed: true,
			Holders: []osdata.FDRef{{Pid: 4242, FD: 9, Access: "w"}}},
		{FD: 10, Target: "anon_inode:[eventfd]", Access: "rw", Kind: osdata.FDAnon, Cloexec: true, Nonblock: true},
	}
}

// fixtureChildFDs is the child's table: it closed its write end (fd 4).
func fixtureChildFDs() []osdata.FDInfo {
	listen, client := fixtureListen, fixtureClient
	return []osdata.FDInfo{
		{FD: 0, Target: "/dev/pts/0", Access: "rw", Kind: osdata.FDTTY, Inode: 3},
		{FD: 1, Target: "/dev/pts/0", Access: "rw", Kind: osdata.FDTTY, Inode: 3},
		{FD: 2, Target: "/dev/pts/0", Access: "rw", Kind: osdata.FDTTY, Inode: 3},
		fixturePipe("r", fixtureHolders, 3, 5),
		{FD: 5, Target: "socket:[7001]", Access: "rw", Kind: osdata.FDSocket, Inode: 7001, Holders: listen.Owners, Socket: &listen},
		{FD: 7, Target: "socket:[7003]", Access: "rw", Kind: osdata.FDSocket, Inode: 7003, Holders: client.Owners, Socket: &client},
	}
}

// fixtureTables is the two tables side by side, and a third process that
// is gone.
func fixtureTables() []osdata.FDTable {
	return []osdata.FDTable{
		{Pid: 4242, Command: "gosys kernel --connection-file /tmp/kernel-1.json", FDs: fixtureParentFDs()},
		{Pid: 4243, Command: "gosys child", FDs: fixtureChildFDs()},
	}
}

func fixtureSockets() []osdata.SocketInfo {
	return []osdata.SocketInfo{fixtureListen, fixtureConn, fixtureTimeWait, fixtureClient}
}

func fixtureProcTree() osdata.ProcTree {
	at := time.Date(2024, 3, 1, 14, 5, 9, 250e6, time.UTC)
	return osdata.ProcTree{
		Procs: []osdata.Proc{
			{Pid: 4242, PPid: 4000, State: "S", Command: "gosys kernel --connection-file /tmp/kernel-1.json", Depth: 0},
			{Pid: 4243, PPid: 4242, State: "S", Command: "gosys child", Depth: 1, RtChild: true},
			{Pid: 4250, PPid: 4243, State: "R", Command: "sort -n <numbers.txt>", Depth: 2},
			{Pid: 4251, PPid: 4243, State: "Z", Command: "[wc]", Depth: 2},
			{Pid: 4244, PPid: 4242, State: "Z", Command: "[sh]", Depth: 1, RtChild: true},
			{Pid: 4245, PPid: 4242, State: "T", Command: "sleep 100", Depth: 1},
		},
		Reaped: []osdata.ReapedChild{
			{Pid: 4240, Status: syscall.WaitStatus(0), Reaped: at},
			{Pid: 4241, Status: syscall.WaitStatus(3 << 8), Reaped: at.Add(time.Second)},
			{Pid: 4239, Status: syscall.WaitStatus(syscall.SIGPIPE), Reaped: at.Add(2 * time.Second)},
		},
	}
}

// The charts' inputs.
var (
	barLabels = []string{"read 1 B", "read 4 KiB", "read 64 KiB", "pipe <ping-pong>", "mmap"}
	barValues = []float64{0.42, 1.9, 14.25, 7.5, math.NaN()}
	lineXs    = []float64{1, 2, 4, 8, 16, 32, 64}
	lineYs    = map[string][]float64{
		"pipe":        {120, 180, 260, 330, 360, 370, 372},
		"unix socket": {100, 160, 240, 300, 345, 352, 355},
		"tcp loop":    {40, 70, 110, 150, 170, math.NaN(), 181},
	}
)

// fixtureTrace is a pipe exchange between a parent and a forked child, then
// a TCP exchange with a second child, with a blocked read and a write that
// fails with EPIPE.
func fixtureTrace() []osdata.TraceEvent {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	at := func(us int) time.Time { return t0.Add(time.Duration(us) * time.Microsecond) }
	ev := func(pid, from, to int, call string, fd, ret int) osdata.TraceEvent {
		return osdata.TraceEvent{Pid: pid, Start: at(from), End: at(to), Call: call, FD: fd, Ret: ret}
	}
	pipe := "pipe:[52831]"
	with := func(e osdata.TraceEvent, f func(*osdata.TraceEvent)) osdata.TraceEvent { f(&e); return e }
	return []osdata.TraceEvent{
		with(ev(4242, 0, 12, "pipe", 3, 4), func(e *osdata.TraceEvent) { e.Object = pipe }),
		ev(4242, 20, 2100, "fork", -1, 4243),
		with(ev(4242, 2200, 2215, "close", 4, 0), func(e *osdata.TraceEvent) { e.Object = pipe }),
		with(ev(4243, 2400, 2410, "close", 3, 0), func(e *osdata.TraceEvent) { e.Object = pipe }),
		with(ev(4243, 2500, 2530, "write", 4, 6), func(e *osdata.TraceEvent) { e.Object, e.Data = pipe, "hello\n" }),
		with(ev(4242, 2220, 2560, "read", 3, 6), func(e *osdata.TraceEvent) { e.Object, e.Data = pipe, "hello\n" }),
		with(ev(4243, 2600, 2620, "write", 4, 20), func(e *osdata.TraceEvent) { e.Object, e.Data = pipe, "<b>&amp; 20 bytes..." }),
		with(ev(4243, 2630, 2640, "close", 4, 0), func(e *osdata.TraceEvent) { e.Object = pipe }),
		ev(4243, 2650, 2650, "exit", -1, 0),
		with(ev(4242, 2580, 2700, "read", 3, 8), func(e *osdata.TraceEvent) { e.Object, e.Data = pipe, "<b>&amp;" }),
		with(ev(4242, 2710, 2720, "read", 3, 12), func(e *osdata.TraceEvent) { e.Object, e.Data = pipe, " 20 bytes..." }),
		with(ev(4242, 2730, 2735, "read", 3, 0), func(e *osdata.TraceEvent) { e.Object, e.Err = pipe, "EOF" }),
		with(ev(4242, 2740, 4100, "wait", -1, 4243), func(e *osdata.TraceEvent) { e.Status = "exited 0" }),
		with(ev(4242, 5000, 5010, "socket", -1, 5), func(e *osdata.TraceEvent) { e.Object = "socket:[61000]" }),
		with(ev(4242, 5020, 5030, "bind", 5, 0), func(e *osdata.TraceEvent) { e.Local = "127.0.0.1:8080" }),
		with(ev(4242, 5040, 5045, "listen", 5, 0), func(e *osdata.TraceEvent) { e.Local = "127.0.0.1:8080" }),
		ev(4242, 5050, 7000, "fork", -1, 4244),
		with(ev(4244, 7300, 7310, "socket", -1, 6), func(e *osdata.TraceEvent) { e.Object = "socket:[61010]" }),
		with(ev(4244, 7320, 7400, "connect", 6, 0), func(e *osdata.TraceEvent) {
			e.Object, e.Local, e.Peer = "socket:[61010]", "127.0.0.1:40112", "127.0.0.1:8080"
		}),
		with(ev(4242, 7100, 7420, "accept", 5, 7), func(e *osdata.TraceEvent) {
			e.Object, e.Local, e.Peer = "socket:[61011]", "127.0.0.1:8080", "127.0.0.1:40112"
		}),
		with(ev(4244, 7450, 7460, "write", 6, 4), func(e *osdata.TraceEvent) {
			e.Object, e.Local, e.Peer, e.Data = "socket:[61010]", "127.0.0.1:40112", "127.0.0.1:8080", "ping"
		}),
		with(ev(4242, 7430, 7480, "read", 7, 4), func(e *osdata.TraceEvent) {
			e.Object, e.Local, e.Peer, e.Data = "socket:[61011]", "127.0.0.1:8080", "127.0.0.1:40112", "ping"
		}),
		with(ev(4242, 7490, 7500, "write", 7, 4), func(e *osdata.TraceEvent) {
			e.Object, e.Local, e.Peer, e.Data = "socket:[61011]", "127.0.0.1:8080", "127.0.0.1:40112", "pong"
		}),
		with(ev(4244, 7470, 7520, "read", 6, 4), func(e *osdata.TraceEvent) {
			e.Object, e.Local, e.Peer, e.Data = "socket:[61010]", "127.0.0.1:40112", "127.0.0.1:8080", "pong"
		}),
		with(ev(4242, 7530, 7540, "close", 7, 0), func(e *osdata.TraceEvent) { e.Object = "socket:[61011]" }),
		with(ev(4244, 7600, 7620, "write", 6, 0), func(e *osdata.TraceEvent) { e.Object, e.Err = "socket:[61010]", "EPIPE" }),
		ev(4244, 7630, 7630, "exit", -1, 1),
		with(ev(4242, 7550, 9000, "wait", -1, 4244), func(e *osdata.TraceEvent) { e.Status = "exited 1" }),
	}
}

// fixtureLanes is the output of a parent (4242) and a child (4243) in the
// order written, a line of the child's on stderr, one write of two lines
// and one with markup.
func fixtureLanes() []osdata.LaneText {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	at := func(us int) time.Time { return t0.Add(time.Duration(us) * time.Microsecond) }
	return []osdata.LaneText{
		{Pid: 4242, Stream: "stdout", At: at(0), Text: "parent: forking\n"},
		{Pid: 4243, Stream: "stdout", At: at(1250), Text: "child: hello\nchild: <b>&amp;</b>\n"},
		{Pid: 4243, Stream: "stderr", At: at(1400), Text: "child: oops\n"},
		{Pid: 4242, Stream: "stdout", At: at(3000), Text: "parent: child exited 0"},
	}
}

// views is every rendering with fixed inputs, by golden file name.
func views() map[string]string {
	t := fixtureTables()
	return map[string]string{
		"fds.html":          view.FDsHTML(4242, fixtureParentFDs()),
		"fds.txt":           view.FDsText(4242, fixtureParentFDs()),
		"fdsof.svg":         view.FDsOfSVG(t),
		"fdsof.txt":         view.FDsOfText(t),
		"fdsof-three.svg":   view.FDsOfSVG(append(t, osdata.FDTable{Pid: 4244, Command: "sort", FDs: fixtureChildFDs()[:4]})),
		"fdsof-gone.svg":    view.FDsOfSVG([]osdata.FDTable{t[0], {Pid: 4299, Err: "list descriptors of pid 4299: no such process"}}),
		"procs.html":        view.ProcsHTML(fixtureProcTree()),
		"procs.txt":         view.ProcsText(fixtureProcTree()),
		"sockets.html":      view.SocketsHTML(fixtureSockets()),
		"sockets.txt":       view.SocketsText(fixtureSockets()),
		"bar.svg":           view.BarChartSVG("read(2) cost per call", barLabels, barValues, "µs"),
		"bar.txt":           view.BarChartText("read(2) cost per call", barLabels, barValues, "µs"),
		"bar-negative.svg":  view.BarChartSVG("change", []string{"a", "b", "c"}, []float64{-3, 12000, 4500}, ""),
		"line.svg":          view.LineChartSVG("throughput by buffer size", lineXs, lineYs, "buffer (KiB)", "MB/s"),
		"line.txt":          view.LineChartText("throughput by buffer size", lineXs, lineYs, "buffer (KiB)", "MB/s"),
		"line-empty.svg":    view.LineChartSVG("nothing yet", nil, nil, "x", "y"),
		"sockets-none.html": view.SocketsHTML(nil),
		"trace.svg":         view.TraceSVG(fixtureTrace()),
		"trace-card.html":   view.TraceHTML(fixtureTrace()),
		"trace.txt":         view.TraceText(fixtureTrace()),
		"trace-empty.html":  view.TraceHTML(nil),
		"trace-long.svg":    view.TraceSVG(slices.Repeat(fixtureTrace()[:2], 120)),
		"lanes.html":        view.LanesHTML(4242, fixtureLanes()),
		"lanes.txt":         view.LanesText(fixtureLanes()),
	}
}
