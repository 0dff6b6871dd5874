package session

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"gosys/internal/content"
	"gosys/rt/cellctl"
	"gosys/session/eval"
	"gosys/session/fork"
)

// These tests fork for real: rt.Fork re-executes the test binary as
// "fork-child" (see TestMain), which runs RunForkChild as gosys does.

// envTestOut names the environment variable that gives a forked child of
// these tests the file its descriptors 1 and 2 write to, so that a test
// reads what the session and its children printed.
const envTestOut = "GOSYS_SESSION_TEST_OUT"

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == fork.ChildArg {
		if path := os.Getenv(envTestOut); path != "" {
			// unix.Open, not os.OpenFile: Go's poller must not start
			// before the child's start-up places it (fdspace).
			fd, err := unix.Open(path, unix.O_WRONLY|unix.O_APPEND|unix.O_CLOEXEC, 0)
			if err != nil {
				os.Exit(99)
			}
			unix.Dup3(fd, 1, 0)
			unix.Dup3(fd, 2, 0)
			unix.Close(fd)
		}
		os.Exit(RunForkChild())
	}
	os.Exit(m.Run())
}

// forkSession is a session set up as the session process sets it up,
// whose output and whose forked children's go to one file.
type forkSession struct {
	t    *testing.T
	sess *eval.Session
	out  string // the output file
	read int    // how much of it was read
}

func newForkSession(t *testing.T) *forkSession {
	t.Helper()
	path := t.TempDir() + "/out"
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	t.Setenv(envTestOut, path)
	fs := &forkSession{t: t, out: path}
	opts := interpOptions()
	opts.Stdout, opts.Stderr = f, f
	opts.GoPanic = func(_ int, e *content.Error) { t.Errorf("panic in a goroutine of the session: %v", e.Traceback) }
	if fs.sess, err = eval.New(opts); err != nil {
		t.Fatal(err)
	}
	return fs
}

// run runs a cell, which must succeed, and returns what it and its
// children printed.
func (fs *forkSession) run(code string) string {
	fs.t.Helper()
	if err := cellctl.Begin(); err != nil {
		fs.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	out := fs.sess.Execute(ctx, code)
	cancel()
	cellctl.End()
	if out.Err != nil {
		fs.t.Fatalf("cell %q: %s", code, strings.Join(out.Err.Traceback, "\n"))
	}
	b, err := os.ReadFile(fs.out)
	if err != nil {
		fs.t.Fatal(err)
	}
	text := string(b[fs.read:])
	fs.read = len(b)
	return text
}

// TestForkCarriesTheLocalsInScope checks that a forked child gets the
// locals its code uses as Go's scope rules resolve them at the fork, not
// by their names over the cell.
func TestForkCarriesTheLocalsInScope(t *testing.T) {
	fs := newForkSession(t)
	fs.run(`import "fmt"`)
	cases := []struct{ code, want string }{
		// A name declared again later in the cell, in another function.
		{"func loopFork() {\n\tfor i := 0; i < 1; i++ {\n\t\tc := 7\n\t\tif pid, _ := rt.Fork(); pid == 0 {\n\t\t\tfmt.Println(c)\n\t\t\trt.Exit(0)\n\t\t}\n\t\trt.Wait()\n\t}\n}\n" +
			"func other() {\n\tc := 8\n\tif pid, _ := rt.Fork(); pid == 0 {\n\t\tfmt.Println(c)\n\t\trt.Exit(0)\n\t}\n\trt.Wait()\n}\n" +
			"loopFork()\nother()", "7\n8\n"},
		// A local named as a session variable: the child's code has the
		// local, the session's functions the variable.
		{"c := 1\nfunc show() { fmt.Println(\"global\", c) }\n" +
			"func f() {\n\tc := 7\n\tpid, _ := rt.Fork()\n\tif pid == 0 {\n\t\tfmt.Println(\"local\", c)\n\t\tshow()\n\t\trt.Exit(0)\n\t}\n\trt.Wait()\n}\n" +
			"func g() {\n\tc := 9\n\tp, _ := rt.Fork(func() { fmt.Println(\"literal\", c); show() })\n\trt.WaitPid(p)\n}\nf()\ng()",
			"local 7\nglobal 1\nliteral 9\nglobal 1\n"},
		// Receiver, parameters, named results, range variables, an if's
		// init, a type switch's variable, a closure's parameter.
		{"type S struct{ n int }\n" +
			"func (s *S) run(k int, xs ...string) (r int) {\n\tr = 5\n\tfor j, v := range xs {\n\t\tif pid, _ := rt.Fork(); pid == 0 {\n\t\t\tfmt.Println(s.n, k, j, v, r, len(xs))\n\t\t\trt.Exit(0)\n\t\t}\n\t\trt.Wait()\n\t}\n\treturn\n}\n" +
			"func ts(x any) {\n\tif y := 2; y > 1 {\n\t\tswitch v := x.(type) {\n\t\tcase int:\n\t\t\tf := func(a int) {\n\t\t\t\tp, _ := rt.Fork(func() { fmt.Println(\"ts\", v+a+y) })\n\t\t\t\trt.WaitPid(p)\n\t\t\t}\n\t\t\tf(10)\n\t\t}\n\t}\n}\n" +
			"(&S{3}).run(4, \"a\", \"b\")\nts(5)", "3 4 0 a 5 2\n3 4 1 b 5 2\nts 17\n"},
	}
	for _, c := range cases {
		if got := fs.run(c.code); got != c.want {
			t.Errorf("cell:\n%s\nprinted %q, want %q", c.code, got, c.want)
		}
	}
	// A fork in a forked child: its sites are made again from the session's
	// declarations, all in one file, where a later function has an i too.
	fs.run("func serveForking() {\n\tfor i := 0; i < 2; i++ {\n\t\trt.Fork(func() { fmt.Println(\"turn\", i) })\n\t\trt.Wait()\n\t}\n}")
	fs.run("func later() int {\n\ti := 5\n\treturn i\n}")
	if got, want := fs.run("pid, _ := rt.Fork()\nif pid == 0 {\n\tserveForking()\n\trt.Exit(0)\n}\nrt.WaitPid(pid)"), "turn 0\nturn 1\n"; got != want {
		t.Errorf("forks in a child printed %q, want %q", got, want)
	}
	if got, want := fs.run("p, _ := rt.Fork(func() { serveForking() })\nrt.WaitPid(p)"), "turn 0\nturn 1\n"; got != want {
		t.Errorf("forks in a child of rt.Fork(func) printed %q, want %q", got, want)
	}
	// rt.Fork() in C's shape in the child of one.
	got := fs.run("func nested() {\n\tk := 1\n\tif p, _ := rt.Fork(); p == 0 {\n\t\tk++\n\t\tif q, _ := rt.Fork(); q == 0 {\n\t\t\tk++\n\t\t\tfmt.Println(\"grandchild\", k)\n\t\t\trt.Exit(0)\n\t\t}\n\t\trt.Wait()\n\t\tfmt.Println(\"child\", k)\n\t\trt.Exit(0)\n\t}\n\trt.Wait()\n\tfmt.Println(\"parent\", k)\n}\nnested()")
	if want := "grandchild 3\nchild 2\nparent 1\n"; got != want {
		t.Errorf("nested forks printed %q, want %q", got, want)
	}
}

// TestForkedChildReportsAsTheSession checks that errors in forked children
// name the cell lines and quote the lines the learner sees, for code
// declared in other cells too, and that a panic in a goroutine of a child
// reads as the session's and ends the child with status 2.
func TestForkedChildReportsAsTheSession(t *testing.T) {
	fs := newForkSession(t)
	fs.run("import \"fmt\"\nimport \"os\"\nimport \"time\"")
	fs.run("// serveClient fails.\nfunc serveClient(n int) {\n\txs := []int{}\n\t_ = xs[n]\n}")
	fs.run("x := 1\n\nfunc srv() {\n\tfor i := 0; i < 1; i++ {\n\t\tpid, _ := rt.Fork()\n\t\tif pid == 0 {\n\t\t\tserveClient(i + 3)\n\t\t}\n\t\tst, _ := rt.WaitPid(pid)\n\t\tfmt.Println(\"status\", st.ExitStatus())\n\t}\n}")
	inServeClient := frame("serveClient", 4, 6, "\t_ = xs[n]")
	trace := "panic: runtime error: index out of range [3] with length 0\n" + inServeClient +
		frame("srv", 7, 4, "\t\t\tserveClient(i + 3)")
	if got := fs.run("srv()"); got != trace+"status 2\n" {
		t.Errorf("C-shape child's panic:\n%s\nwant:\n%s", got, trace+"status 2\n")
	}
	// In a grandchild, through a child of rt.Fork(func).
	if got := fs.run("p, _ := rt.Fork(func() {\n\tsrv()\n})\nrt.WaitPid(p)"); got != trace+"status 2\n" {
		t.Errorf("grandchild's panic:\n%s\nwant:\n%s", got, trace+"status 2\n")
	}
	got := fs.run("p, _ = rt.Fork(func() {\n\tserveClient(x + 2)\n})\nst, _ := rt.WaitPid(p)\nfmt.Println(st.ExitStatus())")
	want := "panic: runtime error: index out of range [3] with length 0\n" + inServeClient +
		frame("a function literal", 2, 2, "\tserveClient(x + 2)") + "2\n"
	if got != want {
		t.Errorf("rt.Fork(func) child's panic:\n%s\nwant:\n%s", got, want)
	}
	// A goroutine's panic ends the child as the session reports it.
	got = fs.run("func h() {\n\tif pid, _ := rt.Fork(); pid == 0 {\n\t\tgo serveClient(5)\n\t\ttime.Sleep(5 * time.Second)\n\t\tfmt.Println(\"not reached\")\n\t}\n\t_, st, _ := rt.Wait()\n\tfmt.Println(\"status\", st.ExitStatus())\n}\nh()")
	want = "panic: runtime error: index out of range [5] with length 0 (in a goroutine)\n" + inServeClient + "status 2\n"
	if got != want {
		t.Errorf("goroutine panic in a child:\n%s\nwant:\n%s", got, want)
	}
	got = fs.run("p, _ = rt.Fork(func() {\n\tgo os.Exit(4)\n\ttime.Sleep(5 * time.Second)\n})\nst, _ = rt.WaitPid(p)\nfmt.Println(st.ExitStatus())")
	if got != "4\n" {
		t.Errorf("os.Exit in a goroutine of a child: printed %q, want the status 4", got)
	}
	// rt.Fork() at a cell's top level: the rest of the cell, its lines.
	got = fs.run("y := []int{}\npid, _ := rt.Fork()\nif pid == 0 {\n\t_ = y[x]\n}\nst, _ = rt.WaitPid(pid)")
	if want := "panic: runtime error: index out of range [1] with length 0\n" + frame("the cell", 4, 6, "\t_ = y[x]"); got != want {
		t.Errorf("top-level child's panic:\n%s\nwant:\n%s", got, want)
	}
}

// frame is a traceback's frame as the session writes it: where, then the
// line quoted with a caret under the column (a tab shows as a space).
func frame(fn string, line, col int, text string) string {
	return fmt.Sprintf("  in %s, cell line %d:%d\n  %4d | %s\n%s^\n", fn, line, col, line, strings.ReplaceAll(text, "\t", " "), strings.Repeat(" ", len("  1234 | ")+col-1))
}
