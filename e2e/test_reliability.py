"""Nothing on the wire or in a long day of teaching takes the kernel down.

Each test is a row of docs/reliability.md: the probe, tried the number of
times it says, and what must hold afterwards (nothing lost, nothing left
behind). Each is bounded in time so that CI stays within its limit; the
figures they measure are printed at the end of the run."""

import os
import signal
import socket
import struct
import threading
import time

import pytest
import zmq
from jupyter_client.session import Session

import harness
from harness import Kernel

ZMTP_GREETING = b"\xff" + b"\x00" * 8 + b"\x7f" + bytes([3, 0]) + b"NULL" + b"\x00" * 16 + b"\x00" + b"\x00" * 31


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in harness.children_of(p):
            out.append(c)
            todo.append(c)
    return out


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def gone(pids, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [p for p in pids if harness.process_state(p) not in (None, "Z")]
        if not alive:
            return []
        time.sleep(0.1)
    return alive


def test_kill_9_of_the_kernel_leaves_nothing_running():
    k = Kernel()
    try:
        pid = k.pid
        k.ok('import "time"\nc, _ := rt.Fork(func() { time.Sleep(time.Hour) })\n_ = c')
        k.ok("!sleep 600 &")
        k.ok("!setsid sleep 601 >/dev/null 2>&1 &")
        time.sleep(0.5)
        procs = descendants(pid)
        assert len(procs) >= 4, procs  # session, fork child, two sleeps (and warm children)
        os.kill(pid, signal.SIGKILL)
        alive = gone(procs)
        assert not alive, f"still running after kill -9 of the kernel: {alive}"
    finally:
        k.close()


def test_sigterm_is_a_clean_shutdown():
    k = Kernel()
    pid = k.pid
    k.ok("!sleep 600 &")
    procs = descendants(pid)
    os.kill(pid, signal.SIGTERM)
    k.km.provisioner.process.wait(timeout=20)
    assert not gone(procs), "processes outlived SIGTERM"
    k.close()


def test_restarts_leave_nothing_behind(figure):
    k = Kernel()
    try:
        seen = set()
        for _ in range(15):
            seen.update([k.pid] + descendants(k.pid))
            k.km.restart_kernel(now=False)
            k.kc.wait_for_ready(timeout=harness.START_TIMEOUT)
            assert k.value("40 + 2") == "42"
        current = set([k.pid] + descendants(k.pid))
        left = [p for p in seen - current if harness.process_state(p) is not None]
        assert not left, f"processes left by restarts: {left}"
        figure("15 restarts in a row: processes left", len(left))
    finally:
        k.close()


def test_queued_executes_are_all_answered_in_order(figure):
    with Kernel() as k:
        k.ok("n := 0")
        t = time.monotonic()
        ids = [k.send("n++\nn") for _ in range(1000)]
        counts, values = [], []
        for msg_id in ids:
            reply = k.shell_reply(msg_id, timeout=120)["content"]
            assert reply["status"] == "ok", reply
            counts.append(reply["execution_count"])
        assert counts == list(range(counts[0], counts[0] + 1000)), "counts not consecutive"
        assert k.value("n") == "1000"
        figure("1,000 queued executes from one client", f"{time.monotonic() - t:.1f}s, all answered in order")
        del values


def test_four_clients_at_once(figure):
    with Kernel() as k:
        k.ok("total := 0")
        errors = []

        def client(i):
            kc = k.km.client()
            kc.start_channels()
            try:
                for _ in range(250):
                    r = kc.execute_interactive("total++", timeout=60, output_hook=lambda m: None)
                    if r["content"]["status"] != "ok":
                        errors.append(r["content"])
            except Exception as e:
                errors.append(repr(e))
            finally:
                kc.stop_channels()

        t = time.monotonic()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
        for th in threads:
            th.start()
        # The first client reads iopub meanwhile, as every Jupyter client
        # does: one that does not loses messages past the high-water mark.
        end = time.monotonic() + 300
        while any(th.is_alive() for th in threads) and time.monotonic() < end:
            k._take_iopub(0.05)
        for th in threads:
            th.join(timeout=1)
        k.iopub.clear()
        assert not errors, errors[:3]
        assert k.value("total") == "1000"
        figure("4 clients x 250 executes", f"{time.monotonic() - t:.1f}s, all answered")


SOAK_CELLS = 10_000


def test_soak_heap_stays_flat(figure):
    """10,000 cells: the session's live heap grows by at most a few hundred
    bytes per cell, and the kernel's memory stays put."""
    with Kernel() as k:
        k.ok('import "runtime"\nfunc heap() uint64 {\n\truntime.GC()\n\truntime.GC()\n'
             '\tvar m runtime.MemStats\n\truntime.ReadMemStats(&m)\n\treturn m.HeapAlloc\n}')
        for _ in range(100):
            k.run("40 + 2")
        h0, r0 = int(k.value("heap()")), rss_kb(k.pid)
        t = time.monotonic()
        codes = ["40 + 2", 'fmt.Sprint("x")', "y := 5", "y + 1"]
        k.ok('import "fmt"')
        for i in range(SOAK_CELLS):
            k.run(codes[i % len(codes)])
            if i % 500 == 0:
                k.iopub.clear()
        dt = time.monotonic() - t
        h1, r1 = int(k.value("heap()")), rss_kb(k.pid)
        per_cell = (h1 - h0) / SOAK_CELLS
        figure(f"soak: {SOAK_CELLS:,} cells", f"{dt:.0f}s; session heap {h0 / 1e6:.1f} -> {h1 / 1e6:.1f} MB "
               f"({h1 / h0:.2f}x, {per_cell:.0f} B/cell); kernel RSS {r0 / 1e3:.0f} -> {r1 / 1e3:.0f} MB ({r1 / r0:.2f}x)")
        assert per_cell < 500, f"the session's heap grew {per_cell:.0f} bytes per cell"
        assert r1 / r0 < 1.5, f"the kernel's RSS grew {r0} -> {r1} kB"


def test_huge_request_costs_memory_only_while_it_runs(figure):
    with Kernel() as k:
        k.ok("1")
        before = rss_kb(k.pid)
        code = "// " + "x" * (200 << 20)
        msg_id = k.send(code)
        reply = k.shell_reply(msg_id, timeout=120)["content"]
        assert reply["status"] == "error" and reply["ename"] == "CellTooLarge", reply["evalue"]
        time.sleep(2)
        after = rss_kb(k.pid)
        figure("200 MiB execute_request: kernel RSS", f"{before / 1e3:.0f} -> {after / 1e3:.0f} MB after")
        assert after < before + 150_000, f"RSS {before} -> {after} kB after a 200 MiB request"
        assert k.value("40 + 2") == "42"


def test_raw_zmtp_frames_claiming_huge_sizes(figure):
    """A local process that completes the ZMTP handshake and sends a frame
    header claiming 2^62 (or 64 GiB) bytes, on each of the five ports: the
    kernel closes that connection only."""
    with Kernel() as k:
        info = k.km.get_connection_info()
        pid = k.pid
        for port_name in ["shell_port", "control_port", "stdin_port", "iopub_port", "hb_port"]:
            for claim in (1 << 62, 64 << 30):
                s = socket.create_connection((info["ip"], info[port_name]), timeout=5)
                try:
                    s.sendall(ZMTP_GREETING)
                    s.recv(64)
                    # READY command with a socket type the kernel accepts.
                    sock_type = {"iopub_port": b"SUB", "hb_port": b"REQ"}.get(port_name, b"DEALER")
                    body = b"\x05READY" + b"\x0bSocket-Type" + struct.pack(">I", len(sock_type)) + sock_type
                    s.sendall(bytes([0x04, len(body)]) + body)
                    time.sleep(0.1)
                    s.sendall(bytes([0x02]) + struct.pack(">Q", claim))
                    time.sleep(0.2)
                except OSError:
                    pass  # the kernel closed it: fine
                finally:
                    s.close()
            assert harness.process_state(pid) not in (None, "Z"), f"kernel died on {port_name}"
            assert k.value("40 + 2") == "42"
        assert rss_kb(pid) < 1_000_000
        figure("raw ZMTP frames claiming 2^62 and 64 GiB bytes on all 5 ports", "kernel alive, answering")


def test_a_stalled_iopub_subscriber_does_not_stop_output(figure):
    """One SUB connection that never reads must not stop the others' output
    or grow the kernel."""
    with Kernel() as k:
        info = k.km.get_connection_info()
        ctx = zmq.Context()
        stalled = ctx.socket(zmq.SUB)
        stalled.setsockopt(zmq.SUBSCRIBE, b"")
        stalled.setsockopt(zmq.RCVHWM, 1)
        stalled.setsockopt(zmq.RCVBUF, 4096)
        stalled.connect(f"tcp://{info['ip']}:{info['iopub_port']}")
        time.sleep(0.5)
        try:
            before = rss_kb(k.pid)
            t = time.monotonic()
            for i in range(8):
                cell = k.ok('import "strings"\nimport "fmt"\nfmt.Print(strings.Repeat("y", 10<<20))', timeout=60)
                assert len(cell.stdout) == 10 << 20, f"cell {i}: {len(cell.stdout)} bytes of output arrived"
            after = rss_kb(k.pid)
            figure("8 cells of 10 MiB output with a stalled subscriber",
                   f"{time.monotonic() - t:.1f}s, all arrived; kernel RSS {before / 1e3:.0f} -> {after / 1e3:.0f} MB")
            assert after < before + 400_000
        finally:
            stalled.close(linger=0)
            ctx.term()
