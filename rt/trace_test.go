package rt_test

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"gosys/rt"
	"gosys/rt/cellctl"
	"gosys/rt/tracewire"
)

// calls lists the events as "pid call label" with the tracing process as
// "P" and any other as "C".
func calls(events []rt.TraceEvent) string {
	var out []string
	for _, e := range events {
		who := "C"
		if e.Pid == os.Getpid() {
			who = "P"
		}
		out = append(out, who+" "+rt.TraceLabel(e))
	}
	return strings.Join(out, "\n")
}

// TestTraceRecordsCallsOfThisProcess traces a pipe used by this process
// alone: every call is recorded in order, with the pipe's inode, the bytes
// and EOF, and nothing is recorded once Trace returned.
func TestTraceRecordsCallsOfThisProcess(t *testing.T) {
	var r, w int
	events := rt.Trace(func() {
		var err error
		if r, w, err = rt.Pipe(); err != nil {
			t.Fatal(err)
		}
		rt.Write(w, []byte("hello\n"))
		rt.Close(w)
		buf := make([]byte, 64)
		rt.Read(r, buf)
		rt.Read(r, buf)
		if _, err := rt.Write(w, []byte("x")); err == nil {
			t.Error("write to a closed descriptor succeeded")
		}
	})
	want := fmt.Sprintf(`P pipe() = [%[1]d, %[2]d]
P write(%[2]d) = 6 "hello\n"
P close(%[2]d)
P read(%[1]d) = 6 "hello\n"
P read(%[1]d) = 0 EOF
P write(%[2]d) EBADF`, r, w)
	if got := calls(events); got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
	if len(events) == 6 {
		ino := events[0].Object
		if !strings.HasPrefix(ino, "pipe:[") || events[1].Object != ino || events[3].Object != ino {
			t.Errorf("pipe objects %q %q %q", ino, events[1].Object, events[3].Object)
		}
		for _, e := range events {
			if e.End.Before(e.Start) {
				t.Errorf("%s ends before it starts", rt.TraceLabel(e))
			}
		}
	}
	if text := rt.TraceText(events); !strings.Contains(text, "6 B → pid "+fmt.Sprint(os.Getpid())) {
		t.Errorf("TraceText has no link for the 6 bytes:\n%s", text)
	}
	rt.Close(r)
	if tracewire.Active() {
		t.Error("trace still active after Trace returned")
	}
}

// TestTraceFollowsAChild traces a real child process that inherits the
// trace socket, as a forked child does: its write, close and exit come
// back with its pid, linked to the parent's read and wait.
func TestTraceFollowsAChild(t *testing.T) {
	var child int
	var r int
	events := rt.Trace(func() {
		var w int
		var err error
		if r, w, err = rt.Pipe(); err != nil {
			t.Fatal(err)
		}
		cmd := roleCmd("trace")
		// Copies, closed here: an *os.File closes its descriptor when
		// collected, which must not hit a number reused since.
		for _, fd := range []int{w, tracewire.FD()} {
			dup, err := syscall.Dup(fd)
			if err != nil {
				t.Fatal(err)
			}
			cmd.ExtraFiles = append(cmd.ExtraFiles, os.NewFile(uintptr(dup), "copy"))
		}
		err = cmd.Start()
		for _, f := range cmd.ExtraFiles {
			f.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
		child = cmd.Process.Pid
		cellctl.RegisterChild(child)
		rt.Close(w)
		buf := make([]byte, 64)
		for {
			if n, err := rt.Read(r, buf); n == 0 || err != nil {
				break
			}
		}
		status, err := rt.WaitPid(child)
		if err != nil || status.ExitStatus() != 5 {
			t.Errorf("child status %v, %v", status, err)
		}
	})
	rt.Close(r)
	got := calls(events)
	for _, want := range []string{
		`C write(3) = 14 "from the child"`, "C close(3)", "C exit(5)",
		fmt.Sprintf(`P read(%d) = 14 "from the child"`, r),
		fmt.Sprintf("P wait() = %d exited 5", child),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	for _, e := range events {
		if e.Pid != os.Getpid() && e.Pid != child {
			t.Errorf("event of pid %d, neither %d nor %d", e.Pid, os.Getpid(), child)
		}
	}
	text := rt.TraceText(events)
	for _, want := range []string{fmt.Sprintf("14 B ← pid %d", child), fmt.Sprintf("reaped pid %d", child)} {
		if !strings.Contains(text, want) {
			t.Errorf("TraceText lacks %q:\n%s", want, text)
		}
	}
	if svg := rt.TraceSVG(events); !strings.Contains(svg, ">14 B<") || !strings.Contains(svg, ">exited 5<") {
		t.Errorf("TraceSVG lacks the 14 B arrow or the exit → wait arrow")
	}
}

// TestTraceSockets traces a TCP exchange on loopback within this process:
// connect is linked to accept and each write to the read at the other end.
func TestTraceSockets(t *testing.T) {
	events := rt.Trace(func() {
		ais, err := rt.LookupHost("127.0.0.1", "0")
		if err != nil {
			t.Fatal(err)
		}
		ls, _ := rt.Socket(ais[0].Family, ais[0].SockType, ais[0].Protocol)
		defer rt.Close(ls)
		if err := rt.Bind(ls, ais[0]); err != nil {
			t.Fatal(err)
		}
		rt.Listen(ls, 1)
		sa, _ := syscall.Getsockname(ls)
		ai := ais[0]
		ai.Addr = sa
		c, _ := rt.Socket(ai.Family, ai.SockType, ai.Protocol)
		defer rt.Close(c)
		if err := rt.Connect(c, ai); err != nil {
			t.Fatal(err)
		}
		s, err := rt.Accept(ls)
		if err != nil {
			t.Fatal(err)
		}
		defer rt.Close(s)
		buf := make([]byte, 16)
		rt.Write(c, []byte("ping"))
		rt.Read(s, buf)
		rt.Write(s, []byte("pong"))
		rt.Read(c, buf)
	})
	text := rt.TraceText(events)
	for _, want := range []string{"← connect of pid", `read(`, `= 4 "pong"`, "4 B → pid", "listen("} {
		if !strings.Contains(text, want) {
			t.Errorf("TraceText lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "4 B ← pid"); n != 2 {
		t.Errorf("%d reads linked to writes, want 2:\n%s", n, text)
	}
}

// TestTraceNested runs a trace inside a trace: the inner one records
// nothing of its own and the outer one goes on.
func TestTraceNested(t *testing.T) {
	var inner []rt.TraceEvent
	outer := rt.Trace(func() {
		inner = rt.Trace(func() {
			r, w, _ := rt.Pipe()
			rt.Close(r)
			rt.Close(w)
		})
	})
	if inner != nil || len(outer) != 3 {
		t.Errorf("inner %d events, outer %d; want none and 3:\n%s", len(inner), len(outer), calls(outer))
	}
}
