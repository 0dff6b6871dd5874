"""Shutdown ends every process the cells started: shell commands left
running in the background and orphans re-parented to the session process
(it is their subreaper), and the session itself."""

import time

import harness


def test_shutdown_leaves_no_child():
    k = harness.Kernel()
    try:
        pid = k.pid
        session = int(k.value("rt.Getpid()"))
        # A plain background child, a nohup one, and a double-forked orphan
        # whose shell parent exits at once (so it is re-parented to the session).
        k.ok("!sleep 100 &")
        k.ok("!nohup sleep 101 >/dev/null 2>&1 &")
        k.ok("!(sleep 102 &); true")
        deadline = time.monotonic() + 5
        while True:
            kids = {p for p in harness.children_of(session)
                    if harness.process_state(p) != "Z"}
            sleeps = [p for p in kids if _cmdline(p).startswith("sleep")]
            if len(sleeps) >= 3 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert len(sleeps) == 3, f"expected 3 sleep children of the session, found {[_cmdline(p) for p in kids]}"
    finally:
        k.km.shutdown_kernel(now=False)
        k.kc.stop_channels()

    assert harness.process_state(pid) is None, "the kernel process outlived shutdown"
    assert harness.process_state(session) is None, "the session process outlived shutdown"
    left = {p: harness.process_state(p) for p in kids}
    alive = {p: s for p, s in left.items() if s not in (None, "Z")}
    assert not alive, f"children outlived the kernel: {alive}"
    assert not harness.children_of(pid), "processes still name the kernel as parent"
    assert not harness.children_of(session), "processes still name the session as parent"


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""
