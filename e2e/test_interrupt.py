"""Interrupt (interrupt_mode "message": interrupt_request on control) stops a
running cell promptly and leaves the session and its state intact."""

import threading
import time


def interrupt_after(kernel, seconds):
    """Sends an interrupt from another thread after `seconds`; returns the
    timer and a list that receives the monotonic time it was sent."""
    sent = []

    def fire():
        sent.append(time.monotonic())
        kernel.km.interrupt_kernel()

    t = threading.Timer(seconds, fire)
    t.start()
    return t, sent


def assert_interrupted(cell, sent, within):
    assert sent, "the interrupt was never sent"
    assert cell.status == "error", cell.describe()
    text = f"{cell.reply['ename']} {cell.reply['evalue']}".lower()
    assert "interrupt" in text, cell.describe()
    took = cell.replied - sent[0]
    assert took < within, f"execute_reply came {took:.2f}s after the interrupt (limit {within}s)"


def test_endless_loop(kernel):
    kernel.ok("before := 40")
    t, sent = interrupt_after(kernel, 0.5)
    try:
        cell = kernel.run("for {}", timeout=20)
    finally:
        t.cancel()
    assert_interrupted(cell, sent, within=5)
    assert cell.reply["ename"] == "Interrupted", cell.describe()
    # The session survived with its state.
    assert kernel.value("before + 2") == "42"
    assert kernel.value("40 + 2") == "42"


def test_blocked_pipe_read(kernel):
    kernel.ok("r, w, err := rt.Pipe()\nif err != nil { panic(err) }\nbuf := make([]byte, 16)")
    t, sent = interrupt_after(kernel, 0.5)
    try:
        # Nothing is ever written: only the interrupt can end this read.
        cell = kernel.run("n, err := rt.Read(r, buf)\n_ = n", timeout=20)
    finally:
        t.cancel()
    assert_interrupted(cell, sent, within=1.0)
    # The pipe still works, and the abandoned read did not steal the data.
    kernel.ok('if _, err := rt.Write(w, []byte("ping")); err != nil {\n\tpanic(err)\n}')
    got = kernel.value("k, err := rt.Read(r, buf)\nif err != nil {\n\tpanic(err)\n}\nstring(buf[:k])")
    assert got == '"ping"'


def test_sleep(kernel):
    """time.Sleep returns at an interrupt, and the rest of the cell never
    runs, now or later."""
    kernel.ok('import "time"\nmarker := "before"')
    t, sent = interrupt_after(kernel, 0.5)
    try:
        cell = kernel.run('time.Sleep(1500 * time.Millisecond)\nmarker = "after"', timeout=20)
    finally:
        t.cancel()
    assert_interrupted(cell, sent, within=1.5)
    assert kernel.value("marker") == '"before"'
    time.sleep(1.5)
    assert kernel.value("marker") == '"before"', "the interrupted cell went on running"


def test_blocked_read_inside_trace(kernel):
    # A trace whose function blocks: the interrupt ends the cell at once, the
    # trace stops recording, and the next trace records from scratch.
    kernel.ok("tr, tw, err := rt.Pipe()\nif err != nil { panic(err) }\ntbuf := make([]byte, 16)")
    t, sent = interrupt_after(kernel, 0.5)
    try:
        cell = kernel.run("rt.Trace(func() {\n\trt.Read(tr, tbuf)\n\tfor {}\n})", timeout=20)
    finally:
        t.cancel()
    assert_interrupted(cell, sent, within=2.0)
    got = kernel.value('evs := rt.Trace(func() { rt.Close(tw); rt.Close(tr) })\nlen(evs)')
    assert got == "2", got
