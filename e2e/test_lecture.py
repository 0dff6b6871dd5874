"""The lecture's C, translated line by line, works: fork as C has it, C's
failure values and signal defaults, stdio's buffers, every system call, and
Go's own error messages at the right line."""

import os
import re

import pytest

from harness import Kernel

PRELUDE = 'import "fmt"\nimport "os"\nimport "syscall"\nimport "time"\nimport "errors"\n_, _, _, _, _ = fmt.Sprint, os.Getpid, syscall.Getpid, time.Now, errors.New'


@pytest.fixture(scope="module")
def k():
    with Kernel() as k:
        k.ok(PRELUDE)
        yield k


# -- 1. fork as C has it --------------------------------------------------

def test_fork_called_once_returns_twice(k):
    out = k.ok('mypid := rt.Getpid()\n'
               'cpid, err := rt.Fork()\n'
               'if cpid > 0 {\n'
               '\tfmt.Printf("[%d] parent of [%d]\\n", mypid, cpid)\n'
               '\tpid, status, _ := rt.Wait()\n'
               '\tfmt.Printf("[%d] bye %d(%d)\\n", mypid, pid, status.ExitStatus())\n'
               '} else if cpid == 0 {\n'
               '\tfmt.Printf("[%d] child\\n", rt.Getpid())\n'
               '\trt.Exit(42)\n'
               '} else {\n'
               '\tfmt.Println("fork failed:", err)\n'
               '}').stdout
    lines = out.splitlines()
    parent = [l for l in lines if "parent of" in l]
    child = [l for l in lines if l.endswith("] child")]
    assert len(parent) == 1 and len(child) == 1, out
    ppid, cpid = map(int, re.match(r"\[(\d+)\] parent of \[(\d+)\]", parent[0]).groups())
    assert child[0] == f"[{cpid}] child"
    assert f"[{ppid}] bye {cpid}(42)" in lines, out
    assert ppid != cpid


def test_fork_in_if_switch_and_loop(k):
    out = k.ok('if pid, _ := rt.Fork(); pid == 0 {\n\tfmt.Println("if: child")\n\trt.Exit(3)\n}'
               ' else {\n\t_, st, _ := rt.Wait()\n\tfmt.Println("if: parent saw", st.ExitStatus())\n}').stdout
    assert out.splitlines() == ["if: child", "if: parent saw 3"], out
    out = k.ok('switch pid, _ := rt.Fork(); {\ncase pid == 0:\n\tfmt.Println("switch: child")\n\trt.Exit(4)\n'
               'case pid > 0:\n\t_, st, _ := rt.Wait()\n\tfmt.Println("switch: parent saw", st.ExitStatus())\n}').stdout
    assert out.splitlines() == ["switch: child", "switch: parent saw 4"], out
    # In a loop body the child runs the rest of the body, then exits.
    out = k.ok('for i := 0; i < 3; i++ {\n\tpid, _ := rt.Fork()\n\tif pid == 0 {\n\t\tfmt.Println("child of turn", i)\n\t}\n'
               '\tif pid > 0 {\n\t\trt.WaitPid(pid)\n\t}\n}\nfmt.Println("loop done", rt.Getpid() > 0)').stdout
    assert out.splitlines() == ["child of turn 0", "child of turn 1", "child of turn 2", "loop done true"], out


def test_fork_at_top_level_runs_the_rest_of_the_cell(k):
    out = k.ok('x := 10\npid, _ := rt.Fork()\nx++\nif pid == 0 {\n\tfmt.Println("child x", x)\n\trt.Exit(0)\n}\n'
               'rt.WaitPid(pid)\nfmt.Println("parent x", x)').stdout
    assert out.splitlines() == ["child x 11", "parent x 11"], out


def test_forking_server_in_a_function_declared_in_a_cell(k):
    k.ok('func handle(conn int) {\n\tbuf := make([]byte, 64)\n\tn, _ := rt.Read(conn, buf)\n'
         '\trt.Write(conn, []byte(fmt.Sprintf("[%d] echo %s", rt.Getpid(), buf[:n])))\n}\n'
         'func serve(srv int, clients int) {\n'
         '\tfor i := 0; i < clients; i++ {\n'
         '\t\tconn, _ := rt.Accept(srv)\n'
         '\t\tpid, _ := rt.Fork()\n'
         '\t\tif pid == 0 {\n\t\t\trt.Close(srv)\n\t\t\thandle(conn)\n\t\t\trt.Exit(0)\n\t\t}\n'
         '\t\trt.Close(conn)\n'
         '\t\trt.WaitPid(pid)\n'
         '\t}\n}')
    out = k.ok('ais, _ := rt.SetupAddress("0")\nsrv, _ := rt.Socket(ais[0].Family, ais[0].SockType, ais[0].Protocol)\n'
               'rt.Bind(srv, ais[0])\nrt.Listen(srv, 5)\nsa, _ := syscall.Getsockname(srv)\nport := 0\n'
               'switch a := sa.(type) {\ncase *syscall.SockaddrInet4:\n\tport = a.Port\ncase *syscall.SockaddrInet6:\n\tport = a.Port\n}\n'
               'server, _ := rt.Fork(func() { serve(srv, 2); rt.Exit(0) })\n'
               'for i := 0; i < 2; i++ {\n\tc, _ := rt.LookupHost("127.0.0.1", fmt.Sprint(port))\n'
               '\tfd, _ := rt.Socket(c[0].Family, c[0].SockType, c[0].Protocol)\n'
               '\tif err := rt.Connect(fd, c[0]); err != nil { panic(err) }\n'
               '\trt.Write(fd, []byte(fmt.Sprint("hi ", i)))\n\tbuf := make([]byte, 64)\n\tn, _ := rt.Read(fd, buf)\n'
               '\tfmt.Println(string(buf[:n]))\n\trt.Close(fd)\n}\n'
               'st, _ := rt.WaitPid(server)\nrt.Close(srv)\nfmt.Println("server", st.ExitStatus())', timeout=60).stdout
    lines = out.splitlines()
    assert re.fullmatch(r"\[\d+\] echo hi 0", lines[0]), out
    assert re.fullmatch(r"\[\d+\] echo hi 1", lines[1]), out
    assert lines[0].split()[0] != lines[1].split()[0], "one child per connection"
    assert lines[2] == "server 0"


def test_fork_in_c_shape_carries_the_locals_in_scope(k):
    # Names resolve by Go's scope rules: a later function's c, a session
    # variable named as a local, the i of a function a child calls.
    out = k.ok('func loopFork() {\n\tfor i := 0; i < 1; i++ {\n\t\tc := 7\n'
               '\t\tif pid, _ := rt.Fork(); pid == 0 {\n\t\t\tfmt.Println(c)\n\t\t\trt.Exit(0)\n\t\t}\n\t\trt.Wait()\n\t}\n}\n'
               'func other() {\n\tc := 8\n\tif pid, _ := rt.Fork(); pid == 0 {\n\t\tfmt.Println(c)\n\t\trt.Exit(0)\n\t}\n\trt.Wait()\n}\n'
               'loopFork()\nother()')
    assert out.stdout == "7\n8\n" and out.stderr == "", out.describe()
    out = k.ok('shade := "global"\nfunc showShade() { fmt.Println("function sees", shade) }\n'
               'func shadows() {\n\tshade := "local"\n\tif pid, _ := rt.Fork(); pid == 0 {\n'
               '\t\tfmt.Println("child sees", shade)\n\t\tshowShade()\n\t\trt.Exit(0)\n\t}\n\trt.Wait()\n}\nshadows()')
    assert out.stdout == "child sees local\nfunction sees global\n", out.describe()
    k.ok('func serveForking() {\n\tfor i := 0; i < 2; i++ {\n\t\trt.Fork(func() { fmt.Println("turn", i) })\n\t\trt.Wait()\n\t}\n}\n'
         'func countTo(n int) int {\n\ti := 0\n\tfor i < n {\n\t\ti++\n\t}\n\treturn i\n}')
    out = k.ok('pid, _ := rt.Fork()\nif pid == 0 {\n\tserveForking()\n\trt.Exit(0)\n}\nrt.WaitPid(pid)')
    assert out.stdout == "turn 0\nturn 1\n" and out.stderr == "", out.describe()


def test_child_that_forks_and_exits_at_once(k):
    out = k.ok('r, w, _ := rt.Pipe()\n'
               'c, _ := rt.Fork(func() {\n\trt.Fork(func() {\n\t\ttime.Sleep(200 * time.Millisecond)\n'
               '\t\trt.Write(w, []byte("grandchild ran"))\n\t})\n\trt.Exit(0) // at once\n})\n'
               'rt.WaitPid(c)\nrt.Close(w)\nbuf := make([]byte, 64)\nn, _ := rt.Read(r, buf)\nrt.Close(r)\n'
               'fmt.Println(string(buf[:n]))', timeout=30)
    assert out.stdout == "grandchild ran\n", out.describe()
    assert "read payload" not in out.stderr


def test_fork_that_cannot_fork_returns_minus_one(k):
    out = k.ok('f := rt.Fork\npid, err := f()\nfmt.Println(pid, err)').stdout
    assert out.startswith("-1 rt.Fork: runs only in a gosys notebook cell"), out
    out = k.ok('pid, err := rt.Fork(nil)\nfmt.Println(pid, err)').stdout
    assert out == "-1 rt.Fork(nil): no function for the child to run\n", out
    out = k.ok('ch := make(chan int)\npid, err := rt.Fork(func() { <-ch })\nfmt.Println(pid, err)').stdout
    assert out.startswith("-1 rt.Fork: variable ch of type chan int"), out


# -- 2. C's conventions ---------------------------------------------------

def test_sigpipe_kills_a_child_and_epipe_in_the_session(k):
    out = k.ok('r, w, _ := rt.Pipe()\nrt.Close(r)\n'
               'p1, _ := rt.Fork(func() {\n\trt.Write(w, []byte("x"))\n\tfmt.Println("not printed")\n})\n'
               'st, _ := rt.WaitPid(p1)\nfmt.Println(st.Signaled(), st.Signal() == syscall.SIGPIPE)\n'
               'p2, _ := rt.Fork(func() {\n\trt.IgnoreSIGPIPE()\n\t_, err := rt.Write(w, []byte("x"))\n'
               '\tfmt.Println("child:", errors.Is(err, syscall.EPIPE))\n})\n'
               'st, _ = rt.WaitPid(p2)\nfmt.Println(st.Exited(), st.ExitStatus())\n'
               '_, err := rt.Write(w, []byte("x"))\nfmt.Println(errors.Is(err, syscall.EPIPE), err)\nrt.Close(w)').stdout
    lines = out.splitlines()
    assert lines[:4] == ["true true", "child: true", "true 0", lines[3]], out
    assert lines[3].startswith("true write to fd"), out
    assert "not printed" not in out


def test_fopen_buffers_as_stdio_does(k, tmp_path):
    path = str(tmp_path / "notes")
    out = k.ok(f'path := "{path}"\n'
               'f, _ := rt.Fopen(path, "w")\nfmt.Fprintf(f, "hello\\n")\n'
               'b, _ := os.ReadFile(path)\nfmt.Printf("before fflush: %q\\n", b)\n'
               'f.Flush()\nb, _ = os.ReadFile(path)\nfmt.Printf("after fflush: %q\\n", b)\n'
               # a child's rt.Exit flushes; one killed loses its buffer
               'fmt.Fprintf(f, "from the parent\\n")\n'
               'c1, _ := rt.Fork(func() { fmt.Fprintf(f, "child exits\\n"); rt.Exit(0) })\n'
               'rt.WaitPid(c1)\n'
               'c2, _ := rt.Fork(func() { fmt.Fprintf(f, "child killed\\n"); syscall.Kill(rt.Getpid(), syscall.SIGKILL) })\n'
               'rt.WaitPid(c2)\nf.Close()\nb, _ = os.ReadFile(path)\nfmt.Printf("at the end: %q\\n", b)').stdout
    lines = out.splitlines()
    assert lines[0] == 'before fflush: ""', out
    assert lines[1] == 'after fflush: "hello\\n"', out
    # The parent's unflushed line was copied into the first child, which
    # flushed it at exit, as C's fork copies stdio buffers.
    assert lines[2] == 'at the end: "hello\\nfrom the parent\\nchild exits\\nfrom the parent\\n"', out



def test_a_child_flushes_every_stream_it_inherited(k, tmp_path):
    """C's exit(3), and returning from main, flush every stream, written to
    or not: the parent's unflushed text reaches the file from each child
    that ends normally (rt.Exit, the end of its block, the end of its
    function), not from one that panics or calls os.Exit (_exit)."""
    path = str(tmp_path / "inherited")
    k.ok(f'path := "{path}"\nf, _ := rt.Fopen(path, "w")\nfmt.Fprint(f, "p;")\n'
         'if pid, _ := rt.Fork(); pid == 0 {\n\trt.Exit(0)\n}\nrt.Wait()')
    # The end of the block ends the child: the fork is the cell's last
    # statement, so the child has nothing after it to run.
    k.ok('if pid, _ := rt.Fork(); pid == 0 {\n\tfmt.Print("")\n}')
    out = k.ok('rt.Wait()\n'
               'c, _ := rt.Fork(func() {})\nrt.WaitPid(c)\n'
               'c, _ = rt.Fork(func() { os.Exit(0) })\nrt.WaitPid(c)\n'
               'c, _ = rt.Fork(func() { panic("no flush") })\nrt.WaitPid(c)\n'
               'f.Close()\nb, _ := os.ReadFile(path)\nfmt.Printf("%s\\n", b)', timeout=30).stdout
    assert out.splitlines()[-1] == "p;p;p;p;", out


def test_a_child_shares_what_the_parent_shared(k):
    """Pointers and maps that alias in the parent alias in the child, as
    after fork(2): a write through one is seen through the other."""
    out = k.ok('type node struct { v int; next *node }\n'
               'n := &node{v: 1}\nalias := n\nring := &node{v: 2}\nring.next = ring\n'
               'm := map[string]int{"a": 1}\nbox := struct{ m map[string]int }{m}\n'
               'if pid, _ := rt.Fork(); pid == 0 {\n'
               '\talias.v = 10\n\tbox.m["b"] = 2\n'
               '\tfmt.Println(n.v, len(m), ring.next == ring)\n\trt.Exit(0)\n}\nrt.Wait()\n'
               'fmt.Println(n.v, len(m))', timeout=30).stdout
    assert out == "10 2 true\n1 1\n", out

# -- 3. every system call ----------------------------------------------------

def test_syscall_and_unix_are_complete(k):
    out = k.ok('var lim syscall.Rlimit\nsyscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)\nfmt.Println(lim.Cur > 0)\n'
               'p, err := os.FindProcess(rt.Getpid())\nfmt.Println(err, p.Signal(syscall.Signal(0)))\n'
               'pid, _, _ := syscall.Syscall(syscall.SYS_GETPID, 0, 0, 0)\nfmt.Println(int(pid) == rt.Getpid())\n'
               'c, _ := syscall.ForkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{})\n'
               'var ws syscall.WaitStatus\nsyscall.Wait4(c, &ws, 0, nil)\nfmt.Println(ws.Exited())\n'
               'fmt.Println(rt.Kill(999999, syscall.SIGTERM))').stdout
    assert out.splitlines() == ["true", "<nil> <nil>", "true", "true", "kill 999999 SIGTERM: no such process"], out
    out = k.ok('import "golang.org/x/sys/unix"\nvar p [2]int\nunix.Pipe2(p[:], unix.O_CLOEXEC)\n'
               'unix.Write(p[1], []byte("via unix"))\nfds := []unix.PollFd{{Fd: int32(p[0]), Events: unix.POLLIN}}\n'
               'n, _ := unix.Poll(fds, 1000)\nbuf := make([]byte, 16)\nm, _ := unix.Read(p[0], buf)\n'
               'fmt.Println(n, string(buf[:m]))\nunix.Close(p[0]); unix.Close(p[1])\n'
               'mem, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)\n'
               'mem[0] = 7\nfmt.Println(err, mem[0])').stdout
    assert out.splitlines() == ["1 via unix", "<nil> 7"], out


def test_syscall_exec_and_exit_follow_rt(k):
    out = k.ok('err := syscall.Exec("/bin/true", []string{"true"}, nil)\nfmt.Println(err)\n'
               'c, _ := rt.Fork(func() { syscall.Exec("/bin/sh", []string{"sh", "-c", "exit 7"}, os.Environ()) })\n'
               'st, _ := rt.WaitPid(c)\nfmt.Println(st.ExitStatus())\n'
               'c, _ = rt.Fork(func() { syscall.Exit(9) })\nst, _ = rt.WaitPid(c)\nfmt.Println(st.ExitStatus())').stdout
    assert out.splitlines()[1:] == ["7", "9"], out
    assert "not allowed in the session process" in out.splitlines()[0]
    cell = k.run('syscall.Exit(3)')
    assert cell.status == "error" and cell.reply["ename"] == "Exit", cell.describe()


def test_net_listener_and_conn_captured_by_a_child(k):
    out = k.ok('import "net"\nln, _ := net.Listen("tcp", "127.0.0.1:0")\n'
               'c, _ := rt.Fork(func() {\n\tconn, err := ln.Accept()\n\tif err != nil { panic(err) }\n'
               '\tconn.Write([]byte("from the child"))\n\tconn.Close()\n})\n'
               'conn, _ := net.Dial("tcp", ln.Addr().String())\nbuf := make([]byte, 32)\nn, _ := conn.Read(buf)\n'
               'fmt.Println(string(buf[:n]))\nst, _ := rt.WaitPid(c)\nfmt.Println(st.ExitStatus())\n'
               'c2, _ := rt.Fork(func() { conn.Write([]byte("child writes on the parent conn")); conn.Close() })\n'
               'rt.WaitPid(c2)\nconn.Close()\nln.Close()', timeout=30).stdout
    assert out.splitlines() == ["from the child", "0"], out


# -- 4. Go's own error messages -------------------------------------------

@pytest.mark.parametrize("code,ename,evalue,line", [
    ("xs := []int{1, 2, 3}\n_ = xs[5]", "runtime error", "index out of range [5] with length 3", 2),
    ("var m map[string]int\nm[\"a\"] = 1", "runtime error", "assignment to entry in nil map", 2),
    ("type P struct{ X int }\nvar p *P\n_ = p.X", "runtime error", "invalid memory address or nil pointer dereference", 3),
    ("a, b := 1, 0\n_ = a / b", "runtime error", "integer divide by zero", 2),
    ("var x any = \"s\"\n_ = x.(int)", "runtime error", "interface conversion: interface {} is string, not int", 2),
    ("c := make(chan int)\nclose(c)\nc <- 1", "runtime error", "send on closed channel", 3),
    ("for i := 0; i < 5; i++ {\n\tw := []int{1}\n\t_ = w[i]\n}", "runtime error", "index out of range [1] with length 1", 3),
    ("ln, err := net.Listen(\"tcp\", \":0\")", "CompileError", 'undefined: net (import "net" first)', 1),
])
def test_runtime_errors_read_as_go(code, ename, evalue, line):
    with Kernel() as k:
        cell = k.run(code)
        assert cell.status == "error", cell.describe()
        assert cell.reply["ename"] == ename and cell.reply["evalue"] == evalue, cell.describe()
        assert f"cell line {line}:" in cell.reply["traceback"][1], cell.describe()


def test_a_panic_in_a_forked_child_points_at_the_cell(k):
    out = k.ok('c, _ := rt.Fork(func() {\n\txs := []int{}\n\t_ = xs[2]\n})\nst, _ := rt.WaitPid(c)\n'
               'fmt.Println(st.ExitStatus())')
    assert "index out of range [2] with length 0" in out.stderr, out.describe()
    assert "cell line 3:" in out.stderr, out.describe()
    assert out.stdout == "2\n"
    out = k.ok('pid, _ := rt.Fork()\nif pid == 0 {\n\tvar m map[int]int\n\tm[1] = 1\n}\nrt.WaitPid(pid)')
    assert "assignment to entry in nil map" in out.stderr and "cell line 4:" in out.stderr, out.describe()


def test_a_forked_childs_errors_name_the_lines_the_learner_sees(k):
    # The child compiles the session's declarations again, all together:
    # its tracebacks still name each function's own cell lines and quote them.
    k.ok('import "strings"\n\n// handleClient fails on a short request.\nfunc handleClient(req []byte) {\n'
         '\tparts := strings.Fields(string(req))\n\tfmt.Println("method", parts[0], "path", parts[1])\n}')
    out = k.ok('\n\n'
               'func acceptLoop(reqs []string) {\n'
               '\tfor _, r := range reqs {\n'
               '\t\tpid, _ := rt.Fork()\n'
               '\t\tif pid == 0 {\n'
               '\t\t\thandleClient([]byte(r))\n'
               '\t\t\trt.Exit(0)\n'
               '\t\t}\n'
               '\t\t_, st, _ := rt.Wait()\n'
               '\t\tfmt.Println("child", st.ExitStatus())\n'
               '\t}\n'
               '}\n'
               'acceptLoop([]string{"GET /", "GET"})')
    assert out.stdout == "method GET path /\nchild 0\nchild 2\n", out.describe()
    lines = out.stderr.splitlines()
    assert lines[0] == "panic: runtime error: index out of range [1] with length 1", out.describe()
    assert lines[1] == "  in handleClient, cell line 6:42", out.describe()
    assert lines[2].endswith('| \tfmt.Println("method", parts[0], "path", parts[1])'.replace("\t", " ")), out.describe()
    assert lines[4] == "  in acceptLoop, cell line 7:4", out.describe()
    assert lines[5].endswith("|    handleClient([]byte(r))"), out.describe()
    # A goroutine's panic ends the child as a Go program, told as the
    # session tells one.
    out = k.ok('g, _ := rt.Fork(func() {\n\tgo handleClient(nil)\n\ttime.Sleep(5 * time.Second)\n})\n'
               'st, _ := rt.WaitPid(g)\nfmt.Println(st.ExitStatus())')
    assert out.stdout == "2\n", out.describe()
    assert out.stderr.startswith("panic: runtime error: index out of range [0] with length 0 (in a goroutine)\n"
                                 "  in handleClient, cell line 6:"), out.describe()
    assert "recovered" not in out.stderr and "goroutine 1" not in out.stderr, out.describe()


def test_documented_limits_say_so():
    with Kernel() as k:
        cell = k.run("x := min(3, 4)")
        assert "call min inside a function" in cell.reply["evalue"], cell.describe()
        assert k.value("y := int(min(3, 4))\ny") == "3"
        k.ok("type T struct{ A int }")
        cell = k.run("type T struct{ B string }")
        assert cell.status == "error" and "declared already" in cell.reply["evalue"], cell.describe()
