"""Learner code runs in a session process, never in the kernel process that
speaks the protocol: no cell can kill, wedge or crowd the kernel.

Each test is one row of the session-process issue: the cell a learner gets
wrong, then a cell that must answer correctly, and the kernel's pid, which
must not change. Where the session itself had to die, the error says why in
the learner's terms and a fresh session has the earlier declarations.
"""

import json
import re
import os
import subprocess
import tempfile
import time

import pytest

import harness
from harness import Kernel

ROW_TIMEOUT = 60


def restarted(cell):
    """Whether the error of cell says a fresh session was started."""
    return "A fresh session process was started." in cell.reply.get("traceback", [])


def check_alive(k, pid, declared=True):
    """The kernel is the same process and answers; the declarations of the
    setup cell are there."""
    assert k.pid == pid and harness.process_state(pid) not in (None, "Z")
    assert k.value("40 + 2") == "42"
    if declared:
        assert k.value("twice(21)") == "42"


SETUP = 'import "fmt"\nimport "time"\nkept := 5\nfunc twice(x int) int { return 2 * x }\n_ = fmt.Sprint'


@pytest.fixture
def k():
    with Kernel() as k:
        k.ok(SETUP)
        yield k


def test_goroutine_panic_is_caught_and_the_session_kept(k):
    session = k.session_pid()
    cell = k.run('go func() { panic("boom") }()\ntime.Sleep(200 * time.Millisecond)\nfmt.Println("cell went on")')
    assert cell.status == "error", cell.describe()
    assert cell.reply["ename"] == "panic in a goroutine", cell.describe()
    assert cell.reply["evalue"] == "boom"
    # Shown once, as the cell's error output, with the line.
    errors = cell.of_type("error")
    assert len(errors) == 1, cell.describe()
    assert any("cell line 1" in line for line in errors[0]["content"]["traceback"]), errors
    assert "cell went on" in cell.stdout
    # Nothing was lost.
    assert k.session_pid() == session
    assert k.value("kept") == "5"
    check_alive(k, k.pid)


def test_goroutine_panic_after_the_cell_goes_to_that_cell(k):
    first = k.ok('go func() { time.Sleep(300 * time.Millisecond); panic("late") }()')
    time.sleep(1)
    k.drain_iopub()
    late = [m for _, m in k.iopub_for(first.msg_id) if m["msg_type"] == "error"]
    assert late and late[0]["content"]["evalue"] == "late", k.iopub_for(first.msg_id)
    assert k.value("kept") == "5"


def test_panic_in_a_compiled_callback_restarts_the_session(k):
    pid, session = k.pid, k.session_pid()
    cell = k.run('time.AfterFunc(0, func() { panic("from a callback") })\ntime.Sleep(3 * time.Second)\nfmt.Println("never")',
                 timeout=ROW_TIMEOUT)
    assert cell.status == "error", cell.describe()
    assert cell.reply["ename"] == "panic in a goroutine", cell.describe()
    assert cell.reply["evalue"] == "from a callback"
    tb = "\n".join(cell.reply["traceback"])
    assert "line 1:" in tb and "a function literal" in tb, tb
    assert restarted(cell), tb
    assert "functions twice" in tb and "kept" in tb, tb
    assert "never" not in cell.stdout
    assert k.session_pid() != session
    check_alive(k, pid)
    # Variables were declared again with their zero value.
    assert k.value("kept") == "0"


def test_stack_overflow(k):
    pid = k.pid
    cell = k.run("func down(n int) int { return down(n+1) + 1 }\ndown(0)", timeout=ROW_TIMEOUT)
    assert cell.status == "error", cell.describe()
    assert "stack overflow" in cell.reply["evalue"], cell.describe()
    assert restarted(cell)
    check_alive(k, pid)


def test_concurrent_map_writes(k):
    pid = k.pid
    cell = k.run("m := map[int]int{}\nfor i := 0; i < 4; i++ {\n"
                 "\tgo func() {\n\t\tfor j := 0; ; j++ {\n\t\t\tm[j%100] = j\n\t\t}\n\t}()\n}\n"
                 "time.Sleep(10 * time.Second)", timeout=ROW_TIMEOUT)
    assert cell.status == "error", cell.describe()
    assert cell.reply["ename"] == "fatal error", cell.describe()
    assert "concurrent map" in cell.reply["evalue"], cell.describe()
    check_alive(k, pid)


def test_kill_of_the_session_by_itself(k):
    pid = k.pid
    # Processes the dead session started die with it: a forked child and a
    # shell's background job.
    child = int(k.value("c, err := rt.Fork(func() { time.Sleep(time.Hour) })\nif err != nil { panic(err) }\nc"))
    k.ok("!sleep 3600 &")
    # The shell's child is named sh until it has exec'd sleep: look again.
    for _ in range(100):
        job = [p for p in harness.children_of(k.session_pid()) if _comm(p) == "sleep"]
        if job:
            break
        time.sleep(0.05)
    assert job, "the background sleep is not a child of the session"
    cell = k.run('import "syscall"\nsyscall.Kill(rt.Getpid(), syscall.SIGKILL)\ntime.Sleep(5 * time.Second)',
                 timeout=ROW_TIMEOUT)
    assert cell.status == "error", cell.describe()
    assert cell.reply["evalue"] == "the session process was killed by SIGKILL", cell.describe()
    assert restarted(cell)
    check_alive(k, pid)
    for p in [child] + job:
        assert harness.process_state(p) is None, f"{p} ({_comm(p)}) outlived its session"


def _comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def test_allocation_past_the_memory_limit():
    with Kernel(env={"GOSYS_MEMORY_LIMIT": "512M"}) as k:
        k.ok(SETUP)
        pid = k.pid
        # 64 MiB at a time, each touched (bytes.Repeat writes it), up to 2 GiB.
        cell = k.run('import "bytes"\nvar keep [][]byte\nfor i := 0; i < 32; i++ {\n'
                     '\tkeep = append(keep, bytes.Repeat([]byte{1}, 64<<20))\n}', timeout=ROW_TIMEOUT)
        assert cell.status == "error", cell.describe()
        assert cell.reply["ename"] == "MemoryError", cell.describe()
        assert "512 MiB" in cell.reply["evalue"] or "out of memory" in cell.reply["evalue"], cell.describe()
        check_alive(k, pid)


def test_huge_make(k):
    pid = k.pid
    cell = k.run("b := make([]byte, 64<<30)\nb[1<<35] = 1", timeout=ROW_TIMEOUT)
    assert cell.status == "error", cell.describe()
    assert cell.reply["ename"] in ("MemoryError", "runtime error"), cell.describe()
    check_alive(k, pid)


def test_loop_in_a_function_literal_stops_at_an_interrupt(k):
    pid, session = k.pid, k.session_pid()
    k.ok("n := 0")
    t, sent = k.interrupt_after(0.5)
    try:
        cell = k.run("func() {\n\tfor {\n\t\tn++\n\t}\n}()\nn = -1", timeout=ROW_TIMEOUT)
    finally:
        t.cancel()
    assert cell.status == "error" and cell.reply["ename"] == "Interrupted", cell.describe()
    assert cell.replied - sent[0] < 1.5, "the loop did not stop in place"
    assert k.session_pid() == session, "a loop in a literal cost the session"
    a = int(k.value("n"))
    assert a > 0
    time.sleep(0.3)
    assert int(k.value("n")) == a, "the loop goes on after the interrupt"
    check_alive(k, pid)


def test_fork_bomb_meets_the_children_limit():
    with Kernel(env={"GOSYS_MAX_CHILDREN": "20"}) as k:
        k.ok(SETUP)
        pid = k.pid
        cell = k.ok('import "syscall"\nimport "errors"\nvar pids []int\nvar ferr error\n'
                    "for i := 0; i < 1000; i++ {\n"
                    "\tp, err := rt.Fork(func() { time.Sleep(time.Hour) })\n"
                    "\tif err != nil {\n\t\tferr = err\n\t\tbreak\n\t}\n\tpids = append(pids, p)\n}\n"
                    'fmt.Println(len(pids), errors.Is(ferr, syscall.EAGAIN))\nfmt.Println(ferr)',
                    timeout=ROW_TIMEOUT)
        assert cell.stdout.startswith("20 true\n"), cell.describe()
        assert "GOSYS_MAX_CHILDREN" in cell.stdout
        check_alive(k, pid)
        # Reaping makes room again.
        k.ok("for _, p := range pids {\n\tsyscall.Kill(p, syscall.SIGKILL)\n\trt.WaitPid(p)\n}", timeout=ROW_TIMEOUT)
        k.ok("p, err := rt.Fork(func() {})\nif err != nil {\n\tpanic(err)\n}\nrt.WaitPid(p)")


def test_endless_output_interrupted():
    with Kernel(env={"GOSYS_MAX_OUTPUT": "2M"}) as k:
        k.ok(SETUP)
        pid, session = k.pid, k.session_pid()
        t, sent = k.interrupt_after(2)
        try:
            cell = k.run('for {\n\tfmt.Println("spam spam spam spam spam spam spam spam")\n}', timeout=ROW_TIMEOUT)
        finally:
            t.cancel()
        assert cell.status == "error" and cell.reply["ename"] == "Interrupted", cell.describe()
        assert cell.replied - sent[0] < 5
        assert len(cell.stdout) <= 2 << 20
        assert "bytes of output were dropped" in cell.stderr, cell.stderr[-300:]
        assert k.session_pid() == session
        check_alive(k, pid)
        # The next cell's output is whole.
        assert k.ok('fmt.Println("quiet")').stdout == "quiet\n"


def test_fresh_session_descriptor_table():
    # A fresh kernel: the first pipe is 3 and 4, as in C.
    with Kernel() as fresh:
        assert fresh.value("r, w, _ := rt.Pipe()\n[]int{r, w}") == "[3 4]"
        # Close, then open: the lowest free number is reused.
        assert fresh.value('rt.Close(3)\nfd, err := rt.Open("/etc/hostname", 0, 0)\nif err != nil { panic(err) }\nfd') == "3"
        # The session's own descriptors are not in the learner's numbers.
        out = fresh.ok("!ls /proc/$PPID/fd").stdout.split()
        low = sorted(int(x) for x in out if x.isdigit() and int(x) < 1000)
        assert low == [0, 1, 2, 3, 4], out


def test_read_of_a_closed_descriptor_is_ebadf_every_time(k):
    k.ok("r, w, _ := rt.Pipe()\nrt.Close(r)\nbuf := make([]byte, 8)\n_ = w")
    for i in range(10):
        start = time.monotonic()
        cell = k.ok('_, err := rt.Read(r, buf)\nfmt.Println(err)', timeout=5)
        assert "bad file descriptor" in cell.stdout, cell.describe()
        assert time.monotonic() - start < 3


def test_sleep_interrupted_rest_never_runs(k):
    pid, session = k.pid, k.session_pid()
    k.ok('marker := "before"')
    t, sent = k.interrupt_after(0.5)
    try:
        cell = k.run('time.Sleep(time.Hour)\nmarker = "after"\nfmt.Println("ran on")', timeout=ROW_TIMEOUT)
    finally:
        t.cancel()
    assert cell.reply["ename"] == "Interrupted", cell.describe()
    assert cell.replied - sent[0] < 1.5
    time.sleep(0.5)
    assert k.value("marker") == '"before"'
    assert "ran on" not in cell.stdout
    assert k.session_pid() == session, "an interrupted time.Sleep cost the session"
    check_alive(k, pid)


def test_accept_interrupted_listener_still_works(k):
    pid, session = k.pid, k.session_pid()
    k.ok('import "net"\nln, err := net.Listen("tcp", "127.0.0.1:0")\nif err != nil { panic(err) }\naccepted := 0')
    t, sent = k.interrupt_after(0.5)
    try:
        cell = k.run("c, err := ln.Accept()\naccepted = 1\n_, _ = c, err", timeout=ROW_TIMEOUT)
    finally:
        t.cancel()
    assert cell.reply["ename"] == "Interrupted", cell.describe()
    assert cell.replied - sent[0] < 1.5
    assert k.value("accepted") == "0"
    assert k.session_pid() == session, "an interrupted Accept cost the session"
    # The listener was not spoiled.
    out = k.ok('go func() {\n\tc, _ := net.Dial("tcp", ln.Addr().String())\n\tc.Write([]byte("hi"))\n\tc.Close()\n}()\n'
               'c, err := ln.Accept()\nif err != nil { panic(err) }\nbuf := make([]byte, 2)\nn, _ := c.Read(buf)\n'
               'fmt.Println(string(buf[:n]))').stdout
    assert out == "hi\n"
    check_alive(k, pid)


def test_blocked_compiled_call_costs_the_session_and_says_where(k):
    pid, session = k.pid, k.session_pid()
    t, sent = k.interrupt_after(0.5)
    try:
        cell = k.run('import "sync"\nvar wg sync.WaitGroup\nwg.Add(1)\nwg.Wait()\nfmt.Println("never")', timeout=ROW_TIMEOUT)
    finally:
        t.cancel()
    assert cell.reply["ename"] == "Interrupted", cell.describe()
    assert "WaitGroup" in cell.reply["evalue"], cell.describe()
    assert restarted(cell)
    took = cell.replied - sent[0]
    assert took < 10, took
    assert k.session_pid() != session
    check_alive(k, pid)


def test_crash_report_over_64k_does_not_hang():
    # GOTRACEBACK=all makes the runtime's report of a stack overflow list
    # every goroutine: with 300 of them it is far over 64 KiB, more than a
    # pipe holds.
    with Kernel(env={"GOTRACEBACK": "all"}) as k:
        k.ok(SETUP)
        pid = k.pid
        cell = k.run("for i := 0; i < 300; i++ {\n\tgo func() { time.Sleep(time.Hour) }()\n}\n"
                     "func down(n int) int { return down(n+1) + 1 }\ndown(0)", timeout=ROW_TIMEOUT)
        assert cell.status == "error", cell.describe()
        m = re.search(r"(\d+) more bytes of the Go runtime.s report", cell.stderr)
        assert m and int(m.group(1)) > 64 << 10, cell.stderr[-500:]
        assert "stack overflow" in cell.reply["evalue"]
        check_alive(k, pid)


def test_gosys_run_writes_the_notebook_of_a_crashed_session(tmp_path):
    nb = {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "gosys", "display_name": "Go (systems)", "language": "go"}},
        "cells": [
            {"cell_type": "code", "id": "a", "metadata": {}, "execution_count": None, "outputs": [], "source": "x := 1"},
            {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": None, "outputs": [],
             "source": 'import "time"\ntime.AfterFunc(0, func() { panic("in the callback") })\ntime.Sleep(3 * time.Second)'},
            {"cell_type": "code", "id": "c", "metadata": {}, "execution_count": None, "outputs": [], "source": "x + 41"},
        ],
    }
    src = tmp_path / "crash.ipynb"
    out = tmp_path / "crash-out.ipynb"
    src.write_text(json.dumps(nb))
    gosys = os.path.join(os.environ["GOSYS_PREFIX"], "bin", "gosys")
    r = subprocess.run([gosys, "run", str(src), "-o", str(out), "--allow-errors"],
                       capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert out.exists(), r.stderr
    got = json.loads(out.read_text())
    errs = [o for o in got["cells"][1]["outputs"] if o["output_type"] == "error"]
    assert errs and errs[0]["evalue"] == "in the callback", got["cells"][1]["outputs"]
    last = got["cells"][2]["outputs"]
    assert last and "".join(last[0]["data"]["text/plain"]) == "41", last
    # Without --allow-errors the run fails, but the notebook is written all the same.
    out.unlink()
    r = subprocess.run([gosys, "run", str(src), "-o", str(out)], capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    assert r.returncode != 0
    assert out.exists(), r.stderr


def test_warm_children_hold_no_learner_descriptor(k):
    # Forks start replacement warm children while the cell's pipe is open;
    # none of them may keep its write end, or the reader never sees EOF.
    cell = k.ok('import "io"\nfor i := 0; i < 3; i++ {\n\trt.Pipe()\n}\nr, w, _ := rt.Pipe() // 9 and 10\n'
                "for i := 0; i < 5; i++ {\n\tp, err := rt.Fork(func() {})\n\tif err != nil { panic(err) }\n\trt.WaitPid(p)\n}\n"
                "time.Sleep(500 * time.Millisecond) // the pool refills\n"
                'rt.Close(w)\nn, err := rt.Read(r, make([]byte, 1))\nfmt.Println(n, err == io.EOF)', timeout=20)
    assert cell.stdout == "0 true\n", cell.describe()


@pytest.mark.parametrize("warm", [0, 5])
def test_warm_children_pool_size(warm):
    """GOSYS_WARM_CHILDREN sizes the pool of ready children (a class sets 0
    to save ~25 MB per student); forks work either way."""
    with Kernel(env={"GOSYS_WARM_CHILDREN": str(warm)}) as k:
        session = k.session_pid()

        def settle(want):
            deadline = time.monotonic() + 20
            while True:
                kids = harness.children_of(session)
                if len(kids) == want or time.monotonic() > deadline:
                    return kids
                time.sleep(0.1)

        # None before the first fork: a notebook that never forks pays
        # nothing for them.
        time.sleep(1)
        assert not harness.children_of(session), "warm children before any fork"
        cell = k.ok('import "fmt"\nfor i := 0; i < 3; i++ {\n\tif pid, _ := rt.Fork(); pid == 0 {\n\t\tfmt.Println("child", i)\n'
                    '\t\trt.Exit(0)\n\t}\n\trt.Wait()\n}', timeout=30)
        assert cell.stdout == "child 0\nchild 1\nchild 2\n", cell.describe()
        # A few forks keep a few warm children: the pool follows the demand.
        time.sleep(1)
        kids = harness.children_of(session)
        assert len(kids) <= warm and (warm == 0 or len(kids) >= 1), \
            f"{len(kids)} warm children after 3 forks with GOSYS_WARM_CHILDREN={warm}: {kids}"
        k.ok('for i := 0; i < 20; i++ {\n\tif pid, _ := rt.Fork(); pid == 0 {\n\t\trt.Exit(0)\n\t}\n}\n'
             'for i := 0; i < 20; i++ {\n\trt.Wait()\n}', timeout=60)
        # A fork loop grows it (doubling each time a fork found it empty),
        # never past its size.
        kids = settle(warm)
        assert len(kids) <= warm and (warm == 0 or len(kids) >= 2), \
            f"{len(kids)} warm children after a fork loop with GOSYS_WARM_CHILDREN={warm}: {kids}"


@pytest.mark.parametrize("env,flag", [({"GOSYS_WARM_CHILDREN": "many"}, []), ({}, ["--warm-children", "65"])])
def test_warm_children_setting_checked(tmp_path, env, flag):
    """A bad value stops the kernel at start with a message naming it."""
    path = tmp_path / "kernel.json"
    path.write_text(json.dumps({"transport": "tcp", "ip": "127.0.0.1", "key": "k", "signature_scheme": "hmac-sha256",
                                "shell_port": 0, "iopub_port": 0, "stdin_port": 0, "control_port": 0, "hb_port": 0}))
    gosys = os.path.join(os.environ["GOSYS_PREFIX"], "bin", "gosys")
    r = subprocess.run([gosys, "kernel", "-f", str(path), *flag], capture_output=True, text=True, timeout=30,
                       stdin=subprocess.DEVNULL, env={**os.environ, **env})
    assert r.returncode != 0
    assert "GOSYS_WARM_CHILDREN=\"many\"" in r.stderr or "--warm-children 65" in r.stderr, r.stderr
