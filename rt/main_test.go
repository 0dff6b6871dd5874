package rt_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"gosys/rt"
	"gosys/rt/cellctl"
	"gosys/rt/displaywire"
	"gosys/rt/tracewire"
)

// roleEnv names the environment variable that makes the test binary play a
// role in a subprocess instead of running the tests.
const roleEnv = "GOSYS_RT_TEST_ROLE"

// roles are what a re-executed test binary does; each ends the process.
var roles = map[string]func(){
	"sigpipe": func() {
		cellctl.SetChild()
		rt.DefaultSIGPIPE()
		r, w, err := rt.Pipe()
		if err != nil {
			panic(err)
		}
		rt.Close(r)
		_, err = rt.Write(w, []byte("x"))
		fmt.Fprintln(os.Stderr, "still alive after write:", err)
		os.Exit(1)
	},
	"exit": func() {
		cellctl.SetChild()
		rt.Exit(7)
	},
	"exec": func() {
		cellctl.SetChild()
		err := rt.Exec(os.Getenv("EXEC_PATH"), "-c", "exit 9")
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	},
	"trace": func() {
		// Descriptor 3 is the write end of the tracer's pipe, 4 the trace
		// socket, as a forked child would have them.
		cellctl.SetChild()
		tracewire.SetFD(4)
		rt.Write(3, []byte("from the child"))
		rt.Close(3)
		rt.Exit(5)
	},
	"display": func() {
		cellctl.SetChild()
		rt.HTML("<i>from a child</i>")
		rt.Markdown("# Title")
		rt.ClearOutput(false)
		os.Exit(0)
	},
}

func TestMain(m *testing.M) {
	if role := os.Getenv(roleEnv); role != "" {
		roles[role]()
		panic("role " + role + " returned")
	}
	os.Exit(m.Run())
}

// roleCmd returns a command running the test binary in role, with env added
// to the environment minus the display socket.
func roleCmd(role string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, displaywire.EnvFD+"=")
	})
	cmd.Env = append(cmd.Env, append([]string{roleEnv + "=" + role}, env...)...)
	return cmd
}

// runRole runs role and returns its wait status and output.
func runRole(t *testing.T, role string, env ...string) (syscall.WaitStatus, string) {
	t.Helper()
	out, err := roleCmd(role, env...).CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("run role %s: %v", role, err)
	}
	if ee != nil {
		return ee.Sys().(syscall.WaitStatus), string(out)
	}
	return 0, string(out)
}

// inCell runs the rest of the test inside a cell scope.
func inCell(t *testing.T) {
	t.Helper()
	if err := cellctl.Begin(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cellctl.End)
}

// interrupted runs call in a goroutine, checks it is still blocked after a
// moment, interrupts the cell and returns call's error. It fails the test
// unless call returns within a generous bound.
func interrupted(t *testing.T, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		t.Fatalf("returned before the interrupt: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	cellctl.Interrupt()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("still blocked 5 s after the interrupt")
		return nil
	}
}

// pipe makes a pipe closed at the end of the test (unless closed before).
func pipe(t *testing.T) (r, w int) {
	t.Helper()
	r, w, err := rt.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(r); syscall.Close(w) })
	return r, w
}

// mustWrite writes s to fd.
func mustWrite(t *testing.T, fd int, s string) {
	t.Helper()
	if n, err := rt.Write(fd, []byte(s)); err != nil || n != len(s) {
		t.Fatalf("Write(%d, %q) = %d, %v", fd, s, n, err)
	}
}

// mustRead reads once from fd and checks it got want.
func mustRead(t *testing.T, fd int, want string) {
	t.Helper()
	buf := make([]byte, len(want)+16)
	n, err := rt.Read(fd, buf)
	if err != nil || string(buf[:n]) != want {
		t.Fatalf("Read(%d) = %q, %v; want %q", fd, buf[:n], err, want)
	}
}
