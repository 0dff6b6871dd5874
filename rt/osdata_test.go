package rt_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gosys/rt"
	"gosys/rt/view"

	"golang.org/x/sys/unix"
)

func init() {
	// The child of TestFDsPipeHolders: it got the read end of a pipe as fd
	// 3 and the write end as fd 4, closes the write end, says so, and
	// waits for its stdin to close.
	roles["view-holdpipe"] = func() {
		unix.Close(4)
		fmt.Println("ready")
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}
}

// findFD returns descriptor fd of fds.
func findFD(t *testing.T, fds []rt.FDInfo, fd int) rt.FDInfo {
	t.Helper()
	i := slices.IndexFunc(fds, func(f rt.FDInfo) bool { return f.FD == fd })
	if i < 0 {
		t.Fatalf("no fd %d in %+v", fd, fds)
	}
	return fds[i]
}

// eventually retries check every 20 ms for 5 s until it returns "", and
// fails with its last complaint otherwise.
func eventually(t *testing.T, check func() string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFDsPipeHolders(t *testing.T) {
	r, w, err := rt.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	wOpen := true
	t.Cleanup(func() {
		unix.Close(r)
		if wOpen {
			unix.Close(w)
		}
	})
	mustWrite(t, w, "abc")
	// Only the copies below reach the child, as its fds 3 and 4.
	unix.CloseOnExec(r)
	unix.CloseOnExec(w)
	var files []*os.File
	for _, fd := range []int{r, w} {
		c, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, os.NewFile(uintptr(c), "pipe"))
	}
	cmd := roleCmd("view-holdpipe")
	cmd.ExtraFiles = files
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		f.Close()
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	if line, err := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
		t.Fatalf("child said %q, %v", line, err)
	}
	self, child := os.Getpid(), cmd.Process.Pid

	fds, err := rt.FDs()
	if err != nil {
		t.Fatal(err)
	}
	mine := findFD(t, fds, r)
	var st unix.Stat_t
	unix.Fstat(r, &st)
	if mine.Kind != rt.FDPipe || mine.Access != "r" || mine.Inode != st.Ino || mine.Buffered != 3 {
		t.Errorf("read end = %+v; want pipe, r, inode %d, 3 bytes buffered", mine, st.Ino)
	}
	wantHolders := []rt.FDRef{{Pid: self, FD: r, Access: "r"}, {Pid: self, FD: w, Access: "w"}, {Pid: child, FD: 3, Access: "r"}}
	if !slices.Equal(mine.Holders, wantHolders) {
		t.Errorf("holders = %+v; want %+v (the child closed its write end)", mine.Holders, wantHolders)
	}
	if d, want := mine.Describe(), fmt.Sprintf("write end held by pid %d fd %d", self, w); !strings.Contains(d, want) {
		t.Errorf("Describe() = %q; want it to say %q", d, want)
	}

	theirs, err := rt.FDsOf(child)
	if err != nil {
		t.Fatal(err)
	}
	c3 := findFD(t, theirs, 3)
	if c3.Inode != st.Ino || c3.Access != "r" || c3.Buffered != 3 {
		t.Errorf("child's fd 3 = %+v; want the same pipe (inode %d), r, 3 bytes buffered", c3, st.Ino)
	}
	if slices.ContainsFunc(theirs, func(f rt.FDInfo) bool { return f.FD == 4 }) {
		t.Errorf("child's fd 4 still open: %+v", theirs)
	}
	svg := view.FDsOfSVG(rt.FDTables(self, child))
	if n := strings.Count(svg, fmt.Sprintf(">pipe %d<", st.Ino)); n != 1 {
		t.Errorf("the diagram draws the shared pipe %d times; want once", n)
	}

	// The last write end closed: the reader will see EOF, and the views say so.
	unix.Close(w)
	wOpen = false
	theirs, err = rt.FDsOf(child)
	if err != nil {
		t.Fatal(err)
	}
	if d := findFD(t, theirs, 3).Describe(); !strings.Contains(d, "no write end open") {
		t.Errorf("child's fd 3 after the parent closed its write end: %q; want \"no write end open\"", d)
	}
	if txt := view.FDsOfText(rt.FDTables(self, child)); !strings.Contains(txt, "no writer: read → EOF") {
		t.Errorf("FDsOfText lacks the EOF warning:\n%s", txt)
	}
}

func TestProcsZombieThenReaped(t *testing.T) {
	pid := startChild(t, "exit 3")
	eventually(t, func() string {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if !strings.Contains(string(b), ") Z ") {
			return fmt.Sprintf("child %d not a zombie: %q", pid, b)
		}
		return ""
	})
	tree, err := rt.Procs()
	if err != nil {
		t.Fatal(err)
	}
	if tree.Procs[0].Pid != os.Getpid() || tree.Procs[0].Depth != 0 {
		t.Errorf("root = %+v; want this process", tree.Procs[0])
	}
	i := slices.IndexFunc(tree.Procs, func(p rt.Proc) bool { return p.Pid == pid })
	if i < 0 {
		t.Fatalf("zombie %d not in %+v", pid, tree.Procs)
	}
	if p := tree.Procs[i]; p.State != "Z" || p.PPid != os.Getpid() || p.Depth != 1 || !p.RtChild || p.Command != "[sh]" {
		t.Errorf("zombie = %+v; want Z, child of %d, depth 1, rt child, [sh]", p, os.Getpid())
	}
	if txt := view.ProcsText(tree); !strings.Contains(txt, strconv.Itoa(pid)+" Z [sh]  zombie") {
		t.Errorf("ProcsText does not show the zombie:\n%s", txt)
	}

	if _, err := rt.WaitPid(pid); err != nil {
		t.Fatal(err)
	}
	tree, err = rt.Procs()
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(tree.Procs, func(p rt.Proc) bool { return p.Pid == pid }) {
		t.Errorf("reaped child %d still in the tree", pid)
	}
	j := slices.IndexFunc(tree.Reaped, func(c rt.ReapedChild) bool { return c.Pid == pid })
	if j < 0 || rt.StatusText(tree.Reaped[j].Status) != "exited 3" {
		t.Fatalf("reaped = %+v; want pid %d exited 3", tree.Reaped, pid)
	}
}

// tcpSocket makes a TCP socket on 127.0.0.1, listening when port is "0"
// and bound, else connected to port; closed at the end of the test unless
// the returned close was called.
func tcpSocket(t *testing.T, port string) (fd int, closeFD func()) {
	t.Helper()
	ai := lookup(t, "127.0.0.1", port)
	fd, err := rt.Socket(ai.Family, ai.SockType, ai.Protocol)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	closeFD = func() {
		if !closed {
			closed = true
			unix.Close(fd)
		}
	}
	t.Cleanup(closeFD)
	if port == "0" {
		err = rt.Bind(fd, ai)
		if err == nil {
			err = rt.Listen(fd, 5)
		}
	} else {
		err = rt.Connect(fd, ai)
	}
	if err != nil {
		t.Fatal(err)
	}
	return fd, closeFD
}

// localAddr returns fd's local address as "127.0.0.1:port".
func localAddr(t *testing.T, fd int) string {
	t.Helper()
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return "127.0.0.1:" + strconv.Itoa(sa.(*unix.SockaddrInet4).Port)
}

// findSocket returns the socket with the given local and peer address.
func findSocket(sockets []rt.SocketInfo, local, peer string) (rt.SocketInfo, bool) {
	i := slices.IndexFunc(sockets, func(s rt.SocketInfo) bool { return s.Local == local && s.Peer == peer })
	if i < 0 {
		return rt.SocketInfo{}, false
	}
	return sockets[i], true
}

func TestSocketsStates(t *testing.T) {
	inCell(t)
	lfd, _ := tcpSocket(t, "0")
	server := localAddr(t, lfd)
	cfd, closeClient := tcpSocket(t, server[strings.LastIndexByte(server, ':')+1:])
	client := localAddr(t, cfd)
	conn, err := rt.Accept(lfd)
	if err != nil {
		t.Fatal(err)
	}
	connClosed := false
	t.Cleanup(func() {
		if !connClosed {
			unix.Close(conn)
		}
	})
	self := os.Getpid()
	state := func(local, peer, want string, owner int) func() string {
		return func() string {
			sockets, err := rt.Sockets()
			if err != nil {
				return err.Error()
			}
			s, ok := findSocket(sockets, local, peer)
			var owners []rt.FDRef
			if owner >= 0 {
				owners = []rt.FDRef{{Pid: self, FD: owner, Access: "rw"}}
			}
			if !ok || s.State != want || !slices.Equal(s.Owners, owners) {
				return fmt.Sprintf("socket %s → %q: %+v (found %v); want %s owned by %v\n%s", local, peer, s, ok, want, owners, view.SocketsText(sockets))
			}
			return ""
		}
	}
	eventually(t, state(server, "", "LISTEN", lfd))
	eventually(t, state(server, client, "ESTABLISHED", conn))
	eventually(t, state(client, server, "ESTABLISHED", cfd))
	fds, err := rt.FDs()
	if err != nil {
		t.Fatal(err)
	}
	if s := findFD(t, fds, lfd).Socket; s == nil || s.State != "LISTEN" || s.Local != server {
		t.Errorf("FDs: listening socket = %+v; want LISTEN on %s", s, server)
	}

	closeClient() // the client closes first: the server's end waits for its own close
	eventually(t, state(server, client, "CLOSE_WAIT", conn))
	unix.Close(conn)
	connClosed = true
	eventually(t, state(client, server, "TIME_WAIT", -1)) // no owner left
}

func TestShowViewsDisplay(t *testing.T) {
	kernel := displaySocket(t)
	displayFD, _ := strconv.Atoi(os.Getenv("GOSYS_DISPLAY_FD"))
	for _, c := range []struct {
		name string
		show func()
		html string
	}{
		{"ShowFDs", rt.ShowFDs, "<table"},
		{"ShowAllFDs", rt.ShowAllFDs, "<table"},
		{"ShowFDsOf", func() { rt.ShowFDsOf() }, `<img src="data:image/svg+xml;base64,`},
		{"ShowProcs", rt.ShowProcs, "<div"},
		{"ShowSockets", rt.ShowSockets, "<table"},
		{"BarChart", func() { rt.BarChart("t", []string{"a"}, []float64{1}, "s") }, `<img src="data:image/svg+xml;base64,`},
		{"LineChart", func() { rt.LineChart("t", []float64{1, 2}, map[string][]float64{"a": {1, 2}}, "x", "y") }, `<img src="data:image/svg+xml;base64,`},
	} {
		c.show()
		m := receive(t, kernel)
		html, _ := m.Data["text/html"].(string)
		plain, _ := m.Data["text/plain"].(string)
		if m.Type != "display_data" || !strings.HasPrefix(html, c.html) || plain == "" {
			t.Errorf("%s sent %s with html %.40q…, plain %.40q…; want display_data, %s…, a plain copy", c.name, m.Type, html, plain, c.html)
		}
		// The display socket is close-on-exec: kernel plumbing, hidden
		// unless all descriptors are asked for.
		listed := slices.ContainsFunc(strings.Split(plain, "\n"), func(l string) bool {
			f := strings.Fields(l)
			return len(f) > 0 && f[0] == strconv.Itoa(displayFD)
		})
		if c.name == "ShowFDs" && listed || c.name == "ShowAllFDs" && !listed {
			t.Errorf("%s lists the display socket (fd %d): %v\n%s", c.name, displayFD, listed, plain)
		}
	}
}

func TestFDsPipeNoReader(t *testing.T) {
	r, w, err := rt.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(w) })
	unix.Close(r)
	fds, err := rt.FDs()
	if err != nil {
		t.Fatal(err)
	}
	f := findFD(t, fds, w)
	if !f.OtherEndClosed || f.Buffered != 0 || !strings.Contains(f.Describe(), "no read end open: write gives EPIPE") {
		t.Errorf("write end with its read end closed: %+v, %q", f, f.Describe())
	}
	if txt := view.FDsText(os.Getpid(), fds); !strings.Contains(txt, "[no reader]") {
		t.Errorf("FDsText does not flag the pipe:\n%s", txt)
	}
}
